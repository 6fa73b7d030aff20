"""One writer per results folder: a second batch is refused at once with a clear message.

A batch runs in a subprocess and stands still at a gate (batch_process.py); while it holds the
folder, a second batch (library and CLI) is refused and changes nothing; reading the folder works
and moves nothing. After the holder is killed with SIGKILL the kernel frees the lock and a rerun
completes the batch.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.experiments import load_results, run_experiment
from sim.experiments.store import OWNER_NAME, FolderLockedError
from sim.scenario.loader import SCENARIOS_DIR
from sim.scenario.schema import Scenario

from .batch_process import finished_runs, kill_group_now, start_gated_batch, wait_for
from .fake_model import fake_model

GATE_AFTER = 1  # the holder finishes replication 0 of both scenarios, then stands still


def test_second_writer_is_refused(
    tmp_path: Path, corners: list[Scenario], capsys: pytest.CaptureFixture[str]
) -> None:
    from sim.cli import main

    folder = tmp_path / "shared"
    files = ["hamas-accepts-turkey-included", "hamas-rejects-turkey-vetoed"]
    holder = start_gated_batch(folder, 4, "serial", GATE_AFTER)
    try:
        wait_for(
            lambda: (folder / OWNER_NAME).exists() and finished_runs(folder) >= 2,
            "the holder's first runs",
            holder,
        )
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
        kill_group_now(holder.pid)
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
