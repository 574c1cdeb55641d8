"""Delegated water services compared with comparable services, and a delegate's economic balance."""

from __future__ import annotations

from typing import ClassVar

import altair as alt
import pandas as pd
from pydantic import Field

from usecases.base import AnalysisModule, AnalysisResult, Column, InputSchema, InputSpec, MetricFormat, Params
from usecases.dsp_performance import accounts as acc
from usecases.dsp_performance import comparables as cmp
from usecases.loading import InvalidInput
from usecases.registry import register

SERVICES = InputSchema((
    Column("service", "categorical", role="id", description="Nom ou identifiant du service (ex. code SISPEA)"),
    Column("operator", "categorical", role="group",
           description="Opérateur : délégataire, ou prestataire d'une régie (vide si aucun)"),
    Column("mode", "categorical", role="group", description="Mode de gestion : « Délégation » ou « Régie »"),
    Column("population", "numerical", role="feature", description="Habitants desservis (taille du service)"),
    Column("communes", "numerical", role="feature", required=False,
           description="Nombre de communes desservies (habitants par commune : indicateur rural / urbain)"),
    Column("territory", "categorical", role="feature", required=False,
           description="Département ou territoire du service (facteur d'ajustement ; rapproché des références)"),
    Column("region", "categorical", role="feature", required=False, description="Région (rapprochée des références)"),
    Column("area_type", "categorical", role="feature", required=False,
           description="Type de territoire, ex. « rural », « urbain » (facteur d'ajustement)"),
    Column("resource", "categorical", role="feature", required=False,
           description="Ressource en eau, ex. « souterraine », « superficielle », « achat » (facteur d'ajustement)"),
    *(Column(i.column, "numerical", role="target", required=False,
             description=f"{i.label} ({i.unit}), indicateur SISPEA {i.sispea}") for i in cmp.INDICATORS),
))

REFERENCES = InputSchema((
    Column("indicator", "categorical", role="group",
           description="Indicateur, nommé comme la colonne des services (ex. « network_yield »)"),
    Column("scope", "categorical", role="group", description="Échelle : « national », « région » ou « département »"),
    Column("area", "categorical", role="id", required=False,
           description="Nom de la région ou du département (vide pour le national)"),
    Column("value", "numerical", role="target", description="Valeur de référence"),
    Column("year", "numerical", role="timestamp", required=False, description="Année de la référence"),
))

ACCOUNTS = InputSchema((
    Column("year", "numerical", role="timestamp", description="Exercice du contrat"),
    Column("revenue", "numerical", role="target", description="Produits de l'exercice (€)"),
    *(Column(c, "numerical", role="feature", required=False, description=f"Charges : {label} (€)")
      for c, label in acc.CHARGE_LABELS.items()),
    Column("charges_total", "numerical", role="feature", required=False,
           description="Total des charges (€), sinon somme des charges par nature"),
    Column("result", "numerical", role="target", required=False,
           description="Résultat déclaré (€), sinon produits moins charges"),
    Column("forecast_result", "numerical", role="feature", required=False,
           description="Résultat prévu au compte d'exploitation prévisionnel du contrat (€)"),
    Column("tariff", "numerical", role="feature", required=False, description="Tarif du délégataire (€/m³)"),
    Column("volume", "numerical", role="feature", required=False, description="Volumes vendus (m³)"),
    Column("index_labour", "numerical", role="feature", required=False,
           description="Indice salaires de la formule d'indexation (ex. ICHT-E)"),
    Column("index_energy", "numerical", role="feature", required=False,
           description="Indice énergie de la formule d'indexation (ex. électricité)"),
    Column("index_works", "numerical", role="feature", required=False,
           description="Indice travaux ou produits de la formule d'indexation (ex. TP10a, FSD2)"),
    Column("renewal_provision", "numerical", role="feature", required=False,
           description="Dotation de l'exercice au renouvellement (€)"),
    Column("renewal_works", "numerical", role="feature", required=False,
           description="Travaux de renouvellement réalisés dans l'exercice (€)"),
))


class DspParams(Params):
    level: float = Field(0.8, ge=0.5, le=0.98, title="Niveau de l'intervalle",
                         description="Part des services comparables couverte par l'intervalle attendu")
    folds: int = Field(5, ge=3, le=20, title="Plis de validation croisée",
                       description="Nombre de plis : l'attendu d'un service est estimé sans lui")
    min_services: int = Field(5, ge=2, le=100, title="Services minimum par groupe",
                              description="Nombre minimal de services pour comparer un opérateur ou un mode")
    margin_drift_pts: float = Field(3.0, ge=0.5, le=50.0, title="Dérive de marge tolérée (points)",
                                    description="Écart de marge au compte prévisionnel au-delà duquel un exercice est signalé")
    tariff_tolerance_pct: float = Field(1.0, ge=0.0, le=50.0, title="Tolérance tarifaire (%)",
                                        description="Écart du tarif à la formule d'indexation au-delà duquel un exercice est signalé")
    min_works_ratio_pct: float = Field(60.0, ge=0.0, le=100.0, title="Consommation minimale des provisions (%)",
                                       description="Part des provisions de renouvellement employée en travaux en deçà de laquelle on signale")
    min_years: int = Field(3, ge=1, le=30, title="Exercices minimum",
                           description="Nombre d'exercices nécessaires pour juger la consommation des provisions")
    overheads_max_pct: float = Field(8.0, ge=0.0, le=100.0, title="Frais de siège maximum (%)",
                                     description="Part des frais de siège dans les produits au-delà de laquelle on signale")
    fixed_part: float = Field(0.15, ge=0.0, le=1.0, title="Partie fixe de la formule",
                              description="Terme fixe de la formule d'indexation (K = fixe + Σ poids × indice / indice de base)")
    weight_labour: float = Field(0.40, ge=0.0, le=1.0, title="Poids salaires",
                                 description="Poids de l'indice salaires dans la formule d'indexation")
    weight_energy: float = Field(0.20, ge=0.0, le=1.0, title="Poids énergie",
                                 description="Poids de l'indice énergie dans la formule d'indexation")
    weight_works: float = Field(0.25, ge=0.0, le=1.0, title="Poids travaux",
                                description="Poids de l'indice travaux dans la formule d'indexation")


def mode_group(mode: pd.Series) -> pd.Series:
    text = mode.astype("string").str.lower().str.strip()
    out = pd.Series(pd.NA, index=mode.index, dtype="string")
    out[text.str.contains("lég|leg|dsp|concession|affermage", na=False)] = "délégation"
    out[text.str.contains("régie|regie|public|spl|prestation", na=False) & out.isna()] = "régie"
    return out


def _references(services: pd.DataFrame, refs: pd.DataFrame | None) -> pd.DataFrame:
    """Per service row and indicator, the most local reference available (département > région > national)."""
    cols = ["row", "indicator", "reference", "reference_scope"]
    if refs is None or refs.empty:
        return pd.DataFrame(columns=cols)
    r = refs.dropna(subset=["indicator", "scope", "value"]).copy()
    r["indicator"] = r["indicator"].astype(str).str.strip()
    r["scope_key"] = r["scope"].astype(str).str.strip().str.lower().replace({"region": "région", "departement": "département"})
    area = r["area"] if "area" in r else pd.Series(pd.NA, index=r.index)
    r["area_key"] = area.astype("string").fillna("").str.strip().str.lower()
    if "year" in r:  # the latest year of each series
        r = r.assign(_y=r["year"].fillna(-1)).sort_values("_y", kind="stable")
    r = r.groupby(["indicator", "scope_key", "area_key"], sort=False).tail(1)
    svc = pd.DataFrame({"row": services.index})
    found = []
    for rank, (scope, col) in enumerate((("département", "territory"), ("région", "region"), ("national", None))):
        cand = r[r["scope_key"] == scope][["indicator", "area_key", "value"]]
        if cand.empty:
            continue
        if col is None:
            hit = svc.merge(cand.drop(columns="area_key"), how="cross")
        elif col in services:
            keys = svc.assign(area_key=services[col].astype("string").fillna("\0").str.strip().str.lower().to_numpy())
            hit = keys.merge(cand, on="area_key").drop(columns="area_key")
        else:
            continue
        found.append(hit.assign(rank=rank, reference_scope=scope))
    if not found:
        return pd.DataFrame(columns=cols)
    best = pd.concat(found, ignore_index=True).sort_values(["row", "indicator", "rank"], kind="stable")
    best = best.groupby(["row", "indicator"], sort=False).head(1).rename(columns={"value": "reference"})
    return best[cols].reset_index(drop=True)


def _services_table(services: pd.DataFrame, long: pd.DataFrame, operator: pd.Series) -> pd.DataFrame:
    """One row per service and indicator given: value, expected value and interval, gap, reference."""
    table = pd.DataFrame({
        "service": services["service"].astype("string").to_numpy()[long["row"]],
        "operator": operator.to_numpy()[long["row"]],
        "mode": services["mode"].astype("string").to_numpy()[long["row"]],
        "indicator": long["indicator"],
        "label": long["indicator"].map({i.column: i.label for i in cmp.INDICATORS}),
        "value": long["value"].round(3), "expected": long["expected"].round(3),
        "expected_low": long["low"].round(3), "expected_high": long["high"].round(3),
        "gap": long["gap"].round(3), "flag": long["flag"],
        "reference": long["reference"].astype(float).round(3), "reference_scope": long["reference_scope"],
    })
    return table[table["value"].notna()].reset_index(drop=True)


def _comparison(long: pd.DataFrame, min_services: int) -> pd.DataFrame:
    """Operators and management modes compared on their gaps, the délégation − régie rows read as such."""
    comparison = cmp.compare(long, min_services)
    is_diff = comparison["grouping"] == "délégation − régie"
    comparison.loc[is_diff, "reading"] = comparison.loc[is_diff, "reading"].map({
        "mieux que les services comparables": "délégation mieux placée que la régie, à contexte égal",
        "moins bien que les services comparables": "délégation moins bien placée que la régie, à contexte égal",
        "pas d'écart établi avec les services comparables": "pas d'écart établi entre délégation et régie",
        "trop peu de services pour conclure": "trop peu de services pour conclure"})
    for c in ("median_value", "raw_difference", "adjusted_gap", "gap_low", "gap_high"):
        comparison[c] = comparison[c].round(3)
    return comparison


def _service_metrics(
    services: pd.DataFrame, present: list, groups: pd.Series, table: pd.DataFrame
) -> tuple[dict[str, float], dict[str, str]]:
    """The services' headline figures and their French labels."""
    counts = table["flag"].value_counts()
    metrics = {
        "services": float(len(services)),
        "indicateurs": float(len(present)),
        "delegations": float((groups == "délégation").sum()),
        "regies": float((groups == "régie").sum()),
        "ecarts_defavorables": float(counts.get("défavorable", 0)),
        "ecarts_favorables": float(counts.get("favorable", 0)),
    }
    labels = {
        "services": "Services comparés", "indicateurs": "Indicateurs", "delegations": "Services délégués",
        "regies": "Services en régie", "ecarts_defavorables": "Écarts défavorables signalés",
        "ecarts_favorables": "Écarts favorables",
    }
    return metrics, labels


def _service_notes(services: pd.DataFrame, present: list, has_references: bool, params: DspParams) -> list[str]:
    """How the expected values were computed, and what the data given leaves out."""
    notes = [
        "Attendu : modèle linéaire robuste (Huber) sur la taille (log des habitants)"
        + (", les habitants par commune (rural / urbain)" if "communes" in services else "")
        + "".join(f", {label}" for n, label in (("territory", "le territoire"), ("area_type", "le type de territoire"),
                                                ("resource", "la ressource")) if n in services)
        + f", estimé sans le service lui-même ({params.folds} plis) ; l'intervalle à {100 * params.level:.0f} % vient "
        "des écarts observés hors échantillon. Le mode de gestion et l'opérateur n'entrent pas dans l'attendu : "
        "on les compare ensuite sur les écarts.",
        "Un écart « défavorable » est une question à poser à l'opérateur en comité de suivi, pas un constat : "
        "les indicateurs SISPEA sont déclaratifs et certains ne sont pas encore vérifiés.",
    ]
    few = [i.label for i in present if services[i.column].notna().sum() < cmp.MIN_FIT]
    if few:
        notes.append(f"Moins de {cmp.MIN_FIT} services renseignés pour : {', '.join(few)} ; l'attendu y est la "
                     "médiane des autres services, sans ajustement, et l'intervalle est peu fiable.")
    if "resource" not in services:
        notes.append("Sans colonne « resource », la nature de la ressource en eau (souterraine, superficielle, "
                     "achat d'eau) n'est pas prise en compte ; elle explique une part des écarts de prix.")
    if has_references:
        notes.append("Références : la plus locale disponible (département, puis région, puis national), "
                     "dernière année fournie.")
    return notes


def _accounts_tables(accounts: pd.DataFrame, params: DspParams) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The operator's accounts balanced year by year, and the controller's flags on them."""
    raw = accounts.dropna(subset=["year"]).copy()
    if raw["year"].duplicated().any():
        dup = int(raw.loc[raw["year"].duplicated(), "year"].iloc[0])
        raise InvalidInput([f"Comptes annuels : l'exercice {dup} apparaît plusieurs fois ; "
                            "une ligne par exercice est attendue."])
    raw = raw.sort_values("year").reset_index(drop=True)
    weights = {"index_labour": params.weight_labour, "index_energy": params.weight_energy,
               "index_works": params.weight_works}
    bal = acc.balance(raw, weights, params.fixed_part)
    flags = acc.controller_flags(
        bal, margin_drift_pts=params.margin_drift_pts, tariff_tolerance_pct=params.tariff_tolerance_pct,
        min_works_ratio_pct=params.min_works_ratio_pct, min_years=params.min_years,
        overheads_max_pct=params.overheads_max_pct, raw=raw)
    flags["year"] = flags["year"].astype(str)
    return bal, flags


@register
class DspPerformance(AnalysisModule[DspParams]):
    key = "dsp_performance"
    title = "Services délégués : performance comparée et équilibre économique"
    description = (
        "Compare chaque service d'eau aux services comparables (taille, caractère rural ou urbain, territoire, "
        "ressource) avec un intervalle, compare opérateurs et délégation / régie après ajustement, et suit, "
        "à partir des comptes annuels d'un délégataire, l'équilibre économique, le tarif face à la formule "
        "d'indexation, les coûts unitaires et les provisions de renouvellement."
    )
    version = "1.0"
    family = "contracts_finance"
    inputs: ClassVar[tuple[InputSpec, ...]] = (
        InputSpec("services", "Indicateurs des services (SISPEA)", SERVICES,
                  "Une ligne par service : mode de gestion, opérateur, taille et indicateurs de performance.",
                  sample_file="sample_services.csv"),
        InputSpec("references", "Références régionales et nationales", REFERENCES,
                  "Valeurs de référence par indicateur et échelle (facultatif).",
                  sample_file="sample_references.csv", required=False),
        InputSpec("accounts", "Comptes annuels d'un délégataire", ACCOUNTS,
                  "Une ligne par exercice d'un contrat (facultatif). L'échantillon est fictif.",
                  sample_file="sample_accounts_fictif.csv", required=False),
    )
    params_model = DspParams
    metric_formats: ClassVar[dict[str, MetricFormat]] = {
        "services": "count", "indicateurs": "count", "delegations": "count", "regies": "count",
        "ecarts_defavorables": "count", "ecarts_favorables": "count", "exercices": "count",
        "signalements_comptes": "count",
    }

    def run(self, inputs: dict[str, pd.DataFrame], params: DspParams) -> AnalysisResult:
        services = inputs["services"].reset_index(drop=True)
        present = [i for i in cmp.INDICATORS if i.column in services and services[i.column].notna().any()]
        if not present:
            raise InvalidInput([
                "Indicateurs des services : aucune colonne d'indicateur renseignée. Colonnes attendues (au moins "
                "une) : " + ", ".join(i.column for i in cmp.INDICATORS) + "."])
        long = cmp.expectations(services, params.level, params.folds)
        refs = _references(services, inputs.get("references"))
        long = long.merge(refs, on=["row", "indicator"], how="left")
        groups = mode_group(services["mode"])
        operator = services["operator"].astype("string").fillna("aucun")
        table = _services_table(services, long, operator)
        long = long.assign(mode_group=groups.to_numpy()[long["row"]], operator=operator.to_numpy()[long["row"]])
        comparison = _comparison(long, params.min_services)
        metrics, labels = _service_metrics(services, present, groups, table)
        tables = {"services": table, "comparison": comparison}
        table_labels = {"services": "Services : valeur, attendu pour des services comparables, écart",
                        "comparison": "Opérateurs et modes de gestion comparés à contexte égal"}
        charts = {"comparison": self._comparison_chart(comparison)}
        notes = _service_notes(services, present, "references" in inputs, params)
        if "accounts" in inputs and not inputs["accounts"].empty:
            bal, flags = _accounts_tables(inputs["accounts"], params)
            tables["accounts"] = bal
            tables["flags"] = flags
            table_labels["accounts"] = "Comptes du délégataire : équilibre, tarif, coûts unitaires, renouvellement"
            table_labels["flags"] = "Points de contrôle sur les comptes"
            metrics["exercices"] = float(len(bal))
            metrics["signalements_comptes"] = float(len(flags))
            labels["exercices"] = "Exercices des comptes"
            labels["signalements_comptes"] = "Points de contrôle sur les comptes"
            charts["accounts"] = self._accounts_chart(bal)
            notes.append("Comptes : formule d'indexation K = "
                         f"{params.fixed_part:g} + poids × indice / indice de la première année, poids renormalisés "
                         "sur les indices fournis ; tarif attendu = tarif de la première année × K / K initial.")
        return AnalysisResult(metrics=metrics, tables=tables, charts=charts, notes=notes,
                              metric_labels=labels, table_labels=table_labels)

    @staticmethod
    def _comparison_chart(comparison: pd.DataFrame) -> alt.TopLevelMixin:
        src = comparison[comparison["grouping"] != "délégation − régie"].copy()
        src["label"] = src["indicator"].map({i.column: i.label for i in cmp.INDICATORS})
        base = alt.Chart(src).encode(
            y=alt.Y("group:N", title=None), tooltip=["grouping:N", "group:N", "label:N", "services:Q",
                                                     alt.Tooltip("adjusted_gap:Q", format=".3f"), "reading:N"])
        bars = base.mark_rule().encode(x=alt.X("gap_low:Q", title="Écart moyen aux services comparables"),
                                       x2="gap_high:Q")
        points = base.mark_point(filled=True).encode(x="adjusted_gap:Q", color=alt.Color("grouping:N", title=None))
        return (bars + points).properties(width=180, height=120).facet(
            facet=alt.Facet("label:N", title=None), columns=3).resolve_scale(x="independent").properties(
            title="Écart moyen à contexte égal, avec son intervalle à 95 %")

    @staticmethod
    def _accounts_chart(bal: pd.DataFrame) -> alt.TopLevelMixin:
        src = bal.melt(id_vars=["year"], value_vars=["margin_pct", "forecast_margin_pct"], var_name="serie",
                       value_name="pct").dropna()
        src["serie"] = src["serie"].map({"margin_pct": "Marge réelle", "forecast_margin_pct": "Marge prévue au contrat"})
        return alt.Chart(src).mark_line(point=True).encode(
            x=alt.X("year:O", title="Exercice"), y=alt.Y("pct:Q", title="Marge (% des produits)"),
            color=alt.Color("serie:N", title=None), tooltip=["year:O", "serie:N", alt.Tooltip("pct:Q", format=".1f")],
        ).properties(title="Marge du délégataire face au compte prévisionnel", width="container")

