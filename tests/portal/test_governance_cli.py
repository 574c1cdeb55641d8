"""``vigie gate check | request | decide`` through portal.cli.main, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from policies.vocabulary import Stage
from portal.cli import main
from tests.portal.governance_fixtures import HIGH_RISK, make_use_case


def test_gate_commands_refuse_in_french_with_the_missing_conditions(services, people, cli_env, capsys):
    uc = make_use_case(services, people["lead"])
    services.governance.classify(people["compliance"], uc.id, **HIGH_RISK)
    lead, dg, dpo = "lead@test.invalid", "director@test.invalid", "compliance@test.invalid"

    assert main(["gate", "request", "--use-case", uc.reference, "--to", "framing", "--as", lead]) == 0
    req_id = services.governance.pending_requests()[0].id
    assert main(["gate", "decide", "--request", str(req_id), "--decision", "approve", "--as", dpo,
                 "--reasons", "Cadrage accepté"]) == 1
    assert "pour le compte de : Directeur général des services ou comité IA" in capsys.readouterr().err
    today = dt.date.today().strftime("%d/%m/%Y")
    assert main(["gate", "decide", "--request", str(req_id), "--decision", "approve", "--as", dpo,
                 "--reasons", "Cadrage accepté", "--session-date", today]) == 0
    assert services.register.get(uc.id).stage is Stage.FRAMING
    capsys.readouterr()

    assert main(["gate", "check", "--use-case", uc.reference, "--to", "pilot"]) == 1
    out = capsys.readouterr().out
    assert "conditions manquantes" in out
    assert "- L'analyse d'impact relative à la protection des données (AIPD) requise n'est pas réalisée." in out

    assert main(["gate", "request", "--use-case", uc.reference, "--to", "pilot", "--as", lead]) == 0
    out = capsys.readouterr().out
    assert "Conditions encore manquantes" in out and "AIDF" in out
    req_id = services.governance.pending_requests()[0].id

    assert main(["gate", "decide", "--request", str(req_id), "--decision", "approve", "--as", dg,
                 "--act-number", "ARR-2026-7", "--act-date", "26/11/2026"]) == 1
    err = capsys.readouterr().err
    assert "Passage à l'étape « Expérimentation » impossible : conditions manquantes." in err
    assert "(AIPD) requise n'est pas réalisée." in err
    assert services.register.get(uc.id).stage is Stage.FRAMING

    assert main(["gate", "decide", "--request", str(req_id), "--decision", "approve", "--as", dpo]) == 1
    assert "Exécutif" in capsys.readouterr().err  # authority above the compliance officer
    assert main(["gate", "decide", "--request", str(req_id), "--decision", "send_back", "--as", dg,
                 "--reasons", "Compléter l'AIPD et l'AIDF", "--session-date", today]) == 0
    assert "Renvoyée pour compléments" in capsys.readouterr().out
    assert main(["gate", "check", "--use-case", "UC-1999-999", "--to", "pilot"]) == 1
    assert "introuvable" in capsys.readouterr().err
    assert main(["gate", "request", "--use-case", uc.reference, "--to", "pilot", "--as", "inconnu@x.invalid"]) == 1
