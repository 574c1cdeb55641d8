"""What the register services accept (validated input) and return (plain read views)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator, model_validator

from policies.rgpd import art9_exceptions
from policies.vocabulary import (
    Automation,
    DataOrigin,
    Family,
    Provider,
    PublicDomain,
    RiskCategory,
    RiskStatus,
    Role,
    Stage,
)

Text200 = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
OptText200 = Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=10_000)]
OptLongText = Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=10_000)]
Score = Annotated[int, Field(ge=1, le=5)]
Money = Annotated[float, Field(ge=0, le=1e10)]


def _blank_to_none(value: object) -> object:
    return None if isinstance(value, str) and not value.strip() else value


USE_CASE_LABELS = {
    "title": "Titre",
    "problem": "Problème auquel il répond",
    "family": "Famille",
    "domain": "Domaine d'action publique",
    "direction": "Direction",
    "service": "Service",
    "sponsor_id": "Commanditaire",
    "lead_id": "Chef de projet",
    "public_concerned": "Public concerné",
    "decisions_per_year": "Décisions par an",
    "automation": "Niveau d'automatisation",
    "human_role": "Rôle de l'agent",
    "provider_type": "Type de fournisseur",
    "provider_name": "Fournisseur",
    "expected_benefits": "Bénéfices attendus",
    "kpi_name": "Indicateur (KPI)",
    "kpi_unit": "Unité du KPI",
    "kpi_baseline": "Valeur de référence du KPI",
    "kpi_target": "Cible du KPI",
    "build_cost": "Coût de construction (€)",
    "run_cost_per_year": "Coût de fonctionnement annuel (€)",
    "start_date": "Date de début",
    "end_date": "Date de fin",
    "tags": "Mots-clés",
}


#: Bound on every list a form sends: a use case carries at most this many tags.
MAX_TAGS = 20


class UseCaseFields(BaseModel):
    """Every editable field of a use case; the stage moves only through gates, never here."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    title: Text200
    problem: LongText = ""
    family: Family
    domain: PublicDomain | None = None
    direction: Text200
    service: OptText200 = None
    sponsor_id: int | None = None
    lead_id: int | None = None
    public_concerned: OptLongText = None
    decisions_per_year: Annotated[int, Field(ge=0, le=100_000_000)] | None = None
    automation: Automation | None = None
    human_role: OptLongText = None
    provider_type: Provider | None = None
    provider_name: OptText200 = None
    expected_benefits: OptLongText = None
    kpi_name: OptText200 = None
    kpi_unit: Annotated[str | None, StringConstraints(max_length=50)] = None
    kpi_baseline: float | None = None
    kpi_target: float | None = None
    build_cost: Money | None = None
    run_cost_per_year: Money | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    tags: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]] = Field(
        default_factory=list, max_length=MAX_TAGS
    )

    @field_validator(
        "service", "public_concerned", "human_role", "provider_name", "expected_benefits", "kpi_name",
        "kpi_unit", "decisions_per_year", "kpi_baseline", "kpi_target", "build_cost", "run_cost_per_year",
        "start_date", "end_date", "automation", "provider_type", "sponsor_id", "lead_id", "domain",
        mode="before",
    )
    @classmethod
    def _blank(cls, value: object) -> object:
        return _blank_to_none(value)

    @field_validator("tags", mode="before")
    @classmethod
    def _split_tags(cls, value: object) -> object:
        if isinstance(value, str):
            return [t for t in (p.strip() for p in value.split(",")) if t]
        return value

    @model_validator(mode="after")
    def _dates_in_order(self) -> UseCaseFields:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("la date de fin précède la date de début")
        return self


#: What the transparency standards (Eurocities v0.3.1, the Dutch register) and the CRPA explanation
#: (R311-3-1-2) ask that the rest of the sheet does not say, with their French labels.
TRANSPARENCY_LABELS = {
    "contact_phone": "Téléphone du contact",
    "proportionality": "Proportionnalité",
    "training_data": "Données d'entraînement",
    "data_bias": "Biais des données",
    "technical_description": "Description technique",
    "methods_and_models": "Méthodes et modèles",
    "performance": "Performance",
    "alternatives_considered": "Alternatives envisagées",
    "product_information": "Informations sur le produit",
    "codebase_url": "Code source (adresse)",
    "product_page": "Page du produit (adresse)",
    "dpia_summary": "AIPD : synthèse",
    "dpia_url": "AIPD (adresse)",
    "aia_summary": "Analyse d'impact algorithmique : synthèse",
    "aia_url": "Analyse d'impact algorithmique (adresse)",
    "monitoring_summary": "Suivi du fonctionnement",
    "rollback": "Retour arrière",
    "remark": "Remarque",
    "parameters": "Paramètres traités et pondération",
    "operations": "Opérations effectuées",
}
PARAMETER_LABELS = {"name": "Paramètre", "source": "Source", "weight": "Pondération"}
#: Bounds on the lists of the CRPA explanation.
MAX_PARAMETERS = 50
MAX_OPERATIONS = 30

Url = Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=500)]


class ParameterFields(BaseModel):
    """One parameter the processing weighs: its name, where it comes from, its weight (words or a number)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)

    name: Text200
    source: OptText200 = None
    weight: OptText200 = None

    @field_validator("source", "weight", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value).replace(".", ",")
        return _blank_to_none(value)


def parameters_text(parameters: list[dict[str, object]] | tuple[ParameterFields, ...] | None) -> str:
    """The parameters one per line, « nom ; source ; pondération », as the sheet's form shows them."""
    out = []
    for p in parameters or ():
        d = p.model_dump() if isinstance(p, ParameterFields) else p
        out.append(" ; ".join(str(d.get(k) or "") for k in ("name", "source", "weight")).rstrip(" ;"))
    return "\n".join(out)


def _parameter_lines(text: str) -> list[dict[str, str]]:
    out = []
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.split(";")]
        if len(parts) > 3:
            raise ValueError(f"ligne {i} : trois parties au plus, « nom ; source ; pondération »")
        if not parts[0]:
            raise ValueError(f"ligne {i} : le nom du paramètre manque")
        out.append(dict(zip(("name", "source", "weight"), parts, strict=False)))
    return out


class TransparencyFields(BaseModel):
    """The « Transparence » section of the sheet: every field is optional, a complete one exports complete."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    contact_phone: Annotated[str | None, StringConstraints(strip_whitespace=True, max_length=50)] = None
    proportionality: OptLongText = None
    training_data: OptLongText = None
    data_bias: OptLongText = None
    technical_description: OptLongText = None
    methods_and_models: OptLongText = None
    performance: OptLongText = None
    alternatives_considered: OptLongText = None
    product_information: OptLongText = None
    codebase_url: Url = None
    product_page: Url = None
    dpia_summary: OptLongText = None
    dpia_url: Url = None
    aia_summary: OptLongText = None
    aia_url: Url = None
    monitoring_summary: OptLongText = None
    rollback: OptLongText = None
    remark: OptLongText = None
    parameters: list[ParameterFields] = Field(default_factory=list, max_length=MAX_PARAMETERS)
    operations: list[Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]] = \
        Field(default_factory=list, max_length=MAX_OPERATIONS)

    @field_validator(*[f for f in TRANSPARENCY_LABELS if f not in ("parameters", "operations")], mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return _blank_to_none(value)

    @field_validator("contact_phone", mode="after")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        if value is not None and (sum(c.isdigit() for c in value) < 4 or re.search(r"[^0-9+().\s-]", value)):
            raise ValueError("numéro de téléphone attendu (exemple : 02 47 00 00 00)")
        return value

    @field_validator("codebase_url", "product_page", "dpia_url", "aia_url", mode="after")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        if value is not None and (not value.startswith(("https://", "http://")) or " " in value or len(value) < 12):
            raise ValueError("adresse web attendue, commençant par https://")
        return value

    @field_validator("parameters", mode="before")
    @classmethod
    def _parameters(cls, value: object) -> object:
        """A text, one parameter a line (« nom ; source ; pondération »), or a list of mappings."""
        if value is None:
            return []
        if isinstance(value, str):
            return _parameter_lines(value)
        return value

    @field_validator("operations", mode="before")
    @classmethod
    def _operations(cls, value: object) -> object:
        """A text, one operation a line (a leading « 1. » or « - » is dropped), or a list."""
        if value is None:
            return []
        if isinstance(value, str):
            return [re.sub(r"^(\d+[.)]|[-•*])\s*", "", line.strip()) for line in value.splitlines() if line.strip()]
        return value


def transparency_fields_of(obj: object) -> dict[str, object]:
    """The values of :class:`TransparencyFields` on a row or a view (lists empty rather than NULL)."""
    out = {name: getattr(obj, name, None) for name in TransparencyFields.model_fields}
    out["parameters"] = [p.model_dump() if isinstance(p, ParameterFields) else dict(p)
                         for p in out["parameters"] or ()]
    out["operations"] = list(out["operations"] or ())
    return out


class SheetFields(UseCaseFields, TransparencyFields):
    """A whole new sheet, as a creation or an import gives it: the use case and its transparency."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)


SHEET_LABELS = USE_CASE_LABELS | TRANSPARENCY_LABELS


DATA_SOURCE_LABELS = {
    "name": "Nom de la source",
    "producer": "Producteur",
    "origin": "Origine",
    "personal_data": "Données personnelles",
    "sensitive_data": "Données sensibles",
    "legal_basis": "Base légale",
    "art9_exception": "Exception de l'art. 9(2) RGPD",
    "retention": "Durée de conservation",
    "quality_notes": "Notes sur la qualité",
}


class DataSourceFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    name: Text200
    producer: OptText200 = None
    origin: DataOrigin
    personal_data: bool = False
    sensitive_data: bool = False
    legal_basis: OptText200 = None
    art9_exception: str | None = None
    retention: OptText200 = None
    quality_notes: OptLongText = None

    @field_validator("producer", "legal_basis", "art9_exception", "retention", "quality_notes", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return _blank_to_none(value)

    @field_validator("art9_exception")
    @classmethod
    def _known_exception(cls, value: str | None) -> str | None:
        known = art9_exceptions()
        if value is not None and value not in known:
            raise ValueError(f"exception inconnue « {value} » (attendu : {', '.join(known)})")
        return value

    @model_validator(mode="after")
    def _sensitive_is_personal(self) -> DataSourceFields:
        if self.sensitive_data and not self.personal_data:
            raise ValueError("des données sensibles sont des données personnelles : cochez aussi « Données personnelles »")
        if self.art9_exception and not self.sensitive_data:
            raise ValueError("une exception de l'art. 9(2) ne concerne que des données sensibles : cochez "
                             "« Données sensibles » ou retirez l'exception")
        return self


RISK_LABELS = {
    "category": "Catégorie",
    "description": "Description",
    "likelihood": "Vraisemblance (1–5)",
    "severity": "Gravité (1–5)",
    "mitigation": "Mesure d'atténuation",
    "owner_id": "Responsable",
    "status": "Statut",
    "residual_likelihood": "Vraisemblance résiduelle (1–5)",
    "residual_severity": "Gravité résiduelle (1–5)",
}


class RiskFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    category: RiskCategory
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
    likelihood: Score
    severity: Score
    mitigation: OptLongText = None
    owner_id: int | None = None
    status: RiskStatus = RiskStatus.OPEN
    residual_likelihood: Score | None = None
    residual_severity: Score | None = None

    @field_validator("mitigation", "owner_id", "residual_likelihood", "residual_severity", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return _blank_to_none(value)


PERSON_LABELS = {
    "display_name": "Nom",
    "email": "Courriel",
    "direction": "Direction",
    "job_title": "Fonction",
    "issuer": "Fournisseur d'identité (issuer)",
    "subject": "Identifiant chez le fournisseur (sub)",
    "roles": "Rôles",
}


class PersonFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, allow_inf_nan=False)

    display_name: Text200
    email: Annotated[str | None, StringConstraints(max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] = None
    direction: OptText200 = None
    job_title: OptText200 = None
    issuer: Annotated[str | None, StringConstraints(max_length=500)] = None
    subject: Annotated[str | None, StringConstraints(max_length=255)] = None
    roles: list[Role] = Field(default_factory=list, max_length=len(Role))

    @field_validator("email", "direction", "job_title", "issuer", "subject", mode="before")
    @classmethod
    def _blank(cls, value: object) -> object:
        return _blank_to_none(value)


# ---- read views ----------------------------------------------------------------------------


class View(BaseModel):
    model_config = ConfigDict(from_attributes=True, frozen=True)


class PersonView(View):
    id: int
    display_name: str
    email: str | None
    direction: str | None
    job_title: str | None
    issuer: str | None
    subject: str | None
    active: bool
    roles: tuple[Role, ...] = ()
    #: Of ``roles``, those the group mapping granted (and revokes when the group leaves the token).
    group_roles: tuple[Role, ...] = ()
    version: int


class DataSourceView(View):
    id: int
    use_case_id: int
    name: str
    producer: str | None
    origin: DataOrigin
    personal_data: bool
    sensitive_data: bool
    legal_basis: str | None
    art9_exception: str | None = None
    retention: str | None
    quality_notes: str | None
    version: int


class RiskView(View):
    id: int
    use_case_id: int
    category: RiskCategory
    description: str
    likelihood: int
    severity: int
    mitigation: str | None
    owner_id: int | None
    status: RiskStatus
    residual_likelihood: int | None
    residual_severity: int | None
    version: int

    @property
    def score(self) -> int:
        return self.likelihood * self.severity


class UseCaseView(View):
    id: int
    reference: str
    title: str
    problem: str
    family: Family
    domain: PublicDomain | None = None
    direction: str
    service: str | None
    sponsor_id: int | None
    lead_id: int | None
    stage: Stage
    public_concerned: str | None
    decisions_per_year: int | None
    automation: Automation | None
    human_role: str | None
    provider_type: Provider | None
    provider_name: str | None
    expected_benefits: str | None
    kpi_name: str | None
    kpi_unit: str | None
    kpi_baseline: float | None
    kpi_target: float | None
    build_cost: float | None
    run_cost_per_year: float | None
    start_date: dt.date | None
    end_date: dt.date | None
    tags: tuple[str, ...] = ()
    contact_phone: str | None = None
    proportionality: str | None = None
    training_data: str | None = None
    data_bias: str | None = None
    technical_description: str | None = None
    methods_and_models: str | None = None
    performance: str | None = None
    alternatives_considered: str | None = None
    product_information: str | None = None
    codebase_url: str | None = None
    product_page: str | None = None
    dpia_summary: str | None = None
    dpia_url: str | None = None
    aia_summary: str | None = None
    aia_url: str | None = None
    monitoring_summary: str | None = None
    rollback: str | None = None
    remark: str | None = None
    parameters: tuple[ParameterFields, ...] = ()
    operations: tuple[str, ...] = ()
    created_at: dt.datetime
    updated_at: dt.datetime
    version: int
    sponsor_name: str | None = None
    lead_name: str | None = None
    data_sources: tuple[DataSourceView, ...] = ()
    risks: tuple[RiskView, ...] = ()

    def editable_fields(self) -> dict[str, object]:
        """The current values of :class:`UseCaseFields`, to prefill an edit form."""
        return {name: getattr(self, name) for name in UseCaseFields.model_fields}

    def transparency(self) -> dict[str, object]:
        """The current values of :class:`TransparencyFields`, to prefill the « Transparence » form."""
        return transparency_fields_of(self)

    @field_validator("parameters", "operations", mode="before")
    @classmethod
    def _none_is_empty(cls, value: object) -> object:
        return () if value is None else value


class AuditEventView(View):
    seq: int
    at: dt.datetime
    actor_id: int | None
    actor_name: str
    action: str
    entity: str
    entity_id: str
    use_case_id: int | None
    payload: str
    hash: str
    prev_hash: str = ""  # identity: exported with the event
