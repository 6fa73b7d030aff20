"""One writer per results folder: a second batch is refused at once with a clear message.

A slow batch runs in a subprocess; while it holds the folder, a second batch (library and CLI)
is refused and changes nothing; reading the folder works and moves nothing. After the holder is
killed with SIGKILL the kernel frees the lock and a rerun completes the batch.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sim.experiments import load_results, run_experiment
from sim.experiments.store import OWNER_NAME, FolderLockedError
from sim.scenario.loader import SCENARIOS_DIR
from sim.scenario.schema import Scenario

from .fake_model import fake_model

SCRIPT = Path(__file__).with_name("kill_and_resume.py")
LIMIT_S = 120  # generous: only reached when something is broken


def wait_for(condition: object, what: str, process: subprocess.Popen[bytes]) -> None:
    """Wait on an event (a file, a count), failing only after a generous limit."""
    give_up = time.monotonic() + LIMIT_S
    while not condition():  # type: ignore[operator]
        if process.poll() is not None:
            pytest.fail(f"the holder ended before {what}: {process.stderr.read()!r}")  # type: ignore[union-attr]
        if time.monotonic() > give_up:
            pytest.fail(f"no {what} after {LIMIT_S} s")
        time.sleep(0.02)


def finished(folder: Path) -> int:
    return sum(1 for p in (folder / "runs").glob("*__r*.parquet") if ".daily" not in p.name)


def test_second_writer_is_refused(
    tmp_path: Path, corners: list[Scenario], capsys: pytest.CaptureFixture[str]
) -> None:
    from sim.cli import main

    folder = tmp_path / "shared"
    files = ["hamas-accepts-turkey-included", "hamas-rejects-turkey-vetoed"]
    holder = subprocess.Popen(
        [sys.executable, str(SCRIPT), str(folder), "400", "serial"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        wait_for(lambda: (folder / OWNER_NAME).exists() and finished(folder) >= 2, "runs", holder)
        with pytest.raises(FolderLockedError, match=f"pid {holder.pid}") as info:
            run_experiment(corners, 2, out_dir=folder, executor="serial", model=fake_model)
        assert "wait for it to finish, or use another --out folder" in str(info.value)
        argv = ["batch", *(str(SCENARIOS_DIR / f"{name}.yaml") for name in files), "-n", "2"]
        with pytest.raises(SystemExit) as exit_info:
            main([*argv, "--out", str(folder), "--executor", "serial"])
        assert exit_info.value.code == 2
        assert "is being written by another batch" in capsys.readouterr().err
        # a reader is served and moves nothing while the batch writes
        seen = load_results(folder)
        assert len(seen.summary) >= 2 and seen.rejected == []
        assert not (folder / "rejected").exists()
        manifest = json.loads((folder / "manifest.json").read_text())
        assert len(manifest["sessions"]) == 1  # the refused writers left no trace
    finally:
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait()
    # the kernel released the dead holder's lock: a rerun takes the folder and completes it
    result = run_experiment(
        [SCENARIOS_DIR / f"{name}.yaml" for name in files],
        4,
        out_dir=folder,
        executor="serial",
        model=fake_model,
        daily=True,
    )
    assert len(result.summary) == 8 and result.missing == []
    assert len(json.loads((folder / "manifest.json").read_text())["sessions"]) == 2
