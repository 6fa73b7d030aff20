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

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from sim.model.politics import positions_of_result

FOLDER = "positions"
TABLE = "positions.parquet"


def positions_for(result: Any) -> pd.DataFrame | None:
    """The tidy positions table of a model result, if it has one."""
    return positions_of_result(result)


def positions_path(root: Path, run_id: str) -> Path:
    """Where one run's positions are stored."""
    return root / FOLDER / f"{run_id}.parquet"


def run_positions(scenario: str, replication: int, table: pd.DataFrame) -> pd.DataFrame:
    """One run's positions as stored: the table with its scenario and replication in front."""
    frame = table.copy()
    frame.insert(0, "scenario", scenario)
    frame.insert(1, "replication", replication)
    return frame


def consolidate_positions(
    root: Path, read: Callable[[Path], pd.DataFrame] = pd.read_parquet
) -> pd.DataFrame | None:
    """Gather ``positions/*.parquet`` into ``positions.parquet``; ``None`` when there are none.

    ``read`` reads one run's file (a results store passes one that returns the tables it has
    just written without reading them back).
    """
    from sim.experiments.store import atomic_write_parquet

    files = sorted((root / FOLDER).glob("*.parquet")) if (root / FOLDER).is_dir() else []
    if not files:
        return None
    table = pd.concat([read(p) for p in files], ignore_index=True)
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
