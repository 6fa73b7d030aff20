"""What a bargaining run records, and the tidy tables built from it.

The engine appends raw numpy arrays as it goes (cheap); :class:`History` turns them into tidy
pandas DataFrames only when asked. In ``light`` mode the engine records positions, forecasts and
branches only, which is what the coupled model reads every week.

Rounds are numbered by state: round 0 is the starting state; the challenges and moves recorded
for round r are those made in state r - 1 that produced state r. Shocks recorded for round r
modified state r before the next round was played.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.bargaining.pce import FloatArray
from sim.bargaining.resolution import STATUS_QUO, Bargains, IntArray
from sim.bargaining.shocks import ShockRecord
from sim.bargaining.vetoes import Decision

TABLES = (
    "positions",
    "win_probability",
    "risk",
    "effective_power",
    "challenges",
    "moves",
    "forecast",
    "branches",
    "shocks",
)


@dataclass(frozen=True)
class StateAnalysis:
    """Per-state quantities that need the state's PCE (full recording only)."""

    risk: FloatArray
    win_probability: FloatArray
    group: IntArray
    capability: FloatArray
    salience: FloatArray


@dataclass(frozen=True)
class RoundEvents:
    """Challenges and choices of one round (full recording only)."""

    bargains: Bargains
    initiator_gain: FloatArray
    target_gain: FloatArray
    chosen: IntArray
    moved_distance: FloatArray


@dataclass(frozen=True)
class StateSummary:
    """Outcome-level quantities of one state (always recorded).

    Attributes:
        forecast: Implemented outcome per dimension (status quo where there is no deal).
        unconstrained: Bargained outcome (capability-weighted mean position).
        branches: ``deal`` or the no-deal state's name, per dimension.
        reasons: Who withheld consent and why (empty with a deal).
        decisions: The full decisions, in dimension order.
    """

    forecast: FloatArray
    unconstrained: FloatArray
    branches: tuple[str, ...]
    reasons: tuple[str, ...]
    decisions: tuple[Decision, ...] = ()


@dataclass
class Recorder:
    """Raw per-round records kept by the engine."""

    actors: list[str]
    dimensions: list[str]
    baseline: FloatArray
    positions: list[FloatArray] = field(default_factory=list)
    summaries: list[StateSummary] = field(default_factory=list)
    analyses: dict[int, StateAnalysis] = field(default_factory=dict)
    events: dict[int, RoundEvents] = field(default_factory=dict)
    shocks: list[ShockRecord] = field(default_factory=list)


class History:
    """Tidy tables of a run. Each property builds its DataFrame from the raw records.

    Args:
        recorder: The engine's records.
    """

    def __init__(self, recorder: Recorder) -> None:
        self._rec = recorder

    @property
    def rounds(self) -> int:
        """Number of states recorded (round 0 included)."""
        return len(self._rec.positions)

    @property
    def positions(self) -> pd.DataFrame:
        """Columns: round, actor, dimension, position (0-100)."""
        cube = np.stack(self._rec.positions)  # [round, actor, dim]
        return _long(cube, self._rec.actors, self._rec.dimensions, "position")

    @property
    def win_probability(self) -> pd.DataFrame:
        """Columns: round, actor, group (first actor at that position), win_probability.

        Positions within 1e-3 (Euclidean, [0, 1] units) are one option; every actor at an
        option shows the option's probability, so a round's values sum to 1 over groups.
        """
        rows = []
        for rnd, an in sorted(self._rec.analyses.items()):
            groups = [self._rec.actors[g] for g in an.group]
            rows.append(
                pd.DataFrame(
                    {
                        "round": rnd,
                        "actor": self._rec.actors,
                        "group": groups,
                        "win_probability": an.win_probability,
                    }
                )
            )
        return _concat(rows, ["round", "actor", "group", "win_probability"])

    @property
    def risk(self) -> pd.DataFrame:
        """Columns: round, actor, risk_attitude (in [-1, 1])."""
        rows = [
            pd.DataFrame({"round": rnd, "actor": self._rec.actors, "risk_attitude": an.risk})
            for rnd, an in sorted(self._rec.analyses.items())
        ]
        return _concat(rows, ["round", "actor", "risk_attitude"])

    @property
    def effective_power(self) -> pd.DataFrame:
        """Columns: round, actor, dimension, capability, salience (0-100), effective_power."""
        rows = []
        for rnd, an in sorted(self._rec.analyses.items()):
            table = _long(an.salience[None] * 100.0, self._rec.actors, self._rec.dimensions, "x")
            table["round"] = rnd
            table = table.rename(columns={"x": "salience"})
            table["capability"] = np.repeat(an.capability, len(self._rec.dimensions))
            table["effective_power"] = table["capability"] * table["salience"] / 100.0
            rows.append(table)
        columns = ["round", "actor", "dimension", "capability", "salience", "effective_power"]
        return _concat(rows, columns)[columns]

    @property
    def challenges(self) -> pd.DataFrame:
        """The quad map: round, initiator, target, p, initiator_gain, target_gain.

        ``p`` is the initiator's estimate that it prevails; both gains are as the initiator
        estimates them (utility units).
        """
        actors = np.array(self._rec.actors, dtype=object)
        rows = []
        for rnd, ev in sorted(self._rec.events.items()):
            b = ev.bargains
            rows.append(
                pd.DataFrame(
                    {
                        "round": rnd,
                        "initiator": actors[b.initiator],
                        "target": actors[b.target],
                        "p": b.probability,
                        "initiator_gain": ev.initiator_gain,
                        "target_gain": ev.target_gain,
                    }
                )
            )
        columns = ["round", "initiator", "target", "p", "initiator_gain", "target_gain"]
        return _concat(rows, columns)

    @property
    def moves(self) -> pd.DataFrame:
        """Why each actor moved: round, actor, bargain ('i->j' or 'status_quo'), role, distance."""
        actors = self._rec.actors
        rows = []
        for rnd, ev in sorted(self._rec.events.items()):
            b = ev.bargains
            for k, (m, distance) in enumerate(
                zip(ev.chosen.tolist(), ev.moved_distance.tolist(), strict=True)
            ):
                if m == STATUS_QUO:
                    rows.append((rnd, actors[k], "status_quo", "none", distance))
                    continue
                init, targ = int(b.initiator[m]), int(b.target[m])
                role = "initiator" if init == k else "target"
                rows.append((rnd, actors[k], f"{actors[init]}->{actors[targ]}", role, distance))
        return pd.DataFrame.from_records(
            rows, columns=["round", "actor", "bargain", "role", "distance"]
        )

    @property
    def forecast(self) -> pd.DataFrame:
        """One row per round and dimension (0-100 scales).

        Columns: round, dimension, forecast (the implemented outcome with a deal; NaN without
        one, so a blocked dimension never shows a bare number), implemented (the outcome that
        holds: the status quo without a deal), unconstrained (the bargained outcome), baseline,
        deal, status_quo, branch (``deal`` or the no-deal state), reason, label.
        """
        rows = []
        for rnd, s in enumerate(self._rec.summaries):
            deal = np.array([d.deal for d in s.decisions], dtype=bool)
            rows.append(
                pd.DataFrame(
                    {
                        "round": rnd,
                        "dimension": self._rec.dimensions,
                        "forecast": np.where(deal, s.forecast, np.nan),
                        "implemented": s.forecast,
                        "unconstrained": s.unconstrained,
                        "baseline": self._rec.baseline,
                        "deal": deal,
                        "status_quo": [d.status_quo for d in s.decisions],
                        "branch": list(s.branches),
                        "reason": list(s.reasons),
                        "label": [d.label() for d in s.decisions],
                    }
                )
            )
        columns = ["round", "dimension", "forecast", "implemented", "unconstrained", "baseline"]
        return _concat(rows, [*columns, "deal", "status_quo", "branch", "reason", "label"])

    @property
    def branches(self) -> pd.DataFrame:
        """Rounds where a dimension's branch changed (round 0 lists every dimension)."""
        table = self.forecast
        if table.empty:
            return table[["round", "dimension", "branch", "reason"]]
        previous = table.groupby("dimension", sort=False)["branch"].shift()
        changed = previous.isna() | (previous != table["branch"])
        return table.loc[changed, ["round", "dimension", "branch", "reason"]].reset_index(drop=True)

    @property
    def shocks(self) -> pd.DataFrame:
        """Columns: round, kind, target, dimension, mode, value, before, after, reason."""
        columns = [
            "round",
            "kind",
            "target",
            "dimension",
            "mode",
            "value",
            "before",
            "after",
            "reason",
        ]
        records = [vars(r) for r in self._rec.shocks]
        return pd.DataFrame.from_records(records, columns=columns)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every table by name."""
        return {name: getattr(self, name) for name in TABLES}

    def write(self, directory: Path, formats: tuple[str, ...] = ("csv",)) -> list[Path]:
        """Write every table as ``<name>.csv`` and/or ``<name>.parquet``; returns the paths."""
        directory.mkdir(parents=True, exist_ok=True)
        written = []
        for name, table in self.tables().items():
            for fmt in formats:
                path = directory / f"{name}.{fmt}"
                if fmt == "csv":
                    table.to_csv(path, index=False)
                elif fmt == "parquet":
                    table.to_parquet(path, index=False)
                else:
                    raise ValueError(f"unknown format {fmt!r}; use 'csv' or 'parquet'")
                written.append(path)
        return written


def _long(cube: FloatArray, actors: list[str], dims: list[str], name: str) -> pd.DataFrame:
    rounds, n, k = cube.shape
    return pd.DataFrame(
        {
            "round": np.repeat(np.arange(rounds), n * k),
            "actor": np.tile(np.repeat(np.array(actors, dtype=object), k), rounds),
            "dimension": np.tile(np.array(dims, dtype=object), rounds * n),
            name: cube.reshape(-1),
        }
    )


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)
