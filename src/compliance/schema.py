"""The JSON Schema of the plan format, from the pydantic models, for editors.

Descriptions are in Swedish and English; the fixed codes (provider, contract,
strategy, kind, verdict, contents) are enums; unknown fields are refused
(``additionalProperties: false``), so an editor flags a typo as you type.
"""

from __future__ import annotations

from typing import Any

from .models import Plan

DESCRIPTIONS: dict[tuple[str, str], str] = {
    ("PlanHeader", "id"): "Planens id, unikt i förrådet / the plan's id, unique within a repository",
    ("PlanHeader", "region"): "Regionen som i överenskommelsen / the region, as the agreement pack names it",
    ("PlanHeader", "agreement"): "Överenskommelsens paket, t.ex. gnv-2022 / the agreement pack, e.g. gnv-2022",
    ("PlanHeader", "responsible"): "Sammanhållet ansvar för planen / overall responsible for the plan (GNV-208)",
    ("PlanHeader", "decision"): "Beslutet som antog versionen / who adopted this version (GNV-303)",
    ("PlanHeader", "supersedes"): "Versionen som revideras, relativ sökväg / the version this one revises, a relative path",
    ("PlanHeader", "stated_total"): "Angiven summa av områdenas tilldelning / stated sum of the areas' allocations (GNV-106)",
    ("Area", "area"): "Utvecklingsområdets kod / the development area's code (GNV-108)",
    ("Area", "allocation"): "Områdets tilldelning enligt planen / what the plan says the region receives (GNV-103)",
    ("Area", "responsible"): "Sammanhållet ansvar för området / overall responsible for the area (GNV-208)",
    ("Area", "private_providers"): "Hur privata utförare görs delaktiga / how private providers take part (GNV-206)",
    ("Area", "stated_total"): "Angiven summa av aktiviteterna / stated sum of the activities (GNV-106)",
    ("Activity", "id"): "Aktivitetens id, unikt i planen / the activity's id, unique within the plan",
    ("Activity", "amount"): "Belopp i hela kronor / amount in whole kronor",
    ("Activity", "responsible"): "Ansvarig funktion / responsible function (GNV-201)",
    ("Activity", "purpose"): "Syfteskod som området tillåter / a purpose code the area allows (GNV-202)",
    ("Activity", "provider"): "Utförare / provider (GNV-205)",
    ("Activity", "new"): "Ny aktivitet eller nytt utvecklingsprojekt / a new activity or project (GNV-203)",
    ("Activity", "exit_plan"): "Budgetkalkyl för när bidraget upphör / budget for when the grant ends (GNV-203)",
    ("Activity", "followup_id"): "Registrering i uppföljningssystemet / registration in the follow-up system (GNV-207)",
    ("Activity", "period"): "Aktivitetens period; utan period hela avtalsåret / the period; absent: the whole year (GNV-210)",
    ("Activity", "investment"): "Investering som belastar bidraget / an asset the activity buys (GNV-204)",
    ("Activity", "private_provider"): "Privat utförare som får medel / the private provider receiving funds (GNV-205)",
    ("Activity", "additional_resources"): "Utöver befintliga resurser / on top of existing resources (GNV-209)",
    ("Activity", "unassigned"): "Ofördelad post / an unassigned placeholder (GNV-107)",
    ("Activity", "requirement"): "Krav i överenskommelsen som aktiviteten uppfyller / a required activity it fulfils (GNV-211)",
    ("Report", "kind"): "Handlingens slag / the kind of document (4xx)",
    ("Report", "submitted"): "Inlämnad datum / date submitted",
    ("Report", "signed_by"): "Undertecknad av behörig företrädare / signed by an authorised representative (GNV-407)",
    ("Report", "references"): "Diarienummer för överenskommelse och utbetalningsbeslut / reference numbers (GNV-408)",
    ("Report", "gender_equality"): "Jämställdhetsperspektivet belyst, eller skäl / gender equality addressed, or why not (GNV-409)",
    ("Report", "contents"): "Delredovisningens innehåll / the partial report's contents (GNV-410)",
    ("Financials", "received"): "Erhållet bidrag / grant received",
    ("Financials", "total_costs"): "Summa kostnader / total costs (GNV-413)",
    ("Financials", "unspent"): "Medel som inte förbrukats / unspent funds (GNV-413)",
    ("Financials", "repaid"): "Återbetalt till Kammarkollegiet / repaid to Kammarkollegiet (GNV-405)",
    ("Financials", "certification"): "Ekonomichefens intygande / the finance director's certification (GNV-406)",
    ("Indicators", "named_gp_share"): "Andel med namngiven fast läkarkontakt, 0–1 / share with a named regular GP (GNV-501)",
    ("Indicators", "nursing_home_gp_share"): "Andel på särskilt boende med fast läkarkontakt / nursing-home share (GNV-502)",
    ("Indicators", "continuity_index_change"): "Förändring av kontinuitetsindex till läkare / change of the continuity index to doctors (GNV-503)",
    ("Indicators", "continuity_index_total_change"): "Förändring av kontinuitetsindex för patientens totala kontakter / change of the continuity index of the patient's total contacts (GNV-503)",
}


def plan_schema() -> dict[str, Any]:
    schema = Plan.model_json_schema()
    defs = schema.get("$defs", {})
    for (model, field), text in DESCRIPTIONS.items():
        target = schema if model == "Plan" else defs.get(model)
        if target is None or field not in target.get("properties", {}):
            raise KeyError(f"schema description for unknown field {model}.{field}")
        target["properties"][field]["description"] = text
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = "plan.schema.json"
    schema["title"] = "compliance plan (God och nära vård)"
    schema["description"] = (
        "En regions fördelning av ett avtalsårs medel / a region's distribution of one agreement year's funds"
    )
    return schema
