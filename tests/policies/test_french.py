"""policies.french: the one formatter; a negative amount that rounds to zero never reads « -0 »."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from policies import french


@pytest.mark.parametrize("x", [-0.0, np.float64(-0.0), np.float32(-0.01), -0.04, -0.049999, -1e-300,
                               Decimal("-0.0"), Decimal("-0.04")])
def test_negative_zero_reads_zero_in_every_format(x):
    assert french.number(x, 1) == "0,0"
    assert french.number(x, 0) == "0"
    assert french.money(x) == "0 €"
    assert french.percent(x) == f"0,0{french.NBSP}%"
    assert french.points(x / 100) == "0,0 points"


def test_real_negatives_keep_their_sign_and_grouping():
    assert french.number(-0.05, 1) == "-0,1"
    assert french.number(-1234.56, 1) == f"-1{french.NNBSP}234,6"
    assert french.money(-1500) == f"-1{french.NNBSP}500 €"
    assert french.number(float("nan")) == french.MISSING
