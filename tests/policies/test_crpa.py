"""CRPA golden cases: which duties apply, the generated mention, the explanation template."""

from __future__ import annotations

import pytest

from policies.crpa import CrpaFacts, assess, explanation_gaps, explanation_template, mention_text

SHEET = {
    "title": "Priorisation des demandes d'aide sociale facultative",
    "purpose": "classer les demandes reçues par ordre d'urgence pour l'instruction",
    "administration": "CCAS de Villeneuve",
    "service": "Pôle action sociale",
    "contact": "transparence@villeneuve.fr",
    "data_sources": [
        {
            "name": "Formulaire de demande",
            "origin": "déclaration du demandeur",
            "description": "Ressources du foyer",
        },
        "Fichier des bénéficiaires",
    ],
    "rules_url": "https://villeneuve.fr/algorithmes",
    "automation": "recommendation",
    "contribution": "Le score propose un ordre d'instruction ; l'agent décide.",
    "parameters": [{"name": "Reste à vivre", "weight": 0.6}, {"name": "Enfants à charge", "weight": 0.4}],
    "operations": ["Calcul du reste à vivre", "Pondération des critères", "Tri des dossiers"],
}


def test_individual_decisions_need_mention_and_explanation_whatever_the_size():
    result = assess(CrpaFacts(individual_decision=True, org_fte=12, org_population=800))
    assert result.mention_required and result.explanation_on_request
    assert not result.publication_required  # under 50 FTE
    assert {"CRPA-01", "CRPA-02", "CRPA-03", "CRPA-04"} <= {r.rule_id for r in result.reasons}


@pytest.mark.parametrize(
    ("fte", "population", "published"),
    [
        (49, 100_000, False),
        (50, 100_000, True),
        (400, 2_000, True),  # no population exemption in L312-1-3 (CRPA-05-NOTE)
        (None, None, True),  # unknown size: the conservative answer
    ],
)
def test_publication_threshold_is_50_fte(fte, population, published):
    result = assess(CrpaFacts(individual_decision=True, org_fte=fte, org_population=population))
    assert result.publication_required is published
    if published:
        assert any("3 500" in n for n in result.notes_fr)


def test_open_data_publication_spares_small_collectivities():
    assert not assess(
        CrpaFacts(individual_decision=True, org_fte=60, org_population=3_000)
    ).open_data_publication
    assert assess(CrpaFacts(individual_decision=True, org_fte=60, org_population=3_500)).open_data_publication


def test_no_individual_decision_no_crpa_duty():
    result = assess(CrpaFacts(individual_decision=False, org_fte=500))
    assert not (result.mention_required or result.publication_required)


def test_a_justified_secret_l311_5_lifts_the_mention_and_the_publication_and_says_so():
    result = assess(CrpaFacts(individual_decision=True, secret_l311_5=True, org_fte=100,
                              secret_justification="Le barème révélerait les critères de ciblage des contrôles."))
    assert not result.mention_required and not result.publication_required
    assert result.secret_applies and result.individual_decisions
    assert any("L311-5" in n for n in result.notes_fr)
    assert any(r.rule_id == "CRPA-08" and "critères de ciblage" in r.text_fr for r in result.reasons)


def test_mention_is_generated_from_the_sheet():
    text = mention_text(SHEET)
    for value in (
        "Priorisation des demandes d'aide sociale facultative",
        "CCAS de Villeneuve",
        "Pôle action sociale",
        "classer les demandes reçues",
        "transparence@villeneuve.fr",
        "Formulaire de demande (déclaration du demandeur)",
        "Fichier des bénéficiaires",
        "https://villeneuve.fr/algorithmes",
        "L311-3-1",
        "CADA",
        "un mois",
        "deux mois",
    ):
        assert value in text, value


def test_mention_without_rules_url_has_no_dangling_sentence():
    text = mention_text({k: v for k, v in SHEET.items() if k != "rules_url"})
    assert "publiées" not in text and "{" not in text


@pytest.mark.parametrize(
    ("field", "label"),
    [("contact", "contact"), ("purpose", "finalité"), ("data_sources", "sources de données")],
)
def test_mention_names_the_missing_field_in_french(field, label):
    with pytest.raises(ValueError, match=label):
        mention_text({**SHEET, field: [] if field == "data_sources" else ""})


def test_explanation_template_has_the_four_items_of_r311_3_1_2():
    md = explanation_template(SHEET)
    for heading in (
        "## 1. Degré et mode de contribution",
        "## 2. Données traitées et leurs sources",
        "## 3. Paramètres du traitement et leur pondération",
        "## 4. Opérations effectuées",
    ):
        assert heading in md
    assert "Recommandation à un agent" in md
    assert "| Reste à vivre | — | 0,6 | [à reporter du dossier] |" in md
    assert "1. Calcul du reste à vivre" in md
    assert "Ressources du foyer" in md


def test_a_complete_sheet_leaves_only_the_persons_own_values_to_report():
    sheet = {**SHEET, "parameters": [{"name": "Reste à vivre", "source": "CAF", "weight": "forte"},
                                      {"name": "Enfants à charge", "source": "déclaration", "weight": 0.4}]}
    md = explanation_template(sheet)
    assert explanation_gaps(sheet) == []
    assert "à compléter" not in md
    assert "| Reste à vivre | CAF | forte | [à reporter du dossier] |" in md
    assert "| Enfants à charge | déclaration | 0,4 | [à reporter du dossier] |" in md
    assert "2. Pondération des critères" in md


def test_explanation_template_names_what_the_sheet_does_not_say():
    md = explanation_template({"title": "Tri", "administration": "Commune"})
    for what in ("finalité du traitement", "degré et mode de contribution à la décision",
                 "données traitées et leurs sources", "paramètres traités et leur pondération",
                 "opérations effectuées", "contact pour les demandes"):
        assert f"[à compléter : {what}]" in md, what
    gaps = explanation_gaps({"title": "Tri", "administration": "Commune"})
    assert len(gaps) == 6 and any("section « Transparence »" in g for g in gaps)


def test_a_parameter_without_weight_is_named_as_missing():
    sheet = {**SHEET, "parameters": [{"name": "Reste à vivre", "weight": 0.6}, {"name": "Âge", "weight": None}]}
    assert explanation_gaps(sheet) == ["la pondération du paramètre « Âge » (fiche, section « Transparence »)"]
    assert "| Âge | — | [à compléter : pondération] | [à reporter du dossier] |" in explanation_template(sheet)
