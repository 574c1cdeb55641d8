"""Drift and outcome computations on DataFrames; pure (no Streamlit, SQLAlchemy or portal).

* ``monitoring.drift``: ``DriftConfig``, ``compute_drift``, ``evidently_html_report``
* ``monitoring.outcomes``: metrics per period, override rate, KPI status, territorial gaps
* ``monitoring.alerts``: ``AlertSpec`` rules, ``thresholds_for_level``, ``propose_suspension``
* ``monitoring.bench``: ``drift_benchmark`` (used by ``vigie bench``)

Evidently is imported only by ``monitoring._evidently``, lazily.
"""
