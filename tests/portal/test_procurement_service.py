"""Bought and delegated AI: the contract, the supplier's documents kept with their SHA-256, and the
pilot gate of a high-risk bought system checking them."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from policies.vocabulary import Stage
from portal.services.errors import InvalidInput, PermissionDenied, StaleEdit
from tests.portal.governance_fixtures import HIGH_RISK, TODAY, make_use_case, settle

PDF = b"%PDF-1.4\n% notice\n"
CONTRACT = {"reference": "MP-2026-014", "supplier": "Éditeur du logiciel de gestion de la demande",
            "start_date": dt.date(2026, 1, 1), "end_date": dt.date(2029, 12, 31), "renewal": "express",
            "notice_days": "90"}


@pytest.fixture
def bought(services, people):
    uc = make_use_case(services, people["lead"])
    view = services.register.get(uc.id)
    services.register.update(people["lead"], uc.id, view.version,
                             view.editable_fields() | {"provider_type": "vendor", "provider_name": "Éditeur"})
    return uc


def _ready_for_pilot(services, people, uc_id):
    gov = services.governance
    gov.classify(people["compliance"], uc_id, **HIGH_RISK)
    settle(services, people["compliance"], uc_id, {"OBL-RGPD-DPIA", "OBL-AIA-FRIA"})
    gov.request_gate(people["lead"], uc_id, Stage.FRAMING, today=TODAY)
    req = gov.pending_requests()[0]
    gov.decide(people["director"], req.id, "approve", reasons="Cadrage.", today=TODAY)


def test_the_pilot_gate_of_a_high_risk_bought_system_names_the_missing_documents(services, people, bought):
    _ready_for_pilot(services, people, bought.id)
    check = services.governance.check(bought.id, Stage.PILOT, today=TODAY)
    (line,) = [m for m in check.missing if "documents du fournisseur" in m]
    assert "Notice d'utilisation du fournisseur" in line and "Déclaration UE de conformité" in line
    assert "Enregistrement du système dans la base de données de l'UE" in line
    assert "Déclaration du fournisseur sur son rôle (article 25)" in line
    req = services.governance.request_gate(people["lead"], bought.id, Stage.PILOT, today=TODAY)
    with pytest.raises(InvalidInput) as exc:  # the decision is refused with the documents named
        services.governance.decide(people["director"], req.id, "approve", reasons="Go", today=TODAY,
                                   act_number="A-1", act_date=TODAY)
    assert "Notice d'utilisation du fournisseur" in str(exc.value)
    proc = services.procurement
    proc.add_document_file(people["lead"], bought.id, "instructions", "notice.pdf", PDF)
    proc.add_document_link(people["lead"], bought.id, "eu_registration", "https://ec.europa.eu/ai-db/EU-123",
                           reference="EU-123")
    proc.add_document_file(people["compliance"], bought.id, "conformity", "declaration.pdf", PDF + b"2")
    (line,) = [m for m in services.governance.check(bought.id, Stage.PILOT, today=TODAY).missing
               if "documents du fournisseur" in m]
    assert line.endswith(": Déclaration du fournisseur sur son rôle (article 25).")
    proc.add_document_file(people["lead"], bought.id, "role_statement", "role.txt", b"Nous sommes fournisseur.")
    assert not [m for m in services.governance.check(bought.id, Stage.PILOT, today=TODAY).missing
                if "documents du fournisseur" in m]
    view = proc.view(bought.id)
    assert view.gates_check_documents and view.missing == [] and len(view.documents) == 4


def test_an_in_house_system_is_not_asked_for_supplier_documents(services, people):
    uc = make_use_case(services, people["lead"], title="Outil interne")
    _ready_for_pilot(services, people, uc.id)
    check = services.governance.check(uc.id, Stage.PILOT, today=TODAY)
    assert not [m for m in check.missing if "documents du fournisseur" in m]
    assert not services.procurement.view(uc.id).gates_check_documents


def test_documents_are_kept_with_their_checksum_and_audited(services, people, bought):
    doc = services.procurement.add_document_file(people["lead"], bought.id, "instructions", "notice.pdf", PDF,
                                                 note="Version 3.2")
    assert doc.sha256 == hashlib.sha256(PDF).hexdigest() and doc.size == len(PDF)
    name, data, intact = services.procurement.document_file(doc.id)
    assert (name, data, intact) == ("notice.pdf", PDF, True)
    (event,) = [e for e in services.audit.history_of(bought.id) if e.action == "add_document"]
    assert doc.sha256 in event.payload


def test_refused_files_and_fields_in_french_and_nothing_written(services, people, bought):
    proc = services.procurement
    with pytest.raises(InvalidInput) as exc:
        proc.add_document_file(people["lead"], bought.id, "instructions", "notice.exe", b"MZ\x90\x00")
    assert "« notice.exe » : type de fichier non accepté" in str(exc.value)
    with pytest.raises(InvalidInput) as exc:
        proc.add_document_file(people["lead"], bought.id, "brochure", "notice.pdf", PDF)
    assert "Champ « Document » : valeur non prévue « brochure »" in str(exc.value)
    with pytest.raises(InvalidInput) as exc:
        proc.add_document_link(people["lead"], bought.id, "eu_registration", "ftp://x")
    assert "Champ « Lien » : adresse web attendue" in str(exc.value)
    with pytest.raises(InvalidInput) as exc:
        proc.save_contract(people["lead"], bought.id, None, {"reference": "", "supplier": "X",
                                                             "start_date": dt.date(2026, 5, 1),
                                                             "end_date": dt.date(2026, 1, 1), "notice_days": "trois"})
    text = str(exc.value)
    assert "Champ « Référence du contrat » : obligatoire." in text
    assert "Champ « Fin du contrat » : ne peut pas précéder le début du contrat." in text
    assert "Champ « Préavis (jours) » : nombre entier de jours attendu (reçu : « trois »)." in text
    view = proc.view(bought.id)
    assert view.contract is None and view.documents == []
    assert not [e for e in services.audit.history_of(bought.id) if e.entity.startswith("supplier_")]


def test_contract_roles_and_stale_edits(services, people, bought):
    proc = services.procurement
    for key in ("reader", "director", "lead2"):
        with pytest.raises(PermissionDenied):
            proc.save_contract(people[key], bought.id, None, CONTRACT)
        with pytest.raises(PermissionDenied):
            proc.add_document_file(people[key], bought.id, "instructions", "notice.pdf", PDF)
    contract = proc.save_contract(people["lead"], bought.id, None, CONTRACT)
    assert contract.renewal_fr == "Reconduction expresse" and contract.notice_days == 90
    proc.save_contract(people["compliance"], bought.id, contract.version, CONTRACT | {"renewal": "tacit"})
    with pytest.raises(StaleEdit):
        proc.save_contract(people["lead"], bought.id, contract.version, CONTRACT | {"renewal": "none"})
    assert proc.view(bought.id).contract.renewal == "tacit"
    actions = [e.action for e in services.audit.history_of(bought.id) if e.entity == "supplier_contract"]
    assert sorted(actions) == ["create", "update"]
