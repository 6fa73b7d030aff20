"""Step 7 of a turn: every actor resolves its queue of bargains by a PCE among all actors.

Each actor's queue holds its status quo, the bargain from its own challenge, and the bargains
from challenges it received (by initiator index). All actors vote on each option with the
utility of the state in which only that bargain is implemented. The queues differ in length, so
they are padded into one batch and resolved in a single vectorised election.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.bargaining.core import Perception, utility, weighted_distances
from sim.bargaining.pce import (
    CHUNK_ELEMENTS,
    COALITION_FLOOR,
    FloatArray,
    condorcet_probabilities,
    victory_probability,
    vote_shape,
)
from sim.scenario.bargaining import BargainingSettings, Transitions, VotingRule

IntArray = NDArray[np.int64]
STATUS_QUO = -1


@dataclass(frozen=True)
class Bargains:
    """The bargains of one turn, one per challenge, ordered by initiator.

    Attributes:
        initiator: ``(m,)`` actor index of each challenger.
        target: ``(m,)`` actor index of each challenged actor.
        probability: ``(m,)`` initiator's estimate that it prevails.
        initiator_position: ``(m, dims)`` position the bargain gives the initiator.
        target_position: ``(m, dims)`` position the bargain gives the target.
    """

    initiator: IntArray
    target: IntArray
    probability: FloatArray
    initiator_position: FloatArray
    target_position: FloatArray

    @property
    def count(self) -> int:
        """Number of bargains."""
        return int(self.initiator.size)


@dataclass(frozen=True)
class Resolution:
    """What each actor chose from its queue.

    Attributes:
        chosen: ``(actors,)`` index into the bargains, or ``STATUS_QUO``.
        positions: ``(actors, dims)`` positions after the turn.
    """

    chosen: IntArray
    positions: FloatArray


def build_queues(bargains: Bargains, actors: int) -> tuple[IntArray, NDArray[np.bool_]]:
    """Padded queues: ``(actors, length)`` bargain indices (slot 0 is the status quo) and mask."""
    members: list[list[int]] = [[STATUS_QUO] for _ in range(actors)]
    for m, initiator in enumerate(bargains.initiator):
        members[int(initiator)].append(m)
    for m, target in enumerate(bargains.target):
        members[int(target)].append(m)
    length = max(len(q) for q in members)
    queues = np.full((actors, length), STATUS_QUO, dtype=np.int64)
    valid = np.zeros((actors, length), dtype=bool)
    for k, queue in enumerate(members):
        queues[k, : len(queue)] = queue
        valid[k, : len(queue)] = True
    return queues, valid


def option_values(
    bargains: Bargains, perception: Perception, ideals: FloatArray, saliences: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Each actor's utility of the status quo ``(actors,)`` and of each bargain ``(actors, m)``.

    A bargain's state differs from the status quo only in the two positions it changes, so the
    value is the mean utility over all positions with those two replaced.
    """
    n = ideals.shape[0]
    own = perception.own
    row_total = own.sum(axis=1)
    status_quo = row_total / n
    if bargains.count == 0:
        return status_quo, np.empty((n, 0))
    points = np.concatenate([bargains.initiator_position, bargains.target_position])
    distances = weighted_distances(ideals, points, saliences)
    new_utils = utility(distances, perception.risk[:, None])
    m = bargains.count
    replaced = own[:, bargains.initiator] + own[:, bargains.target]
    values = (new_utils[:, :m] + new_utils[:, m:] + row_total[:, None] - replaced) / n
    return status_quo, values


def resolve_queues(
    bargains: Bargains,
    perception: Perception,
    capability: FloatArray,
    ideals: FloatArray,
    positions: FloatArray,
    saliences: FloatArray,
    settings: BargainingSettings,
    rng: np.random.Generator,
) -> Resolution:
    """Every actor's choice from its queue and the resulting positions."""
    n = positions.shape[0]
    if bargains.count == 0:
        return Resolution(np.full(n, STATUS_QUO, dtype=np.int64), positions.copy())
    queues, valid = build_queues(bargains, n)
    status_quo, values = option_values(bargains, perception, ideals, saliences)
    table = np.concatenate([values, status_quo[:, None]], axis=1)  # last column: status quo
    columns = np.where(queues == STATUS_QUO, bargains.count, queues)
    pairwise = queue_pairwise(table, columns, valid, capability, settings)
    probs = condorcet_probabilities(pairwise, settings.pce_model, valid)
    if settings.transitions is Transitions.STOCHASTIC:
        draws = rng.random(size=(n, 1))
        slots = np.argmax(np.cumsum(probs, axis=1) > draws * probs.sum(axis=1, keepdims=True), 1)
    else:
        slots = np.argmax(probs, axis=1)
    chosen = queues[np.arange(n), slots]
    return Resolution(chosen, _apply_choices(chosen, bargains, positions))


def queue_pairwise(
    table: FloatArray,
    columns: IntArray,
    valid: NDArray[np.bool_],
    capability: FloatArray,
    settings: BargainingSettings,
) -> FloatArray:
    """Pairwise victory probabilities within each queue, ``(queues, slots, slots)``.

    Only pairs of options that share a queue are contested, so they are listed and evaluated
    directly rather than through a padded cube of every queue against every slot.

    Args:
        table: ``(voters, options)`` each voter's value of each option (status quo last).
        columns: ``(queues, slots)`` option index of each queue slot.
        valid: ``(queues, slots)`` mask of real slots.
        capability: Voter weights.
        settings: Voting rule and victory model.
    """
    queues, slots = columns.shape
    pair_mask = valid[:, :, None] & valid[:, None, :]
    k, a, b = np.nonzero(pair_mask)
    by_option = np.ascontiguousarray(table.T)  # [option, voter]
    col_a, col_b = columns[k, a], columns[k, b]
    strength_ab = _pair_strengths(by_option, col_a, col_b, capability, settings.voting_rule)
    strength_ba = _pair_strengths(by_option, col_b, col_a, capability, settings.voting_rule)
    pairwise = np.full((queues, slots, slots), 0.5)
    pairwise[k, a, b] = victory_probability(strength_ab, strength_ba, settings.victory_model)
    diag = np.arange(slots)
    pairwise[:, diag, diag] = 0.5
    return pairwise


def _pair_strengths(
    by_option: FloatArray,
    col_a: IntArray,
    col_b: IntArray,
    weights: FloatArray,
    rule: VotingRule,
) -> FloatArray:
    """Coalition strength for option ``col_a[p]`` over ``col_b[p]`` for each listed pair."""
    voters = by_option.shape[1]
    pairs = col_a.size
    strengths = np.empty(pairs)
    per_chunk = max(1, CHUNK_ELEMENTS // max(1, voters))
    for start in range(0, pairs, per_chunk):
        stop = min(pairs, start + per_chunk)
        diff = by_option[col_a[start:stop]] - by_option[col_b[start:stop]]
        shaped = diff if rule is VotingRule.PROP else vote_shape(diff, rule)
        np.maximum(shaped, 0.0, out=shaped)
        strengths[start:stop] = shaped @ weights
    return strengths + COALITION_FLOOR


def _apply_choices(chosen: IntArray, bargains: Bargains, positions: FloatArray) -> FloatArray:
    new_positions = positions.copy()
    movers = np.flatnonzero(chosen != STATUS_QUO)
    picked = chosen[movers]
    as_initiator = bargains.initiator[picked] == movers
    new_positions[movers] = np.where(
        as_initiator[:, None],
        bargains.initiator_position[picked],
        bargains.target_position[picked],
    )
    return new_positions
