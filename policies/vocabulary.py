"""Governance vocabulary shared by every layer: stages, families, roles, actions, risk terms.

Codes are English and stable (they are stored in the database); French labels are what the
portal shows. Nothing here imports a framework, so the ORM, the services and the UI can all
depend on it without depending on each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class LabelledEnum(StrEnum):
    """A string enum whose members carry a French label (``label``) for the UI."""

    @property
    def label(self) -> str:
        return LABELS_FR.get((type(self).__name__, self.value), str(self.value))

    @classmethod
    def choices(cls) -> list[str]:
        return [m.value for m in cls]


class Stage(LabelledEnum):
    IDEA = "idea"
    FRAMING = "framing"
    PILOT = "pilot"
    EVALUATION = "evaluation"
    DEPLOYED = "deployed"
    SUSPENDED = "suspended"
    RETIRED = "retired"


#: The forward path a use case walks; each move along it passes a gate.
FORWARD_PATH: tuple[Stage, ...] = (
    Stage.IDEA,
    Stage.FRAMING,
    Stage.PILOT,
    Stage.EVALUATION,
    Stage.DEPLOYED,
)

#: Stages in which a use case touches real people or real decisions, and so must be monitored.
ACTIVE_STAGES: frozenset[Stage] = frozenset({Stage.PILOT, Stage.EVALUATION, Stage.DEPLOYED})


class Family(LabelledEnum):
    DECISION_SUPPORT = "decision_support"
    RESIDENT_RELATIONS = "resident_relations"
    OPERATIONS = "operations"
    CONTRACTS_FINANCE = "contracts_finance"


class PublicDomain(LabelledEnum):
    """The policy domain an algorithm serves: the 21 domains of the Eurocities algorithmic
    transparency standard (v0.3.1), with French labels. Families say what kind of use it is; the
    domain says which public policy it serves."""

    TAXES = "taxes"
    HOUSING = "housing"
    CULTURE_SPORT = "culture_sport"
    DEFENCE = "defence"
    ECONOMY = "economy"
    FAMILY_YOUTH = "family_youth"
    FINANCE = "finance"
    GENERIC = "generic"
    HEALTH = "health"
    IMMIGRATION = "immigration"
    INTERNATIONAL = "international"
    AGRICULTURE = "agriculture"
    ENVIRONMENT = "environment"
    EDUCATION = "education"
    PUBLIC_SAFETY = "public_safety"
    GOVERNMENT = "government"
    JUSTICE = "justice"
    ABROAD = "abroad"
    BENEFITS = "benefits"
    TRANSPORT = "transport"
    WORK = "work"


class Role(LabelledEnum):
    DIRECTOR = "director"
    PROJECT_LEAD = "project_lead"
    COMPLIANCE = "compliance"
    ADMIN = "admin"
    READER = "reader"


class Provider(LabelledEnum):
    IN_HOUSE = "in_house"
    VENDOR = "vendor"
    DELEGATE = "delegate"


class Automation(LabelledEnum):
    """How far the system goes on its own, and so what the human does."""

    INFORMATION = "information"
    RECOMMENDATION = "recommendation"
    DECISION_REVIEWED = "decision_reviewed"
    AUTOMATED = "automated"


class DataOrigin(LabelledEnum):
    INTERNAL = "internal"
    PARTNER = "partner"
    OPEN_DATA = "open_data"


class RiskCategory(LabelledEnum):
    LEGAL = "legal"
    PRIVACY = "privacy"
    BIAS = "bias"
    QUALITY = "quality"
    SECURITY = "security"
    DEPENDENCY = "dependency"
    ACCEPTANCE = "acceptance"
    OPERATIONAL = "operational"


class RiskStatus(LabelledEnum):
    OPEN = "open"
    MITIGATING = "mitigating"
    ACCEPTED = "accepted"
    CLOSED = "closed"


class Action(LabelledEnum):
    """Every mutation (and the sensitive reads) a principal can attempt."""

    # register
    CREATE_USE_CASE = "create_use_case"
    EDIT_USE_CASE = "edit_use_case"
    CLEAR_LEAD = "clear_lead"
    MANAGE_DATA_SOURCES = "manage_data_sources"
    MANAGE_RISKS = "manage_risks"
    EXPORT_REGISTER = "export_register"
    # governance
    ANSWER_QUESTIONNAIRE = "answer_questionnaire"
    VALIDATE_CLASSIFICATION = "validate_classification"
    MANAGE_OBLIGATIONS = "manage_obligations"
    REQUEST_GATE = "request_gate"
    DECIDE_GATE = "decide_gate"
    SUSPEND_USE_CASE = "suspend_use_case"
    RECORD_REVIEW = "record_review"
    PUBLISH_REGISTER = "publish_register"
    # portfolio
    SET_SCORING_WEIGHTS = "set_scoring_weights"
    SCORE_USE_CASE = "score_use_case"
    MANAGE_BUDGET = "manage_budget"
    SAVE_SCENARIO = "save_scenario"
    # analysis and monitoring
    BIND_MODULE = "bind_module"
    RUN_ANALYSIS = "run_analysis"
    SET_REFERENCE_RUN = "set_reference_run"
    CONFIGURE_MONITORING = "configure_monitoring"
    RUN_MONITORING = "run_monitoring"
    RECORD_OUTCOMES = "record_outcomes"
    ACKNOWLEDGE_ALERT = "acknowledge_alert"
    # deployment in waves, bought and delegated AI
    PLAN_DEPLOYMENT = "plan_deployment"
    DECIDE_WAVE = "decide_wave"
    ROLL_BACK = "roll_back"
    MANAGE_PROCUREMENT = "manage_procurement"
    # identity and audit
    MANAGE_PEOPLE = "manage_people"
    MANAGE_ORGANISATION = "manage_organisation"
    REVOKE_SESSION = "revoke_session"
    VIEW_AUDIT = "view_audit"
    # needs, agents and residents
    SUBMIT_NEED = "submit_need"
    TRIAGE_NEED = "triage_need"
    RECORD_ADOPTION = "record_adoption"
    RECORD_RESIDENT_MEASURES = "record_resident_measures"


_LABELS: dict[StrEnum, str] = {
    Stage.IDEA: "Idée",
    Stage.FRAMING: "Cadrage",
    Stage.PILOT: "Expérimentation",
    Stage.EVALUATION: "Évaluation",
    Stage.DEPLOYED: "Déployé",
    Stage.SUSPENDED: "Suspendu",
    Stage.RETIRED: "Retiré",
    Family.DECISION_SUPPORT: "Aide à la décision et pilotage",
    Family.RESIDENT_RELATIONS: "Relation usagers",
    Family.OPERATIONS: "Services opérationnels",
    Family.CONTRACTS_FINANCE: "Gestion contractuelle et financière",
    PublicDomain.TAXES: "Fiscalité",
    PublicDomain.HOUSING: "Logement, urbanisme et cadre de vie",
    PublicDomain.CULTURE_SPORT: "Culture, sport et loisirs",
    PublicDomain.DEFENCE: "Défense",
    PublicDomain.ECONOMY: "Économie et entreprises",
    PublicDomain.FAMILY_YOUTH: "Famille, jeunesse et foyers",
    PublicDomain.FINANCE: "Finances",
    PublicDomain.GENERIC: "Transversal",
    PublicDomain.HEALTH: "Santé et soins",
    PublicDomain.IMMIGRATION: "Immigration et intégration",
    PublicDomain.INTERNATIONAL: "Coopération internationale et aide au développement",
    PublicDomain.AGRICULTURE: "Agriculture, nature et alimentation",
    PublicDomain.ENVIRONMENT: "Environnement, aménagement et eau",
    PublicDomain.EDUCATION: "Éducation et recherche",
    PublicDomain.PUBLIC_SAFETY: "Sécurité et ordre public",
    PublicDomain.GOVERNMENT: "Administration et institutions",
    PublicDomain.JUSTICE: "Justice",
    PublicDomain.ABROAD: "Voyager, vivre et travailler à l'étranger",
    PublicDomain.BENEFITS: "Aides, prestations et subventions",
    PublicDomain.TRANSPORT: "Transports et mobilité",
    PublicDomain.WORK: "Emploi et carrière",
    Role.DIRECTOR: "Direction générale",
    Role.PROJECT_LEAD: "Chef de projet",
    Role.COMPLIANCE: "Conformité",
    Role.ADMIN: "Administrateur",
    Role.READER: "Lecteur",
    Provider.IN_HOUSE: "Interne",
    Provider.VENDOR: "Éditeur / prestataire",
    Provider.DELEGATE: "Délégataire",
    Automation.INFORMATION: "Information (aucune décision)",
    Automation.RECOMMENDATION: "Recommandation à un agent",
    Automation.DECISION_REVIEWED: "Décision proposée, validée par un agent",
    Automation.AUTOMATED: "Décision automatisée",
    DataOrigin.INTERNAL: "Interne",
    DataOrigin.PARTNER: "Partenaire",
    DataOrigin.OPEN_DATA: "Donnée ouverte",
    RiskCategory.LEGAL: "Juridique",
    RiskCategory.PRIVACY: "Données personnelles",
    RiskCategory.BIAS: "Biais / équité",
    RiskCategory.QUALITY: "Qualité des données",
    RiskCategory.SECURITY: "Sécurité",
    RiskCategory.DEPENDENCY: "Dépendance fournisseur",
    RiskCategory.ACCEPTANCE: "Acceptabilité",
    RiskCategory.OPERATIONAL: "Opérationnel",
    RiskStatus.OPEN: "Ouvert",
    RiskStatus.MITIGATING: "En traitement",
    RiskStatus.ACCEPTED: "Accepté",
    RiskStatus.CLOSED: "Clos",
    Action.CREATE_USE_CASE: "créer un cas d'usage",
    Action.EDIT_USE_CASE: "modifier un cas d'usage",
    Action.CLEAR_LEAD: "laisser un cas d'usage sans chef de projet",
    Action.MANAGE_DATA_SOURCES: "gérer les sources de données",
    Action.MANAGE_RISKS: "gérer les risques",
    Action.EXPORT_REGISTER: "exporter le registre",
    Action.ANSWER_QUESTIONNAIRE: "renseigner le questionnaire de classification",
    Action.VALIDATE_CLASSIFICATION: "valider la classification",
    Action.MANAGE_OBLIGATIONS: "gérer les obligations",
    Action.REQUEST_GATE: "demander un passage d'étape",
    Action.DECIDE_GATE: "décider d'un passage d'étape",
    Action.SUSPEND_USE_CASE: "suspendre ou retirer un cas d'usage",
    Action.RECORD_REVIEW: "enregistrer une revue périodique",
    Action.PUBLISH_REGISTER: "publier le registre des algorithmes",
    Action.SET_SCORING_WEIGHTS: "régler les pondérations de priorisation",
    Action.SCORE_USE_CASE: "noter un cas d'usage",
    Action.MANAGE_BUDGET: "gérer le budget",
    Action.SAVE_SCENARIO: "enregistrer un scénario",
    Action.BIND_MODULE: "associer un module d'analyse",
    Action.RUN_ANALYSIS: "lancer une analyse",
    Action.SET_REFERENCE_RUN: "choisir l'exécution de référence",
    Action.CONFIGURE_MONITORING: "configurer le suivi",
    Action.RUN_MONITORING: "lancer un contrôle de suivi",
    Action.RECORD_OUTCOMES: "enregistrer des résultats",
    Action.ACKNOWLEDGE_ALERT: "traiter une alerte",
    Action.PLAN_DEPLOYMENT: "planifier le déploiement par vagues",
    Action.DECIDE_WAVE: "décider du lancement d'une vague de déploiement",
    Action.ROLL_BACK: "revenir en arrière sur un déploiement",
    Action.MANAGE_PROCUREMENT: "renseigner le contrat et les documents du fournisseur",
    Action.MANAGE_PEOPLE: "gérer les personnes et les rôles",
    Action.MANAGE_ORGANISATION: "renseigner les informations de la collectivité",
    Action.REVOKE_SESSION: "révoquer une session",
    Action.VIEW_AUDIT: "consulter le journal d'audit",
    Action.SUBMIT_NEED: "exprimer un besoin de service",
    Action.TRIAGE_NEED: "traiter les besoins des services",
    Action.RECORD_ADOPTION: "enregistrer les usages, formations et retours des agents",
    Action.RECORD_RESIDENT_MEASURES: "enregistrer les mesures de qualité de service aux usagers",
}


# Keyed by (enum name, value): StrEnum members hash like their strings, so two enums sharing a
# value would otherwise share a label.
LABELS_FR: dict[tuple[str, str], str] = {(type(k).__name__, k.value): v for k, v in _LABELS.items()}


def risk_level(likelihood: int, severity: int) -> str:
    """Criticity band of a likelihood × severity pair on 1–5 scales: low, medium, high or critical."""
    score = likelihood * severity
    if score >= 16:
        return "critical"
    if score >= 10:
        return "high"
    if score >= 5:
        return "medium"
    return "low"


RISK_LEVEL_FR = {"low": "Faible", "medium": "Modéré", "high": "Élevé", "critical": "Critique"}


@dataclass(frozen=True)
class Principal:
    """Who acts: a person of the register with the roles Vigie's database gives them."""

    person_id: int
    display_name: str
    roles: frozenset[Role] = field(default_factory=frozenset)

    def has(self, *roles: Role) -> bool:
        return any(r in self.roles for r in roles)


#: The principal under which the command line and the demo seeding act.
SYSTEM_PERSON_ID = 0


class ColumnKind(LabelledEnum):
    """The kind of a data column, as analysis modules declare it and monitoring compares it."""

    NUMERICAL = "numerical"
    CATEGORICAL = "categorical"
    DATETIME = "datetime"
    TEXT = "text"
    BOOLEAN = "boolean"


# --- Governance engine terms (policies.ai_act, .impact, .obligations, .gates) -----------------


class AiActClass(LabelledEnum):
    """Risk class of a use case under the EU AI Act (Regulation (EU) 2024/1689 as amended)."""

    PROHIBITED = "prohibited"
    HIGH = "high"
    LIMITED = "limited"
    MINIMAL = "minimal"
    OUT_OF_SCOPE = "out_of_scope"


class AiActRole(LabelledEnum):
    """The collectivité's role under the AI Act (Art. 3(3), 3(4), 25)."""

    DEPLOYER = "deployer"
    PROVIDER = "provider"
    BOTH = "both"


class ImpactLevel(LabelledEnum):
    """Impact level I–IV (scored like Canada's AIA); drives approval authority and review cadence."""

    I = "I"  # noqa: E741 - the level's official name
    II = "II"
    III = "III"
    IV = "IV"

    @property
    def rank(self) -> int:
        return ("I", "II", "III", "IV").index(self.value) + 1

    @property
    def short_label(self) -> str:
        """« Niveau II »: for charts and tables where the full label does not fit."""
        return f"Niveau {self.value}"

    @classmethod
    def of_rank(cls, rank: int) -> ImpactLevel:
        return list(cls)[rank - 1]


#: What a use case's class or impact level reads before compliance has assessed it.
UNCLASSIFIED_FR = "Non classé"
IMPACT_NOT_ASSESSED_FR = "Non évalué"


@dataclass(frozen=True)
class RiskProfile:
    """What governance says of a use case's risk: its AI Act class and impact level, each None until
    a classification records it. The portfolio's risk penalty and monitoring's thresholds read it."""

    ai_class: AiActClass | None = None
    impact_level: ImpactLevel | None = None

    @property
    def class_label(self) -> str:
        return self.ai_class.label if self.ai_class else UNCLASSIFIED_FR

    @property
    def impact_label(self) -> str:
        return self.impact_level.label if self.impact_level else IMPACT_NOT_ASSESSED_FR


class ObligationStatus(LabelledEnum):
    TODO = "todo"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    NOT_APPLICABLE = "not_applicable"  # requires a written justification


class GateDecision(LabelledEnum):
    APPROVE = "approve"
    APPROVE_WITH_CONDITIONS = "approve_with_conditions"
    REFUSE = "refuse"
    SEND_BACK = "send_back"


class Authority(LabelledEnum):
    """Who approves a gate, in rising order (see policies/rules/gates.yaml)."""

    HEAD_OF_SERVICE = "head_of_service"
    GENERAL_DIRECTOR = "general_director"
    EXECUTIVE = "executive"
    COUNCIL = "council"

    @property
    def rank(self) -> int:
        return list(Authority).index(self) + 1


LABELS_FR.update(
    {
        (type(k).__name__, k.value): v
        for k, v in {
            ColumnKind.NUMERICAL: "numérique",
            ColumnKind.CATEGORICAL: "catégorielle",
            ColumnKind.DATETIME: "date",
            ColumnKind.TEXT: "texte",
            ColumnKind.BOOLEAN: "booléen",
            AiActClass.PROHIBITED: "Pratique interdite",
            AiActClass.HIGH: "Haut risque",
            AiActClass.LIMITED: "Risque limité (obligations de transparence)",
            AiActClass.MINIMAL: "Risque minimal",
            AiActClass.OUT_OF_SCOPE: "Hors champ (pas un système d'IA)",
            AiActRole.DEPLOYER: "Déployeur",
            AiActRole.PROVIDER: "Fournisseur",
            AiActRole.BOTH: "Fournisseur et déployeur",
            ImpactLevel.I: "Niveau I (impact faible)",
            ImpactLevel.II: "Niveau II (impact modéré)",
            ImpactLevel.III: "Niveau III (impact élevé)",
            ImpactLevel.IV: "Niveau IV (impact très élevé)",
            ObligationStatus.TODO: "À faire",
            ObligationStatus.IN_PROGRESS: "En cours",
            ObligationStatus.DONE: "Fait",
            ObligationStatus.NOT_APPLICABLE: "Non applicable (justifié)",
            GateDecision.APPROVE: "Approuver",
            GateDecision.APPROVE_WITH_CONDITIONS: "Approuver sous conditions",
            GateDecision.REFUSE: "Refuser",
            GateDecision.SEND_BACK: "Renvoyer pour compléments",
            Authority.HEAD_OF_SERVICE: "Chef de service",
            Authority.GENERAL_DIRECTOR: "Directeur général des services ou comité IA",
            Authority.EXECUTIVE: "Exécutif (maire, président ou élu délégué)",
            Authority.COUNCIL: "Assemblée délibérante (délibération du conseil)",
        }.items()
    }
)


class LegalBasis(LabelledEnum):
    """The six legal bases of RGPD art. 6(1); the codes are those of the RGPD engine.

    The register stores a data source's basis as its label (article first), so that a text written
    before the list existed still reads as it was written."""

    CONSENT = "consent"
    CONTRACT = "contract"
    LEGAL_OBLIGATION = "legal_obligation"
    VITAL_INTERESTS = "vital_interests"
    PUBLIC_TASK = "public_task"
    LEGITIMATE_INTEREST = "legitimate_interest"

    @classmethod
    def from_label(cls, text: str | None) -> LegalBasis | None:
        """The basis whose label, or code, ``text`` is exactly (spaces and case aside); None otherwise."""
        key = " ".join((text or "").split()).casefold()
        return next((m for m in cls if key in (m.label.casefold(), m.value)), None)


LABELS_FR.update(
    {
        (type(k).__name__, k.value): v
        for k, v in {
            LegalBasis.CONSENT: "6(1)(a) consentement de la personne",
            LegalBasis.CONTRACT: "6(1)(b) exécution d'un contrat ou mesures précontractuelles",
            LegalBasis.LEGAL_OBLIGATION: "6(1)(c) obligation légale",
            LegalBasis.VITAL_INTERESTS: "6(1)(d) sauvegarde des intérêts vitaux",
            LegalBasis.PUBLIC_TASK: "6(1)(e) mission d'intérêt public ou exercice de l'autorité publique",
            LegalBasis.LEGITIMATE_INTEREST: "6(1)(f) intérêt légitime (exclu pour une autorité publique "
                                            "dans l'exercice de ses missions)",
        }.items()
    }
)


# --- Needs, agents and residents ------------------------------------------------------------


class NeedStatus(LabelledEnum):
    """Where a service's need stands: open until triaged; merged into another, answered by a use case
    (a new idea or an existing one), or declined with the reason."""

    OPEN = "open"
    MERGED = "merged"
    ANSWERED = "answered"
    DECLINED = "declined"


class NeedFrequency(LabelledEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    YEARLY = "yearly"
    OCCASIONAL = "occasional"


class OverrideReason(LabelledEnum):
    """Why an agent set a suggestion aside: only the first says the system was wrong."""

    SUGGESTION_WRONG = "suggestion_wrong"
    MISSING_INFORMATION = "missing_information"
    AGENT_JUDGEMENT = "agent_judgement"
    OTHER = "other"


class ResidentMeasureKind(LabelledEnum):
    RESPONSE_TIME = "response_time"
    SATISFACTION = "satisfaction"
    COMPLAINTS = "complaints"
    OTHER = "other"


LABELS_FR.update(
    {
        (type(k).__name__, k.value): v
        for k, v in {
            NeedStatus.OPEN: "À traiter",
            NeedStatus.MERGED: "Fusionné avec un autre besoin",
            NeedStatus.ANSWERED: "Pris en charge par un cas d'usage",
            NeedStatus.DECLINED: "Non retenu (réponse motivée)",
            NeedFrequency.DAILY: "Tous les jours",
            NeedFrequency.WEEKLY: "Chaque semaine",
            NeedFrequency.MONTHLY: "Chaque mois",
            NeedFrequency.YEARLY: "Chaque année",
            NeedFrequency.OCCASIONAL: "Ponctuellement",
            OverrideReason.SUGGESTION_WRONG: "Suggestion erronée",
            OverrideReason.MISSING_INFORMATION: "Information manquante au système",
            OverrideReason.AGENT_JUDGEMENT: "Appréciation de l'agent (cas particulier)",
            OverrideReason.OTHER: "Autre raison",
            ResidentMeasureKind.RESPONSE_TIME: "Délai de réponse",
            ResidentMeasureKind.SATISFACTION: "Satisfaction (enquête)",
            ResidentMeasureKind.COMPLAINTS: "Réclamations",
            ResidentMeasureKind.OTHER: "Autre mesure de qualité de service",
        }.items()
    }
)
