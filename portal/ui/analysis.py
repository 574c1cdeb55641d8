"""Streamlit pieces for analyses: the parameter form built from a module's schema, the generic result
renderer, the progress poller, and the use-case sheet's « Analyses » tab."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st

from policies import french
from policies.access import can
from policies.vocabulary import Action, Principal
from portal.services import Services
from portal.services.analysis import RunDetail, RunView, param_choices, param_labels
from portal.services.errors import InvalidInput
from portal.ui.charts import PALETTE
from portal.ui.feedback import attempt
from portal.ui.formats import fmt_date, fmt_number
from portal.ui.tables import readable
from portal.ui.text import plain

#: session key holding {use case id: id of the run started from this session}
ACTIVE = "analysis_active_run"


def _is_percent(f: Any, bounds: dict[str, float]) -> bool:
    return f.annotation is float and bounds.get("min_value", -1) >= 0 and bounds.get("max_value", 2) <= 1


def _float_options(default: float, lo: float, hi: float) -> list[float]:
    step = 0.5 if hi - lo >= 5 else 0.1
    n = round((hi - lo) / step)
    return sorted({round(lo + i * step, 4) for i in range(n + 1)} | {float(default)})


def params_form(module: Any, key: str) -> dict[str, Any]:
    """One widget per parameter, labelled in French: choices by label (not code), shares in percent,
    decimals with a comma."""
    values: dict[str, Any] = {}
    labels = param_labels(module)
    fields = list(module.params_model.model_fields.items())
    cols = st.columns(2)
    for i, (name, f) in enumerate(fields):
        col = cols[i % 2]
        wkey = f"{key}_{name}"
        choices = param_choices(module, name)
        bounds = _bounds(f)
        if choices is not None:
            options = list(choices)
            values[name] = col.selectbox(labels[name], options, index=options.index(str(f.default)),
                                         format_func=choices.__getitem__, help=f.description, key=wkey)
        elif f.annotation is bool:
            values[name] = col.checkbox(labels[name], value=bool(f.default), help=f.description, key=wkey)
        elif f.annotation is int:
            values[name] = col.number_input(labels[name], value=int(f.default), step=1, help=f.description,
                                            key=wkey, **{k: int(v) for k, v in bounds.items()})
        elif _is_percent(f, bounds):
            pct = col.slider(labels[name], min_value=round(bounds["min_value"] * 100),
                             max_value=round(bounds["max_value"] * 100), value=round(float(f.default) * 100),
                             step=1, format="%d %%", help=f.description, key=wkey)
            values[name] = pct / 100
        elif f.annotation is float and {"min_value", "max_value"} <= set(bounds):
            options = _float_options(float(f.default), bounds["min_value"], bounds["max_value"])
            values[name] = col.select_slider(labels[name], options=options, value=float(f.default),
                                             format_func=lambda v: fmt_number(v, 1), help=f.description, key=wkey)
        elif f.annotation is float:
            values[name] = col.number_input(labels[name], value=float(f.default), step=1.0, format="%.0f",
                                            help=f.description, key=wkey,
                                            **{k: float(v) for k, v in bounds.items()})
        else:
            values[name] = col.text_input(labels[name], value=str(f.default), help=f.description, key=wkey)
    return values


def _bounds(f: Any) -> dict[str, float]:
    out: dict[str, float] = {}
    for m in f.metadata:
        if getattr(m, "ge", None) is not None:
            out["min_value"] = m.ge
        if getattr(m, "le", None) is not None:
            out["max_value"] = m.le
    return out


def _metric_formats(svc: Services, module_key: str) -> dict[str, str]:
    try:
        return dict(svc.analysis.module(module_key).metric_formats)
    except InvalidInput:  # a run of a module this portal no longer has
        return {}


def _metric_text(formats: dict[str, str], key: str, value: float | None) -> str:
    """A metric as its module declares it (count, decimal, percent, share, year, money)."""
    return french.by_format(value, formats.get(key, "decimal"))


#: Vega's French number and time formats, so chart axes read « 1 200 000 » and « janv. 2024 ».
FRENCH_LOCALE = {
    "number": {"decimal": ",", "thousands": "\u202f", "grouping": [3], "currency": ["", "\u00a0€"]},
    "time": {
        "dateTime": "%A %e %B %Y à %X", "date": "%d/%m/%Y", "time": "%H:%M:%S",
        "periods": ["AM", "PM"],
        "days": ["dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"],
        "shortDays": ["dim.", "lun.", "mar.", "mer.", "jeu.", "ven.", "sam."],
        "months": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
                   "octobre", "novembre", "décembre"],
        "shortMonths": ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.",
                        "nov.", "déc."],
    },
}


def french_chart(spec: dict[str, Any]) -> dict[str, Any]:
    """French number and date formats, and the accessible palette for categories."""
    out = dict(spec)
    config = dict(out.get("config") or {})
    config["locale"] = FRENCH_LOCALE
    config["range"] = dict(config.get("range") or {}) | {"category": PALETTE}
    out["config"] = config
    return out


def _column_config(table: pd.DataFrame) -> dict[str, Any]:
    """Numbers in the reader's locale (French browsers: « 1 597,05 »); years without separators."""
    config: dict[str, Any] = {}
    for col in table.columns:
        if not pd.api.types.is_numeric_dtype(table[col]) or pd.api.types.is_bool_dtype(table[col]):
            continue
        name = str(col).lower()
        if any(w in name for w in ("year", "annee", "année", "exercice")):
            config[col] = st.column_config.NumberColumn(format="%d")
        else:
            config[col] = st.column_config.NumberColumn(format="localized")
    return config


def params_text(module: Any, params: dict[str, Any]) -> str:
    """The parameters that differ from the module's defaults, in French (« défaut » when none)."""
    labels = param_labels(module)
    parts = []
    for name, f in module.params_model.model_fields.items():
        if name in params and params[name] != f.default:
            choices = param_choices(module, name) or {}
            value = params[name]
            shown = choices.get(str(value), fmt_number(value, 2).rstrip("0").rstrip(",")
                                if isinstance(value, float) else str(value))
            parts.append(f"{labels[name]} = {shown}")
    return " ; ".join(parts) or "par défaut"


def run_caption(run: RunView) -> str:
    ref = " · ★ référence de suivi" if run.is_reference else ""
    return (f"Exécution n° {run.id} — {fmt_date(run.started_at)} par {plain(run.created_by_name, inline=True)} · "
            f"{module_name(run)} · {run.status_label} · empreinte des données "
            f"{run.input_fingerprint[:12]}{ref}")


def module_name(run: RunView) -> str:
    """« Projection démographique par commune, version 1.2 »: the module's title, never its key."""
    try:
        from usecases import registry

        title = registry.get(run.module_key).title
    except KeyError:  # a run of a module this portal no longer has
        title = "module retiré du portail"
    return f"{title}, version {run.module_version}"


def render_result(detail: RunDetail, svc: Services, key: str) -> None:
    """Any module's stored result: metrics, charts, tables, notes, download."""
    run = detail.run
    st.caption(run_caption(run))
    if run.status in ("failed", "interrupted"):
        st.error(plain(run.error) if run.error else "L'analyse a échoué.")  # may quote a file
        return
    items = list(run.metrics.items())
    formats = _metric_formats(svc, run.module_key)
    for start in range(0, len(items), 4):
        cols = st.columns(4)
        for col, (k, v) in zip(cols, items[start:start + 4], strict=False):
            col.metric(run.metric_labels.get(k, k), _metric_text(formats, k, v))
    for name, spec in detail.charts.items():
        st.vega_lite_chart(french_chart(spec), key=f"{key}_chart_{name}")
    if detail.charts:  # the text alternative of the charts: the tables below hold their values
        st.caption("Les valeurs des graphiques figurent dans les tableaux ci-dessous." if detail.tables
                   else "Les indicateurs ci-dessus résument ce que montrent les graphiques.")
    if detail.tables:
        names = list(detail.tables)
        tabs = st.tabs([run.table_labels.get(n, n) for n in names])
        for tab, name in zip(tabs, names, strict=True):
            with tab:
                table = detail.tables[name]
                st.caption(f"{fmt_number(len(table), 0)} lignes")
                shown = readable(table.round(2))
                st.dataframe(shown, hide_index=True, key=f"{key}_table_{name}", placeholder="—",
                             column_config=_column_config(shown))
    if run.notes:  # the module's method notes and limits; they may quote the user's file (a site, an operator)
        st.info("\n".join(f"- {plain(note, inline=True)}" for note in run.notes), icon=":material/info:")
    # the archive is built on the click, not at every drawing of the page
    st.download_button("Télécharger les résultats (CSV et metrics.json)", lambda: svc.analysis.export_zip(run.id),
                       file_name=f"analyse-{run.module_key}-{run.id}.zip", mime="application/zip",
                       icon=":material/download:", key=f"{key}_download")


def progress(svc: Services, run_id: int) -> None:
    """Poll a background run every second; rerun the page once it has ended."""

    @st.fragment(run_every=1.0)
    def _poll() -> None:
        run = svc.analysis.get_run(run_id)
        if run.finished:
            st.rerun(scope="app")
        st.progress(run.progress, text=f"{run.progress_label or 'En cours'} — {round(run.progress * 100)} %")

    _poll()


def runs_frame(svc: Services, runs: list[RunView]) -> pd.DataFrame:
    return pd.DataFrame([{
        "N°": r.id, "Date": fmt_date(r.started_at), "Par": r.created_by_name, "Module": module_name(r),
        "Statut": r.status_label, "Référence": "★" if r.is_reference else "",
        "Paramètres": params_text(svc.analysis.module(r.module_key), r.params),
        "Données": ", ".join(v.get("file", k) for k, v in r.inputs.items()), "Empreinte": r.input_fingerprint[:12],
    } for r in runs])


def _run_label(runs: dict[int, RunView]) -> Any:
    return lambda i: (f"n° {i} — {fmt_date(runs[i].started_at)} — {runs[i].created_by_name}"
                      f"{' ★' if runs[i].is_reference else ''}")


def _database(svc: Services) -> str:
    return svc.db.engine.url.render_as_string(hide_password=True)


# A finished run is written once: its stored tables and charts, and the comparison of two such runs, never
# change. They are kept in memory by run id (per database), so drawing the tab again reads nothing; the
# run's own view (its « référence » star, which does change) is always read afresh.
@st.cache_resource(max_entries=64, show_spinner=False)
def _stored_result(_svc: Services, database: str, run_id: int) -> RunDetail:
    return _svc.analysis.open_run(run_id)


@st.cache_resource(max_entries=32, show_spinner=False)
def _stored_comparison(_svc: Services, database: str, a: int, b: int) -> Any:
    return _svc.analysis.compare(a, b)


def finished_result(svc: Services, run: RunView) -> RunDetail:
    """The stored result of a finished run (kept in memory), with ``run``'s current view."""
    return replace(_stored_result(svc, _database(svc), run.id), run=run)


def render_comparison(svc: Services, a: int, b: int, *, finished: bool = False) -> None:
    """Two runs side by side; ``finished``: both have ended, their comparison is kept in memory."""
    c = _stored_comparison(svc, _database(svc), a, b) if finished else svc.analysis.compare(a, b)
    st.markdown(f"**A** : exécution n° {c.a.id} · **B** : exécution n° {c.b.id} — "
                + ("mêmes données (même empreinte)" if c.same_inputs else "données différentes"))
    if not c.params.empty:
        st.markdown("**Paramètres qui diffèrent**")
        st.dataframe(c.params, hide_index=True)
    st.markdown("**Indicateurs**")
    shown = c.metrics.copy()
    formats = _metric_formats(svc, c.a.module_key)
    for col in ("A", "B", "Écart"):
        shown[col] = [_metric_text(formats, k, v if v is None or not pd.isna(v) else None)
                      for k, v in zip(c.metrics["Clé"], c.metrics[col], strict=True)]
    st.dataframe(shown.drop(columns=["Clé"]), hide_index=True)
    st.markdown("**Tables**")
    st.dataframe(pd.DataFrame([{
        "Table": d.title, "Lignes A": d.rows_a, "Lignes B": d.rows_b,
        "Seulement dans A": d.only_a, "Seulement dans B": d.only_b,
        "Verdict": "identiques" if d.identical else ("colonnes différentes" if d.columns_differ else "différentes"),
    } for d in c.tables]), hide_index=True)
    differing = [d for d in c.tables if not d.identical and not d.rows.empty]
    if differing:
        pick = st.selectbox("Voir les lignes qui diffèrent", [d.name for d in differing],
                            format_func={d.name: d.title for d in differing}.__getitem__, key="cmp_table")
        rows = next(d for d in differing if d.name == pick).rows
        shown_rows = readable(rows.round(2))
        st.dataframe(shown_rows, hide_index=True, column_config=_column_config(shown_rows), placeholder="—")


def sheet_tab(svc: Services, me: Principal, use_case_id: int, lead_id: int | None, reference: str) -> None:
    """The « Analyses » tab of a use-case sheet: bound module, run history, reopen, compare, reference."""
    binding = svc.analysis.binding(use_case_id)
    if binding is None:
        st.info("Aucun module d'analyse n'est associé à ce cas d'usage.")
    else:
        st.markdown(f"Module associé : **{binding.module_title}**")
    st.page_link("app_pages/analysis.py", label="Lancer une analyse", icon=":material/play_circle:",
                 query_params={"ref": reference})
    runs = svc.analysis.list_runs(use_case_id)
    if not runs:
        st.caption("Aucune exécution enregistrée.")
        return
    st.dataframe(runs_frame(svc, runs), hide_index=True)
    by_id = {r.id: r for r in runs}
    ids = list(by_id)
    label = _run_label(by_id)
    reopen, compare = st.tabs(["Rouvrir une exécution", "Comparer deux exécutions"])
    with reopen:
        rid = st.selectbox("Exécution", ids, format_func=label, key=f"reopen_{use_case_id}")
        run = by_id[rid]
        b1, b2 = st.columns(2)
        if run.status == "done" and not run.is_reference and \
                can(me, Action.SET_REFERENCE_RUN, owner_ids=[lead_id]) and \
                b1.button("Choisir comme référence de suivi", icon=":material/star:", key=f"ref_{rid}") and \
                attempt(lambda: svc.analysis.set_reference(me, rid),
                        success=f"Exécution n° {rid} choisie comme référence de suivi."):
            st.rerun()
        if run.status == "done" and not run.is_reference and any(r.is_reference for r in runs) and \
                can(me, Action.RUN_MONITORING, owner_ids=[lead_id]) and \
                b2.button("Contrôler contre la référence (Suivi)", icon=":material/monitor_heart:",
                          key=f"check_{rid}",
                          help="Compare les données de cette exécution (ou ce qu'elle a produit, pour les modules "
                               "de texte) à celles de l'exécution de référence ; le résultat s'affiche dans "
                               "l'onglet Suivi.") and \
                attempt(lambda: svc.analysis.check_run(me, rid),
                        success=f"Exécution n° {rid} contrôlée : voir l'onglet Suivi."):
            st.rerun()
        if run.finished:
            render_result(finished_result(svc, run), svc, key=f"sheet_{rid}")
        else:
            st.info("Exécution en cours.")
    with compare:
        if len(ids) < 2:
            st.caption("Il faut au moins deux exécutions pour comparer.")
        else:
            c1, c2 = st.columns(2)
            a = c1.selectbox("A", ids, index=1, format_func=label, key=f"cmp_a_{use_case_id}")
            b = c2.selectbox("B", ids, index=0, format_func=label, key=f"cmp_b_{use_case_id}")
            if a == b:
                st.caption("Choisissez deux exécutions différentes.")
            else:
                render_comparison(svc, a, b, finished=by_id[a].finished and by_id[b].finished)
