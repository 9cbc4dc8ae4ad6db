"""The obligations list (rules/obligations/): every quote is its seed's text, every rule
checks some obligation, every rule an obligation names exists, and the sections the
issue names are listed sentence by sentence. Seed tests skip where ../shared is absent."""

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from compliance.cli import main
from compliance.coverage import coverage, load_obligations, render
from compliance.errors import InputError
from compliance.packs import RULES_DIR, load_rulebook
from tests.conftest import SEEDS
from tests.test_sources import DOCS, _fold

BOOK = load_rulebook(RULES_DIR)
SOURCES = load_obligations(RULES_DIR)
OBLIGATIONS = [(s.document, ob) for s in SOURCES for ob in s.obligations]

# Rules being added on branch issue-14a (GNV-212, GNV-414, GNV-415), mapped here already.
# DELETE THIS LIST when issue-14a is merged: test_pending_rules_are_still_pending then
# fails until it is, so the check below is strict once the rules exist.
PENDING: set[str] = set()


def seed_text(document):
    path = SEEDS / DOCS[document]
    if not path.exists():
        pytest.skip(f"the seed documents are not beside this checkout ({path} is absent)")
    return _fold(path.read_text("utf-8"))


def _parts(quote):
    return [_fold(p) for p in re.split(r"\s*(?:\.\.\.|…)\s*", quote)]


@pytest.mark.parametrize(("document", "ob"), OBLIGATIONS, ids=[ob.id for _, ob in OBLIGATIONS])
def test_quote_is_in_the_seed(document, ob):
    text = seed_text(document)
    for part in _parts(ob.quote):
        assert part in text, f"{ob.id}: {part!r} is not in seed {document}"


def test_every_rule_checks_some_obligation():
    mapped = {r for _, ob in OBLIGATIONS for r in ob.rules}
    orphans = sorted(set(BOOK.by_id) - mapped)
    assert not orphans, f"rules that map to no obligation in rules/obligations/: {orphans}"


def test_every_named_rule_exists():
    named = {r for _, ob in OBLIGATIONS for r in ob.rules}
    unknown = sorted(named - set(BOOK.by_id) - PENDING)
    assert not unknown, f"obligations name rules that do not exist: {unknown}"


def test_pending_rules_are_still_pending():
    landed = sorted(PENDING & set(BOOK.by_id))
    assert not landed, f"{landed} exist now: delete them from PENDING in tests/test_coverage.py"


def test_unchecked_obligations_say_why():
    for _, ob in OBLIGATIONS:
        assert ob.rules or ob.reason, ob.id
        assert ob.says.sv and ob.says.en, ob.id


# The sections whose every "ska" sentence must be an obligation (or hold one's quote):
# 003's sections that state what regions shall do, §7 and §10.1; 001 §1.3, §2.1.5 and §3.
# (003 §10.2 is SKR's own reporting, listed once: test_skr_reporting_is_listed.)
SECTIONS = {
    "003": [
        ("### 3.1.2 Särskilda", "#### **3.1.3"),
        ("### 3.2.1", "### 3.3 Insatser"),
        ("Mål för området:", "\\* *Kontinuitetsindex"),
        ("### 3.3.1", "### **3.3.2"),
        ("#### **Insatser som regionerna ska genomföra**", "#### **Insatser som SKR ska genomföra**"),
        ("#### **4.3.1", "#### **4.4 "),
        ("#### **4.4.1", "#### **4.5 "),
        ("#### 4.5.1", "#### 4.6 "),
        ("#### 4.6.1", "#### 4.7 "),
        ("#### **4.7.1", "### **4.8 "),
        ("#### **4.8.1", "#### **4.9"),
        ("För att få ta del av medlen inom ramen för detta utvecklingsområde under 2022", "### **Insatser som SKR"),
        ("#### 6.1.1", "#### 6.1.2"),
        ("## 7. Redovisning", "## 8. Medel"),
        ("### 10.1 Ekonomiska", "## **10.2"),
    ],
    "001": [
        ("1.3 Överenskommelsens utvecklingsområden", "2 REGION JÄMTLAND"),
        ("2.1.5 Villkor att beakta", "Sammanhållet ansvar för hela"),
        ("3 ÅTERRAPPORTERING", "verktyget Stratsys"),
    ],
}


def _sentences(raw):
    """Sentences and list items, folded like quotes (split before folding, which lowercases)."""
    text = re.sub(r"(?m)^#.*$", "", raw)  # headings ("Insatser som regionerna ska genomföra") are not sentences
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>|\*\*|\\\*", "", text))
    return [_fold(s) for s in re.split(r"(?<=[.:])\s+(?=[A-ZÅÄÖ•-])|\s[-•]\s", text)]


@pytest.mark.parametrize("document", sorted(SECTIONS))
def test_every_ska_sentence_of_the_named_sections_is_listed(document):
    path = SEEDS / DOCS[document]
    if not path.exists():
        pytest.skip(f"the seed documents are not beside this checkout ({path} is absent)")
    raw = path.read_text("utf-8")
    quotes = [p for doc, ob in OBLIGATIONS if doc == document for p in _parts(ob.quote)]
    missing = []
    for start, end in SECTIONS[document]:
        i = raw.index(start)
        for sentence in _sentences(raw[i:raw.index(end, i)]):
            if re.search(r"\bska\b", sentence) and not any(q in sentence or sentence in q for q in quotes):
                missing.append(sentence)
    assert not missing, f"'ska' sentences of seed {document} that no obligation quotes: {missing}"


# 000 and 002 are short: every "ska" sentence of the whole text is listed, but these,
# which bind no region (the start of the folded sentence, and why).
NOT_OBLIGATIONS = {
    "000": {"innebörden av begreppen nära och tillgänglig": "background: how 'nära' is to be understood",
            "--------------- yrkanden": "a motion the board rejected (Proposition)"},
    "002": {"den ekonomiska redovisningen skickas till kammarkollegiet": "the address, then a past event "
            "(the 2021 action plans were sent); their follow-up is listed as 002-handlingsplaner"},
}


@pytest.mark.parametrize("document", sorted(NOT_OBLIGATIONS))
def test_every_ska_sentence_of_the_2023_sources_is_listed(document):
    path = SEEDS / DOCS[document]
    if not path.exists():
        pytest.skip(f"the seed documents are not beside this checkout ({path} is absent)")
    quotes = [p for doc, ob in OBLIGATIONS if doc == document for p in _parts(ob.quote)]
    missing = [s for s in _sentences(path.read_text("utf-8"))
               if re.search(r"\bska\b", s) and not any(q in s or s in q for q in quotes)
               and not any(s.startswith(start) for start in NOT_OBLIGATIONS[document])]
    assert not missing, f"'ska' sentences of seed {document} that no obligation quotes: {missing}"


def test_skr_reporting_is_listed():
    (ob,) = [ob for doc, ob in OBLIGATIONS if doc == "003" and ob.section == "§10.2"]
    assert ob.reason == "skr" and not ob.rules


def test_001_2_1_5_every_bullet_is_listed():
    raw = (SEEDS / DOCS["001"])
    if not raw.exists():
        pytest.skip(f"the seed documents are not beside this checkout ({raw} is absent)")
    text = raw.read_text("utf-8")
    section = text[text.index("2.1.5 Villkor att beakta"):text.index("3 ÅTERRAPPORTERING")]
    bullets = [_fold(b) for b in section.split("•")[1:]]
    assert len(bullets) == 6
    quotes = [p for doc, ob in OBLIGATIONS if doc == "001" for p in _parts(ob.quote)]
    for bullet in bullets:
        assert any(q in bullet for q in quotes), f"001 §2.1.5 bullet not listed: {bullet[:80]!r}"


def test_coverage_report_per_agreement():
    report = coverage(BOOK, SOURCES, "gnv-2022", "en")
    documents = [s["document"] for s in report["sources"]]
    assert "003" in documents and "002" not in documents
    # 001 is in the list only through its regional conditions (they bind the region every year)
    regional = next(s for s in report["sources"] if s["document"] == "001")
    assert regional["obligations"] and {o["scope"] for o in regional["obligations"]} == {"regional"}
    ob = next(o for s in report["sources"] for o in s["obligations"] if o["id"] == "003-10.1-rekvisition")
    assert ob["status"] == "checked" and [r["id"] for r in ob["rules"]] == ["GNV-401"]
    s = report["summary"]
    assert s["obligations"] == s["checked"] + s["partly"] + s["unchecked"]
    for key in s:  # the total is the sum of the sources'
        assert s[key] == sum(src["summary"][key] for src in report["sources"])
    assert regional["summary"]["obligations"] == len(regional["obligations"])


def test_a_rule_the_year_does_not_apply_is_said_so():
    report = coverage(BOOK, SOURCES, "gnv-2022", "sv")
    ob = next(o for s in report["sources"] for o in s["obligations"] if o["id"] == "003-7-jamstalldhet")
    (rule,) = ob["rules"]
    assert rule["id"] == "GNV-409" and rule["not_applied"] == {}
    excluded = next(iter(BOOK.agreement("gnv-2022").excluded_rules))
    from compliance.coverage import Obligation, SourceObligations

    source = SourceObligations(document="003", title=SOURCES[0].title, agreements=["gnv-2022"], obligations=[
        Obligation(id="003-x", section="§1", quote="ett citat i källan", says=SOURCES[0].title, rules=[excluded])])
    (entry,) = coverage(BOOK, [source], None, "sv")["sources"][0]["obligations"][0]["rules"]
    from compliance.engine import not_applied_reason

    assert entry["not_applied"] == {"gnv-2022": not_applied_reason(BOOK.agreement("gnv-2022"), excluded).sv}
    assert f"tillämpas inte i gnv-2022: {entry['not_applied']['gnv-2022']}" in render(
        coverage(BOOK, [source], None, "sv"), "text", "sv")


def test_cli_coverage_formats():
    runner = CliRunner()
    text = runner.invoke(main, ["rules", "coverage", "--agreement", "gnv-2020"])
    assert text.exit_code == 0, text.output
    assert "001" in text.output and "003 " not in text.output
    assert "Uppdrag och aktiviteter ska registreras i Stratsys Nationella satsningar" in text.output
    doc = json.loads(runner.invoke(main, ["rules", "coverage", "--format", "json", "--lang", "en"]).output)
    assert {s["document"] for s in doc["sources"]} == {s.document for s in SOURCES}
    md = runner.invoke(main, ["rules", "coverage", "--format", "markdown"]).output
    assert md.startswith("# Vad kontrollen täcker") and "| §2.1.5 |" in md
    bad = runner.invoke(main, ["rules", "coverage", "--agreement", "gnv-1999"])
    assert bad.exit_code == 2 and "gnv-1999" in bad.output


def test_obligations_are_not_rules(tmp_path):
    """The rule loader never reads rules/obligations/ (it would refuse them as rules)."""
    assert all("obligations" not in r.file for r in BOOK.rules)


def test_a_bad_obligations_file_is_an_input_error(tmp_path):
    import shutil

    root = tmp_path / "rules"
    shutil.copytree(RULES_DIR, root)
    path = root / "obligations" / "001.yaml"
    text = path.read_text("utf-8").replace("    rules: [GNV-207]\n", "", 1)
    path.write_text(text, "utf-8")
    with pytest.raises(InputError) as err:
        load_obligations(root)
    (issue,) = err.value.issues
    assert issue.file.endswith("obligations/001.yaml") and issue.line and "reason" in issue.message
    result = CliRunner().invoke(main, ["rules", "coverage", "--rules", str(root)])
    assert result.exit_code == 2 and "001.yaml:" in result.output and "Traceback" not in result.output


def test_coverage_page_is_generated(tmp_path):
    out = tmp_path / "docs" / "rules"
    result = CliRunner().invoke(main, ["rules", "docs", "--output", str(out)])
    assert result.exit_code == 0, result.output
    page = (tmp_path / "docs" / "coverage.md").read_text("utf-8")
    assert "# Vad kontrollen täcker" in page and "# What the checker covers" in page
    assert "Privata utförare ska vid förfrågan kunna redovisa" in page


def test_shipped_folder_has_an_obligations_file_per_source():
    assert {s.document for s in SOURCES} == {"000", "001", "002", "003"}
    assert Path(RULES_DIR, "obligations").is_dir()


def test_regional_rules_are_said_to_be_regional():
    """An agreement obligation mapped to a region's own rule says so; a regional one mapped
    to a rule its regional pack applies says nothing more."""
    from compliance.coverage import Obligation, SourceObligations

    says = SOURCES[0].title
    agreement = SourceObligations(document="003", title=says, agreements=["gnv-2022"], obligations=[
        Obligation(id="003-x", section="§1", quote="ett citat i källan", says=says, rules=["GNV-207"])])
    (entry,) = coverage(BOOK, [agreement], None, "en")["sources"][0]["obligations"][0]["rules"]
    assert entry["not_applied"] == {"gnv-2022": "only as a region's own condition (Region Jämtland Härjedalen)"}
    regional = SourceObligations(document="001", title=says, agreements=["gnv-2020"],
                                 region="Region Jämtland Härjedalen", obligations=[
        Obligation(id="001-x", section="§1", quote="ett citat i källan", says=says, scope="regional",
                   rules=["GNV-207", "GNV-102"])])
    entries = coverage(BOOK, [regional], None, "en")["sources"][0]["obligations"][0]["rules"]
    assert [e["not_applied"] for e in entries] == [{}, {}]
    elsewhere = regional.model_copy(update={"region": "Region Gotland"})
    (first, second) = coverage(BOOK, [elsewhere], None, "en")["sources"][0]["obligations"][0]["rules"]
    assert first["not_applied"] == {"Region Gotland": "the regional pack does not apply it"}
    assert second["not_applied"] == {}  # GNV-102 is every region's, through the agreement
