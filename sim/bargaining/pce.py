"""Votes, victory probabilities and the Probabilistic Condorcet Election (PCE).

A PCE turns the utilities that voters attach to a set of options into one probability per
option: every pair of options is contested by the coalitions that prefer each side; the
coalitions' strengths give a pairwise victory probability; the pairwise probabilities give the
option probabilities (``paper.kapsarc_ktab``, see ``/work/shared/specs/bargaining-smp.md``).

All functions accept a leading batch axis so that many small elections (one per actor's queue of
bargains) run in one vectorised call. Padding options are excluded with a ``valid`` mask.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.scenario.bargaining import PceModel, VictoryModel, VotingRule

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

COALITION_FLOOR = 1e-8
BINARY_SCALE = 1e-8
MARKOV_TOLERANCE = 1e-12
MARKOV_MAX_ITERATIONS = 100_000
# Largest temporary (elements) built at once; bounds memory for 250 actors.
CHUNK_ELEMENTS = 1 << 20

_VICTORY_POWER = {
    VictoryModel.LINEAR: 1,
    VictoryModel.SQUARE: 2,
    VictoryModel.QUARTIC: 4,
    VictoryModel.OCTIC: 8,
}


def vote_shape(diff: FloatArray, rule: VotingRule) -> FloatArray:
    """The vote per unit of weight for utility difference ``diff = u(a) - u(b)``.

    Args:
        diff: Utility differences, any shape.
        rule: The voting rule.

    Returns:
        Array of the same shape; multiply by the voter's weight to get its vote.
    """
    if rule is VotingRule.PROP:
        return diff
    if rule is VotingRule.BINARY:
        return np.clip(diff / BINARY_SCALE, -1.0, 1.0)
    if rule is VotingRule.PROP_BIN:
        return 0.8 * diff + 0.2 * np.clip(diff / BINARY_SCALE, -1.0, 1.0)
    if rule is VotingRule.CUBIC:
        return diff**3
    if rule is VotingRule.PROP_CBC:
        return 0.5 * diff + 0.5 * diff**3
    if rule is VotingRule.ASYM_PROSP:
        return np.where(diff < 0.0, diff, (2.0 / 3.0) * diff)
    raise ValueError(f"unknown voting rule {rule!r}")


def victory_probability(
    strength_for: FloatArray, strength_against: FloatArray, model: VictoryModel
) -> FloatArray:
    """Probability that the side with ``strength_for`` wins against ``strength_against``."""
    power = _VICTORY_POWER[model]
    if power == 1:
        return strength_for / (strength_for + strength_against)
    ratio = strength_against / strength_for
    return 1.0 / (1.0 + ratio**power)


def coalition_strengths(weights: FloatArray, utilities: FloatArray, rule: VotingRule) -> FloatArray:
    """Strength of the coalition for option a against option b, for every pair.

    Args:
        weights: Voter weights (>= 0), shape ``(voters,)``.
        utilities: ``(batch, voters, options)`` utility of each option to each voter.
        rule: The voting rule.

    Returns:
        ``(batch, options, options)``: ``C[., a, b] = 1e-8 + sum of positive votes for a over b``.
    """
    batch, voters, options = utilities.shape
    # Voters last, so that the weighted sum over voters is one matrix-vector product.
    by_option = np.ascontiguousarray(np.swapaxes(utilities, 1, 2))  # [batch, option, voter]
    strengths = np.empty((batch, options, options))
    rows_per_chunk = max(1, CHUNK_ELEMENTS // max(1, batch * voters * options))
    for start in range(0, options, rows_per_chunk):
        stop = min(options, start + rows_per_chunk)
        diff = np.subtract(by_option[:, start:stop, None, :], by_option[:, None, :, :])
        shaped = diff if rule is VotingRule.PROP else vote_shape(diff, rule)
        # A non-negative weight factors out of max(0, w f): sum_v w_v max(0, f_v).
        np.maximum(shaped, 0.0, out=shaped)
        strengths[:, start:stop, :] = shaped @ weights
    strengths += COALITION_FLOOR
    return strengths


def pairwise_victory(
    weights: FloatArray, utilities: FloatArray, rule: VotingRule, model: VictoryModel
) -> FloatArray:
    """``p[., a, b]``: probability option a beats option b (0.5 on the diagonal)."""
    strengths = coalition_strengths(weights, utilities, rule)
    probs = victory_probability(strengths, np.swapaxes(strengths, 1, 2), model)
    diag = np.arange(probs.shape[1])
    probs[:, diag, diag] = 0.5
    return probs


def condorcet_probabilities(
    pairwise: FloatArray, model: PceModel, valid: BoolArray | None = None
) -> FloatArray:
    """Option probabilities from pairwise victory probabilities.

    Args:
        pairwise: ``(batch, options, options)`` probability that a beats b.
        model: Conditional (product of pairwise probabilities) or a Markov chain of challenges.
        valid: ``(batch, options)`` mask of real options; padding gets probability 0.

    Returns:
        ``(batch, options)`` probabilities summing to 1 over the valid options.
    """
    batch, options, _ = pairwise.shape
    if valid is None:
        valid = np.ones((batch, options), dtype=bool)
    if model is PceModel.CONDITIONAL:
        return _conditional(pairwise, valid)
    return _markov(pairwise, valid, incentive=model is PceModel.MARKOV_INCENTIVE)


def _conditional(pairwise: FloatArray, valid: BoolArray) -> FloatArray:
    # Sum logs rather than multiply: with hundreds of options the product underflows.
    logs = np.log(np.maximum(pairwise, np.finfo(float).tiny))
    logs = np.where(valid[:, None, :], logs, 0.0).sum(axis=2)
    logs = np.where(valid, logs, -np.inf)
    logs -= logs.max(axis=1, keepdims=True)
    weights = np.exp(logs)
    return weights / weights.sum(axis=1, keepdims=True)


def _markov(pairwise: FloatArray, valid: BoolArray, *, incentive: bool) -> FloatArray:
    """Stationary distribution of a chain in which a challenger may displace the current option.

    From option b a challenger a is drawn (uniformly among the other options, or, for the
    incentive variant, in proportion to its chance of winning) and replaces b with probability
    ``p(a > b)``.
    """
    options = pairwise.shape[1]
    pair_valid = valid[:, :, None] & valid[:, None, :]
    off_diag = pair_valid & ~np.eye(options, dtype=bool)[None]
    beats = np.where(off_diag, pairwise, 0.0)
    counts = valid.sum(axis=1).astype(float)
    if incentive:
        totals = beats.sum(axis=1, keepdims=True)
        choose = np.divide(beats, totals, out=np.zeros_like(beats), where=totals > 0)
    else:
        choose = np.where(off_diag, 1.0 / np.maximum(counts - 1.0, 1.0)[:, None, None], 0.0)
    move = choose * beats
    stay = 1.0 - move.sum(axis=1)
    transition = move.copy()
    diag = np.arange(options)
    transition[:, diag, diag] = np.where(valid, stay, 0.0)
    state = np.where(valid, 1.0 / counts[:, None], 0.0)
    for _ in range(MARKOV_MAX_ITERATIONS):
        new_state = np.einsum("kab,kb->ka", transition, state)
        if np.max(np.abs(new_state - state)) < MARKOV_TOLERANCE:
            state = new_state
            break
        state = new_state
    return state / state.sum(axis=1, keepdims=True)


def scalar_pce(
    weights: FloatArray,
    utilities: FloatArray,
    rule: VotingRule,
    victory: VictoryModel,
    pce: PceModel,
    valid: BoolArray | None = None,
) -> FloatArray:
    """Probability of each option winning a PCE among voters with the given weights.

    Args:
        weights: Voter weights, shape ``(voters,)``.
        utilities: ``(voters, options)`` or batched ``(batch, voters, options)``.
        rule: Voting rule.
        victory: Victory probability model.
        pce: PCE model.
        valid: Optional ``(batch, options)`` mask for padded batches.

    Returns:
        ``(options,)`` or ``(batch, options)`` probabilities.

    Example:
        >>> import numpy as np
        >>> p = scalar_pce(np.array([1.0, 1.0]), np.array([[1.0, 0.0], [1.0, 0.5]]),
        ...                VotingRule.PROP, VictoryModel.LINEAR, PceModel.CONDITIONAL)
        >>> bool(p[0] > 0.99)
        True
    """
    single = utilities.ndim == 2
    batched = utilities[None] if single else utilities
    pairwise = pairwise_victory(weights, batched, rule, victory)
    probs = condorcet_probabilities(pairwise, pce, valid)
    return probs[0] if single else probs
