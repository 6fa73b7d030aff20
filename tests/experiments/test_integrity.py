"""Run files carry identity and a content hash; tampered, corrupt and truncated ones are caught.

Each case tampers with a finished folder the way the hardening review did, then reruns the same
batch: every bad file is named with its reason, set aside and recomputed, and the summary equals
an untouched batch's (no duplicated or missing replication).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from sim.experiments import load_results, run_experiment
from sim.experiments.integrity import IDENTITY_KEY
from sim.scenario.schema import Scenario

from .conftest import comparable
from .fake_model import fake_model

REPS = 4


def batch(folder: Path, scenarios: list[Scenario], seed: int = 5) -> object:
    return run_experiment(
        scenarios, REPS, out_dir=folder, seed=seed, executor="serial", model=fake_model
    )


@pytest.fixture
def reference(tmp_path: Path, corners: list[Scenario]) -> pd.DataFrame:
    return comparable(batch(tmp_path / "reference", corners).summary)


def run_file(folder: Path, scenario: Scenario, replication: int) -> Path:
    return folder / "runs" / f"{scenario.metadata.name}__r{replication:05d}.parquet"


def copy_over(folder: Path, corners: list[Scenario]) -> list[str]:
    shutil.copy(run_file(folder, corners[0], 2), run_file(folder, corners[0], 1))
    return [run_file(folder, corners[0], 1).name]


def edit_value(folder: Path, corners: list[Scenario]) -> list[str]:
    path = run_file(folder, corners[1], 0)
    table = pq.read_table(path)
    frame = table.to_pandas()
    frame["civilian_deaths"] = -5.0
    edited = pq.read_table(path).schema.metadata  # keep the identity: only the content changes
    import pyarrow as pa

    new = pa.Table.from_pandas(frame, preserve_index=False).replace_schema_metadata(edited)
    pq.write_table(new, path)
    return [path.name]


def corrupt_and_truncate(folder: Path, corners: list[Scenario]) -> list[str]:
    first, second = run_file(folder, corners[0], 3), run_file(folder, corners[1], 2)
    first.write_bytes(b"not parquet at all")
    second.write_bytes(second.read_bytes()[: len(second.read_bytes()) // 2])
    return [first.name, second.name]


def strip_identity(folder: Path, corners: list[Scenario]) -> list[str]:
    path = run_file(folder, corners[1], 3)
    table = pq.read_table(path)
    metadata = {k: v for k, v in (table.schema.metadata or {}).items() if k != IDENTITY_KEY}
    pq.write_table(table.replace_schema_metadata(metadata), path)
    return [path.name]


def foreign_run(folder: Path, corners: list[Scenario]) -> list[str]:
    other = folder.parent / "other-seed"
    batch(other, corners, seed=99)
    shutil.copy(run_file(other, corners[0], 0), run_file(folder, corners[0], 0))
    return [run_file(folder, corners[0], 0).name]


TAMPERS = [copy_over, edit_value, corrupt_and_truncate, strip_identity, foreign_run]


@pytest.mark.parametrize("tamper", TAMPERS, ids=lambda f: f.__name__)
def test_tampered_runs_are_named_set_aside_and_recomputed(
    tamper: object, tmp_path: Path, corners: list[Scenario], reference: pd.DataFrame
) -> None:
    folder = tmp_path / "batch"
    batch(folder, corners)
    bad = tamper(folder, corners)  # type: ignore[operator]
    # reading the results names every bad file and leaves it out
    loaded = load_results(folder)
    assert sorted(line.split(":")[0] for line in loaded.rejected) == sorted(
        f"runs/{name}" for name in bad
    )
    assert len(loaded.summary) == 2 * REPS - len(bad)
    # the batch rerun recomputes them: the summary equals an untouched batch's
    again = batch(folder, corners)
    assert again.rejected == [] or all("runs/" in line for line in again.rejected)
    assert again.missing == []
    summary = again.summary
    assert not summary.duplicated(["scenario", "replication"]).any()
    assert (summary["civilian_deaths"] >= 0).all()
    pd.testing.assert_frame_equal(comparable(summary), reference)
    assert all((folder / "rejected" / name).exists() for name in bad)


def test_messages_say_why(tmp_path: Path, corners: list[Scenario]) -> None:
    folder = tmp_path / "batch"
    batch(folder, corners)
    copy_over(folder, corners)
    edit_value(folder, corners)
    corrupt_and_truncate(folder, corners)
    reasons = " | ".join(load_results(folder).rejected)
    assert "copied over another run" in reasons
    assert "content changed" in reasons
    assert reasons.count("corrupt or truncated") == 2


def test_cli_names_every_rejected_file(
    tmp_path: Path, corners: list[Scenario], capsys: pytest.CaptureFixture[str]
) -> None:
    from sim.cli import main

    folder = tmp_path / "batch"
    batch(folder, corners)
    names = corrupt_and_truncate(folder, corners) + copy_over(folder, corners)
    with pytest.raises(SystemExit) as info:
        main(["compare", str(folder)])
        raise SystemExit(0)
    assert info.value.code == 0
    err = capsys.readouterr().err
    assert "3 run file(s) failed their check" in err
    for name in names:
        assert f"runs/{name}:" in err
    assert "rerun the batch command" in err


def test_other_per_run_files_are_not_taken_for_summaries(
    tmp_path: Path, corners: list[Scenario], reference: pd.DataFrame
) -> None:
    """Another table per run (e.g. positions) may live in runs/ without being checked as one."""
    folder = tmp_path / "batch"
    batch(folder, corners)
    extra = folder / "runs" / f"{corners[0].metadata.name}__r00000.positions.parquet"
    pd.DataFrame({"x": [1.0]}).to_parquet(extra)
    loaded = load_results(folder)
    assert loaded.rejected == [] and extra.exists()
    pd.testing.assert_frame_equal(comparable(loaded.summary), reference)
