"""One use case: overview and edit, data sources, risks, value and cost, history."""

import pandas as pd
import streamlit as st

from policies.access import can
from policies.vocabulary import RISK_LEVEL_FR, Action, risk_level
from portal.services.errors import NotFound
from portal.ui import analysis as analysis_ui
from portal.ui import charts, forms
from portal.ui import deployment as deployment_ui
from portal.ui import governance as governance_ui
from portal.ui import people_use as people_use_ui
from portal.ui import transparency as transparency_ui
from portal.ui.deps import services
from portal.ui.feedback import attempt, flash
from portal.ui.formats import fmt_date, fmt_money, fmt_number
from portal.ui.history import describe_event
from portal.ui.picker import pick_use_case
from portal.ui.places import SHEET_TABS, keep_ref, kept_tabs
from portal.ui.portfolio import priority_tab
from portal.ui.session import forget_version, principal, remembered_version
from portal.ui.text import plain

me = principal()
svc = services()

# a short list and a search, never every use case of the register; the URL's ?ref= is always in the list
choice = pick_use_case(svc, me, key="sheet_ref")
if choice is None:
    st.info("Le registre est vide.")
    st.stop()
ref = choice.reference
keep_ref(ref)
try:
    uc = svc.register.get(choice.id)  # the one chosen, with its sources and risks
except NotFound as exc:
    st.error(str(exc))
    st.stop()

people = svc.people.list(active_only=True)
owners = [uc.lead_id]

st.title(f"{uc.reference} — {plain(uc.title, inline=True)}")  # user text: escaped
st.markdown(
    f":blue-badge[{uc.stage.label}] :gray-badge[{uc.family.label}] "
    f"&nbsp; {plain(uc.direction, inline=True)}{' — ' + plain(uc.service, inline=True) if uc.service else ''} "
    f"&nbsp;·&nbsp; Chef de projet : **{plain(uc.lead_name or '—', inline=True)}** · "
    f"Commanditaire : **{plain(uc.sponsor_name or '—', inline=True)}**"
)
flash()
governance_ui.banner(svc, uc)  # governance: overdue review, held or refused gate

labels = dict(SHEET_TABS)
labels["sources"] = f"{labels['sources']} ({len(uc.data_sources)})"
labels["risques"] = f"{labels['risques']} ({len(uc.risks)})"
# the open tab survives a save's rerun, a reload and a link (tab= in the URL)
tab_overview, tab_sources, tab_risks, tab_value, tab_priority, tab_governance, tab_analysis, tab_monitoring, \
    tab_deployment, tab_usages, tab_history = kept_tabs(labels, key="sheet_tab")

# Only the open tab is computed (the tabs keep their state): a save, a switch of use case or of tab
# costs one tab, not all eleven (see vigie bench --actions).
if tab_overview.open:
    with tab_overview:
        st.markdown("**Problème auquel il répond**")
        st.text(uc.problem or "—")
        c1, c2, c3 = st.columns(3)
        c1.markdown(f"**Public concerné**  \n{plain(uc.public_concerned or '—')}")
        c2.markdown(f"**Automatisation**  \n{uc.automation.label if uc.automation else '—'}")
        c3.markdown(f"**Fournisseur**  \n{uc.provider_type.label if uc.provider_type else '—'}"
                    f"{' — ' + plain(uc.provider_name, inline=True) if uc.provider_name else ''}")
        st.markdown(f"**Rôle de l'agent** : {plain(uc.human_role or '—')}")
        st.caption(f"Mots-clés : {', '.join(plain(t_, inline=True) for t_ in uc.tags) or '—'} · créé le {fmt_date(uc.created_at)} · "
                   f"modifié le {fmt_date(uc.updated_at)} · version {uc.version}")
        if can(me, Action.EDIT_USE_CASE, owner_ids=owners):
            with st.expander("Modifier la fiche", icon=":material/edit:"):
                vkey = f"uc_version_{uc.id}"
                expected = remembered_version(vkey, uc.version)
                if expected != uc.version:
                    st.warning("Cette fiche a changé depuis que vous l'avez ouverte. Rechargez avant de modifier.")
                    if st.button("Recharger la fiche"):
                        forget_version(vkey)
                        for k in [k for k in st.session_state if str(k).startswith(f"edit_{uc.id}_")]:
                            del st.session_state[k]
                        st.rerun()
                with st.form(f"edit_{uc.id}"):
                    values = forms.use_case_fields(uc.editable_fields(), people, key=f"edit_{uc.id}")
                    if st.form_submit_button("Enregistrer", type="primary"):
                        saved = attempt(lambda: svc.register.update(me, uc.id, expected, forms.clean(values)),
                                        success="Fiche enregistrée.")
                        if saved is not None:
                            st.session_state[vkey] = saved.version
                            st.rerun()
        transparency_ui.section(svc, me, uc)

if tab_sources.open:
    with tab_sources:
        if uc.data_sources:
            # what the RGPD asks of each source first, where a compliance officer reads without scrolling
            # a static table: long texts wrap within the page instead of running off its right edge
            st.table(pd.DataFrame([{
                "Source": d.name, "Personnelles": "oui" if d.personal_data else "non",
                "Sensibles": "oui" if d.sensitive_data else "non",
                "Base légale": d.legal_basis or ("⚠ à renseigner" if d.personal_data else ""),
                "Exception art. 9": d.art9_exception or ("⚠ à renseigner" if d.sensitive_data else ""),
                "Conservation": d.retention or "", "Producteur": d.producer or "", "Origine": d.origin.label,
                "Qualité": d.quality_notes or "",
            } for d in uc.data_sources]), hide_index=True)
        else:
            st.info("Aucune source de données décrite.")
        if can(me, Action.MANAGE_DATA_SOURCES, owner_ids=owners):
            with st.expander("Ajouter une source", icon=":material/add:"):
                with st.form(f"add_source_{uc.id}", clear_on_submit=True):
                    values = forms.data_source_fields({}, key=f"new_src_{uc.id}")
                    if st.form_submit_button("Ajouter", type="primary", key=f"new_src_{uc.id}_submit") and attempt(
                            lambda: svc.register.add_data_source(me, uc.id, forms.clean(values)),
                            success="Source ajoutée."):
                        st.rerun()
            if uc.data_sources:
                with st.expander("Modifier ou supprimer une source", icon=":material/edit:"):
                    sources_by_id = {d.id: d for d in uc.data_sources}
                    sid = st.selectbox("Source", list(sources_by_id), format_func=lambda i: sources_by_id[i].name, key=f"pick_src_{uc.id}")
                    src = sources_by_id[sid]
                    expected = remembered_version(f"src_version_{sid}", src.version)
                    with st.form(f"edit_source_{sid}"):
                        values = forms.data_source_fields(src.model_dump(), key=f"src_{sid}")
                        c1, c2 = st.columns(2)
                        if c1.form_submit_button("Enregistrer", type="primary"):
                            saved = attempt(lambda: svc.register.update_data_source(me, sid, expected, forms.clean(values)),
                                            success="Source enregistrée.")
                            if saved is not None:
                                st.session_state[f"src_version_{sid}"] = saved.version
                                st.rerun()
                        if c2.form_submit_button("Supprimer") and attempt(
                                lambda: svc.register.delete_data_source(me, sid, expected) or True,
                                success="Source supprimée."):
                            forget_version(f"src_version_{sid}")
                            st.rerun()

if tab_risks.open:
    with tab_risks:
        if uc.risks:
            names = {p.id: p.display_name for p in people}
            rdf = pd.DataFrame([{
                "Niveau": RISK_LEVEL_FR[risk_level(r.likelihood, r.severity)], "Criticité": r.score,
                "Catégorie": r.category.label, "Description": r.description, "Vraisemblance": r.likelihood,
                "Gravité": r.severity,
                "Atténuation": r.mitigation or "⚠ aucune", "Statut": r.status.label,
                "Résiduel": (f"{r.residual_likelihood}×{r.residual_severity}"
                             if r.residual_likelihood and r.residual_severity else ""),
                "Responsable": names.get(r.owner_id, "") if r.owner_id else "",
            } for r in uc.risks])
            # the descriptions and mitigations wrap on the full width; the matrix follows
            st.table(rdf.sort_values("Criticité", ascending=False)[
                ["Niveau", "Criticité", "Catégorie", "Description", "Atténuation", "Statut", "Résiduel", "Responsable"]],
                hide_index=True)
            charts.show(charts.risk_matrix(rdf[["Vraisemblance", "Gravité"]]), width="content",
                        summary="Nombre de risques par case ; le niveau de chacun est écrit dans le tableau.")
        else:
            st.info("Aucun risque identifié pour l'instant.")
        if can(me, Action.MANAGE_RISKS, owner_ids=owners):
            with st.expander("Ajouter un risque", icon=":material/add:"):
                with st.form(f"add_risk_{uc.id}", clear_on_submit=True):
                    values = forms.risk_fields({}, people, key=f"new_risk_{uc.id}")
                    if st.form_submit_button("Ajouter", type="primary", key=f"new_risk_{uc.id}_submit") and attempt(
                            lambda: svc.register.add_risk(me, uc.id, forms.clean(values)), success="Risque ajouté."):
                        st.rerun()
            if uc.risks:
                with st.expander("Modifier ou supprimer un risque", icon=":material/edit:"):
                    risks_by_id = {r.id: r for r in uc.risks}
                    rid = st.selectbox("Risque", list(risks_by_id), format_func=lambda i: risks_by_id[i].description[:90],
                                       key=f"pick_risk_{uc.id}")
                    risk = risks_by_id[rid]
                    expected = remembered_version(f"risk_version_{rid}", risk.version)
                    with st.form(f"edit_risk_{rid}"):
                        values = forms.risk_fields(risk.model_dump(), people, key=f"risk_{rid}")
                        c1, c2 = st.columns(2)
                        if c1.form_submit_button("Enregistrer", type="primary"):
                            saved = attempt(lambda: svc.register.update_risk(me, rid, expected, forms.clean(values)),
                                            success="Risque enregistré.")
                            if saved is not None:
                                st.session_state[f"risk_version_{rid}"] = saved.version
                                st.rerun()
                        if c2.form_submit_button("Supprimer") and attempt(
                                lambda: svc.register.delete_risk(me, rid, expected) or True, success="Risque supprimé."):
                            forget_version(f"risk_version_{rid}")
                            st.rerun()

if tab_value.open:
    with tab_value:
        c1, c2, c3 = st.columns(3)
        c1.metric("Coût de construction", fmt_money(uc.build_cost))
        c2.metric("Coût de fonctionnement annuel", fmt_money(uc.run_cost_per_year))
        c3.metric("Décisions par an", fmt_number(uc.decisions_per_year, 0) if uc.decisions_per_year is not None else "—")
        st.markdown(f"**Bénéfices attendus** : {plain(uc.expected_benefits or '—')}")
        if uc.kpi_name:
            unit = f" {plain(uc.kpi_unit, inline=True)}" if uc.kpi_unit else ""
            kpi = plain(uc.kpi_name, inline=True)
            c1, c2 = st.columns(2)
            c1.metric(f"{kpi} — référence", f"{fmt_number(uc.kpi_baseline)}{unit}")
            c2.metric(f"{kpi} — cible", f"{fmt_number(uc.kpi_target)}{unit}")
        else:
            st.info("Aucun indicateur de résultat défini.")
        st.caption(f"Période : du {fmt_date(uc.start_date)} au {fmt_date(uc.end_date)}")

if tab_priority.open:
    with tab_priority:
        priority_tab(svc, me, uc)

if tab_governance.open:
    with tab_governance:
        governance_ui.governance_tab(svc, me, uc)

if tab_analysis.open:
    with tab_analysis:
        analysis_ui.sheet_tab(svc, me, uc.id, uc.lead_id, uc.reference)

if tab_monitoring.open:
    with tab_monitoring:
        from portal.ui import monitoring_tab

        monitoring_tab.render(svc, me, uc)

if tab_deployment.open:
    with tab_deployment:
        deployment_ui.render(svc, me, uc)

if tab_usages.open:
    with tab_usages:
        people_use_ui.usages_tab(svc, me, uc)

if tab_history.open:
    with tab_history:
        events = svc.audit.history_of(uc.id)
        if events:
            st.dataframe(pd.DataFrame([{
                "Date": fmt_date(ev.at), "Par": ev.actor_name, "Événement": describe_event(ev), "N°": ev.seq,
            } for ev in events]), hide_index=True,
                column_config={"Date": st.column_config.TextColumn(width="small"),
                               "Par": st.column_config.TextColumn(width="medium"),
                               "Événement": st.column_config.TextColumn(width="large"),
                               "N°": st.column_config.NumberColumn(width="small")})
        else:
            st.info("Aucun événement.")
