"""One-step-ahead forecast error of the damped robust trend vs the last value, on the latest years.

``backtest`` is pure; loaders reshape the two shared files into the module's long format.
README figures: ``python -m usecases.municipal_accounts.validation ../shared/data``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from usecases.municipal_accounts import flags

REGION_LINES = (
    "charges de personnel", "achats et charges externes", "charges financières",
    "total des charges de fonctionnement = b", "total des produits de fonctionnement = a",
    "impôts locaux", "dotation globale de fonctionnement", "dépenses d'équipement",
    "encours des dettes bancaires et assimilées", "subventions reçues", "capacité d'autofinancement = caf",
)


def load_ofgl(data_dir: Path) -> pd.DataFrame:
    """10 largest cities 2017–2024: entity, year, line, amount, population (amount / € per inhabitant)."""
    d = pd.read_csv(Path(data_dir, "municipal_accounts", "ofgl_10_grandes_villes_2017_2024.csv"), dtype={"code_insee": str})
    pop = (d["montant_eur"] / d["eur_par_habitant"]).where(d["eur_par_habitant"].abs() > 0)
    d["population"] = pop.groupby([d["commune"], d["annee"]]).transform("median").round()
    out = d.rename(columns={"commune": "entity", "annee": "year", "agregat_libelle": "line", "montant_eur": "amount"})
    return out[["entity", "year", "line", "amount", "population"]]


def load_regions(data_dir: Path) -> pd.DataFrame:
    """26 regions 2008–2015, a selection of lines, names taken from the COG code's latest spelling."""
    r = pd.read_csv(Path(data_dir, "municipal_accounts", "regions_comptes_2008_2015.csv"))
    code = "cog (code officiel géographique)"
    names = r.sort_values("année").groupby(code)["nom"].last()
    long = r.melt(id_vars=["année", code, "population"], value_vars=list(REGION_LINES), var_name="line", value_name="amount")
    long["entity"] = long[code].map(names).str.replace("REGIONION", "REGION")
    long = long.rename(columns={"année": "year"})
    return long[["entity", "year", "line", "amount", "population"]].dropna(subset=["amount"])


def backtest(long: pd.DataFrame, last_years: int = 3, damping: float = flags.DAMPING) -> pd.DataFrame:
    """Errors of trend and last-value forecasts for each of the ``last_years`` latest years."""
    rows = []
    years = sorted(long["year"].unique())
    for target in years[-last_years:]:
        for (entity, line), g in long[long["year"] <= target].groupby(["entity", "line"]):
            g = g.sort_values("year")
            if g["year"].iloc[-1] != target or len(g) < flags.MIN_HISTORY + 1:
                continue
            hist, actual = g["amount"].to_numpy(dtype=float)[:-1], float(g["amount"].iloc[-1])
            rows.append({"target": int(target), "entity": entity, "line": line, "actual": actual,
                         "tendance": flags.one_step(hist, damping), "derniere_valeur": hist[-1]})
    return pd.DataFrame(rows)


def scores(bt: pd.DataFrame) -> pd.DataFrame:
    """MdAPE, MAPE (|actual| > 0) and WAPE per method."""
    out = {}
    ok = bt["actual"].abs() > 0
    for m in ("tendance", "derniere_valeur"):
        err = (bt.loc[ok, m] - bt.loc[ok, "actual"]).abs()
        ape = err / bt.loc[ok, "actual"].abs()
        out[m] = {"mape": float(ape.mean() * 100), "mdape": float(ape.median() * 100),
                  "wape": float(err.sum() / bt.loc[ok, "actual"].abs().sum() * 100), "n": float(ok.sum())}
    return pd.DataFrame(out).T


if __name__ == "__main__":  # pragma: no cover - manual report
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parents[2].parent / "shared" / "data"
    for name, long in (("ofgl", load_ofgl(data)), ("regions", load_regions(data))):
        for damping in (0.0, 0.5, 1.0):
            print(name, "damping", damping)
            print(scores(backtest(long, damping=damping)).round(2).to_string())
    np.seterr(all="ignore")
