"""The web page's own words, in Swedish (the default) and English."""

from __future__ import annotations

UI = {
    "sv": {
        "app": "Granska planer mot God och nära vård",
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
        "app": "Check plans against God och nära vård",
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
