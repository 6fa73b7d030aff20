"""Statistics on synthetic data with known answers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.outcomes import outcome_columns, outcome_info
from sim.analysis.stats import (
    bootstrap_mean_ci,
    describe,
    paired_differences,
    probability_better,
    replications_needed,
    scenario_bands,
)


def paired_summary(n: int, shift: float, noise: float, seed: int = 0) -> pd.DataFrame:
    """Two scenarios sharing a per-replication effect (common random numbers)."""
    rng = np.random.default_rng(seed)
    common = rng.normal(100.0, 20.0, n)  # big run-to-run variation shared by both
    rows = []
    for rep in range(n):
        rows.append({"scenario": "base", "replication": rep, "civilian_deaths": common[rep]})
        rows.append(
            {
                "scenario": "worse",
                "replication": rep,
                "civilian_deaths": common[rep] + shift + rng.normal(0, noise),
            }
        )
    return pd.DataFrame(rows)


def test_bootstrap_interval_covers_a_known_mean_and_excludes_zero() -> None:
    rng = np.random.default_rng(1)
    values = rng.normal(2.0, 1.0, 200)
    low, high = bootstrap_mean_ci(values, seed=3)
    assert low < 2.0 < high
    assert low > 0.0
    # the interval is about 2 * 1.96 * sigma / sqrt(n) wide
    assert high - low == pytest.approx(2 * 1.96 / math.sqrt(200), rel=0.25)


def test_bootstrap_interval_has_roughly_nominal_coverage() -> None:
    rng = np.random.default_rng(7)
    trials, covered = 300, 0
    for trial in range(trials):
        low, high = bootstrap_mean_ci(rng.normal(1.5, 2.0, 40), resamples=1000, seed=trial)
        covered += low <= 1.5 <= high
    # binomial sd at 0.95 over 300 trials is 0.013; the percentile bootstrap runs a bit short
    assert 0.88 <= covered / trials <= 0.99


def test_bootstrap_is_reproducible_and_handles_tiny_samples() -> None:
    values = np.arange(10.0)
    assert bootstrap_mean_ci(values, seed=5) == bootstrap_mean_ci(values, seed=5)
    assert all(math.isnan(v) for v in bootstrap_mean_ci(np.array([1.0])))


def test_paired_differences_recover_a_planted_effect_under_common_random_numbers() -> None:
    summary = paired_summary(60, shift=5.0, noise=1.0)
    row = paired_differences(summary, "base", ["civilian_deaths"]).iloc[0]
    assert row["scenario"] == "worse"
    assert row["ci_low"] < 5.0 < row["ci_high"]
    assert row["resolved"]
    assert row["better"] == "lower"
    assert row["p_better"] < 0.05  # more deaths is worse in almost every pairing
    # pairing removes the shared spread (sd 20): the interval is much narrower than unpaired
    assert row["ci_high"] - row["ci_low"] < 1.5


def test_unresolved_difference_reports_replications_needed() -> None:
    summary = paired_summary(12, shift=0.5, noise=3.0, seed=2)
    row = paired_differences(summary, "base", ["civilian_deaths"]).iloc[0]
    assert not row["resolved"]
    assert row["reps_needed"] > 12


def test_probability_better_counts_ties_as_half() -> None:
    diffs = np.array([-1.0, 0.0, 2.0, 3.0])
    assert probability_better(diffs, "lower") == pytest.approx(1.5 / 4)
    assert probability_better(diffs, "higher") == pytest.approx(2.5 / 4)


def test_replications_needed_matches_the_normal_formula() -> None:
    diffs = np.array([1.0, 3.0, 1.0, 3.0])  # mean 2, sd 1.1547
    expected = math.ceil((1.959964 * np.std(diffs, ddof=1) / 2.0) ** 2)
    assert replications_needed(diffs) == expected
    assert replications_needed(np.array([1.0, -1.0])) == math.inf


def test_bands_are_quantiles_per_scenario() -> None:
    summary = pd.DataFrame(
        {
            "scenario": ["a"] * 11 + ["b"] * 11,
            "replication": list(range(11)) * 2,
            "incidents": list(range(11)) + list(range(100, 111)),
        }
    )
    bands = scenario_bands(summary, ["incidents"]).set_index("scenario")
    assert bands.loc["a", "median"] == 5.0
    assert bands.loc["a", "p10"] == pytest.approx(1.0)
    assert bands.loc["b", "p90"] == pytest.approx(109.0)
    assert describe(np.array([]))["n"] == 0


def test_baseline_must_exist() -> None:
    with pytest.raises(ValueError, match="baseline 'nope'"):
        paired_differences(paired_summary(3, 1.0, 1.0), "nope", ["civilian_deaths"])


def test_outcome_table_directions_and_columns() -> None:
    assert outcome_info("civilian_deaths").better == "lower"
    assert outcome_info("secure_population_share_mean").better == "higher"
    assert outcome_info("forecast_disarmament_final").better is None
    table = pd.DataFrame(
        {
            "scenario": ["a"],
            "replication": [0],
            "worker": ["w"],
            "zeta": [1.0],
            "incidents": [2.0],
            "ceasefire_collapsed": [True],
        }
    )
    assert outcome_columns(table) == ["ceasefire_collapsed", "incidents", "zeta"]
