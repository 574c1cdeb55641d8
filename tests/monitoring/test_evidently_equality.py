"""Vigie's fast path must give Evidently's scores (to 1e-4) for every pinned method."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from monitoring.drift import DriftConfig, compute_drift, evidently_html_report


def random_pair(seed: int, n_ref: int, n_cur: int) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, str]]:
    rng = np.random.default_rng(seed)

    def side(n: int, shifted: bool) -> pd.DataFrame:
        s = 0.3 if shifted else 0.0
        frame = pd.DataFrame(
            {
                "normal": rng.normal(s, 1 + s, n),
                "skewed": rng.lognormal(1 + s, 0.8, n),
                "counts": rng.poisson(3 + 4 * s, n),  # few distinct values: JS/PSI use frequencies
                "wide_int": rng.integers(0, 1000 + int(500 * s), n),
                "commune": rng.choice(["Arles", "Bram", "Céret", "Dax"] + (["Eze"] if shifted else []), n),
                "code": rng.integers(0, 8 if shifted else 6, n),
                "flag": rng.choice([True, False], n, p=[0.3 + s, 0.7 - s]),
            }
        )
        frame.loc[rng.random(n) < 0.1, "normal"] = np.nan
        frame.loc[rng.random(n) < 0.2, "commune"] = None
        frame.loc[frame.index[:2], "skewed"] = np.inf
        return frame

    kinds = {
        "normal": "numerical",
        "skewed": "numerical",
        "counts": "numerical",
        "wide_int": "numerical",
        "commune": "categorical",
        "code": "categorical",
        "flag": "categorical",
    }
    return side(n_ref, False), side(n_cur, True), kinds


CONFIGS = {
    "wasserstein+js": DriftConfig(),
    "js everywhere": DriftConfig(numerical_method="jensenshannon"),
    "psi everywhere": DriftConfig(numerical_method="psi", categorical_method="psi"),
}


@pytest.mark.parametrize("seed,n_ref,n_cur", [(0, 300, 200), (1, 1500, 2500), (2, 6000, 4000)])
def test_scores_equal_evidently(seed, n_ref, n_cur):
    ref, cur, kinds = random_pair(seed, n_ref, n_cur)
    for name, config in CONFIGS.items():
        fast = compute_drift(ref, cur, kinds, config)
        slow = compute_drift(ref, cur, kinds, config, engine="evidently")
        for f, e in zip(fast.columns, slow.columns, strict=True):
            assert f.computable and e.computable, (name, f.column)
            assert f.method == e.method
            assert f.score == pytest.approx(e.score, abs=1e-4), (name, f.column)
            assert f.drifted == e.drifted
        assert fast.share_drifted == slow.share_drifted


def test_evidently_html_report_skips_empty_columns():
    ref, cur, kinds = random_pair(3, 400, 400)
    cur["normal"] = np.nan
    html = evidently_html_report(ref, cur, kinds)
    assert html.lstrip().lower().startswith("<html") or "<html" in html[:500].lower()
    assert len(html) > 100_000
    assert "Wasserstein" in html or "wasserstein" in html
