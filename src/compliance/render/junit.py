"""``--format junit``: one testsuite per plan, one testcase per rule that applied.

``classname`` is the plan id and ``name`` the rule id; a failed rule has one
``failure`` listing its findings; a not-evaluated rule is ``skipped`` with the
reason; a waived rule passes and says so in ``system-out``. Input errors are
one extra suite of errors. No timestamps or durations, so output is stable.
"""

from __future__ import annotations

from xml.etree import ElementTree as ET

from ..findings import CheckRun, Finding
from ..i18n import words
from .common import visible as v


def _lines(findings: list[Finding]) -> str:
    return "\n".join(f"{v(f.location.where())} [{v(f.location.path)}] {v(f.message)}" for f in findings)


def render(run: CheckRun) -> str:
    suites = ET.Element("testsuites", name="compliance")
    w = words(run.lang)
    total = failures = skipped = errors = 0
    for result in run.results:
        by_rule: dict[str, list[Finding]] = {}
        for f in result.findings:
            by_rule.setdefault(f.rule, []).append(f)
        suite = ET.SubElement(suites, "testsuite", name=v(result.plan), file=v(result.file))
        if result.notes:
            ET.SubElement(suite, "properties").extend(
                ET.Element("property", name="note", value=v(note)) for note in result.notes
            )
        s_fail = s_skip = 0
        for rule_id in sorted(result.rules_applied):
            rule = run.legend.rules[rule_id]
            case = ET.SubElement(suite, "testcase", classname=v(result.plan), name=rule_id, file=v(result.file))
            found = by_rule.get(rule_id, [])
            failed = [f for f in found if f.outcome == "failed" and not f.baselined]
            baselined = [f for f in found if f.outcome == "failed" and f.baselined]
            not_evaluated = [f for f in found if f.outcome == "not-evaluated"]
            waived = [f for f in found if f.outcome == "waived"]
            if failed:
                s_fail += 1
                node = ET.SubElement(case, "failure", message=f"{rule.title} ({len(failed)})",
                                     type=rule.severity)
                node.text = _lines(failed)
            elif not_evaluated:
                s_skip += 1
                ET.SubElement(case, "skipped", message=v(not_evaluated[0].message)).text = _lines(not_evaluated)
            shown = ([f"{w['waived']}: {_lines(waived)}"] if waived else []) + (
                [f"{w['baseline']}: {_lines(baselined)}"] if baselined else [])
            if shown:  # waived and baselined findings are shown, and do not fail the gate
                ET.SubElement(case, "system-out").text = "\n".join(shown)
        suite.set("tests", str(len(result.rules_applied)))
        suite.set("failures", str(s_fail))
        suite.set("skipped", str(s_skip))
        suite.set("errors", "0")
        total += len(result.rules_applied)
        failures += s_fail
        skipped += s_skip
    if run.errors:
        suite = ET.SubElement(suites, "testsuite", name="input errors", tests=str(len(run.errors)),
                              failures="0", skipped="0", errors=str(len(run.errors)))
        for issue in run.errors:
            case = ET.SubElement(suite, "testcase", classname="input", name=v(issue.file), file=v(issue.file))
            ET.SubElement(case, "error", message=v(issue.text(run.lang))).text = v(issue.one_line(run.lang))
        total += len(run.errors)
        errors += len(run.errors)
    if run.warnings:
        suite = ET.SubElement(suites, "testsuite", name="waivers", tests=str(len(run.warnings)),
                              failures=str(len(run.warnings)), skipped="0", errors="0")
        for issue in run.warnings:
            case = ET.SubElement(suite, "testcase", classname="waivers", name=f"{v(issue.file)}:{issue.line}",
                                 file=v(issue.file))
            ET.SubElement(case, "failure", message=v(issue.text(run.lang)), type="warning").text = v(
                issue.one_line(run.lang)
            )
        total += len(run.warnings)
        failures += len(run.warnings)
    suites.set("tests", str(total))
    suites.set("failures", str(failures))
    suites.set("skipped", str(skipped))
    suites.set("errors", str(errors))
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
