"""Time-based validation of request routing on real French data, against the simplest baselines.

Two sets (``../shared/data/citizen_routing/``, see its SOURCE.txt):

- ``paris``: 1,341 winning projects of the Paris participatory budget (editions 2014-2022): project title ->
  pilot directorate of the city. Learn on the editions up to 2019, test on the latest editions (2021 and
  2022, 124 projects); a second split learns up to 2021 and tests on 2022 alone (62 projects).
- ``an``: 1,308 written questions of the National Assembly (July-September 2022): title and question ->
  ministry questioned. Learn on the questions asked before 1 September, test on September's.

The module runs as a user would run it: one file, the history with its service and the test rows with
the service emptied; its threshold is chosen inside the run on the latest part of the HISTORY only (the
test period is never used to tune anything). Two variants: text only, and text plus the category columns
(Paris: the project's theme and arrondissement; AN: none - the rubric is chosen with the ministry's answer).

Baselines, in the same script: ``majoritaire`` (the most frequent service of the history, confidence = its
share) and ``tfidf_car_lr`` (plain character TF-IDF, 2-5-grams, with a logistic regression, text only).

Measured on the test period: accuracy; share routed and precision with the module's own threshold (the
module only); share routed and precision at probability >= 0.5; ``couverture_a_90`` = the largest share
that can be routed at >= 0.90 precision when the threshold is read on the test period itself (an upper
bound for every method, to compare them on the same footing).

``python -m usecases.request_routing.validation ../shared/data`` prints the table and writes
``validation.json`` (checked by the tests).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from usecases.request_routing.model import choose_threshold, precision_curve
from usecases.request_routing.module import RequestRouting, RequestRoutingParams

PACKAGE = Path(__file__).parent
PARIS_FILE = Path("citizen_routing", "paris_budget_participatif_laureats.csv")
AN_FILE = Path("citizen_routing", "an_questions_ecrites_2022.csv")
AN_CUTOFF = pd.Timestamp("2022-09-01")


def load_paris(data_dir: Path) -> pd.DataFrame:
    raw = pd.read_csv(Path(data_dir, PARIS_FILE), dtype=str)
    df = pd.DataFrame({"id": "BP-" + raw["identifiant_projet_gagnant"].fillna("").astype(str)
                       + "-" + pd.Series(range(len(raw))).astype(str),
                       "text": raw["titre_projet_gagnant"].fillna("").str.strip(),
                       "service": raw["direction_pilote_projet"].fillna("").str.strip(),
                       "thematique": raw["thematique"].fillna(""),
                       "arrondissement": raw["arrondissement_projet_gagnant"].fillna(""),
                       "edition": pd.to_numeric(raw["edition"], errors="coerce")})
    df = df[(df["text"] != "") & (df["service"] != "") & df["edition"].notna()]
    return df.sort_values("edition", kind="stable").reset_index(drop=True)


def load_an(data_dir: Path) -> pd.DataFrame:
    raw = pd.read_csv(Path(data_dir, AN_FILE), dtype=str)
    df = pd.DataFrame({"id": "AN-" + pd.Series(range(len(raw))).astype(str),
                       "text": (raw["titre"].fillna("") + ". " + raw["question"].fillna("")).str.strip(),
                       "service": raw["ministère_interrogé"].fillna("").str.strip(),
                       "date": pd.to_datetime(raw["date"], format="%d/%m/%Y")})
    df = df[(df["text"].str.len() > 20) & (df["service"] != "")]
    return df.sort_values("date", kind="stable").reset_index(drop=True)


def _figures(truth: np.ndarray, predicted: np.ndarray, confidence: np.ndarray) -> dict[str, float | None]:
    correct = predicted == truth
    at_half = confidence >= 0.5
    curve = precision_curve(confidence, correct)
    _, cov90, _ = choose_threshold(curve, 0.90)
    return {"exactitude": round(float(correct.mean()), 3),
            "routees_p05": round(float(at_half.mean()), 3),
            "precision_p05": round(float(correct[at_half].mean()), 3) if at_half.any() else None,
            "couverture_a_90": round(cov90, 3)}


def majority(history: pd.DataFrame, test: pd.DataFrame) -> dict[str, float | None]:
    shares = history["service"].value_counts(normalize=True)
    top = str(shares.index[0])
    return _figures(test["service"].to_numpy(), np.full(len(test), top, dtype=object),
                    np.full(len(test), float(shares.iloc[0])))


def plain_char_lr(history: pd.DataFrame, test: pd.DataFrame) -> dict[str, float | None]:
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, max_features=50_000)
    model = LogisticRegression(max_iter=2000).fit(vec.fit_transform(history["text"]), history["service"])
    proba = model.predict_proba(vec.transform(test["text"]))
    return _figures(test["service"].to_numpy(), model.classes_[proba.argmax(axis=1)], proba.max(axis=1))


def module_run(history: pd.DataFrame, test: pd.DataFrame, use_categories: bool) -> dict[str, float | None]:
    frame = pd.concat([history, test.assign(service="")], ignore_index=True)
    frame = frame.astype({c: "string" for c in frame.columns if c not in ("edition", "date")})
    started = time.perf_counter()
    result = RequestRouting().run({"requests": frame}, RequestRoutingParams(use_categories=use_categories))
    seconds = time.perf_counter() - started
    routing = result.tables["routing"].set_index("id").loc[test["id"]]
    truth = test["service"].to_numpy()
    out = _figures(truth, routing["predicted_service"].to_numpy(), routing["confidence"].to_numpy(dtype=float))
    routed = routing["routed"].to_numpy(dtype=bool)
    correct = routing["predicted_service"].to_numpy() == truth
    m = result.metrics
    out.update({"seuil": round(float(m["seuil_confiance"]), 3),
                "routees_seuil": round(float(routed.mean()), 3),
                "precision_seuil": round(float(correct[routed].mean()), 3) if routed.any() else None,
                "historique_couverture": round(float(m["validation_couverture_pct"]) / 100, 3),
                "historique_precision": round(float(m["validation_precision_pct"]) / 100, 3),
                "secondes": round(seconds, 1)})
    return out


def evaluate_split(history: pd.DataFrame, test: pd.DataFrame, with_categories: bool) -> dict[str, Any]:
    out: dict[str, Any] = {"historique": len(history), "test": len(test),
                              "services": int(history["service"].nunique())}
    out["majoritaire"] = majority(history, test)
    out["tfidf_car_lr"] = plain_char_lr(history, test)
    out["module_texte"] = module_run(history, test, use_categories=False)
    if with_categories:
        out["module_categories"] = module_run(history, test, use_categories=True)
    return out


def evaluate(data_dir: Path) -> dict[str, Any]:
    paris = load_paris(data_dir)
    an = load_an(data_dir)
    return {
        "paris_2021_2022": evaluate_split(paris[paris["edition"] <= 2019], paris[paris["edition"] >= 2021], True),
        "paris_2022": evaluate_split(paris[paris["edition"] <= 2021], paris[paris["edition"] == 2022], True),
        "an_septembre": evaluate_split(an[an["date"] < AN_CUTOFF].drop(columns=[]), an[an["date"] >= AN_CUTOFF],
                                       False),
    }


SPLITS = {"paris_2021_2022": "Paris, éditions 2021-2022 (appris jusqu'à 2019)",
          "paris_2022": "Paris, édition 2022 (appris jusqu'à 2021)",
          "an_septembre": "Questions écrites AN, septembre 2022 (appris juillet-août)"}
METHODS = {"majoritaire": "classe majoritaire", "tfidf_car_lr": "TF-IDF caractères + régression logistique",
           "module_texte": "module, texte seul", "module_categories": "module, texte + catégories"}


def _p(x: float | None) -> str:
    return "—" if x is None else f"{x * 100:.1f}".replace(".", ",") + " %"


def table(report: dict[str, Any]) -> str:
    lines = ["| test | méthode | exactitude | routées au seuil du module (précision) | routées à p ≥ 0,5 (précision) "
             "| couverture à ≥ 90 % de précision (seuil lu sur le test) |",
             "| --- | --- | --- | --- | --- | --- |"]
    for split, split_label in SPLITS.items():
        r = report[split]
        for method, label in METHODS.items():
            if method not in r:
                continue
            f = r[method]
            at_threshold = (f"{_p(f['routees_seuil'])} ({_p(f['precision_seuil'])})" if "seuil" in f else "—")
            lines.append(f"| {split_label} ({r['test']}) | {label} | {_p(f['exactitude'])} | {at_threshold} | "
                         f"{_p(f['routees_p05'])} ({_p(f['precision_p05'])}) | {_p(f['couverture_a_90'])} |")
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - manual report
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else PACKAGE.parents[1].parent / "shared" / "data"
    report = evaluate(data)
    (PACKAGE / "validation.json").write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(table(report))
    for split in SPLITS:
        for method in ("module_texte", "module_categories"):
            f = report[split].get(method)
            if f:
                print(split, method, "seuil", f["seuil"], "sur l'historique récent : couverture",
                      f["historique_couverture"], "précision", f["historique_precision"], f"({f['secondes']} s)")
