from __future__ import annotations

import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(42)


def make_frame(
    rng: np.random.Generator, n: int, *, shift: float = 0.0, cats=("a", "b", "c", "d")
) -> pd.DataFrame:
    weights = np.linspace(1, 2, len(cats))
    return pd.DataFrame(
        {
            "age": rng.normal(40 + shift * 10, 10, n),
            "income": rng.lognormal(10 + shift, 0.5, n),
            "district": rng.choice(list(cats), n, p=weights / weights.sum()),
        }
    )


COLUMNS = {"age": "numerical", "income": "numerical", "district": "categorical"}
