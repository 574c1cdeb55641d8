"""The "Suivi" tab of the use-case sheet: whoever follows the use case checks the month's batch here.

Opening the tab computes nothing: it reads the stored checks, outcomes and alerts. A check runs
when a person drops a current batch and asks for it (the service reads the file, compares it with
the reference, stores the run and raises the alerts; the page shows each step as it goes), or
from the scheduled `vigie monitor due` job. Every write goes through the monitoring service:
running a check, handling an alert (``portal.ui.monitoring_alerts``), configuring the monitoring,
uploading a reference batch and recording the outcomes observed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from monitoring.drift import METHOD_LABELS_FR
from monitoring.levels import roman
from monitoring.sentences import MEASURE_FR
from policies.access import can
from policies.vocabulary import Action, ColumnKind, Principal
from portal.services import Services
from portal.services.schemas import UseCaseView
from portal.ui import monitoring_alerts
from portal.ui import monitoring_charts as charts
from portal.ui.charts import show as show_chart
from portal.ui.feedback import attempt
from portal.ui.formats import fmt_date, fmt_int, fmt_number
from portal.ui.text import plain

KIND_FR = {kind.value: kind.label for kind in (ColumnKind.NUMERICAL, ColumnKind.CATEGORICAL)}
METRIC_FR = {"accuracy": "Exactitude", "precision": "Précision", "recall": "Rappel", "f1": "F1",
             "override_rate": "Taux de correction par les agents", "mape": "Erreur moyenne des prévisions"}


RUN_PICK = "mon_run_pick"


def _pct(value: float | None, decimals: int = 1) -> str:
    return "—" if value is None else f"{fmt_number(value * 100, decimals)} %"


def _check_label(run) -> str:  # type: ignore[no-untyped-def]
    return f"n° {run.id} — {run.current_label}"


def render(svc: Services, me: Principal, uc: UseCaseView) -> None:
    mon = svc.monitoring
    cfg = mon.config(uc.id)
    level = mon.level_of(uc.id)

    if cfg is None:
        st.info("Le suivi de ce cas d'usage n'est pas configuré : aucune référence, aucun contrôle.")
        _configure_form(svc, me, uc, None)
        _record_outcomes_form(svc, me, uc)
        return

    thresholds, _ = mon.thresholds(uc.id)
    drift = thresholds.drift
    st.markdown(
        f"**Niveau d'impact** : {level.label} · seuils appliqués : dérive numérique "
        f"{fmt_number(drift.numerical_threshold, 3)}, catégorielle {fmt_number(drift.categorical_threshold, 3)}, "
        f"alerte si {_pct(drift.drift_share, 0)} des colonnes dérivent · contrôle tous les {cfg.cadence_days} jours"
    )
    if level.source == "default":
        st.caption("Le niveau d'impact n'est pas encore fixé par la gouvernance : le niveau II s'applique par défaut.")
    if cfg.reference_id:
        st.caption(f"Référence : {plain(cfg.reference_label, inline=True)} — {fmt_int(cfg.reference_rows)} lignes, "
                   f"enregistrée le {fmt_date(cfg.reference_at)} · empreinte {cfg.reference_checksum[:12]}… · "
                   f"colonnes suivies : " + ", ".join(f"« {plain(c, inline=True)} » ({KIND_FR[k]})" for c, k in cfg.columns.items()))
    else:
        st.warning("Aucune référence enregistrée : les contrôles ne peuvent pas encore être lancés.")

    fresh = _check_form(svc, me, uc, cfg)
    monitoring_alerts.render(svc, me, uc, fresh)

    runs = list(reversed(mon.runs(uc.id)))  # oldest first
    st.header("Dérive des données")
    if not runs:
        st.info("Aucun contrôle enregistré : déposez le lot du mois ci-dessus pour lancer le premier.")
    else:
        history = pd.DataFrame([{"check": _check_label(r), "share": r.share_drifted, "alerts": r.n_alerts}
                                for r in runs])
        show_chart(charts.drift_history(history, drift.drift_share), width="stretch")
        cells = pd.DataFrame([{
            "check": _check_label(r), "col": c.column, "score": c.score, "threshold": c.threshold,
            "ratio": (c.score / c.threshold) if c.score is not None and c.threshold else None,
            "drifted": "oui" if c.drifted else "non",
        } for r in runs for c in r.columns])
        if not cells.empty:
            st.markdown("**Colonnes × contrôles** (couleur : écart rapporté au seuil ; ● : changement retenu)")
            show_chart(charts.column_heatmap(cells), width="stretch")
        _run_detail(svc, runs)

    _outcomes(svc, uc)
    _record_outcomes_form(svc, me, uc)
    st.caption("Ouvrir cet onglet ne lance aucun calcul. Pour automatiser les contrôles, un service informatique "
               "peut aussi planifier `vigie monitor due` (lot déposé dans un dossier convenu).")
    _configure_form(svc, me, uc, cfg)


def _check_form(svc: Services, me: Principal, uc: UseCaseView, cfg) -> set[int]:  # type: ignore[no-untyped-def]
    """Drop the month's batch and run the check, its steps shown while it runs. Returns the ids of
    the alerts the latest check run from this tab raised (marked « Nouvelle »)."""
    last_key = f"mon_last_check_{uc.id}"
    if cfg.reference_id and can(me, Action.RUN_MONITORING, owner_ids=[uc.lead_id]):
        with st.container(border=True, key=f"mon_check_box_{uc.id}"):
            st.markdown("**Contrôler le lot du mois**")
            st.caption("Déposez l'extraction la plus récente, avec les mêmes colonnes que la référence (CSV ou "
                       "Excel ; " + ", ".join(f"« {plain(c, inline=True)} »" for c in cfg.columns) + "). Vigie la "
                       "compare à la référence et affiche aussitôt le résultat et les alertes.")
            file_key = f"mon_batch_file_{uc.id}"
            upload = st.file_uploader("Lot du mois (CSV ou Excel)", type=["csv", "xlsx", "txt"],
                                      key=f"mon_batch_{uc.id}")
            if upload is not None and upload.file_id != st.session_state.get(f"{file_key}_id"):
                st.session_state[file_key] = (upload.name, upload.getvalue())
                st.session_state[f"{file_key}_id"] = upload.file_id
            current = st.session_state.get(file_key)
            if upload is not None and current is None:
                st.caption("Ce fichier vient d'être contrôlé : déposez un autre lot pour un nouveau contrôle.")
            label = st.text_input("Libellé du lot", key=f"mon_batch_label_{uc.id}",
                                  placeholder="par exemple : extraction d'octobre")
            if st.button("Lancer le contrôle", type="primary", key=f"mon_batch_run_{uc.id}",
                         icon=":material/play_arrow:", disabled=current is None) and current is not None:
                _run_check(svc, me, uc, current, label, last_key)
    last = st.session_state.get(last_key)
    if last:
        (st.warning if last["alerts"] else st.success)(last["text"])
        return set(last["alerts"])
    return set()


def _run_check(svc: Services, me: Principal, uc: UseCaseView, current: tuple[str, bytes], label: str,
               last_key: str) -> None:
    name, data = current
    with st.status("Contrôle du lot en cours…", expanded=True) as status:
        def step(text: str) -> None:
            status.update(label=f"{text}…")
            st.write(f"{text}…")

        res = attempt(lambda: svc.monitoring.run_check(me, uc.id, data, filename=name, progress=step,
                                                       label=label.strip() or f"Fichier « {name} »"))
        if res is None:
            status.update(label="Contrôle non effectué : le lot n'a pas été enregistré", state="error", expanded=True)
            return
        status.update(label=f"Contrôle n° {res.run.id} terminé", state="complete", expanded=False)
    run = res.run
    changed = (f"{run.n_drifted} colonne{'s' if run.n_drifted > 1 else ''} sur {run.n_computable} "
               f"{'ont' if run.n_drifted > 1 else 'a'} changé depuis la référence")
    n = len(res.alerts)
    text = (f"Contrôle n° {run.id} du lot « {plain(run.current_label, inline=True)} » enregistré : {changed} ; "
            + (f"{n} nouvelle{'s' if n > 1 else ''} alerte{'s' if n > 1 else ''}, ci-dessous." if n
               else "aucune alerte."))
    if res.suspension_proposed:
        text += " Alertes répétées : une suspension est proposée à la gouvernance."
    st.session_state[last_key] = {"text": text, "alerts": [a.id for a in res.alerts]}
    st.session_state.pop(f"mon_batch_file_{uc.id}", None)  # the same file is not checked twice by mistake
    st.session_state[RUN_PICK] = run.id  # the check's detail below shows the new run


def _run_detail(svc: Services, runs: list) -> None:  # type: ignore[type-arg]
    by_id = {r.id: r for r in runs}
    ids = list(reversed(list(by_id)))
    rid = st.selectbox("Détail du contrôle", ids, format_func=lambda i: f"{_check_label(by_id[i])} "
                       f"({fmt_date(by_id[i].created_at)})", key=RUN_PICK)
    run = by_id[rid]
    names = {p.id: p.display_name for p in svc.people.list()}
    who = "tâche planifiée" if run.trigger == "job" else "lancement manuel"
    who += f" par {names[run.created_by_id]}" if run.created_by_id in names else " (ligne de commande)"
    st.caption(f"{fmt_int(run.n_reference)} lignes de référence, {fmt_int(run.n_current)} lignes courantes · "
               f"niveau {roman(run.impact_level)}{' (par défaut)' if run.level_source == 'default' else ''} · {who} · "
               f"calcul {fmt_number(run.seconds, 2)} s · empreinte du lot {run.current_fingerprint[:12]}…")
    for message in run.messages:
        st.info(message)
    st.dataframe(pd.DataFrame([{
        "Colonne": c.column, "Type": KIND_FR.get(c.kind, c.kind),
        "Écart à la référence": fmt_number(c.score, 3) if c.score is not None else "non calculable",
        "Seuil": fmt_number(c.threshold, 3), "Changement retenu": "oui" if c.drifted else "non",
        "Manquants réf.": _pct(c.ref_missing_rate), "Manquants courant": _pct(c.cur_missing_rate),
        "Nouvelles catégories": ", ".join(map(str, c.new_categories[:8])) + ("…" if len(c.new_categories) > 8 else ""),
    } for c in run.columns]), hide_index=True)
    with st.expander("Détail technique"):
        st.dataframe(pd.DataFrame([{
            "Colonne": c.column, "Mesure": METHOD_LABELS_FR.get(c.method, c.method),
            "Score": fmt_number(c.score, 4) if c.score is not None else "non calculable",
            "Constats": " ".join(c.messages),
        } for c in run.columns]), hide_index=True,
            column_config={"Constats": st.column_config.TextColumn(width="large")}, row_height=60)
    if run.has_report:
        st.download_button("Télécharger le rapport Evidently (HTML)", data=lambda: svc.monitoring.report_html(run.id),
                           file_name=f"rapport-evidently-controle-{run.id}.html", mime="text/html",
                           icon=":material/download:", key=f"mon_report_{run.id}")
    elif run.report_error:
        st.caption(run.report_error)


def _outcome_lines(overall: list, thresholds: Any) -> tuple[list[dict[str, Any]], dict[str, tuple[float, float]]]:
    """Points and acceptable bands of the metrics that carry an agreed threshold (and the override
    rate); the rest is in the table."""
    rows, bands = [], {}
    limits: dict[str, tuple[float, float]] = {}
    if thresholds is not None:
        limits = {k: (v, 1.0) for k, v in thresholds.min_metrics.items()}
        limits["override_rate"] = (0.0, thresholds.max_override_rate)
        limits |= {k: (0.0, v) for k, v in thresholds.max_metrics.items() if k == "mape"}
    for o in overall:
        for key in limits or {"accuracy": None, "override_rate": None}:
            value = o.metrics.get(key)
            if value is not None and key in METRIC_FR:
                rows.append({"period": o.period, "metric": METRIC_FR[key], "value": value})
    for key, band in limits.items():
        if key in METRIC_FR and any(r["metric"] == METRIC_FR[key] for r in rows):
            bands[METRIC_FR[key]] = band
    return rows, bands


def _outcomes(svc: Services, uc: UseCaseView) -> None:
    st.header("Résultats et indicateurs")
    outcomes = svc.monitoring.outcomes(uc.id)
    if not outcomes:
        st.info("Aucun résultat enregistré (prédictions comparées aux valeurs constatées, corrections des agents, "
                "indicateur métier).")
        return
    overall = [o for o in outcomes if o.territory is None]
    thresholds, _ = svc.monitoring.thresholds(uc.id) if svc.monitoring.config(uc.id) else (None, None)
    rows, bands = _outcome_lines(overall, thresholds)
    if rows:
        show_chart(charts.outcome_lines(pd.DataFrame(rows), bands), width="stretch")
        st.caption("Zones colorées : valeurs acceptables au niveau d'impact du cas d'usage "
                   "(minimum de qualité, maximum de corrections par les agents).")
    kpis = [o for o in overall if o.kpi_value is not None]
    if kpis and uc.kpi_name and uc.kpi_baseline is not None and uc.kpi_target is not None:
        show_chart(charts.kpi_band(pd.DataFrame([{"period": o.period, "value": o.kpi_value} for o in kpis]),
                                        uc.kpi_baseline, uc.kpi_target, uc.kpi_name), width="stretch")
    elif uc.kpi_name:
        st.caption(f"Indicateur métier « {plain(uc.kpi_name, inline=True)} » : aucune valeur saisie pour l'instant "
                   f"(départ {fmt_number(uc.kpi_baseline)}, cible {fmt_number(uc.kpi_target)}).")
    st.dataframe(pd.DataFrame([{
        "Période": o.period, "Territoire": o.territory or "ensemble", "Nombre": o.n,
        **{METRIC_FR[k]: _pct(o.metrics.get(k)) for k in ("accuracy", "f1", "override_rate")},
        "Écart moyen": fmt_number(o.metrics.get("mae"), 2) if o.metrics.get("mae") is not None else "—",
        "Indicateur": fmt_number(o.kpi_value, 2) if o.kpi_value is not None else "—",
    } for o in outcomes]), hide_index=True)
    places = [o for o in outcomes if o.territory is not None]
    if places:
        latest = places[-1].period
        key = "accuracy" if overall and overall[-1].kind == "classification" else "mae"
        rows_t = [{"territory": o.territory, "value": o.metrics.get(key), "n": o.n}
                  for o in places if o.period == latest and o.metrics.get(key) is not None]
        if rows_t:
            st.markdown(f"**Par territoire, période {latest}** ({MEASURE_FR[key]})")
            show_chart(charts.by_territory(pd.DataFrame(rows_t), percent=key == "accuracy"), width="stretch")
    st.caption("Avec plus de deux classes (par exemple des services destinataires), précision, rappel et F1 "
               "sont des moyennes par classe : les classes rares les tirent vers le bas.")


OUTCOME_KIND_FR = {"classification": "Catégories (affectation, classement)",
                   "regression": "Valeurs numériques (prévision, estimation)"}


def _record_outcomes_form(svc: Services, me: Principal, uc: UseCaseView) -> None:
    """The project lead records what happened: a file of predictions against actuals, and the
    business indicator per period. Replaces the figures of the periods it covers, raises alerts."""
    if not can(me, Action.RECORD_OUTCOMES, owner_ids=[uc.lead_id]):
        return
    with st.expander("Enregistrer des résultats constatés", icon=":material/fact_check:"):
        st.caption("Un fichier CSV ou Excel, une ligne par décision ou prévision : colonne de période "
                   "(mois, trimestre…), « actual » (valeur constatée), « prediction » (proposition de l'outil), "
                   "et facultativement « overridden » (1 si l'agent a corrigé) et une colonne de territoire. "
                   "Les résultats des périodes déjà saisies sont remplacés.")
        upload = st.file_uploader("Fichier de résultats (CSV ou Excel)", type=["csv", "xlsx", "txt"],
                                  key=f"out_file_{uc.id}")
        kind = st.radio("Nature des prédictions", list(OUTCOME_KIND_FR), format_func=OUTCOME_KIND_FR.get,
                        horizontal=True, key=f"out_kind_{uc.id}")
        c1, c2, c3 = st.columns(3)
        period = c1.text_input("Colonne de période", "period", key=f"out_period_{uc.id}")
        territory = c2.text_input("Colonne de territoire (facultatif)", "", key=f"out_territory_{uc.id}")
        label = c3.text_input("Libellé du lot", "", key=f"out_label_{uc.id}",
                              placeholder="par exemple : résultats du trimestre")
        kpi: dict[str, float] = {}
        if uc.kpi_name:
            st.markdown(f"**{plain(uc.kpi_name, inline=True)}** par période ({plain(uc.kpi_unit or 'valeur', inline=True)} ; départ "
                        f"{fmt_number(uc.kpi_baseline)}, cible {fmt_number(uc.kpi_target)}) — facultatif")
            edited = st.data_editor(
                pd.DataFrame({"période": pd.Series([], dtype="string"), "valeur": pd.Series([], dtype="float")}),
                num_rows="dynamic", hide_index=True, key=f"out_kpi_{uc.id}",
                column_config={"période": st.column_config.TextColumn(required=True),
                               "valeur": st.column_config.NumberColumn(required=True)})
            kpi = {str(r["période"]).strip(): float(r["valeur"]) for r in edited.to_dict("records")
                   if str(r.get("période") or "").strip() and pd.notna(r.get("valeur"))}
        if st.button("Enregistrer les résultats", key=f"out_save_{uc.id}", disabled=upload is None):
            alerts = attempt(lambda: svc.monitoring.record_outcomes(
                me, uc.id, upload.getvalue(), filename=upload.name, kind=kind,
                label=label or f"Fichier « {upload.name} »", period=period.strip() or None,
                territory=territory.strip() or None, kpi=kpi or None))
            if alerts is not None:
                st.session_state["_flash"] = (
                    "Résultats enregistrés" + (f" ; {len(alerts)} alerte(s) ouverte(s), à traiter ci-dessus."
                                               if alerts else " ; aucune alerte."))
                st.rerun()


def _configure_form(svc: Services, me: Principal, uc: UseCaseView, cfg) -> None:  # type: ignore[no-untyped-def]
    if not can(me, Action.CONFIGURE_MONITORING, owner_ids=[uc.lead_id]):
        return
    with st.expander("Configurer le suivi et la référence", icon=":material/tune:"):
        columns = dict(cfg.columns) if cfg else svc.monitoring.default_columns(uc.id)
        st.caption("Colonnes proposées d'après le schéma d'entrée du module d'analyse ; une ligne par colonne.")
        edited = st.data_editor(
            pd.DataFrame({"colonne": list(columns), "type": [KIND_FR[k] for k in columns.values()]}),
            num_rows="dynamic", hide_index=True, key=f"mon_cols_{uc.id}",
            column_config={"type": st.column_config.SelectboxColumn(options=list(KIND_FR.values()), required=True)})
        cadence = st.number_input("Fréquence des contrôles (jours)", 1, 366, cfg.cadence_days if cfg else 30,
                                  key=f"mon_cadence_{uc.id}")
        if st.button("Enregistrer la configuration", key=f"mon_cfg_save_{uc.id}"):
            back = {v: k for k, v in KIND_FR.items()}
            wanted = {str(r["colonne"]).strip(): back.get(r["type"], r["type"])
                      for r in edited.to_dict("records") if str(r.get("colonne") or "").strip()}
            data = {"columns": wanted, "cadence_days": int(cadence),
                    "critical_columns": [c for c in (cfg.critical_columns if cfg else []) if c in wanted]}
            if attempt(lambda: svc.monitoring.configure(me, uc.id, data, cfg.version if cfg else None),
                       success="Configuration du suivi enregistrée."):
                st.rerun()
        upload = st.file_uploader("Lot de référence (CSV ou Excel)", type=["csv", "xlsx", "txt"],
                                  key=f"mon_ref_{uc.id}")
        if upload is not None and st.button("Enregistrer comme référence", key=f"mon_ref_save_{uc.id}") and attempt(
                lambda: svc.monitoring.upload_reference(me, uc.id, upload.getvalue(), upload.name),
                success="Référence enregistrée."):
            st.rerun()
