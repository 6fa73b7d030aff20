"""The model's directional contrasts, shared by the directional tests and their power pilot.

Each contrast is a pair of scenarios run on the same seeds (common random numbers) and one
summary outcome that the mechanism says is lower in ``low`` than in ``high``. The tests in
``tests/model/test_gaza_model.py`` check the direction with a one-sided paired t-test;
``bench/power_directional.py`` runs pilot replications on other seeds and computes how many
seeds each test needs (docs/testing.md, "Power of the directional tests").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np
from scipy import stats

from sim.scenario.forces import StrikePolicy
from sim.scenario.schema import Scenario
from tests.model.conftest import override, shipped

# One-sided level of every directional test.
ALPHA = 0.01
# Power each test is planned for (normal theory at the pilot's 90% lower bound of the effect).
TARGET_POWER = 0.99
# Fewest pairs used: with 4-6 pairs a single odd seed decides, and the pilot differences are
# skewed (up to |skew| 5), so the normal-theory figure is checked by a bootstrap at 8 or more.
MIN_PAIRS = 8


@dataclass(frozen=True)
class Contrast:
    """Two scenarios and the outcome that should be lower in the first."""

    name: str
    low: Callable[[], Scenario]
    high: Callable[[], Scenario]
    outcome: str


@cache
def base() -> Scenario:
    return shipped("base.yaml")


@cache
def four_times_the_force() -> Scenario:
    scenario = base()
    contributors = scenario.forces.contributors
    return override(
        scenario,
        {("forces", "contributors", key, "deployed_share"): 1.0 for key in contributors}
        | {
            ("forces", "contributors", key, "pledged_troops"): spec.pledged_troops.value * 4
            for key, spec in contributors.items()
        },
    )


@cache
def accepts() -> Scenario:
    return shipped("hamas-accepts-turkey-vetoed.yaml")


@cache
def rejects() -> Scenario:
    return shipped("hamas-rejects-turkey-vetoed.yaml")


@cache
def heavy_strikes() -> Scenario:
    scenario = rejects()
    idf = scenario.idf.model_copy(update={"strike_policy": StrikePolicy.HEAVY})
    return scenario.model_copy(update={"idf": idf})


@cache
def trucks(per_day: float) -> Scenario:
    return override(base(), {("aid", "trucks_per_day"): per_day})


@cache
def halved_aid() -> Scenario:
    return trucks(base().aid.trucks_per_day.value / 2)


@cache
def included() -> Scenario:
    return shipped("hamas-accepts-turkey-included.yaml")


@cache
def a_tenth_of_the_force() -> Scenario:
    scenario = included()
    return override(
        scenario,
        {
            ("forces", "contributors", key, "deployed_share"): spec.deployed_share.value * 0.1
            for key, spec in scenario.forces.contributors.items()
        },
    )


CONTRASTS = {
    c.name: c
    for c in [
        Contrast("more_troops_fewer_incidents", four_times_the_force, base, "incidents"),
        Contrast("rejecting_less_disarmament", rejects, accepts, "weapons_decommissioned_share"),
        Contrast(
            "slower_aid_more_grievance",
            lambda: trucks(600.0),
            lambda: trucks(90.0),
            "grievance_mean",
        ),
        Contrast(
            "heavy_strikes_more_civilian_deaths",
            rejects,
            heavy_strikes,
            "civilian_deaths_per_day_holding",
        ),
        Contrast(
            "tenth_of_force_higher_collapse_hazard",
            included,
            a_tenth_of_the_force,
            "collapse_hazard_per_year",
        ),
        Contrast("halved_aid_more_grievance", base, halved_aid, "grievance_mean"),
        Contrast("halved_aid_more_fighters", base, halved_aid, "fighters_mean"),
    ]
}


def paired_t(low: np.ndarray, high: np.ndarray) -> float:
    """The paired t statistic of ``high - low`` (infinite for a constant positive difference)."""
    diff = np.asarray(high, float) - np.asarray(low, float)
    sd = float(diff.std(ddof=1))
    mean = float(diff.mean())
    if sd == 0.0:
        return float(np.inf) if mean > 0 else (float(-np.inf) if mean < 0 else 0.0)
    return mean / (sd / np.sqrt(diff.size))


def critical_t(n: int, alpha: float = ALPHA) -> float:
    """One-sided critical value of the paired t-test with ``n`` pairs."""
    return float(stats.t.ppf(1.0 - alpha, n - 1))


def power(effect: float, n: int, alpha: float = ALPHA) -> float:
    """Power of the one-sided paired t-test for standardised effect ``mean / sd`` of the
    differences, with ``n`` pairs: P(noncentral t(n - 1, effect sqrt(n)) > critical t)."""
    return float(stats.nct.sf(critical_t(n, alpha), n - 1, effect * np.sqrt(n)))


def pairs_needed(
    effect: float, target: float = TARGET_POWER, alpha: float = ALPHA, cap: int = 200
) -> int:
    """The fewest pairs (at least 3) that give ``target`` power."""
    if not np.isfinite(effect):
        return 3
    for n in range(3, cap + 1):
        if power(effect, n, alpha) >= target:
            return n
    return cap


def effect_lower_bound(diff: np.ndarray, level: float = 0.90) -> float:
    """One-sided lower confidence bound of the standardised effect ``mean / sd`` of ``diff``.

    Normal approximation of the standard error of a one-sample standardised mean,
    ``sqrt(1/n + d^2 / (2n))`` (Hedges and Olkin 1985).
    """
    n = diff.size
    effect = float(diff.mean() / diff.std(ddof=1))
    error = float(np.sqrt(1.0 / n + effect**2 / (2.0 * n)))
    return effect - float(stats.norm.ppf(level)) * error


def bootstrap_power(
    diff: np.ndarray, n: int, alpha: float = ALPHA, draws: int = 20_000, seed: int = 0
) -> float:
    """Share of ``n``-pair resamples of the pilot differences that pass the test (no normality
    assumed)."""
    rng = np.random.default_rng(seed)
    sample = diff[rng.integers(0, diff.size, (draws, n))]
    mean, sd = sample.mean(axis=1), sample.std(axis=1, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(sd > 0, mean / (sd / np.sqrt(n)), np.where(mean > 0, np.inf, 0.0))
    return float(np.mean(t > critical_t(n, alpha)))
