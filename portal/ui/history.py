"""Audit events told in French, for the activity feed and the history tab."""

from __future__ import annotations

import datetime as dt
import json
import re
from enum import Enum
from functools import cache

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
from portal.ui.formats import fmt_date, fmt_number

_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}(?:[T ][\d:.+]+)?$")

ENTITIES = {"use_case": "le cas d'usage", "data_source": "une source de données", "risk": "un risque",
            "person": "une personne", "register": "le registre",
            # governance
            "classification": "la classification", "gate_request": "la demande de passage",
            "obligation": "l'obligation", "obligations": "les obligations du cas d'usage"}
ACTIONS = {"create": "a créé", "update": "a modifié", "delete": "a supprimé", "set_roles": "a changé les rôles de",
           "set_active": "a changé le statut de", "export": "a exporté", "login": "s'est connecté(e)",
           "seed_stage": "a placé à son étape de démonstration",
           # governance
           "classify": "a enregistré", "validate": "a validé", "sync": "a recalculé",
           "request": "a déposé", "decide": "a enregistré la décision sur", "suspend": "a suspendu",
           "withdraw": "a retiré", "review": "a enregistré la revue périodique de",
           "add_evidence": "a joint une preuve à"}
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
            "decide_suspension_proposal": "a tranché la proposition de suspension liée à"}
# public register of algorithms
ENTITIES |= {"public_register_entry": "la fiche du registre public", "public_register": "le registre public",
             "portfolio": "le portefeuille", "portfolio_report": "le rapport au conseil"}
ACTIONS |= {"publish": "a publié", "report": "a envoyé", "close_report": "a clos"}
ENTITIES |= {"public_report": "le signalement"}
# portfolio
ENTITIES |= {"benefit_measure": "une mesure de bénéfice", "budget_line": "une ligne budgétaire",
             "scenario": "un scénario", "scoring_weights": "les pondérations", "use_case_score": "les notes"}
# deployment in waves, bought and delegated AI
ENTITIES |= {"deployment_wave": "la vague de déploiement", "rollback_plan": "le plan de retour arrière",
             "supplier_contract": "le contrat du fournisseur", "supplier_document": "un document du fournisseur"}
ACTIONS |= {"roll_back": "a ramené à l'étape précédente", "add_document": "a joint"}
# the people around each use case: services' needs, agents, residents
ENTITIES |= {"service_need": "un besoin de service", "user_group": "un groupe d'agents utilisateurs",
             "training_session": "une session de formation", "agent_feedback": "les retours des agents",
             "resident_measure": "une mesure auprès des usagers"}
ACTIONS |= {"submit": "a exprimé", "merged": "a fusionné", "answered": "a donné suite à", "declined": "a décliné"}
# the French names of the fields an update lists, by entity
FIELD_LABELS = {"use_case": USE_CASE_LABELS | TRANSPARENCY_LABELS, "data_source": DATA_SOURCE_LABELS, "risk": RISK_LABELS,
                "person": PERSON_LABELS, "use_case_score": SCORE_LABELS, "budget_line": BUDGET_LABELS,
                "benefit_measure": BENEFIT_LABELS, "monitoring_config": CONFIG_LABELS}
FIELD_LABELS |= {
    "rollback_plan": {"procedure": "Comment revenir à l'ancienne façon de travailler", "decider": "Qui décide du retour",
                      "delay_days": "Délai de retour", "tested_on": "Retour en arrière essayé le"},
    "deployment_wave": {"label": "Nom de la vague", "scope_kind": "Périmètre", "scope": "Territoire ou service",
                        "share": "Part", "start_date": "Début de la vague", "criteria": "Critères de réussite",
                        "periods": "Périodes de suivi"},
    "supplier_contract": {"reference": "Référence du contrat", "supplier": "Fournisseur ou délégataire",
                          "start_date": "Début du contrat", "end_date": "Fin du contrat", "renewal": "Reconduction",
                          "notice_days": "Préavis", "notes": "Notes"},
}
FIELD_LABELS |= {"obligation": {"due_date": "échéance", "obligation_id": "obligation", "owner_id": "responsable",
                                 "status": "statut", "notes": "notes"}}
#: Fields of any entity that no label list names.
COMMON_FIELDS = {"status": "statut", "owner_id": "responsable", "lead_id": "chef de projet", "sponsor_id": "commanditaire",
                 "due_date": "échéance", "start_date": "date de début", "end_date": "date de fin", "version": "version",
                 "policy_version": "version des règles", "input_fingerprint": "empreinte des données",
                 "reference_id": "référence", "analysis_run_id": "exécution d'analyse", "year": "année",
                 "stage": "étape", "notes": "notes", "name": "nom", "title": "titre", "active": "actif",
                 "module_key": "module", "module": "module", "params": "paramètres", "drift_settings": "réglages de dérive",
                 "outcome_settings": "réglages des résultats", "cadence_days": "fréquence des contrôles (jours)"}
# analysis
ENTITIES |= {"analysis_binding": "l'association à un module d'analyse", "analysis_run": "l'exécution d'analyse"}
ACTIONS |= {"bind_module": "a créé ou changé", "unbind_module": "a retiré", "run_analysis": "a lancé",
            "finish_analysis": "a terminé", "set_reference_run": "a choisi comme référence de suivi"}
# administration, notifications, import
ENTITIES |= {"database": "la base de données", "organisation": "la fiche de la collectivité",
             "notification": "une notification", "notification_delivery": "l'envoi de notification",
             "import_mapping": "une correspondance de colonnes pour l'import"}
ACTIONS |= {"backup": "a sauvegardé", "restore": "a restauré", "save_import_mapping": "a enregistré",
            "mark_read": "a marqué comme lues les notifications de", "mark_done": "a marqué comme traitée",
            "send_notification": "a effectué", "notification_failed": "a constaté l'échec de",
            "retry_notification": "a relancé", "set_notification_preference": "a changé les préférences de "
                                                                             "notification de",
            "acknowledge_alert": "a pris en compte", "close_alert": "a clos"}
# sentences that read better whole than as verb + object ({id}: the entity's number)
PHRASES = {
    ("classify", "classification"): "a enregistré la classification n° {id} (questionnaire)",
    ("configure_monitoring", "monitoring_config"): "a paramétré le suivi (configuration n° {id})",
    ("bind_module", "analysis_binding"): "a relié un module d'analyse au cas d'usage (lien n° {id})",
    ("unbind_module", "analysis_binding"): "a retiré un module d'analyse du cas d'usage (lien n° {id})",
    ("send_notification", "notification_delivery"): "a envoyé la notification (envoi n° {id})",
    ("notification_failed", "notification_delivery"): "n'a pas pu envoyer la notification (envoi n° {id})",
    ("retry_notification", "notification_delivery"): "a relancé l'envoi de notification n° {id}",
    ("mark_read", "notification"): "a marqué ses notifications comme lues",
    ("set_notification_preference", "person"): "a changé les préférences de notification d'une personne n° {id}",
    ("create", "organisation"): "a renseigné la fiche de la collectivité",
    ("backup", "database"): "a sauvegardé la base de données",
    ("restore", "database"): "a restauré la base de données",
    ("save_import_mapping", "import_mapping"): "a enregistré une correspondance de colonnes pour l'import",
}
# entities whose number means nothing to a reader
UNNUMBERED = {"organisation", "database", "import_mapping"}
# export formats, named for a reader
EXPORT_FORMATS = {"csv": "CSV", "xlsx": "Excel", "json": "JSON", "pdf": "PDF", "md": "Markdown", "markdown": "Markdown",
                  "docx": "Word", "odt": "OpenDocument", "html": "HTML", "eurocities_json": "JSON Eurocities",
                  "eurocities_csv": "CSV Eurocities", "algoritmeregister_json": "JSON du registre néerlandais",
                  "algoritmeregister_csv": "CSV du registre néerlandais"}


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
    phrase = PHRASES.get((ev.action, ev.entity))
    if phrase is not None:
        return _elide(phrase.format(id=ev.entity_id))
    verb = ACTIONS.get(ev.action, ev.action)
    what = ENTITIES.get(ev.entity, ev.entity)
    if ev.action == "export":  # the entity id of an export is its format
        fmt = EXPORT_FORMATS.get(ev.entity_id, ev.entity_id.replace("_", " ").upper())
        return _elide(f"{verb} {what} (format {fmt})")
    changed = sorted(_field_label(ev.entity, f) for f in changed_fields(ev))
    more = f" et {len(changed) - 5} autres" if len(changed) > 5 else ""
    suffix = f" ({', '.join(changed[:5])}{more})" if changed and ev.action == "update" else ""
    number = "" if ev.entity in UNNUMBERED else f" n° {ev.entity_id}"
    return _elide(f"{verb} {what}{number}{suffix}")


_ELISIONS = ((" de une ", " d'une "), (" de un ", " d'un "), (" de le ", " du "), (" de les ", " des "),
             (" à le ", " au "), (" à les ", " aux "))


def _elide(text: str) -> str:
    """French contractions where a verb ending in « de » / « à » meets an article."""
    for plain, contracted in _ELISIONS:
        text = text.replace(plain, contracted)
    return text


def _field_label(entity: str, field: str) -> str:
    """« Valeur mesurée » for ``measured``; a unit or range in brackets is left out of the sentence."""
    label = FIELD_LABELS.get(entity, {}).get(field) or COMMON_FIELDS.get(field)
    if not label:
        return field.replace("_", " ")
    label = re.sub(r"\s*\([^)]*\)$", "", label)
    return label[0].lower() + label[1:] if label[1:2].islower() else label  # « RGPD » stays as it is


def changed_fields(ev: AuditEventView) -> list[str]:
    try:
        payload = json.loads(ev.payload)
    except ValueError:
        return []
    after = payload.get("after") or {}
    return sorted(after) if isinstance(after, dict) else []


@cache
def _enum_labels() -> dict[str, str]:
    """Every coded value of the vocabulary (``framing``, ``in_house``) with its French label."""
    from policies import vocabulary

    out: dict[str, str] = {}
    for obj in vars(vocabulary).values():
        if isinstance(obj, type) and issubclass(obj, Enum):
            for member in obj:
                label = getattr(member, "label", None)
                if isinstance(label, str):
                    out.setdefault(str(member.value), label)
    return out


def _value_text(value: object) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int | float):
        return fmt_number(value, 0 if float(value).is_integer() else 2)
    if isinstance(value, list):
        return ", ".join(_value_text(v) for v in value)
    if isinstance(value, dict):
        return "…"
    text = str(value)
    if _ISO.match(text):
        return fmt_date(dt.datetime.fromisoformat(text))
    return _enum_labels().get(text) or _module_titles().get(text) or (text if len(text) <= 80 else text[:79] + "…")


@cache
def _module_titles() -> dict[str, str]:
    from usecases import registry

    return {key: module.title for key, module in registry.load().items()}


def change_text(ev: AuditEventView) -> str:
    """What an event changed, in French: « étape : idée → cadrage ; coût : 22 000 → 25 000 »."""
    try:
        payload = json.loads(ev.payload)
    except ValueError:
        return ""
    before = payload.get("before") if isinstance(payload.get("before"), dict) else {}
    after = payload.get("after") if isinstance(payload.get("after"), dict) else {}
    if not before:  # a creation: the description says what was created, the export holds its values
        return ""
    parts = []
    for field in sorted(set(before) | set(after)):
        if field in ("version", "updated_at", "created_at") or before.get(field) == after.get(field):
            continue
        old, new = _value_text(before.get(field)), _value_text(after.get(field))
        change = f"{old} → {new}" if field in before and field in after else new if field in after else old
        parts.append(f"{_field_label(ev.entity, field)} : {change}")
    return " ; ".join(parts)
