"""``vigie gate …``: check, request and decide stage gates from a terminal, through GovernanceService.

A gate is asked for and decided by a person of the register (``--as`` their e-mail), never by the
system principal: the same role checks and approving authorities apply as in the portal.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

Handler = Any


def _services():  # type: ignore[no-untyped-def]
    from portal.services import build_services
    from portal.settings import get_settings

    return build_services(get_settings().database_url)


def _person(services: Any, email: str):  # type: ignore[no-untyped-def]
    from portal.services.errors import NotFound

    wanted = email.strip().lower()
    for p in services.people.list(active_only=True):
        if (p.email or "").lower() == wanted:
            principal = services.people.principal(p.id)
            if principal is not None:
                return principal
    raise NotFound(f"Aucune personne active avec l'adresse « {email} ».")


def _attestations(values: list[str] | None) -> dict[str, bool]:
    return {v: True for v in values or []}


def _date(text: str | None) -> dt.date | None:
    if not text:
        return None
    from portal.services.errors import InvalidInput

    try:
        if "/" in text:
            day, month, year = (int(x) for x in text.split("/"))
            return dt.date(year, month, day)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InvalidInput([f"Champ « Date de l'acte » : date attendue (jj/mm/aaaa) (reçu : « {text} »)."]) from None


def _run(action: Any) -> int:
    from policies.access import PermissionDenied
    from portal.services.errors import InvalidInput, VigieError

    try:
        return int(action())
    except InvalidInput as exc:
        print("Refusé :", file=sys.stderr)
        for p in exc.problems:
            print(f"- {p}", file=sys.stderr)
        return 1
    except (VigieError, PermissionDenied) as exc:
        print(str(exc), file=sys.stderr)
        return 1


def cmd_gate_check(args: argparse.Namespace) -> int:
    def act() -> int:
        svc = _services()
        uc_id = svc.governance.use_case_id(args.use_case)
        check = svc.governance.check(uc_id, args.to, attestations=_attestations(args.attest))
        uc = svc.register.get(uc_id)
        from policies.vocabulary import Stage

        head = f"{uc.reference} : {uc.stage.label} → {Stage(args.to).label if args.to in Stage.choices() else args.to}"
        if check.allowed:
            print(f"{head} — conditions réunies ; décision : {check.authority.label}.")
            return 0
        print(f"{head} — conditions manquantes ({check.authority.label}) :")
        for m in check.missing:
            print(f"- {m}")
        return 1

    return _run(act)


def cmd_gate_request(args: argparse.Namespace) -> int:
    def act() -> int:
        svc = _services()
        me = _person(svc, args.as_email)
        uc_id = svc.governance.use_case_id(args.use_case)
        req = svc.governance.request_gate(me, uc_id, args.to, motive=args.motive or "",
                                          attestations=_attestations(args.attest))
        print(f"Demande n° {req.id} enregistrée : {req.reference} vers l'étape « {req.to_stage.label} », "
              f"décision : {req.authority.label}.")
        if req.missing:
            print("Conditions encore manquantes (l'approbation sera refusée tant qu'elles le sont) :")
            for m in req.missing:
                print(f"- {m}")
        return 0

    return _run(act)


def cmd_gate_decide(args: argparse.Namespace) -> int:
    def act() -> int:
        svc = _services()
        me = _person(svc, args.as_email)
        req = svc.governance.decide(me, args.request, args.decision, reasons=args.reasons or "",
                                    conditions=args.conditions, act_number=args.act_number,
                                    act_date=_date(args.act_date), session_date=_date(args.session_date))
        assert req.decision is not None
        print(f"Décision enregistrée sur la demande n° {req.id} ({req.reference}) : {req.status_fr} ; "
              f"étape : {req.decision.stage_after.label}.")
        return 0

    return _run(act)


def add_gate_commands(sub: Any) -> None:
    from policies.vocabulary import GateDecision
    from portal.services.governance import ATTESTATIONS

    gate = sub.add_parser("gate", help="passages d'étape (contrôle, demande, décision)")
    gsub = gate.add_subparsers(dest="gate_command", required=True)

    p = gsub.add_parser("check", help="vérifier les conditions d'un passage d'étape")
    p.add_argument("--use-case", required=True, help="référence, par ex. UC-2026-013")
    p.add_argument("--to", required=True, help="étape visée : framing, pilot, evaluation, deployed")
    p.add_argument("--attest", action="append", choices=list(ATTESTATIONS), help="attestation du demandeur")
    p.set_defaults(func=cmd_gate_check)

    p = gsub.add_parser("request", help="demander un passage d'étape")
    p.add_argument("--use-case", required=True)
    p.add_argument("--to", required=True)
    p.add_argument("--as", dest="as_email", required=True, help="adresse électronique du demandeur")
    p.add_argument("--motive", help="motif de la demande")
    p.add_argument("--attest", action="append", choices=list(ATTESTATIONS))
    p.set_defaults(func=cmd_gate_request)

    p = gsub.add_parser("decide", help="décider d'une demande de passage")
    p.add_argument("--request", required=True, type=int, help="numéro de la demande")
    p.add_argument("--decision", required=True, choices=[d.value for d in GateDecision])
    p.add_argument("--as", dest="as_email", required=True, help="adresse électronique de la personne qui décide")
    p.add_argument("--reasons", help="motifs")
    p.add_argument("--conditions", help="conditions (approbation sous conditions)")
    p.add_argument("--act-number", help="numéro de la délibération ou de l'acte de l'exécutif")
    p.add_argument("--act-date", help="date de l'acte (jj/mm/aaaa)")
    p.add_argument("--session-date", help="décision prise en séance le (jj/mm/aaaa), faute d'acte, pour "
                   "qui enregistre la décision pour le compte de l'autorité")
    p.set_defaults(func=cmd_gate_decide)
