from pathlib import Path

import pytest
import yaml

from policies.prioritisation.scoring import (
    CRITERIA,
    NOT_FILLED_FR,
    RANK_COLUMNS_FR,
    UseCaseCriteria,
    WeightsError,
    load_weights,
    rank,
    score,
)
from policies.vocabulary import AiActClass, ImpactLevel

RULES = Path(__file__).resolve().parents[3] / "policies" / "rules" / "scoring.yaml"


@pytest.fixture(scope="module")
def weights():
    return load_weights()


def _data():
    return yaml.safe_load(RULES.read_text(encoding="utf-8"))


FULL = {c.code: 4 for c in CRITERIA}


def test_packaged_weights_load_and_carry_a_version(weights):
    assert weights.version == _data()["version"]
    assert load_weights(RULES) == weights


def test_breakdown_sums_to_priority_and_explains_each_line(weights):
    crit = UseCaseCriteria(reference="UC-1", **{**FULL, "vendor_dependency": 5, "reuse": None},
                           risk_class="high", impact_level="III")
    s = score(crit, weights)
    assert sum(ln.contribution for ln in s.lines) == pytest.approx(s.priority)
    share_v = weights.groups.value / (weights.groups.value + weights.groups.feasibility)
    assert s.priority == pytest.approx(share_v * s.value + (1 - share_v) * s.feasibility - s.risk_penalty)
    assert s.risk_penalty == weights.risk.risk_class.high + weights.risk.impact_level.III
    vendor = next(ln for ln in s.lines if ln.code == "vendor_dependency")
    assert vendor.raw == 5 and vendor.normalised == 0  # high dependency = low feasibility
    reuse = next(ln for ln in s.lines if ln.code == "reuse")
    assert reuse.raw_label == NOT_FILLED_FR and reuse.normalised == 50  # neutral by default
    assert s.missing == ("reuse",) and s.completeness == pytest.approx(7 / 8)
    frame = s.to_frame()
    assert list(frame.columns) == ["Groupe", "Critère", "Note", "Pondération", "Poids effectif", "Contribution"]
    assert NOT_FILLED_FR in set(frame["Note"])


def test_scale_ends(weights):
    best = score(UseCaseCriteria(reference="B", **{**{c.code: 5 for c in CRITERIA}, "vendor_dependency": 1},
                                 risk_class="minimal", impact_level="I"), weights)
    assert (best.value, best.feasibility, best.risk_penalty, best.priority) == (100, 100, 0, 100)
    worst = score(UseCaseCriteria(reference="W", **{**{c.code: 1 for c in CRITERIA}, "vendor_dependency": 5},
                                  risk_class="minimal", impact_level=1), weights)
    assert worst.priority == 0


def test_missing_exclude_policy_renormalises_within_group():
    data = _data() | {"missing": "exclude"}
    w = load_weights(data)
    only = UseCaseCriteria(reference="X", service_to_residents=5, data_readiness=1, risk_class="minimal",
                           impact_level="I")
    s = score(only, w)
    assert s.value == 100 and s.feasibility == 0
    assert sum(ln.contribution for ln in s.lines) == pytest.approx(s.priority)
    assert next(ln for ln in s.lines if ln.code == "reuse").effective_weight == 0
    # nothing filled in a group: neutral fallback
    empty = score(UseCaseCriteria(reference="E", risk_class="minimal", impact_level="I"), w)
    assert empty.value == 50 and empty.feasibility == 50


def test_prohibited_is_not_plannable_and_ranks_last(weights):
    items = [
        UseCaseCriteria(reference="P", **{c.code: 5 for c in CRITERIA}, risk_class=AiActClass.PROHIBITED),
        UseCaseCriteria(reference="A", **FULL, risk_class="minimal", impact_level=ImpactLevel.I),
    ]
    df = rank(items, weights)
    assert list(df["reference"]) == ["A", "P"]
    assert df["rank"].tolist()[0] == 1 and df["rank"].isna().tolist() == [False, True]
    assert set(df.columns) == set(RANK_COLUMNS_FR)
    assert "Priorité" in df.rename(columns=RANK_COLUMNS_FR).columns


def test_weight_change_changes_ranking(weights):
    residents = UseCaseCriteria(reference="R", **{**FULL, "service_to_residents": 5, "efficiency_gain": 1},
                                risk_class="minimal", impact_level="I")
    efficiency = UseCaseCriteria(reference="E", **{**FULL, "service_to_residents": 1, "efficiency_gain": 5},
                                 risk_class="minimal", impact_level="I")
    assert rank([efficiency, residents], weights)["reference"].tolist() == ["R", "E"]
    data = _data()
    data["version"] = "test-efficience"
    data["value"]["efficiency_gain"] = 0.6
    data["value"]["service_to_residents"] = 0.1
    flipped = load_weights(data)
    df = rank([efficiency, residents], flipped)
    assert df["reference"].tolist() == ["E", "R"]
    assert set(df["weights_version"]) == {"test-efficience"}


def test_ties_rank_by_reference(weights):
    items = [UseCaseCriteria(reference=r, **FULL) for r in ("C", "A", "B")]
    assert rank(items, weights)["reference"].tolist() == ["A", "B", "C"]
    assert rank([], weights).empty


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda d: d["value"].update(reuse=-0.1), "value.reuse : doit être positif ou nul (reçu : -0.1)"),
        (lambda d: d["feasibility"].update({k: 0 for k in d["feasibility"]}),
         "les pondérations du groupe « feasibility » sont toutes nulles"),
        (lambda d: d["groups"].update(value="beaucoup"), "groups.value : doit être un nombre"),
        (lambda d: d["value"].update(charme=1), "value.charme : champ inconnu"),
        (lambda d: d.pop("version"), "version : champ obligatoire manquant"),
        (lambda d: d.update(missing="ignore"), "missing : valeur non reconnue (attendu : 'neutral' ou 'exclude')"),
        (lambda d: d["risk"]["risk_class"].pop("high"), "risk.risk_class.high : champ obligatoire manquant"),
        (lambda d: d["risk"].update(excluded_classes=["forbidden"]), "risk.excluded_classes.0 : valeur non reconnue"),
    ],
)
def test_yaml_validation_errors_are_french(mutate, expected):
    data = _data()
    mutate(data)
    with pytest.raises(WeightsError) as err:
        load_weights(yaml.safe_dump(data, allow_unicode=True))
    assert expected in str(err.value)
    assert str(err.value).startswith("Pondérations de priorisation invalides")


def test_unreadable_yaml_is_reported_in_french():
    with pytest.raises(WeightsError, match="YAML illisible"):
        load_weights("version: [")
    with pytest.raises(WeightsError, match="table de valeurs"):
        load_weights("- a\n- b\n")


def test_criteria_validation_is_french():
    with pytest.raises(ValueError, match="« Réutilisation par d'autres collectivités » se note de 1 à 5"):
        UseCaseCriteria(reference="X", reuse=6)
    with pytest.raises(ValueError, match="doit être positif ou nul"):
        UseCaseCriteria(reference="X", build_cost=-1)
    assert UseCaseCriteria(reference="X", impact_level=4, risk_class=None).impact_level is ImpactLevel.IV
