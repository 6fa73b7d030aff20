"""sim.bargaining.core against hand-computed values and a loop-by-loop reference of the spec.

The reference below transcribes steps 1-5 of ``/work/shared/specs/bargaining-smp.md`` one actor
and one challenge at a time, with no vectorisation, so that the vectorised engine can be checked
without the KTAB reference runs (which live in ``../shared`` and may be absent).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from sim.bargaining.core import (
    BARGAIN_DECIMALS,
    BARGAIN_EPSILON,
    CHALLENGE_CHUNK_ELEMENTS,
    MIN_CHALLENGE_GAIN,
    OWN_RISK_WEIGHT,
    PRINCIPAL_FLOOR,
    _expected_gain,
    bargain_positions,
    choose_targets,
    evaluate_challenges,
    perceive,
    risk_attitudes,
    utility,
    weighted_distances,
)
from sim.bargaining.pce import scalar_pce, vote_shape
from sim.scenario.bargaining import (
    BargainingSettings,
    RiskAdjust,
    RiskRange,
    ThirdPartyCommit,
    VotingRule,
)


def test_constants_are_the_specs() -> None:
    # step 5: principals' floor 1e-10 and the 1e-5 gain threshold; step 6: e = 1e-6, round4
    assert (PRINCIPAL_FLOOR, MIN_CHALLENGE_GAIN, BARGAIN_EPSILON) == (1e-10, 1e-5, 1e-6)
    assert BARGAIN_DECIMALS == 4
    # step 4: actor h estimates i's risk as (own weight) R_h + (1 - own weight) R_i
    weights = {adjust: round(weight, 12) for adjust, weight in OWN_RISK_WEIGHT.items()}
    assert weights == {
        RiskAdjust.NONE: 1.0,
        RiskAdjust.ONE_THIRD: round(2 / 3, 12),
        RiskAdjust.HALF: 0.5,
        RiskAdjust.TWO_THIRDS: round(1 / 3, 12),
        RiskAdjust.FULL: 0.0,
    }


def test_weighted_distances_by_hand() -> None:
    ideals = np.array([[0.0, 0.0], [1.0, 1.0], [0.5, 0.5]])
    points = np.array([[0.0, 0.0], [1.0, 0.0]])
    saliences = np.array([[1.0, 0.0], [0.5, 0.5], [0.0, 0.0]])
    distances = weighted_distances(ideals, points, saliences)
    # actor 0 cares only about dimension 0; actor 1 equally about both; actor 2 about nothing
    expected = np.array([[0.0, 1.0], [1.0, math.sqrt(0.5)], [0.0, 0.0]])
    np.testing.assert_allclose(distances, expected)
    uneven = weighted_distances(
        np.array([[0.0, 0.0]]), np.array([[0.3, 0.4]]), np.array([[0.6, 0.2]])
    )
    # sqrt((0.36 x 0.09 + 0.04 x 0.16) / (0.36 + 0.04))
    assert uneven[0, 0] == pytest.approx(math.sqrt((0.0324 + 0.0064) / 0.4))


def test_utility_by_hand() -> None:
    d = np.array([0.0, 0.5, 0.5, 0.5, 1.0])
    r = np.array([0.7, 0.0, 1.0, -0.5, 1.0])
    np.testing.assert_allclose(utility(d, r), [1.0, 0.5, 0.75, 0.375, 0.0])


@pytest.mark.parametrize(
    ("risk_range", "expected"),
    [
        (RiskRange.MID, [-0.5, 0.1, 1.0]),
        (RiskRange.MIN, [0.0, 0.4, 1.0]),
        (RiskRange.MAX, [-1.0, -0.2, 1.0]),
    ],
)
def test_risk_attitudes_by_hand(risk_range: RiskRange, expected: list[float]) -> None:
    probabilities = np.array([0.1, 0.3, 0.6])
    np.testing.assert_allclose(risk_attitudes(probabilities, risk_range), expected, atol=1e-12)
    np.testing.assert_array_equal(risk_attitudes(np.full(3, 1 / 3), risk_range), np.zeros(3))


def test_expected_gain_resists_with_the_targets_salience() -> None:
    # EU = (1 - S_j) u_win + S_j (p u_win + (1 - p) u_lose) - euSQ
    gain = _expected_gain(
        np.array([[0.25]]), np.array([0.4]), np.array([[2.0]]), np.array([[0.5]]), np.array([[1.0]])
    )
    assert gain[0, 0] == pytest.approx(0.6 * 2.0 + 0.4 * (0.25 * 2.0 + 0.75 * 0.5) - 1.0)
    # the resistance is the target's (column's) salience, not the initiator's
    gains = _expected_gain(
        np.full((2, 2), 0.5),
        np.array([0.0, 1.0]),
        np.full((2, 2), 2.0),
        np.zeros((2, 2)),
        np.ones((2, 2)),
    )
    np.testing.assert_allclose(gains, [[1.0, 0.0], [1.0, 0.0]])


def test_choose_targets_takes_the_best_gain_above_the_threshold() -> None:
    gains = np.array(
        [
            [9.0, 2e-5, 3e-5],  # the diagonal never counts
            [1e-6, 0.0, 5e-6],  # nothing above 1e-5
            [0.2, 0.1, 0.0],
        ]
    )
    np.testing.assert_array_equal(choose_targets(gains), [2, -1, 0])
    assert choose_targets(np.array([[0.0, MIN_CHALLENGE_GAIN]]).repeat(2, 0))[0] == -1
    assert gains[0, 0] == 9.0  # the input is left alone


def test_bargain_positions_by_hand() -> None:
    x_i, x_j = np.array([[0.0, 0.2]]), np.array([[1.0, 0.2]])
    ones = np.ones((1, 2))
    # S1P1, p = 0.5: weights 0.5 each, the bargain meets in the middle
    new_i, new_j = bargain_positions(np.array([0.5]), x_i, x_j, ones, ones, 1)
    np.testing.assert_allclose(new_i, [[0.5, 0.2]])
    np.testing.assert_allclose(new_j, [[0.5, 0.2]])
    # S2P2, p = 0.75, saliences 1 and 1: w_i = 0.5625, w_j = 0.0625 -> 0.0625 / 0.625 = 0.1
    new_i, new_j = bargain_positions(np.array([0.75]), x_i, x_j, ones, ones, 2)
    np.testing.assert_allclose(new_i[0, 0], 0.1)
    np.testing.assert_allclose(new_j[0, 0], 0.1)
    # S1P1 with the same inputs: w_i = 0.75, w_j = 0.25 -> 0.25
    new_i, _ = bargain_positions(np.array([0.75]), x_i, x_j, ones, ones, 1)
    np.testing.assert_allclose(new_i[0, 0], 0.25)
    # the target's salience weighs its position: s_j = 0.5, p = 0.5, S1P1: 0.25 / 0.75
    new_i, _ = bargain_positions(np.array([0.5]), x_i, x_j, ones, ones * 0.5, 1)
    assert new_i[0, 0] == round(0.25 / 0.75, 4)
    # with no weight on either side each keeps its own position (the epsilon decides)
    zeros = np.zeros((1, 2))
    new_i, new_j = bargain_positions(np.array([0.5]), x_i, x_j, zeros, zeros, 2)
    np.testing.assert_allclose(new_i, x_i)
    np.testing.assert_allclose(new_j, x_j)
    # with tiny weights the epsilon pulls each toward its own position, unevenly
    tiny = np.full((1, 2), 1e-3)
    new_i, new_j = bargain_positions(np.array([0.5]), x_i, x_j, tiny, tiny, 1)
    w, e = 5e-4, 1e-6
    assert new_i[0, 0] == round(w / (2 * w + e), 4)
    assert new_j[0, 0] == round((w + e) / (2 * w + e), 4)
    # rounded to four decimals
    new_i, _ = bargain_positions(np.array([1 / 3]), x_i, x_j, ones, ones, 1)
    assert new_i[0, 0] == round(2 / 3, 4)


# ----- the reference: steps 1-5 of the spec, one loop per sum -----

OWN = {
    RiskAdjust.NONE: lambda rh, ri: rh,
    RiskAdjust.ONE_THIRD: lambda rh, ri: (2 * rh + ri) / 3,
    RiskAdjust.HALF: lambda rh, ri: (rh + ri) / 2,
    RiskAdjust.TWO_THIRDS: lambda rh, ri: (rh + 2 * ri) / 3,
    RiskAdjust.FULL: lambda rh, ri: ri,
}


def vote(weight: float, a: float, b: float, rule: VotingRule) -> float:
    return weight * float(vote_shape(np.array([a - b]), rule)[0])


def reference(c, y, x, s, settings: BargainingSettings):
    n, dims = s.shape
    d = np.zeros((n, n))
    for i in range(n):
        norm = sum(s[i, k] ** 2 for k in range(dims))
        for j in range(n):
            total = sum((s[i, k] * (y[i, k] - x[j, k])) ** 2 for k in range(dims))
            d[i, j] = math.sqrt(total / norm) if norm > 0 else 0.0
    p = scalar_pce(c, 1.0 - d, settings.voting_rule, settings.victory_model, settings.pce_model)
    lo, hi = p.min(), p.max()
    if settings.risk_range is RiskRange.MID:
        r = (3 * p - (hi + 2 * lo)) / (2 * (hi - lo))
    elif settings.risk_range is RiskRange.MIN:
        r = (p - lo) / (hi - lo)
    else:
        r = (2 * p - hi - lo) / (hi - lo)
    # U[h][i][j]: h's estimate of i's utility for j's position
    u = np.zeros((n, n, n))
    for h, i, j in itertools.product(range(n), repeat=3):
        risk = OWN[settings.risk_adjust](r[h], r[i])
        u[h, i, j] = (1 - d[i, j]) * (1 + d[i, j] * risk)
    big_s = s.sum(axis=1)
    rule = settings.voting_rule
    prob, gain_i, gain_j = np.full((n, n), 0.5), np.zeros((n, n)), np.zeros((n, n))
    for i, j in itertools.product(range(n), repeat=2):
        if i == j:
            continue
        uu = u[i]
        a_i = vote(big_s[i] * c[i], uu[i, i], uu[i, j], rule)
        a_j = vote(big_s[j] * c[j], uu[j, i], uu[j, j], rule)
        c0_ij = 1e-10 + max(a_i, 0) + max(a_j, 0)
        c0_ji = 1e-10 + max(-a_i, 0) + max(-a_j, 0)
        c_ij, c_ji = c0_ij, c0_ji
        if settings.third_party_commit is ThirdPartyCommit.SEMI:
            for m in range(n):
                if m in (i, j):
                    continue
                w = big_s[m] * c[m]
                b = vote(w, uu[m, i], uu[m, j], rule)
                pi = (c0_ij + max(b, 0)) / (c0_ij + c0_ji + abs(b))
                big_a = pi * (2 * uu[m, i] + uu[m, m]) + (1 - pi) * (3 * uu[m, j])
                big_b = pi * (3 * uu[m, i]) + (1 - pi) * (2 * uu[m, j] + uu[m, m])
                v = vote(w, big_a, big_b, rule)
                if v > 0:
                    c_ij += v
                else:
                    c_ji -= v
        pij = c_ij / (c_ij + c_ji)
        prob[i, j] = pij
        for k, out in ((i, gain_i), (j, gain_j)):
            eu_sq = uu[k, i] + uu[k, j]
            u_win, u_lose = 2 * uu[k, i], 2 * uu[k, j]
            eu = (1 - big_s[j]) * u_win + big_s[j] * (pij * u_win + (1 - pij) * u_lose)
            out[i, j] = eu - eu_sq
    return d, r, u, prob, gain_i, gain_j


def random_state(seed: int, n: int = 5, dims: int = 2):
    rng = np.random.default_rng(seed)
    c = rng.uniform(10, 100, n)
    y = rng.random((n, dims))
    x = np.clip(y + rng.normal(0, 0.2, (n, dims)), 0, 1)
    s = rng.random((n, dims))
    s *= rng.uniform(0.3, 1.0, (n, 1)) / s.sum(axis=1, keepdims=True)
    return c, y, x, s


SETTINGS = [
    BargainingSettings(),
    BargainingSettings(third_party_commit=ThirdPartyCommit.FULL),
    BargainingSettings(voting_rule=VotingRule.CUBIC, risk_adjust=RiskAdjust.NONE),
    BargainingSettings(voting_rule=VotingRule.PROP_BIN, risk_range=RiskRange.MAX),
    BargainingSettings(voting_rule=VotingRule.ASYM_PROSP, risk_adjust=RiskAdjust.TWO_THIRDS),
    BargainingSettings(voting_rule=VotingRule.PROP_CBC, risk_adjust=RiskAdjust.FULL),
    BargainingSettings(risk_adjust=RiskAdjust.HALF, risk_range=RiskRange.MIN),
    BargainingSettings(voting_rule=VotingRule.BINARY),
]


@pytest.mark.parametrize("settings", SETTINGS, ids=lambda s: f"{s.voting_rule}-{s.risk_adjust}")
@pytest.mark.parametrize("seed", [0, 1])
def test_vectorised_turn_equals_the_loop_reference(settings: BargainingSettings, seed: int) -> None:
    c, y, x, s = random_state(seed)
    d, r, u, prob, gain_i, gain_j = reference(c, y, x, s, settings)
    perception = perceive(c, y, x, s, settings)
    np.testing.assert_allclose(perception.distances, d, atol=1e-12)
    np.testing.assert_allclose(perception.risk, r, atol=1e-12)
    for h in range(len(c)):
        np.testing.assert_allclose(perception.perceived_by(np.array([h]))[0], u[h], atol=1e-12)
        np.testing.assert_allclose(perception.own[h], u[h, h], atol=1e-12)
    table = evaluate_challenges(perception, c, s, settings)
    np.testing.assert_allclose(table.probability, prob, atol=1e-9)
    np.testing.assert_allclose(table.initiator_gain, gain_i, atol=1e-9)
    np.testing.assert_allclose(table.target_gain, gain_j, atol=1e-9)


def test_challenges_in_small_blocks_equal_one_block(monkeypatch: pytest.MonkeyPatch) -> None:
    """Initiators are evaluated in blocks of CHALLENGE_CHUNK_ELEMENTS / n^2 to bound memory."""
    assert CHALLENGE_CHUNK_ELEMENTS == 2**17
    c, y, x, s = random_state(3, n=6)
    settings = BargainingSettings()
    perception = perceive(c, y, x, s, settings)
    whole = evaluate_challenges(perception, c, s, settings)
    import sim.bargaining.core as core

    monkeypatch.setattr(core, "CHALLENGE_CHUNK_ELEMENTS", 2 * 36)  # two initiators per block
    blocks = evaluate_challenges(perception, c, s, settings)
    np.testing.assert_array_equal(blocks.probability, whole.probability)
    np.testing.assert_array_equal(blocks.initiator_gain, whole.initiator_gain)
