"""Audit events told in French, for the activity feed and the history tab."""

from __future__ import annotations

import json

from portal.services.schemas import AuditEventView

ENTITIES = {"use_case": "le cas d'usage", "data_source": "une source de données", "risk": "un risque",
            "person": "une personne", "register": "le registre"}
ACTIONS = {"create": "a créé", "update": "a modifié", "delete": "a supprimé", "set_roles": "a changé les rôles de",
           "set_active": "a changé le statut de", "export": "a exporté", "login": "s'est connecté(e)",
           "seed_stage": "a placé à son étape de démonstration"}
# analysis (issue 5)
ENTITIES |= {"analysis_binding": "l'association à un module d'analyse", "analysis_run": "l'exécution d'analyse"}
ACTIONS |= {"bind_module": "a créé ou changé", "unbind_module": "a retiré", "run_analysis": "a lancé",
            "finish_analysis": "a terminé", "set_reference_run": "a choisi comme référence de suivi"}


def describe_event(ev: AuditEventView) -> str:
    if ev.action == "login":
        return "connexion"
    verb = ACTIONS.get(ev.action, ev.action)
    what = ENTITIES.get(ev.entity, ev.entity)
    changed = changed_fields(ev)
    suffix = f" ({', '.join(changed[:5])})" if changed and ev.action == "update" else ""
    return f"{verb} {what} n° {ev.entity_id}{suffix}"


def changed_fields(ev: AuditEventView) -> list[str]:
    try:
        payload = json.loads(ev.payload)
    except ValueError:
        return []
    after = payload.get("after") or {}
    return sorted(after) if isinstance(after, dict) else []
