"""Actor positions from coupled runs: stored per run, consolidated next to the run files.

Layout inside an experiment folder (alongside ``runs/`` and ``summary.parquet``)::

    positions/RUN.parquet   one run's positions: scenario, replication, day, round, actor,
                            dimension, position, deal, state, implemented
    positions.parquet       all runs' positions (consolidated)

A run carries positions when its model result has a ``positions`` table (the coupled model's
:meth:`sim.model.politics.Politics.positions_table`), or a political log with per-round
positions (runs with daily records). Runs without them store nothing here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from sim.model.politics import positions_of_result

FOLDER = "positions"
TABLE = "positions.parquet"


def positions_for(result: Any) -> pd.DataFrame | None:
    """The tidy positions table of a model result, if it has one."""
    return positions_of_result(result)


def save_positions(root: Path, run_id: str, scenario: str, replication: int,
                   table: pd.DataFrame) -> Path:  # fmt: skip
    """Write one run's positions (atomically) under ``root/positions/``."""
    from sim.experiments.store import atomic_write_parquet

    folder = root / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    frame = table.copy()
    frame.insert(0, "scenario", scenario)
    frame.insert(1, "replication", replication)
    path = folder / f"{run_id}.parquet"
    atomic_write_parquet(path, frame)
    return path


def consolidate_positions(root: Path) -> pd.DataFrame | None:
    """Gather ``positions/*.parquet`` into ``positions.parquet``; ``None`` when there are none."""
    from sim.experiments.store import atomic_write_parquet

    files = sorted((root / FOLDER).glob("*.parquet")) if (root / FOLDER).is_dir() else []
    if not files:
        return None
    table = pd.concat([pd.read_parquet(p) for p in files], ignore_index=True)
    table = table.sort_values(["scenario", "replication", "day", "actor", "dimension"])
    table = table.reset_index(drop=True)
    atomic_write_parquet(root / TABLE, table)
    return table


def load_positions(root: str | Path) -> pd.DataFrame | None:
    """The consolidated positions of an experiment folder (rebuilt if missing)."""
    root = Path(root)
    path = root / TABLE
    if path.exists():
        return pd.read_parquet(path)
    return consolidate_positions(root)
