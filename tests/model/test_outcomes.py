"""The daily recorder and the per-run summary (sim/model/outcomes.py) on series set by hand.

A five-day run is written into a :class:`DailyRecorder` day by day; every summary value below is
worked out by hand from those series, so a wrong reduction (sum for mean, first for last, the
collapse day off by one, the censoring of an uncollapsed run) fails a test.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.model.outcomes import DAILY_SERIES, RECORDED_BY_MODEL, DailyRecorder, summarise
from sim.model.violence import DayViolence

HORIZON = 5
DIMENSIONS = ["troops", "mandate"]
NAN = float("nan")

# Day by day (days 0-4); series not listed stay 0.
SERIES: dict[str, list[float]] = {
    "incidents": [1, 2, 3, 4, 5],
    "civilian_deaths": [0, 2, 4, 6, 8],
    "isf_deaths": [0, 0, 1, 0, 2],
    "police_deaths": [1, 0, 0, 0, 0],
    "idf_deaths": [0, 3, 0, 0, 0],
    "contributors_withdrawn": [0, 0, 1, 1, 2],
    "isf_troops": [0, 100, 300, 200, 100],
    "police_officers": [500, 600, 700, 800, 900],
    "secure_population_share": [0.0, 0.2, 0.4, 0.6, 0.8],
    "weapons_remaining": [90, 80, 70, 60, 50],
    "weapons_decommissioned": [10, 20, 30, 40, 50],
    "aid_delivered_share": [0.5, 0.5, 1.0, 1.0, 0.5],
    "reconstruction_share": [0.0, 0.01, 0.02, 0.03, 0.04],
    "legitimacy": [0.3, 0.4, 0.5, 0.6, 0.7],
    "grievance": [0.9, 0.8, 0.7, 0.6, 0.5],
    "idf_held_share": [0.53, 0.53, 0.5, 0.45, 0.4],
    "palestinians_killed": [3, 3, 6, 9, 9],
    "line_fire_deaths": [1, 0, 1, 0, 1],
    "collapse_hazard": [0.1, 0.2, 0.5, 0.0, 0.0],
    "fighters": [1000, 1100, 1200, 1300, 1400],
    "force_cover": [0.0, 0.1, 0.2, 0.3, 0.4],
    "events_fired": [0, 1, 0, 0, 1],
    # a deal on troops on days 0, 1 and 4 (no deal on days 2-3); none on the mandate at the end
    "forecast_troops": [50, 50, NAN, NAN, 60],
    "deal_troops": [1, 1, 0, 0, 1],
    "forecast_mandate": [30, 30, 30, 30, NAN],
    "deal_mandate": [1, 1, 1, 1, 0],
}


def recorded() -> pd.DataFrame:
    recorder = DailyRecorder(HORIZON, list(DIMENSIONS))
    for day in range(HORIZON):
        recorder.record(day, {name: values[day] for name, values in SERIES.items()})
    return recorder.frame()


def test_the_recorder_has_one_row_per_day_and_one_column_per_series() -> None:
    daily = recorded()
    assert daily.shape == (HORIZON, 1 + len(DAILY_SERIES) + 2 * len(DIMENSIONS))
    assert list(daily.columns) == [
        "day",
        *DAILY_SERIES,
        "forecast_troops",
        "forecast_mandate",
        "deal_troops",
        "deal_mandate",
    ]
    assert daily["day"].tolist() == list(range(HORIZON))
    for name, values in SERIES.items():
        np.testing.assert_array_equal(daily[name].to_numpy(), np.array(values, float), name)
    # a series nobody recorded stays at zero
    assert (daily["strikes"] == 0.0).all() and (daily["ceasefire_status"] == 0.0).all()


def test_the_recorder_keeps_nan_for_days_without_a_deal() -> None:
    daily = recorded()
    assert daily["forecast_troops"].isna().tolist() == [False, False, True, True, False]
    assert daily["forecast_mandate"].isna().sum() == 1
    assert daily["deal_troops"].sum() == 3.0


def test_the_recorder_without_dimensions_has_only_the_declared_series() -> None:
    daily = DailyRecorder(3).frame()
    assert list(daily.columns) == ["day", *DAILY_SERIES]
    assert daily.shape == (3, 1 + len(DAILY_SERIES))
    assert not daily.filter(like="forecast_").columns.size


def test_the_recorder_refuses_unknown_series_and_days_beyond_the_horizon() -> None:
    recorder = DailyRecorder(HORIZON, ["troops"])
    with pytest.raises(KeyError):
        recorder.record(0, {"forecast_mandate": 1.0})  # not one of its dimensions
    with pytest.raises(IndexError):
        recorder.record(HORIZON, {"incidents": 1.0})
    recorder.record(HORIZON - 1, {"incidents": 7.0})
    assert recorder.frame()["incidents"].tolist() == [0.0, 0.0, 0.0, 0.0, 7.0]


def test_summary_of_a_run_that_collapsed_on_day_three() -> None:
    summary = summarise(recorded(), collapse_day=3, horizon=HORIZON)
    expected = {
        "ceasefire_collapsed": True,
        "days_to_collapse": 3.0,
        "incidents": 15.0,  # 1 + 2 + 3 + 4 + 5
        "civilian_deaths": 20.0,
        "isf_deaths": 3.0,
        "police_deaths": 1.0,
        "idf_deaths": 3.0,
        "contributors_withdrawn": 2.0,  # last day
        "peak_isf_troops": 300.0,
        "final_police_officers": 900.0,
        "secure_population_share_final": 0.8,
        "secure_population_share_mean": 0.4,
        "weapons_decommissioned_share": 0.5,  # 50 of the 90 + 10 held on day 0
        "aid_delivered_share_mean": 0.7,
        "reconstruction_share_final": 0.04,
        "legitimacy_mean": 0.5,
        "grievance_mean": 0.7,
        "idf_held_share_final": 0.4,
        "idf_held_share_mean": 0.482,  # (0.53 + 0.53 + 0.5 + 0.45 + 0.4) / 5
        "mean_isf_troops": 140.0,
        "palestinians_killed": 30.0,
        "line_fire_deaths": 3.0,
        "killed_per_day_holding": 4.0,  # days 0-2: (3 + 3 + 6) / 3
        "civilian_deaths_per_day_holding": 2.0,  # (0 + 2 + 4) / 3
        "collapse_risk": 0.64,  # 1 - 0.9 x 0.8 x 0.5 x 1 x 1
        "collapse_hazard_per_year": 365.0 * 0.8 / 3,  # days 0-2
        "fighters_mean": 1200.0,
        "force_cover_mean": 0.2,
        "events_fired": 2.0,
        "forecast_troops_final": 60.0,
        "deal_troops_final": 1.0,
        "deal_mandate_final": 0.0,
    }
    for key, value in expected.items():
        assert summary[key] == pytest.approx(value, rel=1e-12, abs=1e-12), key
    # no deal on the mandate on the last day: a NaN forecast, not a number
    assert math.isnan(summary["forecast_mandate_final"])
    assert set(summary) == set(expected) | {"forecast_mandate_final"}


def test_summary_of_a_run_that_held_is_censored_at_the_horizon() -> None:
    summary = summarise(recorded(), collapse_day=None, horizon=365)
    assert summary["ceasefire_collapsed"] is False
    assert summary["days_to_collapse"] == 365.0
    # every day counts while the ceasefire held
    assert summary["civilian_deaths_per_day_holding"] == pytest.approx(4.0)  # 20 / 5
    assert summary["killed_per_day_holding"] == pytest.approx(6.0)  # 30 / 5
    assert summary["collapse_hazard_per_year"] == pytest.approx(365.0 * 0.8 / 5)
    # totals do not depend on the collapse
    assert summary["incidents"] == 15.0 and summary["collapse_risk"] == pytest.approx(0.64)


def test_a_collapse_on_the_first_day_leaves_no_holding_days() -> None:
    summary = summarise(recorded(), collapse_day=0, horizon=HORIZON)
    assert summary["days_to_collapse"] == 0.0 and summary["ceasefire_collapsed"] is True
    assert math.isnan(summary["civilian_deaths_per_day_holding"])
    assert math.isnan(summary["collapse_hazard_per_year"])


def test_no_weapons_at_the_start_gives_a_zero_share_not_a_division_by_zero() -> None:
    daily = recorded()
    daily["weapons_remaining"] = 0.0
    daily["weapons_decommissioned"] = 0.0
    assert summarise(daily, None, HORIZON)["weapons_decommissioned_share"] == 0.0
    # fewer than one weapon at the start: the share is taken against one weapon
    daily.loc[HORIZON - 1, "weapons_decommissioned"] = 0.5
    assert summarise(daily, None, HORIZON)["weapons_decommissioned_share"] == 0.5


def test_the_model_fills_every_daily_series_once() -> None:
    filled = [*DayViolence.RECORDED, *RECORDED_BY_MODEL]
    assert sorted(filled) == sorted(DAILY_SERIES)  # each series once, none missing


def test_rows_are_written_where_their_names_say() -> None:
    recorder = DailyRecorder(3, ["a"])
    rows = recorder.rows(["incidents", "deal_a", "strikes"])
    recorder.record_rows(1, rows, [4.0, 1.0, 2.0])
    frame = recorder.frame()
    assert frame.loc[1, ["incidents", "deal_a", "strikes"]].tolist() == [4.0, 1.0, 2.0]
    assert frame.loc[[0, 2], ["incidents", "deal_a", "strikes"]].to_numpy().sum() == 0.0
    assert list(frame.columns[:3]) == ["day", "ceasefire_status", "incidents"]
