"""A store does not read back the run files it has just written, yet still catches edits.

Consolidating a batch used to read and hash every run file it had written seconds before (three
conversions per file); the store now keeps what it wrote, keyed by each file's inode, size and
modification time. These tests check that the shortcut gives the same tables as reading the
files, that a file changed on disk after it was written is read and checked again, and that the
digest computed from the frame before writing is the digest of the file as read back.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sim.experiments.integrity import (
    IDENTITY_KEY,
    content_digest,
    expectations_from,
    read_checked,
    round_trips,
    write_with_identity,
)
from sim.experiments.store import RunStore
from sim.experiments.tasks import RunRecord

SCENARIO = "toy"
HASH = "h" * 64
ENTROPY = 1234


def record(replication: int) -> RunRecord:
    days = np.arange(5)
    daily = pd.DataFrame({"day": days, "incidents": days * 1.5 + replication, "flag": days > 2})
    return RunRecord(
        run_id=f"{SCENARIO}__r{replication:05d}",
        scenario_name=SCENARIO,
        scenario_hash=HASH,
        replication=replication,
        entropy=ENTROPY,
        summary={"incidents": 10.0 + replication, "collapsed": replication % 2 == 0},
        daily=daily,
        duration=0.5,
        worker="test:1",
    )


def new_store(folder: Path, runs: int) -> RunStore:
    store = RunStore(folder)
    store.create()
    store.code = "test-code"
    manifest = {
        "scenarios": {SCENARIO: {"hash": HASH}},
        "seed": {"entropy": ENTROPY},
        "code_versions": ["test-code"],
    }
    store.write_manifest(manifest)
    for replication in range(runs):
        store.save(record(replication))
    return store


def test_consolidating_from_memory_equals_reading_the_files(tmp_path: Path) -> None:
    store = new_store(tmp_path / "batch", 3)
    summary, daily = store.consolidate()
    fresh_summary, fresh_daily = RunStore(tmp_path / "batch").consolidate(write=False)
    pd.testing.assert_frame_equal(summary, fresh_summary)
    assert daily is not None and fresh_daily is not None
    pd.testing.assert_frame_equal(daily, fresh_daily)
    assert list(summary["replication"]) == [0, 1, 2]
    assert len(daily) == 3 * 5


def test_a_file_edited_after_it_was_written_is_checked_again(tmp_path: Path) -> None:
    store = new_store(tmp_path / "batch", 3)
    path = store.runs_dir / f"{SCENARIO}__r00001.parquet"
    table = pq.read_table(path)
    frame = table.to_pandas()
    frame["incidents"] = -5.0  # same size, same identity: only the content changes
    edited = pa.Table.from_pandas(frame, preserve_index=False)
    pq.write_table(edited.replace_schema_metadata(table.schema.metadata), path)
    summary, _ = store.consolidate()  # the same store that wrote it
    assert list(summary["replication"]) == [0, 2]
    assert [r.file for r in store.rejected] == [f"runs/{path.name}"]
    assert "content changed" in store.rejected[0].reason


def test_a_remembered_file_still_needs_the_right_identity(tmp_path: Path) -> None:
    store = new_store(tmp_path / "batch", 2)
    manifest = store.read_manifest()
    assert manifest is not None
    manifest["seed"] = {"entropy": 99}  # the folder now claims another root seed
    expect = expectations_from(manifest)
    assert expect is not None
    rejected = store.check_runs(expect)
    assert len(rejected) == 2  # both summaries (their daily files moved with them)
    assert all("another root seed" in r.reason for r in rejected)


@pytest.mark.parametrize(
    "frame",
    [
        pd.DataFrame({"x": [1.0, np.nan, 3.5], "n": [1, 2, 3], "b": [True, False, True]}),
        pd.DataFrame({"name": ["a", "bé", ""], "v": [0.1, 0.2, 0.3]}),
        pd.DataFrame({"name": ["a", None, "c"], "v": [1, 2, 3]}),
        pd.DataFrame({"small": np.array([1, 2, 3], dtype=np.int32), "v": [1.0, 2.0, 3.0]}),
    ],
    ids=["numbers", "strings", "missing-string", "int32"],
)
def test_the_stamped_digest_is_the_digest_of_the_file_as_read(
    frame: pd.DataFrame, tmp_path: Path
) -> None:
    path = tmp_path / "x.parquet"
    stamped = write_with_identity(path, frame, {"run_id": "x"})
    table = pq.read_table(path)
    assert stamped["content_sha256"] == content_digest(table)
    assert IDENTITY_KEY in (table.schema.metadata or {})
    # the int32 frame is hashed from the table (only 64-bit numbers, bools and strings are
    # hashed as they are)
    assert round_trips(frame) == ("small" not in frame.columns)


def test_read_checked_accepts_a_frame_that_does_not_round_trip(tmp_path: Path) -> None:
    store = new_store(tmp_path / "batch", 1)
    path = store.runs_dir / "toy__r00007.parquet"
    identity = {
        "run_id": "toy__r00007",
        "scenario": SCENARIO,
        "scenario_hash": HASH,
        "replication": 7,
        "seed_entropy": str(ENTROPY),
        "code": "test-code",
    }
    frame = pd.DataFrame({"scenario": [SCENARIO], "replication": np.array([7], dtype=np.int32)})
    assert not round_trips(frame)
    write_with_identity(path, frame, identity)
    manifest = store.read_manifest()
    expect = expectations_from(manifest)
    assert expect is not None
    checked = read_checked(path, expect)
    assert checked.rejected is None
    assert checked.table is not None and list(checked.table["replication"]) == [7]


def test_positions_consolidated_from_memory_equal_the_files(tmp_path: Path) -> None:
    from sim.experiments.positions import consolidate_positions

    store = new_store(tmp_path / "batch", 0)
    for replication in range(3):
        run = record(replication)
        run.positions = pd.DataFrame(
            {
                "day": [7, 7],
                "round": [1, 1],
                "actor": ["us", "hamas"],
                "dimension": ["mandate", "mandate"],
                "position": [80.0 + replication, 20.0],
            }
        )
        store.save_positions(run)
    from_memory = store.consolidate_positions()
    from_files = consolidate_positions(tmp_path / "batch")
    assert from_memory is not None and from_files is not None
    pd.testing.assert_frame_equal(from_memory, from_files)
    assert list(from_memory["replication"].unique()) == [0, 1, 2]
    assert from_memory.loc[from_memory["actor"] == "us", "position"].tolist() == [80.0, 81.0, 82.0]
    store.save_positions(record(5))  # a run without positions stores nothing
    assert not (tmp_path / "batch" / "positions" / "toy__r00005.parquet").exists()
