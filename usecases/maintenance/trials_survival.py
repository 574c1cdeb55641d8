"""Third campaign of trials (December 2026): survival models, count GLMs by cohort, a two-part ranking.

Same protocol as ``trials``: tuning origins 2005–2008 only (failures up to 2013), origins 1999 .. O−1
with label windows cut at O, measure = failing assets found in the top 10 % at O. The test origin
(2013) is never scored here. Run ``python -m usecases.maintenance.trials_survival /path/to/shared/data``
(``lifelines`` needed for the survival trials: ``pip install lifelines``; a few minutes of one core).

Adoption rule, fixed before any run: a trial is adopted only if its mean over 2005–2008 beats the
shipped model's by at least 1 point (3 assets per origin) and it is better at 3 of the 4 origins.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import statsmodels.api as sm

from usecases.maintenance import model
from usecases.maintenance import trials as t1
from usecases.maintenance import validation as val

ORIGINS = t1.ORIGINS
FIRST = t1.FIRST_TRAIN_ORIGIN
#: The figures of the last run, read by the README's table of this campaign (and its test).
RESULT_FILE = Path(__file__).with_name("trials_survival.json")
#: Adoption rule fixed before the run: mean gain over the shipped model, and origins where it is better.
MIN_MEAN_GAIN, MIN_ORIGINS_BETTER = 1.0, 3
REFERENCE = "référence C (modèle livré)"


def first_failure_after(data_dir: Path) -> dict[int, pd.Series]:
    """Per origin: years from the end of the origin to each asset's first later failure (NaN if none)."""
    _a, f = val.prepared(*val.load_kitchener(data_dir))
    out = {}
    for o in range(FIRST, max(ORIGINS) + 1):
        later = f[f["year"] >= o + 1]
        out[o] = later.groupby("asset_id")["year"].min() - (o + 1)
    return out


def _period(install_year: pd.Series) -> pd.Series:
    return (install_year.clip(1940, 2000) // 10 * 10).astype(int).astype(str)


def _design_matrix(X: pd.DataFrame, materials: list[str], cohorts: list[str] | None = None) -> pd.DataFrame:
    """Numeric covariates for the survival models and GLMs (material and cohort as dummies)."""
    out = pd.DataFrame(index=X.index)
    out["log_age"] = np.log(X["age"].clip(lower=1))
    out["log_diam"] = np.log(X["diameter_mm"].fillna(150).clip(lower=25))
    out["log_len"] = X["log_length"]
    out["log_n_all"] = np.log1p(X["n_all"])
    out["log_n_3"] = np.log1p(X["n_3"])
    out["any_1"] = (X["n_1"] > 0).astype(float)
    out["ever"] = (X["n_all"] > 0).astype(float)
    out["log_since"] = np.where(X["n_all"] > 0, np.log(X["years_since_last"].clip(lower=0.1, upper=30)), 0.0)
    out["log_rate"] = np.log1p(X["rate_per_km_year"])
    out["inst"] = (X["install_year"].fillna(1970) - 1970) / 10
    mat = X["material"].fillna(-1).astype(int)
    for i, m in enumerate(materials[1:], start=1):
        out[f"m_{m}"] = (mat == i).astype(float)
    if cohorts is not None:
        key = X["material"].fillna(-1).astype(int).astype(str) + "|" + _period(X["install_year"].fillna(1970))
        for c in cohorts[1:]:
            out[f"c_{c}"] = (key == c).astype(float)
    return out


def _cohorts(F: dict[int, pd.DataFrame], at: int, min_rows: int = 300) -> list[str]:
    X = pd.concat([F[o] for o in range(FIRST, at)])
    key = X["material"].fillna(-1).astype(int).astype(str) + "|" + _period(X["install_year"].fillna(1970))
    counts = key.value_counts()
    return sorted(counts[counts >= min_rows].index)


def _stack(F, Y, T, at, materials, cohorts=None):
    Xs, counts, wins, dur, event = [], [], [], [], []
    for o in range(FIRST, at):
        win = min(5, at - o)
        Xs.append(_design_matrix(F[o], materials, cohorts))
        counts.append(Y[o][win])
        wins.append(np.full(len(F[o]), float(win)))
        first = T[o].reindex(F[o].index).to_numpy()
        hit = np.nan_to_num(first, nan=np.inf) < win
        dur.append(np.where(hit, np.clip(first, 0.02, None), win))
        event.append(hit.astype(float))
    return (pd.concat(Xs, ignore_index=True), np.concatenate(counts), np.concatenate(wins),
            np.concatenate(dur), np.concatenate(event))


def survival_scores(F, Y, T, at, kind: str, materials) -> pd.Series:
    """Risk of a first failure within five years from a Cox or Weibull AFT model (higher = riskier)."""
    from lifelines import CoxPHFitter, WeibullAFTFitter

    X, _, _, dur, event = _stack(F, Y, T, at, materials)
    keep = [c for c in X.columns if X[c].std() > 0]
    df = X[keep].assign(T=dur, E=event)
    Xat = _design_matrix(F[at], materials)[keep]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if kind == "cox":
            fitted = CoxPHFitter(penalizer=0.01).fit(df, "T", "E")
            s = fitted.predict_partial_hazard(Xat).to_numpy()
        else:
            fitted = WeibullAFTFitter(penalizer=0.01).fit(df, "T", "E")
            s = 1 - fitted.predict_survival_function(Xat, times=[5.0]).to_numpy().ravel()
    return pd.Series(np.asarray(s, dtype=float), index=F[at].index)


def glm_scores(F, Y, at, materials, family: str = "poisson", offset_length: bool = True) -> pd.Series:
    """Expected failures over five years from a count GLM with material × decade-of-laying cohorts.

    With ``offset_length`` the count is proportional to the length (failures per km × length).
    """
    cohorts = _cohorts(F, at)
    X, counts, wins, _, _ = _stack(F, Y, {o: pd.Series(dtype=float) for o in F}, at, materials, cohorts)
    keep = [c for c in X.columns if X[c].std() > 0]
    km = np.exp(X["log_len"]) / 1000
    offset = np.log(wins) + (np.log(km.clip(lower=0.001)) if offset_length else 0)
    cols = [c for c in keep if not (offset_length and c == "log_len")]
    fam = sm.families.Poisson() if family == "poisson" else sm.families.NegativeBinomial(alpha=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = sm.GLM(counts, sm.add_constant(X[cols]), family=fam, offset=offset).fit(maxiter=100)
    Xat = _design_matrix(F[at], materials, cohorts).reindex(columns=X.columns, fill_value=0.0)
    km_at = np.exp(Xat["log_len"]) / 1000
    off_at = np.log(5.0) + (np.log(km_at.clip(lower=0.001)) if offset_length else 0)
    eta = sm.add_constant(Xat[cols], has_constant="add").to_numpy() @ np.asarray(res.params) + off_at
    return pd.Series(np.exp(eta), index=F[at].index)


def allocation_share(scores: pd.Series, ever: pd.Series, failed: pd.Series, share: float = 0.1) -> tuple[float, float]:
    """Best share of the top places given to assets with past failures, and the recall it reaches (%)."""
    k = round(share * len(scores))
    pos = scores[ever].sort_values(ascending=False, kind="stable")
    neg = scores[~ever].sort_values(ascending=False, kind="stable")
    hit_p = np.concatenate([[0], np.cumsum(failed.reindex(pos.index).to_numpy())])
    hit_n = np.concatenate([[0], np.cumsum(failed.reindex(neg.index).to_numpy())])
    best, best_kp = -1.0, 0
    for kp in range(max(0, k - len(neg)), min(k, len(pos)) + 1):
        found = hit_p[kp] + hit_n[k - kp]
        if found > best:
            best, best_kp = found, kp
    return best_kp / k, 100 * best / failed.sum()


def two_part(scores: pd.Series, ever: pd.Series, share_pos: float, share: float = 0.1) -> pd.Series:
    """Ranking that gives ``share_pos`` of the top places to the best assets with past failures."""
    k = round(share * len(scores))
    kp = min(round(share_pos * k), int(ever.sum()))
    pos = scores[ever].sort_values(ascending=False, kind="stable").index[:kp]
    neg = scores[~ever].sort_values(ascending=False, kind="stable").index[: k - kp]
    out = scores.rank(pct=True)
    out[pos] += 2
    out[neg] += 2
    return out


def _rank_mix(a: pd.Series, b: pd.Series, w: float) -> pd.Series:
    return (1 - w) * a.rank(pct=True) + w * b.rank(pct=True)


def _gb(F, Y, at, rows=None) -> pd.Series:
    """The shipped model (trials' ``_predict`` with C), optionally on a subset of training rows."""
    return t1._predict(F, Y, at, t1.BASE) if rows is None else _gb_subset(F, Y, at, rows)


def _gb_subset(F, Y, at, ever_only: bool) -> pd.Series:
    sub = {o: F[o][(F[o]["n_all"] > 0) == ever_only] for o in F}
    sub_y = {o: {h: Y[o][h][((F[o]["n_all"] > 0) == ever_only).to_numpy()] for h in Y[o]} for o in Y}
    return t1._predict(sub, sub_y, at, t1.BASE)


def run(data_dir: Path) -> dict[str, list[float]]:
    F, Y = t1.extra_features(data_dir)
    T = first_failure_after(data_dir)
    a, _ = val.prepared(*val.load_kitchener(data_dir))
    materials = model.material_vocabulary(a)
    out: dict[str, list[float]] = {}

    def note(name: str, value: float) -> None:
        out.setdefault(name, []).append(value)

    for at in ORIGINS:
        failed = pd.Series(Y[at][5] > 0, index=F[at].index)
        ever = F[at]["n_all"] > 0
        gb = _gb(F, Y, at)
        note("référence C (modèle livré)", t1._recall(F, Y, at, gb))
        cox = survival_scores(F, Y, T, at, "cox", materials)
        wei = survival_scores(F, Y, T, at, "weibull", materials)
        glm_p = glm_scores(F, Y, at, materials, "poisson")
        glm_nb = glm_scores(F, Y, at, materials, "nb")
        glm_free = glm_scores(F, Y, at, materials, "poisson", offset_length=False)
        for name, s in (("Cox (lifelines)", cox), ("Weibull AFT (lifelines)", wei),
                        ("GLM Poisson, cohortes, par km × longueur", glm_p),
                        ("GLM binomial négatif, cohortes, par km × longueur", glm_nb),
                        ("GLM Poisson, cohortes, longueur libre", glm_free)):
            note(name, t1._recall(F, Y, at, s))
            for w in (0.3, 0.5):
                note(f"rangs : C + {name} (poids {w:.1f})".replace(".", ","), t1._recall(F, Y, at, _rank_mix(gb, s, w)))
        sep = pd.concat([_gb_subset(F, Y, at, True), _gb_subset(F, Y, at, False)]).reindex(F[at].index)
        note("deux modèles C (avec / sans casse passée) fusionnés par casses attendues", t1._recall(F, Y, at, sep))
        note("deux parts : répartition des places fixée sur l'origine O−5", _learned_two_part(F, Y, at, gb, ever))
        kp, best = allocation_share(gb, ever, failed)
        note("diagnostic : répartition idéale a posteriori (non utilisable)", best)
        note("diagnostic : part des places aux tronçons déjà cassés, modèle livré (%)",
             100 * float(ever.reindex(gb.sort_values(ascending=False).index[:round(0.1 * len(gb))]).mean()))
        note("diagnostic : part idéale a posteriori (%)", 100 * kp)
        for name in out:
            if len(out[name]) == ORIGINS.index(at) + 1:
                print(f"{at} {name}: {out[name][-1]:.1f}", flush=True)
    for name, v in out.items():
        print(f"{name}: {' '.join(f'{x:.1f}' for x in v)} moyenne {np.mean(v):.2f}", flush=True)
    return out


def _learned_two_part(F, Y, at, gb: pd.Series, ever: pd.Series) -> float:
    """Share of top places for assets with past failures chosen where it can be known: origin O−5."""
    c = at - 5
    sc = t1._predict(F, Y, c, t1.BASE)
    kp, _ = allocation_share(sc, F[c]["n_all"] > 0, pd.Series(Y[c][5] > 0, index=F[c].index))
    return t1._recall(F, Y, at, two_part(gb, ever, kp))


def table(result: dict) -> str:
    """The README's table of this campaign (French decimals)."""
    head = " | ".join(str(o) for o in result["origins"])
    lines = [f"| essai | {head} | moyenne |", "| --- |" + " --- |" * (len(result["origins"]) + 1)]
    for name, t in result["trials"].items():
        cells = " | ".join(f"{x:.1f}" for x in t["per_origin"])
        lines.append(f"| {name} | {cells} | {t['mean']:.2f} |".replace(".", ","))
    return "\n".join(lines)


def adopted(trials: dict[str, dict]) -> list[str]:
    """Trials that pass the adoption rule against the shipped model (diagnostics excluded)."""
    ref = trials[REFERENCE]
    return [name for name, t in trials.items() if name != REFERENCE and not name.startswith("diagnostic")
            and t["mean"] >= ref["mean"] + MIN_MEAN_GAIN
            and sum(x > r for x, r in zip(t["per_origin"], ref["per_origin"], strict=True)) >= MIN_ORIGINS_BETTER]


if __name__ == "__main__":  # pragma: no cover - manual report
    res = run(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[2].parent / "shared" / "data")
    trials = {k: {"per_origin": [round(x, 1) for x in v], "mean": round(float(np.mean(v)), 2)} for k, v in res.items()}
    RESULT_FILE.write_text(json.dumps({"origins": list(ORIGINS), "trials": trials}, ensure_ascii=False, indent=2)
                           + "\n", encoding="utf-8")
    print("adoptés :", adopted(trials) or "aucun")
