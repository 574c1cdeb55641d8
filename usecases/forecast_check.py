"""Shared wording for forecasting modules: the « sur vos données » self-check.

Every forecasting module backtests itself on the user's own file and says, in its output and on the
page, how its error compares with the naive forecast; it falls back to the naive forecast when it
does not beat it. This module only formats; the backtests live in each module.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

from policies import french


@dataclass(frozen=True)
class SelfCheck:
    """Outcome of a module's backtest on the user's own data, at the horizon asked for."""

    model_error: float  # e.g. WAPE or MASE of the model on the user's data
    naive_error: float  # same measure for the naive forecast
    metric: str  # short name of the measure, e.g. « WAPE »
    naive_label: str  # « la reconduction de la dernière valeur »
    horizon_label: str  # « à 10 ans »
    n_forecasts: int  # number of forecasts scored
    coverage: float = float("nan")  # % of observed values inside the interval
    level: float = 0.8

    @property
    def available(self) -> bool:
        return self.n_forecasts > 0 and math.isfinite(self.model_error) and math.isfinite(self.naive_error)

    @property
    def gain_pct(self) -> float:
        """Relative error reduction against the naive forecast (positive: the model is better)."""
        if not self.available or self.naive_error <= 0:
            return float("nan")
        return 100 * (1 - self.model_error / self.naive_error)

    @property
    def use_model(self) -> bool:
        """The model is kept only when it beats the naive forecast on the user's data."""
        return self.available and self.model_error < self.naive_error

    def sentence(self) -> str:
        if not self.available:
            return (f"Sur vos données, l'historique est trop court pour rétro-tester la prévision {self.horizon_label} : "
                    f"sa qualité n'a pas pu être vérifiée ; la prévision affichée est celle du modèle.")
        figures = (f"{self.metric} {french.number(self.model_error, 2 if self.metric == 'MASE' else 1)}"
                   f"{'' if self.metric == 'MASE' else french.NBSP + '%'} contre "
                   f"{french.number(self.naive_error, 2 if self.metric == 'MASE' else 1)}"
                   f"{'' if self.metric == 'MASE' else french.NBSP + '%'}, "
                   f"{french.count(self.n_forecasts, 'prévision rétro-testée', 'prévisions rétro-testées')}")
        if self.use_model:
            return (f"Sur vos données, {self.horizon_label}, cette prévision fait {french.percent(self.gain_pct)} d'erreur de "
                    f"moins que {self.naive_label} ({figures}).")
        return (f"Sur vos données, {self.horizon_label}, le modèle ne fait pas mieux que {self.naive_label} "
                f"({figures}) : la prévision affichée est donc {self.naive_label}.")

    def coverage_sentence(self) -> str:
        if not math.isfinite(self.coverage):
            return ""
        return (f"Intervalles vérifiés sur vos données : {french.percent(self.coverage)} des valeurs observées tombent dans "
                f"l'intervalle à {french.percent(100 * self.level, 0)} (attendu : {french.percent(100 * self.level, 0)}).")


def later_option(args: list[str]) -> tuple[list[str], Path | None]:
    """A validation script's ``--later PATH`` (later data, scored once and never tuned on), taken out of
    its command-line arguments."""
    if "--later" not in args:
        return args, None
    i = args.index("--later")
    return args[:i] + args[i + 2:], Path(args[i + 1])
