"""The app server's worker pool: made once, warmed at once, replaced after a crash."""

from __future__ import annotations

import concurrent.futures as cf
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.experiments import app_runs
from sim.experiments.app_runs import app_workers, discard_server_pool, server_pool

WARM_TIMEOUT_S = 300  # a loaded 2-core machine: the workers import the model


@pytest.fixture(autouse=True)
def no_pool_left() -> Iterator[None]:
    discard_server_pool()
    yield
    discard_server_pool()


def test_workers_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISF_LAB_WORKERS", "3")
    assert app_workers() == 3
    monkeypatch.setenv("ISF_LAB_WORKERS", "0")
    assert app_workers() == 1
    monkeypatch.setenv("ISF_LAB_WORKERS", "many")
    assert app_workers() == len(os.sched_getaffinity(0))


def test_one_worker_means_no_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISF_LAB_WORKERS", "1")
    assert server_pool() is None
    assert server_pool(1) is None
    assert not app_runs._SERVER_POOL


def test_the_pool_is_made_once_and_warms_every_worker() -> None:
    pool = server_pool(2)
    assert pool is not None and pool.size == 2
    assert len(pool.warming) == 2  # one warm-up per worker, submitted when the pool was made
    assert server_pool(2) is pool  # every session gets the same pool
    pids = {future.result(timeout=WARM_TIMEOUT_S) for future in pool.warming}
    assert os.getpid() not in pids  # the model was imported in worker processes
    assert pool.is_warm()


def test_a_broken_pool_is_replaced_and_an_old_one_left_alone() -> None:
    first = server_pool(2)
    assert first is not None
    discard_server_pool(first)
    with pytest.raises(RuntimeError):  # shut down
        first.executor.submit(os.getpid)
    second = server_pool(2)
    assert second is not None and second is not first
    discard_server_pool(first)  # a stale handle (another session already replaced it)
    assert server_pool(2) is second
    assert second.executor.submit(os.getpid).result(timeout=WARM_TIMEOUT_S) != os.getpid()


def test_is_warm_is_false_until_every_worker_has_answered() -> None:
    pending: cf.Future[int] = cf.Future()
    done: cf.Future[int] = cf.Future()
    done.set_result(1)
    pool = app_runs.ServerPool(cf.ThreadPoolExecutor(1), 2, [done, pending])  # type: ignore[arg-type]
    assert not pool.is_warm()
    pending.set_exception(RuntimeError("worker failed to import the model"))
    assert not pool.is_warm()
    pool.executor.shutdown()


def test_current_pool_never_makes_one() -> None:
    assert app_runs.current_server_pool() is None
    pool = server_pool(2)
    assert app_runs.current_server_pool() is pool


def test_the_warm_up_simulates_a_week_and_a_round_of_the_base_scenario(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    days: list[int] = []

    class CountingModel(app_runs.GazaModel):
        def step(self) -> None:
            days.append(self.day)
            super().step()

    monkeypatch.setattr(app_runs, "GazaModel", CountingModel)
    assert app_runs.warm_up() == os.getpid()
    assert days == list(range(app_runs.WARM_UP_DAYS))
    assert app_runs.WARM_UP_DAYS > 7  # the first political round is at the end of day 7


def test_the_warm_up_without_a_base_scenario_still_answers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(app_runs, "SCENARIOS_DIR", tmp_path)  # no base.yaml there
    assert app_runs.warm_up() == os.getpid()
