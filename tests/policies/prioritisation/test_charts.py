import datetime as dt
import json

import pandas as pd

from policies.prioritisation import charts


def _spec(chart) -> str:
    spec = chart.to_dict()
    return json.dumps(spec, ensure_ascii=False)


def test_matrix_serialises_with_named_pick_selection_and_french_tooltips():
    df = pd.DataFrame(
        {
            "reference": ["UC-1", "UC-2"],
            "title": ["Tri des courriels", "Détection de fuites"],
            "value": [80.0, 40.0],
            "feasibility": [60.0, 70.0],
            "priority": [65.0, 30.0],
            "cost": [120_000.0, 45_000.0],
            "impact_level": ["II", None],
        }
    )
    text = _spec(charts.value_feasibility_matrix(df))
    assert '"name": "pick"' in text
    assert "Faisabilité" in text and "Niveau d'impact" in text and "Non évalué" in text
    assert "120\u202f000 €" in text


def test_breakdown_roadmap_budget_benefits_serialise():
    uc = pd.DataFrame(
        {
            "reference": ["UC-1", "UC-2", "UC-3"],
            "title": ["A", "B", "C"],
            "family": ["operations", "resident_relations", None],
            "direction": ["DSI", "DSI", None],
            "cost": [10.0, 20.0, 5.0],
            "stage": ["pilot", "pilot", "deployed"],
            "start": ["2025-01-01", "2025-06-01", "2024-01-01"],
            "end": ["2025-12-31", "2027-01-01", "2026-12-31"],
        }
    )
    assert "Services opérationnels" in _spec(charts.breakdown_by_family(uc))
    assert "Coût" in _spec(charts.breakdown_by_family(uc, measure="cost", measure_title="Coût"))
    road = _spec(charts.roadmap(uc, today=dt.date(2026, 3, 1)))
    assert charts.OVERDUE_FR in road
    data = charts.roadmap(uc, today=dt.date(2026, 3, 1)).data
    assert list(data["status"]) == [charts.OVERDUE_FR, "Expérimentation", "Déployé"]
    budget = pd.DataFrame({"year": [2025, 2026], "voted": [1e5, 2e5], "committed": [8e4, 5e4], "spent": [7e4, 0]})
    assert "Engagé" in _spec(charts.budget_by_year(budget))
    ben = pd.DataFrame(
        {"reference": ["UC-1", "UC-2"], "indicator": ["Délai de réponse", "Fuites détectées"],
         "expected": [10.0, 50.0], "measured": [12.0, None], "unit": ["jours", ""]}
    )
    text = _spec(charts.benefits(ben))
    assert "Non mesuré" in text and "120 %" in text
