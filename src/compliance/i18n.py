"""Text in Swedish and English: one bilingual value (:class:`Text`, :func:`say`) and one
catalog of the words reports and the web page use (:func:`words`).

Every user-facing line is written in both languages where it is made and resolved to
one at output (``text.get(lang)``), so nothing English is left under ``--lang sv``:
rule files and agreement packs give their texts as ``{sv: …, en: …}`` (parsed into
:class:`Text`), the code writes its own with ``say(sv, en)``, and renderers take their
headings and labels from ``words(lang)``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Text(BaseModel):
    """A text in Swedish and English; ``get(lang)`` picks one (Swedish unless ``en``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sv: str
    en: str

    def get(self, lang: str) -> str:
        return self.en if lang == "en" else self.sv




def say(sv: str, en: str) -> Text:
    """A text in both languages, for messages the code writes itself."""
    return Text(sv=sv, en=en)


class BilingualError(ValueError):
    """A ``ValueError`` whose reason is a :class:`Text` (pydantic keeps it, and the plan
    validator reports it in the reader's language); ``str()`` is the English."""

    def __init__(self, text: Text) -> None:
        super().__init__(text.en)
        self.text = text


# The words reports use (render/), and the web page's own words (web/): one catalog,
# so a word is translated once and a test can look for any of them in the wrong language.
WORDS: dict[str, dict[str, str]] = {
    "sv": {
        "title": "Granskning av planer mot God och nära vård", "as_of": "bedömt per", "note": "obs",
        "failed": "fel", "not-evaluated": "ej bedömd", "waived": "dispens",
        "error": "fel", "warning": "varning", "info": "info",
        "clean": "Inga fynd.", "clean_text": "inga fynd", "summary": "Sammanfattning", "plans": "planer",
        "errors_n": "fel", "warnings_n": "varningar", "infos_n": "info", "ne_n": "ej bedömda",
        "input_errors": "indatafel", "input_error": "indatafel",
        "rule": "regel", "where": "plats", "message": "meddelande",
        "source": "källa", "area": "område", "planned": "planerat", "allocation": "tilldelning",
        "overview": "Översikt planer × regler", "plan": "plan", "values": "värden",
        "no_area": "hela planen", "baseline": "baslinje", "waivers": "dispenser",
        "model": "beräkningsmodellen", "published table": "publicerad tabell", "unknown": "okänd",
        "regions": "regioner", "municipalities per county": "kommuner per län", "total": "summa",
        "area / activity": "område / aktivitet", "before": "före", "after": "efter", "change": "förändring",
        "forbidden": "otillåten",
    },
    "en": {
        "title": "Plans checked against God och nära vård", "as_of": "as of", "note": "note",
        "failed": "failed", "not-evaluated": "not evaluated", "waived": "waived",
        "error": "error", "warning": "warning", "info": "info",
        "clean": "No findings.", "clean_text": "no findings", "summary": "Summary", "plans": "plans",
        "errors_n": "errors", "warnings_n": "warnings", "infos_n": "info", "ne_n": "not evaluated",
        "input_errors": "input errors", "input_error": "input error",
        "rule": "rule", "where": "where", "message": "message",
        "source": "source", "area": "area", "planned": "planned", "allocation": "allocation",
        "overview": "Overview plans × rules", "plan": "plan", "values": "values",
        "no_area": "the whole plan", "baseline": "baseline", "waivers": "waivers",
        "model": "model", "published table": "published table", "unknown": "unknown",
        "regions": "regions", "municipalities per county": "municipalities per county", "total": "total",
        "area / activity": "area / activity", "before": "before", "after": "after", "change": "change",
        "forbidden": "forbidden",
    },
}

UI: dict[str, dict[str, str]] = {
    "sv": {
        "app": "Granska planer mot God och nära vård", "skip": "Till innehållet",
        "nav_check": "Granska", "nav_rules": "Regler", "nav_template": "Planmall", "other_lang": "English",
        "intro": "Välj en eller flera planfiler (YAML eller Excel) och datumet planerna ska bedömas per. "
                 "Filerna granskas och glöms: inget sparas på servern.",
        "files": "Planfiler",
        "files_hint": "YAML (.yaml, .yml) eller arbetsbok (.xlsx); flera filer går bra, även en plan och den "
                      "den reviderar.",
        "as_of": "Bedöm per datum", "result_as": "Resultat som",
        "page": "webbsida", "check": "Granska",
        "download": "Ladda ner rapporten", "again": "Granska andra filer",
        "template": "Ladda ner en planmall", "template_intro":
            "En ny plan med regionens tilldelning per område ifylld från överenskommelsen.",
        "agreement": "Överenskommelse", "region": "Region", "get_template": "Ladda ner mall",
        "template_format": "Format",
        "rules": "Regelkatalogen", "rules_intro": "Varje regel med källa i överenskommelsen, vilka år den gäller "
                 "och exempel som bryter mot och följer den.",
        "severity": "allvar", "title": "rubrik", "sources": "källor", "years": "gäller",
        "message": "Meddelande", "condition": "Villkor", "examples": "Exempel", "fails": "bryter mot regeln",
        "passes": "följer regeln", "expects": "förväntat fynd", "not_applied": "Gäller inte",
        "error_title": "Det gick inte att granska", "back": "Tillbaka",
        "not_found": "Sidan finns inte.", "limits": "Gränser: högst {files} filer, {file_mb} MiB per fil, "
                     "{total_mb} MiB tillsammans.",
    },
    "en": {
        "app": "Check plans against God och nära vård", "skip": "Skip to content",
        "nav_check": "Check", "nav_rules": "Rules", "nav_template": "Plan template", "other_lang": "Svenska",
        "intro": "Choose one or more plan files (YAML or Excel) and the date to judge them as of. "
                 "The files are checked and forgotten: nothing is kept on the server.",
        "files": "Plan files", "files_hint": "YAML (.yaml, .yml) or workbooks (.xlsx); several files are fine, "
                 "also a plan and the one it revises.",
        "as_of": "Judge as of", "result_as": "Result as",
        "page": "web page", "check": "Check",
        "download": "Download the report", "again": "Check other files",
        "template": "Download a plan template", "template_intro":
            "A new plan with the region's allocation per area filled in from the agreement.",
        "agreement": "Agreement", "region": "Region", "get_template": "Download template",
        "template_format": "Format",
        "rules": "The rule catalog", "rules_intro": "Every rule with its source in the agreement, the years it "
                 "applies to and examples that break and keep it.",
        "severity": "severity", "title": "title", "sources": "sources", "years": "applies to",
        "message": "Message", "condition": "Condition", "examples": "Examples", "fails": "breaks the rule",
        "passes": "keeps the rule", "expects": "expected finding", "not_applied": "Not applied to",
        "error_title": "The plans could not be checked", "back": "Back",
        "not_found": "No such page.", "limits": "Limits: at most {files} files, {file_mb} MiB a file, "
                     "{total_mb} MiB together.",
    },
}


def words(lang: str) -> dict[str, str]:
    """The report words in ``lang`` (Swedish unless ``en``)."""
    return WORDS["en" if lang == "en" else "sv"]


def other(lang: str) -> str:
    """The language a page's switch offers: the one not shown."""
    return "sv" if lang == "en" else "en"
