"""A delegate's yearly accounts: economic balance, tariff against indexation, unit costs, renewal.

Pure functions on one contract's yearly table (one row per year, see ``ACCOUNT_COLUMNS`` in
``module.py``); flags are the questions a controller of the delegation would put to the delegate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from policies import french

CHARGE_COLUMNS = ("charges_staff", "charges_energy", "charges_purchases", "charges_subcontracting",
                  "charges_overheads", "charges_other")
CHARGE_LABELS = {
    "charges_staff": "personnel", "charges_energy": "énergie", "charges_purchases": "achats",
    "charges_subcontracting": "sous-traitance", "charges_overheads": "frais de siège", "charges_other": "autres",
}
INDEX_COLUMNS = ("index_labour", "index_energy", "index_works")


def _col(df: pd.DataFrame, name: str) -> pd.Series:
    return pd.to_numeric(df[name], errors="coerce") if name in df else pd.Series(np.nan, index=df.index)


def indexation_coefficient(df: pd.DataFrame, weights: dict[str, float], fixed: float) -> pd.Series:
    """K_n = fixed + Σ w_i · I_i,n / I_i,base over the index columns given (weights renormalised)."""
    present = [c for c in INDEX_COLUMNS if c in df and df[c].notna().any()]
    if not present:
        return pd.Series(np.nan, index=df.index)
    total = sum(weights[c] for c in present)
    if total <= 0:
        return pd.Series(np.nan, index=df.index)
    scale = (1 - fixed) / total
    k = pd.Series(fixed, index=df.index, dtype=float)
    for c in present:
        s = _col(df, c)
        base = s.dropna().iloc[0]
        k = k + weights[c] * scale * s / base
    return k


def balance(df: pd.DataFrame, weights: dict[str, float], fixed: float) -> pd.DataFrame:
    """Per-year table: revenue, charges, result and margin against forecast, tariff against indexation,
    unit costs, renewal provisions against works done (yearly and cumulated)."""
    d = df.sort_values("year").reset_index(drop=True)
    revenue = _col(d, "revenue")
    by_nature = [c for c in CHARGE_COLUMNS if c in d and d[c].notna().any()]
    charges = _col(d, "charges_total")
    if by_nature:
        summed = d[by_nature].apply(pd.to_numeric, errors="coerce").sum(axis=1, min_count=1)
        charges = charges.fillna(summed)
    result = _col(d, "result").fillna(revenue - charges)
    volume = _col(d, "volume")
    tariff = _col(d, "tariff")
    k = indexation_coefficient(d, weights, fixed)
    first_tariff = tariff.dropna().iloc[0] if tariff.notna().any() else np.nan
    indexed = first_tariff * k / k.dropna().iloc[0] if k.notna().any() else pd.Series(np.nan, index=d.index)
    provision = _col(d, "renewal_provision")
    works = _col(d, "renewal_works")
    forecast = _col(d, "forecast_result")
    out = pd.DataFrame({
        "year": d["year"].astype(int),
        "revenue": revenue.round(0), "charges": charges.round(0), "result": result.round(0),
        "margin_pct": (100 * result / revenue).round(2),
        "forecast_result": forecast.round(0),
        "forecast_margin_pct": (100 * forecast / revenue).round(2),
    })
    out["margin_drift_pts"] = (out["margin_pct"] - out["forecast_margin_pct"]).round(2)
    out["tariff"] = tariff.round(4)
    out["tariff_indexed"] = indexed.round(4)
    out["tariff_gap_pct"] = (100 * (tariff / indexed - 1)).round(2)
    out["unit_cost"] = (charges / volume).round(4)
    out["unit_revenue"] = (revenue / volume).round(4)
    for c in by_nature:
        out[f"unit_{c}"] = (_col(d, c) / volume).round(4)
    out["renewal_provision"] = provision.round(0)
    out["renewal_works"] = works.round(0)
    out["provision_cumulated"] = provision.cumsum().round(0)
    out["works_cumulated"] = works.cumsum().round(0)
    out["unspent_provision"] = (out["provision_cumulated"] - out["works_cumulated"]).round(0)
    out["works_to_provision_pct"] = (100 * out["works_cumulated"] / out["provision_cumulated"]).round(1)
    return out


def _flag(year: object, kind: str, severity: str, value: float, threshold: float, text: str) -> dict[str, object]:
    return {"year": year, "flag": kind, "severity": severity, "value": round(float(value), 2),
            "threshold": round(float(threshold), 2), "explanation": text}


def _provision_flags(t: pd.DataFrame, min_works_ratio_pct: float, min_years: int) -> list[dict[str, object]]:
    """Renewal provisions never spent, and years with a provision but no renewal works."""
    if not (t["provision_cumulated"].notna().any() and len(t) >= min_years):
        return []
    rows = []
    last = t.iloc[-1]
    ratio = float(last["works_to_provision_pct"]) if np.isfinite(last["works_to_provision_pct"]) else np.nan
    if np.isfinite(ratio) and ratio < min_works_ratio_pct:
        rows.append(_flag(
            f"{int(t['year'].iloc[0])}–{int(last['year'])}", "provisions non consommées", "élevée", ratio,
            min_works_ratio_pct,
            f"Sur {len(t)} exercices, {french.number(last['works_cumulated'], 0)} € de travaux de renouvellement pour "
            f"{french.number(last['provision_cumulated'], 0)} € provisionnés ({french.number(ratio)} %) : "
            f"{french.number(last['unspent_provision'], 0)} € de provisions non employés, à retracer (sort en fin de contrat)."))
    idle = t[(t["renewal_provision"] > 0) & (t["renewal_works"].fillna(0) <= 0)]
    if len(idle) >= 2:
        rows.append(_flag(
            ", ".join(str(y) for y in idle["year"]), "provision sans travaux", "moyenne", float(len(idle)), 2,
            f"{len(idle)} exercices avec une dotation au renouvellement mais sans travaux de renouvellement déclarés."))
    return rows


def _margin_flags(t: pd.DataFrame, margin_drift_pts: float) -> list[dict[str, object]]:
    """Years whose margin is far from the contract's forecast, and a steady drift over the years."""
    rows = []
    for r in t[t["margin_drift_pts"].abs() > margin_drift_pts].itertuples():
        direction = "au-dessus" if r.margin_drift_pts > 0 else "en dessous"
        rows.append(_flag(
            int(r.year), "marge éloignée du prévisionnel", "élevée" if abs(r.margin_drift_pts) > 2 * margin_drift_pts
            else "moyenne", r.margin_drift_pts, margin_drift_pts,
            f"{int(r.year)} : marge de {french.number(r.margin_pct)} % contre {french.number(r.forecast_margin_pct)} % au compte "
            f"prévisionnel du contrat, soit {french.number(abs(r.margin_drift_pts))} points {direction}."))
    drifts = t["margin_drift_pts"].dropna()
    if len(drifts) >= 3:
        slope = float(np.polyfit(np.arange(len(drifts)), drifts.to_numpy(dtype=float), 1)[0])
        if abs(slope) * (len(drifts) - 1) > margin_drift_pts:
            rows.append(_flag(
                "tendance", "dérive continue de la marge", "moyenne", slope, margin_drift_pts / (len(drifts) - 1),
                f"L'écart de marge au prévisionnel évolue de {french.number(slope, 2)} point par an sur {len(drifts)} exercices."))
    return rows


def _tariff_and_deficit_flags(t: pd.DataFrame, tariff_tolerance_pct: float) -> list[dict[str, object]]:
    """Tariffs off the indexation formula, repeated deficits, unit cost outgrowing the indexation."""
    rows = [_flag(
        int(r.year), "tarif hors formule d'indexation", "élevée", r.tariff_gap_pct, tariff_tolerance_pct,
        f"{int(r.year)} : tarif de {french.number(r.tariff, 4)} €/m³ contre {french.number(r.tariff_indexed, 4)} €/m³ par la formule "
        f"d'indexation du contrat ({'+' if r.tariff_gap_pct > 0 else ''}{french.number(r.tariff_gap_pct)} %).")
        for r in t[t["tariff_gap_pct"].abs() > tariff_tolerance_pct].itertuples()]
    # deficits, which often precede a request to renegotiate
    losses = t[t["result"] < 0]
    if len(losses) >= 2:
        rows.append(_flag(
            ", ".join(str(y) for y in losses["year"]), "exercices déficitaires", "moyenne", float(len(losses)), 2,
            f"{len(losses)} exercices déficitaires : l'équilibre économique invoqué par le délégataire mérite un "
            "examen (demande d'avenant probable)."))
    if t["unit_cost"].notna().sum() >= 2 and t["tariff_indexed"].notna().sum() >= 2:
        cost_growth = float(t["unit_cost"].dropna().iloc[-1] / t["unit_cost"].dropna().iloc[0] - 1) * 100
        index_growth = float(t["tariff_indexed"].dropna().iloc[-1] / t["tariff_indexed"].dropna().iloc[0] - 1) * 100
        if cost_growth - index_growth > 2 * tariff_tolerance_pct:
            rows.append(_flag(
                "période", "coût unitaire plus rapide que l'indexation", "moyenne", cost_growth - index_growth,
                2 * tariff_tolerance_pct,
                f"Coût unitaire +{french.number(cost_growth)} % sur la période contre +{french.number(index_growth)} % pour la formule "
                "d'indexation : charges à détailler par nature."))
    return rows


def _stated_figure_flags(t: pd.DataFrame, raw: pd.DataFrame, overheads_max_pct: float) -> list[dict[str, object]]:
    """High overheads, and a stated result that is not revenue minus charges."""
    rows = []
    if "charges_overheads" in raw and raw["charges_overheads"].notna().any():
        share = 100 * pd.to_numeric(raw.sort_values("year")["charges_overheads"], errors="coerce").to_numpy() / \
            t["revenue"].to_numpy()
        for year, s in zip(t["year"], share, strict=True):
            if np.isfinite(s) and s > overheads_max_pct:
                rows.append(_flag(
                    int(year), "frais de siège élevés", "moyenne", s, overheads_max_pct,
                    f"{int(year)} : frais de siège à {french.number(s)} % du chiffre d'affaires (seuil {french.number(overheads_max_pct)} %)."))
    if "result" in raw and raw["result"].notna().any():
        stated = pd.to_numeric(raw.sort_values("year")["result"], errors="coerce").to_numpy()
        computed = t["revenue"].to_numpy() - t["charges"].to_numpy()
        for year, s, c, rev in zip(t["year"], stated, computed, t["revenue"], strict=True):
            if np.isfinite(s) and np.isfinite(c) and abs(s - c) > 0.005 * abs(rev):
                rows.append(_flag(
                    int(year), "résultat incohérent", "élevée", s - c, 0.005 * abs(rev),
                    f"{int(year)} : résultat déclaré {french.number(s, 0)} € pour {french.number(c, 0)} € de produits moins charges."))
    return rows


def controller_flags(table: pd.DataFrame, *, margin_drift_pts: float, tariff_tolerance_pct: float,
                     min_works_ratio_pct: float, min_years: int, overheads_max_pct: float,
                     raw: pd.DataFrame) -> pd.DataFrame:
    """Flags with the year(s), the figure, the threshold and a French explanation."""
    rows = [
        *_provision_flags(table, min_works_ratio_pct, min_years),
        *_margin_flags(table, margin_drift_pts),
        *_tariff_and_deficit_flags(table, tariff_tolerance_pct),
        *_stated_figure_flags(table, raw, overheads_max_pct),
    ]
    return pd.DataFrame(rows, columns=["year", "flag", "severity", "value", "threshold", "explanation"])
