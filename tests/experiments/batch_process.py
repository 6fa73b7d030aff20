"""A batch in a subprocess that stops at a known point, and waiting on events (not clocks).

Tests that kill or race a batch used to poll against wall-clock deadlines and flaked when the
machine was loaded. Here the batch runs ``gated_model``: it finishes exactly the replications
before the gate and then stands still, so a test waits for an *event* (a count of run files, a
file appearing, a process group gone) with a generous limit that only a real failure reaches.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from .fake_model import GATE_AFTER_ENV, GATE_ENV

SCRIPT = Path(__file__).with_name("kill_and_resume.py")
LIMIT_S = 300.0  # generous: reached only when something is broken, never by a slow machine
POLL_S = 0.02


def finished_runs(folder: Path) -> int:
    """Run summaries written so far (daily files and temporaries not counted)."""
    runs = folder / "runs"
    if not runs.exists():
        return 0
    return sum(1 for p in runs.glob("*.parquet") if not p.name.endswith(".daily.parquet"))


def start_gated_batch(
    folder: Path, reps: int, executor: str, gate_after: int
) -> subprocess.Popen[bytes]:
    """Start a batch whose replications ``gate_after`` and later wait for a gate never opened."""
    env = {
        **os.environ,
        GATE_ENV: str(folder.parent / f"{folder.name}.gate-never-opened"),
        GATE_AFTER_ENV: str(gate_after),
    }
    return subprocess.Popen(
        [sys.executable, str(SCRIPT), str(folder), str(reps), executor],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: workers and forkserver join it
        env=env,
    )


def wait_for(
    condition: Callable[[], bool],
    what: str,
    process: subprocess.Popen[bytes] | None = None,
    limit: float = LIMIT_S,
) -> None:
    """Wait until ``condition()`` holds; fail if ``process`` dies first or after ``limit``."""
    give_up = time.monotonic() + limit
    while not condition():
        if process is not None and process.poll() is not None:
            error = process.stderr.read() if process.stderr else b""
            pytest.fail(f"the batch ended before {what}: {error!r}")
        if time.monotonic() > give_up:
            pytest.fail(f"still no {what} after {limit:.0f} s")
        time.sleep(POLL_S)


def group_alive(group: int) -> bool:
    """Whether any process of the group is still there."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def kill_group_now(group: int) -> None:
    """Make sure nothing of a test's batch survives the test."""
    if group_alive(group):
        os.killpg(group, signal.SIGKILL)
