"""Identity and content hash of each run file, and their check before results are used.

Every ``runs/RUN.parquet`` (and ``RUN.daily.parquet``) carries, in its Parquet metadata, which run
it is (run id, scenario, scenario hash, replication, seed entropy), the code version that wrote it
and a SHA-256 of its content. Before a batch resumes and whenever the per-run files are
consolidated, each file is checked against its own name and the folder's manifest. A file that
fails (copied over another run, edited, unreadable, truncated, from another scenario version, seed
or code) is reported by name with the reason, moved to ``rejected/`` and, in a batch, recomputed.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from sim.experiments.tables import row_hashes, table_and_hashes, write_parquet

IDENTITY_KEY = b"isf_run"
ID_FIELDS = ("run_id", "scenario", "scenario_hash", "replication", "seed_entropy")


def code_label(code: dict[str, Any]) -> str:
    """One string for a code version: package version, commit and whether it had local edits."""
    commit = code.get("commit") or "no-git"
    dirty = "-dirty" if code.get("dirty") else ""
    return f"{code.get('sim_version')}+{str(commit)[:12]}{dirty}"


def content_digest(table: pa.Table) -> str:
    """SHA-256 of a table's columns, types and values (not of its metadata)."""
    return _frame_digest(table.replace_schema_metadata(None).to_pandas(), table.schema.types)


def _frame_digest(frame: pd.DataFrame, types: list[pa.DataType]) -> str:
    return _digest_of(frame, types, row_hashes(frame))


def _digest_of(frame: pd.DataFrame, types: list[pa.DataType], hashes: np.ndarray) -> str:
    """SHA-256 of the column names, their Arrow types and ``hash_pandas_object``'s values."""
    digest = hashlib.sha256()
    digest.update(json.dumps([str(c) for c in frame.columns]).encode())
    digest.update(json.dumps([str(t) for t in types]).encode())
    digest.update(hashes.tobytes())
    return digest.hexdigest()


# Column types that come back from Parquet exactly as written (with or without the pandas
# metadata), so a frame of only these can be hashed as it is instead of as read back: one
# conversion of the table instead of two. Anything else (categories, dates, objects) is hashed
# from the table, the definition above.
_ROUND_TRIP_DTYPES = frozenset({"float64", "int64", "bool", "str", "string"})


def round_trips(frame: pd.DataFrame) -> bool:
    """Whether every column of ``frame`` comes back from Parquet exactly as it is."""
    return all(_round_trip_dtype(dtype) for dtype in frame.dtypes)


@functools.lru_cache(maxsize=64)
def _round_trip_dtype(dtype: Any) -> bool:
    return str(dtype) in _ROUND_TRIP_DTYPES  # str() of a dtype costs ~4 us: kept per dtype


def write_with_identity(
    path: Path, frame: pd.DataFrame, identity: dict[str, Any]
) -> dict[str, Any]:
    """Write ``frame`` to ``path`` as Parquet with ``identity`` and a content hash attached.

    Returns:
        The identity as stamped on the file (with its ``content_sha256``).
    """
    # what pa.Table.from_pandas(frame, preserve_index=False) and hash_pandas_object give
    table, hashes = table_and_hashes(frame)
    digest = (
        _digest_of(frame, table.schema.types, hashes)
        if round_trips(frame)
        else content_digest(table)
    )
    stamped = {**identity, "content_sha256": digest}
    metadata = {**(table.schema.metadata or {}), IDENTITY_KEY: json.dumps(stamped).encode()}
    write_parquet(table.replace_schema_metadata(metadata), path)
    return stamped


@dataclass(frozen=True)
class Expectations:
    """What a run file in this folder must say about itself (from the manifest).

    ``codes`` empty means any code version (folders from before code versions were recorded);
    ``required`` false accepts files without an identity (folders of the first format).
    """

    hashes: dict[str, str]
    entropy: str
    codes: frozenset[str] = frozenset()
    required: bool = True


@dataclass(frozen=True)
class RejectedRun:
    """A run file that failed its check."""

    file: str
    reason: str

    def format(self) -> str:
        """``runs/NAME: reason``."""
        return f"{self.file}: {self.reason}"


@dataclass
class CheckedTable:
    """A run file's table, or why it was rejected."""

    table: pd.DataFrame | None
    rejected: RejectedRun | None = None
    identity: dict[str, Any] = field(default_factory=dict)


def read_checked(path: Path, expect: Expectations) -> CheckedTable:
    """Read one run file and check its identity and content against ``expect``."""
    shown = f"{path.parent.name}/{path.name}"
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException, ValueError) as exc:
        reason = f"unreadable, corrupt or truncated ({type(exc).__name__})"
        return CheckedTable(None, RejectedRun(shown, reason))
    raw = (table.schema.metadata or {}).get(IDENTITY_KEY)
    if raw is None:
        if not expect.required:
            return CheckedTable(table.to_pandas())
        reason = "carries no identity (written by hand or by an older version)"
        return CheckedTable(None, RejectedRun(shown, reason))
    try:
        identity = json.loads(raw)
    except ValueError:
        return CheckedTable(None, RejectedRun(shown, "its identity record is unreadable"))
    problem = identity_problem(path, identity, expect)
    if problem:
        return CheckedTable(None, RejectedRun(shown, problem), identity)
    frame = table.to_pandas()
    if _content_digest_of(table, frame) != identity.get("content_sha256"):
        problem = "its content changed after it was written (hash mismatch)"
        return CheckedTable(None, RejectedRun(shown, problem), identity)
    return CheckedTable(frame, None, identity)


def identity_problem(path: Path, identity: dict[str, Any], expect: Expectations) -> str | None:
    """Why a run file's identity record does not fit its name and ``expect`` (None if it does)."""
    run_id = path.name.removesuffix(".parquet").removesuffix(".daily")
    if any(key not in identity for key in ID_FIELDS):
        return "its identity record is incomplete"
    if identity["run_id"] != run_id:
        return f"holds run {identity['run_id']}, not {run_id} (copied over another run?)"
    scenario = identity["scenario"]
    if scenario not in expect.hashes:
        return f"belongs to scenario {scenario!r}, which this experiment does not hold"
    if identity["scenario_hash"] != expect.hashes[scenario]:
        return (
            f"was run from another version of scenario {scenario!r} "
            f"(hash {str(identity['scenario_hash'])[:12]}, expected {expect.hashes[scenario][:12]})"
        )
    if str(identity["seed_entropy"]) != expect.entropy:
        return "was run with another root seed than this folder's"
    if expect.codes and identity.get("code") not in expect.codes:
        return f"was written by code {identity.get('code')}, which never ran in this folder"
    return None


def _content_digest_of(table: pa.Table, frame: pd.DataFrame) -> str:
    """:func:`content_digest` of ``table``, from ``frame`` (its conversion) where that is exact."""
    if round_trips(frame):
        return _frame_digest(frame, table.schema.types)
    return content_digest(table)


def expectations_from(manifest: dict[str, Any] | None) -> Expectations | None:
    """What run files must say, from a manifest (``None`` without one)."""
    if manifest is None:
        return None
    hashes = {name: entry["hash"] for name, entry in manifest.get("scenarios", {}).items()}
    entropy = str(manifest.get("seed", {}).get("entropy"))
    codes = frozenset(manifest.get("code_versions", []))
    required = manifest.get("format") != "isf-lab-experiment/1"
    return Expectations(hashes, entropy, codes, required)
