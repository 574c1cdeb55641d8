"""Bought and delegated AI: the supplier's documents a deployer relies on under the AI Act.

A collectivité that buys a system, or has a delegate run it, is its deployer; for a high-risk system
it relies on what the provider must give it: the instructions for use (art. 13, followed under
art. 26(1)), the registration of the system in the EU database (art. 49 and 71), the EU declaration
of conformity (art. 47) and the supplier's statement of who is provider under art. 25. The pilot and
deployment gates check that each is on file (gates.yaml, GATE-PIL-11 and GATE-DEP-07).
"""

from __future__ import annotations

from collections.abc import Iterable

from policies.vocabulary import AiActClass, Provider

#: kind -> (French name, article)
SUPPLIER_DOCUMENTS: dict[str, tuple[str, str]] = {
    "instructions": ("Notice d'utilisation du fournisseur", "RIA art. 13 et 26(1)"),
    "eu_registration": ("Enregistrement du système dans la base de données de l'UE", "RIA art. 49 et 71"),
    "conformity": ("Déclaration UE de conformité", "RIA art. 47"),
    "role_statement": ("Déclaration du fournisseur sur son rôle (article 25)", "RIA art. 25"),
}

#: Contract renewal terms -> French label.
RENEWALS: dict[str, str] = {
    "none": "Sans reconduction",
    "tacit": "Reconduction tacite",
    "express": "Reconduction expresse",
}


def is_bought(provider_type: str | Provider | None) -> bool:
    """Bought from a vendor or run by a delegate (not built in house)."""
    return provider_type in (Provider.VENDOR, Provider.DELEGATE, Provider.VENDOR.value, Provider.DELEGATE.value)


def is_bought_high_risk(provider_type: str | Provider | None, risk_class: str | AiActClass | None) -> bool:
    return is_bought(provider_type) and risk_class in (AiActClass.HIGH, AiActClass.HIGH.value)


def missing_documents(present_kinds: Iterable[str]) -> list[str]:
    """The French names of the supplier's documents not on file, in the order of :data:`SUPPLIER_DOCUMENTS`."""
    present = set(present_kinds)
    return [name for kind, (name, _) in SUPPLIER_DOCUMENTS.items() if kind not in present]
