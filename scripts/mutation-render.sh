#!/usr/bin/env bash
# Mutation testing of the renderers (src/compliance/render/*.py) and src/compliance/legend.py
# with mutmut, apart from scripts/mutation.sh: it runs in a copy of the checkout
# (build/mutation-render by default) whose pyproject.toml gets the [tool.mutmut] section
# below, so the two never share a configuration or a mutants/ folder.
# One worker by default (the renderers' tests are quick; JOBS=N for more).
#
#   scripts/mutation-render.sh                  # after the README's test command has made .venv
#   JOBS=2 WORK=/tmp/mr scripts/mutation-render.sh
#
# Prints the surviving mutants and the score per module; docs/mutation-render.md lists the
# figures and the mutants judged equivalent. `cd build/mutation-render && mutmut show NAME`.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
PY=$(cd "$(dirname "$PY")" && pwd)/$(basename "$PY")
"$PY" -c 'import mutmut' 2>/dev/null || "$PY" -m pip install -q 'mutmut>=3.8,<4'
WORK=${WORK:-build/mutation-render}
rm -rf "$WORK"
mkdir -p "$WORK"
# the checkout's files as they are now (committed or not), without what git ignores
git ls-files -coz --exclude-standard | xargs -0 -I{} sh -c 'test -e "$1" && printf "%s\0" "$1"' _ {} \
  | tar --null -cf - -T - | tar -xf - -C "$WORK"
cd "$WORK"
"$PY" - <<'PY'
import re
from pathlib import Path

path = Path("pyproject.toml")
text = re.sub(r"(?ms)^\[tool\.mutmut\]\n.*?(?=^\[|\Z)", "", path.read_text("utf-8"))
path.write_text(text.rstrip("\n") + '''

[tool.mutmut]
source_paths = ["src/compliance"]
only_mutate = ["src/compliance/render/*.py", "src/compliance/legend.py"]
also_copy = ["rules", "plans", "examples", "docs", "README.md", "reports", "action.yml", ".pre-commit-hooks.yaml"]
# in-process tests only: a test that starts `python -m compliance` imports the unmutated code
pytest_add_cli_args = ["-p", "no:cacheprovider", "-q"]
pytest_add_cli_args_test_selection = [
  "tests/test_formats.py", "tests/test_render.py", "tests/test_render_outputs.py", "tests/test_gate_golden.py",
  "tests/test_allocation.py", "tests/test_revisions.py",
  "tests/test_hostile.py::test_text_output_escapes_controls_so_nothing_fakes_a_line",
  "tests/test_hostile.py::test_markdown_neutralises_lines_mentions_links_and_html",
  "tests/test_hostile.py::test_junit_is_well_formed_with_xml_invalid_characters",
  "tests/test_hostile.py::test_html_shows_controls_escaped",
]
''', "utf-8")
PY
# the rule-book cache stays out of it; the install tests build wheels and are no use here
export COMPLIANCE_NO_CACHE=1 COMPLIANCE_SKIP_INSTALL_TESTS=1
"$PY" -m mutmut run --max-children "${JOBS:-1}" >run.log 2>&1 || { tail -c 2000 run.log; exit 2; }
"$PY" -m mutmut results
"$PY" -m mutmut results --all true >results.txt
"$PY" - <<'PY'
import collections
import re

per = collections.defaultdict(collections.Counter)
for line in open("results.txt", encoding="utf-8"):
    m = re.match(r"\s*compliance\.([\w.]+)\.\S+__mutmut_\d+: (.+)$", line)
    if m:
        per[m.group(1)][m.group(2).strip()] += 1
total = collections.Counter()
print(f"{'module':<22}{'mutants':>8}{'killed':>8}{'survived':>9}{'other':>7}{'score':>8}")
for module in sorted(per):
    c = per[module]
    total += c
    n = sum(c.values())
    other = n - c["killed"] - c["survived"]
    print(f"{module:<22}{n:>8}{c['killed']:>8}{c['survived']:>9}{other:>7}{100 * c['killed'] / n:>7.1f}%")
n = sum(total.values())
print(f"{'all':<22}{n:>8}{total['killed']:>8}{total['survived']:>9}{n - total['killed'] - total['survived']:>7}"
      f"{100 * total['killed'] / max(n, 1):>7.1f}%")
PY
