"""Fan charts draw at most ``FAN_POINTS`` days per line, with the values of those days."""

from __future__ import annotations

import numpy as np
import pandas as pd

from sim.analysis.charts import FAN_POINTS, fan_chart, thinned_days


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
