"""Network maintenance: failure risk of each asset and a renewal plan under budget and crews."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import ClassVar, Literal

import altair as alt
import numpy as np
import pandas as pd
from pydantic import Field

from usecases import parsing
from usecases.base import AnalysisModule, AnalysisResult, Column, InputSchema, InputSpec, MetricFormat, Params
from usecases.loading import InvalidInput, line_numbers
from usecases.maintenance import model, plan
from usecases.maintenance.self_check import RankingCheck
from usecases.registry import register

ASSETS = InputSchema((
    Column("asset_id", "categorical", role="id", description="Identifiant du tronçon ou de l'équipement"),
    Column("material", "categorical", description="Matériau (ex. « CI » fonte grise, « DI » fonte ductile, « PVC »)"),
    Column("diameter_mm", "numerical", description="Diamètre nominal (mm)"),
    Column("installed", "text", role="timestamp", description="Date ou année de pose (jj/mm/aaaa, aaaa-mm-jj ou aaaa)"),
    Column("length_m", "numerical", description="Longueur (m)"),
    Column("status", "categorical", role="group", required=False,
           description="État ; « hors service », « abandonné », « inactive »… sont exclus du classement"),
    Column("lon", "numerical", role="group", required=False, description="Longitude WGS84 (pour la carte)"),
    Column("lat", "numerical", role="group", required=False, description="Latitude WGS84 (pour la carte)"),
))
#: Optional extra column of ``assets`` (not in the schema, so that monitoring never expects it).
RENEWAL_COST = "renewal_cost"
FAILURES = InputSchema((
    Column("asset_id", "categorical", role="id", description="Identifiant du tronçon concerné (présent dans l'inventaire)"),
    Column("date", "datetime", role="timestamp", description="Date de la casse ou de la défaillance"),
))

#: Status values (lower case, accents kept) meaning the asset is no longer in service.
OUT_OF_SERVICE = frozenset({
    "hors service", "hs", "abandonné", "abandonne", "inactif", "inactive", "déposé", "depose", "supprimé",
    "supprime", "retiré", "retire", "abandoned", "removed", "retired", "out of service",
})


class MaintenanceParams(Params):
    horizon_years: int = Field(5, ge=1, le=10, description="Horizon du risque : casses attendues sur les N années suivant la dernière année observée", title="Horizon (années)")
    last_year: int = Field(0, ge=0, le=2100, description="Dernière année complète observée ; 0 = année de la défaillance la plus récente", title="Dernière année observée")
    plan_years: int = Field(5, ge=1, le=10, description="Nombre d'années du programme de renouvellement", title="Années de programme")
    budget_kind: Literal["longueur", "cout"] = Field(
        "longueur", description="Le budget annuel porte sur la longueur renouvelée (m) ou sur le coût (€)", title="Nature du budget",
        json_schema_extra={"choices": {"longueur": "Longueur (m)", "cout": "Coût (€)"}},
    )
    annual_budget: float = Field(0.0, ge=0.0, description="Budget annuel, en m ou en € ; 0 = 1 % du réseau en service par an", title="Budget annuel")
    cost_per_m: float = Field(1000.0, gt=0.0, description="Coût de renouvellement au mètre (€), quand la colonne renewal_cost manque", title="Coût au mètre (€)")
    crew_capacity: int = Field(0, ge=0, le=10_000, description="Nombre maximal de chantiers par an (équipes) ; 0 = sans limite", title="Chantiers par an")
    top_share_pct: float = Field(10.0, gt=0.0, le=50.0, description="Part du réseau (en nombre de tronçons) mise en tête de classement pour les indicateurs", title="Tête de classement (%)")
    backtest: bool = Field(True, description="Rétro-tester le classement sur les dernières années de vos données contre le classement par casses passées et par âge ; si le modèle ne fait pas mieux que les casses passées, ce classement est retenu", title="Rétro-test")


def _lines(df: pd.DataFrame, mask: pd.Series) -> list[int]:
    lines = line_numbers(df)
    return [lines[i] for i in np.flatnonzero(mask.to_numpy())]


def _problem(where: str, what: str, values: pd.Series, lines: list[int]) -> str:
    more = len(lines) - 1
    tail = f" (et {more} autre{'s' if more > 1 else ''} ligne{'s' if more > 1 else ''})" if more > 0 else ""
    return f"{where} : {what} « {values.iloc[0]} » ligne {lines[0]}{tail}"


def _id_and_year_problems(assets: pd.DataFrame, ids: pd.Series, today: dt.date) -> list[str]:
    out: list[str] = []
    dup = ids.duplicated(keep="first") & ids.notna()
    if dup.any():
        out.append(_problem("Inventaire", "identifiant en double", ids[dup], _lines(assets, dup)))
    years = model.install_years(assets["installed"])
    bad = years.isna() & assets["installed"].notna()
    if bad.any():
        out.append(_problem("Inventaire, colonne « installed »", "date ou année de pose illisible",
                            assets["installed"][bad], _lines(assets, bad)))
    future = years > today.year
    if future.any():
        out.append(_problem("Inventaire, colonne « installed »", "pose dans le futur", assets["installed"][future],
                            _lines(assets, future)))
    return out


def _fr(value: float) -> str:
    """A coordinate as written in French (decimal comma, true minus sign)."""
    return f"{value:g}".replace(".", ",").replace("-", "\u2212")


def _coordinate_problems(assets: pd.DataFrame) -> list[str]:
    out: list[str] = []
    for col, lo, hi in (("lon", -180.0, 180.0), ("lat", -90.0, 90.0)):
        if col in assets:
            v = assets[col]
            outside = v.notna() & ~v.between(lo, hi)
            if outside.any():
                out.append(_problem(f"Inventaire, colonne « {col} »",
                                    f"coordonnée hors de [{_fr(lo)} ; {_fr(hi)}]",
                                    v[outside].map(_fr), _lines(assets, outside)))
    return out


def _size_and_cost_problems(assets: pd.DataFrame) -> list[str]:
    out: list[str] = []
    if RENEWAL_COST in assets:
        cost = parsing.to_number(assets[RENEWAL_COST])
        unreadable = cost.isna() & ~parsing.is_blank(assets[RENEWAL_COST])
        if unreadable.any():
            out.append(_problem(f"Inventaire, colonne « {RENEWAL_COST} »", "coût illisible",
                                assets[RENEWAL_COST][unreadable], _lines(assets, unreadable)))
        assets = assets.assign(**{RENEWAL_COST: cost})
    for col in ("diameter_mm", "length_m", RENEWAL_COST):
        if col in assets:
            neg = assets[col] < 0
            if neg.any():
                out.append(_problem(f"Inventaire, colonne « {col} »", "valeur négative", assets[col][neg],
                                    _lines(assets, neg)))
    return out


def _failure_problems(failures: pd.DataFrame, ids: pd.Series, today: dt.date) -> list[str]:
    out: list[str] = []
    fid = failures["asset_id"].astype("string")
    unknown = fid.notna() & ~fid.isin(set(ids.dropna()))
    if unknown.any():
        n = int(unknown.sum())
        out.append(_problem("Défaillances", f"{n} défaillance{'s' if n > 1 else ''} sur un identifiant absent de "
                            "l'inventaire, dont", fid[unknown], _lines(failures, unknown)))
    late = failures["date"] > pd.Timestamp(today) + pd.Timedelta(days=1)
    if late.any():
        out.append(_problem("Défaillances, colonne « date »", "date dans le futur",
                            failures["date"][late].dt.strftime("%d/%m/%Y"), _lines(failures, late)))
    return out


def check(assets: pd.DataFrame, failures: pd.DataFrame, today: dt.date | None = None) -> list[str]:
    """French problems across both inputs: ids, dates in the future, coordinates and sizes out of range."""
    today = today or dt.date.today()
    ids = assets["asset_id"].astype("string")
    return [
        *_id_and_year_problems(assets, ids, today),
        *_coordinate_problems(assets),
        *_size_and_cost_problems(assets),
        *_failure_problems(failures, ids, today),
    ]


@dataclass(frozen=True)
class _History:
    """The inputs once checked and filtered: assets in service or not, failures kept, years learnt on."""

    assets: pd.DataFrame
    in_service: pd.Series
    no_year: pd.Series
    fails: pd.DataFrame
    last_year: int
    history_start: float
    origins: list[int]
    notes: list[str]
    #: The assets ranked: in service, with a readable year of pose.
    ranked_assets: pd.DataFrame


def _in_service(assets: pd.DataFrame) -> pd.Series:
    status = assets["status"].astype("string").str.strip().str.lower() if "status" in assets else None
    return ~status.isin(OUT_OF_SERVICE).fillna(False) if status is not None else pd.Series(True, assets.index)


def _prepare(raw_assets: pd.DataFrame, raw_failures: pd.DataFrame, params: MaintenanceParams) -> _History:
    """Check both inputs, keep the dated failures after each pose and the years systematically recorded."""
    problems = check(raw_assets, raw_failures)  # before any filter: line numbers follow positions
    if problems:
        raise InvalidInput(problems)
    raw_failures = raw_failures[raw_failures["date"].notna() & raw_failures["asset_id"].notna()]
    if raw_failures.empty:
        raise InvalidInput(["Défaillances : aucune casse datée, le risque ne peut pas être appris."])
    notes: list[str] = []
    assets = model.clean_assets(raw_assets[raw_assets["asset_id"].notna()])
    fails = model.failure_years(raw_failures)
    before = fails["year"] < fails["asset_id"].map(assets["install_year"]).fillna(-np.inf)
    if before.any():
        notes.append(f"{int(before.sum())} casse(s) datée(s) avant la pose du tronçon (ancienne conduite au même "
                     "identifiant) ont été écartées.")
    fails = fails[~before]
    last_year = params.last_year or int(np.floor(fails["year"].max()))
    fails = fails[fails["year"] < last_year + 1]
    history_start = float(model.systematic_start(fails["year"], last_year)) if len(fails) else float(last_year)
    sparse = fails["year"] < history_start
    if sparse.any():
        notes.append(f"{int(sparse.sum())} casse(s) antérieure(s) à {int(history_start)}, relevées de façon éparse "
                     f"(moins d'un cinquième d'une année ordinaire), ont été écartées : l'historique commence en "
                     f"{int(history_start)}.")
        fails = fails[~sparse]
    first_origin = int(history_start) + 2
    origins = list(range(first_origin, last_year if model.PARTIAL_WINDOWS else last_year - params.horizon_years + 1))
    if not origins:
        raise InvalidInput([f"Défaillances : l'historique ({int(history_start)}–{last_year}) est trop court ; "
                            "il faut au moins trois années de casses pour apprendre le risque."])
    in_service, no_year = _in_service(assets), assets["install_year"].isna()
    return _History(assets, in_service, no_year, fails, last_year, history_start, origins, notes,
                    assets[in_service & ~no_year])


def _self_check(h: _History, params: MaintenanceParams) -> RankingCheck | None:
    """Backtest on the user's own years (origin = last year - horizon), against the past-failures and age
    rankings; ``None`` when switched off or when the history is too short for it."""
    bt_origin = h.last_year - params.horizon_years
    first_origin = int(h.history_start) + 2
    if not params.backtest or bt_origin - first_origin < 1 + (0 if model.PARTIAL_WINDOWS else params.horizon_years):
        return None
    bt = backtest(h.ranked_assets, h.fails, bt_origin, params.horizon_years, h.history_start,
                  params.top_share_pct / 100)
    return RankingCheck(bt["model"], bt["most_failures"], bt["oldest"], int(bt["failing_assets"]),
                        bt_origin, params.horizon_years, params.top_share_pct)


def _yearly_rate(h: _History, params: MaintenanceParams, fallback: bool) -> tuple[pd.DataFrame, np.ndarray]:
    """Features at the last year and each asset's expected failures per year (model, or past rate)."""
    ranked_assets = h.ranked_assets
    X = model.features(ranked_assets, h.fails, h.last_year, h.history_start, model.material_vocabulary(ranked_assets))
    if fallback:
        return X, model.past_rate(X, h.last_year, h.history_start)
    d = model.design(ranked_assets, h.fails, h.origins, params.horizon_years, h.history_start, h.last_year)
    return X, model.predict(model.fit(d), X)


def _risk_table(X: pd.DataFrame, a: pd.DataFrame, expected: np.ndarray) -> pd.DataFrame:
    risk = pd.DataFrame({
        "asset_id": X.index.astype(str),
        "risk": 1 - np.exp(-expected),
        "rank": 0,
        "expected_failures": expected,
        "material": a["material"].to_numpy(),
        "diameter_mm": a["diameter_mm"].to_numpy(),
        "length_m": a["length_m"].to_numpy(),
        "age": X["age"].to_numpy(),
        "past_failures": X["n_all"].astype(int).to_numpy(),
    })
    for col in ("lon", "lat"):
        if col in a:
            risk[col] = a[col].to_numpy()
    risk = risk.sort_values(["expected_failures", "past_failures", "age"], ascending=False, kind="stable")
    risk["rank"] = np.arange(1, len(risk) + 1)
    return risk.reset_index(drop=True).round({"risk": 4, "expected_failures": 4, "age": 0, "length_m": 1})


@dataclass(frozen=True)
class _Plan:
    planned: plan.PlanResult
    table: pd.DataFrame
    budget: float
    unit: str


def _renewal_plan(X: pd.DataFrame, a: pd.DataFrame, rate: np.ndarray, last_year: int,
                  params: MaintenanceParams) -> _Plan:
    """Renewals per year under the annual budget (length or cost) and the crews' capacity."""
    if params.budget_kind == "cout":
        cost = parsing.to_number(a[RENEWAL_COST]) if RENEWAL_COST in a else pd.Series(np.nan, index=a.index)
        weight = cost.fillna(a["length_m"] * params.cost_per_m)
        unit = "€"
    else:
        weight = a["length_m"]
        unit = "m"
    weight = weight.fillna(0.0).to_numpy(dtype=float)
    budget = params.annual_budget or 0.01 * float(weight.sum())
    planned = plan.optimise(X.index, rate, weight, params.plan_years, budget, params.crew_capacity)
    plan_df = planned.plan.rename(columns={"weight": "length_m" if unit == "m" else "cost",
                                           "avoided": "avoided_failures"})
    plan_df.insert(1, "year", last_year + plan_df.pop("plan_year"))
    plan_df = plan_df.round({"avoided_failures": 4, "length_m": 1, "cost": 0})
    return _Plan(planned, plan_df, budget, unit)


def _metrics(h: _History, risk: pd.DataFrame, expected: np.ndarray, p: _Plan, self_check: RankingCheck | None,
             fallback: bool, params: MaintenanceParams) -> dict[str, float]:
    metrics: dict[str, float] = {
        "assets_ranked": float(len(risk)),
        "assets_out_of_service": float((~h.in_service).sum()),
        "assets_without_year": float((h.no_year & h.in_service).sum()),
        "failures_used": float(len(h.fails)),
        "last_year": float(h.last_year),
        "expected_failures_total": float(expected.sum()),
    }
    k = max(1, round(params.top_share_pct / 100 * len(risk)))
    metrics["top_share_expected_pct"] = float(100 * risk["expected_failures"].head(k).sum() / max(expected.sum(), 1e-12))
    metrics.update({
        "plan_renewals": float(len(p.table)),
        "plan_avoided_failures": p.planned.value,
        "plan_upper_bound": p.planned.bound,
        "plan_gap_pct": p.planned.gap_pct,
        "plan_exact": float(p.planned.method == "exact"),
        "annual_budget": p.budget,
    })
    if self_check is not None:
        metrics.update({"backtest_model": self_check.model, "backtest_most_failures": self_check.most_failures,
                        "backtest_oldest": self_check.oldest, "backtest_failing_assets": float(self_check.failing_assets),
                        "backtest_fallback": float(fallback)})
    return metrics


def _metric_labels(last_year: int, unit: str, self_check: RankingCheck | None,
                   params: MaintenanceParams) -> dict[str, str]:
    labels = {
        "assets_ranked": "Tronçons classés (en service)",
        "assets_out_of_service": "Tronçons hors service écartés",
        "assets_without_year": "Tronçons sans année de pose écartés",
        "failures_used": "Casses utilisées",
        "last_year": "Dernière année observée",
        "expected_failures_total": f"Casses attendues sur {params.horizon_years} ans (réseau)",
        "top_share_expected_pct": f"Part des casses attendues dans les {params.top_share_pct:g} % en tête (%)",
        "plan_renewals": "Renouvellements programmés",
        "plan_avoided_failures": "Casses évitées attendues (programme)",
        "plan_upper_bound": "Borne supérieure prouvée (relaxation LP)",
        "plan_gap_pct": "Écart maximal à l'optimum (%)",
        "plan_exact": "Programme optimal prouvé (1 = oui)",
        "annual_budget": f"Budget annuel ({unit})",
    }
    if self_check is not None:
        pct = f"{params.top_share_pct:g} %"
        labels.update({
            "backtest_model": f"Rétro-test {self_check.origin}→{last_year} : tronçons cassés trouvés dans les {pct} en tête (modèle, %)",
            "backtest_most_failures": "Rétro-test : idem, classement par casses passées (%)",
            "backtest_oldest": "Rétro-test : idem, classement par âge (%)",
            "backtest_failing_assets": "Rétro-test : tronçons cassés sur la période de contrôle",
            "backtest_fallback": "Classement repris des casses passées, le modèle ne faisant pas mieux (1 = oui)",
        })
    return labels


def _self_check_note(self_check: RankingCheck | None, params: MaintenanceParams) -> str:
    if self_check is not None:
        return self_check.sentence()
    if params.backtest:
        return ("Sur vos données, l'historique est trop court pour rétro-tester le classement sur "
                f"{params.horizon_years} ans : sa qualité n'a pas pu être vérifiée.")
    return "Rétro-test désactivé : la qualité du classement n'est pas vérifiée sur vos données."


def _method_notes(h: _History, p: _Plan, fallback: bool, params: MaintenanceParams) -> list[str]:
    origins, last_year, planned = h.origins, h.last_year, p.planned
    return [
        ("Risque : rythme de casse passé de chaque tronçon (casses depuis "
         f"{int(h.history_start)} par année d'historique), reconduit sur l'horizon, le modèle n'ayant pas fait "
         "mieux au rétro-test." if fallback else
         f"Risque : gradient boosting (perte de Poisson) appris sur {len(origins)} années d'origine "
         f"({origins[0]}–{origins[-1]}), chaque tronçon décrit tel qu'il était en fin d'année (âge, matériau, "
         "diamètre, longueur, casses passées par fenêtre, ancienneté de la dernière casse) et suivi sur les "
         f"{params.horizon_years} années suivantes."),
        f"« risk » = probabilité d'au moins une casse d'ici {last_year + params.horizon_years} "
        "(loi de Poisson de moyenne « expected_failures »).",
        ("Programme : optimum exact (HiGHS, branch and bound)." if planned.method == "exact" else
         "Programme : meilleur de plusieurs placements gloutons (trois ordres, et l'arrondi de la relaxation "
         "linéaire) ; la relaxation linéaire (HiGHS) prouve qu'il est à moins de "
         + f"{planned.gap_pct:.2f}".replace(".", ",") + " % de l'optimum."),
        f"Budget annuel : {p.budget:,.0f} {p.unit}".replace(",", "\u202f")
        + (f", au plus {params.crew_capacity} chantiers par an." if params.crew_capacity else ", sans limite de chantiers."),
        "Aide à la décision : le programme est arrêté par les ingénieurs réseau (coordination de voirie, "
        "criticité, conduites voisines).",
    ]


def _notes(h: _History, p: _Plan, self_check: RankingCheck | None, fallback: bool,
           params: MaintenanceParams) -> list[str]:
    notes = [_self_check_note(self_check, params), *h.notes]
    newer = int((h.in_service & (h.assets["install_year"] > h.last_year)).sum())
    if newer:
        notes.append(f"{newer} tronçon(s) posé(s) après {h.last_year} ne sont pas classés (pas encore d'historique).")
    if h.no_year.any():
        notes.append(f"{int((h.no_year & h.in_service).sum())} tronçon(s) sans année de pose lisible ne sont pas classés.")
    return notes + _method_notes(h, p, fallback, params)


@register
class NetworkMaintenance(AnalysisModule[MaintenanceParams]):
    key = "maintenance"
    title = "Maintenance prédictive d'un réseau (canalisations)"
    description = (
        "Estime pour chaque tronçon le nombre de casses attendues dans les prochaines années (matériau, "
        "diamètre, âge, longueur et casses passées, gradient boosting sur un plan d'expérience daté), le "
        "classe, et propose un programme de renouvellement sous budget annuel et capacité des équipes."
    )
    version = "1.0"
    family = "operations"
    inputs: ClassVar[tuple[InputSpec, ...]] = (
        InputSpec("assets", "Inventaire des tronçons", ASSETS, "Une ligne par tronçon (identifiant unique).",
                  sample_file="assets.csv"),
        InputSpec("failures", "Casses et défaillances", FAILURES, "Une ligne par casse, avec l'identifiant du tronçon.",
                  sample_file="failures.csv"),
    )
    params_model = MaintenanceParams
    metric_formats: ClassVar[dict[str, MetricFormat]] = {
        "assets_ranked": "count", "assets_out_of_service": "count", "assets_without_year": "count",
        "failures_used": "count", "last_year": "year", "expected_failures_total": "decimal",
        "top_share_expected_pct": "percent", "plan_renewals": "count", "plan_avoided_failures": "decimal",
        "plan_upper_bound": "decimal", "plan_gap_pct": "percent", "plan_exact": "count",
        "annual_budget": "decimal", "backtest_model": "percent", "backtest_most_failures": "percent",
        "backtest_oldest": "percent", "backtest_failing_assets": "count", "backtest_fallback": "count",
    }

    def run(self, inputs: dict[str, pd.DataFrame], params: MaintenanceParams) -> AnalysisResult:
        h = _prepare(inputs["assets"], inputs["failures"], params)
        # Self-check first: the model's ranking is replaced when it does not beat the past-failures one.
        self_check = _self_check(h, params)
        fallback = self_check is not None and not self_check.use_model
        X, rate = _yearly_rate(h, params, fallback)
        expected = rate * params.horizon_years
        a = h.ranked_assets.loc[X.index]
        risk = _risk_table(X, a, expected)
        p = _renewal_plan(X, a, rate, h.last_year, params)
        return AnalysisResult(
            metrics=_metrics(h, risk, expected, p, self_check, fallback, params),
            tables={"risk": risk, "plan": p.table},
            charts=self._charts(risk, p.table, p.unit),
            notes=_notes(h, p, self_check, fallback, params),
            metric_labels=_metric_labels(h.last_year, p.unit, self_check, params),
            table_labels={"risk": "Risque par tronçon (classement)", "plan": "Programme de renouvellement"},
        )

    @staticmethod
    def _charts(risk: pd.DataFrame, plan_df: pd.DataFrame, unit: str) -> dict[str, alt.TopLevelMixin]:
        charts: dict[str, alt.TopLevelMixin] = {}
        tooltip = [alt.Tooltip("asset_id:N", title="Tronçon"), alt.Tooltip("material:N", title="Matériau"),
                   alt.Tooltip("age:Q", title="Âge"), alt.Tooltip("past_failures:Q", title="Casses passées"),
                   alt.Tooltip("expected_failures:Q", title="Casses attendues", format=".2f"),
                   alt.Tooltip("rank:Q", title="Rang")]
        if {"lon", "lat"} <= set(risk.columns) and risk[["lon", "lat"]].notna().all(axis=1).any():
            located = risk.dropna(subset=["lon", "lat"]).sort_values("expected_failures", kind="stable")
            located = located.tail(5000)
            charts["carte_du_risque"] = alt.Chart(located).mark_circle(opacity=0.8).encode(
                longitude="lon:Q", latitude="lat:Q",
                color=alt.Color("expected_failures:Q", title="Casses attendues", scale=alt.Scale(scheme="reds")),
                size=alt.Size("expected_failures:Q", legend=None, scale=alt.Scale(range=[8, 160])),
                tooltip=tooltip,
            ).project(type="mercator").properties(title="Carte du risque (tronçons localisés)", width="container",
                                                  height=420)
        by_material = risk.groupby("material", as_index=False).agg(
            casses_attendues=("expected_failures", "sum"), longueur_km=("length_m", lambda s: s.sum() / 1000))
        by_material["pour_100_km"] = 100 * by_material["casses_attendues"] / by_material["longueur_km"].clip(lower=1e-9)
        charts["risque_par_materiau"] = alt.Chart(by_material).mark_bar().encode(
            x=alt.X("pour_100_km:Q", title="Casses attendues pour 100 km sur l'horizon"),
            y=alt.Y("material:N", sort="-x", title="Matériau"),
            tooltip=[alt.Tooltip("material:N", title="Matériau"), alt.Tooltip("longueur_km:Q", title="km", format=".1f"),
                     alt.Tooltip("casses_attendues:Q", title="Casses attendues", format=".1f")],
        ).properties(title="Risque par matériau", width="container")
        if len(plan_df):
            weight_col = "length_m" if unit == "m" else "cost"
            per_year = plan_df.groupby("year", as_index=False).agg(
                renouvellements=("asset_id", "size"), poids=(weight_col, "sum"),
                casses_evitees=("avoided_failures", "sum"))
            charts["programme_par_annee"] = alt.Chart(per_year).mark_bar().encode(
                x=alt.X("year:O", title="Année"),
                y=alt.Y("poids:Q", title=f"Renouvelé ({unit})"),
                tooltip=[alt.Tooltip("year:O", title="Année"), alt.Tooltip("renouvellements:Q", title="Chantiers"),
                         alt.Tooltip("poids:Q", title=unit, format=",.0f"),
                         alt.Tooltip("casses_evitees:Q", title="Casses évitées attendues", format=".2f")],
            ).properties(title="Programme de renouvellement par année", width="container")
        return charts


def backtest(assets: pd.DataFrame, fails: pd.DataFrame, origin: int, horizon: int, history_start: float,
             share: float = 0.1, hparams: dict[str, float] | None = None,
             partial_windows: bool | None = None) -> dict[str, float]:
    """Recall (%) in the top ``share`` at ``origin`` of the model (trained on earlier years) and two baselines."""
    origins = list(range(int(history_start) + 2, origin))
    d = model.design(assets, fails, origins, horizon, history_start, origin, partial_windows)
    fitted = model.fit(d, hparams)
    X = model.features(assets, fails, origin, history_start, d.materials)
    failed = pd.Series(model.labels(X.index, fails, origin, horizon) > 0, index=X.index)
    scores = pd.Series(model.predict(fitted, X), index=X.index)
    by_age = X.sort_values("install_year", kind="stable")  # ties in past failures: oldest first
    oldest = -X["install_year"].fillna(X["install_year"].max())
    return {
        "model": 100 * model.recall_at(scores, failed, share),
        "most_failures": 100 * model.recall_at(by_age["n_all"], failed.reindex(by_age.index), share),
        "oldest": 100 * model.recall_at(oldest, failed, share),
        "failing_assets": float(failed.sum()),
    }
