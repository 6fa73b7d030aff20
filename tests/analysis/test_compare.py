"""sim.analysis.compare on hand-made tables with answers computed by hand."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim.analysis.compare import (
    DAILY_FAN_SERIES,
    FLOW_SERIES,
    MIN_REPLICATIONS,
    compare_results,
    conditional_bands,
    daily_bands,
    replication_warnings,
)
from sim.analysis.stats import bootstrap_mean_ci


def _daily(values_by_rep: dict[int, list[float]], series: str, scenario: str = "s") -> pd.DataFrame:
    rows = []
    for rep, values in values_by_rep.items():
        for day, value in enumerate(values):
            rows.append({"scenario": scenario, "replication": rep, "day": day, series: value})
    return pd.DataFrame(rows)


def test_daily_band_labels_are_the_10th_and_90th_percentiles() -> None:
    # eleven replications holding 0..10 on every day: p10 = 1, median = 5, p90 = 9 exactly
    daily = _daily({rep: [float(rep)] * 3 for rep in range(11)}, "legitimacy")
    bands = daily_bands(daily, ["legitimacy"])
    assert list(bands.columns) == ["scenario", "series", "day", "median", "p10", "p90"]
    assert len(bands) == 3
    assert (bands["p10"] == 1.0).all()
    assert (bands["median"] == 5.0).all()
    assert (bands["p90"] == 9.0).all()
    assert list(bands["day"]) == [0, 1, 2] and bands["day"].dtype == np.int64
    assert set(bands["series"]) == {"legitimacy"} and set(bands["scenario"]) == {"s"}


def test_daily_band_of_an_asymmetric_distribution_is_not_symmetric() -> None:
    # five replications at 0 and six at 100: sorted, p10 sits at index 1 (0), the median at
    # index 5 (100) and p90 at index 9 (100); swapped labels would put 100 under p10
    daily = _daily({rep: [0.0 if rep < 5 else 100.0] for rep in range(11)}, "legitimacy")
    row = daily_bands(daily, ["legitimacy"]).iloc[0]
    assert (row["p10"], row["median"], row["p90"]) == (0.0, 100.0, 100.0)


def test_flows_are_smoothed_over_a_trailing_week_within_each_run() -> None:
    assert "incidents" in FLOW_SERIES and "legitimacy" not in FLOW_SERIES
    spike = [0.0] * 6 + [7.0] + [0.0] * 7  # one day with 7 incidents
    daily = _daily({0: spike}, "incidents")
    daily["legitimacy"] = [float(d) for d in range(14)]
    bands = daily_bands(daily, ["incidents", "legitimacy"]).set_index(["series", "day"])
    smoothed = bands.loc["incidents", "median"]
    # trailing 7-day mean: 1 on days 6-12 (the spike is in the window), 0 before and after
    assert list(smoothed) == [0.0] * 6 + [1.0] * 7 + [0.0]
    assert list(bands.loc["legitimacy", "median"]) == [float(d) for d in range(14)]
    # the first days average over what exists (min_periods = 1)
    early = _daily({0: [4.0, 2.0, 0.0]}, "incidents")
    assert list(daily_bands(early, ["incidents"])["median"]) == [4.0, 3.0, 2.0]
    raw = daily_bands(daily, ["incidents"], smooth_days=1)
    assert raw["median"].max() == 7.0
    floats = _daily({0: [1.0, 2.0]}, "legitimacy").astype({"day": float})
    assert daily_bands(floats)["day"].dtype == np.int64
    pairs = daily_bands(_daily({0: [0.0, 4.0, 0.0]}, "incidents"), smooth_days=2)
    assert list(pairs["median"]) == [0.0, 2.0, 2.0]


def test_smoothing_does_not_mix_replications_or_scenarios() -> None:
    first = _daily({0: [7.0, 0.0], 1: [0.0, 0.0]}, "incidents", scenario="a")
    second = _daily({0: [0.0, 0.0]}, "incidents", scenario="b")
    bands = daily_bands(pd.concat([second, first]), ["incidents"])
    b = bands[bands["scenario"] == "b"]
    assert (b["median"] == 0.0).all()
    a = bands[bands["scenario"] == "a"].set_index("day")
    # replication 0 of a: 7, then (7 + 0) / 2; replication 1 stays 0
    assert a.loc[0, "p90"] == pytest.approx(0.9 * 7.0)
    assert a.loc[1, "p90"] == pytest.approx(0.9 * 3.5)


def test_daily_bands_default_series_and_missing_series() -> None:
    assert "incidents" in DAILY_FAN_SERIES
    daily = _daily({0: [1.0, 2.0]}, "incidents")
    daily["unlisted"] = 5.0
    assert set(daily_bands(daily)["series"]) == {"incidents"}
    empty = daily_bands(daily, ["not_there"])
    assert empty.empty
    assert list(empty.columns) == ["scenario", "series", "day", "median", "p10", "p90"]


def _summary(reps: dict[str, int]) -> pd.DataFrame:
    rows = []
    for scenario, count in reps.items():
        for rep in range(count):
            rows.append(
                {
                    "scenario": scenario,
                    "replication": rep,
                    "incidents": float(rep + (10 if scenario == "worse" else 0)),
                    "civilian_deaths": float(2 * rep),
                }
            )
    return pd.DataFrame(rows)


def test_replication_warnings_for_few_and_unequal_counts() -> None:
    assert MIN_REPLICATIONS == 10
    assert replication_warnings(_summary({"a": 10, "b": 10}), "a") == []
    few = replication_warnings(_summary({"a": 9, "b": 9}), "a")
    assert few == [
        "only 9 replications for some scenarios: bands and intervals are rough "
        "(use at least 10, ideally 30+)"
    ]
    unequal = replication_warnings(_summary({"a": 12, "b": 10}), "a")
    assert unequal == [
        "scenarios have unequal replication counts; differences use shared replications only"
    ]
    assert len(replication_warnings(_summary({"a": 3, "b": 10}), "a")) == 2


def test_compare_a_summary_table() -> None:
    summary = _summary({"base": 12, "worse": 12})
    comparison = compare_results(summary, resamples=200, seed=3)
    assert comparison.baseline == "base" and comparison.scenarios == ["base", "worse"]
    assert set(comparison.outcomes) == {"civilian_deaths", "incidents"}
    assert comparison.daily_bands is None and comparison.survival.empty
    assert comparison.survival_summary.empty and comparison.warnings == []
    assert comparison.manifest == {} and comparison.summary is summary
    diff = comparison.differences.set_index("outcome")
    assert diff.loc["incidents", "mean_diff"] == 10.0
    assert diff.loc["civilian_deaths", "mean_diff"] == 0.0
    table = comparison.table()
    assert len(table) == 4
    worse = table[(table["scenario"] == "worse") & (table["outcome"] == "incidents")].iloc[0]
    assert worse["median"] == pytest.approx(15.5) and worse["resolved"]
    base = table[(table["scenario"] == "base") & (table["outcome"] == "incidents")].iloc[0]
    assert pd.isna(base["mean_diff"])  # the baseline has no difference with itself


def test_compare_respects_the_chosen_baseline_outcomes_and_bootstrap_settings() -> None:
    summary = _summary({"base": 12, "worse": 12})
    comparison = compare_results(summary, "worse", ["incidents"], resamples=100, seed=1)
    assert comparison.scenarios == ["worse", "base"] and comparison.outcomes == ["incidents"]
    row = comparison.differences.iloc[0]
    assert row["scenario"] == "base" and row["mean_diff"] == -10.0
    assert list(comparison.bands["outcome"].unique()) == ["incidents"]
    wobbly = _summary({"base": 12, "worse": 12})
    wobbly.loc[wobbly["scenario"] == "worse", "incidents"] += np.sin(np.arange(12)) * 3
    default = compare_results(wobbly).differences.set_index("outcome").loc["incidents"]
    explicit = compare_results(wobbly, resamples=2000, seed=0)
    explicit_row = explicit.differences.set_index("outcome").loc["incidents"]
    assert default["ci_low"] == explicit_row["ci_low"]
    other = compare_results(wobbly, resamples=100, seed=1).differences.set_index("outcome")
    assert other.loc["incidents", "ci_low"] != default["ci_low"]
    # each setting reaches the bootstrap on its own
    diffs = (
        wobbly[wobbly["scenario"] == "worse"]["incidents"].to_numpy()
        - wobbly[wobbly["scenario"] == "base"]["incidents"].to_numpy()
    )
    few = compare_results(wobbly, resamples=100).differences.set_index("outcome")
    low, high = bootstrap_mean_ci(diffs, resamples=100, seed=0)
    assert (few.loc["incidents", "ci_low"], few.loc["incidents", "ci_high"]) == (low, high)
    seeded = compare_results(wobbly, seed=5).differences.set_index("outcome")
    low, high = bootstrap_mean_ci(diffs, resamples=2000, seed=5)
    assert (seeded.loc["incidents", "ci_low"], seeded.loc["incidents", "ci_high"]) == (low, high)


def test_compare_rejects_bad_input_with_what_is_available() -> None:
    summary = _summary({"base": 3, "worse": 3})
    with pytest.raises(ValueError, match=r"^no finished runs to compare$"):
        compare_results(summary.iloc[0:0])
    with pytest.raises(ValueError, match=r"^baseline 'nope' not found; scenarios: base, worse$"):
        compare_results(summary, "nope")
    with pytest.raises(
        ValueError,
        match=r"^unknown outcomes \['happiness'\]; available: incidents, civilian_deaths$",
    ):
        compare_results(summary, outcomes=["happiness"])


def test_compare_an_experiment_reports_failures_interruptions_and_daily_fans() -> None:
    summary = _summary({"base": 10, "worse": 10})
    summary["ceasefire_collapsed"] = summary["replication"] % 2 == 0
    summary["days_to_collapse"] = np.where(summary["ceasefire_collapsed"], 100.0, 365.0)
    daily = pd.concat(
        [
            _daily({rep: [float(rep)] * 2 for rep in range(10)}, "legitimacy", scenario=s)
            for s in ("base", "worse")
        ]
    )
    daily["incidents"] = 1.0
    experiment = SimpleNamespace(
        summary=summary,
        daily=daily,
        manifest={"name": "x"},
        failures=[{"run": 1}, {"run": 2}],
        interrupted=True,
    )
    comparison = compare_results(experiment, resamples=100)  # type: ignore[arg-type]
    assert comparison.warnings[:2] == [
        "2 runs failed and are left out (see manifest.json)",
        "the experiment was interrupted; rerun it to complete the missing runs",
    ]
    assert comparison.manifest == {"name": "x"}
    assert comparison.daily_bands is not None
    assert set(comparison.daily_bands["series"]) == {"legitimacy", "incidents"}
    assert not comparison.survival.empty and not comparison.survival_summary.empty
    calm = SimpleNamespace(summary=summary, daily=None, manifest={}, failures=[], interrupted=False)
    quiet = compare_results(calm, resamples=100)  # type: ignore[arg-type]
    assert quiet.warnings == [] and quiet.daily_bands is None
    only = compare_results(experiment, resamples=100, daily_series=["legitimacy"])  # type: ignore[arg-type]
    assert only.daily_bands is not None and len(only.daily_bands) == 4


CONDITIONAL_COLUMNS = ["scenario", "outcome", "regime", "n", "share", "median", "p10", "p90"]


def _regimes() -> pd.DataFrame:
    """'tense' (listed first) collapses in runs 0-4 of 10; 'calm' never collapses.

    civilian_deaths: tense holding 5..9 + 100, collapsed 0..4 + 1000; calm 0..9.
    """
    rows = []
    for scenario in ("tense", "calm"):
        for rep in range(10):
            collapsed = scenario == "tense" and rep < 5
            deaths = rep + (1000.0 if collapsed else 100.0 if scenario == "tense" else 0.0)
            rows.append(
                {
                    "scenario": scenario,
                    "replication": rep,
                    "ceasefire_collapsed": collapsed,
                    "days_to_collapse": 50.0 if collapsed else 365.0,
                    "civilian_deaths": float(deaths),
                }
            )
    return pd.DataFrame(rows)


def test_conditional_bands_by_hand() -> None:
    bands = conditional_bands(_regimes(), ["civilian_deaths"])
    assert list(bands.columns) == CONDITIONAL_COLUMNS
    # scenarios in the order of the summary (the baseline first), holding before collapsed
    assert list(zip(bands["scenario"], bands["regime"], strict=True)) == [
        ("tense", "holding"),
        ("tense", "collapsed"),
        ("calm", "holding"),
        ("calm", "collapsed"),
    ]
    rows = bands.set_index(["scenario", "regime"])
    # numpy's linear quantiles of 105..109: median 107, p10 105.4, p90 108.6
    holding = rows.loc[("tense", "holding")]
    assert (holding["n"], holding["share"]) == (5, 0.5)
    assert (holding["median"], holding["p10"], holding["p90"]) == pytest.approx((107, 105.4, 108.6))
    collapsed = rows.loc[("tense", "collapsed")]
    assert (collapsed["p10"], collapsed["p90"]) == pytest.approx((1000.4, 1003.6))
    # a regime no run reached: counted as 0 runs with no band, not an error
    never = rows.loc[("calm", "collapsed")]
    assert never["n"] == 0 and never["share"] == 0.0
    assert np.isnan([never["median"], never["p10"], never["p90"]]).all()
    calm = rows.loc[("calm", "holding")]
    assert (calm["n"], calm["share"], calm["median"]) == (10, 1.0, 4.5)


def test_conditional_bands_skip_unknown_outcomes_and_the_collapse_flag_itself() -> None:
    bands = conditional_bands(_regimes(), ["ceasefire_collapsed", "happiness", "civilian_deaths"])
    assert set(bands["outcome"]) == {"civilian_deaths"}
    nothing = conditional_bands(_regimes(), ["happiness"])
    assert nothing.empty and list(nothing.columns) == CONDITIONAL_COLUMNS


def test_conditional_bands_without_a_collapse_column_are_empty_with_their_columns() -> None:
    no_flag = _regimes().drop(columns=["ceasefire_collapsed"])
    bands = conditional_bands(no_flag, ["civilian_deaths"])
    assert bands.empty and list(bands.columns) == CONDITIONAL_COLUMNS


def test_an_experiment_without_stored_positions_has_no_political_rows(tmp_path: Path) -> None:
    from sim.experiments.positions import TABLE
    from sim.experiments.runner import ExperimentResult

    summary = _summary({"base": 10, "worse": 10})
    result = ExperimentResult(tmp_path, summary, None, [], {})
    assert "positions" not in compare_results(result, resamples=50).extras
    # an empty positions table is no political row either
    empty = pd.DataFrame({"scenario": pd.Series(dtype=str), "position": pd.Series(dtype=float)})
    empty.to_parquet(tmp_path / TABLE)
    assert "positions" not in compare_results(result, resamples=50).extras
