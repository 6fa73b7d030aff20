"""The runner with the lab's real model, for a few replications."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.analysis.compare import compare_results
from sim.experiments import run_experiment
from sim.model.outcomes import DAILY_SERIES
from sim.scenario.schema import Scenario

from .conftest import comparable

SUMMARY_KEYS = {
    "ceasefire_collapsed",
    "days_to_collapse",
    "incidents",
    "civilian_deaths",
    "isf_deaths",
    "police_deaths",
    "idf_deaths",
    "contributors_withdrawn",
    "peak_isf_troops",
    "final_police_officers",
    "secure_population_share_final",
    "secure_population_share_mean",
    "weapons_decommissioned_share",
    "aid_delivered_share_mean",
    "reconstruction_share_final",
    "legitimacy_mean",
    "grievance_mean",
    "idf_held_share_final",
}


@pytest.fixture(scope="module")
def serial_run(corners: list[Scenario], tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    result = run_experiment(
        corners, 3, seed=17, out_dir=tmp_path_factory.mktemp("real"), executor="serial", daily=True
    )
    assert result.ok, result.failures
    return result.summary


def test_real_model_runs_are_stored_with_every_outcome(
    corners: list[Scenario], serial_run: pd.DataFrame, tmp_path: Path
) -> None:
    assert set(serial_run.columns) >= SUMMARY_KEYS
    assert any(c.startswith("forecast_") for c in serial_run.columns)
    assert len(serial_run) == 6
    assert (serial_run["days_to_collapse"] <= corners[0].metadata.horizon_days).all()
    # the censoring rule: a run that did not collapse reports the horizon
    held = serial_run[~serial_run["ceasefire_collapsed"].astype(bool)]
    assert (held["days_to_collapse"] == corners[0].metadata.horizon_days).all()


def test_real_model_is_reproducible_across_executors(
    corners: list[Scenario], serial_run: pd.DataFrame, tmp_path: Path
) -> None:
    pooled = run_experiment(
        corners, 3, seed=17, out_dir=tmp_path, executor="pool", workers=2, daily=True
    )
    pd.testing.assert_frame_equal(comparable(pooled.summary), comparable(serial_run))
    assert pooled.daily is not None
    assert set(DAILY_SERIES) <= set(pooled.daily.columns)
    comparison = compare_results(pooled, baseline=corners[0].metadata.name)
    assert not comparison.differences.empty
    assert comparison.daily_bands is not None and not comparison.daily_bands.empty


def test_batch_runs_leave_out_only_the_political_log(corners: list[Scenario]) -> None:
    from sim.experiments import tasks
    from sim.model.run import run_scenario

    scenario, seed = corners[0], 5
    batch = tasks.default_model()(scenario, seed, record_daily=True)
    full = run_scenario(scenario, seed, record_daily=True)
    assert batch.politics is None and full.politics is not None and len(full.politics) > 0
    assert batch.daily is not None and batch.daily.equals(full.daily)
    assert pd.Series(batch.summary, dtype=float).equals(pd.Series(full.summary, dtype=float))
    assert batch.positions is not None and batch.positions.equals(full.positions)
