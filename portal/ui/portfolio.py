"""Streamlit pieces of the portfolio pages: the ranked table, an explanation, the sheet's priority tab."""
# ruff: noqa: SIM117 - an expander holding a form reads better nested (as in app_pages/)

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

import pandas as pd
import streamlit as st

from policies.access import can
from policies.prioritisation.scoring import CRITERIA
from policies.vocabulary import IMPACT_NOT_ASSESSED_FR, Action, Principal
from portal.services import Services
from portal.services.portfolio import RANKED_COLUMNS_FR, SCORE_LABELS
from portal.services.schemas import UseCaseView
from portal.ui.feedback import attempt
from portal.ui.formats import fmt_money, fmt_number
from portal.ui.session import remembered_version
from portal.ui.text import plain

#: Beyond this many use cases, the scenario pickers offer the top of the ranking and take any typed reference.
PICKER_LIMIT = 200


def typed_reference(text: str, known: Collection[str]) -> str:
    """A reference picked or typed in a scenario picker: « uc-2026-0042 » or a pasted « UC-2026-0042 — Titre »
    reads UC-2026-0042 when that is a known reference (else it is kept as typed, for the planner to name)."""
    ref = text.split(" — ")[0].strip()
    if ref in known:
        return ref
    return next((k for k in known if k.casefold() == ref.casefold()), ref)


RANKED_VIEW = {code: RANKED_COLUMNS_FR[code] for code in (
    "rank", "reference", "title", "stage", "priority", "value", "feasibility", "risk_penalty", "impact_level",
    "cost", "effort_days", "completeness", "family", "direction")}


def ranked_view(df: pd.DataFrame) -> pd.DataFrame:
    out = df[list(RANKED_VIEW)].copy()
    out["completeness"] = (df["completeness"] * 100).round(0)
    out["impact_level"] = out["impact_level"].fillna(IMPACT_NOT_ASSESSED_FR.lower())
    # Not plannable (prohibited, withdrawn…): no rank, said in words rather than an empty cell.
    out["rank"] = ["exclu" if pd.isna(r) else str(int(r)) for r in out["rank"]]
    for col in ("priority", "value", "feasibility"):
        out[col] = out[col].astype(float).round(1)
    return out.rename(columns=RANKED_VIEW)


RANKED_CONFIG = {RANKED_VIEW[code]: config for code, config in {
    "rank": st.column_config.TextColumn(width="small"),
    "priority": st.column_config.ProgressColumn(format="localized", min_value=0, max_value=100),
    "value": st.column_config.NumberColumn(format="localized"),
    "feasibility": st.column_config.NumberColumn(format="localized"),
    "risk_penalty": st.column_config.NumberColumn(format="%.0f"),
    "cost": st.column_config.NumberColumn(format="euro"),
    "effort_days": st.column_config.NumberColumn(format="%.0f"),
    "completeness": st.column_config.NumberColumn(format="%.0f %%"),
}.items()}


def explanation(svc: Services, use_case_id: int) -> None:
    """How the score was computed: one line per criterion, weights, contributions, notes."""
    exp = svc.portfolio.explain(use_case_id)
    b = exp.breakdown
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Priorité", fmt_number(b.priority, 1))
    c2.metric("Valeur (0–100)", fmt_number(b.value, 1))
    c3.metric("Faisabilité (0–100)", fmt_number(b.feasibility, 1))
    c4.metric("Pénalité de risque", fmt_number(-b.risk_penalty, 0))
    # written out in French (decimal comma): Streamlit's number formats always print a point
    table = exp.table.copy()
    for column, decimals in (("Pondération", 2), ("Poids effectif", 3), ("Contribution", 2)):
        table[column] = table[column].map(lambda v, d=decimals: fmt_number(v, d))
    st.dataframe(table, hide_index=True, column_config={
        c: st.column_config.TextColumn(alignment="right")
        for c in ("Pondération", "Poids effectif", "Contribution")})
    st.caption("Priorité = somme des contributions. Chaque note de 1 à 5 est ramenée sur 100 "
               "(dépendance fournisseur inversée), pondérée dans son groupe puis par la part du groupe ; "
               "la classe AI Act et le niveau d'impact retirent des points.")
    for note in exp.notes:
        st.caption(note)


def priority_tab(svc: Services, me: Principal, uc: UseCaseView) -> None:
    """The « Valeur et priorité » tab of a use-case sheet."""
    st.markdown("**Comment la priorité est calculée**")
    explanation(svc, uc.id)
    inputs = svc.portfolio.score_inputs(uc.id)
    if can(me, Action.SCORE_USE_CASE, owner_ids=[uc.lead_id]):
        vkey = f"score_version_{uc.id}"
        expected = remembered_version(vkey, inputs.version or 0)  # 0: not scored when the form was opened
        with st.expander("Noter ce cas d'usage", icon=":material/edit:"):
            with st.form(f"score_{uc.id}"):
                values: dict[str, object] = {}
                cols = st.columns(2)
                for i, c in enumerate(CRITERIA):
                    current = inputs.values.get(c.code)
                    options = [None, 1, 2, 3, 4, 5]
                    values[c.code] = cols[i // 4].selectbox(
                        SCORE_LABELS[c.code], options, index=options.index(current),
                        format_func=lambda v: "non renseigné" if v is None else str(v), key=f"score_{uc.id}_{c.code}")
                values["effort_days"] = st.number_input(SCORE_LABELS["effort_days"], min_value=0.0, step=5.0,
                                                        value=inputs.values.get("effort_days"),
                                                        key=f"score_{uc.id}_effort_days")
                values["rationale"] = st.text_area(SCORE_LABELS["rationale"], value=inputs.values.get("rationale") or "",
                                                   key=f"score_{uc.id}_rationale") or None
                if st.form_submit_button("Enregistrer les notes", type="primary"):
                    saved = attempt(lambda: svc.portfolio.set_score(me, uc.id, values, expected),
                                    success="Notes enregistrées.")
                    if saved is not None:
                        st.session_state[vkey] = saved.version
                        st.rerun()
    elif inputs.values.get("rationale"):
        st.caption(f"Justification des notes : {plain(inputs.values['rationale'])}")

    st.markdown("**Budget**")
    mine = svc.portfolio.budget_lines(uc.id)
    if mine.empty:
        st.info("Aucune ligne budgétaire.")
    else:
        st.dataframe(pd.DataFrame({"Année": mine["year"].astype(str), "Voté": mine["voted"].map(fmt_money),
                                   "Engagé": mine["committed"].map(fmt_money),
                                   "Dépensé": mine["spent"].map(fmt_money)}), hide_index=True)
    if can(me, Action.MANAGE_BUDGET):
        budget_form(svc, me, uc.id, key=f"budget_{uc.id}")

    st.markdown("**Bénéfices mesurés à l'évaluation**")
    ben = svc.portfolio.benefits(uc.id)
    if ben.empty:
        st.info("Aucune mesure de bénéfice.")
    else:
        st.dataframe(benefits_view(ben), hide_index=True)
    if can(me, Action.RECORD_OUTCOMES, owner_ids=[uc.lead_id]):
        with st.expander("Enregistrer une mesure", icon=":material/add:"):
            with st.form(f"benefit_{uc.id}", clear_on_submit=True):
                data = {
                    "indicator": st.text_input("Indicateur", value=uc.kpi_name or "", key=f"ben_{uc.id}_ind"),
                    "unit": st.text_input("Unité", value=uc.kpi_unit or "", key=f"ben_{uc.id}_unit") or None,
                    "baseline": st.number_input("Valeur de référence", value=uc.kpi_baseline, key=f"ben_{uc.id}_b"),
                    "target": st.number_input("Valeur attendue (cible)", value=uc.kpi_target, key=f"ben_{uc.id}_t"),
                    "measured": st.number_input("Valeur mesurée", value=None, key=f"ben_{uc.id}_m"),
                    "measured_on": st.date_input("Date de mesure", value=dt.date.today(), format="DD/MM/YYYY",
                                                 key=f"ben_{uc.id}_d"),
                }
                if st.form_submit_button("Enregistrer la mesure", type="primary") and attempt(
                        lambda: svc.portfolio.add_benefit_measure(me, uc.id, data), success="Mesure enregistrée."):
                    st.rerun()
        if not ben.empty:
            _correct_benefit(svc, me, uc.id, ben)


def _correct_benefit(svc: Services, me: Principal, use_case_id: int, ben: pd.DataFrame) -> None:
    """Correct a measure in place, or delete one entered by mistake; both are audited."""
    with st.expander("Corriger ou supprimer une mesure", icon=":material/edit:"):
        labels = {int(r.id): f"{r.indicator} — {fmt_number(r.measured_value, 1)} {r.unit} le "
                  f"{r.measured_on.strftime('%d/%m/%Y')}" for r in ben.itertuples()}
        chosen = st.selectbox("Mesure", list(labels), format_func=labels.__getitem__, key=f"ben_pick_{use_case_id}")
        # the measure as first shown, with its version: if someone changes it meanwhile, the correction
        # (or the deletion) is refused
        k = f"ben_fix_{chosen}"
        exp_key = f"{k}_expected"
        if exp_key not in st.session_state:
            st.session_state[exp_key] = attempt(lambda: svc.portfolio.editable_benefit_measure(chosen))
        shown = st.session_state[exp_key]
        if shown is None:
            return
        current = shown.fields
        with st.form(k):
            c1, c2 = st.columns([3, 1])
            data = {
                "indicator": c1.text_input("Indicateur", value=current["indicator"], key=f"{k}_ind"),
                "unit": c2.text_input("Unité", value=current["unit"] or "", key=f"{k}_unit") or None,
                "baseline": st.number_input("Valeur de référence", value=current["baseline"], key=f"{k}_b"),
                "target": st.number_input("Valeur attendue (cible)", value=current["target"], key=f"{k}_t"),
                "measured": st.number_input("Valeur mesurée", value=current["measured"], key=f"{k}_m"),
                "measured_on": st.date_input("Date de mesure", value=current["measured_on"], format="DD/MM/YYYY",
                                             key=f"{k}_d"),
                "note": st.text_area("Commentaire", value=current["note"] or "", key=f"{k}_note") or None,
            }
            if st.form_submit_button("Enregistrer la correction", type="primary"):
                # a refused stale correction forgets the form: the next run shows the measure as it now stands
                done = attempt(lambda: svc.portfolio.update_benefit_measure(me, chosen, data, expected_version=shown.version),
                               on_stale=lambda: _forget(f"{k}_"))
                if done == "unchanged":
                    st.info("Aucune valeur n'a changé : rien n'a été enregistré.")
                elif done is not None:
                    _forget(f"{k}_")
                    st.session_state["_flash"] = "Mesure corrigée ; l'ancienne valeur reste lisible dans l'historique."
                    st.rerun()
        st.caption("Une mesure supprimée reste lisible dans le journal d'audit.")
        if st.button("Supprimer la mesure", key=f"ben_del_btn_{use_case_id}") and attempt(
                lambda: svc.portfolio.delete_benefit_measure(me, chosen, expected_version=shown.version),
                success="Mesure supprimée.", on_stale=lambda: _forget(f"{k}_")):
            _forget(f"{k}_")
            st.rerun()


def _forget(prefix: str) -> None:
    for key in [key for key in st.session_state if str(key).startswith(prefix)]:
        del st.session_state[key]


def budget_form(svc: Services, me: Principal, use_case_id: int, key: str) -> None:
    with st.expander("Saisir une ligne budgétaire", icon=":material/euro:"):
        with st.form(key, clear_on_submit=True):
            c1, c2, c3, c4 = st.columns(4)
            data = {
                "year": c1.number_input("Année", min_value=2000, max_value=2100, value=dt.date.today().year, step=1,
                                        key=f"{key}_year"),
                "voted": c2.number_input("Voté (€)", min_value=0.0, step=1000.0, key=f"{key}_voted"),
                "committed": c3.number_input("Engagé (€)", min_value=0.0, step=1000.0, key=f"{key}_committed"),
                "spent": c4.number_input("Dépensé (€)", min_value=0.0, step=1000.0, key=f"{key}_spent"),
            }
            st.caption("Une ligne existe par cas d'usage et par année : la saisir à nouveau la remplace (journalisé).")
            if st.form_submit_button("Enregistrer la ligne", type="primary") and attempt(
                    lambda: svc.portfolio.set_budget_line(me, use_case_id, data), success="Ligne budgétaire enregistrée."):
                st.rerun()


def benefits_view(df: pd.DataFrame) -> pd.DataFrame:
    def val(v: object, unit: str) -> str:
        return "—" if v is None or pd.isna(v) else f"{fmt_number(float(v), 1)} {unit}".strip()  # type: ignore[arg-type]

    return pd.DataFrame({
        "Référence": df["reference"], "Indicateur": df["indicator"],
        "Référence initiale": [val(v, u) for v, u in zip(df["baseline"], df["unit"], strict=True)],
        "Cible": [val(v, u) for v, u in zip(df["target"], df["unit"], strict=True)],
        "Mesuré": [val(v, u) for v, u in zip(df["measured_value"], df["unit"], strict=True)],
        "Gain atteint": ["—" if r is None or pd.isna(r) else f"{fmt_number(r, 0)} %" for r in df["rate"]],
        "Mesuré le": [d.strftime("%d/%m/%Y") for d in df["measured_on"]],
    })
