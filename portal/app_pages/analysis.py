"""Run the analysis module bound to a use case on its sample or on uploaded files, and see the result."""

from collections.abc import Sequence

import streamlit as st

from policies.access import can
from policies.vocabulary import Action
from portal.services.analysis import UploadedFile
from portal.services.register import UseCaseChoice
from portal.ui import analysis as ui
from portal.ui.deps import services
from portal.ui.feedback import attempt, flash
from portal.ui.picker import pick_use_case
from portal.ui.places import back_to_sheet, keep_ref
from portal.ui.session import principal

me = principal()
svc = services()

st.title("Analyses")
st.caption("Chaque cas d'usage peut être associé à un module d'analyse : lancez-le sur l'échantillon fourni "
           "ou sur vos fichiers (CSV ou Excel) ; chaque exécution est enregistrée et peut servir de référence de suivi.")
flash()

modules = {m.key: m for m in svc.analysis.modules()}


def _modules_of(cases: Sequence[UseCaseChoice]) -> dict[int, str]:
    """« · module » or « · sans module » after each use case of the list: only the listed ones are read."""
    bound = svc.analysis.bindings_of([c.id for c in cases])
    return {c.id: f"  ·  {bound[c.id].module_title}" if c.id in bound else "  ·  sans module" for c in cases}


# a short list (the cases bound to a module before the others) and a search over the whole register
uc = pick_use_case(svc, me, key="analysis_ref", prefer_ids=svc.analysis.bound_use_case_ids(), suffix=_modules_of)
if uc is None:
    st.info("Le registre est vide.")
    st.stop()
ref = uc.reference
keep_ref(ref)
back_to_sheet(ref, "analyses")
binding = svc.analysis.binding(uc.id)
may_bind = can(me, Action.BIND_MODULE, owner_ids=[uc.lead_id])

if binding is None or may_bind:
    with st.expander("Associer un module d'analyse" if binding is None else "Changer de module",
                     expanded=binding is None, icon=":material/link:"):
        if not may_bind:
            st.info("Seul le chef de projet de ce cas d'usage ou un administrateur peut l'associer à un module.")
        else:
            keys = list(modules)
            key = st.selectbox("Module", keys, format_func=lambda k: modules[k].title,
                               index=keys.index(binding.module_key) if binding else 0, key=f"bind_{uc.id}")
            st.caption(modules[key].description)
            c1, c2 = st.columns([1, 3])
            if c1.button("Associer ce module", type="primary", key=f"bind_btn_{uc.id}") and attempt(
                    lambda: svc.analysis.bind(me, uc.id, key), success=f"Module « {modules[key].title} » associé."):
                st.rerun()
            if binding is not None and c2.button("Retirer l'association", key=f"unbind_btn_{uc.id}") and attempt(
                    lambda: svc.analysis.unbind(me, uc.id) or True,
                    success="Association retirée ; les exécutions passées restent consultables sur la fiche."):
                st.rerun()
if binding is None:
    st.stop()

module = svc.analysis.module(binding.module_key)
st.header(module.title)
st.caption(module.description)
may_run = can(me, Action.RUN_ANALYSIS, owner_ids=[uc.lead_id])
active = st.session_state.setdefault(ui.ACTIVE, {})

if may_run:
    with st.container(border=True):
        source = st.radio("Données", ["sample", "files"], horizontal=True, key=f"source_{uc.id}",
                          format_func={"sample": "Échantillon fourni avec le module",
                                       "files": "Mes fichiers (CSV ou Excel)"}.__getitem__)
        uploads: dict[str, UploadedFile] = {}
        for spec in module.inputs:
            cols = ", ".join(f"« {c.name} »" + ("" if c.required else " (facultative)") for c in spec.schema.columns)
            title = spec.title_fr + ("" if spec.required else " (facultatif)")
            if source == "files":
                f = st.file_uploader(title, type=list(spec.upload_types), key=f"up_{uc.id}_{spec.name}",
                                     help=spec.description if spec.reader else
                                     f"Colonnes attendues : {cols}. Séparateur « ; » ou « , », "
                                     "décimales à virgule et dates jj/mm/aaaa acceptées. 50 Mo au plus.")
                if f is not None:
                    uploads[spec.name] = UploadedFile(f.name, f.getvalue())
            else:
                st.caption(f"{title} — colonnes : {cols}")
        with st.form(f"params_{uc.id}"):
            st.markdown("**Paramètres**")
            values = ui.params_form(module, key=f"p_{uc.id}")
            go = st.form_submit_button("Lancer l'analyse", type="primary", icon=":material/play_arrow:")
        if go:
            run_id = attempt(lambda: svc.analysis.start_run(me, uc.id, uploads, params=values,
                                                            use_sample=source == "sample"))
            if run_id is not None:
                active[uc.id] = run_id
else:
    st.info("Vous pouvez consulter les exécutions ; seuls le chef de projet, la conformité ou un administrateur "
            "peuvent lancer une analyse sur ce cas d'usage.")

runs = svc.analysis.list_runs(uc.id)
shown = active.get(uc.id) or (runs[0].id if runs else None)
if shown is None:
    st.caption("Aucune exécution enregistrée pour ce cas d'usage.")
    st.stop()
run = svc.analysis.get_run(shown)
st.header("Résultat" if shown == active.get(uc.id) else "Dernière exécution")
if not run.finished:
    ui.progress(svc, run.id)
else:
    ui.render_result(ui.finished_result(svc, run), svc, key=f"page_{run.id}")
st.page_link("app_pages/sheet.py", label="Historique, comparaison et référence de suivi sur la fiche",
             icon=":material/description:", query_params={"ref": uc.reference})
