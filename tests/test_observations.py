"""The observations file and its loader: sources, windows, the calibration cut-off, statistics."""

from __future__ import annotations

import importlib.util
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.experiments.observations import (
    CALIBRATION_END,
    OBSERVATIONS_FILE,
    load_observations,
    simulated_statistics,
)
from sim.model.outcomes import DAILY_SERIES
from sim.scenario.errors import ScenarioError

ROOT = Path(__file__).resolve().parents[1]
MOH_CSV = ROOT.parent / "shared/data/gaza_moh_daily_2025-10-01_2026-01-31.csv"

ONE = """day_zero: 2025-10-10
observations:
  - id: deaths_nov
    description: test
    series: [civilian_deaths]
    statistic: sum
    start: {start}
    end: {end}
    value: 99
    sd: 12
    unit: deaths
    uncertainty_basis: test
    source: test outlet, 1 Dec 2025
    use: {use}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "obs.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_project_file_loads_with_sources_and_calibration_window() -> None:
    observations = load_observations(OBSERVATIONS_FILE)
    calibration = observations.for_use("calibration")
    assert len(calibration) >= 8
    assert observations.for_use("out_of_sample")
    for observation in calibration:
        assert observation.end <= CALIBRATION_END
        assert observation.source and observation.uncertainty_basis
    # day 0 is the ceasefire of 10 Oct 2025; 31 Jan 2026 is day 113
    totals = {o.id: o for o in observations.observations}
    assert totals["moh_killed_peak_day"].days == (1, 113)
    assert totals["moh_killed_2026_01"].days == (83, 113)


def test_every_observation_names_a_model_series() -> None:
    for observation in load_observations().observations:
        assert set(observation.series) <= set(DAILY_SERIES), observation.id


def test_calibration_after_january_2026_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, ONE.format(start="2026-01-20", end="2026-02-05", use="calibration"))
    with pytest.raises(ScenarioError) as caught:
        load_observations(path)
    problem = caught.value.problems[0]
    assert "2026-01-31" in problem.message and problem.line == 3
    assert "out_of_sample" in (problem.hint or "")
    # the same window is accepted as an out-of-sample check
    path = write(tmp_path, ONE.format(start="2026-01-20", end="2026-02-05", use="out_of_sample"))
    assert load_observations(path).observations[0].days == (102, 118)


def test_bad_fields_are_reported_with_line_and_hint(tmp_path: Path) -> None:
    text = ONE.format(start="2025-11-01", end="2025-11-30", use="tuning").replace(
        "    unit: deaths\n", "    unit: deaths\n    weight: 3\n"
    )
    with pytest.raises(ScenarioError) as caught:
        load_observations(write(tmp_path, text))
    report = caught.value.report()
    assert "weight" in report and "use" in report
    assert all(p.line is not None and p.line > 2 for p in caught.value.problems)


def test_model_days_must_agree_with_dates(tmp_path: Path) -> None:
    text = ONE.format(start="2025-11-01", end="2025-11-30", use="calibration").replace(
        "    value: 99\n", "    start_day: 20\n    value: 99\n"
    )
    with pytest.raises(ScenarioError, match="start_day 20 disagrees"):
        load_observations(write(tmp_path, text))
    before = ONE.format(start="2025-10-01", end="2025-10-30", use="calibration")
    with pytest.raises(ScenarioError, match="before day zero"):
        load_observations(write(tmp_path, before))


@pytest.mark.skipif(not MOH_CSV.exists(), reason="the shared ministry data are not on this machine")
def test_death_counts_are_the_ministry_sums() -> None:
    spec = importlib.util.spec_from_file_location(
        "moh_period_sums", ROOT / "scripts/moh_period_sums.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["moh_period_sums"] = module
    spec.loader.exec_module(module)
    sums = module.period_sums(MOH_CSV).set_index("id")
    observations = {o.id: o for o in load_observations().observations}
    for name in (
        "moh_killed_2025_10",
        "moh_killed_2025_11",
        "moh_killed_2025_12",
        "moh_killed_2026_01",
    ):
        assert observations[name].value == sums.loc[name, "sum"]
        assert observations[name].sd == pytest.approx(sums.loc[name, "sd"], abs=0.05)
        assert observations[name].start == date.fromisoformat(sums.loc[name, "start"])
    assert observations["moh_killed_peak_day"].value == sums.loc["moh_killed_total", "daily_max"]


def test_statistics_over_windows(tmp_path: Path) -> None:
    text = ONE.format(start="2025-10-11", end="2025-10-13", use="calibration")
    base = load_observations(write(tmp_path, text)).observations[0]
    variants = [
        base.model_copy(update={"id": s, "statistic": s}) for s in ("sum", "mean", "max", "final")
    ]
    days = np.arange(6)
    daily = pd.concat(
        [
            pd.DataFrame(
                {
                    "scenario": "a",
                    "replication": r,
                    "day": days,
                    "civilian_deaths": (days + 1.0) * (r + 1),
                }
            )
            for r in range(2)
        ]
    )
    stats = simulated_statistics(daily, variants).set_index("replication")
    # days 1..3 hold 2, 3, 4 (replication 0) and 4, 6, 8 (replication 1)
    assert stats.loc[0, "sum"] == 9 and stats.loc[1, "sum"] == 18
    assert stats.loc[0, "mean"] == 3 and stats.loc[1, "max"] == 8
    assert stats.loc[0, "final"] == 4 and stats.loc[1, "final"] == 8
    with pytest.raises(ValueError, match="lack daily series"):
        simulated_statistics(daily.drop(columns="civilian_deaths"), variants)
    late = base.model_copy(update={"end_day": 10})
    with pytest.raises(ValueError, match="needs day 10"):
        simulated_statistics(daily, [late])


def test_holding_observations_leave_out_collapsed_runs(tmp_path: Path) -> None:
    text = ONE.format(start="2025-10-11", end="2025-10-13", use="calibration")
    holding = load_observations(write(tmp_path, text)).observations[0]
    holding = holding.model_copy(update={"given": "holding"})
    days = np.arange(6)
    daily = pd.concat(
        [
            pd.DataFrame(
                {"scenario": "a", "replication": r, "day": days, "civilian_deaths": 1.0 + r}
            )
            for r in range(3)
        ]
    )
    # replication 0 collapses on day 2 (inside the window), 1 on day 5 (after it), 2 never
    summary = pd.DataFrame(
        {
            "scenario": "a",
            "replication": [0, 1, 2],
            "ceasefire_collapsed": [True, True, False],
            "days_to_collapse": [2.0, 5.0, 6.0],
        }
    )
    stats = simulated_statistics(daily, [holding], summary).set_index("replication")
    assert np.isnan(stats.loc[0, holding.id])
    assert stats.loc[1, holding.id] == 6 and stats.loc[2, holding.id] == 9
    with pytest.raises(ValueError, match="holding runs only"):
        simulated_statistics(daily, [holding])


def test_preferred_series_replace_the_default_when_the_model_has_them() -> None:
    from sim.experiments.observations import resolve_series

    observations = {o.id: o for o in load_observations().observations}
    monthly = observations["moh_killed_2025_11"]
    assert monthly.preferred is not None
    (old,) = resolve_series([monthly], ["civilian_deaths"])
    assert old.series == ["civilian_deaths"] and old.discrepancy_sd == monthly.discrepancy_sd
    (new,) = resolve_series([monthly], ["civilian_deaths", "palestinians_killed"])
    assert new.series == ["palestinians_killed"]
    assert new.discrepancy_sd == monthly.preferred.discrepancy_sd < monthly.discrepancy_sd
