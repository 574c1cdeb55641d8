"""The analysis service, assembled from its parts (one file each)."""

from __future__ import annotations

from portal.services.analysis.comparison import ComparisonMixin


class AnalysisService(ComparisonMixin):
    """Bind a use case to a module, run it, store, reopen, compare, and mark monitoring's reference."""
