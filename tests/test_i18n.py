"""No English under ``--lang sv`` (and no Swedish words of the catalog under ``--lang en``).

Runs every command a user sees text from (``check`` in every format over the example
plans, the gate scenario with waivers, an expired and an unused waiver and a baseline,
and a set of bad inputs; ``diff``, ``allocation``, ``rules list/show``, ``init``,
``convert``) and looks, in what a person reads, for the other language's words of the
catalog (:mod:`compliance.i18n`) and for a few giveaway words. Machine formats are read
for their human text only (JSON keys, SARIF levels and JUnit element names are a
contract, not a language); plan-provided text is Swedish in every language, so the
English run looks only for the catalog's own Swedish words.
"""

from __future__ import annotations

import ast
import json
import re
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from compliance.cli import main
from compliance.i18n import UI, WORDS

ROOT = Path(__file__).resolve().parent.parent
GATE = ROOT / "tests" / "golden" / "gate"
FORMATS = ["text", "json", "markdown", "junit", "sarif", "html"]

PLAN = """\
plan:
  id: {id}
  region: Region Jämtland Härjedalen
  agreement: gnv-2020
areas:
  - area: karriartjanster
    activities:
      - id: a1
        name: Tjänster
        amount: {amount}
        period: {{start: {start}, end: 2020-12-31}}
"""

# Each makes check fail with an input error (exit 2) in its own way.
BAD_PLANS = {
    "yaml.yaml": "plan: [\n",
    "dupkey.yaml": "plan:\n  id: a\n  id: b\n",
    "list.yaml": "- 1\n- 2\n",
    "unknown.yaml": PLAN.format(id="u", amount=1, start="2020-01-01").replace("  region:", "  regoin:"),
    "missing.yaml": "plan:\n  id: m\n",
    "float.yaml": PLAN.format(id="f", amount="1.5", start="2020-01-01"),
    "negative.yaml": PLAN.format(id="n", amount=-5, start="2020-01-01"),
    "words.yaml": PLAN.format(id="w", amount='"femton kronor"', start="2020-01-01"),
    "ore.yaml": PLAN.format(id="o", amount='"1,5 kr"', start="2020-01-01"),
    "huge.yaml": PLAN.format(id="h", amount=10**14, start="2020-01-01"),
    "bool.yaml": PLAN.format(id="b", amount="true", start="2020-01-01"),
    "period.yaml": PLAN.format(id="p", amount=1, start="2021-01-01"),
    "datetime.yaml": PLAN.format(id="t", amount=1, start="2020-01-01T10:00:00"),
    "agreement.yaml": PLAN.format(id="g", amount=1, start="2020-01-01").replace("gnv-2020", "gnv-2019"),
    "region.yaml": PLAN.format(id="r", amount=1, start="2020-01-01").replace("Jämtland Härjedalen", "Jämtland"),
    "area.yaml": PLAN.format(id="x", amount=1, start="2020-01-01").replace("karriartjanster", "karriar"),
    "twin1.yaml": PLAN.format(id="twin", amount=1, start="2020-01-01"),
    "twin2.yaml": PLAN.format(id="twin", amount=2, start="2020-01-01"),
    "empty.yaml": "",
    "notutf8.yaml": b"plan:\n  id: \xff\n",
}

EXPIRED = """\
  - rule: GNV-208
    plan: gate
    reason: Beslut väntar.
    approved_by: HR-direktör
    reference: RS/2/2019
    expires: 2019-12-31
  - rule: GNV-102
    plan: gate
    reason: Ingen sådan.
    approved_by: HR-direktör
    reference: RS/3/2020
    expires: 2030-12-31
"""


_NOT_READ = ("style", "script", "dt")  # <dt>: a value's name as the rule's values give it (an identifier)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in _NOT_READ
        self.parts += [v for k, v in attrs if k in ("title", "alt", "aria-label") and v]

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in _NOT_READ

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


_HUMAN_KEYS = {"message", "title", "text", "markdown", "note", "notes", "warnings", "errors", "reason",
               "name", "shortDescription", "fullDescription", "help"}


def _human_json(value: object, human: bool = False) -> list[str]:
    """The strings of a JSON document a person reads (messages, titles), not its keys or enums."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _human_json(v, human or k in _HUMAN_KEYS)]
    if isinstance(value, list):
        return [s for v in value for s in _human_json(v, human)]
    return [value] if human and isinstance(value, str) else []


_FENCED = re.compile(r"^```.*?^```$", re.DOTALL | re.MULTILINE)


def readable(out: str, fmt: str) -> str:
    """What a person reads of an output (a fenced block is code: a rule's condition, an example plan)."""
    if not out.strip():
        return ""
    out = _FENCED.sub("", out)
    if fmt in ("json", "sarif"):
        return "\n".join(_human_json(json.loads(out)))
    if fmt == "junit":
        root = ET.fromstring(out.encode("utf-8"))
        parts = [elem.get(a) or "" for elem in root.iter() for a in ("message",)]
        return "\n".join(parts + [elem.text or "" for elem in root.iter()])
    if fmt == "html":
        parser = _Text()
        parser.feed(out)
        return "\n".join(parser.parts)
    return out


def _catalog(lang: str) -> set[str]:
    """The catalog's words only one language has (``info``, ``plan``, ``Region`` are both)."""
    other = "sv" if lang == "en" else "en"
    theirs = {w.casefold() for table in (WORDS, UI) for w in table[other].values()}
    return {w for table in (WORDS, UI) for w in table[lang].values()
            if w.casefold() not in theirs and "{" not in w}


GIVEAWAYS = {
    "en": ["the", "is", "are", "and", "not", "of", "no", "cannot", "must", "expired", "waiver", "baseline",
           "matches", "remove", "write", "before", "after", "from", "with", "which", "does", "has"],
    "sv": ["och", "inte", "är", "ska", "kan", "saknas", "eller", "finns", "fel", "varning", "dispens"],
}


# Data, not words of the tool's own: quotes of sources and plans («…», '…', "…"), code and
# placeholders (`…`, {…}), YAML keys and the field names messages name (``approved_by:``).
_DATA = re.compile(r"«[^»]*»|'[^']*'|\"[^\"]*\"|`[^`]*`|\{[^}]*\}|(?<![\w-])[a-z_\[\]0-9.]+:(?=\s|$)")


def _source_words() -> str:
    """The sources' own section names and quotes (Swedish data in every language)."""
    from compliance.packs import RULES_DIR, load_rulebook

    book = load_rulebook(RULES_DIR)
    return "\n".join(f"{s.section} {s.quote or ''}" for rule in book.rules for s in rule.source)


def foreign(text: str, lang: str) -> list[str]:
    """The other language's words found in ``text`` (whole words, any case), outside quoted data."""
    other = "en" if lang == "sv" else "sv"
    text = _DATA.sub(" ", text)
    found = []
    words = sorted(_catalog(other), key=len, reverse=True)
    if lang == "en":  # a word the sources themselves use is no sign of a leak
        sources = _source_words().casefold()
        words = [w for w in words if w.casefold() not in sources]
    if lang == "sv":  # plan text is Swedish under both languages: giveaways only where it is not shown
        words += GIVEAWAYS[other]
    for word in words:
        if re.search(rf"(?<![\w/.-]){re.escape(word)}(?![\w/.-])", text, re.IGNORECASE):
            found.append(word)
    return found


def _invoke(args: list[str], fmt: str) -> tuple[int, str]:
    """The exit status, and what a person reads of standard output and standard error."""
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    return result.exit_code, readable(result.stdout, fmt) + "\n" + result.stderr


@pytest.fixture(scope="module")
def bad(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bad")
    for name, text in BAD_PLANS.items():
        (folder / name).write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return folder


@pytest.fixture(scope="module")
def gate(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gate")
    for name in ("gate.yaml", "baseline.json"):
        shutil.copy(GATE / name, folder / name)
    (folder / "waivers.yaml").write_text((GATE / "waivers.yaml").read_text("utf-8") + EXPIRED, "utf-8")
    (folder / "v1.json").write_text('{"version": 1, "findings": []}', "utf-8")
    (folder / "broken.json").write_text("{", "utf-8")
    (folder / "badwaivers.yaml").write_text("waivers:\n  - rule: GNV-1\n    plan: p\n", "utf-8")
    return folder


def runs(lang: str, bad: Path, gate: Path, tmp: Path) -> list[tuple[list[str], str, int]]:
    """(arguments, format, expected exit status) of every run."""
    lg = ["--lang", lang]
    out: list[tuple[list[str], str, int]] = []
    for fmt in FORMATS:
        out.append((["check", "plans", "--as-of", "2021-04-30", "--format", fmt, *lg], fmt, 1))
        out.append((["check", str(gate / "gate.yaml"), "--as-of", "2020-04-01", "--waivers",
                     str(gate / "waivers.yaml"), "--baseline", str(gate / "baseline.json"), "--fail-on",
                     "warning", "--format", fmt, *lg], fmt, 1))
        out.append((["check", str(bad), str(gate / "nothing.yaml"), "--format", fmt, *lg], fmt, 2))
    for baseline in ("v1.json", "broken.json"):
        out.append((["check", str(gate / "gate.yaml"), "--baseline", str(gate / baseline), *lg], "text", 2))
    out.append((["check", str(gate / "gate.yaml"), "--waivers", str(gate / "badwaivers.yaml"), *lg], "text", 2))
    revised = "examples/revisions/rjh-gnv-2020-v2-e-halsa.yaml"
    for fmt in ("text", "markdown", "json"):
        out.append((["diff", "plans/rjh-gnv-2020.yaml", revised, "--as-of", "2020-06-01", "--format", fmt, *lg],
                    fmt, 1))
        out.append((["allocation", "gnv-2022", "--format", fmt, *lg], fmt, 0))
        out.append((["allocation", "gnv-2023", "--format", fmt, *lg], fmt, 0))
        out.append((["allocation", "gnv-2022", "--region", "Region Jämtland Härjedalen", "--format", fmt, *lg],
                    fmt, 0))
    out.append((["diff", "plans/rjh-gnv-2020.yaml", "plans/rjh-gnv-2023.yaml", *lg], "text", 2))
    out.append((["rules", "list", *lg], "text", 0))
    # the command line's own usage errors
    out.append((["check", "plans/rjh-gnv-2020.yaml", "--output", str(tmp / "r.csv"), *lg], "text", 2))
    out.append((["rules", "show", "GNV-999", *lg], "text", 2))
    out.append((["allocation", "gnv-2099", *lg], "text", 2))
    out.append((["convert", "plans/rjh-gnv-2020.yaml", "plans/rjh-gnv-2020.yaml", "--force", *lg], "text", 2))
    out.append((["convert", "plans/rjh-gnv-2020.yaml", str(tmp / "p.xlsx"), *lg], "text", 0))
    out.append((["convert", str(bad / "float.yaml"), str(tmp / "q.xlsx"), *lg], "text", 2))
    # click's own: an unknown option or command, a missing argument or value, a bad choice or number
    for args in (["check", "plans", "--bogus"], ["chek", "plans"], ["rules", "shw"], ["check"], ["diff", "a"],
                 ["diff", "a", "b", "c"], ["check", "plans", "--format", "pdf"], ["check", "plans", "--jobs", "0"],
                 ["check", "plans", "--jobs", "x"], ["convert", "plans", "x.yaml"], ["check", "plans", "--format"]):
        out.append(([*args[:-1], *lg, args[-1]] if args[-1].startswith("--") else [*args, *lg], "text", 2))
    return out


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_no_other_language_in_any_output(lang, bad, gate, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    leaks = []
    for args, fmt, status in runs(lang, bad, gate, tmp_path):
        code, text = _invoke(args, fmt)
        assert code == status, (args, text[-2000:])
        for line in text.splitlines():
            words = foreign(line, lang)
            if words:
                leaks.append(f"{' '.join(args[:2])} [{fmt}] {words}: {line.strip()[:200]}")
    assert not leaks, f"{len(leaks)} lines in the other language:\n" + "\n".join(dict.fromkeys(leaks))


# `rules show` prints the page `rules docs` writes, and `init` a plan whose keys and codes the
# plan format fixes: both in the language asked for (their fenced code and keys are not words).
# A rule's example names are the rule file's own Swedish, so `rules show` is read under sv only.
@pytest.mark.parametrize(("args", "lang"), [
    (["rules", "show", "GNV-102"], "sv"), (["rules", "show", "GNV-101"], "sv"), (["rules", "show", "GNV-205"], "sv"),
    (["init", "--region", "Region Jämtland Härjedalen", "--agreement", "gnv-2022"], "sv"),
    (["init", "--region", "Region Jämtland Härjedalen", "--agreement", "gnv-2022"], "en"),
])
def test_rules_show_and_init_in_either_language(args, lang, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, text = _invoke([*args, "--lang", lang], "text")
    assert code == 0
    assert not [(line, foreign(line, lang)) for line in text.splitlines() if foreign(line, lang)]


def test_rules_docs_keeps_its_page_and_init_its_plan():
    """The docs page stays as docs/rules/ has it (English headings around both messages), and
    init's plan is the same plan in either language: only its comments differ."""
    import yaml

    from compliance.docs import generate
    from compliance.packs import RULES_DIR, load_rulebook

    book = load_rulebook(RULES_DIR)
    assert generate(book)["GNV-102.md"] == (ROOT / "docs" / "rules" / "GNV-102.md").read_text("utf-8")
    args = ["init", "--region", "Region Jämtland Härjedalen", "--agreement", "gnv-2022", "--lang"]
    sv, en = (CliRunner().invoke(main, [*args, lang]).stdout for lang in ("sv", "en"))
    assert sv != en and yaml.safe_load(sv) == yaml.safe_load(en)
    assert "# Planstomme för Region Jämtland Härjedalen" in sv and "# Plan skeleton for" in en


def test_the_scan_finds_what_it_looks_for():
    """The scanner itself: a line of each language is caught in the other's run, not in its own."""
    assert foreign("waiver for GNV-207 on gate expired on 2020-01-01", "sv")
    assert foreign("### ⚠️ waivers", "sv") == ["waivers"]
    assert not foreign("dispensen för GNV-207 på gate gick ut 2020-01-01", "sv")
    assert sorted(foreign("0 varningar, 2 indatafel", "en")) == ["indatafel", "varningar"]
    assert not foreign("Summary: 1 plans, the area karriartjanster", "en")



# -- every message the code writes is written in both languages -------------------------------

SRC = ROOT / "src" / "compliance"


def _bilingual(node: ast.expr | None) -> bool:
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("say", "Text")


def _in_validators(tree: ast.AST) -> set[ast.AST]:
    """Every node of the functions pydantic runs as validators (their ValueError is what a reader sees)."""
    out: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            names = {ast.unparse(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list}
            if names & {"field_validator", "model_validator"}:
                out.update(ast.walk(node))
    return out


def _same_twice(node: ast.Call, keywords: dict[str | None, ast.expr]) -> bool:
    """``say(x, x)`` or ``Text(sv=x, en=x)``: one text posing as two (``say("", "")`` is no text)."""
    func = ast.unparse(node.func)
    if func == "say" and len(node.args) == 2:
        sv, en = node.args
    elif func == "Text" and {"sv", "en"} <= set(keywords):
        sv, en = keywords["sv"], keywords["en"]
    else:
        return False
    empty = isinstance(sv, ast.Constant) and sv.value == ""
    return ast.dump(sv) == ast.dump(en) and not empty


def untranslated(path: Path) -> list[str]:
    """The messages in one source file written in one language only (``line: what``):
    ``InputError.at`` with an English message and no ``sv=``, the same text as both
    languages, and a plain ``ValueError`` raised in a pydantic validator."""
    tree = ast.parse(path.read_text("utf-8"))
    in_validator = _in_validators(tree)
    out = []
    for node in ast.walk(tree):
        raised = node.exc if isinstance(node, ast.Raise) and node in in_validator else None
        if isinstance(raised, ast.Call) and ast.unparse(raised.func) == "ValueError":
            out.append(f"{node.lineno}: a ValueError in a validator (say it with BilingualError)")
        if not isinstance(node, ast.Call):
            continue
        keywords = {k.arg: k.value for k in node.keywords}
        if ast.unparse(node.func) == "InputError.at":
            message = node.args[1] if len(node.args) > 1 else keywords.get("message")
            if "sv" not in keywords and not _bilingual(message):
                out.append(f"{node.lineno}: InputError.at without sv=")
        if _same_twice(node, keywords):
            out.append(f"{node.lineno}: the same text in both languages")
    return out


def test_every_message_the_code_writes_has_its_swedish():
    found = [f"{path.relative_to(ROOT)}:{problem}" for path in sorted(SRC.rglob("*.py"))
             for problem in untranslated(path)]
    assert not found, "\n".join(found)


def test_the_source_scan_finds_a_message_in_one_language(tmp_path):
    path = tmp_path / "sample.py"
    path.write_text(
        "def f(file):\n"
        "    raise InputError.at(file, 'no such file')\n"
        "def g(file, m):\n"
        "    raise InputError.at(file, 'no such file', sv='filen finns inte') or InputError.at(file, say('a', m))\n"
        "def h(m):\n"
        "    return say(m, m), say('', ''), Text(sv=m, en=m), say('a', m), Text(sv='a', en=m)\n"
        "class M:\n"
        "    @field_validator('x')\n"
        "    def v(cls, x):\n"
        "        raise ValueError('bad')\n"
        "def not_a_validator():\n"
        "    raise ValueError('internal')\n",
        "utf-8",
    )
    assert sorted(untranslated(path)) == [
        "10: a ValueError in a validator (say it with BilingualError)", "2: InputError.at without sv=",
        "6: the same text in both languages", "6: the same text in both languages",
    ]


# A text chosen by comparing the language (``"x" if lang == "en" else "y"``) is a second way of
# saying things in two languages: the code says them with say(sv, en) or the catalog's words.
_SWITCH = re.compile(r"""(["'])(?:(?!\1).)*\1[ \t]+if[ \t]+[\w.]*lang[ \t]*[!=]=""")


def _switches(text: str) -> list[str]:
    return [m.group() for m in _SWITCH.finditer(text) if m.group()[1:-1].split(m.group()[0])[0] not in ("en", "sv")]


def test_no_text_is_chosen_by_comparing_the_language():
    src = ROOT / "src" / "compliance"
    found = [f"{path.relative_to(ROOT)}: {hit}"
             for path in sorted([*src.rglob("*.py"), *src.rglob("*.j2")]) if path.name != "i18n.py"
             for hit in _switches(path.read_text("utf-8"))]
    assert found == [], "say these with i18n.say(sv, en) or the catalog:\n" + "\n".join(found)


def test_the_switch_scan_finds_a_switch():
    assert _switches('x = "not evaluated" if self.lang == "en" else "ej bedömd"')
    assert _switches("{{ 'Skip' if lang == 'en' else 'Hoppa' }}")
    assert _switches('lang = "en" if run.lang == "en" else "sv"') == []  # a language code, not a text


# -- click's own usage errors follow --lang --------------------------------------------------

@pytest.mark.parametrize(("args", "sv"), [
    (["check", "plans", "--bogus"], "fel: okänd flagga '--bogus'"),
    (["check", "plans", "--job", "2"], "fel: okänd flagga '--job'; menade du '--jobs'?"),
    (["chek", "plans"], "fel: okänt kommando 'chek'"),
    (["check"], "fel: argumentet 'PATHS...' saknas"),
    (["diff", "a", "b", "c"], "fel: oväntade argument: c"),
    (["check", "plans", "--format", "pdf"],
     "fel: ogiltigt värde för '--format': 'pdf' är inte ett av 'text', 'json', 'html', 'markdown', 'junit', 'sarif'"),
    (["check", "plans", "--jobs", "x"], "fel: ogiltigt värde för '--jobs' / '-j': 'x' är inget heltal"),
    (["check", "plans", "--jobs", "0"], "fel: ogiltigt värde för '--jobs' / '-j': 0 ligger utanför 1<=x<=64"),
    (["convert", "plans", "x.yaml"], "fel: ogiltigt värde för 'SOURCE': 'plans' är en mapp, inte en fil"),
    (["check", "plans", "--format"], "fel: flaggan '--format' behöver ett värde"),
])
def test_clicks_usage_errors_are_said_in_swedish_and_left_as_click_says_them_in_english(args, sv, monkeypatch):
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    first, *rest = result.stderr.splitlines()
    assert first.startswith(sv), result.stderr
    assert all(line.startswith("Se '") and line.endswith(" --help' för hjälp.") for line in rest)
    where = next((i for i, a in enumerate(args) if a.startswith("--")), len(args))
    english = CliRunner().invoke(main, [*args[:where], "--lang", "en", *args[where:]])
    assert english.exit_code == 2 and "Error: " in english.stderr and "fel:" not in english.stderr


@pytest.mark.parametrize(("args", "lang"), [
    (["--lang", "en"], "en"), (["--lang=en"], "en"), (["--lang", "en", "--lang", "sv"], "sv"),
    (["--lang=sv", "--lang", "en"], "en"), (["--", "--lang", "en"], "sv"), (["--lang"], "sv"),
    (["--lang", "fr"], "sv"), (["x", "--lang"], "sv"), ([], "sv"),
])
def test_the_language_of_a_line_click_could_not_parse(args, lang):
    from compliance.cli import _lang_in

    assert _lang_in(args) == lang
