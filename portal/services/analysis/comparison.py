"""Two runs of a use case compared: parameters, metrics and tables row by row."""

from __future__ import annotations

from typing import Any

import pandas as pd

from portal.services.analysis.runs import RunsMixin
from portal.services.analysis.storage import (
    param_choices,
    param_labels,
)
from portal.services.analysis.views import (
    Comparison,
    TableDiff,
)
from usecases import registry


class ComparisonMixin(RunsMixin):
    def compare(self, run_a: int, run_b: int) -> Comparison:
        a, b = self.open_run(run_a), self.open_run(run_b)
        labels = a.run.metric_labels | b.run.metric_labels
        keys = list(dict.fromkeys([*a.run.metrics, *b.run.metrics]))
        metrics = pd.DataFrame([{
            "Clé": k,
            "Indicateur": labels.get(k, k),
            "A": (va := a.run.metrics.get(k)),
            "B": (vb := b.run.metrics.get(k)),
            "Écart": vb - va if va is not None and vb is not None else None,
        } for k in keys], columns=["Clé", "Indicateur", "A", "B", "Écart"])
        pkeys = list(dict.fromkeys([*a.run.params, *b.run.params]))
        try:
            module = registry.get(b.run.module_key)
            plabels = param_labels(module)
            choices = {k: param_choices(module, k) or {} for k in module.params_model.model_fields}
        except registry.UnknownModule:
            plabels, choices = {}, {}

        def shown(k: str, v: Any) -> str:
            return choices.get(k, {}).get(str(v), str(v).replace(".", ",") if isinstance(v, float) else str(v))

        params = pd.DataFrame([{"Paramètre": plabels.get(k, k), "A": shown(k, a.run.params.get(k)),
                                "B": shown(k, b.run.params.get(k))}
                               for k in pkeys if a.run.params.get(k) != b.run.params.get(k)],
                              columns=["Paramètre", "A", "B"])
        titles = a.run.table_labels | b.run.table_labels
        tables = [_table_diff(name, titles.get(name, name), a.tables.get(name), b.tables.get(name))
                  for name in dict.fromkeys([*a.tables, *b.tables])]
        return Comparison(a.run, b.run, a.run.input_fingerprint == b.run.input_fingerprint, params, metrics, tables)


def _table_diff(name: str, title: str, a: pd.DataFrame | None, b: pd.DataFrame | None) -> TableDiff:
    a = a if a is not None else pd.DataFrame()
    b = b if b is not None else pd.DataFrame()
    if list(a.columns) != list(b.columns):
        return TableDiff(name, title, len(a), len(b), len(a), len(b), True, pd.DataFrame())

    def canon(df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy()
        for col in out.columns:
            if pd.api.types.is_float_dtype(out[col]):
                out[col] = out[col].round(9)
        return out.astype(str)

    cols = list(a.columns)
    ca, cb = canon(a), canon(b)
    ca["_row_a"], cb["_row_b"] = range(len(a)), range(len(b))
    merged = ca.merge(cb, on=cols, how="outer", indicator="_side")
    left = merged.loc[merged["_side"] == "left_only", "_row_a"].astype(int).tolist()
    right = merged.loc[merged["_side"] == "right_only", "_row_b"].astype(int).tolist()
    rows = pd.concat([a.iloc[left].assign(Présence="seulement A"), b.iloc[right].assign(Présence="seulement B")],
                     ignore_index=True)
    rows = rows[["Présence", *cols]].head(200) if len(rows) else pd.DataFrame(columns=["Présence", *cols])
    return TableDiff(name, title, len(a), len(b), len(left), len(right), False, rows)
