"""The sheet's « Transparence » section: what the transparency standards and the CRPA explanation ask
that the rest of the sheet does not say (validated input and its French labels)."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from portal.services.field_types import OptLongText, OptText200, Text200, _blank_to_none

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
