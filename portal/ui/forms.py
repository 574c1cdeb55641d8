"""Forms for the register's objects; each returns the raw values for a service to validate."""

from __future__ import annotations

import datetime as dt
from typing import Any

import streamlit as st

from policies.rgpd import art9_exceptions
from policies.vocabulary import (
    Automation,
    DataOrigin,
    Family,
    LegalBasis,
    Provider,
    PublicDomain,
    RiskCategory,
    RiskStatus,
)
from portal.services.schemas import TRANSPARENCY_LABELS, PersonView, parameters_text


def _opt(enum: Any, value: Any, *, blank: bool = True) -> Any:
    options = ([None] if blank else []) + list(enum)
    current = enum(value) if value not in (None, "") else None
    index = options.index(current) if current in options else 0
    return options, index


def _label(member: Any) -> str:
    return "—" if member is None else member.label


def _person_picker(label: str, people: list[PersonView], value: int | None, key: str) -> int | None:
    ids: list[int | None] = [None] + [p.id for p in people]
    names = {p.id: p.display_name for p in people}
    index = ids.index(value) if value in ids else 0
    return st.selectbox(label, ids, index=index, key=key, format_func=lambda i: "—" if i is None else names[i])


def _number(label: str, value: float | None, key: str, *, step: float = 1.0, fmt: str = "%.0f") -> float | None:
    return st.number_input(label, value=value, step=step, format=fmt, key=key, placeholder="non renseigné")


def use_case_fields(defaults: dict[str, Any], people: list[PersonView], key: str) -> dict[str, Any]:
    """Widgets for every editable field of a use case (call inside an ``st.form``)."""
    d = defaults
    out: dict[str, Any] = {}
    out["title"] = st.text_input("Titre *", value=d.get("title") or "", max_chars=200, key=f"{key}_title")
    out["problem"] = st.text_area("Problème auquel il répond", value=d.get("problem") or "", key=f"{key}_problem")
    c1, c2, c3 = st.columns(3)
    options, index = _opt(Family, d.get("family"), blank=True)
    out["family"] = c1.selectbox("Famille *", options, index=index, format_func=_label, key=f"{key}_family")
    out["direction"] = c2.text_input("Direction *", value=d.get("direction") or "", key=f"{key}_direction")
    out["service"] = c3.text_input("Service", value=d.get("service") or "", key=f"{key}_service")
    options, index = _opt(PublicDomain, d.get("domain"), blank=True)
    out["domain"] = st.selectbox("Domaine d'action publique", options, index=index, format_func=_label,
                                 help="La politique publique que sert l'algorithme (nomenclature du standard "
                                      "européen Eurocities, reprise dans l'export du registre public).",
                                 key=f"{key}_domain")
    c1, c2 = st.columns(2)
    with c1:
        out["sponsor_id"] = _person_picker("Commanditaire", people, d.get("sponsor_id"), f"{key}_sponsor")
    with c2:
        out["lead_id"] = _person_picker("Chef de projet", people, d.get("lead_id"), f"{key}_lead")
    out["public_concerned"] = st.text_input("Public concerné", value=d.get("public_concerned") or "",
                                            key=f"{key}_public")
    c1, c2, c3 = st.columns(3)
    out["decisions_per_year"] = c1.number_input(
        "Décisions par an", value=d.get("decisions_per_year"), min_value=0, step=1, key=f"{key}_decisions",
        placeholder="non renseigné",
    )
    options, index = _opt(Automation, d.get("automation"))
    out["automation"] = c2.selectbox("Niveau d'automatisation", options, index=index, format_func=_label,
                                     key=f"{key}_automation")
    options, index = _opt(Provider, d.get("provider_type"))
    out["provider_type"] = c3.selectbox("Type de fournisseur", options, index=index, format_func=_label,
                                        key=f"{key}_provider_type")
    out["human_role"] = st.text_area("Rôle de l'agent (contrôle humain)", value=d.get("human_role") or "",
                                     key=f"{key}_human_role")
    out["provider_name"] = st.text_input("Fournisseur", value=d.get("provider_name") or "", key=f"{key}_provider")
    out["expected_benefits"] = st.text_area("Bénéfices attendus", value=d.get("expected_benefits") or "",
                                            key=f"{key}_benefits")
    c1, c2, c3, c4 = st.columns(4)
    out["kpi_name"] = c1.text_input("Indicateur (KPI)", value=d.get("kpi_name") or "", key=f"{key}_kpi")
    out["kpi_unit"] = c2.text_input("Unité", value=d.get("kpi_unit") or "", key=f"{key}_kpi_unit")
    out["kpi_baseline"] = c3.number_input("Valeur de référence", value=d.get("kpi_baseline"), key=f"{key}_kpi_base",
                                          format="%.2f", placeholder="non renseigné")
    out["kpi_target"] = c4.number_input("Cible", value=d.get("kpi_target"), key=f"{key}_kpi_target",
                                        format="%.2f", placeholder="non renseigné")
    c1, c2, c3, c4 = st.columns(4)
    out["build_cost"] = c1.number_input("Coût de construction (€)", value=d.get("build_cost"), min_value=0.0,
                                        step=1000.0, format="%.0f", key=f"{key}_build", placeholder="non renseigné")
    out["run_cost_per_year"] = c2.number_input("Coût annuel (€)", value=d.get("run_cost_per_year"), min_value=0.0,
                                               step=1000.0, format="%.0f", key=f"{key}_run",
                                               placeholder="non renseigné")
    out["start_date"] = c3.date_input("Date de début", value=d.get("start_date"), format="DD/MM/YYYY",
                                      key=f"{key}_start")
    out["end_date"] = c4.date_input("Date de fin", value=d.get("end_date"), format="DD/MM/YYYY", key=f"{key}_end")
    out["tags"] = st.text_input("Mots-clés (séparés par des virgules)", value=", ".join(d.get("tags") or ()),
                                key=f"{key}_tags")
    return out


#: The « Transparence » section's texts, in the order the form shows them, with a hint each.
TRANSPARENCY_HINTS: dict[str, str] = {
    "proportionality": "Pourquoi l'algorithme est adapté et nécessaire au regard de la finalité et des droits "
                       "des personnes.",
    "technical_description": "Comment fonctionne l'algorithme, en quelques phrases accessibles.",
    "methods_and_models": "Méthodes et modèles employés (règles, régression, réseau de neurones, modèle "
                          "de langage…).",
    "training_data": "Données qui ont servi à construire ou entraîner le modèle, et leur période.",
    "data_bias": "Biais connus des données et ce qui est fait pour les limiter.",
    "performance": "Mesure de la qualité des résultats (taux d'erreur, précision…) et sa date.",
    "alternatives_considered": "Les autres solutions étudiées et pourquoi elles n'ont pas été retenues.",
    "product_information": "Produit, éditeur et version, pour une solution achetée.",
    "dpia_summary": "Synthèse de l'analyse d'impact relative à la protection des données (RGPD art. 35).",
    "aia_summary": "Synthèse de l'analyse d'impact sur les droits fondamentaux ou de l'analyse d'impact "
                   "algorithmique.",
    "monitoring_summary": "Ce qui est suivi en production, à quelle fréquence, et qui le regarde.",
    "rollback": "Comment on revient au fonctionnement sans algorithme, et qui le décide.",
    "remark": "Toute autre précision utile au public.",
}
TRANSPARENCY_URLS = ("dpia_url", "aia_url", "codebase_url", "product_page")


def transparency_fields(d: dict[str, Any], key: str) -> dict[str, Any]:
    """Widgets for the sheet's « Transparence » section (call inside an ``st.form``)."""
    out: dict[str, Any] = {}
    for name, hint in TRANSPARENCY_HINTS.items():
        out[name] = st.text_area(TRANSPARENCY_LABELS[name], value=d.get(name) or "", help=hint, key=f"{key}_{name}")
    c1, c2 = st.columns(2)
    for i, name in enumerate(TRANSPARENCY_URLS):
        out[name] = (c1 if i % 2 == 0 else c2).text_input(TRANSPARENCY_LABELS[name], value=d.get(name) or "",
                                                          placeholder="https://…", key=f"{key}_{name}")
    out["contact_phone"] = st.text_input(TRANSPARENCY_LABELS["contact_phone"], value=d.get("contact_phone") or "",
                                         max_chars=50, key=f"{key}_contact_phone")
    out["parameters"] = st.text_area(
        TRANSPARENCY_LABELS["parameters"], value=parameters_text(d.get("parameters")), key=f"{key}_parameters",
        help="Un paramètre par ligne : « nom ; source ; pondération » (pondération en mots ou en chiffres, "
             "par exemple « forte » ou « 40 % »). Repris dans la lettre d'explication (CRPA R311-3-1-2).")
    out["operations"] = st.text_area(
        TRANSPARENCY_LABELS["operations"], value="\n".join(d.get("operations") or ()), key=f"{key}_operations",
        help="Une opération par ligne, dans l'ordre où le traitement les effectue. Reprises dans la lettre "
             "d'explication (CRPA R311-3-1-2).")
    return out


def _legal_basis_picker(where: Any, current: str | None, key: str) -> str | None:
    """The six bases of RGPD art. 6(1); a text written before the list stays, as « autre : … », until changed."""
    listed = LegalBasis.from_label(current)
    kept = current if current and listed is None else None
    options: list[str | None] = [None, *(b.label for b in LegalBasis), *([kept] if kept else [])]
    value = listed.label if listed else kept
    return where.selectbox(  # type: ignore[no-any-return]
        "Base légale (RGPD art. 6(1))", options, index=options.index(value),
        format_func=lambda o: "— non renseignée" if o is None else (f"autre : {o}" if o == kept else o),
        help="La base légale du traitement des données personnelles de cette source. Une autorité publique ne "
             "peut pas invoquer l'intérêt légitime (6(1)(f)) pour l'exercice de ses missions.",
        key=key)


def data_source_fields(d: dict[str, Any], key: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    c1, c2, c3 = st.columns(3)
    out["name"] = c1.text_input("Nom de la source *", value=d.get("name") or "", key=f"{key}_name")
    out["producer"] = c2.text_input("Producteur", value=d.get("producer") or "", key=f"{key}_producer")
    options, index = _opt(DataOrigin, d.get("origin"))
    out["origin"] = c3.selectbox("Origine *", options, index=index, format_func=_label, key=f"{key}_origin")
    c1, c2 = st.columns(2)
    out["personal_data"] = c1.checkbox("Données personnelles", value=bool(d.get("personal_data")),
                                       key=f"{key}_personal")
    out["sensitive_data"] = c2.checkbox("Données sensibles (santé, opinions…)", value=bool(d.get("sensitive_data")),
                                        key=f"{key}_sensitive")
    c1, c2 = st.columns(2)
    out["legal_basis"] = _legal_basis_picker(c1, d.get("legal_basis"), f"{key}_basis")
    out["retention"] = c2.text_input("Durée de conservation", value=d.get("retention") or "", key=f"{key}_retention")
    exceptions = art9_exceptions()
    codes = [None, *exceptions]
    current = d.get("art9_exception")
    out["art9_exception"] = st.selectbox(
        "Exception de l'art. 9(2) RGPD (données sensibles seulement)", codes,
        index=codes.index(current) if current in codes else 0,
        format_func=lambda c: "— aucune (pas de données sensibles)" if c is None else exceptions[c].label_fr,
        help="Des données sensibles (santé, handicap, opinions, origine…) ne peuvent être traitées qu'au titre "
             "d'une de ces exceptions ; le contrôle RGPD de la classification la vérifie.",
        key=f"{key}_art9")
    out["quality_notes"] = st.text_area("Notes sur la qualité", value=d.get("quality_notes") or "",
                                        key=f"{key}_quality")
    return out


def risk_fields(d: dict[str, Any], people: list[PersonView], key: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    c1, c2 = st.columns([1, 3])
    options, index = _opt(RiskCategory, d.get("category"))
    out["category"] = c1.selectbox("Catégorie *", options, index=index, format_func=_label, key=f"{key}_category")
    out["description"] = c2.text_input("Description *", value=d.get("description") or "", key=f"{key}_description")
    c1, c2, c3, c4 = st.columns(4)
    out["likelihood"] = c1.number_input("Vraisemblance (1–5) *", value=d.get("likelihood"), step=1,
                                        key=f"{key}_likelihood", placeholder="1 à 5")
    out["severity"] = c2.number_input("Gravité (1–5) *", value=d.get("severity"), step=1, key=f"{key}_severity",
                                      placeholder="1 à 5")
    out["residual_likelihood"] = c3.number_input("Vraisemblance résiduelle", value=d.get("residual_likelihood"),
                                                 step=1, key=f"{key}_rlikelihood", placeholder="après mesure")
    out["residual_severity"] = c4.number_input("Gravité résiduelle", value=d.get("residual_severity"), step=1,
                                               key=f"{key}_rseverity", placeholder="après mesure")
    out["mitigation"] = st.text_area("Mesure d'atténuation", value=d.get("mitigation") or "", key=f"{key}_mitigation")
    c1, c2 = st.columns(2)
    with c1:
        out["owner_id"] = _person_picker("Responsable", people, d.get("owner_id"), f"{key}_owner")
    options, index = _opt(RiskStatus, d.get("status") or RiskStatus.OPEN, blank=False)
    out["status"] = c2.selectbox("Statut", options, index=index, format_func=_label, key=f"{key}_status")
    return out


def clean(values: dict[str, Any]) -> dict[str, Any]:
    """Widget values as a service expects them (enums as codes, empty dates as None)."""
    out = {}
    for k, v in values.items():
        if hasattr(v, "value"):
            v = v.value
        if isinstance(v, tuple) and not v:  # an emptied date_input
            v = None
        if isinstance(v, dt.datetime):
            v = v.date()
        out[k] = v
    return out
