"""Public accounts anomalies: lines far from peers, and years that break a line's own trend."""

from __future__ import annotations

from typing import ClassVar

import altair as alt
import pandas as pd
from pydantic import Field

from policies import french
from usecases.base import AnalysisModule, AnalysisResult, Column, InputSchema, InputSpec, MetricFormat, Params
from usecases.municipal_accounts import flags
from usecases.registry import register

SCHEMA = InputSchema((
    Column("entity", "categorical", role="id", description="Collectivité (commune, EPCI, département, région)"),
    Column("year", "numerical", role="timestamp", description="Exercice budgétaire"),
    Column("line", "categorical", role="group", description="Agrégat ou poste comptable (ex. « Frais de personnel »)"),
    Column("amount", "numerical", role="target", description="Montant de l'exercice, en euros"),
    Column("population", "numerical", role="feature", required=False,
           description="Population de la collectivité cet exercice (pour les montants par habitant)"),
))


def _eur(x: float) -> str:
    return f"{x:,.0f}".replace(",", "\u202f") + " €"


class AccountsParams(Params):
    k_peer: float = Field(3.5, ge=2.0, le=10.0, description="Écart aux pairs (en MAD, par habitant) au-delà duquel un montant est signalé", title="Seuil d'écart aux pairs (MAD)")
    min_peers: int = Field(5, ge=3, le=100, description="Nombre minimal de collectivités comparées pour un même poste et un même exercice", title="Pairs minimum")
    k_trend: float = Field(4.0, ge=2.0, le=10.0, description="Écart à la tendance propre (en MAD des variations passées) au-delà duquel un exercice est signalé", title="Seuil de rupture de tendance (MAD)")
    damping: float = Field(0.5, ge=0.0, le=1.0, description="Part de la variation annuelle médiane prolongée dans la prévision (0 = dernière valeur)", title="Amortissement de la tendance")
    top_n: int = Field(50, ge=1, le=1000, description="Nombre maximal de signalements listés par type", title="Signalements listés")


def _accounts(raw: pd.DataFrame) -> pd.DataFrame:
    """Complete rows summed by collectivité, year and line (population kept when given)."""
    df = raw.dropna(subset=["entity", "year", "line", "amount"]).copy()
    df["year"] = df["year"].astype(int)
    return df.groupby(["entity", "year", "line"], as_index=False).agg(
        amount=("amount", "sum"), **({"population": ("population", "max")} if "population" in df else {}))


def _peer_table(df: pd.DataFrame, params: AccountsParams, unit: str) -> pd.DataFrame:
    """The ``top_n`` largest gaps to the peers' median, explained in French."""
    peers = flags.peer_flags(df, params.k_peer, params.min_peers)
    peers = peers.reindex(peers["z"].abs().sort_values(ascending=False).index).head(params.top_n)
    return pd.DataFrame({
        "entity": peers["entity"], "year": peers["year"], "line": peers["line"],
        "valeur": peers["value"].round(1), "mediane_pairs": peers["peer_median"].round(1),
        "ecart_mad": peers["z"].round(2), "pairs": peers["n_peers"],
        "explication": [
            f"{r.entity}, {r.line} {r.year} : {french.number(r.value)} {unit} contre une médiane de {french.number(r.peer_median)} {unit} "
            f"pour {r.n_peers} collectivités, soit {french.number(abs(r.z))} MAD {'au-dessus' if r.z > 0 else 'en dessous'}"
            for r in peers.itertuples()
        ],
    }).reset_index(drop=True)


def _trend_table(df: pd.DataFrame, params: AccountsParams) -> pd.DataFrame:
    """The ``top_n`` largest breaks from each line's own trend, explained in French."""
    trend = flags.trend_flags(df, params.k_trend, params.damping)
    trend = trend.reindex(trend["score"].abs().sort_values(ascending=False).index).head(params.top_n)
    return pd.DataFrame({
        "entity": trend["entity"], "year": trend["year"], "line": trend["line"],
        "montant": trend["amount"].round(0), "attendu": trend["expected"].round(0),
        "ecart_mad": trend["score"].round(2),
        "explication": [
            f"{r.entity}, {r.line} {r.year} : {_eur(r.amount)} pour environ {_eur(r.expected)} attendus d'après les exercices "
            f"précédents (exercice précédent : {_eur(r.previous)}), soit {french.number(abs(r.score))} MAD "
            f"{'au-dessus' if r.score > 0 else 'en dessous'}"
            for r in trend.itertuples()
        ],
    }).reset_index(drop=True)


def _metrics(
    df: pd.DataFrame, peer_table: pd.DataFrame, trend_table: pd.DataFrame
) -> tuple[dict[str, float], dict[str, str]]:
    """Headline figures and their French labels."""
    metrics = {
        "collectivites": float(df["entity"].nunique()),
        "postes": float(df["line"].nunique()),
        "exercices": float(df["year"].nunique()),
        "ecarts_aux_pairs": float(len(peer_table)),
        "ruptures_de_tendance": float(len(trend_table)),
    }
    labels = {
        "collectivites": "Collectivités", "postes": "Postes comptables", "exercices": "Exercices",
        "ecarts_aux_pairs": "Écarts aux pairs signalés", "ruptures_de_tendance": "Ruptures de tendance signalées",
    }
    return metrics, labels


def _counts_chart(counts: pd.DataFrame) -> alt.Chart:
    return alt.Chart(counts).mark_bar().encode(
        x=alt.X("signalements:Q", title="Signalements"), y=alt.Y("entity:N", sort="-x", title="Collectivité"),
        color=alt.Color("type:N", title="Type"), tooltip=["entity:N", "type:N", "signalements:Q"],
    ).properties(title="Signalements par collectivité", width="container")


def _heat_chart(df: pd.DataFrame, unit: str) -> alt.Chart:
    """Each collectivité's gap to the median of its peers, line by line, in the last year."""
    heat_src = df.assign(value=flags.per_inhabitant(df))
    heat_src["ecart_relatif_pct"] = 100 * (heat_src["value"] / heat_src.groupby(["year", "line"])["value"].transform("median") - 1)
    last_year = int(df["year"].max())
    return alt.Chart(heat_src[heat_src["year"] == last_year]).mark_rect().encode(
        x=alt.X("entity:N", title="Collectivité"), y=alt.Y("line:N", title="Poste"),
        color=alt.Color("ecart_relatif_pct:Q", title="Écart à la médiane (%)",
                        scale=alt.Scale(scheme="redblue", domainMid=0, reverse=True, clamp=True, domain=[-100, 100])),
        tooltip=["entity:N", "line:N", alt.Tooltip("value:Q", title=unit, format=",.1f"),
                 alt.Tooltip("ecart_relatif_pct:Q", title="Écart (%)", format="+.0f")],
    ).properties(title=f"Écart à la médiane des pairs, {last_year} ({unit})")


def _notes(has_pop: bool, params: AccountsParams) -> list[str]:
    return [
        "Écart aux pairs : comparaison par habitant, pour un même poste et un même exercice, à la médiane des "
        "collectivités fournies (MAD : écart absolu médian). Des compétences différentes (transferts à la "
        "métropole, budgets annexes) expliquent souvent l'écart." if has_pop else
        "Sans colonne « population », les écarts aux pairs portent sur les montants bruts : à n'utiliser "
        "qu'entre collectivités de taille comparable.",
        f"Rupture de tendance : l'exercice est comparé à la prévision faite avec les exercices précédents "
        f"(dernière valeur + {params.damping:.0%} de la variation annuelle médiane) ; au moins "
        f"{flags.MIN_HISTORY} exercices antérieurs sont nécessaires.",
        "Un signalement est une question à poser au service financier, pas un constat d'irrégularité.",
    ]


@register
class MunicipalAccounts(AnalysisModule[AccountsParams]):
    key = "municipal_accounts"
    title = "Comptes des collectivités : écarts aux pairs et ruptures de tendance"
    description = (
        "Signale, dans des comptes agrégés par poste et par exercice, les montants par habitant éloignés "
        "des collectivités comparables et les exercices qui rompent avec la tendance propre du poste, "
        "avec une explication en clair pour chaque signalement."
    )
    version = "1.0"
    family = "contracts_finance"
    inputs: ClassVar[tuple[InputSpec, ...]] = (
        InputSpec("accounts", "Comptes par collectivité, poste et exercice", SCHEMA,
                  "Format long : une ligne par collectivité, exercice et poste."),
    )
    params_model = AccountsParams
    metric_formats: ClassVar[dict[str, MetricFormat]] = {
        "collectivites": "count", "postes": "count", "exercices": "count", "ecarts_aux_pairs": "count",
        "ruptures_de_tendance": "count",
    }

    def run(self, inputs: dict[str, pd.DataFrame], params: AccountsParams) -> AnalysisResult:
        df = _accounts(inputs["accounts"])
        has_pop = "population" in df and df["population"].notna().any()
        unit = "€/hab." if has_pop else "€"
        peer_table = _peer_table(df, params, unit)
        trend_table = _trend_table(df, params)
        counts = pd.concat([
            peer_table.assign(type="écart aux pairs")[["entity", "type"]],
            trend_table.assign(type="rupture de tendance")[["entity", "type"]],
        ]).value_counts().rename("signalements").reset_index()
        metrics, labels = _metrics(df, peer_table, trend_table)
        chart = _counts_chart(counts)
        heat = _heat_chart(df, unit)
        notes = _notes(has_pop, params)
        return AnalysisResult(
            metrics=metrics,
            tables={"ecarts_aux_pairs": peer_table, "ruptures_de_tendance": trend_table, "par_collectivite": counts},
            charts={"signalements_par_collectivite": chart, "ecarts_derniere_annee": heat},
            notes=notes, metric_labels=labels,
            table_labels={"ecarts_aux_pairs": "Écarts aux pairs", "ruptures_de_tendance": "Ruptures de tendance",
                          "par_collectivite": "Signalements par collectivité"},
        )
