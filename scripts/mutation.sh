#!/usr/bin/env bash
# Mutation testing of the modules in [tool.mutmut] only_mutate (pyproject.toml, which also
# selects the tests that run) with mutmut. Slow (facts.py alone: about 45 minutes with one
# worker), so not part of the default test command. The score leaves out mutants whose
# worker crashed (mutmut's "segfault"): they were not judged.
#
#   scripts/mutation.sh            # after the README's test command has made .venv
#   JOBS=2 scripts/mutation.sh     # more workers (default one)
#
# Prints the surviving mutants and the score; `.venv/bin/mutmut show NAME` shows one.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
"$PY" -c 'import mutmut' 2>/dev/null || "$PY" -m pip install -q 'mutmut>=3.8,<4'
rm -rf mutants
# the rule-book cache stays out of it; the install tests build wheels and are no use here
export COMPLIANCE_NO_CACHE=1 COMPLIANCE_SKIP_INSTALL_TESTS=1
"$PY" -m mutmut run --max-children "${JOBS:-1}" >mutants.log 2>&1 || { tail -c 2000 mutants.log; exit 2; }
mv mutants.log mutants/run.log
"$PY" -m mutmut results
"$PY" -m mutmut export-cicd-stats >/dev/null
"$PY" - <<'PY'
import json
s = json.load(open("mutants/mutmut-cicd-stats.json"))
judged = s["killed"] + s["survived"] + s.get("timeout", 0) + s.get("suspicious", 0)
print(f"mutants: {s['total']}; killed {s['killed']}, survived {s['survived']}, "
      f"no tests {s['no_tests']}, timeout {s.get('timeout', 0)}, skipped {s.get('skipped', 0)}; "
      f"score {100 * (judged - s['survived']) / judged:.1f} % of the mutants tests reach")
PY
