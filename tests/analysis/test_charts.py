"""Fan charts draw at most ``FAN_POINTS`` days per line, with the values of those days."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.charts import FAN_POINTS, fan_chart, fan_grid, thinned_days


def _bands(days: int) -> pd.DataFrame:
    rows = [
        {"scenario": s, "series": "incidents", "day": d, "median": d + k, "p10": d, "p90": 2 * d}
        for k, s in enumerate(("a", "b"))
        for d in range(days)
    ]
    return pd.DataFrame(rows)


def test_a_year_is_drawn_weekly_with_its_first_and_last_day() -> None:
    bands = _bands(365)
    data = fan_chart(bands, "incidents", ["a", "b"]).to_dict()["datasets"]
    (table,) = (pd.DataFrame(rows) for rows in data.values())
    days = sorted(table["day"].unique())
    assert len(days) <= FAN_POINTS + 1
    assert days[0] == 0 and days[-1] == 364
    assert set(np.diff(days)) <= {7}
    merged = table.merge(bands, on=["scenario", "series", "day"], suffixes=("", "_all"))
    assert len(merged) == len(table) == 2 * len(days)
    assert (merged["median"] == merged["median_all"]).all()  # values unchanged


def test_short_series_keep_every_day_and_the_last_day_is_kept_off_the_stride() -> None:
    assert len(thinned_days(_bands(40), FAN_POINTS)) == 80
    kept = thinned_days(_bands(100), 30)["day"].unique().tolist()
    assert kept[:3] == [0, 4, 8] and kept[-2:] == [96, 99]


def _two_series(days: int) -> pd.DataFrame:
    incidents = _bands(days)
    deaths = incidents.assign(series="civilian_deaths", median=incidents["median"] * 10)
    return pd.concat([incidents, deaths], ignore_index=True)


def test_the_fan_grid_is_one_chart_with_a_panel_per_series_in_the_order_asked() -> None:
    spec = fan_grid(_two_series(365), ["civilian_deaths", "incidents"], ["a", "b"]).to_dict()
    assert spec["columns"] == 2
    assert spec["resolve"]["scale"]["y"] == "independent"  # deaths and incidents differ 10x
    panels = spec["facet"]["sort"]
    assert panels[0].startswith("Civilian deaths") and panels[1].startswith("Incidents")
    (rows,) = spec["datasets"].values()
    table = pd.DataFrame(rows)
    assert set(table["panel"]) == set(panels)
    per_panel = table.groupby("panel")["day"].nunique()
    assert (per_panel <= FAN_POINTS + 1).all() and (per_panel > FAN_POINTS // 2).all()


def test_the_fan_grid_skips_series_without_values_and_says_when_none_has_any() -> None:
    spec = fan_grid(_bands(30), ["incidents", "isf_troops"], ["a", "b"]).to_dict()
    assert len(spec["facet"]["sort"]) == 1
    empty = fan_grid(_bands(30), ["isf_troops"], ["a", "b"]).to_dict()
    assert "facet" not in empty and "isf_troops" in str(empty)


def test_each_series_of_the_fan_grid_is_thinned_on_its_own_days() -> None:
    daily = _bands(365)
    weekly = _bands(365)
    weekly = weekly[weekly["day"] % 7 == 6].assign(series="civilian_deaths")
    spec = fan_grid(pd.concat([daily, weekly]), ["incidents", "civilian_deaths"], ["a", "b"])
    (rows,) = spec.to_dict()["datasets"].values()
    table = pd.DataFrame(rows)
    kept = table[table["series"] == "civilian_deaths"]
    assert sorted(kept["day"].unique()) == sorted(weekly["day"].unique())  # 52 days, all kept
    assert len(spec.to_dict()["facet"]["sort"]) == 2
