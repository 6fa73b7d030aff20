"""Statistics in sim.analysis.stats against exact reference values and calibrated coverage.

These tests are tight enough to tell a 90% interval from a 95% one, and pin every column and
default of the comparison tables (they were written to kill the survivors of mutation testing;
see docs/testing.md).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats

from sim.analysis.stats import (
    BAND,
    Z_95,
    bootstrap_mean_ci,
    describe,
    difference_row,
    paired_differences,
    paired_frame,
    paired_frames,
    probability_better,
    replications_needed,
    scenario_bands,
)


def test_z_95_is_the_normal_quantile() -> None:
    assert pytest.approx(scipy_stats.norm.ppf(0.975), abs=1e-12) == Z_95
    assert BAND == (0.1, 0.9)


@pytest.mark.parametrize("level", [0.95, 0.90, 0.80])
def test_bootstrap_half_width_matches_the_normal_quantile_of_its_level(level: float) -> None:
    """Exact reference: for a large normal sample the percentile interval is mean +/- z s/sqrt(n).

    n = 400 and 20,000 resamples: the Monte Carlo error of each end is about 0.02 standard
    errors, so a tolerance of 0.04 separates 1.960 (95%) from 1.645 (90%) by eight times over.
    The bootstrap's standard error uses the plug-in sd (ddof = 0).
    """
    values = np.random.default_rng(3).normal(0.0, 1.0, 400)
    standard_error = values.std(ddof=0) / math.sqrt(values.size)
    z = scipy_stats.norm.ppf(0.5 + level / 2)
    for seed in (0, 1):
        low, high = bootstrap_mean_ci(values, level=level, resamples=20_000, seed=seed)
        assert (high - low) / (2 * standard_error) == pytest.approx(z, abs=0.04)
        assert ((low + high) / 2 - values.mean()) / standard_error == pytest.approx(0.0, abs=0.04)


def test_bootstrap_coverage_tells_95_from_90_percent() -> None:
    """2,000 fixed-seed trials (n = 50, 1,000 resamples each).

    Calibration run (these seeds): 95% intervals covered 0.940 (the percentile bootstrap is a
    little short at n = 50), 90% intervals 0.881. Binomial sds over 2,000 trials are 0.0053 and
    0.0072, so the lower bound 0.915 sits 4.7 sd below the first and 4.8 sd above the second;
    the upper bound catches intervals that are too wide (99% covers ~0.99).
    """
    rng = np.random.default_rng(11)
    trials, covered = 2000, 0
    for trial in range(trials):
        values = rng.normal(1.5, 2.0, 50)
        low, high = bootstrap_mean_ci(values, resamples=1000, seed=trial)
        covered += low <= 1.5 <= high
    assert 0.915 <= covered / trials <= 0.975


def test_bootstrap_defaults_are_95_percent_2000_resamples_seed_0() -> None:
    values = np.random.default_rng(5).normal(0.0, 1.0, 30)
    default = bootstrap_mean_ci(values)
    assert default == bootstrap_mean_ci(values, level=0.95, resamples=2000, seed=0)
    assert default != bootstrap_mean_ci(values, seed=1)
    assert default != bootstrap_mean_ci(values, resamples=2001)


def test_bootstrap_of_two_values_and_of_constant_values() -> None:
    low, high = bootstrap_mean_ci(np.array([0.0, 1.0]), resamples=4000, seed=2)
    # resample means are 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4: the 2.5% and 97.5%
    # quantiles of 4,000 draws are the extremes
    assert (low, high) == (0.0, 1.0)
    assert bootstrap_mean_ci(np.full(7, 3.25)) == (3.25, 3.25)
    assert all(math.isnan(v) for v in bootstrap_mean_ci(np.array([])))
    assert bootstrap_mean_ci([1.0, 2.0, 3.0]) == bootstrap_mean_ci(np.array([1.0, 2.0, 3.0]))


def test_bootstrap_in_chunks_for_very_large_samples() -> None:
    """More than 2e6 / n resamples are drawn in chunks (bounded memory); still exact means."""
    values = np.zeros(1_100_000)
    values[::2] = 1.0  # mean 0.5 exactly
    low, high = bootstrap_mean_ci(values, resamples=3, seed=0)
    assert 0.499 < low <= high < 0.501


def test_describe_returns_every_column_with_exact_quantiles() -> None:
    values = np.arange(11.0)  # numpy's default (linear) quantiles: p10 = 1, p90 = 9
    assert describe(values) == {"n": 11, "mean": 5.0, "median": 5.0, "p10": 1.0, "p90": 9.0}
    skewed = np.array([0.0, 0.0, 0.0, 10.0])
    row = describe(skewed)
    assert row["mean"] == 2.5 and row["median"] == 0.0
    assert row["p90"] == pytest.approx(7.0)  # 0.9 * 3 = 2.7 -> 0 + 0.7 * 10
    empty = describe(np.array([]))
    assert set(empty) == {"n", "mean", "median", "p10", "p90"} and empty["n"] == 0
    assert all(math.isnan(empty[k]) for k in ("mean", "median", "p10", "p90"))


def test_scenario_bands_keep_scenario_order_and_drop_missing_values() -> None:
    summary = pd.DataFrame(
        {
            "scenario": ["z", "z", "z", "a", "a", "a"],
            "replication": [0, 1, 2, 0, 1, 2],
            "incidents": [1.0, np.nan, 3.0, 10.0, 20.0, 30.0],
            "isf_deaths": [True, False, True, 0, 0, 0],
        }
    )
    bands = scenario_bands(summary, ["incidents", "isf_deaths"])
    assert list(bands.columns) == ["scenario", "outcome", "n", "mean", "median", "p10", "p90"]
    assert list(bands["scenario"]) == ["z", "z", "a", "a"]  # first seen first
    z = bands.iloc[0]
    assert z["outcome"] == "incidents" and z["n"] == 2 and z["mean"] == 2.0
    assert bands.iloc[1]["mean"] == pytest.approx(2 / 3)  # booleans count as 0/1


def test_paired_frame_pivots_by_replication() -> None:
    summary = pd.DataFrame(
        {
            "scenario": ["b", "a", "b", "a"],
            "replication": [1, 1, 0, 0],
            "incidents": [4, 3, 2, 1],
        }
    )
    table = paired_frame(summary, "incidents")
    assert table.loc[0, "a"] == 1.0 and table.loc[1, "b"] == 4.0
    assert table.dtypes.unique().tolist() == [np.dtype(float)]
    # a replication recorded twice (a rerun) counts once: the first record
    twice = pd.concat([summary, summary.assign(incidents=100)])
    assert paired_frame(twice, "incidents").loc[0, "a"] == 1.0


def test_paired_frames_equal_one_pivot_per_outcome_and_ignore_row_order() -> None:
    # One grouping for every outcome must give the values a pivot per outcome gave, rows sorted
    # by replication whatever the order of the table's rows: the bootstrap resamples pairs by
    # position, so a shuffled table must give the same intervals.
    rng = np.random.default_rng(3)
    rows = [(s, r) for s in ("mine", "base", "c") for r in range(12)]  # not alphabetical
    summary = pd.DataFrame(rows, columns=["scenario", "replication"])
    summary["x"] = rng.normal(size=len(summary))
    summary["y"] = rng.normal(size=len(summary))
    summary.loc[summary["replication"] % 5 == 1, "x"] = np.nan  # missing in every scenario
    summary.loc[(summary["scenario"] == "mine") & (summary["replication"] == 4), "y"] = np.nan
    summary["flag"] = summary["y"] > 0
    shuffled = summary.sample(frac=1.0, random_state=2)
    for table in (summary, shuffled, pd.concat([summary, summary.assign(x=9.0)])):
        frames = paired_frames(table, ["x", "y", "flag"])
        for outcome, frame in frames.items():
            pivot = table.pivot_table(
                index="replication", columns="scenario", values=outcome, aggfunc="first"
            )
            expected = pivot.reindex(columns=list(dict.fromkeys(table["scenario"])))
            assert list(frame.index) == sorted(frame.index) == list(expected.index)
            assert list(frame.columns) == list(dict.fromkeys(table["scenario"]))  # first seen
            assert (frame.columns.name, frame.index.name) == ("scenario", "replication")
            assert set(frame.dtypes) == {np.dtype(float)}  # booleans too
            np.testing.assert_array_equal(frame.to_numpy(), expected.astype(float).to_numpy())
    assert 1 not in paired_frames(summary, ["x"])["x"].index  # no value at all: left out
    assert list(paired_frames(summary, ["x"])["x"].columns) == ["mine", "base", "c"]
    ordered = paired_differences(summary, "base", ["x", "y"], resamples=200, seed=1)
    mixed = paired_differences(shuffled, "base", ["x", "y"], resamples=200, seed=1)

    def by_name(table: pd.DataFrame) -> pd.DataFrame:  # rows follow the scenarios' first rows
        return table.sort_values(["scenario", "outcome"], ignore_index=True)

    pd.testing.assert_frame_equal(by_name(ordered), by_name(mixed))


def test_paired_frame_keeps_a_scenario_whose_values_are_all_missing() -> None:
    # a bargaining outcome with no deal in any replication is NaN throughout; the pivot alone
    # would drop that scenario's column
    summary = pd.DataFrame(
        {
            "scenario": ["a", "b", "c", "a", "b", "c"],
            "replication": [0, 0, 0, 1, 1, 1],
            "forecast_mandate_final": [40.0, np.nan, 55.0, 42.0, np.nan, 57.0],
        }
    )
    table = paired_frame(summary, "forecast_mandate_final")
    assert list(table.columns) == ["a", "b", "c"]  # the summary's order of scenarios
    assert table["b"].isna().all() and table["c"].tolist() == [55.0, 57.0]


def test_difference_row_has_exact_values_for_a_known_sample() -> None:
    diffs = np.array([1.1, 2.3, 3.7, 10.9])
    row = difference_row(diffs, "incidents", 0.95, 500, 4)
    low, high = bootstrap_mean_ci(diffs, level=0.95, resamples=500, seed=4)
    assert row == {
        "better": "lower",
        "n_pairs": 4,
        "mean_diff": pytest.approx(4.5),
        "median_diff": pytest.approx(3.0),
        "ci_low": low,
        "ci_high": high,
        "p_better": 0.0,
        "reps_needed": replications_needed(diffs),
        "resolved": True,
    }
    # the level, resamples and seed given are the ones used
    many = np.random.default_rng(0).normal(1.0, 1.0, 40)
    reference = difference_row(many, "incidents", 0.95, 500, 4)
    assert reference["ci_high"] == bootstrap_mean_ci(many, resamples=500, seed=4)[1]
    assert difference_row(many, "incidents", 0.5, 500, 4)["ci_high"] < reference["ci_high"]
    assert difference_row(many, "incidents", 0.95, 500, 5)["ci_high"] != reference["ci_high"]
    assert difference_row(many, "incidents", 0.95, 50, 4)["ci_high"] != reference["ci_high"]


def test_difference_row_resolution_needs_an_interval_that_excludes_zero() -> None:
    assert difference_row(np.array([-1.0, -2.0, -3.0]), "incidents", 0.95, 200, 0)["resolved"]
    straddling = difference_row(np.array([-1.0, 2.0, -3.0, 4.0]), "incidents", 0.95, 200, 0)
    assert not straddling["resolved"]
    # the interval must exclude 0 strictly, on either side, however close to 0 it lies
    for diffs, resolved in (
        ([0.5, 0.6, 0.7], True),
        ([-0.5, -0.6, -0.7], True),
        ([0.0, 0.0, 0.0], False),
        ([0.0, 0.5, 1.0], False),  # the lower end is 0
        ([-1.0, -0.5, 0.0], False),  # the upper end is 0
        ([1.0, 2.0], True),  # two pairs are enough
    ):
        row = difference_row(np.array(diffs), "incidents", 0.95, 400, 0)
        assert row["resolved"] is resolved, diffs
    # a single pair has no interval and is never resolved, however large
    single = difference_row(np.array([100.0]), "incidents", 0.95, 200, 0)
    assert single["n_pairs"] == 1 and not single["resolved"] and math.isnan(single["ci_low"])


def test_difference_row_without_pairs_is_all_missing() -> None:
    row = difference_row(np.array([]), "secure_population_share_mean", 0.95, 200, 0)
    assert row["better"] == "higher" and row["n_pairs"] == 0 and row["resolved"] is False
    for key in ("mean_diff", "median_diff", "ci_low", "ci_high", "p_better", "reps_needed"):
        assert math.isnan(row[key]), key
    assert set(row) == {
        "better",
        "n_pairs",
        "mean_diff",
        "median_diff",
        "ci_low",
        "ci_high",
        "p_better",
        "reps_needed",
        "resolved",
    }


def _two_scenarios(base: list[float], other: list[float], outcome: str) -> pd.DataFrame:
    rows = [{"scenario": "base", "replication": i, outcome: v} for i, v in enumerate(base)]
    rows += [{"scenario": "other", "replication": i, outcome: v} for i, v in enumerate(other)]
    return pd.DataFrame(rows)


def test_paired_differences_are_scenario_minus_baseline_over_shared_replications() -> None:
    summary = _two_scenarios([1.0, 2.0, 3.0, np.nan], [2.0, 4.0, 9.0, 1.0], "incidents")
    table = paired_differences(summary, "base", ["incidents"], resamples=300, seed=1)
    assert list(table.columns) == [
        "scenario",
        "outcome",
        "better",
        "n_pairs",
        "mean_diff",
        "median_diff",
        "ci_low",
        "ci_high",
        "p_better",
        "reps_needed",
        "resolved",
    ]
    row = table.iloc[0]
    assert row["scenario"] == "other" and row["outcome"] == "incidents"
    assert row["n_pairs"] == 3 and row["mean_diff"] == pytest.approx(3.0)  # (1 + 2 + 6) / 3
    assert row["median_diff"] == 2.0
    expected = bootstrap_mean_ci(np.array([1.0, 2.0, 6.0]), level=0.95, resamples=300, seed=1)
    assert (row["ci_low"], row["ci_high"]) == expected


def test_paired_differences_pass_level_resamples_and_seed_through() -> None:
    diffs = np.random.default_rng(8).normal(1.0, 2.0, 30)  # continuous: quantiles move
    summary = _two_scenarios([0.0] * 30, list(diffs), "incidents")
    default = paired_differences(summary, "base", ["incidents"]).iloc[0]
    assert (default["ci_low"], default["ci_high"]) == bootstrap_mean_ci(diffs)
    assert (default["ci_low"], default["ci_high"]) == bootstrap_mean_ci(
        diffs, level=0.95, resamples=2000, seed=0
    )
    assert default["ci_high"] != bootstrap_mean_ci(diffs, resamples=2001)[1]
    narrow = paired_differences(summary, "base", ["incidents"], level=0.5).iloc[0]
    assert narrow["ci_high"] - narrow["ci_low"] < default["ci_high"] - default["ci_low"]
    other = paired_differences(summary, "base", ["incidents"], resamples=50, seed=9).iloc[0]
    assert (other["ci_low"], other["ci_high"]) == bootstrap_mean_ci(diffs, resamples=50, seed=9)


def test_paired_differences_error_lists_the_scenarios() -> None:
    summary = _two_scenarios([1.0], [2.0], "incidents")
    with pytest.raises(ValueError, match=r"^baseline 'x' is not among the scenarios: base, other$"):
        paired_differences(summary, "x", ["incidents"])


def test_probability_better_for_each_direction_and_empty_input() -> None:
    diffs = np.array([-2.0, -1.0, 0.0, 1.0, 0.0])
    assert probability_better(diffs, "lower") == pytest.approx(3.0 / 5)  # 2 wins + 2 half ties
    assert probability_better(diffs, "higher") == pytest.approx(2.0 / 5)
    assert probability_better(diffs, None) == pytest.approx(2.0 / 5)  # share higher
    assert math.isnan(probability_better(np.array([]), "lower"))
    assert probability_better(np.array([-1.0]), "lower") == 1.0  # one pair is enough


def test_replications_needed_edge_cases() -> None:
    assert math.isnan(replications_needed(np.array([3.0])))
    assert replications_needed(np.array([2.0, 2.0, 2.0])) == 2.0  # no spread, nonzero mean
    assert replications_needed(np.array([0.5, 0.5])) == 2.0
    assert replications_needed(np.array([0.0, 0.0])) == math.inf  # no spread, zero mean
    assert replications_needed(np.array([-1.0, 1.0, -1.0, 1.0])) == math.inf
    # sd = 2, mean = 1: (1.96 * 2 / 1)^2 = 15.37 -> 16; a negative mean counts by its size
    diffs = np.array([-1.0, 3.0, -1.0, 3.0]) * 1.0
    sd = float(np.std(diffs, ddof=1))
    assert replications_needed(diffs) == math.ceil((Z_95 * sd / 1.0) ** 2)
    assert replications_needed(-diffs) == replications_needed(diffs)
    assert replications_needed(diffs, z=1.0) == math.ceil(sd**2)
