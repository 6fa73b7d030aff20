"""The outcome registry: every outcome and daily series declared once.

Each entry says what an outcome is called, its unit, which direction is better, how the model
computes it and how to format it. The analysis (comparisons, "probability of being better"),
the command line's tables, the reports and the app all read this module; the model's recorder
keeps its own names (``sim.model.outcomes.DAILY_SERIES`` and the keys of its summary), and a
test checks that every name recorded is declared here and every name declared is recorded.

:func:`is_better` and :func:`verdict` are the one place where "better" and "worse" are decided.
Outcomes missing here (``forecast_*`` positions of the bargaining layer) get a neutral entry.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import pandas as pd

Better = Literal["lower", "higher"] | None
Format = Literal["percent", "count", "days", "index", "number"]
Verdict = Literal["better", "worse", "unclear"]

_FORMAT_OF_UNIT: dict[str, Format] = {
    "share": "percent",
    "share of runs": "percent",
    "fraction": "percent",
    "0-1": "index",
    "days": "days",
}


@dataclass(frozen=True)
class OutcomeInfo:
    """How to read one outcome (or one daily series).

    Attributes:
        name: The column name in the model's summary (or daily table).
        label: A short label for tables and charts.
        unit: The unit (``share`` and ``share of runs`` are fractions shown as percentages).
        better: ``"lower"``, ``"higher"`` or ``None`` (no direction).
        how: How the model computes it, in words.
        fmt: How values are formatted (by default from the unit).
    """

    name: str
    label: str
    unit: str
    better: Better
    how: str = ""
    fmt: Format | None = None

    @property
    def format_kind(self) -> Format:
        """The format used: ``fmt`` or the unit's default."""
        if self.fmt is not None:
            return self.fmt
        return _FORMAT_OF_UNIT.get(self.unit, "count")

    @property
    def is_share(self) -> bool:
        """Whether values are fractions shown as percentages (changes in points)."""
        return self.format_kind == "percent"

    def format(self, value: float | None) -> str:
        """A value in the outcome's unit: shares as percentages, counts with separators.

        >>> outcome_info("civilian_deaths").format(1884.4)
        '1,884'
        >>> outcome_info("ceasefire_collapsed").format(0.25)
        '25%'
        """
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "n/a"
        kind = self.format_kind
        if kind == "percent":
            return f"{100 * value:.0f}%"
        if kind == "index":
            return f"{value:.2f}"
        if kind == "days" or abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:.3g}"

    def format_change(self, difference: float | None) -> str:
        """A change with its sign: shares in percentage points, others in the unit.

        >>> outcome_info("ceasefire_collapsed").format_change(0.105)
        '+10 pts'
        >>> outcome_info("civilian_deaths").format_change(-1884.0)
        '-1,884'
        """
        if difference is None or math.isnan(difference):
            return "n/a"
        if self.is_share:
            points = 100 * abs(difference)
            text = f"{points:.1f} pts" if 0 < points < 1 else f"{points:.0f} pts"
        else:
            text = self.format(abs(difference))
        if text.strip("0. pts%") == "":
            return "0"
        return ("+" if difference > 0 else "-") + text


def _info(
    name: str, label: str, unit: str, better: Better, how: str = "", fmt: Format | None = None
) -> tuple[str, OutcomeInfo]:
    return name, OutcomeInfo(name, label, unit, better, how, fmt)


OUTCOMES: dict[str, OutcomeInfo] = dict(
    [
        _info("ceasefire_collapsed", "Ceasefire collapsed", "share of runs", "lower",
              "whether the ceasefire collapsed before the horizon (1) or held (0)"),
        _info("days_to_collapse", "Days until collapse (censored)", "days", "higher",
              "day of the collapse; runs that held count the horizon"),
        _info("incidents", "Incidents", "incidents", "lower",
              "sum over days of attacks and reprisals"),
        _info("civilian_deaths", "Civilian deaths", "deaths", "lower",
              "sum over days of civilians killed"),
        _info("isf_deaths", "Force deaths", "deaths", "lower", "sum over days of force deaths"),
        _info("police_deaths", "Police deaths", "deaths", "lower",
              "sum over days of police deaths"),
        _info("idf_deaths", "IDF deaths", "deaths", "lower", "sum over days of IDF deaths"),
        _info("contributors_withdrawn", "Contributors withdrawn", "contributors", "lower",
              "contributors that decided to leave, on the last day"),
        _info("peak_isf_troops", "Peak force troops", "troops", "higher",
              "largest number of force troops in Gaza on any day"),
        _info("final_police_officers", "Police at the end", "officers", "higher",
              "police deployed on the last day"),
        _info("secure_population_share_final", "Secure population at the end", "share",
              "higher", "share of residents in secure cells on the last day"),
        _info("secure_population_share_mean", "Secure population (mean)", "share", "higher",
              "share of residents in secure cells, averaged over days"),
        _info("weapons_decommissioned_share", "Weapons decommissioned", "share", "higher",
              "weapons handed in or seized by the last day, of those held on day 0"),
        _info("aid_delivered_share_mean", "Aid delivered against need (mean)", "share",
              "higher", "aid delivered against need, averaged over days"),
        _info("reconstruction_share_final", "Reconstruction at the end", "share", "higher",
              "share of the initial damage repaired by the last day"),
        _info("legitimacy_mean", "Legitimacy (mean)", "0-1", "higher",
              "population-weighted legitimacy, averaged over days"),
        _info("grievance_mean", "Grievance (mean)", "0-1", "lower",
              "population-weighted grievance, averaged over days"),
        _info("idf_held_share_final", "Area held by the IDF at the end", "share", "lower",
              "share of the Strip's area held by the IDF on the last day"),
        # the violent ceasefire, force presence and dated events (issue 11)
        _info("idf_held_share_mean", "Area held by the IDF (mean)", "share", "lower",
              "share of the Strip's area held by the IDF, averaged over days"),
        _info("mean_isf_troops", "Force troops in Gaza (mean)", "troops", "higher",
              "force troops in Gaza, averaged over days"),
        _info("palestinians_killed", "Palestinians killed (civilians and fighters)", "deaths",
              "lower", "sum over days of civilians and fighters killed (the ministry's count)"),
        _info("line_fire_deaths", "Killed by IDF fire along the line", "deaths", "lower",
              "sum over days of people killed by IDF fire along the yellow line"),
        _info("killed_per_day_holding", "Killed per day while the ceasefire held", "deaths/day",
              "lower", "Palestinians killed per day before the collapse (all days if it held)"),
        _info("civilian_deaths_per_day_holding", "Civilian deaths per day while the ceasefire held",
              "deaths/day", "lower", "civilians killed per day before the collapse"),
        _info("collapse_risk", "Model's collapse risk up to collapse or horizon", "probability",
              "lower", "1 - product over days of (1 - that day's collapse hazard)"),
        _info("collapse_hazard_per_year", "Collapse hazard while holding (mean, yearly)",
              "per year", "lower", "mean daily collapse hazard before the collapse, x 365"),
        _info("force_cover_mean", "Force cover of the population (mean)", "0-1", "higher",
              "share of residents where the force holds ground x its density, averaged"),
        _info("events_fired", "Dated events fired", "events", None,
              "dated scenario events that fired during the run"),
        _info("fighters_mean", "Armed-group fighters (mean)", "fighters", "lower",
              "armed-group fighters, averaged over days"),
    ]
)  # fmt: skip
"""The per-run summary outcomes (``sim.model.outcomes.summarise``)."""

SERIES: dict[str, OutcomeInfo] = dict(
    [
        _info("ceasefire_status", "Ceasefire status", "0 holding, 1 strained, 2 collapsed",
              "lower", "state of the ceasefire that day", "number"),
        _info("incidents", "Incidents per day", "incidents/day", "lower",
              "attacks and reprisals that day"),
        _info("attacks_on_isf", "Attacks on the force", "attacks/day", "lower",
              "attacks on the force that day"),
        _info("attacks_on_police", "Attacks on the police", "attacks/day", "lower",
              "attacks on the police that day"),
        _info("attacks_on_idf", "Attacks on the IDF", "attacks/day", "lower",
              "attacks on the IDF that day"),
        _info("attacks_on_rivals", "Clashes between armed groups", "attacks/day", "lower",
              "clashes between armed groups that day"),
        _info("reprisals", "Reprisals", "events/day", "lower",
              "reprisals against alleged collaborators that day"),
        _info("strikes", "IDF strikes", "strikes/day", "lower", "IDF strikes that day"),
        _info("civilian_deaths", "Civilian deaths per day", "deaths/day", "lower",
              "civilians killed that day"),
        _info("isf_deaths", "Force deaths per day", "deaths/day", "lower",
              "force deaths that day"),
        _info("police_deaths", "Police deaths per day", "deaths/day", "lower",
              "police deaths that day"),
        _info("idf_deaths", "IDF deaths per day", "deaths/day", "lower", "IDF deaths that day"),
        _info("isf_troops", "Force troops in Gaza", "troops", "higher",
              "force troops deployed that day"),
        _info("police_officers", "Police deployed", "officers", "higher",
              "police deployed that day"),
        _info("contributors_withdrawn", "Contributors leaving", "contributors", "lower",
              "contributors that have decided to leave, so far"),
        _info("isf_sectors", "Governorates handed to the force", "governorates", "higher",
              "governorates handed to the force, so far"),
        _info("idf_held_share", "Area held by the IDF", "share", "lower",
              "share of the Strip's area held by the IDF that day"),
        _info("secure_population_share", "Living in secure areas", "share", "higher",
              "share of residents in secure cells that day"),
        _info("fighters", "Armed-group fighters", "fighters", "lower",
              "armed-group fighters that day"),
        _info("weapons_remaining", "Weapons still held", "weapons", "lower",
              "weapons still held by armed groups that day"),
        _info("weapons_decommissioned", "Weapons decommissioned", "weapons", "higher",
              "weapons handed in or seized, cumulative"),
        _info("aid_delivered_trucks", "Aid trucks reaching people", "trucks/day", "higher",
              "truckloads reaching people that day"),
        _info("aid_delivered_share", "Aid delivered (of need)", "share", "higher",
              "aid delivered against need that day"),
        _info("reconstruction_share", "Reconstruction", "share", "higher",
              "share of the initial damage repaired so far"),
        _info("legitimacy", "Legitimacy", "0-1", "higher",
              "population-weighted legitimacy of whoever secures each cell"),
        _info("grievance", "Grievance", "0-1", "lower", "population-weighted grievance"),
        _info("active_share", "Residents openly rebelling", "share", "lower",
              "share of residents openly rebelling (Epstein's actives)"),
        _info("hamas_compliance", "Hamas's stance on disarmament", "0-1", "higher",
              "Hamas's position on disarmament, rescaled to 0-1"),
        _info("palestinians_killed", "Palestinians killed per day", "deaths/day", "lower",
              "civilians and fighters killed that day, as the health ministry counts"),
        _info("line_fire_deaths", "Killed by fire along the line", "deaths/day", "lower",
              "people killed by IDF fire along the yellow line that day"),
        _info("collapse_hazard", "Collapse hazard", "probability/day", "lower",
              "probability that the ceasefire collapses that day (0 once collapsed)"),
        _info("force_cover", "Force cover", "0-1", "higher",
              "share of residents where the force holds ground x its density over the contested"),
        _info("contingents_holding", "Contingents holding back", "contingents", None,
              "contingents not deploying under a failed condition or a suspension"),
        _info("events_fired", "Dated events fired", "events/day", None,
              "dated events fired that day, unmet ultimatums included"),
    ]
)  # fmt: skip
"""The daily series (``sim.model.outcomes.DAILY_SERIES``), one value per run and day."""

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

FORECAST_PREFIX = "forecast_"
DEAL_PREFIX = "deal_"
DYNAMIC_PREFIX = (FORECAST_PREFIX, DEAL_PREFIX)
"""Outcomes named after the scenario's bargaining dimensions (two per dimension)."""


def outcome_info(name: str) -> OutcomeInfo:
    """The registry entry for ``name``; unknown outcomes get a neutral entry."""
    known = OUTCOMES.get(name)
    if known is not None:
        return known
    label = name.replace("_", " ")
    if name.startswith(FORECAST_PREFIX):
        dimension = name.removeprefix(FORECAST_PREFIX).removesuffix("_final")
        label = f"Implemented outcome: {dimension}"
        how = "implemented bargaining outcome; missing (NaN) when there is no deal"
        return OutcomeInfo(name, label, "position 0-100", None, how, "number")
    if name.startswith(DEAL_PREFIX):
        dimension = name.removeprefix(DEAL_PREFIX).removesuffix("_final")
        how = "1 when everyone whose consent the dimension needs accepts the outcome, else 0"
        return OutcomeInfo(name, f"Deal on {dimension}", "share of runs", None, how, "percent")
    return OutcomeInfo(name, label, "", None)


def series_info(name: str) -> OutcomeInfo:
    """The registry entry of a daily series; unknown series get a neutral entry."""
    known = SERIES.get(name)
    if known is not None:
        return known
    if name.startswith(FORECAST_PREFIX):
        dimension = name.removeprefix(FORECAST_PREFIX)
        return OutcomeInfo(
            name, f"Implemented outcome: {dimension}", "position 0-100", None, "", "number"
        )
    if name.startswith(DEAL_PREFIX):
        dimension = name.removeprefix(DEAL_PREFIX)
        return OutcomeInfo(name, f"Deal on {dimension}", "1 deal, 0 none", None, "", "number")
    return OutcomeInfo(name, name.replace("_", " "), "", None)


def format_value(outcome: str, value: float | None) -> str:
    """A value of a summary outcome, formatted as its registry entry says."""
    return outcome_info(outcome).format(value)


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
    """Whether a (scenario - baseline) difference is an improvement; None if neutral.

    >>> is_better(-3.0, "lower"), is_better(-3.0, "higher"), is_better(0.0, "lower")
    (True, False, False)
    """
    if better is None or isinstance(better, float):  # a missing direction read from a table
        return None
    return difference < 0 if better == "lower" else difference > 0


def verdict(difference: float, better: Better, resolved: bool = True) -> Verdict:
    """``better``, ``worse`` or ``unclear`` (no direction, no change, or not resolved).

    >>> verdict(-2.0, "lower"), verdict(-2.0, "lower", resolved=False), verdict(1.0, None)
    ('better', 'unclear', 'unclear')
    """
    improved = is_better(difference, better)
    if not resolved or improved is None or difference == 0 or math.isnan(difference):
        return "unclear"
    return "better" if improved else "worse"


def difference_verdict(row: pd.Series) -> Verdict:
    """The verdict of one row of ``Comparison.differences`` (``mean_diff``, ``resolved``)."""
    better = row.get("better")
    if better is not None and not isinstance(better, str):
        better = None  # NaN from a table
    return verdict(float(row["mean_diff"]), better, bool(row.get("resolved", True)))
