"""Cross-validated error of the adjusted expectation against two baselines, and interval coverage.

Baselines, computed on the same folds: the median of all training services (national-median
stand-in: the file holds one region) and the median of training services of the same size class
(population quintiles of the training services). Intervals: quantiles of out-of-fold residuals
inside the training services, applied to held-out services; coverage is measured on those.
README figures: ``python -m usecases.dsp_performance.validation ../shared/data``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold

from usecases.dsp_performance import comparables as cmp

DEPARTMENTS = {44: "Loire-Atlantique", 49: "Maine-et-Loire", 53: "Mayenne", 72: "Sarthe", 85: "Vendée"}
RESULT_FILE = Path(__file__).with_name("validation_result.json")


def load_services(data_dir: Path) -> pd.DataFrame:
    """The 186 SISPEA water services in the module's column names."""
    d = pd.read_csv(Path(data_dir, "dsp_water_services", "sispea_eau_potable_services_pays_de_la_loire.csv"))
    out = pd.DataFrame({
        "service": d["id_sispea_service"].astype(str) + " " + d["nom_service"].str.replace("eau potable : ", "", regex=False),
        "operator": d["operateur"], "mode": d["mode_gestion"],
        "population": d["population_desservie"].fillna(d["D101.0"]), "communes": d["nb_communes"],
        "territory": d["dept"].map(DEPARTMENTS), "region": "Pays de la Loire",
    })
    for ind in cmp.INDICATORS:
        out[ind.column] = d[ind.sispea]
    return out


def load_references(data_dir: Path) -> pd.DataFrame:
    """Network-yield references: national by year (2020 dropped: a partial year), régions, départements."""
    base = Path(data_dir, "dsp_finance")
    year = pd.read_csv(base / "rendement_annee.csv")
    year = year[year["volume_injecte"] > 0.5 * year["volume_injecte"].median()]
    nat = pd.DataFrame({"indicator": "network_yield", "scope": "national", "area": "",
                        "value": year["rendement"], "year": year["annee"]})
    reg = pd.read_csv(base / "rendement_region.csv")
    reg = pd.DataFrame({"indicator": "network_yield", "scope": "région", "area": reg["region"], "value": reg["rendement"]})
    dep = pd.read_csv(base / "rendement_departement.csv")
    dep = pd.DataFrame({"indicator": "network_yield", "scope": "département", "area": dep["region"],
                        "value": dep["rendement"]})
    return pd.concat([nat, reg, dep], ignore_index=True)


def _size_class(train_pop: np.ndarray, pop: np.ndarray, k: int = 5) -> tuple[np.ndarray, np.ndarray]:
    edges = np.quantile(train_pop, np.linspace(0, 1, k + 1)[1:-1])
    return np.searchsorted(edges, train_pop), np.searchsorted(edges, pop)


def evaluate(df: pd.DataFrame, level: float = 0.8, repeats: int = 5, folds: int = 5,
             indicators: tuple[str, ...] | None = None) -> pd.DataFrame:
    """MAE of the model and baselines per indicator (held-out services), interval coverage and width."""
    X = cmp.features(df)
    rows = []
    for ind in cmp.INDICATORS:
        if indicators is not None and ind.column not in indicators:
            continue
        y = pd.to_numeric(df[ind.column], errors="coerce")
        ok = (X.notna().all(axis=1) & y.notna()).to_numpy()
        idx = np.flatnonzero(ok)
        Xv, yv = X.to_numpy(dtype=float), y.to_numpy(dtype=float)
        pop = X["log_population"].to_numpy(dtype=float)
        err: dict[str, list[Any]] = {"modele": [], "mediane_globale": [], "mediane_taille": []}
        covered, width = [], []
        for rep in range(repeats):
            for train, test in KFold(folds, shuffle=True, random_state=100 + rep).split(idx):
                tr, te = idx[train], idx[test]
                model = cmp._model()
                model.fit(Xv[tr], yv[tr])
                pred = model.predict(Xv[te])
                err["modele"].append(np.abs(pred - yv[te]))
                err["mediane_globale"].append(np.abs(np.median(yv[tr]) - yv[te]))
                ctr, cte = _size_class(pop[tr], pop[te])
                med = {c: np.median(yv[tr][ctr == c]) for c in np.unique(ctr)}
                err["mediane_taille"].append(np.abs(np.array([med.get(c, np.median(yv[tr])) for c in cte]) - yv[te]))
                # interval from out-of-fold residuals inside the training services only
                oof = cmp.cross_fit(X.iloc[tr], y.iloc[tr], folds=folds, seed=rep)
                lo, hi = cmp.interval(y.iloc[tr] - oof, level)
                covered.append((yv[te] >= pred + lo) & (yv[te] <= pred + hi))
                width.append(np.full(len(te), hi - lo))
        row: dict[str, Any] = {"indicator": ind.column, "services": len(idx)}
        for k, v in err.items():
            row[f"mae_{k}"] = float(np.mean(np.concatenate(v)))
        row["gain_vs_globale_pct"] = 100 * (1 - row["mae_modele"] / row["mae_mediane_globale"])
        row["gain_vs_taille_pct"] = 100 * (1 - row["mae_modele"] / row["mae_mediane_taille"])
        row["couverture_pct"] = float(100 * np.mean(np.concatenate(covered)))
        row["largeur"] = float(np.mean(np.concatenate(width)))
        rows.append(row)
    return pd.DataFrame(rows).set_index("indicator")


def reference_baselines(df: pd.DataFrame, refs: pd.DataFrame) -> dict[str, float]:
    """MAE of network yield predicted by the published references (no fitting): the latest national
    year, the région and the service's département (the 2008–2019 aggregates of ``dsp_finance``)."""
    y = pd.to_numeric(df["network_yield"], errors="coerce")
    nat = refs[refs["scope"] == "national"].sort_values("year")["value"].iloc[-1]
    reg = refs[(refs["scope"] == "région") & (refs["area"] == "Pays de la Loire")]["value"].iloc[0]
    dep = df["territory"].map(refs[refs["scope"] == "département"].set_index("area")["value"])
    ok = y.notna() & dep.notna()
    return {"services": int(ok.sum()), "mae_reference_nationale": float((y[ok] - nat).abs().mean()),
            "mae_reference_regionale": float((y[ok] - reg).abs().mean()),
            "mae_reference_departementale": float((y[ok] - dep[ok]).abs().mean())}


def markdown(table: pd.DataFrame) -> str:
    head = ("| indicateur | services | MAE modèle | MAE médiane globale | MAE médiane même taille | gain vs globale | "
            "gain vs taille | couverture 80 % | largeur |\n|---|---|---|---|---|---|---|---|---|\n")
    body = "".join(
        f"| `{i}` | {int(r.services)} | {r.mae_modele:.3f} | {r.mae_mediane_globale:.3f} | {r.mae_mediane_taille:.3f} | "
        f"{r.gain_vs_globale_pct:+.1f} % | {r.gain_vs_taille_pct:+.1f} % | {r.couverture_pct:.1f} % | {r.largeur:.3f} |\n"
        for i, r in table.iterrows())
    return head + body


def markdown_references(ref: dict[str, float], model_mae: float) -> str:
    return ("| attendu du rendement (`network_yield`) | MAE (points) |\n|---|---|\n"
            f"| référence nationale (dernière année, 2019) | {ref['mae_reference_nationale']:.3f} |\n"
            f"| référence régionale (Pays de la Loire) | {ref['mae_reference_regionale']:.3f} |\n"
            f"| référence départementale | {ref['mae_reference_departementale']:.3f} |\n"
            f"| modèle ajusté (validation croisée) | {model_mae:.3f} |\n")


def load_result(path: Path = RESULT_FILE) -> tuple[pd.DataFrame, dict[str, float]]:
    saved = json.loads(path.read_text(encoding="utf-8"))
    return pd.DataFrame(saved["indicators"]).set_index("indicator"), saved["references"]


if __name__ == "__main__":  # pragma: no cover - manual report
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[2].parent / "shared" / "data"
    services = load_services(data)
    result = evaluate(services)
    refs = reference_baselines(services, load_references(data))
    print(markdown(result))
    print(markdown_references(refs, result.loc["network_yield", "mae_modele"]))
    RESULT_FILE.write_text(json.dumps({
        "indicators": result.round(4).reset_index().to_dict(orient="records"),
        "references": {k: round(v, 4) for k, v in refs.items()},
    }, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
