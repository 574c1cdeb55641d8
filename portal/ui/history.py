"""Audit events told in French, for the activity feed and the history tab."""

from __future__ import annotations

import json

from portal.services.schemas import AuditEventView

ENTITIES = {"use_case": "le cas d'usage", "data_source": "une source de données", "risk": "un risque",
            "person": "une personne", "register": "le registre"}
ACTIONS = {"create": "a créé", "update": "a modifié", "delete": "a supprimé", "set_roles": "a changé les rôles de",
           "set_active": "a changé le statut de", "export": "a exporté", "login": "s'est connecté(e)",
           "seed_stage": "a placé à son étape de démonstration"}
# monitoring (issue 6)
ENTITIES |= {"monitoring_config": "la configuration du suivi", "monitoring_reference": "la référence de suivi",
             "monitoring_run": "le contrôle de suivi", "monitoring_alert": "l'alerte de suivi",
             "monitoring_outcome": "les résultats constatés du cas d'usage"}
ACTIONS |= {"configure_monitoring": "a configuré", "set_reference": "a enregistré", "run_monitoring": "a lancé",
            "raise_alert": "a levé", "acknowledge_alert": "a pris en compte", "close_alert": "a clos",
            "propose_suspension": "a proposé une suspension sur", "record_outcomes": "a enregistré",
            "decide_suspension_proposal": "a tranché la proposition de suspension de"}


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
