#!/usr/bin/env bash
# Mutation testing of the modules in [tool.mutmut] only_mutate (pyproject.toml, which also
# selects the tests that run) with mutmut. Slow (facts.py alone: about 45 minutes with one
# worker), so not part of the default test command. The score leaves out mutants whose
# worker crashed (mutmut's "segfault"): they were not judged.
#
#   scripts/mutation.sh            # after the README's test command has made .venv
#   JOBS=2 scripts/mutation.sh     # more workers (default one)
#   scripts/mutation.sh engine     # another set: scripts/mutation/engine.toml's [tool.mutmut]
#   scripts/mutation.sh engine 'compliance.engine.x_namespace*'   # only these mutants (mutmut's globs)
#
# A named set runs in a staging copy of the checkout (.mutation/SET/: the files git does not
# ignore, pyproject.toml's [tool.mutmut] replaced by the set's), so sets are configured apart;
# MUTATE=GLOB narrows a set to matching modules. Prints the surviving mutants and the score;
# `mutmut show NAME` (in .mutation/SET/ for a set) shows one.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
PY=$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")
SET=${1:-}
[ $# -gt 0 ] && shift
if [ -n "$SET" ]; then
  [ -f "scripts/mutation/$SET.toml" ] || { echo "no mutation set $SET (scripts/mutation/*.toml)" >&2; exit 2; }
  rm -rf ".mutation/$SET" && mkdir -p ".mutation/$SET"
  git ls-files -z -co --exclude-standard | "$PY" -c '
import pathlib, re, shutil, sys
work, name = pathlib.Path(".mutation") / sys.argv[1], sys.argv[1]
for path in sys.stdin.read().split("\0"):
    if path and pathlib.Path(path).is_file():
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, work / path)
own = pathlib.Path(f"scripts/mutation/{name}.toml").read_text("utf-8")
if only := __import__("os").environ.get("MUTATE"):
    own = re.sub(r"(?ms)^only_mutate = \[.*?\]$", f"only_mutate = [{only!r}]".replace(chr(39), chr(34)), own)
base = (work / "pyproject.toml").read_text("utf-8")
base = re.sub(r"(?ms)^\[tool\.mutmut\]$.*?(?=^\[|\Z)", "", base)
(work / "pyproject.toml").write_text(base.rstrip() + "\n\n" + own, "utf-8")
' "$SET"
  cd ".mutation/$SET"
fi
"$PY" -c 'import mutmut' 2>/dev/null || "$PY" -m pip install -q 'mutmut>=3.8,<4'
rm -rf mutants
# the rule-book cache stays out of it; the install tests build wheels and are no use here
export COMPLIANCE_NO_CACHE=1 COMPLIANCE_SKIP_INSTALL_TESTS=1
"$PY" -m mutmut run --max-children "${JOBS:-1}" "$@" >mutants.log 2>&1 || { tail -c 2000 mutants.log; exit 2; }
mv mutants.log mutants/run.log
"$PY" -m mutmut results | grep -v ": not checked$" || true
"$PY" -m mutmut export-cicd-stats >/dev/null
"$PY" - <<'PY'
import json
s = json.load(open("mutants/mutmut-cicd-stats.json"))
judged = s["killed"] + s["survived"] + s.get("timeout", 0) + s.get("suspicious", 0)
print(f"mutants: {s['total']}; killed {s['killed']}, survived {s['survived']}, "
      f"no tests {s['no_tests']}, timeout {s.get('timeout', 0)}, skipped {s.get('skipped', 0)}; "
      f"score {100 * (judged - s['survived']) / judged:.1f} % of the mutants tests reach")
PY
