"""Peer-group anomaly detection on energy intensities (per m²).

* intensity of each measure = measure / floor area, compared on a log scale;
* robust z-score per measure within the facility type (median, MAD × 1.4826); types with fewer
  than ``min_peers`` facilities are compared with all facilities;
* an IsolationForest (seeded) over the robust z-scores of all measures (missing → 0) catches
  unusual combinations; a facility is flagged when one |z| exceeds ``z_threshold`` or the forest
  puts it in its ``contamination`` share.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.ensemble import IsolationForest

#: measure column → (French label, unit of the intensity, factor applied to measure / m²)
MEASURES: dict[str, tuple[str, str, float]] = {
    "electricity_kwh": ("Électricité", "kWh/m²", 1.0),
    "gas_gj": ("Gaz naturel", "MJ/m²", 1000.0),
    "site_energy_gj": ("Énergie totale du site", "MJ/m²", 1000.0),
    "ghg_t": ("Émissions de GES", "kgCO2e/m²", 1000.0),
}
MAD_SCALE = 1.4826


def intensities(df: pd.DataFrame) -> pd.DataFrame:
    """Intensity per m² for every present measure (NaN when missing, zero or no floor area)."""
    area = df["floor_area"].where(df["floor_area"] > 0)
    out = pd.DataFrame(index=df.index)
    for col, (_, _, factor) in MEASURES.items():
        if col in df:
            out[col] = (df[col].where(df[col] > 0) / area) * factor
    return out


def robust_z(values: pd.Series, groups: pd.Series, min_peers: int) -> tuple[pd.Series, pd.Series, pd.Series]:
    """Robust z of log values within groups (global when a group is small); also peer median and group used."""
    logv = np.log(values)
    counts = logv.groupby(groups).transform("count")
    peer = groups.where(counts >= min_peers, "__all__")
    med = logv.groupby(peer).transform("median")
    mad = (logv - med).abs().groupby(peer).transform("median") * MAD_SCALE
    global_mad = float((logv - logv.median()).abs().median() * MAD_SCALE) or 1.0
    mad = mad.where(mad > 0, global_mad)
    z = (logv - med) / mad
    return z, np.exp(med), peer


def global_z(values: pd.Series) -> pd.Series:
    """Baseline: classic z-score of log values over all facilities, no peer groups."""
    logv = np.log(values)
    return (logv - logv.mean()) / logv.std(ddof=0)


def score(df: pd.DataFrame, min_peers: int = 8, z_threshold: float = 3.5,
          contamination: float = 0.03, seed: int = 0) -> pd.DataFrame:
    """Per facility: z per measure, peer medians, forest score, flag and the worst measure."""
    groups = df["facility_type"].fillna("(non renseigné)").astype(str)
    inten = intensities(df)
    out = pd.DataFrame(index=df.index)
    for col in inten.columns:
        if inten[col].notna().sum() == 0:
            continue
        z, med, peer = robust_z(inten[col], groups, min_peers)
        out[f"z_{col}"] = z
        out[f"median_{col}"] = med
        out[f"value_{col}"] = inten[col]
        out[f"peer_{col}"] = peer
    zcols = [c for c in out.columns if c.startswith("z_")]
    zmat = out[zcols].fillna(0.0).to_numpy()
    if len(out) >= 10 and zcols:
        forest = IsolationForest(n_estimators=200, contamination=contamination, random_state=seed)
        forest.fit(zmat)
        out["forest_score"] = -forest.score_samples(zmat)
        out["forest_flag"] = forest.predict(zmat) == -1
    else:
        out["forest_score"] = 0.0
        out["forest_flag"] = False
    absz = out[zcols].abs()
    out["max_abs_z"] = absz.max(axis=1)
    out["worst"] = absz.fillna(-1).idxmax(axis=1).str.removeprefix("z_").where(out["max_abs_z"].notna())
    out["z_flag"] = out["max_abs_z"] > z_threshold
    out["flag"] = out["z_flag"] | out["forest_flag"]
    return out
