"""The arithmetic of one bargaining turn of the Spatial Model of Politics.

Pure functions on numpy arrays, all in [0, 1] units: positions ``x`` and ideals ``y`` are
``(actors, dims)``; saliences ``s`` are ``(actors, dims)`` with row sums at most 1; capabilities
``c`` are ``(actors,)``. The equations follow ``/work/shared/specs/bargaining-smp.md``
(``paper.kapsarc_ktab``); :mod:`sim.bargaining.engine` strings them together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.bargaining.pce import FloatArray, scalar_pce, vote_shape
from sim.scenario.bargaining import (
    BargainingSettings,
    RiskAdjust,
    RiskRange,
    ThirdPartyCommit,
    VotingRule,
)

PRINCIPAL_FLOOR = 1e-10
MIN_CHALLENGE_GAIN = 1e-5
BARGAIN_EPSILON = 1e-6
BARGAIN_DECIMALS = 4
# Elements per [initiators, actors, actors] block: small enough to stay in cache.
CHALLENGE_CHUNK_ELEMENTS = 1 << 17

# Weight of the estimating actor's own risk attitude when it estimates another's.
OWN_RISK_WEIGHT = {
    RiskAdjust.NONE: 1.0,
    RiskAdjust.ONE_THIRD: 2.0 / 3.0,
    RiskAdjust.HALF: 0.5,
    RiskAdjust.TWO_THIRDS: 1.0 / 3.0,
    RiskAdjust.FULL: 0.0,
}


def weighted_distances(ideals: FloatArray, points: FloatArray, saliences: FloatArray) -> FloatArray:
    """``D[i, j] = d_i(y_i, points_j)``: salience-weighted distance, in [0, 1].

    Args:
        ideals: ``(actors, dims)`` ideal points.
        points: ``(points, dims)`` positions to measure to.
        saliences: ``(actors, dims)`` the measuring actors' saliences.

    Returns:
        ``(actors, points)`` distances. An actor with no salience anywhere is indifferent (0).
    """
    norm = (saliences**2).sum(axis=1)
    norm = np.where(norm > 0.0, norm, 1.0)
    gaps = saliences[:, None, :] * (ideals[:, None, :] - points[None, :, :])
    return np.sqrt((gaps**2).sum(axis=2) / norm[:, None])


def utility(distance: FloatArray, risk: FloatArray) -> FloatArray:
    """``u(d, R) = (1 - d)(1 + d R)``: linear for R = 0, concave for R > 0."""
    return (1.0 - distance) * (1.0 + distance * risk)


def risk_attitudes(probabilities: FloatArray, risk_range: RiskRange) -> FloatArray:
    """Risk attitudes from the actors' risk-neutral chances of winning.

    The most likely winner is the most risk-averse (1); the least likely is the most
    risk-accepting (the bottom of the range). All zero when every chance is equal.
    """
    low, high = probabilities.min(), probabilities.max()
    spread = high - low
    if spread <= 0.0:
        return np.zeros_like(probabilities)
    if risk_range is RiskRange.MID:
        return (3.0 * probabilities - (high + 2.0 * low)) / (2.0 * spread)
    if risk_range is RiskRange.MIN:
        return (probabilities - low) / spread
    return (2.0 * probabilities - high - low) / spread


@dataclass(frozen=True)
class Perception:
    """The utilities of one state, as each actor perceives them.

    ``U^h[a, b] = base[a, b] + own_weight * risk[h] * curvature[a, b]`` is actor h's estimate
    of a's utility for b's position; ``own[a, b] = U^a[a, b]``.
    """

    distances: FloatArray
    risk: FloatArray
    base: FloatArray
    curvature: FloatArray
    own_weight: float
    own: FloatArray

    def perceived_by(self, observers: np.ndarray) -> FloatArray:
        """``(len(observers), actors, actors)`` stack of ``U^h`` for each observer h."""
        scale = self.own_weight * self.risk[observers]
        stack = np.multiply(scale[:, None, None], self.curvature[None])
        stack += self.base[None]
        return stack


def perceive(
    capability: FloatArray,
    ideals: FloatArray,
    positions: FloatArray,
    saliences: FloatArray,
    settings: BargainingSettings,
) -> Perception:
    """Distances, risk attitudes and perceived utilities of the current state (steps 1-4)."""
    distances = weighted_distances(ideals, positions, saliences)
    neutral = scalar_pce(
        capability,
        1.0 - distances,
        settings.voting_rule,
        settings.victory_model,
        settings.pce_model,
    )
    risk = risk_attitudes(neutral, settings.risk_range)
    own_weight = OWN_RISK_WEIGHT[settings.risk_adjust]
    linear = 1.0 - distances
    curvature = linear * distances
    base = linear + (1.0 - own_weight) * risk[:, None] * curvature
    own = linear + risk[:, None] * curvature
    return Perception(distances, risk, base, curvature, own_weight, own)


@dataclass(frozen=True)
class ChallengeTable:
    """Every possible challenge i -> j, evaluated from the initiator i's perspective.

    Attributes:
        probability: ``p[i, j]`` that i prevails over j.
        initiator_gain: i's expected gain from challenging j.
        target_gain: i's estimate of j's expected gain from that challenge.
    """

    probability: FloatArray
    initiator_gain: FloatArray
    target_gain: FloatArray


def evaluate_challenges(
    perception: Perception,
    capability: FloatArray,
    saliences: FloatArray,
    settings: BargainingSettings,
) -> ChallengeTable:
    """Evaluate all challenges (step 5), in blocks of initiators to bound memory."""
    n = capability.shape[0]
    total_salience = saliences.sum(axis=1)
    weight = total_salience * capability
    block = max(1, CHALLENGE_CHUNK_ELEMENTS // (n * n))
    prob = np.empty((n, n))
    for start in range(0, n, block):
        initiators = np.arange(start, min(n, start + block))
        prob[initiators] = _challenge_probabilities(perception, initiators, weight, settings)
    own_diag = np.diag(perception.own)
    own_to_target = perception.own
    u_win = 2.0 * own_diag[:, None]
    u_lose = 2.0 * own_to_target
    gain_i = _expected_gain(prob, total_salience, u_win, u_lose, own_diag[:, None] + own_to_target)
    # i's estimate of j's utilities: row j of U^i, at columns i and j.
    scale = perception.own_weight * perception.risk
    j_for_i = perception.base.T + scale[:, None] * perception.curvature.T  # [i, j] = U^i[j, i]
    j_for_j = np.diag(perception.base)[None, :] + scale[:, None] * np.diag(perception.curvature)
    gain_j = _expected_gain(prob, total_salience, 2.0 * j_for_i, 2.0 * j_for_j, j_for_i + j_for_j)
    np.fill_diagonal(prob, 0.5)
    np.fill_diagonal(gain_i, 0.0)
    np.fill_diagonal(gain_j, 0.0)
    return ChallengeTable(prob, gain_i, gain_j)


def _expected_gain(
    prob: FloatArray,
    total_salience: FloatArray,
    u_win: FloatArray,
    u_lose: FloatArray,
    status_quo: FloatArray,
) -> FloatArray:
    # The target resists with probability equal to its total salience, else concedes.
    resist = total_salience[None, :]
    contest = prob * u_win + (1.0 - prob) * u_lose
    return (1.0 - resist) * u_win + resist * contest - status_quo


def _challenge_probabilities(
    perception: Perception,
    initiators: np.ndarray,
    weight: FloatArray,
    settings: BargainingSettings,
) -> FloatArray:
    """``p[i, j]`` for the given initiators i against every j, with U = U^i."""
    rule = settings.voting_rule
    u = perception.perceived_by(initiators)  # [b, a, col]
    b_idx = np.arange(initiators.size)
    u_of_init = u[b_idx, :, initiators]  # [b, a]: a's utility for i's position
    u_of_self = np.diagonal(u, axis1=1, axis2=2).copy()  # [b, a]: a's utility for its own
    u_init_init = u_of_init[b_idx, initiators][:, None]
    vote_i = weight[initiators][:, None] * vote_shape(u_init_init - u[b_idx, initiators, :], rule)
    vote_j = weight[None, :] * vote_shape(u_of_init - u_of_self, rule)
    for_ij = PRINCIPAL_FLOOR + np.maximum(vote_i, 0.0) + np.maximum(vote_j, 0.0)
    for_ji = PRINCIPAL_FLOOR + np.maximum(-vote_i, 0.0) + np.maximum(-vote_j, 0.0)
    if settings.third_party_commit is ThirdPartyCommit.SEMI:
        extra_ij, extra_ji = _semi_commit_support(
            u, u_of_init, u_of_self, for_ij, for_ji, weight, rule, initiators
        )
        for_ij = for_ij + extra_ij
        for_ji = for_ji + extra_ji
    return for_ij / (for_ij + for_ji)


def _semi_commit_support(
    u: FloatArray,
    u_of_init: FloatArray,
    u_of_self: FloatArray,
    for_ij: FloatArray,
    for_ji: FloatArray,
    weight: FloatArray,
    rule: VotingRule,
    initiators: np.ndarray,
) -> tuple[FloatArray, FloatArray]:
    """Total support third parties give i and j, ``[b, j]`` each; ``u`` is overwritten.

    Third party n expects to join the winner with probability ``share`` (its own leaning added
    to the principals' strength). Its vote is between the states "i wins" and "j wins":
    ``A - B = share (U_nn - U_ni) + (1 - share)(U_nj - U_nn)``. The arithmetic runs in place on
    ``[b, n, j]`` arrays because this is the engine's only cubic-cost step.
    """
    w = weight[None, :, None]
    away_from_i = (u_of_self - u_of_init)[:, :, None]  # U_nn - U_ni
    toward_j = np.subtract(u, u_of_self[:, :, None], out=u)  # U_nj - U_nn
    leaning = np.add(toward_j, away_from_i)
    np.negative(leaning, out=leaning)  # U_ni - U_nj
    leaning = _weighted_vote(leaning, w, rule)
    spread = np.abs(leaning)
    spread += (for_ij + for_ji)[:, None, :]
    share = np.maximum(leaning, 0.0, out=leaning)
    share += for_ij[:, None, :]
    share /= spread
    diff = np.subtract(away_from_i, toward_j, out=spread)
    diff *= share
    diff += toward_j
    votes = _weighted_vote(diff, w, rule)
    diag = np.arange(u.shape[1])
    votes[np.arange(initiators.size), initiators, :] = 0.0  # n == i is a principal
    votes[:, diag, diag] = 0.0  # n == j is a principal
    support_i = np.maximum(votes, 0.0, out=share).sum(axis=1)
    support_j = -np.minimum(votes, 0.0, out=toward_j).sum(axis=1)
    return support_i, support_j


def _weighted_vote(diff: FloatArray, weight: FloatArray, rule: VotingRule) -> FloatArray:
    if rule is VotingRule.PROP:
        diff *= weight
        return diff
    return weight * vote_shape(diff, rule)


def choose_targets(gains: FloatArray) -> FloatArray:
    """Each actor's best target (-1 when no challenge gains more than the threshold)."""
    masked = gains.copy()
    np.fill_diagonal(masked, -np.inf)
    best = np.argmax(masked, axis=1)
    best_gain = masked[np.arange(gains.shape[0]), best]
    return np.where(best_gain > MIN_CHALLENGE_GAIN, best, -1)


def bargain_positions(
    prob: FloatArray,
    pos_i: FloatArray,
    pos_j: FloatArray,
    sal_i: FloatArray,
    sal_j: FloatArray,
    power: int,
) -> tuple[FloatArray, FloatArray]:
    """The positions a bargain proposes to initiator and target (step 6), rounded to 4 decimals.

    Args:
        prob: ``(m,)`` probability the initiator prevails.
        pos_i: ``(m, dims)`` initiator positions.
        pos_j: ``(m, dims)`` target positions.
        sal_i: ``(m, dims)`` initiator saliences.
        sal_j: ``(m, dims)`` target saliences.
        power: 1 (S1P1) or 2 (S2P2).

    Returns:
        ``(initiator's new position, target's new position)``, each ``(m, dims)``.
    """
    p = prob[:, None]
    w_i = (sal_i * p) ** power
    w_j = (sal_j * (1.0 - p)) ** power
    total = w_i + BARGAIN_EPSILON + w_j
    new_i = ((w_i + BARGAIN_EPSILON) * pos_i + w_j * pos_j) / total
    new_j = (w_i * pos_i + (w_j + BARGAIN_EPSILON) * pos_j) / total
    return np.round(new_i, BARGAIN_DECIMALS), np.round(new_j, BARGAIN_DECIMALS)
