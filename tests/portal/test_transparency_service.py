"""The sheet's « Transparence » section on SQLite and PostgreSQL: who edits it, French refusals that
write nothing, audited differences, stale edits; the published entry, the Eurocities export and the
CRPA explanation letter read it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from policies.vocabulary import Stage
from portal.db.models import AuditEvent, PublicRegisterEntry
from portal.demo.governance import ORGANISATION
from portal.services import eurocities
from portal.services.errors import InvalidInput, PermissionDenied, StaleEdit
from portal.services.schemas import TRANSPARENCY_LABELS
from tests.portal.gates import walk_to
from tests.portal.governance_fixtures import HIGH_RISK, MINIMAL, make_use_case

#: A whole section, as a project lead types it (parameters and operations one a line).
SECTION = {
    "contact_phone": "02 47 00 00 00",
    "proportionality": "L'ordre proposé applique les critères légaux ; la commission décide.",
    "training_data": "Sans objet : règles de priorité, aucun modèle entraîné.",
    "data_bias": "Écarts par quartier mesurés chaque trimestre.",
    "technical_description": "Chaque critère rempli ajoute des points ; tri par total décroissant.",
    "methods_and_models": "Grille de cotation à points.",
    "performance": "Concordance de 92 % avec les priorités retenues par la commission.",
    "alternatives_considered": "Examen par ancienneté seule.",
    "product_information": "Module de cotation du logiciel de gestion de la demande.",
    "codebase_url": "https://code.ville.test/cotation",
    "product_page": "https://ville.test/algorithmes/cotation",
    "dpia_summary": "Données de santé déclarées ; exception de l'art. 9(2)(g).",
    "dpia_url": "https://ville.test/aipd-cotation.pdf",
    "aia_summary": "Haut risque : analyse d'impact sur les droits fondamentaux faite.",
    "aia_url": "https://ville.test/algorithmes/cotation/analyse-d-impact",
    "monitoring_summary": "Concordance et écarts par quartier, chaque trimestre.",
    "rollback": "Retour à l'examen par ancienneté, sur décision de la DGS.",
    "remark": "Grille publiée avant toute mise en service.",
    "parameters": "Situation de handicap ; déclaration du demandeur ; 30 points\n"
                  "Violences conjugales ; justificatif ; 40 points\n\nAncienneté de la demande ; SNE ; 1 point par mois",
    "operations": "1. Lecture de la demande\n2. Attribution des points\n3. Classement par total puis ancienneté",
}


def _events(services) -> int:  # type: ignore[no-untyped-def]
    with services.db.reader() as s:
        return s.scalar(select(func.count()).select_from(AuditEvent))


def test_the_lead_fills_the_section_and_only_the_difference_is_audited(services, people):
    uc = make_use_case(services, people["lead"])
    assert all(v in (None, [], "") for v in uc.transparency().values())
    saved = services.register.update_transparency(people["lead"], uc.id, uc.version, SECTION)
    assert saved.version == uc.version + 1
    assert [p.model_dump() for p in saved.parameters] == [
        {"name": "Situation de handicap", "source": "déclaration du demandeur", "weight": "30 points"},
        {"name": "Violences conjugales", "source": "justificatif", "weight": "40 points"},
        {"name": "Ancienneté de la demande", "source": "SNE", "weight": "1 point par mois"}]
    assert saved.operations == ("Lecture de la demande", "Attribution des points",
                                "Classement par total puis ancienneté")
    assert saved.rollback == SECTION["rollback"] and saved.codebase_url == SECTION["codebase_url"]
    last = services.audit.history_of(uc.id)[0]
    assert last.action == "update" and last.entity == "use_case"
    assert json.loads(last.payload)["after"]["rollback"] == SECTION["rollback"]
    # the same section again changes nothing and writes nothing
    events = _events(services)
    again = services.register.update_transparency(people["lead"], uc.id, saved.version, saved.transparency())
    assert again.version == saved.version and _events(services) == events
    # one field changed: the event holds that field alone
    services.register.update_transparency(people["lead"], uc.id, saved.version,
                                          saved.transparency() | {"performance": "Concordance de 95 %."})
    payload = json.loads(services.audit.history_of(uc.id)[0].payload)
    assert payload["before"] == {"performance": SECTION["performance"]}
    assert payload["after"] == {"performance": "Concordance de 95 %."}
    # the other fields of the sheet are untouched by the section, and the section by the sheet's form
    view = services.register.get(uc.id)
    services.register.update(people["lead"], uc.id, view.version, view.editable_fields() | {"title": "Cotation"})
    assert services.register.get(uc.id).transparency() == view.transparency()


def test_only_who_may_edit_the_sheet_edits_its_section(services, people):
    uc = make_use_case(services, people["lead"])
    events = _events(services)
    for who in ("lead2", "reader", "compliance"):
        with pytest.raises(PermissionDenied):
            services.register.update_transparency(people[who], uc.id, uc.version, SECTION)
    assert _events(services) == events and services.register.get(uc.id).version == uc.version
    services.register.update_transparency(people["director"], uc.id, uc.version, {"rollback": "Arrêt par la DGS."})
    assert services.register.get(uc.id).rollback == "Arrêt par la DGS."


def test_bad_input_is_refused_in_french_naming_the_field_and_the_line(services, people):
    uc = make_use_case(services, people["lead"])
    events = _events(services)
    with pytest.raises(InvalidInput) as exc:
        services.register.update_transparency(people["lead"], uc.id, uc.version, SECTION | {
            "codebase_url": "code.ville.test", "contact_phone": "appelez-nous",
            "parameters": "Revenu ; CAF ; forte\n ; déclaration ; faible", "operations": ["Tri", ""]})
    problems = "\n".join(exc.value.problems)
    assert "Champ « Code source (adresse) » : adresse web attendue, commençant par https:// " \
           "(reçu : « code.ville.test »)." in problems
    assert "Champ « Téléphone du contact » : numéro de téléphone attendu" in problems
    assert "Champ « Paramètres traités et pondération » : ligne 2 : le nom du paramètre manque" in problems
    assert "Champ « Opérations effectuées, ligne 2 » : obligatoire." in problems
    with pytest.raises(InvalidInput) as exc:
        services.register.update_transparency(people["lead"], uc.id, uc.version,
                                              {"parameters": [{"name": "Revenu", "weight": "x" * 201}]})
    assert exc.value.problems[0].startswith("Champ « Paramètres traités et pondération, ligne 1, Pondération » : "
                                            "trop long (200 caractères au plus)")
    with pytest.raises(InvalidInput, match="champ inconnu"):
        services.register.update_transparency(people["lead"], uc.id, uc.version, {"title": "x"})
    assert _events(services) == events and services.register.get(uc.id).version == uc.version


def test_a_stale_section_is_refused_and_nothing_is_lost(services, people):
    uc = make_use_case(services, people["lead"])
    services.register.update(people["lead"], uc.id, uc.version, uc.editable_fields() | {"title": "Cotation"})
    with pytest.raises(StaleEdit, match="modifié"):
        services.register.update_transparency(people["director"], uc.id, uc.version, SECTION)
    now = services.register.get(uc.id)
    assert now.title == "Cotation" and now.rollback is None and now.version == uc.version + 1
    services.register.update_transparency(people["lead"], uc.id, now.version, {"rollback": "Retour au tri manuel."})
    with pytest.raises(StaleEdit):
        services.register.update(people["director"], uc.id, now.version, now.editable_fields())
    assert services.register.get(uc.id).rollback == "Retour au tri manuel."


def test_a_creation_or_an_import_may_fill_the_section(services, people):
    from tests.conftest import use_case_data

    uc = services.register.create(people["lead"], use_case_data() | {"rollback": "Retour au comptage manuel.",
                                                                      "operations": "Comptage\nPrévision"})
    assert uc.rollback == "Retour au comptage manuel." and uc.operations == ("Comptage", "Prévision")
    after = json.loads(services.audit.history_of(uc.id)[0].payload)["after"]
    assert after["rollback"] == "Retour au comptage manuel." and "proportionality" not in after  # empty: not said


def test_the_section_is_published_exported_and_its_empty_fields_listed(services, people):
    uc = make_use_case(services, people["lead"], title="Orientation des demandes")
    view = services.register.get(uc.id)
    services.register.update(people["lead"], uc.id, view.version, view.editable_fields() | {
        "automation": "recommendation", "human_role": "L'agent valide chaque orientation.",
        "public_concerned": "Usagers", "tags": ["accueil", "routage"]})
    answers = dict(MINIMAL)
    answers["crpa"] = dict(answers["crpa"]) | {"administration": "Ville de Test",
                                               "contact": "Service logement — dpo@ville.test",
                                               "rules_url": "https://ville.test/algorithmes"}
    services.governance.classify(people["compliance"], uc.id, **answers)
    walk_to(services, people, uc.id, Stage.PILOT)
    services.public_register.publish(people["compliance"], uc.id)

    def registration() -> tuple[dict, list[str]]:
        doc = json.loads(services.public_register.export(people["reader"], "eurocities_json").data)
        (reg,) = doc["registrations"]
        return reg, doc["empty_fields"][reg["uuid"]]

    reg, empty = registration()
    assert {"proportionality", "rollback", "DPIA_description", "performance"} <= set(empty)
    assert reg["keywords"] == "accueil, routage" and "keywords" not in empty
    view = services.register.get(uc.id)
    services.register.update_transparency(people["lead"], uc.id, view.version, SECTION)
    assert services.public_register.entry(uc.id).stale  # the published text waits for a new publication
    entry = services.public_register.publish(people["compliance"], uc.id)
    assert entry.record["rollback"] == SECTION["rollback"]
    assert entry.record["parameters"].splitlines()[0] == \
        "Situation de handicap (source : déclaration du demandeur, pondération : 30 points)"
    assert entry.record["operations"].splitlines()[2] == "3. Classement par total puis ancienneté"
    reg, empty = registration()
    # a complete sheet exports complete, but for the type of algorithm, which only a bound analysis module
    # (self-learning) tells
    assert empty == ["algorithm_type"] and eurocities.NOT_FILLED == ()
    assert reg["contact_email"] == "dpo@ville.test" and reg["contact_name"] == "Service logement"
    for attribute, name in eurocities.FROM_RECORD.items():
        if attribute != "keywords":
            assert reg[attribute] == SECTION[name], attribute
    assert reg["DPIA_url"] == SECTION["dpia_url"] and reg["description"] == SECTION["technical_description"]
    # the Etalab CSV carries the section under its French headings
    csv = services.public_register.export(people["reader"], "csv").data.decode("utf-8-sig")
    assert all(label in csv.splitlines()[0] for k, label in TRANSPARENCY_LABELS.items() if k != "dpia_summary")


def test_an_entry_published_before_the_section_existed_is_not_stale(services, people):
    uc = make_use_case(services, people["lead"], title="Orientation des demandes")
    view = services.register.get(uc.id)
    services.register.update(people["lead"], uc.id, view.version, view.editable_fields() | {
        "automation": "information", "human_role": "L'agent décide."})
    answers = dict(MINIMAL)
    answers["crpa"] = dict(answers["crpa"]) | {"administration": "Ville de Test", "contact": "dpo@ville.test"}
    services.governance.classify(people["compliance"], uc.id, **answers)
    walk_to(services, people, uc.id, Stage.PILOT)
    services.public_register.publish(people["compliance"], uc.id)
    with services.db.writer.begin() as s:  # the snapshot as an older release stored it
        row = s.scalars(select(PublicRegisterEntry)).one()
        row.record = {k: v for k, v in row.record.items() if k not in TRANSPARENCY_LABELS and k != "keywords"}
    assert not services.public_register.entry(uc.id).stale


def test_the_crpa_letter_is_complete_when_the_sheet_is(services, people):
    gov = services.governance
    services.organisation.update(people["admin"], 0, ORGANISATION)  # the collectivité's name and contact
    uc = make_use_case(services, people["lead"])
    view = services.register.get(uc.id)
    services.register.update(people["lead"], uc.id, view.version, view.editable_fields() | {
        "automation": "recommendation", "human_role": "La commission décide."})
    gov.classify(people["compliance"], uc.id, **HIGH_RISK)
    letter = gov.crpa_explanation(uc.id)
    assert "[à compléter : paramètres traités et leur pondération]" in letter
    assert "[à compléter : opérations effectuées]" in letter
    assert gov.crpa_explanation_gaps(uc.id) == [
        "les paramètres traités et leur pondération (fiche, section « Transparence »)",
        "les opérations effectuées par le traitement (fiche, section « Transparence »)"]
    view = services.register.get(uc.id)
    services.register.update_transparency(people["lead"], uc.id, view.version, {
        "parameters": "Situation de handicap ; déclaration du demandeur ; 30 points\nAncienneté ; SNE",
        "operations": SECTION["operations"]})
    assert gov.crpa_explanation_gaps(uc.id) == [
        "la pondération du paramètre « Ancienneté » (fiche, section « Transparence »)"]
    view = services.register.get(uc.id)
    services.register.update_transparency(people["lead"], uc.id, view.version, view.transparency() | {
        "parameters": SECTION["parameters"]})
    letter = gov.crpa_explanation(uc.id)
    assert gov.crpa_explanation_gaps(uc.id) == [] and "à compléter" not in letter
    assert "| Violences conjugales | justificatif | 40 points | [à reporter du dossier] |" in letter
    assert "2. Attribution des points" in letter
