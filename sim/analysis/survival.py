"""Kaplan-Meier survival curves for the ceasefire.

Runs that end without a collapse are censored at the horizon: they say the ceasefire lasted
at least that long. The estimate steps down only at observed collapse days:
``S(t) = prod over collapse days t_i <= t of (1 - d_i / n_i)`` with ``d_i`` collapses on day
``t_i`` and ``n_i`` runs still holding just before it. Pointwise intervals use Greenwood's
variance on the log(-log) scale, which keeps them inside [0, 1].
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.stats import Z_95

TIME_COLUMN = "days_to_collapse"
EVENT_COLUMN = "ceasefire_collapsed"


@dataclass(frozen=True)
class KaplanMeier:
    """A survival curve.

    Attributes:
        table: One row per distinct time (plus time 0): ``time, at_risk, events, censored,
            survival, ci_low, ci_high``.
    """

    table: pd.DataFrame

    def survival_at(self, time: float) -> float:
        """S(time): the share still holding after ``time``."""
        steps = self.table[self.table["time"] <= time]
        return float(steps["survival"].iloc[-1]) if len(steps) else 1.0

    @property
    def median(self) -> float | None:
        """The first time at which S falls to 0.5 or below; None if it never does."""
        below = self.table[self.table["survival"] <= 0.5]
        return float(below["time"].iloc[0]) if len(below) else None


def kaplan_meier(durations: np.ndarray, events: np.ndarray, *, z: float = Z_95) -> KaplanMeier:
    """The Kaplan-Meier estimate from durations and event flags (False = censored).

    Raises:
        ValueError: For mismatched lengths, negative durations or no data.
    """
    durations = np.asarray(durations, dtype=float)
    events = np.asarray(events, dtype=bool)
    if durations.shape != events.shape or durations.size == 0:
        raise ValueError("durations and events must be non-empty and of the same length")
    if np.any(durations < 0) or not np.all(np.isfinite(durations)):
        raise ValueError("durations must be finite and non-negative")
    times = np.unique(durations)
    rows = [
        {
            "time": 0.0,
            "at_risk": durations.size,
            "events": 0,
            "censored": 0,
            "survival": 1.0,
            "ci_low": 1.0,
            "ci_high": 1.0,
        }
    ]
    survival, greenwood = 1.0, 0.0
    for time in times:
        at_risk = int(np.count_nonzero(durations >= time))
        died = int(np.count_nonzero((durations == time) & events))
        censored = int(np.count_nonzero((durations == time) & ~events))
        if died:
            survival *= 1.0 - died / at_risk
            if at_risk > died:
                greenwood += died / (at_risk * (at_risk - died))
        low, high = _loglog_interval(survival, greenwood, z)
        rows.append(
            {
                "time": float(time),
                "at_risk": at_risk,
                "events": died,
                "censored": censored,
                "survival": survival,
                "ci_low": low,
                "ci_high": high,
            }
        )
    return KaplanMeier(pd.DataFrame(rows))


def _loglog_interval(survival: float, greenwood: float, z: float) -> tuple[float, float]:
    if survival <= 0.0:
        return 0.0, 0.0
    if survival >= 1.0 or greenwood == 0.0:
        return survival, survival
    log_s = math.log(survival)
    spread = z * math.sqrt(greenwood) / abs(log_s)
    return survival ** math.exp(spread), survival ** math.exp(-spread)


def survival_by_scenario(summary: pd.DataFrame) -> pd.DataFrame:
    """Kaplan-Meier tables of every scenario, stacked with a ``scenario`` column."""
    _require_columns(summary)
    parts = []
    for scenario, group in summary.groupby("scenario", sort=False):
        curve = kaplan_meier(group[TIME_COLUMN].to_numpy(), group[EVENT_COLUMN].to_numpy())
        parts.append(curve.table.assign(scenario=scenario))
    table = pd.concat(parts, ignore_index=True)
    return table[["scenario", *[c for c in table.columns if c != "scenario"]]]


def survival_summary(
    summary: pd.DataFrame, checkpoints: tuple[int, ...] = (90, 180)
) -> pd.DataFrame:
    """Per scenario: runs, collapses, median days to collapse, S at checkpoints and horizon."""
    _require_columns(summary)
    rows = []
    for scenario, group in summary.groupby("scenario", sort=False):
        curve = kaplan_meier(group[TIME_COLUMN].to_numpy(), group[EVENT_COLUMN].to_numpy())
        horizon = float(group[TIME_COLUMN].max())
        row: dict[str, object] = {
            "scenario": scenario,
            "runs": len(group),
            "collapses": int(group[EVENT_COLUMN].astype(bool).sum()),
            "median_days": curve.median,
        }
        for day in checkpoints:
            row[f"holding_day_{day}"] = curve.survival_at(day)
        row["holding_at_horizon"] = curve.survival_at(horizon)
        rows.append(row)
    return pd.DataFrame(rows)


def _require_columns(summary: pd.DataFrame) -> None:
    missing = [c for c in (TIME_COLUMN, EVENT_COLUMN) if c not in summary.columns]
    if missing:
        raise ValueError(f"survival needs the summary columns {missing}")


def jeffreys_interval(successes: int, trials: int, confidence: float = 0.95) -> tuple[float, float]:
    """Jeffreys interval of a binomial proportion: Beta(x + 1/2, n - x + 1/2) quantiles.

    The lower limit is 0 when no run collapsed and the upper 1 when all did (Brown, Cai and
    DasGupta 2001, who recommend it with Wilson's for small n).

    Raises:
        ValueError: For counts out of range.
    """
    from scipy.stats import beta

    if trials < 1 or not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials and trials >= 1, got {successes}/{trials}")
    tail = (1.0 - confidence) / 2.0
    low = (
        0.0 if successes == 0 else float(beta.ppf(tail, successes + 0.5, trials - successes + 0.5))
    )
    high = (
        1.0
        if successes == trials
        else float(beta.ppf(1.0 - tail, successes + 0.5, trials - successes + 0.5))
    )
    return low, high


def collapse_probability(summary: pd.DataFrame, confidence: float = 0.95) -> pd.DataFrame:
    """Per scenario: runs, collapses within the horizon, P(collapse) and its Jeffreys interval."""
    _require_columns(summary)
    rows = []
    for scenario, group in summary.groupby("scenario", sort=False):
        collapses, runs = int(group[EVENT_COLUMN].astype(bool).sum()), len(group)
        low, high = jeffreys_interval(collapses, runs, confidence)
        rows.append(
            {
                "scenario": scenario,
                "runs": runs,
                "collapses": collapses,
                "p_collapse": collapses / runs,
                "ci_low": low,
                "ci_high": high,
            }
        )
    return pd.DataFrame(rows)
