"""Rows to use-case fields: conversion of cells, likely duplicates, Eurocities records."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from policies.vocabulary import Automation
from portal.services.errors import InvalidInput
from portal.services.inventory_import.mapping import (
    _DATES,
    _ENUMS,
    _EUROCITIES_DOMAIN,
    _EUROCITIES_REFERENCE,
    _FLOATS,
    _INTEGERS,
    EUROCITIES_FIELDS,
    MAX_BYTES,
    MAX_SHOWN_PROBLEMS,
    REFERENCE,
    _cell,
    _short,
    norm,
)
from portal.services.schemas import TRANSPARENCY_LABELS, UseCaseView
from usecases import parsing


def likely_duplicates(data: Mapping[str, Any], existing: Iterable[UseCaseView],
                      exclude_id: int | None = None) -> list[tuple[UseCaseView, str]]:
    """Use cases of the register that ``data`` (a title, a service, a provider) probably repeats:
    a very similar title, or a similar title with the same service or the same provider."""
    title = norm(data.get("title") or "")
    if not title:
        return []
    words = {w for w in title.split() if len(w) > 2}
    service = norm(data.get("service") or "")
    provider = norm(data.get("provider_name") or "")
    out = []
    for uc in existing:
        if uc.id == exclude_id:
            continue
        other = norm(uc.title)
        if not (words & {w for w in other.split() if len(w) > 2}) and title != other:
            continue
        matcher = difflib.SequenceMatcher(None, title, other)
        if matcher.real_quick_ratio() < 0.6 or matcher.quick_ratio() < 0.6:  # cheap upper bounds first
            continue
        ratio = matcher.ratio()
        same_service = bool(service) and service == norm(uc.service or "")
        same_provider = bool(provider) and provider == norm(uc.provider_name or "")
        if ratio >= 0.85:
            out.append((uc, "titre très proche"))
        elif ratio >= 0.6 and (same_service or same_provider):
            out.append((uc, "titre proche, même " + ("service" if same_service else "fournisseur")))
    return out


def _fix(problem: str) -> str:
    """Shorten what a problem quotes (a long text quoted whole is unreadable)."""
    return re.sub(r"\(reçu : « (.{80}).* »\)", lambda m: f"(reçu : « {m.group(1)}… »)", problem, flags=re.S) \
        if len(problem) > 300 else problem


def _convert(name: str, text: str | None) -> tuple[Any, str | None]:
    """A cell's text as the field's value, or a French problem."""
    if text is None:
        return None, None
    if name in _ENUMS:
        enum = _ENUMS[name]
        key = norm(text)
        for member in enum:
            if key in (norm(member.value), norm(member.label)):  # type: ignore[attr-defined]
                return member.value, None
        if name == "domain" and text.strip().lower() in _EUROCITIES_DOMAIN:
            return _EUROCITIES_DOMAIN[text.strip().lower()], None
        allowed = ", ".join(f"« {m.label} »" for m in enum)  # type: ignore[attr-defined]
        return None, f"valeur « {_short(text, 60)} » non prévue ; valeurs possibles : {allowed}."
    if name in _INTEGERS or name in _FLOATS:
        cleaned = re.sub(r"[€\s\u00a0\u202f]", "", text)
        if parsing.is_non_finite(cleaned):
            return None, f"« {_short(text, 40)} » n'est pas un nombre fini."
        number = parsing.to_number(pd.Series([cleaned], dtype=object)).iloc[0]
        if pd.isna(number):
            return None, f"« {_short(text, 40)} » n'est pas un nombre (exemple : 12 500,50)."
        if name in _INTEGERS:
            if not float(number).is_integer():
                return None, f"« {_short(text, 40)} » n'est pas un nombre entier."
            return int(number), None
        return float(number), None
    if name in _DATES:
        parsed = parsing.to_datetime(pd.Series([text], dtype=object)).iloc[0]
        if pd.isna(parsed):
            return None, f"« {_short(text, 40)} » n'est pas une date (jj/mm/aaaa)."
        return parsed.date().isoformat(), None
    if name == "tags":
        return [t.strip() for t in re.split(r"[;,]", text) if t.strip()], None
    return text, None


# ---- Eurocities --------------------------------------------------------------------------------


def _json_records(data: bytes) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    if len(data) > MAX_BYTES:
        raise InvalidInput([f"Le fichier est trop volumineux : {len(data) / 1048576:.1f} Mo pour une limite de "
                            f"{MAX_BYTES / 1048576:.1f} Mo.".replace(".", ",")])
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise InvalidInput(["Le fichier JSON n'est pas en UTF-8 : enregistrez-le en UTF-8."]) from None
    except json.JSONDecodeError as exc:
        raise InvalidInput([f"JSON illisible : {exc.msg} (ligne {exc.lineno}, colonne {exc.colno})."]) from None
    entries = doc.get("registrations") if isinstance(doc, dict) else doc
    if not isinstance(entries, list):
        raise InvalidInput(["Registre Eurocities attendu : une liste de fiches, ou un objet avec « registrations »."])
    if not entries:
        raise InvalidInput(["Le registre ne contient aucune fiche."])
    records: list[tuple[int, dict[str, Any]]] = []
    headers: list[str] = []
    problems = []
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            problems.append(f"Fiche n° {i} : un objet JSON est attendu.")
            continue
        for key in entry:
            if key not in headers:
                headers.append(str(key))
        records.append((i, entry))
    if problems:
        raise InvalidInput(problems[:MAX_SHOWN_PROBLEMS])
    return headers, records


def _from_eurocities(record: Mapping[str, Any]) -> tuple[dict[str, str | None], dict[str, str], dict[str, str]]:
    """(field texts, field -> attribute it came from, attributes no field holds) of one registration."""
    values = {str(k): _cell(v) for k, v in record.items()}
    raw: dict[str, str | None] = {}
    columns: dict[str, str] = {}

    def put(name: str, value: str | None, attribute: str) -> None:
        if value is not None and raw.get(name) is None:
            raw[name] = value
            columns[name] = attribute

    put(REFERENCE, values.get(_EUROCITIES_REFERENCE), _EUROCITIES_REFERENCE)
    put("title", values.get("name"), "name")
    put("problem", values.get("goal"), "goal")
    put("problem", values.get("description_short"), "description_short")
    department = values.get("department")
    if department:
        direction, _, service = department.partition(" — ")
        put("direction", direction.strip() or None, "department")
        put("service", service.strip() or None, "department")
    put("domain", values.get("domain"), "domain")
    impact = values.get("impact") or ""
    public = re.search(r"public concerné : (.*?)(?:; (?:fonde des|ne fonde pas|décisions par an)|$)", impact, re.S)
    if public:
        put("public_concerned", public.group(1).strip() or None, "impact")
    decisions = re.search(r"décisions par an : (\d+)", impact)
    if decisions:
        put("decisions_per_year", decisions.group(1), "impact")
    if impact and not public and not decisions:
        put("public_concerned", impact, "impact")
    put("human_role", values.get("decision_making_process"), "decision_making_process")
    intervention = values.get("human_intervention") or ""
    label = intervention.split(";")[0].strip()
    if any(norm(label) == norm(m.label) for m in Automation):
        put("automation", label, "human_intervention")
    put("tags", values.get("keywords"), "keywords")
    for attribute, name in EUROCITIES_FIELDS.items():  # the « Transparence » section: one attribute, one field
        if name in TRANSPARENCY_LABELS:
            put(name, values.get(attribute), attribute)
    read = set(columns.values())
    # everything else, and what was only partly read, stays in the audit event
    extra = {k: v for k, v in values.items() if v is not None and (k not in read or k in ("impact",
                                                                                         "human_intervention"))}
    return raw, columns, extra
