"""Kaplan-Meier against a hand-computed example."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.survival import kaplan_meier, survival_by_scenario, survival_summary

# eight runs; False marks a run censored (still holding) at that day
DAYS = np.array([2, 3, 3, 5, 6, 8, 8, 9], dtype=float)
COLLAPSED = np.array([True, True, False, True, False, True, True, False])


def test_kaplan_meier_steps_match_the_hand_computation() -> None:
    curve = kaplan_meier(DAYS, COLLAPSED)
    table = curve.table.set_index("time")
    # S(2) = 7/8; S(3) = 7/8 * 6/7; S(5) = 0.75 * 4/5; S(6) unchanged; S(8) = 0.6 * 1/3
    expected = {0: 1.0, 2: 0.875, 3: 0.75, 5: 0.6, 6: 0.6, 8: 0.2, 9: 0.2}
    for time, survival in expected.items():
        assert table.loc[time, "survival"] == pytest.approx(survival)
    assert table.loc[8, "at_risk"] == 3
    assert table.loc[8, "events"] == 2
    assert table.loc[3, "censored"] == 1
    assert curve.median == 8.0
    assert curve.survival_at(4.5) == pytest.approx(0.75)
    assert curve.survival_at(1.0) == 1.0


def test_greenwood_log_log_interval_at_the_first_step() -> None:
    curve = kaplan_meier(DAYS, COLLAPSED)
    row = curve.table.set_index("time").loc[2]
    s, variance_sum = 7 / 8, 1 / (8 * 7)
    spread = 1.959964 * math.sqrt(variance_sum) / abs(math.log(s))
    assert row["ci_low"] == pytest.approx(s ** math.exp(spread), rel=1e-5)
    assert row["ci_high"] == pytest.approx(s ** math.exp(-spread), rel=1e-5)
    assert row["ci_low"] < s < row["ci_high"]


def test_no_events_keeps_survival_at_one_and_no_median() -> None:
    curve = kaplan_meier(np.full(5, 365.0), np.zeros(5, dtype=bool))
    assert curve.survival_at(365) == 1.0
    assert curve.median is None


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        kaplan_meier(np.array([1.0, -2.0]), np.array([True, False]))
    with pytest.raises(ValueError):
        kaplan_meier(np.array([]), np.array([], dtype=bool))


def test_survival_tables_per_scenario() -> None:
    summary = pd.DataFrame(
        {
            "scenario": ["a"] * 8 + ["b"] * 4,
            "days_to_collapse": [*DAYS, 365, 365, 100, 365],
            "ceasefire_collapsed": [*COLLAPSED, False, False, True, False],
        }
    )
    stacked = survival_by_scenario(summary)
    assert set(stacked["scenario"]) == {"a", "b"}
    brief = survival_summary(summary, checkpoints=(5, 180)).set_index("scenario")
    assert brief.loc["a", "holding_day_5"] == pytest.approx(0.6)
    assert brief.loc["b", "collapses"] == 1
    assert brief.loc["b", "holding_day_180"] == pytest.approx(0.75)
    assert brief.loc["b", "median_days"] is None or math.isnan(brief.loc["b", "median_days"])
