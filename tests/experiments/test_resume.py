"""Killed with SIGKILL mid-batch, a rerun completes with results identical to an unbroken batch."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from sim.experiments import load_results, run_experiment
from sim.scenario.schema import Scenario

from .conftest import comparable
from .fake_model import fake_model

SCRIPT = Path(__file__).with_name("kill_and_resume.py")
REPS = 16


def finished_runs(folder: Path) -> int:
    runs = folder / "runs"
    if not runs.exists():
        return 0
    return sum(1 for p in runs.glob("*.parquet") if not p.name.endswith(".daily.parquet"))


def group_alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def kill_mid_batch(folder: Path, executor: str) -> int:
    """SIGKILL the batch's main process mid-way; its pool workers must then exit by themselves."""
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), str(folder), str(REPS), executor],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: workers and forkserver join it
    )
    group = process.pid
    try:
        deadline = time.monotonic() + 60
        while finished_runs(folder) < 8 and time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"the batch ended before it was killed: {process.stderr.read()!r}")
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        done = finished_runs(folder)
        # orphaned pool workers notice within about a second and exit, freeing the forkserver
        deadline = time.monotonic() + 15
        while group_alive(group) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not group_alive(group), "processes of the killed batch were left behind"
        return done
    finally:
        if group_alive(group):
            os.killpg(group, signal.SIGKILL)  # never leave orphans, even when the test fails


@pytest.mark.parametrize("executor", ["serial", "pool"])
def test_sigkill_then_rerun_equals_an_unbroken_batch(
    corners: list[Scenario], tmp_path: Path, executor: str
) -> None:
    folder = tmp_path / "killed"
    done_before = kill_mid_batch(folder, executor)
    assert 8 <= done_before < 2 * REPS, "the kill should land mid-batch"
    # every file left behind is whole: each Parquet file reads
    for path in (folder / "runs").iterdir():
        assert not path.name.endswith(".tmp")
        pd.read_parquet(path)
    # the killed folder opens with what finished, marked as interrupted
    killed = load_results(folder)
    assert len(killed.summary) == done_before and killed.interrupted
    # the killed batch ran slow_model, which only adds a sleep to fake_model (so the sleep,
    # needed to kill it mid-way, can be skipped from here on)
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
