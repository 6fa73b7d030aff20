"""The outcomes of a run: labels, units, and which direction is better.

The direction table drives the "probability of being better" in comparisons and the colours
of the report. Outcomes missing here (new model outputs, ``forecast_*`` positions) are shown
without a direction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

Better = Literal["lower", "higher"] | None


@dataclass(frozen=True)
class OutcomeInfo:
    """How to read one outcome."""

    name: str
    label: str
    unit: str
    better: Better


def _info(name: str, label: str, unit: str, better: Better) -> tuple[str, OutcomeInfo]:
    return name, OutcomeInfo(name, label, unit, better)


OUTCOMES: dict[str, OutcomeInfo] = dict(
    [
        _info("ceasefire_collapsed", "Ceasefire collapsed", "share of runs", "lower"),
        _info("days_to_collapse", "Days until collapse (censored)", "days", "higher"),
        _info("incidents", "Incidents", "incidents", "lower"),
        _info("civilian_deaths", "Civilian deaths", "deaths", "lower"),
        _info("isf_deaths", "Force deaths", "deaths", "lower"),
        _info("police_deaths", "Police deaths", "deaths", "lower"),
        _info("idf_deaths", "IDF deaths", "deaths", "lower"),
        _info("contributors_withdrawn", "Contributors withdrawn", "contributors", "lower"),
        _info("peak_isf_troops", "Peak force troops", "troops", "higher"),
        _info("final_police_officers", "Police at the end", "officers", "higher"),
        _info("secure_population_share_final", "Secure population at the end", "share", "higher"),
        _info("secure_population_share_mean", "Secure population (mean)", "share", "higher"),
        _info("weapons_decommissioned_share", "Weapons decommissioned", "share", "higher"),
        _info("aid_delivered_share_mean", "Aid delivered against need (mean)", "share", "higher"),
        _info("reconstruction_share_final", "Reconstruction at the end", "share", "higher"),
        _info("legitimacy_mean", "Legitimacy (mean)", "0-1", "higher"),
        _info("grievance_mean", "Grievance (mean)", "0-1", "lower"),
        _info("idf_held_share_final", "Area held by the IDF at the end", "share", "lower"),
        # issue 11: the violent ceasefire, force presence and events
        _info("idf_held_share_mean", "Area held by the IDF (mean)", "share", "lower"),
        _info("mean_isf_troops", "Force troops in Gaza (mean)", "troops", "higher"),
        _info(
            "palestinians_killed", "Palestinians killed (civilians and fighters)", "deaths", "lower"
        ),
        _info("line_fire_deaths", "Killed by IDF fire along the line", "deaths", "lower"),
        _info(
            "killed_per_day_holding",
            "Killed per day while the ceasefire held",
            "deaths/day",
            "lower",
        ),
        _info(
            "civilian_deaths_per_day_holding",
            "Civilian deaths per day while the ceasefire held",
            "deaths/day",
            "lower",
        ),
        _info(
            "collapse_risk",
            "Model's collapse risk up to collapse or horizon",
            "probability",
            "lower",
        ),
        _info(
            "collapse_hazard_per_year",
            "Collapse hazard while holding (mean, yearly)",
            "per year",
            "lower",
        ),
        _info("force_cover_mean", "Force cover of the population (mean)", "0-1", "higher"),
        _info("events_fired", "Dated events fired", "events", None),
        _info("fighters_mean", "Armed-group fighters (mean)", "fighters", "lower"),
    ]
)

HEADLINE_OUTCOMES = [
    "ceasefire_collapsed",
    "days_to_collapse",
    "civilian_deaths",
    "isf_deaths",
    "contributors_withdrawn",
    "secure_population_share_mean",
    "weapons_decommissioned_share",
    "aid_delivered_share_mean",
    "idf_held_share_final",
]
"""The outcomes shown first in reports."""

NOT_OUTCOMES = {
    "scenario",
    "scenario_hash",
    "replication",
    "seed_entropy",
    "spawn_key",
    "run_id",
    "duration_s",
    "worker",
    "point",
}


def outcome_info(name: str) -> OutcomeInfo:
    """The table entry for ``name``; unknown outcomes get a neutral entry."""
    known = OUTCOMES.get(name)
    if known is not None:
        return known
    label = name.replace("_", " ")
    if name.startswith("forecast_"):
        label = f"Forecast position: {name.removeprefix('forecast_').removesuffix('_final')}"
    return OutcomeInfo(name, label, "", None)


def outcome_columns(summary: pd.DataFrame) -> list[str]:
    """The outcome columns of a summary table, known outcomes first in table order."""
    present = [
        c
        for c in summary.columns
        if c not in NOT_OUTCOMES
        and (pd.api.types.is_numeric_dtype(summary[c]) or pd.api.types.is_bool_dtype(summary[c]))
    ]
    known = [name for name in OUTCOMES if name in present]
    return known + [name for name in present if name not in OUTCOMES]


def is_better(difference: float, better: Better) -> bool | None:
    """Whether a (scenario - baseline) difference is an improvement; None if neutral."""
    if better is None:
        return None
    return difference < 0 if better == "lower" else difference > 0
