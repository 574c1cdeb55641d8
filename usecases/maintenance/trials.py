"""Trials to beat the shipped risk model, on the tuning origins only (2005–2008, failures up to 2013).

Not part of the validation: a record of what was tried to reach the issue's 70 % aim, reproducible with
``python -m usecases.maintenance.trials /path/to/shared/data`` (about ten minutes of one core). Every
trial uses the same time-based design as ``module.backtest`` (origins 1999 .. O−1 with label windows cut
at O, weighted by their length) and the same measure (failing assets found in the top 10 % at O). The
test origin (2013) is never scored here. Two feature families read columns outside the module's
schema (road segment, breaks on mains no longer in the inventory): they are measured to know whether
such data would help, not shipped.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

from usecases.maintenance import model
from usecases.maintenance import validation as val

ORIGINS = (2005, 2006, 2007, 2008)
FIRST_TRAIN_ORIGIN = 1999
BASE = list(model.FEATURES)
C = dict(model.DEFAULT_HPARAMS)


def extra_features(data_dir: Path) -> tuple[dict[int, pd.DataFrame], dict[int, dict[int, np.ndarray]]]:
    """Per origin: the model's features plus the trial features; per origin and window: failure counts."""
    folder = Path(data_dir, "maintenance")
    mains = pd.read_csv(folder / "Water_Mains.csv", encoding="utf-8-sig", low_memory=False)
    breaks = pd.read_csv(folder / "Water_Main_Breaks.csv", encoding="utf-8-sig", low_memory=False)
    a, f = val.prepared(*val.load_kitchener(data_dir))
    a["seg"] = mains.set_index(mains["WATMAINID"].astype(str))["ROADSEGMENTID"].reindex(a.index).to_numpy()
    every = pd.DataFrame({"seg": breaks["ROADSEGMENTID"], "date": pd.to_datetime(breaks["INCIDENT_DATE"].str[:10]),
                          "matched": breaks["ASSETID"].astype("Int64").astype(str).isin(set(a.index))})
    every["year"] = every["date"].dt.year + (every["date"].dt.dayofyear - 1) / 366
    every = every[every["year"] >= val.HISTORY_START]
    f = f.assign(seg=f["asset_id"].map(a["seg"]))
    mats = model.material_vocabulary(a)
    seg_km = a.groupby("seg")["length_m"].sum() / 1000
    feats, labels = {}, {}
    for o in range(FIRST_TRAIN_ORIGIN, max(ORIGINS) + 1):
        X = model.features(a, f, o, float(val.HISTORY_START), mats)
        aa = a.loc[X.index]
        past = f[f["year"] < o + 1]
        X["seg_other"] = aa["seg"].map(past.groupby("seg").size()).fillna(0).to_numpy() - X["n_all"].to_numpy()
        recent = past[past["year"] >= o - 2].groupby("seg").size()
        X["seg_other_3"] = aa["seg"].map(recent).fillna(0).to_numpy() - X["n_3"].to_numpy()
        X["seg_other_per_km"] = X["seg_other"] / aa["seg"].map(seg_km).clip(lower=0.01).to_numpy()
        pb = every[every["year"] < o + 1]
        X["seg_all_breaks"] = aa["seg"].map(pb.groupby("seg").size()).fillna(0).to_numpy()
        X["seg_unmatched"] = aa["seg"].map(pb[~pb["matched"]].groupby("seg").size()).fillna(0).to_numpy()
        X["n_10"] = past[past["year"] >= o - 9].groupby("asset_id").size().reindex(X.index, fill_value=0).to_numpy()
        X["first_ago"] = (o + 1 - past.groupby("asset_id")["year"].min()).reindex(X.index).fillna(99).to_numpy()
        n, km = X["n_all"], aa["length_m"].clip(lower=1) / 1000
        exposure = np.minimum(X["age"], o + 1 - val.HISTORY_START).clip(lower=0.5)
        five = (aa["install_year"] // 5).astype(int).astype(str)
        dia = pd.cut(aa["diameter_mm"], [0, 125, 175, 250, 1e9], labels=False).fillna(-1).astype(int).astype(str)
        for name, key in (("coh_md", aa["material"] + "|" + five), ("coh_mdd", aa["material"] + "|" + five + "|" + dia)):
            g = pd.DataFrame({"k": key.to_numpy(), "n": n.to_numpy(), "kmy": (km * exposure).to_numpy(),
                              "any": (n > 0).to_numpy().astype(float)})
            s = g.groupby("k").agg(n=("n", "sum"), kmy=("kmy", "sum"), any=("any", "sum"), cnt=("any", "size"))
            prior = g["n"].sum() / g["kmy"].sum()
            X[name] = key.map((s["n"] + 5 * prior) / (s["kmy"] + 5)).to_numpy()
            X[name + "_any"] = key.map((s["any"] + 1) / (s["cnt"] + 20)).to_numpy()
        feats[o] = X
        labels[o] = {h: model.labels(X.index, f, o, h) for h in range(1, 6)}
    return feats, labels


def _rows(F, Y, at, cols, partial=True, binary=False, first=FIRST_TRAIN_ORIGIN, decay=0.0):
    Xs, ys, ws = [], [], []
    for o in range(first, at):
        win = min(5, at - o)
        if win < 5 and not partial:
            continue
        Xs.append(F[o][cols])
        ys.append((Y[o][win] > 0).astype(float) if binary else Y[o][win] / win)
        ws.append(np.full(len(F[o]), float(win) * np.exp(-decay * (at - o))))
    return pd.concat(Xs, ignore_index=True), np.concatenate(ys), np.concatenate(ws)


def _predict(F, Y, at, cols, hp=None, binary=False, **kw) -> pd.Series:
    hp = hp or C
    X, y, w = _rows(F, Y, at, cols, binary=binary, **kw)
    args = dict(categorical_features=[cols.index("material")], random_state=0, early_stopping=False,
                learning_rate=hp["learning_rate"], max_iter=int(hp["max_iter"]), max_leaf_nodes=int(hp["max_leaf_nodes"]),
                min_samples_leaf=int(hp["min_samples_leaf"]), l2_regularization=hp["l2_regularization"])
    with threadpool_limits(limits=1):
        if binary:
            s = HistGradientBoostingClassifier(**args).fit(X, y, sample_weight=w).predict_proba(F[at][cols])[:, 1]
        else:
            s = HistGradientBoostingRegressor(loss="poisson", **args).fit(X, y, sample_weight=w).predict(F[at][cols])
    return pd.Series(s, index=F[at].index)


def _recall(F, Y, at, scores: pd.Series) -> float:
    return 100 * model.recall_at(scores, pd.Series(Y[at][5] > 0, index=F[at].index), val.SHARE)


TRIALS: dict[str, dict] = {
    "référence C (modèle livré)": {},
    "pondération e^-0,05": {"decay": 0.05}, "pondération e^-0,1": {"decay": 0.1},
    "pondération e^-0,2": {"decay": 0.2}, "pondération e^-0,3": {"decay": 0.3},
    "origines depuis 2002": {"first": 2002}, "fenêtres complètes": {"partial": False},
    "binaire": {"binary": True}, "binaire + pondération e^-0,1": {"binary": True, "decay": 0.1},
    "lr 0,02, 500 arbres": {"hp": {**C, "learning_rate": 0.02, "max_iter": 500}},
    "3 feuilles, lr 0,05, 600 arbres": {"hp": {**C, "max_leaf_nodes": 3, "max_iter": 600, "learning_rate": 0.05}},
    "sans année de pose": {"cols": [c for c in BASE if c != "install_year"]},
    "sans taux par km": {"cols": [c for c in BASE if c != "rate_per_km_year"]},
    "+ casses sur 10 ans": {"cols": [*BASE, "n_10"]},
    "+ années depuis la première casse": {"cols": [*BASE, "first_ago"]},
    "+ tronçon de voirie (autres tronçons, 3 ans)": {"cols": [*BASE, "seg_other", "seg_other_3"]},
    "+ tronçon de voirie (par km)": {"cols": [*BASE, "seg_other", "seg_other_per_km"]},
    "+ tronçon de voirie, conduites remplacées comprises": {"cols": [*BASE, "seg_all_breaks", "seg_unmatched"]},
    "+ cohorte matériau × pose": {"cols": [*BASE, "coh_md", "coh_md_any"]},
    "+ cohorte matériau × pose × diamètre": {"cols": [*BASE, "coh_mdd", "coh_mdd_any"]},
}


def run(data_dir: Path) -> dict[str, list[float]]:
    F, Y = extra_features(data_dir)
    out: dict[str, list[float]] = {}
    for name, kw in TRIALS.items():
        kw = dict(kw)
        cols = kw.pop("cols", BASE)
        out[name] = [_recall(F, Y, at, _predict(F, Y, at, cols, **kw)) for at in ORIGINS]
        print(f"{name}: {' '.join(f'{x:.1f}' for x in out[name])} moyenne {np.mean(out[name]):.2f}", flush=True)
    for at in ORIGINS:
        P = {n: _predict(F, Y, at, BASE, hp) for n, hp in val.CANDIDATES.items()}
        P["Cbin"] = _predict(F, Y, at, BASE, binary=True)
        P["Crec"] = _predict(F, Y, at, BASE, decay=0.1)
        r2 = (F[at]["n_all"] - F[at]["install_year"] / 1e4).rank(pct=True)
        combos = {
            "ensemble géométrique A–E": sum(np.log(P[n].clip(lower=1e-9)) for n in "ABCDE"),
            "ensemble géométrique B–E": sum(np.log(P[n].clip(lower=1e-9)) for n in "BCDE"),
            "ensemble des rangs C + C binaire + C pondéré": sum(P[n].rank(pct=True) for n in ("C", "Cbin", "Crec")),
            "rang mélangé avec les casses passées (0,2)": 0.8 * P["C"].rank(pct=True) + 0.2 * r2,
        }
        for name, s in combos.items():
            out.setdefault(name, []).append(_recall(F, Y, at, s))
    for name in combos:
        print(f"{name}: {' '.join(f'{x:.1f}' for x in out[name])} moyenne {np.mean(out[name]):.2f}", flush=True)
    return out


if __name__ == "__main__":  # pragma: no cover - manual report
    run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[2].parent / "shared" / "data")
