"""The steppable bargaining engine.

:class:`BargainingEngine` holds the state of a Spatial Model of Politics (positions, ideals,
saliences, capabilities, vetoes) and plays it one round at a time. With KTAB's default settings
and no vetoes it reproduces KTAB's reference runs (``paper.kapsarc_ktab``).

Example:
    >>> import numpy as np
    >>> engine = BargainingEngine(
    ...     ["a", "b", "c"], ["d"], capability=[1.0, 2.0, 3.0],
    ...     position=[[10.0], [50.0], [90.0]], salience=[[80.0], [60.0], [40.0]],
    ...     rng=np.random.default_rng(1))
    >>> history = engine.run()
    >>> 0.0 <= engine.forecast()["d"] <= 100.0
    True
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from sim.bargaining import turn
from sim.bargaining.core import (
    ChallengeTable,
    Perception,
    bargain_positions,
    choose_targets,
    evaluate_challenges,
    perceive,
)
from sim.bargaining.history import (
    History,
    Recorder,
    RoundEvents,
    StateAnalysis,
    StateSummary,
)
from sim.bargaining.pce import FloatArray, scalar_pce
from sim.bargaining.resolution import Bargains, Resolution, resolve_queues
from sim.bargaining.shocks import Shock, ShockKind, ShockRecord, VetoShock
from sim.bargaining.state import ActorTable, unique_groups
from sim.bargaining.vetoes import Decision, RedLine, Reversion, Veto, VetoBook
from sim.scenario.bargaining import BargainingInterpolation, BargainingSettings, Transitions

if TYPE_CHECKING:
    from sim.bargaining.ktab_io import KtabTable
    from sim.scenario.bargaining import BargainingSpec

MOVEMENT_FLOOR = 1e-4  # KTAB's guard against a first round in which nobody moves


class RecordLevel(StrEnum):
    """How much the engine records: everything, or only what the coupled model reads."""

    FULL = "full"
    LIGHT = "light"


@dataclass(frozen=True)
class RoundRecord:
    """The result of one round.

    Attributes:
        round: Index of the state the round produced.
        positions: ``(actors, dims)`` positions after the round (0-100).
        movement: Sum over actors of the Euclidean distance moved (0-100 units).
        challenges: Number of challenges made.
        movers: Ids of the actors that adopted a bargain.
        forecast: Implemented outcome per dimension after the round (0-100; the status quo
            where there is no deal).
        branches: ``deal`` or the no-deal state's name, per dimension.
        converged: Whether KTAB's stopping rule is now met.
    """

    round: int
    positions: FloatArray
    movement: float
    challenges: int
    movers: tuple[str, ...]
    forecast: dict[str, float]
    branches: dict[str, str]
    converged: bool


class BargainingEngine:
    """A Spatial Model of Politics that can be stepped, shocked and read between rounds.

    Args:
        actors: Actor ids.
        dimensions: Dimension ids.
        capability: ``(actors,)`` capabilities (relative units, >= 0).
        position: ``(actors, dims)`` positions on the 0-100 scale.
        salience: ``(actors, dims)`` saliences on 0-100, each row summing to at most 100.
        settings: Engine options (KTAB's defaults when omitted).
        rng: Generator for stochastic transitions; required when they are stochastic.
        accommodation: ``(actors, actors)`` matrix with row sums <= 1 (identity when omitted).
        vetoes: Consent requirements by id (positions 0-100).
        reversions: Per dimension with a veto, the status quo it reverts to without consent.
        red_lines: Actors' red lines (resolve).
        record: ``full`` for every table, ``light`` for positions, forecasts and branches.
        compiled: Play turns through the compiled kernels where the settings allow
            (:func:`sim.bargaining.turn.compiled`; same results to the last bit). ``False``
            uses the numpy functions, the reference.
    """

    def __init__(
        self,
        actors: Sequence[str],
        dimensions: Sequence[str],
        capability: ArrayLike,
        position: ArrayLike,
        salience: ArrayLike,
        *,
        settings: BargainingSettings | None = None,
        rng: np.random.Generator | None = None,
        accommodation: ArrayLike | None = None,
        vetoes: Mapping[str, Veto] | None = None,
        reversions: Mapping[str, Reversion] | None = None,
        red_lines: Sequence[RedLine] = (),
        record: RecordLevel | str = RecordLevel.FULL,
        compiled: bool = True,
    ) -> None:
        self.settings = settings or BargainingSettings()
        if self.settings.transitions is Transitions.STOCHASTIC and rng is None:
            raise ValueError("stochastic transitions need a numpy Generator: pass rng=...")
        self._rng = rng if rng is not None else np.random.default_rng(0)
        self._table = ActorTable.build(
            actors, dimensions, capability, position, salience, accommodation
        )
        self._vetoes = VetoBook(
            dict(vetoes or {}), list(dimensions), list(self._table.actors), reversions, red_lines
        )
        self._vetoes.set_drivers(self._initial_drivers())
        self.record = RecordLevel(record)
        self._compiled = compiled and turn.compiled(self.settings)
        self._turn = 0
        self._perception: Perception | None = None
        self._anchor = 0
        self._movement: dict[int, float] = {}
        self._converged = False
        self._stale = False  # whether the state changed since its decisions were evaluated
        self._recorder = Recorder(
            list(self._table.actors), list(dimensions), self._table.weighted_mean()
        )
        self._recorder.positions.append(self._table.position * 100.0)
        self._recorder.summaries.append(self._summary())

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def from_spec(
        cls,
        spec: BargainingSpec,
        rng: np.random.Generator | None = None,
        record: RecordLevel | str = RecordLevel.FULL,
        *,
        capability: ArrayLike | None = None,
        salience: ArrayLike | None = None,
        compiled: bool = True,
    ) -> BargainingEngine:
        """An engine for a validated :class:`~sim.scenario.bargaining.BargainingSpec`.

        ``capability`` and ``salience`` replace the spec's values (e.g. a replication's draws);
        ``compiled`` as in the constructor.
        """
        from sim.bargaining.state import spec_arrays

        arrays = spec_arrays(spec)
        return cls(
            arrays.actors,
            arrays.dimensions,
            arrays.capability if capability is None else capability,
            arrays.position,
            arrays.salience if salience is None else salience,
            settings=spec.settings,
            rng=rng,
            accommodation=arrays.accommodation,
            vetoes=arrays.vetoes,
            reversions=arrays.reversions,
            red_lines=arrays.red_lines,
            record=record,
            compiled=compiled,
        )

    @classmethod
    def from_ktab(
        cls,
        table: KtabTable,
        settings: BargainingSettings | None = None,
        rng: np.random.Generator | None = None,
        record: RecordLevel | str = RecordLevel.FULL,
    ) -> BargainingEngine:
        """An engine for a table read by :func:`~sim.bargaining.ktab_io.read_ktab_csv`."""
        return cls(
            table.actors,
            table.dimensions,
            table.capability,
            table.position,
            table.salience,
            settings=settings,
            rng=rng,
            record=record,
        )

    # -- reading ------------------------------------------------------------------------------

    @property
    def actors(self) -> list[str]:
        """Actor ids in table order."""
        return list(self._table.actors)

    @property
    def dimensions(self) -> list[str]:
        """Dimension ids in table order."""
        return list(self._table.dimensions)

    @property
    def turn(self) -> int:
        """Index of the current state (0 before any round)."""
        return self._turn

    @property
    def compiled(self) -> bool:
        """Whether turns run through the compiled kernels (else the numpy functions)."""
        return self._compiled

    @property
    def converged(self) -> bool:
        """Whether KTAB's stopping rule holds since the last shock."""
        return self._converged

    @property
    def positions(self) -> FloatArray:
        """``(actors, dims)`` current positions on the 0-100 scale (a copy)."""
        return self._table.position * 100.0

    @property
    def capability(self) -> FloatArray:
        """``(actors,)`` current capabilities (a copy)."""
        return self._table.capability.copy()

    @property
    def salience(self) -> FloatArray:
        """``(actors, dims)`` current saliences on 0-100 (a copy)."""
        return self._table.salience * 100.0

    @property
    def branches(self) -> dict[str, str]:
        """Per dimension: ``deal`` or the no-deal state's name (e.g. ``no_turkish_contingent``)."""
        return {d.dimension: d.state for d in self._state().decisions}

    @property
    def branch_reasons(self) -> dict[str, str]:
        """Per dimension: who withheld consent and why (empty with a deal)."""
        return {d.dimension: d.reason for d in self._state().decisions}

    def decisions(self) -> dict[str, Decision]:
        """Per dimension, the decision in the current state (deal, outcome, status quo, why)."""
        return {d.dimension: d for d in self._state().decisions}

    @property
    def book(self) -> VetoBook:
        """The vetoes, red lines and reversion points (read-only use)."""
        return self._vetoes

    def set_reports(self, reports: Mapping[str, float]) -> None:
        """Ground reports that links read (shares 0-1, e.g. ``decommissioned_total_share``).

        They take effect from the next round (the current state's decisions are re-evaluated).
        """
        if self._vetoes.set_drivers({k: float(v) * 100.0 for k, v in reports.items()}):
            self._stale = True

    @property
    def vetoes(self) -> dict[str, Veto]:
        """Vetoes by id, with their current enforcement."""
        return self._vetoes.vetoes

    @property
    def history(self) -> History:
        """Tidy tables of everything recorded so far."""
        if self.record is RecordLevel.FULL:
            self._perceive()  # the current state's win probabilities and risk attitudes
        self._state()
        return History(self._recorder)

    def risk_attitudes(self) -> dict[str, float]:
        """Each actor's risk attitude in the current state."""
        return dict(zip(self._table.actors, self._perceive().risk.tolist(), strict=True))

    def forecast(self) -> dict[str, float]:
        """Implemented outcome per dimension (0-100), see :meth:`decisions`.

        The capability-weighted mean position where every required consenter accepts it, else
        the dimension's status quo.
        """
        summary = self._state()
        return dict(zip(self._table.dimensions, summary.forecast.tolist(), strict=True))

    def baseline(self) -> dict[str, float]:
        """Capability x salience weighted mean of the starting positions, per dimension."""
        return dict(zip(self._table.dimensions, self._recorder.baseline.tolist(), strict=True))

    def win_probabilities(self) -> dict[str, float]:
        """Each actor's position's probability of winning a PCE in the current state."""
        probs, _ = self._win_probability(self._perceive())
        return dict(zip(self._table.actors, probs.tolist(), strict=True))

    def most_probable_position(self, constrained: bool = True) -> dict[str, float]:
        """The position (0-100) with the highest win probability in the current state.

        Args:
            constrained: Apply the decision rules as :meth:`forecast` does (a position some
                required consenter refuses gives way to the status quo).
        """
        probs, _ = self._win_probability(self._perceive())
        row = self._table.position[int(np.argmax(probs))] * 100.0
        if not constrained:
            return dict(zip(self._table.dimensions, row.tolist(), strict=True))
        return {dim: d.outcome for dim, d in self._vetoes.decide(row.tolist()).items()}

    # -- playing ------------------------------------------------------------------------------

    def step(self) -> RoundRecord:
        """Play one round: challenges, bargains, votes on every queue, moves."""
        table = self._table
        drivers = self._dimension_drivers()  # this state's outcomes: what links read next
        perception = self._perceive()
        if self._compiled:
            challenges, bargains, resolution, moved = turn.play(
                perception, table, self.settings, self._vetoes.bounds, self._rng
            )
        else:
            challenges, bargains, resolution, moved = self._play_numpy(perception)
        table.move_to(resolution.positions)
        self._turn += 1
        self._perception = None
        self._vetoes.set_drivers(drivers)
        movement = moved.sum()
        self._movement[self._turn] = float(movement)
        self._converged = self._stopping_rule_met()
        self._recorder.positions.append(table.position * 100.0)
        self._recorder.summaries.append(self._recorder.summaries[-1])  # evaluated when read
        self._stale = True
        if self.record is RecordLevel.FULL:
            pairs = (bargains.initiator, bargains.target)
            self._recorder.events[self._turn] = RoundEvents(
                bargains,
                challenges.initiator_gain[pairs],
                challenges.target_gain[pairs],
                resolution.chosen,
                moved * 100.0,
            )
        movers = tuple(a for a, d in zip(table.actors, moved.tolist(), strict=True) if d > 0.0)
        return RoundRecord(
            self._turn,
            table.position * 100.0,
            float(movement * 100.0),
            bargains.count,
            movers,
            self.forecast(),
            self.branches,
            self._converged,
        )

    def run(self, max_rounds: int | None = None) -> History:
        """Play rounds until KTAB's stopping rule holds or ``max_rounds`` rounds are played.

        Args:
            max_rounds: Cap on rounds in this call (``settings.max_rounds`` when omitted).

        Returns:
            The history so far.
        """
        limit = self.settings.max_rounds if max_rounds is None else max_rounds
        for _ in range(limit):
            if self._converged:
                break
            self.step()
        return self.history

    def apply(self, shock: Shock | VetoShock) -> ShockRecord:
        """Apply a shock to the current state; convergence tracking restarts from here."""
        if isinstance(shock, VetoShock):
            before = self._vetoes.set_enforced(shock.veto, shock.enforced)
            record = ShockRecord(
                self._turn,
                "veto",
                shock.veto,
                before.dimension,
                "set",
                float(shock.enforced),
                float(before.enforced),
                float(shock.enforced),
                shock.reason,
            )
        else:
            record = self._apply_actor_shock(shock)
        self._recorder.shocks.append(record)
        self._perception = None
        self._recorder.analyses.pop(self._turn, None)
        self._recorder.positions[-1] = self._table.position * 100.0
        self._stale = True
        self._anchor = self._turn
        self._converged = False
        return record

    # -- internals ----------------------------------------------------------------------------

    def _apply_actor_shock(self, shock: Shock) -> ShockRecord:
        actor = self._table.actor_index(shock.actor)
        dim = None if shock.dimension is None else self._table.dimension_index(shock.dimension)
        if shock.kind is ShockKind.CAPABILITY:
            before, after = self._table.set_capability(actor, shock.new_value)
        elif shock.kind is ShockKind.POSITION:
            assert dim is not None
            before, after = self._table.set_position(actor, dim, shock.new_value)
            self._follow_red_line(shock.actor, self._table.dimensions[dim], after)
        elif shock.kind is ShockKind.RED_LINE:
            assert shock.dimension is not None
            before, after = self._move_red_line(shock)
        else:
            assert dim is not None
            before, after = self._table.set_salience(actor, dim, shock.new_value)
        return ShockRecord(
            self._turn,
            shock.kind.value,
            shock.actor,
            shock.dimension,
            shock.mode.value,
            shock.value,
            before,
            after,
            shock.reason,
        )

    def _play_numpy(
        self, perception: Perception
    ) -> tuple[ChallengeTable, Bargains, Resolution, FloatArray]:
        """A turn by the numpy functions (settings the kernels do not cover; the reference)."""
        table = self._table
        challenges = evaluate_challenges(
            perception, table.capability, table.salience, self.settings
        )
        bargains = self._bargains(challenges.probability, choose_targets(challenges.initiator_gain))
        resolution = resolve_queues(
            bargains,
            perception,
            table.capability,
            table.ideal,
            table.position,
            table.salience,
            self.settings,
            self._rng,
        )
        moved = np.linalg.norm(resolution.positions - table.position, axis=1)
        return challenges, bargains, resolution, moved

    def _perceive(self) -> Perception:
        if self._perception is None:
            table = self._table
            if self._compiled:
                self._perception = turn.perceive(table, self.settings)
            else:
                self._perception = perceive(
                    table.capability, table.ideal, table.position, table.salience, self.settings
                )
            if self.record is RecordLevel.FULL:
                probs, groups = self._win_probability(self._perception)
                self._recorder.analyses[self._turn] = StateAnalysis(
                    self._perception.risk,
                    probs,
                    groups,
                    table.capability.copy(),
                    table.salience.copy(),
                )
        return self._perception

    def _win_probability(self, perception: Perception) -> tuple[FloatArray, np.ndarray]:
        """Each actor's option's win probability; options are positions within 1e-3."""
        groups, representatives = unique_groups(self._table.position)
        utilities = perception.own[:, representatives]
        s = self.settings
        if self._compiled:
            probs = turn.scalar_pce(self._table.capability, utilities, s)
        else:
            probs = scalar_pce(
                self._table.capability, utilities, s.voting_rule, s.victory_model, s.pce_model
            )
        return probs[np.searchsorted(representatives, groups)], groups

    def _bargains(self, probability: FloatArray, targets: np.ndarray) -> Bargains:
        table = self._table
        initiators = np.flatnonzero(targets >= 0)
        receivers = targets[initiators]
        power = 2 if self.settings.bargain_interpolation is BargainingInterpolation.S2P2 else 1
        p = probability[initiators, receivers]
        new_i, new_j = bargain_positions(
            p,
            table.position[initiators],
            table.position[receivers],
            table.salience[initiators],
            table.salience[receivers],
            power,
        )
        return Bargains(
            initiators,
            receivers,
            p,
            self._vetoes.project(new_i, initiators),
            self._vetoes.project(new_j, receivers),
        )

    def _stopping_rule_met(self) -> bool:
        played = self._turn - self._anchor
        if played < 2:
            return False
        first = self._movement[self._anchor + 1]
        ratio = self._movement[self._turn] / (first + MOVEMENT_FLOOR)
        return bool(ratio < self.settings.convergence_threshold)

    def _state(self) -> StateSummary:
        """The current state's summary, its decisions evaluated again if the state changed.

        Shocks and reports only mark the state as changed; the decisions are evaluated when they
        are read, with the drivers of that moment: the same as evaluating them at every change,
        since every change that can alter them marks the state.
        """
        if self._stale:
            self._recorder.summaries[-1] = self._summary()
            self._stale = False
        return self._recorder.summaries[-1]

    def _summary(self) -> StateSummary:
        bargained = self._table.capability_weighted_mean()
        decisions = self._vetoes.decisions(bargained.tolist())
        return StateSummary(
            np.array([d.outcome for d in decisions]),
            bargained,
            tuple([d.state for d in decisions]),
            tuple([d.reason for d in decisions]),
            decisions,
        )

    def _initial_drivers(self) -> dict[str, float]:
        """Before any round, dimension drivers are the status quo (or the bargained mean)."""
        bargained = self._table.capability_weighted_mean()
        reversions = self._vetoes.reversions
        return {
            dim: reversions[dim].status_quo if dim in reversions else float(value)
            for dim, value in zip(self._table.dimensions, bargained, strict=True)
        }

    def _dimension_drivers(self) -> dict[str, float]:
        """The previous state's implemented outcomes, which links on dimensions read."""
        return {d.dimension: d.outcome for d in self._state().decisions}

    def _follow_red_line(self, actor: str, dimension: str, position: float) -> None:
        """A position shock across an actor's red line moves the line with it."""
        line = self._vetoes.red_line(actor, dimension)
        if line is None:
            return
        if position > line.high:
            self._vetoes.set_red_line(replace(line, high=position))
        elif position < line.low:
            self._vetoes.set_red_line(replace(line, low=position))

    def _move_red_line(self, shock: Shock) -> tuple[float, float]:
        """Move the declared bound of a red line (at_most if declared, else at_least)."""
        assert shock.dimension is not None
        line = self._vetoes.red_line(shock.actor, shock.dimension)
        if line is None:
            raise KeyError(f"{shock.actor!r} has no red line on {shock.dimension!r}")
        upper = line.high < 100.0
        before = line.high if upper else line.low
        after = float(np.clip(shock.new_value(before), 0.0, 100.0))
        moved = (
            replace(line, high=max(after, line.low))
            if upper
            else replace(line, low=min(after, line.high))
        )
        self._vetoes.set_red_line(moved)
        return before, after
