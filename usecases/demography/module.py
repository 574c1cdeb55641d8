"""Demographic projection by commune: damped log-linear trend with calibrated intervals."""

from __future__ import annotations

from typing import ClassVar, Literal

import altair as alt
import pandas as pd
from pydantic import Field

from policies import french
from usecases.base import AnalysisModule, AnalysisResult, Column, InputSchema, InputSpec, MetricFormat, Params
from usecases.demography import model
from usecases.forecast_check import SelfCheck
from usecases.registry import register

SCHEMA = InputSchema((
    Column("code", "categorical", role="id", description="Code INSEE de la commune (ex. « 35238 »)"),
    Column("name", "text", role="feature", required=False, description="Nom de la commune"),
    Column("year", "numerical", role="timestamp", description="Année du recensement"),
    Column("population", "numerical", role="target", description="Population de la commune cette année-là"),
    Column("group", "categorical", role="group", required=False,
           description="Regroupement (département, EPCI…) ; à défaut, le département déduit du code"),
))


class DemographyParams(Params):
    horizon_years: int = Field(10, ge=1, le=30, description="Horizon de projection, en années après le dernier recensement (10 : 2011 → 2021)", title="Horizon (années)")
    step_years: int = Field(5, ge=1, le=30, description="Pas entre deux années projetées (l'horizon est toujours inclus)", title="Pas (années)")
    confidence_level: float = Field(0.8, ge=0.5, le=0.95, description="Niveau de confiance des intervalles de prévision", title="Niveau de confiance")
    grouping: Literal["group", "departement"] = Field(
        "group", description="Agrégation : colonne « group » du fichier, ou département déduit du code commune", title="Regroupement", json_schema_extra={"choices": {"group": "Colonne « group » du fichier", "departement": "Département"}}
    )
    top_n: int = Field(15, ge=1, le=200, description="Nombre de communes listées en plus forte hausse et en plus forte baisse", title="Communes listées")


def _fmt_int(x: float) -> str:
    return f"{x:,.0f}".replace(",", "\u202f")


def _communes(populations: pd.DataFrame, params: DemographyParams) -> tuple[pd.DataFrame, pd.Series, pd.Series]:
    """Complete rows, and each commune's group (file column or département) and name (code when absent)."""
    df = populations.dropna(subset=["code", "year", "population"]).copy()
    df["code"] = df["code"].astype(str)
    df["year"] = df["year"].astype(int)
    codes = df.drop_duplicates("code", keep="last").set_index("code")
    dept = model.departement(pd.Series(codes.index, index=codes.index))
    if params.grouping == "group" and "group" in codes and codes["group"].notna().any():
        groups = codes["group"].fillna(dept).astype(str)
    else:
        groups = dept
    names = codes["name"] if "name" in codes else pd.Series(codes.index, index=codes.index)
    return df, groups, names


def _self_check(wide: pd.DataFrame, groups: pd.Series, params: DemographyParams) -> SelfCheck:
    """Backtest on the user's own censuses against the last value carried forward."""
    bt = model.self_backtest(wide, groups, params.horizon_years, params.confidence_level)
    gap = bt["gap"]
    if gap is None:
        horizon_label = f"à {french.count(params.horizon_years, 'an')}"
    else:
        listed = ", ".join(f"{o} → {t}" for o, t in bt["pairs"])
        asked = "" if gap == params.horizon_years else ", l'écart disponible le plus proche de l'horizon demandé"
        horizon_label = f"à {french.count(gap, 'an')} ({listed}{asked})"
    return SelfCheck(bt["model_error"], bt["naive_error"], "WAPE", "la reconduction de la dernière valeur",
                     horizon_label, bt["n"], bt["coverage"], params.confidence_level)


def _centre_on_last_value(forecast: pd.DataFrame, rates: pd.DataFrame) -> None:
    """Fallback: keep the model's relative band, centred on the last population (in place)."""
    last_pop = forecast["code"].map(rates["last_pop"])
    for col in ("lower", "upper"):
        forecast[col] = forecast[col] / forecast["forecast"] * last_pop
    forecast["forecast"] = last_pop
    forecast["lower"] = forecast[["lower", "forecast"]].min(axis=1)
    forecast["upper"] = forecast[["upper", "forecast"]].max(axis=1)


def _summary(rates: pd.DataFrame, names: pd.Series, groups: pd.Series, forecast: pd.DataFrame,
             horizon: int) -> pd.DataFrame:
    """One row per commune: last census, projection and bounds at the horizon, variation."""
    at_h = forecast[forecast["year"] == horizon].set_index("code")
    summary = pd.DataFrame({
        "code": rates.index,
        "nom": names.reindex(rates.index).to_numpy(),
        "groupe": groups.reindex(rates.index).to_numpy(),
        "annee_derniere": rates["last_year"].astype(int).to_numpy(),
        "population_derniere": rates["last_pop"].to_numpy(),
        "projection": at_h["forecast"].reindex(rates.index).to_numpy(),
        "borne_basse": at_h["lower"].reindex(rates.index).to_numpy(),
        "borne_haute": at_h["upper"].reindex(rates.index).to_numpy(),
    })
    summary["variation"] = summary["projection"] - summary["population_derniere"]
    summary["variation_pct"] = 100 * summary["variation"] / summary["population_derniere"]
    return summary


def _by_group(summary: pd.DataFrame) -> pd.DataFrame:
    by_group = summary.groupby("groupe", as_index=False).agg(
        communes=("code", "size"),
        population_derniere=("population_derniere", "sum"),
        projection=("projection", "sum"),
        borne_basse=("borne_basse", "sum"),
        borne_haute=("borne_haute", "sum"),
    )
    by_group["variation_pct"] = 100 * (by_group["projection"] / by_group["population_derniere"] - 1)
    return by_group.round({"projection": 0, "borne_basse": 0, "borne_haute": 0, "variation_pct": 2})


def _metrics(summary: pd.DataFrame, last_year: int, horizon: int, check: SelfCheck,
             fallback: bool) -> dict[str, float]:
    total_last = float(summary["population_derniere"].sum())
    total_h = float(summary["projection"].sum())
    return {
        "communes": float(len(summary)),
        "derniere_annee": float(last_year),
        "annee_horizon": float(horizon),
        "population_derniere": total_last,
        "population_projetee": total_h,
        "variation_pct": 100 * (total_h / total_last - 1) if total_last else float("nan"),
        "part_communes_en_baisse_pct": float((summary["variation"] < 0).mean() * 100),
        "autoevaluation_wape_modele_pct": check.model_error,
        "autoevaluation_wape_naif_pct": check.naive_error,
        "autoevaluation_gain_pct": check.gain_pct,
        "couverture_intervalle_pct": check.coverage,
        "prevision_naive_retenue": float(fallback),
    }


def _metric_labels(params: DemographyParams) -> dict[str, str]:
    return {
        "communes": "Communes projetées",
        "derniere_annee": "Dernier recensement",
        "annee_horizon": "Année d'horizon",
        "population_derniere": "Population au dernier recensement",
        "population_projetee": "Population projetée à l'horizon",
        "variation_pct": "Variation projetée (%)",
        "part_communes_en_baisse_pct": "Communes en baisse projetée (%)",
        "autoevaluation_wape_modele_pct": "Sur vos données : erreur du modèle (WAPE, %)",
        "autoevaluation_wape_naif_pct": "Sur vos données : erreur de la dernière valeur reconduite (WAPE, %)",
        "autoevaluation_gain_pct": "Sur vos données : erreur en moins que la dernière valeur (%)",
        "couverture_intervalle_pct": f"Sur vos données : observations dans l'intervalle à {french.percent(100 * params.confidence_level, 0)} (%)",
        "prevision_naive_retenue": "Prévision naïve retenue (1 = oui)",
    }


def _notes(check: SelfCheck, censuses: int, params: DemographyParams) -> list[str]:
    notes = [
        check.sentence(),
        *([check.coverage_sentence()] if check.coverage_sentence() else []),
        f"Méthode : taux de croissance annuel sur les {french.count(int(model.LONG_YEARS), 'an')} précédant le dernier "
        f"recensement, rapproché de la médiane du groupe pour les petites communes (poids n / (n + "
        f"{model.SHRINK:.0f})), amorti de {french.percent((1 - model.PHI) * 100, 0)} par an. Réglages choisis sur les "
        "recensements jusqu'à 1999, validés sur les suivants (voir la documentation du module).",
        f"Intervalles à {french.percent(100 * params.confidence_level, 0)} : quantiles des erreurs de prévision passées de ces mêmes "
        "données, par taille de commune, élargis proportionnellement à l'horizon. Leur couverture mesurée sur "
        "vos données est donnée ci-dessus, celle du rétro-test national dans la documentation du module.",
        "Les sommes par groupe additionnent les bornes des communes : l'intervalle agrégé est donc prudent (large).",
        "Une projection de tendance ne connaît pas les projets d'aménagement, les fusions de communes ni les "
        "changements de méthode de recensement : à confronter aux connaissances locales.",
    ]
    if censuses < 3:
        notes.append("Moins de trois recensements : les intervalles reposent sur une valeur par défaut (±5 %).")
    return notes


@register
class DemographyProjection(AnalysisModule[DemographyParams]):
    key = "demography"
    title = "Projection démographique par commune"
    description = (
        "Projette la population de chaque commune à partir des recensements passés (tendance "
        "log-linéaire amortie, rapprochée de celle du département pour les petites communes), "
        "avec un intervalle de prévision calibré sur les erreurs passées, et dit, rétro-test sur vos "
        "données à l'appui, de combien elle fait mieux que la reconduction de la dernière valeur."
    )
    version = "1.2"
    family = "decision_support"
    inputs: ClassVar[tuple[InputSpec, ...]] = (
        InputSpec("populations", "Populations communales par année", SCHEMA,
                  "Une ligne par commune et par recensement (format long)."),
    )
    params_model = DemographyParams
    metric_formats: ClassVar[dict[str, MetricFormat]] = {
        "communes": "count", "derniere_annee": "year", "annee_horizon": "year",
        "population_derniere": "count", "population_projetee": "count", "variation_pct": "percent",
        "part_communes_en_baisse_pct": "percent", "autoevaluation_wape_modele_pct": "percent",
        "autoevaluation_wape_naif_pct": "percent", "autoevaluation_gain_pct": "percent",
        "couverture_intervalle_pct": "percent", "prevision_naive_retenue": "count",
    }

    def run(self, inputs: dict[str, pd.DataFrame], params: DemographyParams) -> AnalysisResult:
        df, groups, names = _communes(inputs["populations"], params)
        wide = model.to_wide(df)
        last_year = int(max(wide.columns))
        horizon = last_year + params.horizon_years
        targets = sorted({*range(last_year + params.step_years, horizon, params.step_years), horizon})
        errors = model.scaled_errors(wide, groups)
        forecast = model.project(wide, groups, targets, params.confidence_level, errors=errors)
        forecast = forecast.sort_values(["code", "year"], kind="stable").reset_index(drop=True)
        rates = model.growth_rates(wide, groups)
        check = _self_check(wide, groups, params)
        fallback = check.available and not check.use_model
        if fallback:
            _centre_on_last_value(forecast, rates)
        summary = _summary(rates, names, groups, forecast, horizon)
        rounded = summary.round({"projection": 0, "borne_basse": 0, "borne_haute": 0, "variation": 0, "variation_pct": 1})
        growth = rounded.nlargest(params.top_n, "variation").reset_index(drop=True)
        decline = rounded.nsmallest(params.top_n, "variation").reset_index(drop=True)
        by_group = _by_group(summary)
        return AnalysisResult(
            metrics=_metrics(summary, last_year, horizon, check, fallback),
            tables={
                "forecast": forecast,
                "plus_forte_hausse": growth,
                "plus_forte_baisse": decline,
                "par_groupe": by_group,
            },
            charts=self._charts(df, groups, forecast, by_group, growth, decline),
            notes=_notes(check, len(wide.columns), params),
            metric_labels=_metric_labels(params),
            table_labels={
                "forecast": "Projection par commune et par année",
                "plus_forte_hausse": "Plus fortes hausses projetées",
                "plus_forte_baisse": "Plus fortes baisses projetées",
                "par_groupe": "Projection par groupe",
            },
        )

    @staticmethod
    def _charts(df, groups, forecast, by_group, growth, decline) -> dict[str, alt.TopLevelMixin]:
        hist = df.assign(groupe=df["code"].map(groups)).groupby(["groupe", "year"], as_index=False)["population"].sum()
        hist["serie"] = "observé"
        fc = forecast.assign(groupe=forecast["code"].map(groups)).groupby(["groupe", "year"], as_index=False)[
            ["forecast", "lower", "upper"]
        ].sum()
        top_groups = by_group.nlargest(8, "population_derniere")["groupe"].tolist()
        hist, fc = hist[hist["groupe"].isin(top_groups)], fc[fc["groupe"].isin(top_groups)]
        base = alt.Chart(hist).mark_line(point=True).encode(
            x=alt.X("year:Q", title="Année", axis=alt.Axis(format="d")),
            y=alt.Y("population:Q", title="Population"),
            color=alt.Color("groupe:N", title="Groupe"),
            tooltip=[alt.Tooltip("groupe:N", title="Groupe"), alt.Tooltip("year:Q", title="Année"),
                     alt.Tooltip("population:Q", title="Population", format=",.0f")],
        )
        band = alt.Chart(fc).mark_area(opacity=0.2).encode(
            x="year:Q", y=alt.Y("lower:Q", title="Population"), y2="upper:Q", color=alt.Color("groupe:N", title="Groupe"),
        )
        proj = alt.Chart(fc).mark_line(strokeDash=[4, 3], point=True).encode(
            x="year:Q", y="forecast:Q", color=alt.Color("groupe:N", title="Groupe"),
            tooltip=[alt.Tooltip("groupe:N", title="Groupe"), alt.Tooltip("year:Q", title="Année"),
                     alt.Tooltip("forecast:Q", title="Projection", format=",.0f")],
        )
        trajectory = (band + base + proj).properties(
            title="Population observée et projetée par groupe (pointillés : projection)", width="container"
        )
        bars = alt.Chart(by_group).mark_bar().encode(
            x=alt.X("variation_pct:Q", title="Variation projetée (%)"),
            y=alt.Y("groupe:N", sort="-x", title="Groupe"),
            color=alt.condition("datum.variation_pct < 0", alt.value("#b2182b"), alt.value("#2166ac")),
            tooltip=[alt.Tooltip("groupe:N", title="Groupe"), alt.Tooltip("variation_pct:Q", title="Variation (%)", format=".1f")],
        ).properties(title="Variation projetée par groupe", width="container")
        movers = pd.concat([growth.assign(sens="hausse"), decline.assign(sens="baisse")])
        movers_chart = alt.Chart(movers).mark_bar().encode(
            x=alt.X("variation:Q", title="Variation projetée (habitants)"),
            y=alt.Y("nom:N", sort="-x", title="Commune"),
            color=alt.Color("sens:N", title="Sens", scale=alt.Scale(domain=["hausse", "baisse"], range=["#2166ac", "#b2182b"])),
            tooltip=["code:N", "nom:N", alt.Tooltip("variation:Q", format=",.0f"), alt.Tooltip("variation_pct:Q", format=".1f")],
        ).properties(title="Communes aux plus fortes variations projetées", width="container")
        return {"trajectoire_par_groupe": trajectory, "variation_par_groupe": bars, "communes_extremes": movers_chart}
