"""Scenarios: choose the use cases of greatest value under a budget and a team capacity; compare, save, export."""

from typing import Any

import streamlit as st

from policies.access import can
from policies.prioritisation.scenario import BUDGET_BASIS_FR, STATUS_FR
from policies.vocabulary import Action, Stage
from portal.services.errors import InvalidInput
from portal.services.portfolio import DEFAULT_CANDIDATE_STAGES, ScenarioParams, comparison_frame
from portal.ui import portfolio as portfolio_ui
from portal.ui.deps import services
from portal.ui.feedback import attempt, flash
from portal.ui.formats import fmt_int, fmt_money, fmt_number
from portal.ui.session import principal
from portal.ui.text import plain

MAX_SHOWN = 3

me = principal()
svc = services()
st.title("Scénarios")
st.caption("Le planificateur choisit l'ensemble de cas d'usage de plus grande priorité totale qui tient dans le "
           "budget et la capacité de l'équipe. La solution est exacte (programmation linéaire en nombres entiers).")
flash()

shown: list = st.session_state.setdefault("scenarios_shown", [])
# Any active use case may be excluded and any plannable one imposed, whatever its stage.
active = svc.portfolio.ranked()  # in ranked order
all_refs = active["reference"].tolist()
refs = active.loc[active["eligible"], "reference"].tolist()
about = dict(zip(all_refs, (active["title"] + " (" + active["stage"] + ")").tolist(), strict=True))
# A métropole's portfolio runs to thousands: the pickers then offer the top of the ranking, and any other
# use case is typed by its reference (the planner names a reference it does not know).
limit = portfolio_ui.PICKER_LIMIT
typed = len(all_refs) > limit


def label(ref: str) -> str:
    return f"{ref} — {about[ref]}" if ref in about else ref


def offered(pool: list[str], key: str) -> list[str]:
    """``pool`` whole, or its first ``limit`` references plus those already chosen."""
    if not typed:
        return pool
    top = pool[:limit]
    kept = set(top)
    return top + [r for r in st.session_state.get(key) or () if r not in kept]


def picker(where: Any, text: str, pool: list[str], key: str) -> list[str]:
    chosen = where.multiselect(text, offered(pool, key), format_func=label, key=key, placeholder="Aucun",
                               select_all=False, accept_new_options=typed)
    return [portfolio_ui.typed_reference(r, about) for r in chosen]


with st.form("scenario_form"):
    c1, c2, c3 = st.columns(3)
    name = c1.text_input("Nom du scénario", value=f"Scénario {len(shown) + 1}", key="sc_name")
    budget = c2.number_input("Budget annuel (€)", min_value=0.0, value=150000.0, step=10000.0, format="%.0f",
                         key="sc_budget")
    capacity = c3.number_input("Capacité de l'équipe (jours-personne)", min_value=0.0, value=400.0, step=10.0, format="%.0f",
                               key="sc_capacity")
    c1, c2, c3 = st.columns(3)
    basis = c1.selectbox("Base budgétaire", list(BUDGET_BASIS_FR), format_func=lambda b: BUDGET_BASIS_FR[b],
                         key="sc_basis")
    horizon = c2.number_input("Horizon (années, base pluriannuelle)", min_value=1, max_value=10, value=3,
                              key="sc_horizon")
    stages = c3.multiselect("Étapes candidates", [s.value for s in Stage], default=list(DEFAULT_CANDIDATE_STAGES),
                            format_func=lambda s: Stage(s).label, key="sc_stages", placeholder="Choisir des étapes", select_all=False)
    st.caption("Tout cas d'usage peut être imposé ou écarté, quelle que soit son étape. Un cas dont la fiche est "
               "incomplète (coût, charge ou critères non saisis) est laissé hors du calcul et signalé « à "
               "compléter », sauf s'il est imposé.")
    if typed:
        st.caption(f"Les listes proposent les {fmt_int(limit)} premiers cas d'usage du classement, sur "
                   f"{fmt_int(len(all_refs))} ; pour tout autre, tapez sa référence (par exemple {all_refs[-1]}) "
                   "puis Entrée. Le calcul porte toujours sur tous les candidats.")
    c1, c2 = st.columns(2)
    must = picker(c1, "Cas d'usage imposés", refs, "sc_must")
    excluded = picker(c2, "Cas d'usage écartés", all_refs, "sc_excluded")
    st.caption("Groupes mutuellement exclusifs : au plus un cas d'usage de chaque groupe est retenu.")
    g = st.columns(3)
    groups = [picker(g[i], f"Groupe exclusif {i + 1}", refs, f"sc_group_{i}") for i in range(3)]
    submitted = st.form_submit_button("Calculer le scénario", type="primary")

if submitted:
    params = {"name": name, "budget": budget, "capacity_days": capacity, "budget_basis": basis,
              "horizon_years": int(horizon) if basis == "horizon" else 1, "stages": tuple(stages),
              "must_do": tuple(must), "excluded": tuple(excluded),
              "exclusive_groups": tuple(tuple(gr) for gr in groups if gr)}
    try:
        shown.append(svc.portfolio.run_scenario(params))
        del shown[:-MAX_SHOWN]
    except InvalidInput as exc:
        st.error("Scénario impossible :\n\n" + "\n".join(f"- {plain(p, inline=True)}" for p in exc.problems))

saved = svc.portfolio.saved_scenarios()
if saved:
    with st.expander(f"Scénarios enregistrés ({len(saved)})", icon=":material/bookmark:"):
        by_id = {s.id: s for s in saved}
        sid = st.selectbox("Scénario enregistré", list(by_id), key="sc_saved",
                           format_func=lambda i: f"{by_id[i].name} — {by_id[i].created_at:%d/%m/%Y %H:%M} "
                                                 f"(pondérations {by_id[i].weights_version})")
        if st.button("Recalculer et afficher", key="sc_load"):
            try:
                shown.append(svc.portfolio.run_scenario(ScenarioParams.model_validate(by_id[sid].params)))
                del shown[:-MAX_SHOWN]
            except InvalidInput as exc:
                st.error("Scénario impossible :\n\n" + "\n".join(f"- {plain(p, inline=True)}" for p in exc.problems))

if not shown:
    st.info("Réglez le budget et la capacité puis calculez un scénario ; vous pouvez en comparer jusqu'à trois.")
    st.stop()

st.header("Scénarios côte à côte")
cols = st.columns(len(shown))
for i, (col, out) in enumerate(zip(cols, shown, strict=True)):
    r = out.result
    with col, st.container(border=True):
        st.markdown(f"**{plain(out.params.name, inline=True)}**")
        st.caption(f"{BUDGET_BASIS_FR[r.budget_basis]} · {STATUS_FR[r.status]} · "
                   f"{out.candidates} candidats · résolu en {fmt_number(r.solve_seconds * 1000, 0)} ms")
        a, b = st.columns(2)
        a.metric("Cas retenus", len(r.selected_ids))
        b.metric("Priorité totale", fmt_number(r.total_value, 1))
        a.metric("Coût", fmt_money(r.total_cost), help=f"sur {fmt_money(r.available_budget)} disponibles")
        b.metric("Budget restant", fmt_money(r.budget_left))
        a.metric("Charge (j-p)", fmt_number(r.total_effort, 0))
        b.metric("Capacité restante (j-p)", fmt_number(r.capacity_left, 0))
        st.dataframe(out.selected[["reference", "title", "priority", "scenario_cost"]].rename(columns={
            "reference": "Référence", "title": "Intitulé", "priority": "Priorité", "scenario_cost": "Coût (€)"}),
            hide_index=True, column_config={"Priorité": st.column_config.NumberColumn(format="localized"),
                                            "Coût (€)": st.column_config.NumberColumn(format="euro")})
        if r.incomplete:
            st.markdown(f"**À compléter ({len(r.incomplete)})**")
            st.dataframe([{"Référence": i.id, "Intitulé": i.title, "Chiffres manquants": i.missing_fr,
                           "Traitement": i.treatment_fr} for i in r.incomplete], hide_index=True)
        for note in (n for n in out.notes if n not in r.incomplete_fr()):  # the table above says those
            st.caption(plain(note))
        if out.saved_id is not None:
            st.caption(f"Enregistré par {plain(out.saved_by, inline=True)}.")
        elif can(me, Action.SAVE_SCENARIO) and st.button("Enregistrer", key=f"save_{i}"):
            done = attempt(lambda out=out: svc.portfolio.save_scenario(me, out.params), success="Scénario enregistré.")
            if done is not None:
                shown[i] = done
                st.rerun()
        if st.button("Retirer", key=f"drop_{i}"):
            shown.pop(i)
            st.rerun()

if len(shown) > 1:
    st.header("Comparaison")
    st.dataframe(comparison_frame(shown, as_text=True), hide_index=True)

st.header("Exporter")
st.caption("Le classeur et le rapport reprennent le classement et les scénarios affichés ; "
           "chaque export est consigné dans le journal d'audit.")
c1, c2, c3 = st.columns(3)
exports = {
    "xlsx": (c1, "Préparer le classeur Excel", lambda: svc.portfolio_exports.workbook(me, shown)),
    "pdf": (c2, "Préparer le rapport PDF", lambda: svc.portfolio_exports.report(me, "pdf", shown)),
    "html": (c3, "Préparer le rapport HTML imprimable", lambda: svc.portfolio_exports.report(me, "html", shown)),
}
for fmt, (col, text, make) in exports.items():
    if col.button(text, key=f"prepare_pf_{fmt}"):
        with st.spinner("Préparation…"):
            st.session_state[f"pf_export_{fmt}"] = attempt(make)
    ready = st.session_state.get(f"pf_export_{fmt}")
    if ready is not None:
        col.download_button(f"Télécharger {ready.filename}", ready.data, file_name=ready.filename, mime=ready.mime,
                            key=f"download_pf_{fmt}", on_click="ignore")
