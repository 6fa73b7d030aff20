"""The same seeds give the same results whatever the executor and worker count."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.experiments import run_experiment
from sim.experiments.executors import SerialExecutor, open_executor
from sim.scenario.schema import Scenario

from .conftest import comparable
from .fake_model import failing_model, fake_model

REPS = 6


@pytest.fixture(scope="module")
def serial_reference(
    corners: list[Scenario], tmp_path_factory: pytest.TempPathFactory
) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("serial")
    result = run_experiment(
        corners, REPS, seed=21, out_dir=out, executor="serial", model=fake_model
    )
    return comparable(result.summary)


@pytest.mark.parametrize("workers", [1, 2])
def test_process_pool_matches_serial(
    corners: list[Scenario], tmp_path: Path, serial_reference: pd.DataFrame, workers: int
) -> None:
    result = run_experiment(
        corners, REPS, seed=21, out_dir=tmp_path, executor="pool", workers=workers, model=fake_model
    )
    pd.testing.assert_frame_equal(comparable(result.summary), serial_reference)
    assert f"{workers} workers" in result.manifest["sessions"][-1]["executor"]


def test_dask_cluster_matches_serial(
    corners: list[Scenario], tmp_path: Path, serial_reference: pd.DataFrame
) -> None:
    distributed = pytest.importorskip("distributed")
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        result = run_experiment(
            corners, REPS, seed=21, out_dir=tmp_path, scheduler=client, model=fake_model
        )
        by_address = run_experiment(
            corners,
            REPS,
            seed=21,
            out_dir=tmp_path / "by-address",
            scheduler=cluster.scheduler_address,
            model=fake_model,
        )
    pd.testing.assert_frame_equal(comparable(result.summary), serial_reference)
    pd.testing.assert_frame_equal(comparable(by_address.summary), serial_reference)
    assert result.manifest["sessions"][-1]["executor"].startswith("dask")


def test_failures_travel_back_from_pool_workers(corners: list[Scenario], tmp_path: Path) -> None:
    result = run_experiment(
        corners, 3, seed=1, out_dir=tmp_path, executor="pool", workers=2, model=failing_model
    )
    assert len(result.summary) == 4
    assert {f["replication"] for f in result.failures} == {2}
    assert "ValueError" in result.failures[0]["error"]


def test_any_concurrent_futures_executor_is_accepted(
    corners: list[Scenario], tmp_path: Path, serial_reference: pd.DataFrame
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(3) as threads:
        result = run_experiment(
            corners, REPS, seed=21, out_dir=tmp_path, executor=threads, model=fake_model
        )
    pd.testing.assert_frame_equal(comparable(result.summary), serial_reference)


def test_unknown_executor_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown executor"), open_executor("gpu"):
        pass


def test_serial_executor_stores_errors_in_the_future() -> None:
    future = SerialExecutor().submit(lambda: 1 / 0)
    assert isinstance(future.exception(), ZeroDivisionError)


def test_dask_workers_with_other_code_are_refused(
    corners: list[Scenario], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stale worker (here: the client pretends to be at another commit) stops the batch."""
    distributed = pytest.importorskip("distributed")
    from sim.experiments import executors

    real = executors.environment_fingerprint()
    assert set(real) == set(executors.FINGERPRINT_KEYS) and real["source_sha256"]
    stale = {**real, "commit": "0" * 40, "schema_sha256": "f" * 64}
    monkeypatch.setattr(executors, "_local_fingerprint", lambda: stale)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
        pytest.raises(executors.WorkerMismatchError) as info,
    ):
        run_experiment(corners, 2, seed=1, out_dir=tmp_path, scheduler=client, model=fake_model)
    message = str(info.value)
    assert "commit" in message and "schema_sha256" in message and "->" in message
    assert "source_sha256" not in message  # only what differs is named
    assert not list((tmp_path / "runs").glob("*.parquet"))  # nothing ran
