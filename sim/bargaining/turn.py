"""One bargaining turn through the compiled kernels (:mod:`sim.bargaining.kernels`).

The engine plays a turn here when its settings are compiled (:func:`compiled`); otherwise it
uses the numpy functions of :mod:`sim.bargaining.core`, :mod:`sim.bargaining.resolution` and
:mod:`sim.bargaining.pce`, which remain the reference. Both give the same bits: the kernels keep
numpy's floating-point order, and the steps that numpy computes with other code (matrix-vector
products, ``log``, ``exp``, random draws) are done here with numpy, between the kernels.
"""

from __future__ import annotations

import numpy as np

from sim.bargaining import kernels
from sim.bargaining.core import OWN_RISK_WEIGHT, ChallengeTable, Perception
from sim.bargaining.pce import CHUNK_ELEMENTS, BoolArray, FloatArray
from sim.bargaining.resolution import STATUS_QUO, Bargains, Resolution
from sim.bargaining.state import ActorTable
from sim.scenario.bargaining import (
    BargainingInterpolation,
    BargainingSettings,
    PceModel,
    RiskRange,
    ThirdPartyCommit,
    Transitions,
    VictoryModel,
    VotingRule,
)

RULE_CODES = {
    VotingRule.PROP: kernels.RULE_PROP,
    VotingRule.BINARY: kernels.RULE_BINARY,
    VotingRule.PROP_BIN: kernels.RULE_PROP_BIN,
    VotingRule.ASYM_PROSP: kernels.RULE_ASYM_PROSP,
}
VICTORY_POWERS = {VictoryModel.LINEAR: 1, VictoryModel.SQUARE: 2}
RISK_RANGE_CODES = {RiskRange.MIN: 0, RiskRange.MID: 1, RiskRange.MAX: 2}
_NO_BOUNDS = np.zeros((0, 0))
_NO_DRAWS = np.zeros((0, 1))


def compiled(settings: BargainingSettings) -> bool:
    """Whether the kernels cover these settings (else the numpy functions play the turn).

    Not compiled: the cubic voting rules and the quartic and octic victory models (their
    ``pow`` differs between numpy and the C library in the last bit) and the Markov PCEs.
    """
    return (
        settings.voting_rule in RULE_CODES
        and settings.victory_model in VICTORY_POWERS
        and settings.pce_model is PceModel.CONDITIONAL
    )


def scalar_pce(
    capability: FloatArray, utilities: FloatArray, settings: BargainingSettings
) -> FloatArray:
    """:func:`sim.bargaining.pce.scalar_pce` of ``(voters, options)`` utilities, compiled."""
    voters, options = utilities.shape
    by_option = np.ascontiguousarray(utilities.T)[None]  # [1, option, voter]
    rule = RULE_CODES[settings.voting_rule]
    strengths = np.empty((1, options, options))
    rows = max(1, CHUNK_ELEMENTS // max(1, voters * options))
    for start in range(0, options, rows):
        stop = min(options, start + rows)
        votes = kernels.vote_cube(by_option, start, stop, rule)
        strengths[:, start:stop, :] = votes @ capability
    floored = kernels.victory_floor(strengths, VICTORY_POWERS[settings.victory_model])
    return _conditional(floored, np.ones((1, options), dtype=bool))[0]


def perceive(table: ActorTable, settings: BargainingSettings) -> Perception:
    """:func:`sim.bargaining.core.perceive` for the table's current state, compiled."""
    distances = kernels.weighted_distances(table.ideal, table.position, table.salience)
    neutral = scalar_pce(table.capability, 1.0 - distances, settings)
    own_weight = OWN_RISK_WEIGHT[settings.risk_adjust]
    risk, base, curvature, own = kernels.perception(
        distances, neutral, RISK_RANGE_CODES[settings.risk_range], own_weight
    )
    return Perception(distances, risk, base, curvature, own_weight, own)


def play(
    perception: Perception,
    table: ActorTable,
    settings: BargainingSettings,
    bounds: tuple[FloatArray, FloatArray] | None,
    rng: np.random.Generator,
) -> tuple[ChallengeTable, Bargains, Resolution, FloatArray]:
    """Challenges, bargains and every queue's resolution; also the distance each actor moved.

    Args:
        perception: The state's perception (:func:`perceive`).
        table: The actors.
        settings: Compiled settings (:func:`compiled`).
        bounds: Red-line bounds of new positions per actor and dimension, if any.
        rng: Draws for stochastic transitions.
    """
    rule = RULE_CODES[settings.voting_rule]
    prob, gain_i, gain_j = kernels.challenge_table(
        perception.base,
        perception.curvature,
        perception.own,
        perception.risk,
        perception.own_weight,
        table.capability,
        table.salience,
        rule,
        settings.third_party_commit is ThirdPartyCommit.SEMI,
    )
    targets = kernels.choose_targets(gain_i)
    low, high = bounds if bounds is not None else (_NO_BOUNDS, _NO_BOUNDS)
    power = 2 if settings.bargain_interpolation is BargainingInterpolation.S2P2 else 1
    bargains = Bargains(
        *kernels.bargains(
            prob, targets, table.position, table.salience, power, low, high, bounds is not None
        )
    )
    chosen, positions, moved = _resolve(bargains, perception, table, settings, rng)
    return ChallengeTable(prob, gain_i, gain_j), bargains, Resolution(chosen, positions), moved


def _resolve(
    bargains: Bargains,
    perception: Perception,
    table: ActorTable,
    settings: BargainingSettings,
    rng: np.random.Generator,
) -> tuple[np.ndarray, FloatArray, FloatArray]:
    """:func:`sim.bargaining.resolution.resolve_queues`, compiled; also the distances moved."""
    n = table.position.shape[0]
    if bargains.count == 0:
        return np.full(n, STATUS_QUO, dtype=np.int64), table.position.copy(), np.zeros(n)
    initiator, target = bargains.initiator, bargains.target
    queues, valid = kernels.build_queues(initiator, target, n)
    values = kernels.option_table(
        perception.own,
        perception.risk,
        table.ideal,
        table.salience,
        initiator,
        target,
        bargains.initiator_position,
        bargains.target_position,
    )
    queue, slot_a, slot_b, col_a, col_b = kernels.queue_pairs(queues, valid, bargains.count + 1)
    rule = RULE_CODES[settings.voting_rule]
    strength_ab = _pair_strengths(values, col_a, col_b, table.capability, rule)
    strength_ba = _pair_strengths(values, col_b, col_a, table.capability, rule)
    floored = kernels.queue_victory_floor(
        strength_ab,
        strength_ba,
        queue,
        slot_a,
        slot_b,
        queues.shape,
        VICTORY_POWERS[settings.victory_model],
    )
    probs = _conditional(floored, valid)
    stochastic = settings.transitions is Transitions.STOCHASTIC
    draws = rng.random(size=(n, 1)) if stochastic else _NO_DRAWS
    return kernels.choose(
        probs,
        draws,
        stochastic,
        queues,
        initiator,
        bargains.initiator_position,
        bargains.target_position,
        table.position,
    )


def _pair_strengths(
    values: FloatArray, col_a: np.ndarray, col_b: np.ndarray, weights: FloatArray, rule: int
) -> FloatArray:
    """Coalition strengths (before the floor) in the chunks of the numpy version."""
    voters = values.shape[0]
    pairs = col_a.size
    strengths = np.empty(pairs)
    per_chunk = max(1, CHUNK_ELEMENTS // max(1, voters))
    for start in range(0, pairs, per_chunk):
        stop = min(pairs, start + per_chunk)
        strengths[start:stop] = (
            kernels.pair_votes(values, col_a, col_b, start, stop, rule) @ weights
        )
    return strengths


def _conditional(floored: FloatArray, valid: BoolArray) -> FloatArray:
    """The conditional PCE from floored pairwise probabilities (``log``/``exp`` in numpy)."""
    weights = np.exp(kernels.center_logs(np.log(floored), valid))
    return kernels.normalise_rows(weights)
