"""Compiled loops of one bargaining turn, bit-for-bit equal to the numpy functions they replace.

A turn on a table of 15 actors is a few hundred numpy calls on arrays of 15 to 225 elements: the
calls' overhead, not the arithmetic, is the cost. These numba kernels do the same arithmetic in
loops, **in the same floating-point order as numpy** so that the results are identical to the
last bit (``tests/bargaining/test_bargaining_compiled.py`` checks that):

* elementwise expressions keep numpy's association (``a + b + c`` is ``(a + b) + c``);
* a sum along a contiguous row is numpy's pairwise summation (:func:`pairwise_sum`); a sum along
  an outer axis (numpy's ``sum(axis=1)`` of a 3-d array) is sequential;
* what numpy computes with other code than plain IEEE arithmetic stays in numpy, between the
  kernels: matrix-vector products (BLAS), ``log`` and ``exp`` (numpy's SIMD versions differ from
  the C library's in the last bit), and the random draws.

Settings whose arithmetic needs ``pow`` (the cubic voting rules, the quartic and octic victory
models) or the Markov PCE models are not compiled: :mod:`sim.bargaining.turn` leaves them to the
numpy functions. Kernels take C-contiguous float64 arrays.

All compiled code is in this one file, and it reads no other module's values: numba's on-disk
cache is invalidated only when the cached function's own file changes, and it keeps globals'
values frozen in the machine code.
"""

from __future__ import annotations

import numba as nb
import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]

# Compiled once and kept on disk; a division by zero gives inf or nan, as in numpy.
kernel = nb.njit(cache=True, error_model="numpy", nogil=True)

# The numpy functions' constants, repeated (see above; the tests check that they agree).
PRINCIPAL_FLOOR = 1e-10  # core.PRINCIPAL_FLOOR
MIN_CHALLENGE_GAIN = 1e-5  # core.MIN_CHALLENGE_GAIN
BARGAIN_EPSILON = 1e-6  # core.BARGAIN_EPSILON
ROUNDING = 10.0**4  # 10 ** core.BARGAIN_DECIMALS: numpy's round(x, 4) is rint(x * 1e4) / 1e4
COALITION_FLOOR = 1e-8  # pce.COALITION_FLOOR
BINARY_SCALE = 1e-8  # pce.BINARY_SCALE
STATUS_QUO = -1  # resolution.STATUS_QUO
TINY = float(np.finfo(float).tiny)  # the floor of pce._conditional's logarithm

# Voting rules the kernels implement (codes; see sim.bargaining.turn.RULE_CODES).
RULE_PROP = 0
RULE_BINARY = 1
RULE_PROP_BIN = 2
RULE_ASYM_PROSP = 3


@kernel
def pairwise_sum(a: FloatArray) -> float:
    """Sum of a 1-d array exactly as numpy sums a contiguous row (pairwise, 8 accumulators)."""
    n = a.shape[0]
    if n < 8:
        res = 0.0
        for i in range(n):
            res += a[i]
        return res
    if n <= 128:
        r0, r1, r2, r3 = a[0], a[1], a[2], a[3]
        r4, r5, r6, r7 = a[4], a[5], a[6], a[7]
        i = 8
        last = n - n % 8
        while i < last:
            r0 += a[i]
            r1 += a[i + 1]
            r2 += a[i + 2]
            r3 += a[i + 3]
            r4 += a[i + 4]
            r5 += a[i + 5]
            r6 += a[i + 6]
            r7 += a[i + 7]
            i += 8
        res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
        while i < n:
            res += a[i]
            i += 1
        return res
    half = n // 2
    half -= half % 8
    return pairwise_sum(a[:half]) + pairwise_sum(a[half:])


@kernel
def _max0(x: float) -> float:
    """Numpy's ``maximum(x, 0.0)`` (NaN propagates)."""
    return x if (x >= 0.0 or x != x) else 0.0


@kernel
def _min0(x: float) -> float:
    """Numpy's ``minimum(x, 0.0)`` (NaN propagates)."""
    return x if (x <= 0.0 or x != x) else 0.0


@kernel
def _clip(x: float, low: float, high: float) -> float:
    """Numpy's ``clip``: ``min(max(x, low), high)`` with NaN kept."""
    if x != x:
        return x
    y = x if x > low else low
    return y if y < high else high


@kernel
def vote(diff: float, rule: int) -> float:
    """:func:`sim.bargaining.pce.vote_shape` for one difference (compiled rules only)."""
    if rule == RULE_PROP:
        return diff
    if rule == RULE_BINARY:
        return _clip(diff / BINARY_SCALE, -1.0, 1.0)
    if rule == RULE_PROP_BIN:
        return 0.8 * diff + 0.2 * _clip(diff / BINARY_SCALE, -1.0, 1.0)
    return diff if diff < 0.0 else (2.0 / 3.0) * diff


@kernel
def _weighted_vote(diff: float, weight: float, rule: int) -> float:
    if rule == RULE_PROP:
        return diff * weight
    return weight * vote(diff, rule)


@kernel
def victory(strength_for: float, strength_against: float, power: int) -> float:
    """:func:`sim.bargaining.pce.victory_probability` for the linear and square models."""
    if power == 1:
        return strength_for / (strength_for + strength_against)
    ratio = strength_against / strength_for
    return 1.0 / (1.0 + ratio * ratio)


# -- distances and elections ---------------------------------------------------------------------


@kernel
def weighted_distances(ideals: FloatArray, points: FloatArray, saliences: FloatArray) -> FloatArray:
    """:func:`sim.bargaining.core.weighted_distances`."""
    n, k = saliences.shape
    m = points.shape[0]
    squares = np.empty(k)
    norm = np.empty(n)
    for i in range(n):
        for d in range(k):
            squares[d] = saliences[i, d] * saliences[i, d]
        total = pairwise_sum(squares)
        norm[i] = total if total > 0.0 else 1.0
    out = np.empty((n, m))
    for i in range(n):
        for j in range(m):
            for d in range(k):
                gap = saliences[i, d] * (ideals[i, d] - points[j, d])
                squares[d] = gap * gap
            out[i, j] = np.sqrt(pairwise_sum(squares) / norm[i])
    return out


@kernel
def vote_cube(utilities: FloatArray, start: int, stop: int, rule: int) -> FloatArray:
    """Positive votes of :func:`sim.bargaining.pce.coalition_strengths` for option rows.

    ``utilities`` is ``(voters, options)``; returns ``(1, stop - start, options, voters)`` with
    ``max(vote(u[v, a] - u[v, c]), 0)`` at ``[0, a - start, c, v]``, ready for the product with
    the voters' weights.
    """
    voters, options = utilities.shape
    out = np.empty((1, stop - start, options, voters))
    for a in range(start, stop):
        for c in range(options):
            for v in range(voters):
                diff = utilities[v, a] - utilities[v, c]
                out[0, a - start, c, v] = _max0(vote(diff, rule))
    return out


@kernel
def distance_votes(
    ideal: FloatArray, position: FloatArray, salience: FloatArray, stop: int, rule: int
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Distances between positions, utilities ``1 - d`` and the first rows of their vote cube."""
    distances = weighted_distances(ideal, position, salience)
    utilities = 1.0 - distances
    return distances, utilities, vote_cube(utilities, 0, stop, rule)


@kernel
def victory_floor(strengths: FloatArray, power: int) -> FloatArray:
    """Pairwise victory probabilities from coalition strengths, floored for the logarithm.

    ``strengths`` ``(batch, options, options)`` before :data:`COALITION_FLOOR` is added; returns
    ``maximum(p, tiny)`` of :func:`sim.bargaining.pce.pairwise_victory`'s ``p``.
    """
    batch, options, _ = strengths.shape
    out = np.empty((batch, options, options))
    for b in range(batch):
        for a in range(options):
            for c in range(options):
                if a == c:
                    p = 0.5
                else:
                    floor_ac = strengths[b, a, c] + COALITION_FLOOR
                    floor_ca = strengths[b, c, a] + COALITION_FLOOR
                    p = victory(floor_ac, floor_ca, power)
                out[b, a, c] = p if (p >= TINY or p != p) else TINY
    return out


@kernel
def center_logs(logs: FloatArray, valid: np.ndarray) -> FloatArray:
    """Log-weights of the conditional PCE, shifted by their maximum (``-inf`` for padding)."""
    batch, options, _ = logs.shape
    row = np.empty(options)
    out = np.empty((batch, options))
    for b in range(batch):
        for a in range(options):
            for c in range(options):
                row[c] = logs[b, a, c] if valid[b, c] else 0.0
            out[b, a] = pairwise_sum(row) if valid[b, a] else -np.inf
        top = out[b, 0]
        for a in range(1, options):
            value = out[b, a]
            if value > top or value != value:
                top = value
        for a in range(options):
            out[b, a] = out[b, a] - top
    return out


@kernel
def normalise_rows(weights: FloatArray) -> FloatArray:
    """``weights / weights.sum(axis=1, keepdims=True)``."""
    out = np.empty_like(weights)
    for b in range(weights.shape[0]):
        total = pairwise_sum(weights[b])
        for a in range(weights.shape[1]):
            out[b, a] = weights[b, a] / total
    return out


# -- the turn ------------------------------------------------------------------------------------


@kernel
def perceive_tail(
    weights: FloatArray, distances: FloatArray, risk_range: int, own_weight: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """:func:`perception` from the neutral election's unnormalised weights ``(1, actors)``."""
    return perception(distances, normalise_rows(weights)[0], risk_range, own_weight)


@kernel
def perception(
    distances: FloatArray, neutral: FloatArray, risk_range: int, own_weight: float
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Risk attitudes, base, curvature and own utilities (:func:`sim.bargaining.core.perceive`).

    ``risk_range``: 0 min, 1 mid, 2 max.
    """
    n = distances.shape[0]
    low, high = neutral.min(), neutral.max()
    spread = high - low
    risk = np.zeros(n)
    if spread > 0.0:
        for i in range(n):
            p = neutral[i]
            if risk_range == 1:
                risk[i] = (3.0 * p - (high + 2.0 * low)) / (2.0 * spread)
            elif risk_range == 0:
                risk[i] = (p - low) / spread
            else:
                risk[i] = (2.0 * p - high - low) / spread
    base = np.empty((n, n))
    curvature = np.empty((n, n))
    own = np.empty((n, n))
    share = 1.0 - own_weight
    for a in range(n):
        perceived = share * risk[a]
        for b in range(n):
            d = distances[a, b]
            linear = 1.0 - d
            curve = linear * d
            curvature[a, b] = curve
            base[a, b] = linear + perceived * curve
            own[a, b] = linear + risk[a] * curve
    return risk, base, curvature, own


@kernel
def challenge_table(
    base: FloatArray,
    curvature: FloatArray,
    own: FloatArray,
    risk: FloatArray,
    own_weight: float,
    capability: FloatArray,
    saliences: FloatArray,
    rule: int,
    semi: bool,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """:func:`sim.bargaining.core.evaluate_challenges`: ``(probability, gain_i, gain_j)``."""
    n = capability.shape[0]
    total_salience = np.empty(n)
    for i in range(n):
        total_salience[i] = pairwise_sum(saliences[i])
    weight = total_salience * capability
    prob = np.empty((n, n))
    gain_i = np.empty((n, n))
    gain_j = np.empty((n, n))
    column = np.empty((n, n))  # column[b, a] = U^i[a, b]: i's estimate of a's utility for b
    own_value = np.empty(n)  # U^i[t, t]
    away_from_i = np.empty(n)  # U^i[t, t] - U^i[t, i]
    third_votes = np.empty(n)
    for i in range(n):
        _estimates(base, curvature, own_weight * risk[i], i, column, own_value, away_from_i)
        for j in range(n):
            if j == i:
                prob[i, j] = 0.5
                gain_i[i, j] = 0.0
                gain_j[i, j] = 0.0
                continue
            vote_i = weight[i] * vote(own_value[i] - column[j, i], rule)
            vote_j = weight[j] * vote(column[i, j] - own_value[j], rule)
            for_ij = PRINCIPAL_FLOOR + _max0(vote_i) + _max0(vote_j)
            for_ji = PRINCIPAL_FLOOR + _max0(-vote_i) + _max0(-vote_j)
            if semi:
                for_ij, for_ji = _with_third_parties(
                    column[j], own_value, away_from_i, weight, rule,
                    i, j, for_ij, for_ji, third_votes,
                )  # fmt: skip
            p = for_ij / (for_ij + for_ji)
            prob[i, j] = p
            resist = total_salience[j]
            gain_i[i, j] = _expected_gain(
                p, resist, 2.0 * own[i, i], 2.0 * own[i, j], own[i, i] + own[i, j]
            )
            for_i, for_j = column[i, j], own_value[j]  # i's estimate of j's utilities
            gain_j[i, j] = _expected_gain(p, resist, 2.0 * for_i, 2.0 * for_j, for_i + for_j)
    return prob, gain_i, gain_j


@kernel
def _estimates(
    base: FloatArray,
    curvature: FloatArray,
    scale: float,
    i: int,
    column: FloatArray,
    own_value: FloatArray,
    away_from_i: FloatArray,
) -> None:
    """Fill i's estimates: ``column[b, a] = U^i[a, b]``, ``U^i[t, t]``, ``U^i[t, t] - U^i[t, i]``.

    ``U^i[a, b] = scale * curvature[a, b] + base[a, b]`` with ``scale`` = own weight x i's risk
    (:meth:`sim.bargaining.core.Perception.perceived_by`).
    """
    n = base.shape[0]
    for a in range(n):
        for b in range(n):
            column[b, a] = scale * curvature[a, b] + base[a, b]
    for t in range(n):
        own_value[t] = column[t, t]
        away_from_i[t] = own_value[t] - column[i, t]


@kernel
def _with_third_parties(
    toward: FloatArray,
    own_value: FloatArray,
    away_from_i: FloatArray,
    weight: FloatArray,
    rule: int,
    i: int,
    j: int,
    for_ij: float,
    for_ji: float,
    votes: FloatArray,
) -> tuple[float, float]:
    """Support of semi-committed third parties (``core._semi_commit_support``).

    ``toward[t]`` is U^i[t, j]; the votes are computed first (a loop the compiler vectorises),
    then summed in order, the principals' zeros included, as numpy sums them.
    """
    principals = for_ij + for_ji
    for t in range(votes.shape[0]):
        toward_j = toward[t] - own_value[t]
        leaning = _weighted_vote(-(toward_j + away_from_i[t]), weight[t], rule)
        spread = abs(leaning) + principals
        share = (_max0(leaning) + for_ij) / spread
        votes[t] = _weighted_vote((away_from_i[t] - toward_j) * share + toward_j, weight[t], rule)
    votes[i] = 0.0  # the principals do not vote as third parties
    votes[j] = 0.0
    support_i = 0.0
    support_j = 0.0
    for t in range(votes.shape[0]):
        support_i += _max0(votes[t])
        support_j += _min0(votes[t])
    return for_ij + support_i, for_ji + -support_j


@kernel
def _expected_gain(
    p: float, resist: float, u_win: float, u_lose: float, status_quo: float
) -> float:
    contest = p * u_win + (1.0 - p) * u_lose
    return (1.0 - resist) * u_win + resist * contest - status_quo


@kernel
def choose_targets(gains: FloatArray) -> np.ndarray:
    """:func:`sim.bargaining.core.choose_targets`."""
    n = gains.shape[0]
    targets = np.empty(n, dtype=np.int64)
    for i in range(n):
        best = -1
        best_gain = -np.inf
        for j in range(n):
            g = -np.inf if j == i else gains[i, j]
            if g != g:
                best, best_gain = j, g
                break
            if best < 0 or g > best_gain:
                best, best_gain = j, g
        targets[i] = best if best_gain > MIN_CHALLENGE_GAIN else -1
    return targets


@kernel
def bargains(
    prob: FloatArray,
    targets: np.ndarray,
    position: FloatArray,
    salience: FloatArray,
    power: int,
    low: FloatArray,
    high: FloatArray,
    bounded: bool,
) -> tuple[np.ndarray, np.ndarray, FloatArray, FloatArray, FloatArray]:
    """The turn's bargains (:func:`sim.bargaining.core.bargain_positions`, red lines applied).

    Returns ``(initiator, target, probability, initiator_position, target_position)``.
    """
    n, k = position.shape
    m = 0
    for i in range(n):
        if targets[i] >= 0:
            m += 1
    initiator = np.empty(m, dtype=np.int64)
    target = np.empty(m, dtype=np.int64)
    p_out = np.empty(m)
    new_i = np.empty((m, k))
    new_j = np.empty((m, k))
    row = 0
    for i in range(n):
        j = targets[i]
        if j < 0:
            continue
        p = prob[i, j]
        initiator[row], target[row], p_out[row] = i, j, p
        for d in range(k):
            w_i = salience[i, d] * p
            w_j = salience[j, d] * (1.0 - p)
            if power == 2:
                w_i = w_i * w_i
                w_j = w_j * w_j
            total = w_i + BARGAIN_EPSILON + w_j
            x_i = ((w_i + BARGAIN_EPSILON) * position[i, d] + w_j * position[j, d]) / total
            x_j = (w_i * position[i, d] + (w_j + BARGAIN_EPSILON) * position[j, d]) / total
            x_i = np.rint(x_i * ROUNDING) / ROUNDING
            x_j = np.rint(x_j * ROUNDING) / ROUNDING
            if bounded:
                x_i = _clip(x_i, low[i, d], high[i, d])
                x_j = _clip(x_j, low[j, d], high[j, d])
            new_i[row, d] = x_i
            new_j[row, d] = x_j
        row += 1
    return initiator, target, p_out, new_i, new_j


# -- resolution of the queues ---------------------------------------------------------------------

# -- resolution of the queues --------------------------------------------------------------------


@kernel
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


@kernel
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


@kernel
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


@kernel
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


@kernel
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


@kernel
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


@kernel
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


@kernel
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
    chunk_pairs: int,
) -> tuple[np.ndarray, ...]:
    """Challenges, bargains, queues, the voters' values of every option and the contested pairs.

    Returns ``(probability, gain_i, gain_j, initiator, target, p, new_i, new_j, queues, valid,
    values, queue, slot_a, slot_b, col_a, col_b, votes_ab, votes_ba)``; the queue arrays are
    empty without bargains. ``votes_ab`` and ``votes_ba`` are :func:`pair_votes` of all the pairs
    when they fit in one chunk of ``chunk_pairs``, else empty (the caller computes them in
    chunks).
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
        no_votes = np.empty((0, n))
        return (prob, gain_i, gain_j, initiator, target, p, new_i, new_j, queues, valid,
                values, empty, empty, empty, empty, empty, no_votes, no_votes)  # fmt: skip
    queues, valid = build_queues(initiator, target, n)
    values = option_table(own, risk, ideal, salience, initiator, target, new_i, new_j)
    queue, slot_a, slot_b, col_a, col_b = queue_pairs(queues, valid, initiator.shape[0] + 1)
    pairs = queue.shape[0]
    if pairs <= chunk_pairs:
        votes_ab = pair_votes(values, col_a, col_b, 0, pairs, rule)
        votes_ba = pair_votes(values, col_b, col_a, 0, pairs, rule)
    else:
        votes_ab = votes_ba = np.empty((0, n))
    return (prob, gain_i, gain_j, initiator, target, p, new_i, new_j, queues, valid, values,
            queue, slot_a, slot_b, col_a, col_b, votes_ab, votes_ba)  # fmt: skip
