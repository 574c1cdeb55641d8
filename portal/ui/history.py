"""Audit events told in French, for the activity feed and the history tab."""

from __future__ import annotations

import json
import re

from portal.services.monitoring import CONFIG_LABELS
from portal.services.portfolio import BENEFIT_LABELS, BUDGET_LABELS, SCORE_LABELS
from portal.services.schemas import (
    DATA_SOURCE_LABELS,
    PERSON_LABELS,
    RISK_LABELS,
    TRANSPARENCY_LABELS,
    USE_CASE_LABELS,
    AuditEventView,
)

ENTITIES = {"use_case": "le cas d'usage", "data_source": "une source de données", "risk": "un risque",
            "person": "une personne", "register": "le registre",
            # governance
            "classification": "la classification", "gate_request": "la demande de passage",
            "obligation": "l'obligation", "obligations": "les obligations du cas d'usage"}
ACTIONS = {"create": "a créé", "update": "a modifié", "delete": "a supprimé", "set_roles": "a changé les rôles de",
           "set_active": "a changé le statut de", "export": "a exporté", "login": "s'est connecté(e)",
           "seed_stage": "a placé à son étape de démonstration",
           # governance
           "classify": "a classé (questionnaire)", "validate": "a validé", "sync": "a recalculé",
           "request": "a demandé", "decide": "a décidé de", "suspend": "a suspendu", "withdraw": "a retiré",
           "review": "a revu", "add_evidence": "a joint une preuve à"}
ACTIONS |= {"clear_lead": "a laissé sans chef de projet"}
# identity
ENTITIES |= {"identity_session": "une session", "audit_event": "le journal d'audit"}
ACTIONS |= {"logout": "s'est déconnecté(e)", "login_refused": "connexion refusée :",
            "revoke_sessions": "a mis fin aux sessions de", "register_on_sign_in": "première connexion de",
            "apply_group_roles": "a mis à jour d'après les groupes les rôles de"}
# monitoring
ENTITIES |= {"monitoring_config": "la configuration du suivi", "monitoring_reference": "la référence de suivi",
             "monitoring_run": "le contrôle de suivi", "monitoring_alert": "l'alerte de suivi",
             "monitoring_outcome": "les résultats constatés du cas d'usage"}
ACTIONS |= {"configure_monitoring": "a configuré", "set_reference": "a enregistré", "run_monitoring": "a lancé",
            "raise_alert": "a levé", "acknowledge_alert": "a pris en compte", "close_alert": "a clos",
            "propose_suspension": "a proposé une suspension sur", "record_outcomes": "a enregistré",
            "decide_suspension_proposal": "a tranché la proposition de suspension de"}
# public register of algorithms
ENTITIES |= {"public_register_entry": "la fiche du registre public", "public_register": "le registre public",
             "portfolio": "le portefeuille", "portfolio_report": "le rapport au conseil"}
ACTIONS |= {"publish": "a publié", "report": "a envoyé", "close_report": "a clos"}
ENTITIES |= {"public_report": "le signalement"}
# portfolio
ENTITIES |= {"benefit_measure": "une mesure de bénéfice", "budget_line": "une ligne budgétaire",
             "scenario": "un scénario", "scoring_weights": "les pondérations", "use_case_score": "les notes"}
# the French names of the fields an update lists, by entity
FIELD_LABELS = {"use_case": USE_CASE_LABELS | TRANSPARENCY_LABELS, "data_source": DATA_SOURCE_LABELS, "risk": RISK_LABELS,
                "person": PERSON_LABELS, "use_case_score": SCORE_LABELS, "budget_line": BUDGET_LABELS,
                "benefit_measure": BENEFIT_LABELS, "monitoring_config": CONFIG_LABELS}
# analysis
ENTITIES |= {"analysis_binding": "l'association à un module d'analyse", "analysis_run": "l'exécution d'analyse"}
ACTIONS |= {"bind_module": "a créé ou changé", "unbind_module": "a retiré", "run_analysis": "a lancé",
            "finish_analysis": "a terminé", "set_reference_run": "a choisi comme référence de suivi"}


def describe_event(ev: AuditEventView) -> str:
    if ev.action == "login":
        return "connexion"
    if ev.action == "logout":
        return "déconnexion"
    if ev.action == "login_refused":
        try:
            reason = (json.loads(ev.payload).get("details") or {}).get("reason", "")
        except ValueError:
            reason = ""
        return f"connexion refusée ({reason})"
    verb = ACTIONS.get(ev.action, ev.action)
    what = ENTITIES.get(ev.entity, ev.entity)
    if ev.action == "export":  # the entity id of an export is its format
        return _elide(f"{verb} {what} (format {ev.entity_id})")
    changed = sorted(_field_label(ev.entity, f) for f in changed_fields(ev))
    more = f" et {len(changed) - 5} autres" if len(changed) > 5 else ""
    suffix = f" ({', '.join(changed[:5])}{more})" if changed and ev.action == "update" else ""
    return _elide(f"{verb} {what} n° {ev.entity_id}{suffix}")


_ELISIONS = ((" de une ", " d'une "), (" de un ", " d'un "), (" de le ", " du "), (" de les ", " des "),
             (" à le ", " au "), (" à les ", " aux "))


def _elide(text: str) -> str:
    """French contractions where a verb ending in « de » / « à » meets an article."""
    for plain, contracted in _ELISIONS:
        text = text.replace(plain, contracted)
    return text


def _field_label(entity: str, field: str) -> str:
    """« Valeur mesurée » for ``measured``; a unit or range in brackets is left out of the sentence."""
    label = FIELD_LABELS.get(entity, {}).get(field)
    if not label:
        return field
    label = re.sub(r"\s*\([^)]*\)$", "", label)
    return label[0].lower() + label[1:] if label[1:2].islower() else label  # « RGPD » stays as it is


def changed_fields(ev: AuditEventView) -> list[str]:
    try:
        payload = json.loads(ev.payload)
    except ValueError:
        return []
    after = payload.get("after") or {}
    return sorted(after) if isinstance(after, dict) else []
