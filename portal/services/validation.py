"""Pydantic validation with French messages that name the field (and the row, for tables)."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from portal.services.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)

_MESSAGES = {
    "missing": "obligatoire",
    "string_too_short": "obligatoire (texte vide)",
    "string_too_long": "trop long ({max_length} caractères au plus)",
    "greater_than_equal": "doit être supérieur ou égal à {ge}",
    "less_than_equal": "doit être inférieur ou égal à {le}",
    "greater_than": "doit être strictement supérieur à {gt}",
    "less_than": "doit être strictement inférieur à {lt}",
    "int_parsing": "doit être un nombre entier",
    "int_from_float": "doit être un nombre entier",
    "float_parsing": "doit être un nombre",
    "finite_number": "doit être un nombre fini (ni infini ni hors limites)",
    "bool_parsing": "doit valoir oui ou non",
    "date_from_datetime_parsing": "doit être une date (jj/mm/aaaa)",
    "date_parsing": "doit être une date (jj/mm/aaaa)",
    "date_type": "doit être une date (jj/mm/aaaa)",
    "enum": "valeur non prévue ; valeurs possibles : {expected}",
    "literal_error": "valeur non prévue ; valeurs possibles : {expected}",
    "extra_forbidden": "champ inconnu",
    "string_type": "doit être un texte",
    "too_long": "trop d'éléments ({max_length} au plus)",  # security: bounded lists
}


def french_problems(exc: ValidationError, labels: dict[str, str], *, row: int | None = None) -> list[str]:
    """One French sentence per pydantic error, naming the field by its label."""
    problems = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ())]
        field = loc[0] if loc else ""
        label = labels.get(field, field) if field else "Formulaire"
        if len(loc) > 1 and loc[1].isdigit():  # an item of a list: which one, and which of its fields
            label += f", ligne {int(loc[1]) + 1}" + (f", {labels.get(loc[2], loc[2])}" if len(loc) > 2 else "")
        ctx = dict(err.get("ctx") or {})
        if "expected" in ctx:
            ctx["expected"] = str(ctx["expected"]).replace(" or ", " ou ")
        value = err.get("input")
        if value is None or (isinstance(value, str) and not value.strip()):
            problems.append(f"{'Ligne ' + str(row) + ' — ' if row is not None else ''}Champ « {label} » : obligatoire.")
            continue
        template = _MESSAGES.get(err["type"])
        if template is None:
            # model validators raise ValueError with a French message of their own
            message = str(ctx.get("error", err.get("msg", ""))).removeprefix("Value error, ")
        else:
            try:
                message = template.format(**ctx)
            except (KeyError, IndexError):
                message = template
        shown = "" if isinstance(value, dict) else f" (reçu : « {value} »)"
        where = f"Ligne {row} — " if row is not None else ""
        problems.append(f"{where}Champ « {label} » : {message}{shown}.")
    return problems


def validate(model: type[M], data: dict[str, Any], labels: dict[str, str],
             context: dict[str, Any] | None = None) -> M:
    """``model.model_validate(data, context=context)`` or :class:`InvalidInput` with French messages."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise InvalidInput(french_problems(exc, labels)) from None
