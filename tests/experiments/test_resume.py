"""Killed with SIGKILL mid-batch, a rerun completes with results identical to an unbroken batch.

The batch stops at a gate after a known number of runs, and the test waits on events (the count
of run files, the killed processes gone), never on a wall-clock deadline: see batch_process.py.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pandas as pd
import pytest

from sim.experiments import load_results, run_experiment
from sim.scenario.schema import Scenario

from .batch_process import (
    finished_runs,
    group_alive,
    kill_group_now,
    start_gated_batch,
    wait_for,
)
from .conftest import comparable
from .fake_model import fake_model

REPS = 16
GATE_AFTER = 4  # replications 0-3 of both scenarios finish: exactly 8 runs before the kill


def kill_mid_batch(folder: Path, executor: str) -> int:
    """SIGKILL the batch's main process at the gate; its pool workers then exit by themselves."""
    process = start_gated_batch(folder, REPS, executor, GATE_AFTER)
    group = process.pid
    try:
        wait_for(lambda: finished_runs(folder) >= 2 * GATE_AFTER, "8 finished runs", process)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        # orphaned pool workers notice their parent is gone (within about a second) and exit,
        # freeing the forkserver: wait for that event, not for a clock
        wait_for(lambda: not group_alive(group), "exit of the killed batch's processes")
        return finished_runs(folder)
    finally:
        kill_group_now(group)  # never leave orphans, even when the test fails


@pytest.mark.parametrize("executor", ["serial", "pool"])
def test_sigkill_then_rerun_equals_an_unbroken_batch(
    corners: list[Scenario], tmp_path: Path, executor: str
) -> None:
    folder = tmp_path / "killed"
    done_before = kill_mid_batch(folder, executor)
    assert done_before == 2 * GATE_AFTER, "the batch stands still at the gate until killed"
    # every file left behind is whole: each Parquet file reads
    for path in (folder / "runs").iterdir():
        assert not path.name.endswith(".tmp")
        pd.read_parquet(path)
    # the killed folder opens with what finished, marked as interrupted
    killed = load_results(folder)
    assert len(killed.summary) == done_before and killed.interrupted
    # the killed batch ran gated_model, which only adds a wait to fake_model (so the gate,
    # needed to kill it at a known point, can be skipped from here on)
    resumed = run_experiment(
        corners, REPS, out_dir=folder, executor="serial", model=fake_model, daily=True
    )
    session = resumed.manifest["sessions"][-1]
    assert session["skipped"] == done_before
    assert session["finished"] == 2 * REPS - done_before
    unbroken = run_experiment(
        corners,
        REPS,
        seed=5,
        out_dir=tmp_path / "unbroken",
        executor="serial",
        model=fake_model,
        daily=True,
    )
    pd.testing.assert_frame_equal(comparable(resumed.summary), comparable(unbroken.summary))
    assert resumed.daily is not None and unbroken.daily is not None
    pd.testing.assert_frame_equal(resumed.daily, unbroken.daily)
