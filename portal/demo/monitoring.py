"""Demo monitoring: real reference and current batches for one piloted and one deployed use case.

Everything goes through ``MonitoringService`` as the use cases' project leads would do it, so the
demo shows the real path: configuration, reference, checks (drift, new categories), outcomes,
alerts, an alert acknowledged and closed, and a suspension proposed after repeated alerts on the
deployed use case (left for a human to decide). Sources: ``files/SOURCE.md``.
"""

from __future__ import annotations

import importlib.resources
import io
from typing import TYPE_CHECKING

import pandas as pd

from policies.vocabulary import Principal
from portal.services.schemas import UseCaseView

if TYPE_CHECKING:
    from portal.services import Services

PILOT_TITLE = "Fréquentation des pistes cyclables et des équipements"
DEPLOYED_TITLE = "Routage automatique des demandes des usagers vers le bon service"

BIKE_BATCHES = (("velos_juillet_2012.csv", "Comptages de juillet 2012"),
                ("velos_aout_2012.csv", "Comptages d'août 2012"))
REQUEST_BATCHES = (("demandes_2023_s1.csv", "Demandes du 1er semestre 2023", "2023 S1"),
                   ("demandes_2023_s2.csv", "Demandes du 2d semestre 2023", "2023 S2"),
                   ("demandes_2024.csv", "Demandes de 2024", "2024"))
REQUEST_COLUMNS = {"activite": "categorical", "canal": "categorical", "heure": "numerical",
                   "unite": "categorical"}


def demo_file(name: str) -> bytes:
    return importlib.resources.files("portal.demo").joinpath("files", name).read_bytes()


def _frame(name: str) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(demo_file(name)), sep=";", dtype={"heure": float})


def _case(services: Services, title: str) -> UseCaseView | None:
    return next((uc for uc in services.register.list() if uc.title == title), None)


def routing_outcomes(reference: pd.DataFrame, batches: list[tuple[pd.DataFrame, str]]) -> pd.DataFrame:
    """Predictions of a plain routing rule learned on the reference (the unit most often chosen
    for each activity, else the most frequent unit) against the unit really chosen."""
    fallback = reference["unite"].mode().iloc[0]
    rule = reference.groupby("activite")["unite"].agg(lambda s: s.mode().iloc[0])
    frames = []
    for frame, period in batches:
        predicted = frame["activite"].map(rule).fillna(fallback)
        frames.append(pd.DataFrame({"period": period, "actual": frame["unite"], "prediction": predicted,
                                    "overridden": predicted != frame["unite"], "canal": frame["canal"]}))
    return pd.concat(frames, ignore_index=True)


def seed_monitoring(services: Services, leads: dict[str, Principal], *, html_report: bool = True) -> dict[str, int]:
    """Configure and run the demo checks. ``leads`` maps a use case title to its project lead."""
    mon = services.monitoring
    counts = {"monitoring_runs": 0, "monitoring_alerts": 0}

    pilot = _case(services, PILOT_TITLE)
    if pilot is not None and pilot.title in leads:
        lead = leads[pilot.title]
        mon.configure(lead, pilot.id, {
            "columns": {"site": "categorical", "count": "numerical"}, "critical_columns": [],
            "cadence_days": 30,
        })
        mon.upload_reference(lead, pilot.id, demo_file("velos_reference_mai_juin_2012.csv"),
                             "velos_reference_mai_juin_2012.csv")
        for name, label in BIKE_BATCHES:
            res = mon.run_check(lead, pilot.id, demo_file(name), filename=name, label=label,
                                html_report=html_report)
            counts["monitoring_runs"] += 1
            counts["monitoring_alerts"] += len(res.alerts)
            if name == "velos_juillet_2012.csv":
                for alert in res.alerts:
                    done = mon.acknowledge_alert(lead, alert.id, alert.version,
                                                 "Pic de fréquentation estival attendu (vacances) : "
                                                 "pas d'action sur le modèle.")
                    mon.close_alert(lead, alert.id, done.version, "Vérifié sur le mois d'août : retour dans la norme.")

    deployed = _case(services, DEPLOYED_TITLE)
    if deployed is not None and deployed.title in leads:
        lead = leads[deployed.title]
        mon.configure(lead, deployed.id, {
            "columns": REQUEST_COLUMNS, "critical_columns": ["activite"], "cadence_days": 90,
            "min_metrics": {"accuracy": 0.8}, "suspension_runs": 3,
        })
        reference = _frame("demandes_reference_2022.csv")
        mon.upload_reference(lead, deployed.id, demo_file("demandes_reference_2022.csv"),
                             "demandes_reference_2022.csv")
        batches = []
        for name, label, period in REQUEST_BATCHES:
            res = mon.run_check(lead, deployed.id, demo_file(name), filename=name, label=label,
                                html_report=html_report)
            counts["monitoring_runs"] += 1
            counts["monitoring_alerts"] += len(res.alerts)
            batches.append((_frame(name), period))
        outcome_alerts = mon.record_outcomes(lead, deployed.id, routing_outcomes(reference, batches),
                                             label="Routage constaté 2023–2024", kind="classification")
        counts["monitoring_alerts"] += len(outcome_alerts)
    return counts
