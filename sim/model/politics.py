"""Coupling between the ground and the bargaining engine (docs/interface-politics-ground.md).

Every ``cadence_days`` (weekly by default) the week's ground events become shocks to actors'
positions and saliences (the scenario's dated-event shocks first, then the coupling's), the
ground reports that linked commitments read are handed over (verified decommissioning, the IDF's
share), the engine plays one round, and the decisions set the levers the ground model reads:
Hamas's compliance (its own position), the implemented mandate, the withdrawal Israel consents
to, and the implemented governance track; each dimension's deal or status quo and why. Every
event, shock, decision and every actor's position is recorded (:meth:`Politics.positions_table`).

With ``settings.draw_assumptions`` each replication draws its capabilities and saliences within
their assumption ranges from the run's ``bargaining`` stream, which also drives stochastic
transitions: the political forecast is a distribution over replications.

Dimension scales (0-100): ``hamas_disarmament`` 100 = full disarmament; ``mandate_robustness``
100 = all necessary measures; ``turkish_participation`` 100 = a full Turkish role;
``idf_withdrawal`` 100 = full withdrawal; ``palestinian_governance`` 100 = a full Palestinian
role in governing Gaza.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, is_dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.bargaining.engine import RecordLevel, RoundRecord
from sim.bargaining.shocks import Shock, ShockMode
from sim.bargaining.state import clip
from sim.bargaining.uncertainty import engine_for_replication
from sim.bargaining.vetoes import Decision
from sim.scenario.coupling import CouplingSpec
from sim.scenario.schema import Scenario

DISARMAMENT = "hamas_disarmament"
MANDATE = "mandate_robustness"
TURKEY = "turkish_participation"
WITHDRAWAL = "idf_withdrawal"
GOVERNANCE = "palestinian_governance"
POSITION_COLUMNS = [
    "day", "round", "actor", "dimension", "position", "deal", "state", "implemented",
]  # fmt: skip
ARAB_STATES = ("egypt", "jordan", "qatar", "uae", "saudi_arabia", "turkey")


@dataclass
class WeekEvents:
    """What happened on the ground since the last political round."""

    isf_deaths: dict[str, float] = field(default_factory=dict)
    idf_deaths: float = 0.0
    police_deaths: float = 0.0
    strike_civilian_deaths: float = 0.0
    reprisal_deaths: float = 0.0
    weapons_decommissioned_share: float = 0.0
    withdrawals: list[str] = field(default_factory=list)
    ceasefire_collapsed: bool = False
    incidents: float = 0.0
    civilian_deaths: float = 0.0
    decommissioned_total_share: float = 0.0
    idf_held_share: float = 0.0
    deployed: dict[str, float] = field(default_factory=dict)
    fired_events: list[str] = field(default_factory=list)
    shocks: list[Shock] = field(default_factory=list)

    def clear(self) -> None:
        """Start a new week."""
        self.__init__()  # type: ignore[misc]


@dataclass(frozen=True)
class DimensionState:
    """Whether a dimension's outcome is implemented, and what holds when it is not.

    Attributes:
        dimension: Dimension id.
        deal: Whether everyone who must consent accepts the outcome.
        outcome: Implemented outcome (0-100); the status quo when there is no deal.
        status_quo: What the dimension reverts to without a deal (0-100).
        reason: Empty with a deal; otherwise who withheld consent and why.
        vetoed_by: Actors who withheld consent.
    """

    dimension: str
    deal: bool
    outcome: float
    status_quo: float
    reason: str = ""
    vetoed_by: tuple[str, ...] = ()


@dataclass(frozen=True)
class Levers:
    """What the political layer sets for the ground model (docs/interface-politics-ground.md)."""

    hamas_compliance: float
    mandate_level: float
    mandate_robust: bool
    withdrawal_will: float
    governance_support: float
    branches: dict[str, str]
    dimensions: dict[str, DimensionState] = field(default_factory=dict)


@dataclass(frozen=True)
class PositionSnapshot:
    """Every actor's position after one round, with the round's decisions (cheap to keep)."""

    day: int
    round: int
    actors: tuple[str, ...]
    dimensions: tuple[str, ...]
    positions: np.ndarray
    decisions: tuple[Decision, ...]

    def frame(self) -> pd.DataFrame:
        """The snapshot as tidy rows (columns ``POSITION_COLUMNS``)."""
        return positions_frame([self])


def positions_frame(snapshots: Sequence[PositionSnapshot]) -> pd.DataFrame:
    """Snapshots of one engine (same actors and dimensions) as one tidy table, built once.

    Rows by snapshot, actor, then dimension; columns ``POSITION_COLUMNS``. Text columns are
    built by taking from the few distinct strings (pandas' conversion of every row's string to
    its string dtype is the slow part of a table).
    """
    if not snapshots:
        return pd.DataFrame(columns=POSITION_COLUMNS)
    actors, dims = snapshots[0].actors, snapshots[0].dimensions
    n, k, rounds = len(actors), len(dims), len(snapshots)
    decisions = [snap.decisions for snap in snapshots]

    def per_dimension(values: list[list[Any]], dtype: Any) -> np.ndarray:
        """A (snapshot, dimension) value on every actor's row of its snapshot."""
        table = np.array(values, dtype=dtype).reshape(rounds, 1, k)
        return np.broadcast_to(table, (rounds, n, k)).reshape(-1)

    states = [[d.state for d in row] for row in decisions]
    names = sorted({state for row in states for state in row})
    codes = {name: code for code, name in enumerate(names)}
    return pd.DataFrame(
        {
            "day": np.repeat(np.array([snap.day for snap in snapshots], dtype=np.int64), n * k),
            "round": np.repeat(np.array([snap.round for snap in snapshots], dtype=np.int64), n * k),
            "actor": _text(actors, np.tile(np.repeat(np.arange(n), k), rounds)),
            "dimension": _text(dims, np.tile(np.arange(k), n * rounds)),
            "position": np.stack([snap.positions for snap in snapshots]).reshape(-1),
            "deal": per_dimension([[d.deal for d in row] for row in decisions], bool),
            "state": _text(names, per_dimension([[codes[x] for x in row] for row in states], int)),
            "implemented": per_dimension([[d.outcome for d in row] for row in decisions], float),
        },
        copy=False,  # every column is a new array already
    )


def _text(values: Sequence[str], codes: np.ndarray) -> Any:
    """A text column: ``values[codes]`` in pandas' default string dtype."""
    return pd.array(list(values), dtype="str").take(codes)


class Politics:
    """Runs the bargaining engine inside the Gaza model and translates in both directions."""

    def __init__(
        self, scenario: Scenario, rng: np.random.Generator, *, keep_log: bool = True
    ) -> None:
        self.engine, self.draws = engine_for_replication(
            scenario.bargaining, rng, record=RecordLevel.LIGHT
        )
        self.coupling: CouplingSpec = scenario.coupling
        self.threshold = scenario.effects.robust_mandate_threshold.value
        self.cadence = scenario.bargaining.settings.cadence_days
        self.actors = set(self.engine.actors)
        self._actor_ids = tuple(self.engine.actors)
        self._dimension_ids = tuple(self.engine.dimensions)
        self._hamas_disarmament = (
            (self._actor_ids.index("hamas"), self._dimension_ids.index(DISARMAMENT))
            if "hamas" in self.actors and DISARMAMENT in self._dimension_ids
            else None
        )
        self.keep_log = keep_log
        """Whether each round adds an entry to :attr:`log` (the weekly political log)."""
        self.log: list[dict[str, Any]] = []
        self._snapshots: list[PositionSnapshot] = []
        self._states: dict[str, tuple[Decision, DimensionState]] = {}
        self._record: tuple[Levers, dict[str, float | bool]] | None = None
        positions = self.engine.positions
        self.levers = self._read_levers(positions)
        self._snapshot(0, positions)

    def due(self, day: int) -> bool:
        """Whether a political round happens at the end of ``day``."""
        return day > 0 and day % self.cadence == 0

    def play_round(self, day: int, events: WeekEvents) -> Levers:
        """Apply the week's shocks and reports, play one round and return the new levers."""
        shocks = [s for s in events.shocks if s.actor in self.actors] + self.shocks_for(events)
        for shock in shocks:
            self.engine.apply(shock)
        self.engine.set_reports(
            {
                "decommissioned_total_share": events.decommissioned_total_share,
                "idf_held_share": events.idf_held_share,
            }
        )
        record = self.engine.step()
        self.levers = self._read_levers(record.positions)
        self._snapshot(day, record.positions)
        if self.keep_log:  # text for people: built only when a run's log is kept
            self._log_round(day, events, shocks, record)
        return self.levers

    def _log_round(
        self, day: int, events: WeekEvents, shocks: list[Shock], record: RoundRecord
    ) -> None:
        self.log.append(
            {
                "day": day,
                "round": record.round,
                "events": _plain(events),
                "shocks": [
                    f"{s.actor}.{s.dimension}: {s.mode.value} {s.value:+.2f} ({s.reason})"
                    for s in shocks
                ],
                "movers": list(record.movers),
                **self.outcome_record(),
                "branches": dict(record.branches),
                "reasons": {k: v.reason for k, v in self.levers.dimensions.items() if v.reason},
                "positions": self._snapshots[-1],
            }
        )

    def shocks_for(self, events: WeekEvents) -> list[Shock]:
        """Translate a week of ground events into shocks (only for actors in the table)."""
        c = self.coupling
        shocks: list[Shock] = []

        def add(
            actor: str, dimension: str, delta: float, reason: str, salience: bool = False
        ) -> None:
            if actor in self.actors and abs(delta) > 1e-9:
                make = Shock.salience if salience else Shock.position
                shocks.append(make(actor, dimension, delta, mode=ShockMode.ADD, reason=reason))

        for contributor, deaths in events.isf_deaths.items():
            add(
                contributor,
                MANDATE,
                -c.contributor_mandate_shift_per_death.value * deaths,
                f"{deaths:.0f} of its troops killed",
            )
        if events.idf_deaths:
            add(
                "israel",
                WITHDRAWAL,
                -c.israel_withdrawal_shift_per_death.value * events.idf_deaths,
                f"{events.idf_deaths:.0f} IDF deaths",
            )
        harm = events.strike_civilian_deaths
        if harm:
            for actor in ARAB_STATES:
                add(
                    actor,
                    WITHDRAWAL,
                    c.arab_withdrawal_shift_per_100_deaths.value * harm / 100,
                    f"{harm:.0f} civilians killed in strikes",
                )
        if events.weapons_decommissioned_share:
            shift = c.israel_withdrawal_shift_per_decommissioned.value
            add(
                "israel",
                WITHDRAWAL,
                shift * events.weapons_decommissioned_share * 100,
                "weapons decommissioned",
            )
        if events.ceasefire_collapsed:
            add("hamas", DISARMAMENT, -c.collapse_hamas_shift.value, "ceasefire collapsed")
            add("israel", WITHDRAWAL, -c.collapse_israel_shift.value, "ceasefire collapsed")
        return shocks

    def _read_levers(self, positions: np.ndarray) -> Levers:
        """The levers of the engine's current state (``positions``: its positions, 0-100)."""
        decisions = self.engine.decisions()
        states = {dim: self._dimension_state(d) for dim, d in decisions.items()}
        implemented = {dim: d.outcome for dim, d in decisions.items()}
        if self._hamas_disarmament is not None:
            # What Hamas is willing to do: its own position (its red line holds it there).
            compliance = float(positions[self._hamas_disarmament]) / 100.0
        else:
            compliance = implemented.get(DISARMAMENT, 50.0) / 100.0
        mandate = states.get(MANDATE)
        mandate_level = implemented.get(MANDATE, 50.0)
        return Levers(
            hamas_compliance=clip(compliance, 0.0, 1.0),
            mandate_level=mandate_level / 100.0,
            mandate_robust=(mandate is None or mandate.deal) and mandate_level >= self.threshold,
            withdrawal_will=implemented.get(WITHDRAWAL, 50.0) / 100.0,
            governance_support=implemented.get(GOVERNANCE, 50.0) / 100.0,
            branches={dim: d.state for dim, d in decisions.items()},
            dimensions=states,
        )

    def forecast(self) -> dict[str, float]:
        """Implemented outcome per dimension (0-100; the status quo where there is no deal)."""
        return self.engine.forecast()

    def outcome_record(self) -> dict[str, float | bool]:
        """Columns for outcome tables: ``forecast_<dim>`` and ``deal_<dim>`` per dimension.

        ``forecast_<dim>`` is the implemented outcome with a deal and NaN without one (a
        blocked dimension is a state, not a number on the 0-100 scale: ``deal_<dim>`` is False
        and ``levers.dimensions`` says which status quo holds and why).
        """
        if self._record is None or self._record[0] is not self.levers:  # read every day
            values: dict[str, float | bool] = {}
            for dim, state in self.levers.dimensions.items():
                values[f"forecast_{dim}"] = state.outcome if state.deal else float("nan")
                values[f"deal_{dim}"] = state.deal
            self._record = (self.levers, values)
        return dict(self._record[1])

    def _dimension_state(self, decision: Decision) -> DimensionState:
        """The decision as a lever, kept while the engine returns the same decision."""
        known = self._states.get(decision.dimension)
        if known is None or known[0] is not decision:
            known = (decision, _dimension_state(decision))
            self._states[decision.dimension] = known
        return known[1]

    def _snapshot(self, day: int, positions: np.ndarray) -> None:
        decisions = tuple(self.engine.decisions().values())
        self._snapshots.append(
            PositionSnapshot(
                day, self.engine.turn, self._actor_ids, self._dimension_ids, positions, decisions
            )
        )

    def positions_table(self) -> pd.DataFrame:
        """Every actor's position after every round, tidy.

        Columns: day, round, actor, dimension, position (0-100), deal (on that dimension),
        state (``deal`` or the no-deal state), implemented (the dimension's implemented outcome).
        Round 0 (day 0) is the starting state.
        """
        return positions_frame(self._snapshots)

    def decisions_table(self) -> pd.DataFrame:
        """Per round and dimension: deal, implemented and bargained outcome, status quo, why."""
        rows = [
            (day, rnd, d.dimension, d.deal, d.outcome, d.bargained, d.status_quo, d.state,
             d.reason, ",".join(d.vetoed_by))
            for day, rnd, decisions in ((x.day, x.round, x.decisions) for x in self._snapshots)
            for d in decisions
        ]  # fmt: skip
        columns = ["day", "round", "dimension", "deal", "implemented", "bargained", "status_quo",
                   "state", "reason", "vetoed_by"]  # fmt: skip
        return pd.DataFrame.from_records(rows, columns=columns)


def positions_of_result(result: Any) -> pd.DataFrame | None:
    """The positions table of a run result, or ``None``.

    Its ``positions`` attribute when it has one, else rebuilt from the political log's per-round
    rows (runs with daily records).
    """
    table = getattr(result, "positions", None)
    if isinstance(table, pd.DataFrame):
        return table
    log = getattr(result, "politics", None)
    if isinstance(log, pd.DataFrame) and "positions" in log.columns and len(log):
        return positions_frame(list(log["positions"]))
    return None


def _plain(value: Any) -> Any:
    """``dataclasses.asdict`` for the week's events: containers copied, dataclasses as dicts.

    Fields in declaration order, as ``asdict`` gives them (a dataclass's ``__dict__`` is filled
    in that order); the leaves (numbers, strings, enums) are immutable and shared.
    """
    if isinstance(value, (float, int, str)) or value is None:
        return value
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (Shock, WeekEvents)):
        return {key: _plain(item) for key, item in vars(value).items()}
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return value


def _dimension_state(decision: Decision) -> DimensionState:
    status_quo = decision.status_quo if math.isfinite(decision.status_quo) else decision.outcome
    return DimensionState(
        dimension=decision.dimension,
        deal=decision.deal,
        outcome=decision.outcome,
        status_quo=status_quo,
        reason="" if decision.deal else decision.label(),
        vetoed_by=decision.vetoed_by,
    )
