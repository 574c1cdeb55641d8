"""What the register services accept (validated input) and return (plain read views)."""

from __future__ import annotations

import datetime as dt
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
from portal.services.field_types import (
    LongText,
    Money,
    OptLongText,
    OptText200,
    Score,
    Text200,
    _blank_to_none,
)
from portal.services.transparency_schemas import (  # noqa: F401 - re-exported
    MAX_OPERATIONS,
    MAX_PARAMETERS,
    PARAMETER_LABELS,
    TRANSPARENCY_LABELS,
    ParameterFields,
    TransparencyFields,
    parameters_text,
    transparency_fields_of,
)

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
