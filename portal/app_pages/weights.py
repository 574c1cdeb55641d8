"""Prioritisation weights: the version in force, its history, and a new version (administrators)."""

import pandas as pd
import streamlit as st

from policies.prioritisation.scoring import CRITERIA
from policies.vocabulary import IMPACT_NOT_ASSESSED_FR, UNCLASSIFIED_FR, AiActClass, ImpactLevel
from portal.ui.deps import services
from portal.ui.feedback import attempt, flash
from portal.ui.formats import fmt_date
from portal.ui.session import principal
from portal.ui.text import plain

me = principal()
svc = services()
st.title("Pondérations de priorisation")
st.caption("Une version ne se modifie jamais : chaque changement crée une nouvelle version, journalisée, "
           "et les scénarios enregistrés citent la version sous laquelle ils ont été calculés.")
flash()

w = svc.portfolio.weights()
current = w.model_dump(mode="json")
st.markdown(f"**Version en vigueur : {w.version}**")
if w.description:
    st.caption(plain(w.description))

CLASS_FR = {c.value: c.label for c in AiActClass} | {"unknown": UNCLASSIFIED_FR}
IMPACT_FR = {level.value: level.short_label for level in ImpactLevel} | {"none": IMPACT_NOT_ASSESSED_FR}

with st.form("weights_form"):
    c1, c2 = st.columns(2)
    version = c1.text_input("Nouvelle version", placeholder="ex. 2026.2", key="w_version")
    note = c2.text_input("Motif du changement", key="w_note")
    missing = st.radio("Critère non renseigné", ["neutral", "exclude"], horizontal=True,
                       index=0 if w.missing == "neutral" else 1, key="w_missing",
                       format_func=lambda m: "compté pour 3/5 (neutre)" if m == "neutral"
                       else "écarté, son poids reporté sur les autres")
    st.markdown("**Part des groupes**")
    g1, g2 = st.columns(2)
    groups = {"value": g1.number_input("Valeur", min_value=0.0, value=float(current["groups"]["value"]), step=0.05,
                                       key="w_g_value"),
              "feasibility": g2.number_input("Faisabilité", min_value=0.0, step=0.05, key="w_g_feasibility",
                                             value=float(current["groups"]["feasibility"]))}
    crit: dict[str, dict[str, float]] = {"value": {}, "feasibility": {}}
    left, right = st.columns(2)
    for c in CRITERIA:
        col = left if c.group == "value" else right
        crit[c.group][c.code] = col.number_input(c.label, min_value=0.0, step=0.05, key=f"w_{c.code}",
                                                 value=float(current[c.group][c.code]))
    st.markdown("**Pénalités de risque (points retirés sur 100)**")
    cols = st.columns(6)
    risk_class = {k: cols[i].number_input(CLASS_FR[k], min_value=0.0, step=1.0, key=f"w_rc_{k}",
                                          value=float(current["risk"]["risk_class"][k]))
                  for i, k in enumerate(CLASS_FR)}
    cols = st.columns(5)
    impact = {k: cols[i].number_input(IMPACT_FR[k], min_value=0.0, step=1.0, key=f"w_il_{k}",
                                      value=float(current["risk"]["impact_level"][k]))
              for i, k in enumerate(IMPACT_FR)}
    if st.form_submit_button("Créer cette version", type="primary"):
        data = {"version": version, "description": note or w.description, "missing": missing, "groups": groups,
                "value": crit["value"], "feasibility": crit["feasibility"],
                "risk": {"risk_class": risk_class, "impact_level": impact,
                         "excluded_classes": current["risk"]["excluded_classes"]}}
        if attempt(lambda: svc.portfolio.set_weights(me, data, note or None),
                   success=f"Pondérations « {version} » en vigueur."):
            st.rerun()

history = svc.portfolio.weights_history()
st.header("Historique des versions")
if history:
    names = {p.id: p.display_name for p in svc.people.list()}
    st.dataframe(pd.DataFrame([{"Version": h["version"], "Motif": h["note"] or "",
                                "Par": names.get(h["created_by_id"], "—"), "Le": fmt_date(h["created_at"])}
                               for h in history]), hide_index=True)
else:
    st.info("Aucune version créée dans le portail : les pondérations par défaut (policies/rules/scoring.yaml) "
            "sont en vigueur.")
