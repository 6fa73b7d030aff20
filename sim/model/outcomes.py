"""Daily outcome series and the per-run summary, in tidy form.

The recorder keeps one preallocated numpy array per series (cheap to fill every day) and turns
them into a pandas table at the end: one row per day, one column per outcome. The summary is
one flat mapping per run, which the experiment layer stores as one Parquet row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

DAILY_SERIES: dict[str, str] = {
    "ceasefire_status": "0 holding, 1 strained, 2 collapsed",
    "incidents": "attacks and reprisals that day [incidents/day]",
    "attacks_on_isf": "attacks on the force [attacks/day]",
    "attacks_on_police": "attacks on the police [attacks/day]",
    "attacks_on_idf": "attacks on the IDF [attacks/day]",
    "attacks_on_rivals": "clashes between armed groups [attacks/day]",
    "reprisals": "reprisals against alleged collaborators [events/day]",
    "strikes": "IDF strikes [strikes/day]",
    "civilian_deaths": "civilians killed [deaths/day]",
    "isf_deaths": "force deaths [deaths/day]",
    "police_deaths": "police deaths [deaths/day]",
    "idf_deaths": "IDF deaths [deaths/day]",
    "isf_troops": "force troops in Gaza [troops]",
    "police_officers": "police deployed [officers]",
    "contributors_withdrawn": "contributors that have decided to leave [count]",
    "isf_sectors": "governorates handed to the force [count]",
    "idf_held_share": "share of the Strip's area held by the IDF [fraction]",
    "secure_population_share": "share of residents in secure cells [fraction]",
    "fighters": "armed-group fighters [fighters]",
    "weapons_remaining": "weapons still held by armed groups [weapons]",
    "weapons_decommissioned": "weapons handed in or seized, cumulative [weapons]",
    "aid_delivered_trucks": "truckloads reaching people [trucks/day]",
    "aid_delivered_share": "aid delivered against need [fraction]",
    "reconstruction_share": "share of initial damage repaired [fraction]",
    "legitimacy": "population-weighted legitimacy of whoever secures each cell [0-1]",
    "grievance": "population-weighted grievance [0-1]",
    "active_share": "share of residents openly rebelling (Epstein actives) [fraction]",
    "hamas_compliance": "Hamas's position on disarmament, rescaled [0-1]",
}


@dataclass
class DailyRecorder:
    """Preallocated daily series for one run."""

    horizon_days: int
    dimensions: list[str] = field(default_factory=list)
    series: dict[str, np.ndarray] = field(init=False)

    def __post_init__(self) -> None:
        names = [*DAILY_SERIES, *(f"forecast_{d}" for d in self.dimensions)]
        self.series = {name: np.zeros(self.horizon_days) for name in names}

    def record(self, day: int, values: dict[str, float]) -> None:
        """Store the values of ``day`` (unknown names are a programming error)."""
        for name, value in values.items():
            self.series[name][day] = value

    def frame(self) -> pd.DataFrame:
        """One row per day."""
        table = pd.DataFrame(self.series)
        table.insert(0, "day", np.arange(self.horizon_days))
        return table


def summarise(daily: pd.DataFrame, collapse_day: int | None, horizon: int) -> dict[str, Any]:
    """Per-run summary of the daily table.

    ``days_to_collapse`` is censored at the horizon (see ``ceasefire_collapsed``), the form the
    survival curves need.
    """
    last = daily.iloc[-1]
    initial_weapons = float(
        daily["weapons_remaining"].iloc[0] + daily["weapons_decommissioned"].iloc[0]
    )
    summary: dict[str, Any] = {
        "ceasefire_collapsed": collapse_day is not None,
        "days_to_collapse": float(collapse_day if collapse_day is not None else horizon),
        "incidents": float(daily["incidents"].sum()),
        "civilian_deaths": float(daily["civilian_deaths"].sum()),
        "isf_deaths": float(daily["isf_deaths"].sum()),
        "police_deaths": float(daily["police_deaths"].sum()),
        "idf_deaths": float(daily["idf_deaths"].sum()),
        "contributors_withdrawn": float(last["contributors_withdrawn"]),
        "peak_isf_troops": float(daily["isf_troops"].max()),
        "final_police_officers": float(last["police_officers"]),
        "secure_population_share_final": float(last["secure_population_share"]),
        "secure_population_share_mean": float(daily["secure_population_share"].mean()),
        "weapons_decommissioned_share": float(last["weapons_decommissioned"])
        / max(initial_weapons, 1.0),
        "aid_delivered_share_mean": float(daily["aid_delivered_share"].mean()),
        "reconstruction_share_final": float(last["reconstruction_share"]),
        "legitimacy_mean": float(daily["legitimacy"].mean()),
        "grievance_mean": float(daily["grievance"].mean()),
        "idf_held_share_final": float(last["idf_held_share"]),
    }
    for column in daily.columns:
        if column.startswith("forecast_"):
            summary[f"{column}_final"] = float(last[column])
    return summary
