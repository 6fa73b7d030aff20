"""One bargaining turn through the compiled kernels (:mod:`sim.bargaining.kernels`).

The engine plays a turn here when its settings are compiled (:func:`compiled`); otherwise it
uses the numpy functions of :mod:`sim.bargaining.core`, :mod:`sim.bargaining.resolution` and
:mod:`sim.bargaining.pce`, which remain the reference. Both give the same bits: the kernels keep
numpy's floating-point order, and the steps that numpy computes with other code (matrix-vector
products, ``log``, ``exp``, random draws) are done here with numpy, between the kernels.
"""

from __future__ import annotations

import functools

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
    utilities = np.ascontiguousarray(utilities)
    rule = RULE_CODES[settings.voting_rule]
    strengths = _strengths(capability, utilities, None, rule)
    return _conditional(strengths, settings)[0]


def perceive(table: ActorTable, settings: BargainingSettings) -> Perception:
    """:func:`sim.bargaining.core.perceive` for the table's current state, compiled."""
    n = table.capability.shape[0]
    rule = RULE_CODES[settings.voting_rule]
    distances, utilities, first = kernels.distance_votes(
        table.ideal, table.position, table.salience, min(n, _rows_per_chunk(n, n)), rule
    )
    strengths = _strengths(table.capability, utilities, first, rule)
    weights = _election_weights(strengths, settings, _all_valid(n))
    own_weight = OWN_RISK_WEIGHT[settings.risk_adjust]
    risk, base, curvature, own = kernels.perceive_tail(
        weights, distances, RISK_RANGE_CODES[settings.risk_range], own_weight
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
    low, high = bounds if bounds is not None else (_NO_BOUNDS, _NO_BOUNDS)
    n = table.capability.shape[0]
    per_chunk = _pairs_per_chunk(n)
    (prob, gain_i, gain_j, initiator, target, p, new_i, new_j, queues, valid, values,
     queue, slot_a, slot_b, col_a, col_b, votes_ab, votes_ba) = kernels.prepare(
        perception.base, perception.curvature, perception.own, perception.risk,
        perception.own_weight, table.capability, table.ideal, table.position, table.salience,
        rule, settings.third_party_commit is ThirdPartyCommit.SEMI,
        2 if settings.bargain_interpolation is BargainingInterpolation.S2P2 else 1,
        low, high, bounds is not None, per_chunk,
    )  # fmt: skip
    challenges = ChallengeTable(prob, gain_i, gain_j)
    bargains = Bargains(initiator, target, p, new_i, new_j)
    if bargains.count == 0:
        nobody = np.full(n, STATUS_QUO, dtype=np.int64)
        return challenges, bargains, Resolution(nobody, table.position.copy()), np.zeros(n)
    if queue.size <= per_chunk:  # one chunk: the kernel computed the votes
        strength_ab = np.asarray(votes_ab @ table.capability)
        strength_ba = np.asarray(votes_ba @ table.capability)
    else:
        strength_ab = _pair_strengths(values, col_a, col_b, table.capability, rule)
        strength_ba = _pair_strengths(values, col_b, col_a, table.capability, rule)
    power = VICTORY_POWERS[settings.victory_model]
    floored = kernels.queue_victory_floor(
        strength_ab, strength_ba, queue, slot_a, slot_b, queues.shape, power
    )
    weights = np.exp(kernels.center_logs(np.log(floored), valid))
    stochastic = settings.transitions is Transitions.STOCHASTIC
    draws = rng.random(size=(n, 1)) if stochastic else _NO_DRAWS
    chosen, positions, moved = kernels.choose_from(
        weights, draws, stochastic, queues, initiator, new_i, new_j, table.position
    )
    return challenges, bargains, Resolution(chosen, positions), moved


@functools.cache
def _all_valid(options: int) -> BoolArray:
    """A read-only mask of ``options`` valid options (one election)."""
    mask = np.ones((1, options), dtype=bool)
    mask.flags.writeable = False
    return mask


def _pairs_per_chunk(voters: int) -> int:
    """Pairs of options per vote matrix, as :func:`sim.bargaining.resolution._pair_strengths`."""
    return max(1, CHUNK_ELEMENTS // max(1, voters))


def _rows_per_chunk(voters: int, options: int) -> int:
    """Option rows per vote cube, as :func:`sim.bargaining.pce.coalition_strengths` chunks."""
    return max(1, CHUNK_ELEMENTS // max(1, voters * options))


def _strengths(
    capability: FloatArray, utilities: FloatArray, first: FloatArray | None, rule: int
) -> FloatArray:
    """Coalition strengths (before the floor) of every option over every other.

    The vote cube is multiplied by the weights in numpy's chunks of option rows; ``first`` is the
    first chunk's cube when already computed.
    """
    voters, options = utilities.shape
    rows = _rows_per_chunk(voters, options)
    if first is not None and rows >= options:  # one chunk (the usual case)
        return np.asarray(first @ capability)
    strengths = np.empty((1, options, options))
    for start in range(0, options, rows):
        stop = min(options, start + rows)
        cube = first if start == 0 and first is not None else None
        if cube is None:
            cube = kernels.vote_cube(utilities, start, stop, rule)
        strengths[:, start:stop, :] = cube @ capability
    return strengths


def _election_weights(
    strengths: FloatArray, settings: BargainingSettings, valid: BoolArray
) -> FloatArray:
    """Unnormalised conditional-PCE weights of every option (``log``/``exp`` in numpy)."""
    floored = kernels.victory_floor(strengths, VICTORY_POWERS[settings.victory_model])
    return np.exp(kernels.center_logs(np.log(floored), valid))


def _conditional(strengths: FloatArray, settings: BargainingSettings) -> FloatArray:
    """Option probabilities of the conditional PCE among all options."""
    valid = _all_valid(strengths.shape[1])
    return kernels.normalise_rows(_election_weights(strengths, settings, valid))


def _pair_strengths(
    values: FloatArray, col_a: np.ndarray, col_b: np.ndarray, weights: FloatArray, rule: int
) -> FloatArray:
    """Coalition strengths (before the floor) in the chunks of the numpy version."""
    pairs = col_a.size
    per_chunk = _pairs_per_chunk(values.shape[0])
    strengths = np.empty(pairs)
    for start in range(0, pairs, per_chunk):
        stop = min(pairs, start + per_chunk)
        votes = kernels.pair_votes(values, col_a, col_b, start, stop, rule)
        strengths[start:stop] = votes @ weights
    return strengths
