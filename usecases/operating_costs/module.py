"""Operating-cost anomalies: energy intensity compared within peer groups of facilities."""

from __future__ import annotations

from typing import ClassVar

import altair as alt
import numpy as np
import pandas as pd
from pydantic import Field

from policies import french
from usecases.base import AnalysisModule, AnalysisResult, Column, InputSchema, InputSpec, MetricFormat, Params
from usecases.operating_costs import detect
from usecases.registry import register

SCHEMA = InputSchema((
    Column("facility", "categorical", role="id", description="Nom ou identifiant de l'équipement"),
    Column("facility_type", "categorical", role="group", description="Type d'équipement (groupe de pairs)"),
    Column("floor_area", "numerical", role="feature", description="Surface de plancher (m²)"),
    Column("electricity_kwh", "numerical", role="feature", description="Électricité achetée sur l'année (kWh)"),
    Column("gas_gj", "numerical", role="feature", required=False, description="Gaz naturel sur l'année (GJ)"),
    Column("site_energy_gj", "numerical", role="feature", required=False, description="Énergie totale du site (GJ)"),
    Column("ghg_t", "numerical", role="feature", required=False, description="Émissions de GES (tCO2e)"),
))


class OperatingCostsParams(Params):
    z_threshold: float = Field(3.5, ge=2.0, le=10.0, description="Écart robuste (en MAD) au-delà duquel une mesure est signalée", title="Seuil d'écart (MAD)")
    min_peers: int = Field(8, ge=3, le=100, description="Effectif minimal d'un type pour servir de groupe de pairs (sinon : tous les équipements)", title="Pairs minimum par type")
    contamination: float = Field(0.03, ge=0.0, le=0.2, description="Part des équipements signalés par la forêt d'isolement (0 = désactivée)", title="Part signalée par la forêt")
    seed: int = Field(0, ge=0, description="Graine aléatoire de la forêt d'isolement (reproductibilité)", title="Graine aléatoire")
    top_n: int = Field(30, ge=1, le=500, description="Nombre d'équipements listés dans le classement", title="Équipements listés")


def _explain(row: pd.Series, measure: str) -> str:
    label, unit, _ = detect.MEASURES[measure]
    z = row[f"z_{measure}"]
    peer = row[f"peer_{measure}"]
    peer_fr = "l'ensemble des équipements" if peer == "__all__" else f"les « {peer} »"
    direction = "au-dessus" if z > 0 else "en dessous"
    return (f"{label} : {french.number(row[f'value_{measure}'])} {unit}, médiane des pairs ({peer_fr}) "
            f"{french.number(row[f'median_{measure}'])} {unit}, soit {french.number(abs(z))} MAD {direction}")


def _flag_row(df: pd.DataFrame, i, r: pd.Series, measures: list[str], params: OperatingCostsParams) -> dict:
    """One flagged facility: its main measure, gap, forest score and the French explanation."""
    over = [m for m in measures if pd.notna(r[f"z_{m}"]) and abs(r[f"z_{m}"]) > params.z_threshold]
    if not over and pd.notna(r["worst"]):
        over = [r["worst"]]
    reasons = [_explain(r, m) for m in sorted(over, key=lambda m: -abs(r[f"z_{m}"]))]
    if r["forest_flag"] and not r["z_flag"]:
        reasons.append("Combinaison de mesures inhabituelle (forêt d'isolement), sans écart extrême isolé")
    return {
        "facility": df.at[i, "facility"],
        "facility_type": df.at[i, "facility_type"],
        "floor_area": df.at[i, "floor_area"],
        "mesure_principale": detect.MEASURES[r["worst"]][0] if pd.notna(r["worst"]) else "",
        "ecart_mad": round(float(r["max_abs_z"]), 2) if pd.notna(r["max_abs_z"]) else np.nan,
        "score_foret": round(float(r["forest_score"]), 3),
        "signale_par": " + ".join(
            [n for n, f in (("écart aux pairs", r["z_flag"]), ("forêt d'isolement", r["forest_flag"])) if f]),
        "explication": " ; ".join(reasons),
    }


def _ranked(df: pd.DataFrame, scored: pd.DataFrame, measures: list[str], params: OperatingCostsParams) -> pd.DataFrame:
    """The ``top_n`` flagged facilities, largest gap first."""
    rows = [_flag_row(df, i, scored.loc[i], measures, params) for i in scored.index[scored["flag"]]]
    ranked = pd.DataFrame(rows, columns=["facility", "facility_type", "floor_area", "mesure_principale",
                                         "ecart_mad", "score_foret", "signale_par", "explication"])
    ranked = ranked.sort_values(["ecart_mad", "score_foret"], ascending=False, kind="stable")
    return ranked.head(params.top_n).reset_index(drop=True)


def _peer_table(df: pd.DataFrame, inten: pd.DataFrame, measures: list[str]) -> pd.DataFrame:
    """Median and quartiles of each measure's intensity by facility type."""
    peers = []
    for m in measures:
        g = pd.DataFrame({"type": df["facility_type"], "v": inten[m]}).dropna()
        agg = g.groupby("type")["v"].agg(equipements="size", mediane="median",
                                          q1=lambda s: s.quantile(0.25), q3=lambda s: s.quantile(0.75))
        agg.insert(0, "mesure", f"{detect.MEASURES[m][0]} ({detect.MEASURES[m][1]})")
        peers.append(agg.reset_index().rename(columns={"type": "facility_type"}))
    return pd.concat(peers, ignore_index=True).round(2) if peers else pd.DataFrame()


def _metrics(df: pd.DataFrame, scored: pd.DataFrame) -> tuple[dict[str, float], dict[str, str]]:
    """Headline figures and their French labels."""
    flagged_share = float(scored["flag"].mean() * 100) if len(scored) else 0.0
    metrics = {
        "equipements": float(len(df)),
        "types": float(df["facility_type"].nunique()),
        "signales": float(scored["flag"].sum()),
        "part_signales_pct": flagged_share,
        "signales_ecart_pairs": float(scored["z_flag"].sum()),
        "signales_foret": float(scored["forest_flag"].sum()),
    }
    labels = {
        "equipements": "Équipements analysés", "types": "Types d'équipement",
        "signales": "Équipements signalés", "part_signales_pct": "Part signalée (%)",
        "signales_ecart_pairs": "Signalés pour écart aux pairs", "signales_foret": "Signalés par la forêt d'isolement",
    }
    return metrics, labels


def _intensity_chart(df: pd.DataFrame, scored: pd.DataFrame, inten: pd.DataFrame) -> alt.Chart:
    """Electricity intensity by facility type (the 12 most common types), flagged ones in red."""
    chart_df = pd.DataFrame({
        "facility": df["facility"], "facility_type": df["facility_type"],
        "intensite": inten.get("electricity_kwh"), "signale": np.where(scored["flag"], "signalé", "normal"),
    }).dropna(subset=["intensite"])
    top_types = chart_df["facility_type"].value_counts().head(12).index
    chart_df = chart_df[chart_df["facility_type"].isin(top_types)]
    return alt.Chart(chart_df).mark_tick(thickness=2).encode(
        x=alt.X("intensite:Q", title="Électricité (kWh/m², échelle log)", scale=alt.Scale(type="log")),
        y=alt.Y("facility_type:N", title="Type d'équipement"),
        color=alt.Color("signale:N", title="Statut", scale=alt.Scale(domain=["normal", "signalé"], range=["#9ecae1", "#d6604d"])),
        tooltip=[alt.Tooltip("facility:N", title="Équipement"), alt.Tooltip("intensite:Q", title="kWh/m²", format=",.1f")],
    ).properties(title="Intensité électrique par type d'équipement (12 types les plus nombreux)", width="container")


def _flagged_chart(ranked: pd.DataFrame) -> alt.Chart:
    return alt.Chart(ranked).mark_bar().encode(
        x=alt.X("ecart_mad:Q", title="Écart aux pairs (MAD)"),
        y=alt.Y("facility:N", sort="-x", title="Équipement"),
        color=alt.Color("mesure_principale:N", title="Mesure"),
        tooltip=["facility:N", "facility_type:N", "explication:N"],
    ).properties(title="Équipements signalés, classés par écart", width="container")


@register
class OperatingCosts(AnalysisModule[OperatingCostsParams]):
    key = "operating_costs"
    title = "Anomalies de coûts de fonctionnement (énergie des bâtiments)"
    description = (
        "Compare l'intensité énergétique (par m²) de chaque équipement à celle de ses pairs du même type "
        "(écart robuste médiane/MAD) et repère les profils inhabituels (forêt d'isolement) ; chaque "
        "équipement signalé est expliqué pour les contrôleurs de gestion."
    )
    version = "1.0"
    family = "decision_support"
    inputs: ClassVar[tuple[InputSpec, ...]] = (
        InputSpec("facilities", "Consommations annuelles par équipement", SCHEMA, "Une ligne par équipement."),
    )
    params_model = OperatingCostsParams
    metric_formats: ClassVar[dict[str, MetricFormat]] = {
        "equipements": "count", "types": "count", "signales": "count", "part_signales_pct": "percent",
        "signales_ecart_pairs": "count", "signales_foret": "count",
    }

    def run(self, inputs: dict[str, pd.DataFrame], params: OperatingCostsParams) -> AnalysisResult:
        df = inputs["facilities"].dropna(subset=["facility"]).reset_index(drop=True)
        scored = detect.score(df, params.min_peers, params.z_threshold, params.contamination, params.seed)
        measures = [m for m in detect.MEASURES if f"z_{m}" in scored]
        ranked = _ranked(df, scored, measures, params)
        inten = detect.intensities(df)
        peer_table = _peer_table(df, inten, measures)
        metrics, labels = _metrics(df, scored)
        strip = _intensity_chart(df, scored, inten)
        bars = _flagged_chart(ranked)
        notes = [
            "Un signalement n'est pas une faute : surface erronée, usage particulier (piscine, data center) ou compteur "
            "partagé expliquent souvent l'écart. À vérifier avec le gestionnaire du bâtiment.",
            f"Groupes de pairs : types d'au moins {params.min_peers} équipements ; les autres sont comparés à l'ensemble.",
            "Comparaison en logarithme de l'intensité (par m²), médiane et MAD : robuste aux valeurs extrêmes.",
        ]
        return AnalysisResult(
            metrics=metrics,
            tables={"classement": ranked, "references_par_type": peer_table},
            charts={"intensite_par_type": strip, "equipements_signales": bars},
            notes=notes,
            metric_labels=labels,
            table_labels={"classement": "Équipements signalés, expliqués", "references_par_type": "Références par type"},
        )
