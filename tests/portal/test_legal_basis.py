"""The legal basis of a data source: one of the six bases of RGPD art. 6(1), read exactly by the
RGPD engine; a text written before the list stays until it is changed. Service tests run on SQLite
and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from policies.vocabulary import LegalBasis
from portal.db.models import DataSource
from portal.services.errors import InvalidInput
from portal.services.governance.engine import legal_basis_code
from tests.portal.governance_fixtures import MINIMAL, make_use_case

SOURCE_FIELDS = {"name", "producer", "origin", "personal_data", "sensitive_data", "art9_exception", "legal_basis"}


@pytest.mark.parametrize("basis", list(LegalBasis))
def test_each_listed_basis_reads_as_its_code(basis):
    assert legal_basis_code(basis.label) == basis.value
    assert legal_basis_code(f"  {basis.label.upper()} ") == basis.value


def test_the_six_bases_cite_their_article_in_order():
    assert [b.label[:7] for b in LegalBasis] == [f"6(1)({x})" for x in "abcdef"]
    assert LegalBasis.PUBLIC_TASK.label == "6(1)(e) mission d'intérêt public ou exercice de l'autorité publique"
    assert LegalBasis.from_label("public_task") is LegalBasis.PUBLIC_TASK
    assert LegalBasis.from_label("mission d'intérêt public") is None


def test_texts_written_before_the_list_still_read():
    assert legal_basis_code(None) is None and legal_basis_code("  ") is None
    assert legal_basis_code("Intérêt légitime de la commune") == "legitimate_interest"
    assert legal_basis_code("Obligation légale (CCH L441-2-6)") == "legal_obligation"
    assert legal_basis_code("Code de l'éducation, art. L212-7") == "public_task"


def test_a_listed_basis_is_stored_as_its_label_and_classified_by_it(services, people):
    uc = make_use_case(services, people["lead"], art9=None, personal=False, risk=(2, 2))
    ds = services.register.add_data_source(people["lead"], uc.id, {
        "name": "Fichier des usagers", "origin": "internal", "personal_data": True,
        "legal_basis": LegalBasis.LEGITIMATE_INTEREST.label})
    assert ds.legal_basis == "6(1)(f) intérêt légitime (exclu pour une autorité publique dans l'exercice de ses missions)"
    sources = services.governance.preview(uc.id, **MINIMAL).rgpd.sources
    assert sources.legitimate_interest == ["Fichier des usagers"] and not sources.ok
    ds = services.register.update_data_source(people["lead"], ds.id, ds.version,
                                              ds.model_dump(include=SOURCE_FIELDS) | {"legal_basis": "public_task"})
    assert ds.legal_basis == LegalBasis.PUBLIC_TASK.label  # a code is stored as its label
    assert legal_basis_code(ds.legal_basis) == "public_task"
    sources = services.governance.preview(uc.id, **MINIMAL).rgpd.sources
    assert sources.ok and sources.legitimate_interest == []


def test_a_basis_out_of_the_list_is_refused_in_french_naming_the_field(services, people):
    uc = make_use_case(services, people["lead"], personal=False)
    with pytest.raises(InvalidInput) as exc:
        services.register.add_data_source(people["lead"], uc.id, {
            "name": "Fichier des usagers", "origin": "internal", "personal_data": True,
            "legal_basis": "parce que"})
    text = "\n".join(exc.value.problems)
    assert "Champ « Base légale » : choisissez l'une des six bases de l'art. 6(1) RGPD" in text
    assert "« 6(1)(e) mission d'intérêt public" in text and "(reçu : « parce que »)" in text
    assert [d.name for d in services.register.get(uc.id).data_sources] == ["Demandes de logement social"]


def test_a_text_written_before_the_list_is_kept_until_changed(services, people):
    uc = make_use_case(services, people["lead"])
    ds = services.register.get(uc.id).data_sources[0]
    with services.db.writer.begin() as s:
        s.execute(update(DataSource).where(DataSource.id == ds.id).values(legal_basis="Obligation légale (CCH)"))
    ds = services.register.get(uc.id).data_sources[0]
    kept = services.register.update_data_source(people["lead"], ds.id, ds.version,
                                                ds.model_dump(include=SOURCE_FIELDS) | {"retention": "3 ans"})
    assert kept.legal_basis == "Obligation légale (CCH)" and kept.retention == "3 ans"
    with pytest.raises(InvalidInput, match="Base légale"):
        services.register.update_data_source(people["lead"], ds.id, kept.version,
                                             ds.model_dump(include=SOURCE_FIELDS) | {"legal_basis": "Obligation (CCH)"})
    changed = services.register.update_data_source(people["lead"], ds.id, kept.version, ds.model_dump(
        include=SOURCE_FIELDS) | {"legal_basis": LegalBasis.LEGAL_OBLIGATION.label})
    assert changed.legal_basis == "6(1)(c) obligation légale"
    services.register.delete_data_source(people["lead"], ds.id, changed.version)  # reads the row back
