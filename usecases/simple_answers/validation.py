"""Does the nearest earlier text deal with the same subject? National Assembly written questions, 2022.

No public FAQ comes with real questions labelled by the entry that answers them. The closest real
test: 1,308 written questions of the National Assembly (July-September 2022), each with its
ministry and its rubric (172 subjects, e.g. « animaux », « enseignement »). A question asked later
plays the resident's question, the questions asked before it play the FAQ.

Time-based: the vocabulary and weights of the matcher are fitted on the questions of July only;
every question from 1 August on is a query, and its candidates are all the questions with an earlier
date. Measured: precision at 1 (the nearest earlier question has the same rubric) and at 3 (share of
the three nearest with the same rubric), against
- ``hasard``: a random earlier question (expected value, computed exactly);
- ``meme_ministere``: a random earlier question addressed to the same ministry (expected value) —
  a strong reference, since it uses the ministry the matcher never sees;
- ``tfidf_brut``: the same TF-IDF without French normalisation (no accent folding, stemming nor
  character n-grams).
Also: with the module's default thresholds, the share of queries that would get a draft and the
precision at 1 among them.

``python -m usecases.simple_answers.validation ../shared/data`` prints the table and writes
``validation.json`` (checked by the tests).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from usecases.simple_answers.match import Matcher
from usecases.simple_answers.module import SimpleAnswersParams

AN_FILE = Path("citizen_routing", "an_questions_ecrites_2022.csv")
CUTOFF = pd.Timestamp("2022-08-01")
PACKAGE = Path(__file__).parent
#: a nearest earlier question this close is a near copy (the same text sent by another MP)
NEAR_DUPLICATE = 0.8
#: the test recomputes the module's figures on the queries of the first days of August only
CHECK_UNTIL = pd.Timestamp("2022-08-03")


def load_questions(data_dir: Path) -> pd.DataFrame:
    raw = pd.read_csv(Path(data_dir, AN_FILE), dtype=str)
    df = pd.DataFrame({
        "date": pd.to_datetime(raw["date"], format="%d/%m/%Y"),
        "ministry": raw["ministère_interrogé"].fillna(""),
        "rubric": raw["rubrique"].fillna(""),
        "text": (raw["titre"].fillna("") + ". " + raw["question"].fillna("")).str.strip(),
    })
    df = df[(df["text"].str.len() > 20) & (df["rubric"] != "")]
    return df.sort_values("date", kind="stable").reset_index(drop=True)


def evaluate(df: pd.DataFrame, cutoff: pd.Timestamp = CUTOFF, limit: int | None = None,
             methods: tuple[str, ...] = ("module", "tfidf_brut")) -> dict[str, Any]:
    fit_on = df.loc[df["date"] < cutoff, "text"].tolist()
    queries = np.flatnonzero((df["date"] >= cutoff).to_numpy())
    if limit is not None:
        queries = queries[:limit]
    rubric = df["rubric"].to_numpy()
    ministry = df["ministry"].to_numpy()
    dates = df["date"].to_numpy()
    params = SimpleAnswersParams()
    out: dict[str, Any] = {"fit_questions": len(fit_on), "queries": len(queries),
                              "first_query_date": str(df["date"].iloc[queries[0]].date()) if len(queries) else ""}
    hits: dict[str, np.ndarray] = {}
    for name, normalise in (("module", True), ("tfidf_brut", False)):
        if name not in methods:
            continue
        matcher = Matcher(normalise=normalise).fit(fit_on)
        vec = matcher.vectors(df["text"].tolist())
        sim = Matcher.similarity(vec[queries], vec)
        p1, p3, drafted, drafted_ok, near = [], [], 0, 0, []
        for row, q in enumerate(queries):
            earlier = np.flatnonzero(dates < dates[q])
            s = sim[row, earlier]
            order = earlier[np.argsort(-s, kind="stable")]
            same = rubric[order[:3]] == rubric[q]
            p1.append(float(same[0]))
            p3.append(float(same.mean()))
            if name == "module":
                top = np.sort(s)[::-1]
                near.append(top[0] >= NEAR_DUPLICATE)
                if top[0] >= params.min_similarity and top[0] - top[1] >= params.min_margin:
                    drafted += 1
                    drafted_ok += int(same[0])
        out[name] = {"p_at_1": round(100 * float(np.mean(p1)), 1), "p_at_3": round(100 * float(np.mean(p3)), 1)}
        hits[name] = np.array(p1)
        if name == "module":
            out["with_default_thresholds"] = {
                "drafted_pct": round(100 * drafted / len(queries), 1),
                "p_at_1_when_drafted": round(100 * drafted_ok / drafted, 1) if drafted else None,
            }
            keep = ~np.array(near, dtype=bool)
            out["near_duplicates"] = {
                "pct": round(100 * float(np.mean(near)), 1),
                "p_at_1_without": round(100 * float(np.mean(np.array(p1)[keep])), 1) if keep.any() else None,
            }
    if len(hits) == 2:
        diff = hits["module"] - hits["tfidf_brut"]
        rng = np.random.default_rng(0)
        boots = np.array([diff[rng.integers(0, len(diff), len(diff))].mean() for _ in range(2000)]) * 100
        out["gap_vs_raw_p_at_1"] = {"points": round(float(diff.mean() * 100), 1),
                                    "ic95_bas": round(float(np.percentile(boots, 2.5)), 1),
                                    "ic95_haut": round(float(np.percentile(boots, 97.5)), 1)}
    rand, mini = [], []
    for q in queries:
        earlier = dates < dates[q]
        rand.append(float((rubric[earlier] == rubric[q]).mean()))
        pool = earlier & (ministry == ministry[q])
        mini.append(float((rubric[pool] == rubric[q]).mean()) if pool.any() else rand[-1])
    # for a random pick, precision at 1 and at 3 have the same expectation
    out["hasard"] = {"p_at_1": round(100 * float(np.mean(rand)), 1), "p_at_3": round(100 * float(np.mean(rand)), 1)}
    out["meme_ministere"] = {"p_at_1": round(100 * float(np.mean(mini)), 1),
                             "p_at_3": round(100 * float(np.mean(mini)), 1)}
    return out


LABELS = {"module": "module (TF-IDF normalisé, mots + caractères)", "tfidf_brut": "TF-IDF sans normalisation",
          "meme_ministere": "question au même ministère, au hasard", "hasard": "question antérieure au hasard"}


def _pct(x: float) -> str:
    return f"{x:.1f}".replace(".", ",") + " %"


def table(report: dict[str, Any]) -> str:
    lines = ["| méthode | précision à 1 | précision à 3 |", "| --- | --- | --- |"]
    for key, label in LABELS.items():
        r = report[key]
        lines.append(f"| {label} | {_pct(r['p_at_1'])} | {_pct(r['p_at_3'])} |")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - manual report
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else PACKAGE.parents[1].parent / "shared" / "data"
    frame = load_questions(data)
    report = evaluate(frame)
    report["check_until"] = str(CHECK_UNTIL.date())
    report["check"] = evaluate(frame[frame["date"] < CHECK_UNTIL], methods=("module",))
    (PACKAGE / "validation.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{len(frame)} questions ; apprentissage sur {report['fit_questions']} (juillet), "
          f"{report['queries']} requêtes à partir du {report['first_query_date']}")
    print(table(report))
    print("seuils par défaut :", report["with_default_thresholds"])
    print("quasi-copies :", report["near_duplicates"])
    print("écart de précision à 1 avec le TF-IDF brut (IC 95 %, bootstrap apparié) :", report["gap_vs_raw_p_at_1"])
