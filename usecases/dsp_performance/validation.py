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
        err = {"modele": [], "mediane_globale": [], "mediane_taille": []}
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
        row = {"indicator": ind.column, "services": len(idx)}
        for k, v in err.items():
            row[f"mae_{k}"] = float(np.mean(np.concatenate(v)))
        row["gain_vs_globale_pct"] = 100 * (1 - row["mae_modele"] / row["mae_mediane_globale"])
        row["gain_vs_taille_pct"] = 100 * (1 - row["mae_modele"] / row["mae_mediane_taille"])
        row["couverture_pct"] = float(100 * np.mean(np.concatenate(covered)))
        row["largeur"] = float(np.mean(np.concatenate(width)))
        rows.append(row)
    return pd.DataFrame(rows).set_index("indicator")


def markdown(table: pd.DataFrame) -> str:
    head = ("| indicateur | services | MAE modèle | MAE médiane globale | MAE médiane même taille | gain vs globale | "
            "gain vs taille | couverture 80 % | largeur |\n|---|---|---|---|---|---|---|---|---|\n")
    body = "".join(
        f"| `{i}` | {int(r.services)} | {r.mae_modele:.3f} | {r.mae_mediane_globale:.3f} | {r.mae_mediane_taille:.3f} | "
        f"{r.gain_vs_globale_pct:+.1f} % | {r.gain_vs_taille_pct:+.1f} % | {r.couverture_pct:.1f} % | {r.largeur:.3f} |\n"
        for i, r in table.iterrows())
    return head + body


if __name__ == "__main__":  # pragma: no cover - manual report
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[2].parent / "shared" / "data"
    result = evaluate(load_services(data))
    print(markdown(result))
    RESULT_FILE.write_text(json.dumps(result.round(4).reset_index().to_dict(orient="records"), ensure_ascii=False,
                                      indent=1) + "\n", encoding="utf-8")
