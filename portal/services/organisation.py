"""The collectivité's own facts, set once by an administrator and read everywhere: the CRPA
questionnaire (staff and population thresholds), the CRPA notice and explanation letter
(administration, contact), the public register and the board report (its name)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy.orm import Session, sessionmaker

from policies.access import require
from policies.vocabulary import Action, Principal
from portal.db.models import Organisation
from portal.repositories import organisation as repo
from portal.services import audit
from portal.services.errors import StaleEdit
from portal.services.validation import validate

LABELS = {
    "name": "Nom de la collectivité",
    "population": "Population",
    "staff_fte": "Effectif (ETP)",
    "contact": "Contact pour les demandes d'explication",
    "dpo_name": "Délégué à la protection des données",
    "dpo_contact": "Contact du délégué à la protection des données",
    "is_territorial_collectivity": "Collectivité territoriale",
}

UNNAMED = "Collectivité (nom à renseigner, page Administration)"

STALE = ("Les informations de la collectivité ont été modifiées par quelqu'un d'autre depuis leur affichage : "
         "rechargez la page pour voir la version actuelle.")


class OrganisationFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, StringConstraints(min_length=2, max_length=200)]
    population: Annotated[int | None, Field(ge=0, le=100_000_000)] = None
    staff_fte: Annotated[int | None, Field(ge=0, le=1_000_000)] = None
    contact: Annotated[str, StringConstraints(max_length=300)] = ""
    dpo_name: Annotated[str, StringConstraints(max_length=200)] = ""
    dpo_contact: Annotated[str, StringConstraints(max_length=300)] = ""
    is_territorial_collectivity: bool = True


class OrganisationView(OrganisationFields):
    model_config = ConfigDict(from_attributes=True, frozen=True)

    #: 0 while nothing has been set (the form then creates the row)
    version: int = 0

    @property
    def complete(self) -> bool:
        return bool(self.name and self.contact and self.staff_fte is not None and self.population is not None)

    def crpa_facts(self) -> dict[str, Any]:
        """What the CRPA engine reads of the organisation (absent when unknown)."""
        facts: dict[str, Any] = {"is_territorial_collectivity": self.is_territorial_collectivity}
        if self.staff_fte is not None:
            facts["org_fte"] = self.staff_fte
        if self.population is not None:
            facts["org_population"] = self.population
        return facts


def current(s: Session) -> OrganisationView | None:
    """The organisation's facts in an open session, or None while an administrator has not set them."""
    row = repo.get(s)
    return OrganisationView.model_validate(row) if row is not None else None


def organisation_facts(s: Session) -> dict[str, Any]:
    """The CRPA engine's organisation facts in an open session (empty while nothing is set)."""
    org = current(s)
    return org.crpa_facts() if org is not None else {}


class OrganisationService:
    def __init__(self, reader: sessionmaker[Session], writer: sessionmaker[Session]) -> None:
        self._reader = reader
        self._writer = writer

    def get(self) -> OrganisationView | None:
        with self._reader() as s:
            return current(s)

    def display_name(self) -> str:
        """The collectivité's name for reports and pages, or a prompt to set it while it is empty."""
        org = self.get()
        return org.name if org is not None and org.name else UNNAMED

    def update(self, principal: Principal, expected_version: int, data: dict[str, Any]) -> OrganisationView:
        """Set the organisation's facts (administrators); ``expected_version`` 0 the first time."""
        require(principal, Action.MANAGE_ORGANISATION)
        fields = validate(OrganisationFields, data, LABELS)
        with self._writer.begin() as s:
            row = repo.get(s)
            if (row.version if row is not None else 0) != expected_version:
                raise StaleEdit(STALE)
            before = OrganisationFields.model_validate(row, from_attributes=True).model_dump() if row else None
            if row is None:
                row = Organisation(id=repo.ROW_ID, **fields.model_dump())
                s.add(row)
            else:
                for name, value in fields.model_dump().items():
                    setattr(row, name, value)
            s.flush()
            if before is None:
                audit.append(s, principal, "create", "organisation", row.id, after=fields.model_dump())
            else:
                old, new = audit.diff(before, fields.model_dump())
                if new:
                    audit.append(s, principal, "update", "organisation", row.id, before=old, after=new)
            return OrganisationView.model_validate(row)
