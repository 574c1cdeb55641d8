"""CUAD (master_clauses.csv) as documents and labelled clauses, for training and validation only."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

FILE = Path("contracts") / "cuad_master_clauses.csv"
_OMITTED = re.compile(r"\s*<omitted>\s*")


@dataclass(frozen=True)
class Corpus:
    types: list[str]
    #: one row per contract: ``document``, ``text`` (its annotated passages, joined)
    documents: pd.DataFrame
    #: one row per (contract, passage): ``document``, ``text`` and one 0/1 column per type
    clauses: pd.DataFrame
    #: contract x type presence (0/1), index = document
    labels: pd.DataFrame


def types_of(frame: pd.DataFrame) -> list[str]:
    return [c for c in frame.columns if c != "Filename" and not c.endswith("-Answer")]


def clean(passage: str) -> str:
    return _OMITTED.sub(" … ", passage).strip()


def load(data_dir: Path) -> Corpus:
    raw = pd.read_csv(Path(data_dir) / FILE, dtype=str, keep_default_na=False)
    types = types_of(raw)
    docs, rows, labels = [], [], []
    for _, r in raw.iterrows():
        name = r["Filename"]
        passages: dict[str, set[str]] = {}
        order: list[str] = []
        present = {}
        for t in types:
            found = [clean(p) for p in ast.literal_eval(r[t] or "[]") if clean(p)]
            present[t] = int(bool(found))
            for p in found:
                if p not in passages:
                    passages[p] = set()
                    order.append(p)
                passages[p].add(t)
        for p in order:
            rows.append({"document": name, "text": p, **{t: int(t in passages[p]) for t in types}})
        # passages as separate paragraphs would make segmentation trivial: one space, like a flat PDF
        docs.append({"document": name, "text": " ".join(order)})
        labels.append({"document": name, **present})
    return Corpus(types, pd.DataFrame(docs), pd.DataFrame(rows),
                  pd.DataFrame(labels).set_index("document"))
