"""Facility attendance: profiles, calendar effects, saturation, anomalies and a short forecast."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

import altair as alt
import numpy as np
import pandas as pd
from pydantic import Field

from policies import french
from usecases.base import AnalysisModule, AnalysisResult, Column, InputSchema, InputSpec, MetricFormat, Params
from usecases.facility_usage import anomalies, hourly, model
from usecases.forecast_check import SelfCheck
from usecases.registry import register

SCHEMA = InputSchema((
    Column("site", "categorical", role="group", description="Équipement ou point de comptage"),
    Column("date", "datetime", role="timestamp",
           description="Jour du comptage (jj/mm/aaaa), ou date et heure (jj/mm/aaaa hh:mm) pour le profil horaire"),
    Column("count", "numerical", role="target", description="Fréquentation du jour (entrées, passages…)"),
))

WEEKDAYS_FR = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS_FR = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
             "septembre", "octobre", "novembre", "décembre")


class FacilityParams(Params):
    horizon_days: int = Field(14, ge=1, le=60, description="Nombre de jours à prévoir après le dernier jour observé", title="Horizon (jours)")
    confidence_level: float = Field(0.8, ge=0.5, le=0.95, description="Niveau de confiance des intervalles de prévision", title="Niveau de confiance")
    public_holidays: Literal["FR", "CA-QC", "aucun"] = Field(
        "FR", description="Calendrier des jours fériés : France, Québec (pour l'échantillon montréalais) ou aucun", title="Jours fériés", json_schema_extra={"choices": {"FR": "France", "CA-QC": "Québec", "aucun": "Aucun"}}
    )
    school_zone: Literal["A", "B", "C", "aucune"] = Field(
        "C", description="Zone de vacances scolaires (A, B, C) ou « aucune »", title="Zone de vacances scolaires", json_schema_extra={"choices": {"A": "Zone A", "B": "Zone B", "C": "Zone C", "aucune": "Aucune"}}
    )
    capacity: float = Field(0.0, ge=0.0, description="Capacité journalière par site ; 0 = utiliser le quantile ci-dessous", title="Capacité journalière")
    saturation_quantile: float = Field(0.9, ge=0.5, le=0.99, description="Quantile servant de seuil de pic quand aucune capacité n'est donnée", title="Quantile de saturation")
    hourly_capacity: float = Field(0.0, ge=0.0, description="Capacité horaire par site (entrées par heure), pour compter les heures au-dessus quand les comptages sont horodatés ; 0 = non renseignée", title="Capacité horaire")
    min_run_days: int = Field(3, ge=2, le=30, description="Jours consécutifs à zéro ou à valeur constante pour signaler une anomalie", title="Jours consécutifs suspects")
    z_threshold: float = Field(5.0, ge=2.0, le=10.0, description="Écart robuste (en MAD) au-delà duquel un jour est anormal", title="Seuil d'anomalie (MAD)")


def _daily(counts: pd.DataFrame, params: FacilityParams) -> tuple[pd.DataFrame, hourly.HourlyResult | None]:
    """Daily sums per site with their calendar (holidays, weekday, month), and the hourly analyses when
    the counts carry a time of day."""
    df = counts.dropna(subset=["site", "date", "count"]).copy()
    df["site"] = df["site"].astype(str)
    df["date"] = pd.to_datetime(df["date"])
    hourly_tables = hourly.analyse(df, params.hourly_capacity) if hourly.has_time_of_day(df["date"]) else None
    df["date"] = df["date"].dt.normalize()
    daily = df.groupby(["site", "date"], as_index=False)["count"].sum().sort_values(["site", "date"])
    dates = pd.DatetimeIndex(daily["date"])
    daily["ferie"] = model.public_holidays(dates, params.public_holidays)
    daily["vacances"] = model.school_holidays(dates, params.school_zone)
    daily["jour"] = [WEEKDAYS_FR[d] for d in dates.weekday]
    daily["mois"] = [MONTHS_FR[m - 1] for m in dates.month]
    return daily, hourly_tables


def _profiles(daily: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean attendance per site and weekday, and per site and month."""
    dates = pd.DatetimeIndex(daily["date"])
    weekday = (daily.assign(n=dates.weekday).groupby(["site", "n", "jour"], as_index=False)["count"].mean()
               .rename(columns={"count": "moyenne"}).sort_values(["site", "n"]).drop(columns="n"))
    monthly = (daily.assign(n=dates.month).groupby(["site", "n", "mois"], as_index=False)["count"]
               .agg(moyenne="mean", total="sum", jours="size").sort_values(["site", "n"]).drop(columns="n"))
    return weekday, monthly


@dataclass(frozen=True)
class _SelfCheck:
    """The run's backtest on its own recent weeks: combination weight, interval bounds, fallback, per site."""

    choice: dict
    check: SelfCheck
    fallback: bool
    per_site: pd.DataFrame
    #: Holt-Winters states fitted during the backtest, reused for the forecast
    states: dict
    notes: list[str]


def _self_check(daily: pd.DataFrame, params: FacilityParams) -> _SelfCheck:
    last_day = daily["date"].max()
    horizon = params.horizon_days
    states: dict = {}
    past = model.backtest_table(daily[["site", "date", "count"]], model.self_origins(last_day, horizon),
                                horizon, params.public_holidays, params.school_zone, states_out=states)
    choice = model.choose(past, params.confidence_level)
    check = SelfCheck(choice["model_error"], choice["naive_error"], "MASE",
                      "la reprise du même jour de la semaine précédente",
                      f"à {french.count(horizon, 'jour')}", choice["n"], choice["coverage"], params.confidence_level)
    fallback = check.available and not check.use_model
    per_site = model.site_checks(past, choice["weight"], not fallback)
    worse = per_site.loc[per_site["mase_prevision"] > per_site["mase_naif"], "site"].tolist()
    per_site = per_site.round(3)
    notes = []
    if check.available and not fallback and worse:
        notes.append(f"Sur vos données, la prévision fait moins bien que la reprise du même jour de la semaine "
                     f"précédente pour {french.count(len(worse), 'site')} sur {len(per_site)} ({', '.join(worse)}) : "
                     "pour ces sites, à lire avec prudence (détail dans « Auto-évaluation par site »).")
    if not check.available:
        notes.append("Historique trop court pour rétro-tester et calibrer les intervalles : ±50 % par défaut.")
    return _SelfCheck(choice, check, fallback, per_site, states, notes)


def _forecast(daily: pd.DataFrame, future: pd.DatetimeIndex, sc: _SelfCheck,
              params: FacilityParams) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Forecast with intervals and the estimated calendar effects of every site (seasonal naive on fallback)."""
    country, zone = params.public_holidays, params.school_zone
    choice, last_day = sc.choice, daily["date"].max()
    fc_parts, effects, notes = [], [], []
    lo, hi = choice["lo"], choice["hi"]
    for site, g in daily.groupby("site"):
        series = g.set_index("date")["count"].astype(float)
        fit = model.fit_site(series, country, zone)
        site_states = sc.states[site] if site in sc.states else model.ets_states(series)
        preds = model.forecast_all(series, last_day, future, country, zone, weight=choice["weight"],
                                   states=site_states, site_model=fit)
        pred = preds["naif_saisonnier"] if sc.fallback else preds["modele"]
        if np.isnan(pred).all():
            notes.append(f"Site « {site} » : historique insuffisant, pas de prévision.")
            continue
        fc_parts.append(pd.DataFrame({"site": site, "date": future, "forecast": pred,
                                      "lower": np.expm1(np.log1p(pred) + lo),
                                      "upper": np.expm1(np.log1p(pred) + hi)}))
        if fit is None:
            continue
        effects.append({"site": site,
                        "effet_ferie_pct": 100 * (np.exp(fit.holiday_effect) - 1),
                        "effet_vacances_scolaires_pct": 100 * (np.exp(fit.school_effect) - 1),
                        "jour_le_plus_frequente": WEEKDAYS_FR[int(np.argmax(fit.weekday))],
                        "jour_le_moins_frequente": WEEKDAYS_FR[int(np.argmin(fit.weekday))]})
    forecast = (pd.concat(fc_parts, ignore_index=True) if fc_parts
                else pd.DataFrame(columns=["site", "date", "forecast", "lower", "upper"]))
    forecast = forecast.round({"forecast": 1, "lower": 1, "upper": 1})
    return forecast, pd.DataFrame(effects).round(1), notes


def _saturation(daily: pd.DataFrame, params: FacilityParams) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Days above the capacity (or the saturation quantile) per site, and each site's three busiest days."""
    sat_rows, peaks = [], []
    for site, g in daily.groupby("site"):
        threshold = params.capacity if params.capacity > 0 else float(g["count"].quantile(params.saturation_quantile))
        above = g[g["count"] > threshold]
        sat_rows.append({"site": site, "seuil": threshold, "jours": len(g), "jours_au_dessus": len(above),
                         "part_au_dessus_pct": 100 * len(above) / len(g), "maximum": g["count"].max(),
                         "date_maximum": g.loc[g["count"].idxmax(), "date"]})
        peaks.append(g.nlargest(3, "count")[["site", "date", "jour", "count", "ferie", "vacances"]])
    return pd.DataFrame(sat_rows).round(1), pd.concat(peaks, ignore_index=True)


def _method_note(weight: float | tuple[float, float, float]) -> str:
    """How the forecast is made: the combination's parts and their weights, in French."""
    profile = ("d'un modèle à profil hebdomadaire (niveau récent robuste × profil × effets fériés et vacances "
               "scolaires estimés sur vos données)")
    ets = "d'un lissage exponentiel Holt-Winters (statsmodels)"
    if isinstance(weight, (int, float)):
        return (f"Prévision : combinaison (en logarithme) {profile} et {ets} ; poids du profil retenu sur vos "
                f"{model.SELF_ORIGINS} dernières semaines rétro-testées : {french.percent(round(100 * weight), 0)}. "
                "Elle ignore la météo et les événements.")
    parts = [(profile, "profil"), (ets, "lissage exponentiel"),
             ("de la reprise du même jour de la semaine précédente", "même jour de la semaine précédente")]
    used = [(text, short, w) for (text, short), w in zip(parts, weight, strict=True) if w > 0]
    described = ", ".join(text for text, _, _ in used[:-1]) + (" et " if len(used) > 1 else "") + used[-1][0]
    weights = ", ".join(f"{short} {french.percent(round(100 * w), 0)}" for _, short, w in used)
    return (f"Prévision : combinaison (en logarithme) {described} ; poids : {weights}. "
            "Elle ignore la météo et les événements.")


def _notes(sc: _SelfCheck, forecast_notes: list[str], daily: pd.DataFrame, future: pd.DatetimeIndex,
           params: FacilityParams) -> list[str]:
    check = sc.check
    notes = [*sc.notes, *forecast_notes]
    dates = pd.DatetimeIndex(daily["date"])
    if params.school_zone != "aucune" and not model.school_calendar_covers(dates.append(future)):
        notes.append("Le calendrier des vacances scolaires embarqué couvre 2012–2027 : hors de cette période, "
                     "les vacances ne sont pas prises en compte.")
    notes = [check.sentence(), *([check.coverage_sentence()] if check.coverage_sentence() else []), *notes]
    notes += [_method_note(sc.choice["weight"]),
        f"Intervalles à {french.percent(100 * params.confidence_level, 0)} issus des erreurs de cette prévision lors du rétro-test sur "
        "vos données (origines hebdomadaires).",
        "Les anomalies sont des signaux à vérifier (fermeture, panne, événement), pas des erreurs avérées.",
    ]
    return notes


def _metrics(daily: pd.DataFrame, saturation: pd.DataFrame, anomaly_df: pd.DataFrame, forecast: pd.DataFrame,
             sc: _SelfCheck) -> dict[str, float]:
    check = sc.check
    return {
        "sites": float(daily["site"].nunique()),
        "jours_observes": float(daily["date"].nunique()),
        "frequentation_moyenne_jour": float(daily.groupby("date")["count"].sum().mean()),
        "part_jours_satures_pct": float(saturation["jours_au_dessus"].sum() / max(saturation["jours"].sum(), 1) * 100),
        "anomalies": float(len(anomaly_df)),
        "prevision_total_horizon": float(forecast["forecast"].sum()) if len(forecast) else 0.0,
        "autoevaluation_mase_modele": check.model_error,
        "autoevaluation_mase_naif": check.naive_error,
        "autoevaluation_gain_pct": check.gain_pct,
        "couverture_intervalle_pct": check.coverage,
        "prevision_naive_retenue": float(sc.fallback),
    }


def _metric_labels(params: FacilityParams) -> dict[str, str]:
    return {
        "sites": "Sites",
        "jours_observes": "Jours observés",
        "frequentation_moyenne_jour": "Fréquentation moyenne par jour (tous sites)",
        "part_jours_satures_pct": "Jours au-dessus du seuil de pic (%)",
        "anomalies": "Anomalies signalées",
        "prevision_total_horizon": f"Fréquentation prévue sur {french.count(params.horizon_days, 'jour')} (tous sites)",
        "autoevaluation_mase_modele": "Sur vos données : erreur de la prévision (MASE)",
        "autoevaluation_mase_naif": "Sur vos données : erreur du naïf saisonnier (MASE)",
        "autoevaluation_gain_pct": "Sur vos données : erreur en moins que le naïf saisonnier (%)",
        "couverture_intervalle_pct": "Sur vos données : observations dans l'intervalle de prévision (%)",
        "prevision_naive_retenue": "Prévision naïve retenue (1 = oui)",
    }


_TABLE_LABELS = {"forecast": "Prévision par site et par jour", "profil_hebdomadaire": "Profil hebdomadaire",
                "profil_mensuel": "Profil mensuel", "effets_calendrier": "Effets calendaires estimés",
                "saturation": "Pics et saturation", "pics": "Trois jours les plus fréquentés par site",
                "anomalies": "Anomalies à vérifier",
                "autoevaluation_par_site": "Auto-évaluation par site (rétro-test sur vos données, MASE)"}


@register
class FacilityUsage(AnalysisModule[FacilityParams]):
    key = "facility_usage"
    title = "Fréquentation des équipements"
    description = (
        "Profils hebdomadaires et mensuels, effets des jours fériés et des vacances scolaires, pics et "
        "saturation, anomalies (fermetures, capteurs figés, valeurs aberrantes) et prévision des "
        "prochains jours par site, avec intervalles, rétro-testée sur vos données. Pour des comptages "
        "horodatés : profil horaire par jour de la semaine, heures de pointe et heures au-dessus d'une capacité."
    )
    version = "1.2"
    family = "decision_support"
    inputs: ClassVar[tuple[InputSpec, ...]] = (
        InputSpec("counts", "Comptages journaliers par site", SCHEMA, "Une ligne par site et par jour."),
    )
    params_model = FacilityParams
    metric_formats: ClassVar[dict[str, MetricFormat]] = {
        "sites": "count", "jours_observes": "count", "frequentation_moyenne_jour": "count",
        "part_jours_satures_pct": "percent", "anomalies": "count", "prevision_total_horizon": "count",
        "autoevaluation_mase_modele": "decimal", "autoevaluation_mase_naif": "decimal",
        "autoevaluation_gain_pct": "percent", "couverture_intervalle_pct": "percent",
        "prevision_naive_retenue": "count",
    }

    def run(self, inputs: dict[str, pd.DataFrame], params: FacilityParams) -> AnalysisResult:
        daily, hourly_tables = _daily(inputs["counts"], params)
        weekday, monthly = _profiles(daily)
        # Forecast: the run backtests itself on its own recent weeks (the combination, or the
        # seasonal-naive fallback when the model does not beat it), then forecasts every site.
        sc = _self_check(daily, params)
        future = pd.date_range(daily["date"].max() + pd.Timedelta(days=1), periods=params.horizon_days, freq="D")
        forecast, effects_df, forecast_notes = _forecast(daily, future, sc, params)
        saturation, peaks_df = _saturation(daily, params)
        anomaly_df = anomalies.detect(daily[["site", "date", "count"]], params.min_run_days, params.z_threshold)
        notes = _notes(sc, forecast_notes, daily, future, params)
        metrics = _metrics(daily, saturation, anomaly_df, forecast, sc)
        labels = _metric_labels(params)
        charts = self._charts(daily, forecast, weekday, anomaly_df)
        tables = {"forecast": forecast, "profil_hebdomadaire": weekday.round(1), "profil_mensuel": monthly.round(1),
                  "effets_calendrier": effects_df, "saturation": saturation, "pics": peaks_df, "anomalies": anomaly_df,
                  "autoevaluation_par_site": sc.per_site}
        table_labels = dict(_TABLE_LABELS)
        if hourly_tables is not None:
            tables |= hourly_tables.tables
            table_labels |= hourly_tables.table_labels
            metrics |= hourly_tables.metrics
            labels |= hourly_tables.metric_labels
            charts |= hourly_tables.charts
            notes += hourly_tables.notes
        return AnalysisResult(metrics=metrics, tables=tables, charts=charts, notes=notes, metric_labels=labels,
                              table_labels=table_labels)

    @staticmethod
    def _charts(daily, forecast, weekday, anomaly_df) -> dict[str, alt.TopLevelMixin]:
        hist = daily[["site", "date", "count"]].rename(columns={"count": "valeur"})
        series = alt.Chart(hist).mark_line().encode(
            x=alt.X("date:T", title="Date"), y=alt.Y("valeur:Q", title="Fréquentation"),
            color=alt.Color("site:N", title="Site"),
            tooltip=[alt.Tooltip("site:N", title="Site"), alt.Tooltip("date:T", title="Date", format="%d/%m/%Y"),
                     alt.Tooltip("valeur:Q", title="Fréquentation", format=",.0f")],
        )
        band = alt.Chart(forecast).mark_area(opacity=0.25).encode(
            x="date:T", y=alt.Y("lower:Q", title="Fréquentation"), y2="upper:Q", color=alt.Color("site:N", title="Site"))
        line = alt.Chart(forecast).mark_line(strokeDash=[4, 3]).encode(
            x="date:T", y="forecast:Q", color=alt.Color("site:N", title="Site"),
            tooltip=[alt.Tooltip("site:N", title="Site"), alt.Tooltip("date:T", title="Date", format="%d/%m/%Y"),
                     alt.Tooltip("forecast:Q", title="Prévision", format=",.0f")])
        timeline = (series + band + line).properties(title="Fréquentation observée et prévue (pointillés)", width="container")
        profile = alt.Chart(weekday).mark_rect().encode(
            x=alt.X("jour:N", sort=list(WEEKDAYS_FR), title="Jour"), y=alt.Y("site:N", title="Site"),
            color=alt.Color("moyenne:Q", title="Moyenne", scale=alt.Scale(scheme="blues")),
            tooltip=["site:N", "jour:N", alt.Tooltip("moyenne:Q", format=",.0f")],
        ).properties(title="Fréquentation moyenne par jour de la semaine")
        anomaly_chart = alt.Chart(anomaly_df).mark_point(filled=True, size=80).encode(
            x=alt.X("debut:T", title="Début"), y=alt.Y("site:N", title="Site"),
            color=alt.Color("type:N", title="Type d'anomalie"),
            tooltip=["site:N", alt.Tooltip("debut:T", format="%d/%m/%Y"), alt.Tooltip("fin:T", format="%d/%m/%Y"),
                     "type:N", "detail:N"],
        ).properties(title="Anomalies signalées", width="container")
        return {"frequentation_et_prevision": timeline, "profil_hebdomadaire": profile, "anomalies": anomaly_chart}
