"""Compiled loops of a turn's resolution: every actor's queue of bargains and its election.

Same rules as :mod:`sim.bargaining.kernels` (numpy's floating-point order; products with the
weights, ``log``, ``exp`` and draws stay in numpy). :func:`prepare` strings together everything
from the perception to the pairs of options each queue contests, in one call.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from sim.bargaining.kernels import (
    _JIT,
    STATUS_QUO,
    TINY,
    _max0,
    bargains,
    challenge_table,
    choose_targets,
    normalise_rows,
    pairwise_sum,
    victory,
    vote,
    weighted_distances,
)
from sim.bargaining.pce import COALITION_FLOOR, FloatArray

# -- resolution of the queues --------------------------------------------------------------------


@nb.njit(**_JIT)
def build_queues(
    initiator: np.ndarray, target: np.ndarray, actors: int
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`sim.bargaining.resolution.build_queues`: padded queues and their mask."""
    m = initiator.shape[0]
    lengths = np.ones(actors, dtype=np.int64)
    for b in range(m):
        lengths[initiator[b]] += 1
        lengths[target[b]] += 1
    queues = np.full((actors, lengths.max()), STATUS_QUO, dtype=np.int64)
    valid = np.zeros((actors, lengths.max()), dtype=np.bool_)
    filled = np.ones(actors, dtype=np.int64)
    for b in range(m):
        a = initiator[b]
        queues[a, filled[a]] = b
        filled[a] += 1
    for b in range(m):
        a = target[b]
        queues[a, filled[a]] = b
        filled[a] += 1
    for a in range(actors):
        for s in range(lengths[a]):
            valid[a, s] = True
    return queues, valid


@nb.njit(**_JIT)
def option_table(
    own: FloatArray,
    risk: FloatArray,
    ideal: FloatArray,
    salience: FloatArray,
    initiator: np.ndarray,
    target: np.ndarray,
    new_i: FloatArray,
    new_j: FloatArray,
) -> FloatArray:
    """Each voter's value of each bargain and, last column, of the status quo.

    :func:`sim.bargaining.resolution.option_values` and the table ``resolve_queues`` builds.
    """
    n = own.shape[0]
    m = initiator.shape[0]
    points = np.concatenate((new_i, new_j))
    distances = weighted_distances(ideal, points, salience)
    table = np.empty((n, m + 1))
    for v in range(n):
        row_total = pairwise_sum(own[v])
        for b in range(m):
            d_i = distances[v, b]
            d_j = distances[v, m + b]
            u_i = (1.0 - d_i) * (1.0 + d_i * risk[v])
            u_j = (1.0 - d_j) * (1.0 + d_j * risk[v])
            replaced = own[v, initiator[b]] + own[v, target[b]]
            table[v, b] = (u_i + u_j + row_total - replaced) / n
        table[v, m] = row_total / n
    return table


@nb.njit(**_JIT)
def queue_pairs(queues: np.ndarray, valid: np.ndarray, options: int) -> tuple[np.ndarray, ...]:
    """Every pair of slots that share a queue: ``(queue, slot_a, slot_b, option_a, option_b)``.

    In the order of ``np.nonzero`` over ``(queue, slot, slot)``; the status quo is option
    ``options - 1`` (the table's last column).
    """
    count = 0
    for k in range(queues.shape[0]):
        filled = 0
        for s in range(queues.shape[1]):
            if valid[k, s]:
                filled += 1
        count += filled * filled
    out = np.empty((5, count), dtype=np.int64)
    p = 0
    for k in range(queues.shape[0]):
        for a in range(queues.shape[1]):
            if not valid[k, a]:
                continue
            for b in range(queues.shape[1]):
                if not valid[k, b]:
                    continue
                col_a = queues[k, a] if queues[k, a] != STATUS_QUO else options - 1
                col_b = queues[k, b] if queues[k, b] != STATUS_QUO else options - 1
                out[0, p], out[1, p], out[2, p] = k, a, b
                out[3, p], out[4, p] = col_a, col_b
                p += 1
    return out[0], out[1], out[2], out[3], out[4]


@nb.njit(**_JIT)
def pair_votes(
    table: FloatArray, col_a: np.ndarray, col_b: np.ndarray, start: int, stop: int, rule: int
) -> FloatArray:
    """Positive votes for option ``col_a[p]`` over ``col_b[p]``, ``(stop - start, voters)``.

    The matrix that :func:`sim.bargaining.resolution._pair_strengths` multiplies by the weights.
    """
    voters = table.shape[0]
    out = np.empty((stop - start, voters))
    for p in range(start, stop):
        a, b = col_a[p], col_b[p]
        for v in range(voters):
            out[p - start, v] = _max0(vote(table[v, a] - table[v, b], rule))
    return out


@nb.njit(**_JIT)
def queue_victory_floor(
    strength_ab: FloatArray,
    strength_ba: FloatArray,
    queue: np.ndarray,
    slot_a: np.ndarray,
    slot_b: np.ndarray,
    shape: tuple[int, int],
    power: int,
) -> FloatArray:
    """Pairwise victory probabilities within each queue, floored for the logarithm.

    Strengths are before :data:`COALITION_FLOOR` is added; padding gets 0.5 as in
    :func:`sim.bargaining.resolution.queue_pairwise`.
    """
    queues, slots = shape
    out = np.full((queues, slots, slots), 0.5)
    for p in range(queue.shape[0]):
        a, b = slot_a[p], slot_b[p]
        if a != b:
            value = victory(
                strength_ab[p] + COALITION_FLOOR, strength_ba[p] + COALITION_FLOOR, power
            )
            out[queue[p], a, b] = value if (value >= TINY or value != value) else TINY
    return out


@nb.njit(**_JIT)
def choose(
    probs: FloatArray,
    draws: FloatArray,
    stochastic: bool,
    queues: np.ndarray,
    initiator: np.ndarray,
    new_i: FloatArray,
    new_j: FloatArray,
    position: FloatArray,
) -> tuple[np.ndarray, FloatArray, FloatArray]:
    """Each actor's pick from its queue, the new positions and the distance each moved.

    Stochastic: the first slot whose cumulative probability exceeds ``draw x total`` (as
    :func:`sim.bargaining.resolution.resolve_queues`); else the most probable slot.
    """
    n, k = position.shape
    slots = probs.shape[1]
    chosen = np.empty(n, dtype=np.int64)
    moved_to = position.copy()
    moved = np.empty(n)
    step = np.empty(k)
    for a in range(n):
        slot = 0
        if stochastic:
            threshold = draws[a, 0] * pairwise_sum(probs[a])
            cumulative = 0.0
            for s in range(slots):
                cumulative = probs[a, s] if s == 0 else cumulative + probs[a, s]
                if cumulative > threshold:
                    slot = s
                    break
        else:
            best = probs[a, 0]
            for s in range(1, slots):
                value = probs[a, s]
                if best != best:
                    break
                if value > best or value != value:
                    best, slot = value, s
        pick = queues[a, slot]
        chosen[a] = pick
        if pick != STATUS_QUO:
            source = new_i if initiator[pick] == a else new_j
            for d in range(k):
                moved_to[a, d] = source[pick, d]
        for d in range(k):
            gap = moved_to[a, d] - position[a, d]
            step[d] = gap * gap
        moved[a] = np.sqrt(pairwise_sum(step))
    return chosen, moved_to, moved


@nb.njit(**_JIT)
def choose_from(
    weights: FloatArray,
    draws: FloatArray,
    stochastic: bool,
    queues: np.ndarray,
    initiator: np.ndarray,
    new_i: FloatArray,
    new_j: FloatArray,
    position: FloatArray,
) -> tuple[np.ndarray, FloatArray, FloatArray]:
    """:func:`choose` from the queues' unnormalised election weights."""
    probs = normalise_rows(weights)
    return choose(probs, draws, stochastic, queues, initiator, new_i, new_j, position)


@nb.njit(**_JIT)
def prepare(
    base: FloatArray,
    curvature: FloatArray,
    own: FloatArray,
    risk: FloatArray,
    own_weight: float,
    capability: FloatArray,
    ideal: FloatArray,
    position: FloatArray,
    salience: FloatArray,
    rule: int,
    semi: bool,
    power: int,
    low: FloatArray,
    high: FloatArray,
    bounded: bool,
) -> tuple:  # type: ignore[type-arg]
    """Challenges, bargains, queues, the voters' values of every option and the contested pairs.

    Returns ``(probability, gain_i, gain_j, initiator, target, p, new_i, new_j, queues, valid,
    values, queue, slot_a, slot_b, col_a, col_b)``; the queue arrays are empty without bargains.
    """
    n = capability.shape[0]
    prob, gain_i, gain_j = challenge_table(
        base, curvature, own, risk, own_weight, capability, salience, rule, semi
    )
    targets = choose_targets(gain_i)
    initiator, target, p, new_i, new_j = bargains(
        prob, targets, position, salience, power, low, high, bounded
    )
    if initiator.shape[0] == 0:
        queues = np.full((n, 1), STATUS_QUO, dtype=np.int64)
        valid = np.ones((n, 1), dtype=np.bool_)
        values = np.empty((n, 0))
        empty = np.empty(0, dtype=np.int64)
        return (prob, gain_i, gain_j, initiator, target, p, new_i, new_j, queues, valid,
                values, empty, empty, empty, empty, empty)  # fmt: skip
    queues, valid = build_queues(initiator, target, n)
    values = option_table(own, risk, ideal, salience, initiator, target, new_i, new_j)
    queue, slot_a, slot_b, col_a, col_b = queue_pairs(queues, valid, initiator.shape[0] + 1)
    return (prob, gain_i, gain_j, initiator, target, p, new_i, new_j, queues, valid, values,
            queue, slot_a, slot_b, col_a, col_b)  # fmt: skip
