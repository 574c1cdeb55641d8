"""The « sur vos données » self-check of the risk ranking: a backtest on the user's own files.

The run trains on the years up to an earlier origin, ranks the assets then in service and counts how
many of those that failed afterwards fall in the top share, against the two simple rankings (most
past failures first, oldest first). When the model does not beat the past-failures ranking, the run
falls back to it; when only the age ranking beats it, the run warns. Pure formatting and decision.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from policies import french

MOST_FAILURES = "le classement par nombre de casses passées"
OLDEST = "le classement par âge (plus ancien d'abord)"


@dataclass(frozen=True)
class RankingCheck:
    """Recalls (%) in the top ``share_pct`` at ``origin`` for the failures of ``origin+1 .. origin+horizon``."""

    model: float
    most_failures: float
    oldest: float
    failing_assets: int
    origin: int
    horizon: int
    share_pct: float

    @property
    def available(self) -> bool:
        return self.failing_assets > 0 and all(math.isfinite(x) for x in (self.model, self.most_failures, self.oldest))

    @property
    def use_model(self) -> bool:
        """The model's ranking is kept unless the past-failures ranking does strictly better."""
        return not self.available or self.model >= self.most_failures

    @property
    def oldest_better(self) -> bool:
        return self.available and self.oldest > max(self.model, self.most_failures)

    def _period(self) -> str:
        return f"{self.origin + 1}–{self.origin + self.horizon}"

    def sentence(self) -> str:
        share = french.percent(self.share_pct, 0)
        if not self.available:
            return ("Sur vos données, le classement n'a pas pu être rétro-testé (historique trop court ou aucune casse "
                    "sur la période de contrôle) : sa qualité n'est pas vérifiée.")
        cases = french.count(self.failing_assets, "tronçon cassé", "tronçons cassés")
        setup = (f"(rétro-test : modèle appris sur les casses jusqu'en {self.origin}, {cases} en {self._period()})")
        if self.use_model:
            text = (f"Sur vos données, ce classement retrouve {french.percent(self.model, 0)} des tronçons cassés ensuite dans "
                    f"les {share} premiers, contre {french.percent(self.most_failures, 0)} pour {MOST_FAILURES} et "
                    f"{french.percent(self.oldest, 0)} pour {OLDEST} {setup}.")
        else:
            text = (f"Sur vos données, le modèle ne fait pas mieux que {MOST_FAILURES} : il retrouve "
                    f"{french.percent(self.model, 0)} des tronçons cassés ensuite dans les {share} premiers, contre "
                    f"{french.percent(self.most_failures, 0)} pour ce classement et {french.percent(self.oldest, 0)} pour {OLDEST} "
                    f"{setup}. Le classement et le programme affichés reposent donc sur les casses passées "
                    "(rythme de casse observé de chaque tronçon reconduit ; à égalité, le plus ancien d'abord).")
        if self.oldest_better:
            text += (f" Attention : sur vos données, {OLDEST} fait mieux ({french.percent(self.oldest, 0)}) ; "
                     "vérifiez les dates de pose et l'historique des casses avant d'utiliser ce classement.")
        return text

