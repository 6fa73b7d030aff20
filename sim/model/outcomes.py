"""Daily outcome series and the per-run summary, in tidy form.

The recorder keeps one preallocated numpy array per series (cheap to fill every day) and turns
them into a pandas table at the end: one row per day, one column per outcome. The summary is
one flat mapping per run, which the experiment layer stores as one Parquet row.
"""

from __future__ import annotations

from collections.abc import Sequence
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
    "palestinians_killed": "civilians and fighters killed, as the health ministry counts "
    "[deaths/day]",
    "line_fire_deaths": "people killed by IDF fire along the yellow line [deaths/day]",
    "collapse_hazard": "probability that the ceasefire collapses that day (0 once collapsed) "
    "[probability/day]",
    "force_cover": "share of residents where the force holds ground, times its density over the "
    "contested density [0-1]",
    "contingents_holding": "contingents holding (not deploying) under a failed condition or a "
    "suspension [count]",
    "events_fired": "dated events fired that day, ultimatums expiring unmet included [count]",
}


RECORDED_BY_MODEL = (
    "ceasefire_status",
    "isf_troops",
    "police_officers",
    "contributors_withdrawn",
    "isf_sectors",
    "idf_held_share",
    "secure_population_share",
    "fighters",
    "weapons_remaining",
    "weapons_decommissioned",
    "aid_delivered_trucks",
    "aid_delivered_share",
    "reconstruction_share",
    "legitimacy",
    "grievance",
    "active_share",
    "hamas_compliance",
    "collapse_hazard",
    "force_cover",
    "contingents_holding",
    "events_fired",
)
"""The daily series the full model fills besides the day's violence
(:attr:`sim.model.violence.DayViolence.RECORDED`), in the order it records them."""


@dataclass
class DailyRecorder:
    """Preallocated daily series for one run."""

    horizon_days: int
    dimensions: list[str] = field(default_factory=list)
    series: dict[str, np.ndarray] = field(init=False)

    def __post_init__(self) -> None:
        names = [
            *DAILY_SERIES,
            *(f"forecast_{d}" for d in self.dimensions),
            *(f"deal_{d}" for d in self.dimensions),
        ]
        # One (series, day) table; each series is a row of it (a view).
        self.table = np.zeros((len(names), self.horizon_days))
        self.series = dict(zip(names, self.table, strict=True))
        self._row = {name: row for row, name in enumerate(names)}

    def record(self, day: int, values: dict[str, float]) -> None:
        """Store the values of ``day`` (unknown names are a programming error)."""
        for name, value in values.items():
            self.series[name][day] = value

    def rows(self, names: list[str]) -> np.ndarray:
        """Row numbers of ``names`` in :attr:`table`, for :meth:`record_rows`."""
        return np.array([self._row[name] for name in names], dtype=np.intp)

    def record_rows(self, day: int, rows: np.ndarray, values: Sequence[float] | np.ndarray) -> None:
        """Store ``values`` of ``day`` in the given rows (one write instead of one per name)."""
        self.table[rows, day] = values

    def frame(self) -> pd.DataFrame:
        """One row per day."""
        table = pd.DataFrame(self.table.T, columns=list(self.series))
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
        "idf_held_share_mean": float(daily["idf_held_share"].mean()),
        "mean_isf_troops": float(daily["isf_troops"].mean()),
        "palestinians_killed": float(daily["palestinians_killed"].sum()),
        "line_fire_deaths": float(daily["line_fire_deaths"].sum()),
        "killed_per_day_holding": _per_day_before(daily["palestinians_killed"], collapse_day),
        "civilian_deaths_per_day_holding": _per_day_before(daily["civilian_deaths"], collapse_day),
        "collapse_risk": 1.0 - float(np.prod(1.0 - daily["collapse_hazard"].to_numpy())),
        "collapse_hazard_per_year": 365.0 * _per_day_before(daily["collapse_hazard"], collapse_day),
        "fighters_mean": float(daily["fighters"].mean()),
        "force_cover_mean": float(daily["force_cover"].mean()),
        "events_fired": float(daily["events_fired"].sum()),
    }
    for column in daily.columns:
        # forecast_<dim> is NaN on days without a deal (a state, not a number: deal_<dim> is 0)
        if column.startswith(("forecast_", "deal_")):
            summary[f"{column}_final"] = float(last[column])
    return summary


def _per_day_before(series: pd.Series, collapse_day: int | None) -> float:
    """Mean per day while the ceasefire held (before the collapse day, all days if none)."""
    held = series if collapse_day is None else series.iloc[:collapse_day]
    return float(held.mean()) if len(held) else float("nan")
