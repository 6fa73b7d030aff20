"""The results folder: one small file per finished run, consolidated tables, a manifest.

Layout of an experiment folder::

    manifest.json          what was run, with which code, seeds and scenarios; failures
    design.parquet         the design points (when the experiment has a design)
    scenarios/NAME.yaml    each resolved scenario, as run
    runs/RUN.parquet       one summary row per finished run (written atomically)
    runs/RUN.daily.parquet its daily series (when asked for)
    failures/RUN.json      the error and traceback of a failed run (removed once it succeeds)
    rejected/              run files that failed their identity or content check (kept to inspect)
    summary.parquet        all summary rows (consolidated from runs/)
    daily.parquet          all daily rows: one row per run and day (when asked for)

Every file is written to a temporary name and moved into place with ``os.replace``, so a
killed process leaves either the old file or the new one, never a torn one. Run files carry their
identity and a content hash (:mod:`sim.experiments.integrity`), checked before they are used.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from filelock import FileLock, Timeout

from sim.experiments.integrity import (
    CheckedTable,
    Expectations,
    RejectedRun,
    expectations_from,
    identity_problem,
    read_checked,
    round_trips,
    write_with_identity,
)
from sim.experiments.positions import consolidate_positions, positions_path, run_positions
from sim.experiments.seeds import spawn_key_text
from sim.experiments.tables import arrow_table, write_parquet
from sim.experiments.tasks import RunRecord

ID_COLUMNS = ["scenario", "scenario_hash", "replication", "seed_entropy", "spawn_key", "run_id"]
META_COLUMNS = ["duration_s", "worker"]


def atomic_write(path: Path, write: Callable[[Path], object]) -> None:
    """Write ``path`` through ``write(temporary_path)`` and move it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write a text file atomically."""
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def atomic_write_parquet(path: Path, table: pd.DataFrame) -> None:
    """Write a Parquet file atomically (pyarrow, no index: what ``to_parquet`` writes)."""
    atomic_write(path, lambda tmp: write_parquet(arrow_table(table), tmp))


SUMMARY_FILE = re.compile(r"__r\d{5,}\.parquet$")
DAILY_FILE = re.compile(r"__r\d{5,}\.daily\.parquet$")
LOCK_NAME = ".isf-lab.lock"
OWNER_NAME = ".isf-lab.lock.owner"


KEEP_BYTES = 256 * 2**20
"""Run tables a store keeps in memory after writing or checking them (bytes), so that
consolidating a batch does not read back and re-hash files it has just written."""

FileKey = tuple[int, int, int]


def file_key(path: Path) -> FileKey | None:
    """Inode, size and modification time (ns) of ``path``: any rewrite or edit changes one."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


@dataclass
class KnownFile:
    """A run file this store wrote or checked, as it was then (its table, if kept)."""

    key: FileKey
    identity: dict[str, Any]
    frame: pd.DataFrame | None


class FolderLockedError(RuntimeError):
    """Another process is writing to this results folder."""


def run_id_for(scenario_name: str, replication: int) -> str:
    """The file-safe id of one run."""
    return f"{scenario_name}__r{replication:05d}"


class RunStore:
    """Reads and writes one experiment folder."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)
        self.runs_dir = self.root / "runs"
        self.failures_dir = self.root / "failures"
        self.scenarios_dir = self.root / "scenarios"
        self.rejected_dir = self.root / "rejected"
        self.code = ""  # the code version stamped on run files (set by the runner)
        self.rejected: list[RejectedRun] = []  # run files rejected since this store was opened
        self._known: dict[Path, KnownFile] = {}
        self._kept_bytes = 0

    @property
    def manifest_path(self) -> Path:
        """Where the manifest lives."""
        return self.root / "manifest.json"

    def create(self) -> None:
        """Make the folder structure (idempotent)."""
        for folder in (self.runs_dir, self.failures_dir, self.scenarios_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self._remove_stale_temporaries()

    def _remove_stale_temporaries(self) -> None:
        # left behind only when a process was killed between mkstemp and os.replace
        for folder in (self.root, self.runs_dir, self.failures_dir, self.scenarios_dir):
            for stale in folder.glob(".*.tmp"):
                stale.unlink(missing_ok=True)

    @contextlib.contextmanager
    def writer_lock(self) -> Iterator[None]:
        """Hold the folder's writer lock, or raise :class:`FolderLockedError` at once.

        The lock is an OS file lock (``filelock``): the kernel releases it when its holder
        exits, even after ``kill -9``, so a stale lock never blocks a rerun.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        lock = FileLock(self.root / LOCK_NAME, timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise FolderLockedError(self._locked_message()) from None
        owner = self.root / OWNER_NAME
        try:
            atomic_write_text(owner, f"pid {os.getpid()}: {' '.join(sys.argv)}\n")
            yield
        finally:
            owner.unlink(missing_ok=True)
            lock.release()

    def is_locked(self) -> bool:
        """Whether a writer holds the folder's lock now (a read-only folder counts as locked)."""
        lock = FileLock(self.root / LOCK_NAME, timeout=0)
        try:
            lock.acquire()
        except (Timeout, OSError):
            return True
        lock.release()
        return False

    def _locked_message(self) -> str:
        owner = self.root / OWNER_NAME
        holder = owner.read_text().strip() if owner.exists() else "another process"
        return (
            f"{self.root} is being written by another batch ({holder}); "
            "wait for it to finish, or use another --out folder"
        )

    def read_manifest(self) -> dict[str, Any] | None:
        """The manifest, or ``None`` for a new folder."""
        if not self.manifest_path.exists():
            return None
        data: dict[str, Any] = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        return data

    def write_manifest(self, manifest: dict[str, Any]) -> None:
        """Replace the manifest atomically."""
        atomic_write_text(self.manifest_path, json.dumps(manifest, indent=2, default=str) + "\n")

    def write_scenario(self, name: str, yaml_text: str) -> Path:
        """Store a resolved scenario as run."""
        path = self.scenarios_dir / f"{name}.yaml"
        atomic_write_text(path, yaml_text)
        return path

    def finished_runs(self, *, need_daily: bool) -> set[str]:
        """Ids of runs with a stored summary (and daily table when ``need_daily``)."""
        finished = {p.name.removesuffix(".parquet") for p in self._run_files(daily=False)}
        if need_daily:
            finished = {
                run for run in finished if (self.runs_dir / f"{run}.daily.parquet").exists()
            }
        return finished

    def save(self, record: RunRecord) -> None:
        """Store a run's result, or its failure."""
        if not record.ok:
            self._save_failure(record)
            return
        identity = {
            "run_id": record.run_id,
            "scenario": record.scenario_name,
            "scenario_hash": record.scenario_hash,
            "replication": record.replication,
            "seed_entropy": str(record.entropy),
            "code": self.code,
        }
        if record.daily is not None:
            daily = record.daily.copy()
            daily.insert(0, "scenario", record.scenario_name)
            daily.insert(1, "replication", record.replication)
            self._write_run_file(self.runs_dir / f"{record.run_id}.daily.parquet", daily, identity)
        # the summary goes last: its presence marks the run finished
        row = summary_row(record)
        self._write_run_file(self.runs_dir / f"{record.run_id}.parquet", row, identity)
        (self.failures_dir / f"{record.run_id}.json").unlink(missing_ok=True)

    def _write_run_file(self, path: Path, frame: pd.DataFrame, identity: dict[str, Any]) -> None:
        stamped: dict[str, Any] = {}
        atomic_write(path, lambda tmp: stamped.update(write_with_identity(tmp, frame, identity)))
        # what a reader would get back; frames of other column types are read back when needed
        kept = frame.reset_index(drop=True) if round_trips(frame) else None
        self._remember(path, stamped, kept)

    def _remember(self, path: Path, identity: dict[str, Any], frame: pd.DataFrame | None) -> None:
        key = file_key(path)
        if key is None:
            return
        old = self._known.pop(path, None)
        if old is not None and old.frame is not None:
            self._kept_bytes -= _size(old.frame)
        if frame is not None and self._kept_bytes + _size(frame) > KEEP_BYTES:
            frame = None
        if frame is not None:
            self._kept_bytes += _size(frame)
        self._known[path] = KnownFile(key, identity, frame)

    def _checked(self, path: Path, expect: Expectations) -> CheckedTable:
        """:func:`read_checked`, skipping the read and hash of a file unchanged since then.

        A file this store wrote or checked keeps its table while its inode, size and
        modification time stay the same; its identity is still checked against ``expect``.
        """
        known = self._known.get(path)
        if known is None or known.key != file_key(path):
            checked = read_checked(path, expect)
            if checked.rejected is None and checked.table is not None:
                self._remember(path, checked.identity, checked.table)
            return checked
        problem = identity_problem(path, known.identity, expect)
        if problem is not None:
            shown = f"{path.parent.name}/{path.name}"
            return CheckedTable(None, RejectedRun(shown, problem), known.identity)
        frame = known.frame if known.frame is not None else pd.read_parquet(path)
        return CheckedTable(frame, None, known.identity)

    def save_positions(self, record: RunRecord) -> None:
        """Store a finished run's actor positions (``positions/RUN.parquet``), if it has any."""
        if record.positions is None:
            return
        frame = run_positions(record.scenario_name, record.replication, record.positions)
        path = positions_path(self.root, record.run_id)
        atomic_write_parquet(path, frame)
        self._remember(path, {}, frame.reset_index(drop=True) if round_trips(frame) else None)

    def consolidate_positions(self) -> pd.DataFrame | None:
        """:func:`~sim.experiments.positions.consolidate_positions`, from memory where it can."""
        return consolidate_positions(self.root, read=self.frame_of)

    def frame_of(self, path: Path) -> pd.DataFrame:
        """A run file's table: from memory when unchanged since this store wrote or checked it."""
        known = self._known.get(path)
        if known is not None and known.frame is not None and known.key == file_key(path):
            return known.frame
        return pd.read_parquet(path)

    def _save_failure(self, record: RunRecord) -> None:
        payload = {
            "run_id": record.run_id,
            "scenario": record.scenario_name,
            "replication": record.replication,
            "kind": record.error_kind,
            "error": record.error,
            "duration_s": record.duration,
            "worker": record.worker,
        }
        atomic_write_text(
            self.failures_dir / f"{record.run_id}.json", json.dumps(payload, indent=2)
        )

    def failures(self) -> list[dict[str, Any]]:
        """Stored failures (runs that have not succeeded since), sorted by run id."""
        found = [json.loads(p.read_text()) for p in sorted(self.failures_dir.glob("*.json"))]
        return found

    def check_runs(self, expect: Expectations) -> list[RejectedRun]:
        """Check every run file; move those that fail to ``rejected/`` (both files of a run).

        Returns:
            Every rejected file with its reason (all of them, not the first).
        """
        found = []
        for path in self._run_files(daily=False) + self._run_files(daily=True):
            if not path.exists():
                continue  # moved to rejected/ with the other file of its run
            checked = self._checked(path, expect)
            if checked.rejected is not None:
                found.append(checked.rejected)
                self._quarantine(path)
        self.rejected.extend(found)
        return found

    def _quarantine(self, path: Path) -> None:
        run_id = path.name.removesuffix(".parquet").removesuffix(".daily")
        self.rejected_dir.mkdir(exist_ok=True)
        for sibling in (
            self.runs_dir / f"{run_id}.parquet",
            self.runs_dir / f"{run_id}.daily.parquet",
        ):
            if sibling.exists():
                shutil.move(sibling, self.rejected_dir / sibling.name)

    def consolidate(self, *, write: bool = True) -> tuple[pd.DataFrame, pd.DataFrame | None]:
        """Gather the checked per-run files into ``summary.parquet`` (and ``daily.parquet``).

        Files that fail their check are left out, moved to ``rejected/`` and listed in
        ``self.rejected``; the summary holds each (scenario, replication) at most once. With
        ``write=False`` (a reader while a batch writes) nothing in the folder is changed.
        """
        expect = expectations_from(self.read_manifest())
        good = self._run_files(daily=False)
        good_daily = self._run_files(daily=True)
        if expect is not None and write:
            self.check_runs(expect)
            good, good_daily = self._run_files(daily=False), self._run_files(daily=True)
        elif expect is not None:
            good, good_daily = self._readable(good, expect), self._readable(good_daily, expect)
        summary = _concat_sorted([self.frame_of(p) for p in good])
        duplicated = summary.duplicated(["scenario", "replication"]) if len(summary) else []
        if any(duplicated):
            raise RuntimeError(f"duplicated runs in {self.runs_dir}: a bug, please report it")
        daily_parts = [self.frame_of(p) for p in good_daily]
        daily = _concat_sorted(daily_parts, extra=["day"]) if daily_parts else None
        if write:
            atomic_write_parquet(self.root / "summary.parquet", summary)
            if daily is not None:
                atomic_write_parquet(self.root / "daily.parquet", daily)
        return summary, daily

    def _readable(self, files: list[Path], expect: Expectations) -> list[Path]:
        """The files that pass their check, without moving the others (read-only)."""
        good = []
        for path in files:
            checked = self._checked(path, expect)
            if checked.rejected is None:
                good.append(path)
            else:
                self.rejected.append(checked.rejected)
        return good

    def _run_files(self, *, daily: bool) -> list[Path]:
        """The run summaries (``RUN.parquet``) or daily tables (``RUN.daily.parquet``).

        Matched by name exactly, so other per-run files (e.g. ``RUN.positions.parquet``) in
        ``runs/`` are neither summaries nor checked as such.
        """
        pattern = DAILY_FILE if daily else SUMMARY_FILE
        return sorted(p for p in self.runs_dir.glob("*.parquet") if pattern.search(p.name))


def summary_row(record: RunRecord) -> pd.DataFrame:
    """One tidy row: identity columns, the outcomes, and run metadata."""
    row: dict[str, Any] = {
        "scenario": record.scenario_name,
        "scenario_hash": record.scenario_hash,
        "replication": record.replication,
        "seed_entropy": str(record.entropy),
        "spawn_key": spawn_key_text(record.replication),
        "run_id": record.run_id,
    }
    row.update(record.summary or {})
    row["duration_s"] = record.duration
    row["worker"] = record.worker
    return pd.DataFrame([row])


def _size(frame: pd.DataFrame) -> int:
    # 8 bytes a value: run tables hold 64-bit numbers, bools and short strings; an estimate
    # for the memory budget (pandas' exact memory_usage costs more than writing the file)
    return 8 * int(frame.size)


def _concat_sorted(parts: list[pd.DataFrame], extra: list[str] | None = None) -> pd.DataFrame:
    if not parts:
        return pd.DataFrame(columns=ID_COLUMNS)
    table = pd.concat(parts, ignore_index=True)
    return table.sort_values(["scenario", "replication", *(extra or [])], ignore_index=True)
