"""The board report's sections on people: residents' measures beside the administration's KPIs, the
needs still unanswered, and the elected officials' part (decisions awaiting them, what each deployed use
case costs and brings). Plain tables in the report's block format, French numbers."""

from __future__ import annotations

from typing import Any

from policies.prioritisation._format import fr_eur, fr_number
from policies.vocabulary import NeedStatus
from portal.services.elected import ElectedService, ElectedView
from portal.services.needs import NeedsService
from portal.services.residents import ResidentMeasureView


def _table(caption: str, header: list[str], rows: list[list[str]], note: str | None = None) -> dict[str, Any]:
    return {"kind": "table", "caption": caption, "header": header, "rows": rows, "note": note}


def measure_row(m: ResidentMeasureView) -> list[str]:
    unit = f" {m.unit}" if m.unit else ""
    trend = {True: "mieux", False: "moins bien", None: "inchangé"}[m.improved]
    return [m.reference or "", m.indicator, m.kind.label, m.period, f"{fr_number(m.baseline, 1)}{unit}",
            f"{fr_number(m.value, 1)}{unit}", trend]


MEASURE_HEADER = ["Référence", "Indicateur", "Nature", "Période", "Avant", "Dernière mesure", "Évolution"]


def report_sections(elected: ElectedService, needs: NeedsService) -> tuple[list[str], list[dict[str, Any]]]:
    """Summary lines and blocks the board report adds after the administration's benefits."""
    view: ElectedView = elected.view()
    counts = needs.counts()
    blocks = [_table("Ce que les usagers constatent (dernière mesure de chaque indicateur)", MEASURE_HEADER,
                     [measure_row(m) for m in view.residents],
                     "Délais, enquêtes de satisfaction et réclamations, comparés à leur valeur avant le cas d'usage, "
                     "à lire à côté des bénéfices mesurés par l'administration."
                     if view.residents else "Aucune mesure côté usagers pour les cas déployés.")]
    blocks.append(_table("Pour les élus — décisions attendues de l'exécutif ou du conseil",
                         ["Référence", "Intitulé", "Passage demandé", "Autorité", "Demandé le"],
                         [[a.reference, a.title, f"{a.from_stage.label} → {a.to_stage.label}", a.authority.label,
                           f"{a.requested_at:%d/%m/%Y}"] for a in view.awaiting],
                         None if view.awaiting else "Aucune décision n'attend l'exécutif ni une délibération."))
    blocks.append(_table("Pour les élus — ce que coûtent et rapportent les cas déployés",
                         ["Référence", "Intitulé", "Coût de réalisation", "Fonctionnement / an", "Dépensé",
                          "Besoins servis", "Bénéfice mesuré"],
                         [[d.reference, d.title, fr_eur(d.build_cost), fr_eur(d.run_cost_per_year), fr_eur(d.spent),
                           str(d.needs_served),
                           " ; ".join(f"{b.indicator} : {fr_number(b.baseline, 1)} → {fr_number(b.measured, 1)} "
                                      f"{b.unit}".strip() for b in d.benefits) or "—"] for d in view.deployed]))
    summary = [f"{counts[NeedStatus.OPEN]} besoin(s) des services en attente de réponse, "
               f"{counts[NeedStatus.ANSWERED]} pris en charge par un cas d'usage.",
               f"{len(view.awaiting)} décision(s) attendue(s) de l'exécutif ou du conseil."]
    return summary, blocks
