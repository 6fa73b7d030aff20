"""Every KTAB option changes the quantity it acts on by the amount its equation gives.

Each non-default option is checked in a table small enough to work the effect out by hand; the
derivations are in the comments next to the tables below.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.bargaining import (
    BargainingEngine,
    BargainingInterpolation,
    BargainingSettings,
    PceModel,
    RiskAdjust,
    RiskRange,
    ThirdPartyCommit,
    Transitions,
    VictoryModel,
    VotingRule,
    read_ktab_csv,
)
from sim.bargaining.core import bargain_positions
from sim.bargaining.pce import condorcet_probabilities, victory_probability

DEFAULT = BargainingSettings()


def final_positions(ktab_dir: Path, settings: BargainingSettings, seed: int = 0) -> np.ndarray:
    table = read_ktab_csv(ktab_dir / "dummyData_3Dim.csv")
    engine = BargainingEngine.from_ktab(
        table, settings=settings, rng=np.random.default_rng(seed), record="light"
    )
    engine.run()
    return engine.positions


def test_defaults_are_ktabs() -> None:
    assert DEFAULT.victory_model is VictoryModel.LINEAR
    assert DEFAULT.pce_model is PceModel.CONDITIONAL
    assert DEFAULT.transitions is Transitions.DETERMINISTIC
    assert DEFAULT.voting_rule is VotingRule.PROP
    assert DEFAULT.risk_adjust is RiskAdjust.ONE_THIRD
    assert DEFAULT.risk_range is RiskRange.MID
    assert DEFAULT.third_party_commit is ThirdPartyCommit.SEMI
    assert DEFAULT.bargain_interpolation is BargainingInterpolation.S2P2
    assert (DEFAULT.max_rounds, DEFAULT.convergence_threshold) == (100, 0.02)


# Each KTAB option is checked on the quantity it acts on, in a small table where the effect can
# be worked out by hand from /work/shared/specs/bargaining-smp.md (derivations below). Every case
# states the default's value, the option's value and therefore the direction and size of the
# change; a case fails if the option is ignored, wired to the wrong step or mis-computed.
#
# TWO ACTORS (challenge probability p and bargains, steps 3-6). One dimension; a0: capability
# 2 at 0; a1: capability 1 at 40; both salience 60 (S = 0.6, which scales both principals' votes
# alike, so p does not depend on it). Risk-neutral PCE over two options: a0 is the likelier
# winner under every voting rule and victory model (2/3 with the linear one), and with two
# actors only the order matters: R(a0) = 1 and R(a1) = -1/2 (Mid range), 0 (Min), -1 (Max).
# d = 0.4 between them; u(0.4, r) = 0.6 (1 + 0.4 r).
# a0 challenges a1, judged with a0's utilities: a0's own stake U00 - U01 = 1 - u(0.4, 1) = 0.16;
# a0's estimate of a1's stake U10 - U11 = u(0.4, r) - 1 with r = w R(a0) + (1 - w) R(a1), w the
# own-risk weight (OneThird: w = 2/3, r = 1/2, stake -0.28). No third parties, so
# p = 2 f(0.16) / (2 f(0.16) + f(0.28)) for the voting rule's vote shape f:
#   Prop 0.32 / 0.60 = 8/15.
TWO_ACTORS = {"capability": [2.0, 1.0], "position": [[0.0], [40.0]], "salience": [[60.0], [60.0]]}
P_DEFAULT_TWO = 8 / 15

# ZERO-ONE UTILITIES (win probabilities, the PCE). Two dimensions; a0 at (0, 0) caring only about
# the first, a1 at (100, 0) only about the second, a2 at (100, 100) only about the first;
# capabilities 2, 1, 1. Every distance is 0 or 1, so utilities are 1 or 0 whatever the risk
# attitudes: a0 values the options (a0, a1, a2) at (1, 0, 0), a1 at (1, 1, 0), a2 at (0, 1, 1).
# Coalitions: a0 over a1 is backed by a0 (2) against a2 (1); a0 over a2 by a0 and a1 (3) against
# a2 (1); a1 over a2 by a1 alone, unopposed (p = 1). Linear victory: p(0>1) = 2/3,
# p(0>2) = 3/4, p(1>2) = 1. Conditional PCE: (2/3 x 3/4, 1/3 x 1, 0) normalised = (0.6, 0.4, 0).
ZERO_ONE = {
    "capability": [2.0, 1.0, 1.0],
    "position": [[0.0, 0.0], [100.0, 0.0], [100.0, 100.0]],
    "salience": [[100.0, 0.0], [0.0, 100.0], [100.0, 0.0]],
}
WIN_DEFAULT = (0.6, 0.4, 0.0)

# THREE ACTORS (third parties, step 5). One dimension; a0: capability 2 at 0, a1: 1 at 100,
# a2: 3 at 50; salience 100 each. Risk-neutral PCE: p(0>1) = 2/3 (a2 indifferent),
# p(0>2) = 1/3, p(1>2) = 1/6, so P = (4, 1, 10)/15 and R = (0, -1/2, 1) (Mid). a0 challenges a1:
# principals' votes 2 (a0: 1 - 0) and 1 (a1), so without third parties p = 2/3. The third party
# a2 stands halfway and is indifferent between them (b = 0), so it joins the side it expects to
# win, pi = 2/3: with a0's estimate of its risk r = (2/3) 0 + (1/3) 1 = 1/3, its utility for
# either principal is u(0.5, 1/3) = 7/12 and for itself 1, so
# A - B = pi (1 - 7/12) + (1 - pi)(7/12 - 1) = 5/36 and its vote 3 x 5/36 = 5/12 goes to a0:
# p = (2 + 5/12) / (3 + 5/12) = 29/41 (SemiCommit).
THREE_ACTORS = {
    "capability": [2.0, 1.0, 3.0],
    "position": [[0.0], [100.0], [50.0]],
    "salience": [[100.0], [100.0], [100.0]],
}
P_SEMI_THREE = 29 / 41


def small_engine(table: dict, **settings: object) -> BargainingEngine:
    n, dims = len(table["capability"]), len(table["position"][0])
    return BargainingEngine(
        [f"a{i}" for i in range(n)],
        [f"d{k}" for k in range(dims)],
        table["capability"],
        table["position"],
        table["salience"],
        settings=BargainingSettings(**settings),  # type: ignore[arg-type]
    )


def challenge_probability(table: dict, initiator: str = "a0", target: str = "a1", **settings):
    engine = small_engine(table, **settings)
    engine.step()
    challenges = engine.history.challenges
    row = challenges[(challenges["initiator"] == initiator) & (challenges["target"] == target)]
    assert len(row) == 1, f"{initiator} did not challenge {target}: {challenges}"
    return float(row["p"].iloc[0])


def win_probabilities(table: dict, **settings: object) -> np.ndarray:
    return np.array(list(small_engine(table, **settings).win_probabilities().values()))


# (setting, value, expected p(a0 -> a1) in TWO_ACTORS, why).
CHALLENGE_CASES = [
    (
        "voting_rule",
        VotingRule.BINARY,
        2 / 3,
        "only the sign of a stake counts: p is a0's capability share 2/3, up from 8/15",
    ),
    (
        "voting_rule",
        VotingRule.PROP_BIN,
        0.656 / 1.080,  # f = 0.8 D + 0.2 sign: 2 x 0.328 / (2 x 0.328 + 0.424)
        "between Prop and Binary",
    ),
    (
        "voting_rule",
        VotingRule.CUBIC,
        0.008192 / 0.030144,  # 2 x 0.16^3 / (2 x 0.16^3 + 0.28^3)
        "cubing favours the larger stake (a1's 0.28): p falls well below 1/2",
    ),
    (
        "voting_rule",
        VotingRule.PROP_CBC,
        0.164096 / 0.315072,  # f = (D + D^3)/2: 2 x 0.082048 / (2 x 0.082048 + 0.150976)
        "between Prop and Cubic, slightly below Prop",
    ),
    (
        "voting_rule",
        VotingRule.ASYM_PROSP,
        (0.32 * 2 / 3) / (0.32 * 2 / 3 + 0.28),
        "a gain counts two thirds of a loss: the challenger's support shrinks, p falls",
    ),
    (
        "risk_adjust",
        RiskAdjust.NONE,
        0.32 / 0.48,  # r = R(a0) = 1: a1's stake u(0.4, 1) - 1 = -0.16
        "a0 credits a1 with its own risk aversion: a1 seems to lose less, p rises",
    ),
    (
        "risk_adjust",
        RiskAdjust.HALF,
        0.32 / 0.66,  # r = 1/4: stake 0.6 x 1.1 - 1 = -0.34
        "r = 1/4: a1 seems to lose more than under OneThird, p falls",
    ),
    (
        "risk_adjust",
        RiskAdjust.TWO_THIRDS,
        0.32 / 0.72,  # r = 0: stake -0.4
        "r = 0",
    ),
    (
        "risk_adjust",
        RiskAdjust.FULL,
        0.32 / 0.84,  # r = R(a1) = -1/2: stake 0.6 x 0.8 - 1 = -0.52
        "a0 uses a1's own risk acceptance: the lowest p of the ladder",
    ),
    (
        "risk_range",
        RiskRange.MIN,
        0.32 / 0.56,  # R(a1) = 0, r = 2/3: stake 0.6 (1 + 0.4 x 2/3) - 1 = -0.24
        "the weaker actor is risk neutral instead of risk accepting: p rises",
    ),
    (
        "risk_range",
        RiskRange.MAX,
        0.32 / 0.64,  # R(a1) = -1, r = 1/3: stake 0.6 (1 + 0.4/3) - 1 = -0.32
        "the weaker actor is fully risk accepting: p falls to 1/2",
    ),
]


@pytest.mark.parametrize(
    ("field", "value", "expected", "why"),
    CHALLENGE_CASES,
    ids=[f"{field}={value}" for field, value, _, _ in CHALLENGE_CASES],
)
def test_option_sets_the_challenge_probability(
    field: str, value: object, expected: float, why: str
) -> None:
    default = challenge_probability(TWO_ACTORS)
    assert default == pytest.approx(P_DEFAULT_TWO, abs=1e-9)
    varied = challenge_probability(TWO_ACTORS, **{field: value})
    # tolerance: the coalition floors (1e-10) shift the cubic rule's small strengths by ~1e-8
    assert varied == pytest.approx(expected, abs=1e-7), why
    # direction and size of the change follow from the hand value
    assert np.sign(varied - default) == np.sign(expected - P_DEFAULT_TWO)
    assert abs(varied - default) >= 0.9 * abs(expected - P_DEFAULT_TWO) > 0.01


def test_risk_adjustment_orders_the_challenge_probability() -> None:
    # The more weight a0 puts on its own attitude (1) rather than a1's (-1/2), the smaller a1's
    # apparent stake and the larger p: None > OneThird > Half > TwoThirds > Full.
    ladder = [
        RiskAdjust.NONE,
        RiskAdjust.ONE_THIRD,
        RiskAdjust.HALF,
        RiskAdjust.TWO_THIRDS,
        RiskAdjust.FULL,
    ]
    probabilities = [challenge_probability(TWO_ACTORS, risk_adjust=a) for a in ladder]
    assert probabilities == sorted(probabilities, reverse=True)
    assert probabilities[0] - probabilities[-1] == pytest.approx(2 / 3 - 8 / 21, abs=1e-9)


@pytest.mark.parametrize(
    ("risk_range", "weaker"), [(RiskRange.MID, -0.5), (RiskRange.MIN, 0.0), (RiskRange.MAX, -1.0)]
)
def test_risk_range_sets_the_weaker_actors_attitude(risk_range: RiskRange, weaker: float) -> None:
    risk = small_engine(TWO_ACTORS, risk_range=risk_range).risk_attitudes()
    assert risk["a0"] == pytest.approx(1.0) and risk["a1"] == pytest.approx(weaker)


@pytest.mark.parametrize(
    ("model", "power"),
    [(VictoryModel.SQUARE, 2), (VictoryModel.QUARTIC, 4), (VictoryModel.OCTIC, 8)],
)
def test_victory_model_sharpens_the_pce_but_not_the_challenge(
    model: VictoryModel, power: int
) -> None:
    # p(0>1) = 2^k / (2^k + 1), p(0>2) = 3^k / (3^k + 1), p(1>2) = 1: the strongest coalition's
    # option gains, from 0.6 (Linear) to 0.783 (Square), 0.940 (Quartic), 0.996 (Octic).
    p01, p02 = 2**power / (2**power + 1), 3**power / (3**power + 1)
    top = p01 * p02 / (p01 * p02 + (1 - p01))
    probs = win_probabilities(ZERO_ONE, victory_model=model)
    assert probs == pytest.approx([top, 1 - top, 0.0], abs=1e-6)
    assert probs[0] - WIN_DEFAULT[0] > 0.18
    # the challenge probability stays the linear ratio whatever the victory model (step 5)
    assert challenge_probability(TWO_ACTORS, victory_model=model) == pytest.approx(P_DEFAULT_TWO)


def test_linear_victory_is_the_default_pce() -> None:
    assert win_probabilities(ZERO_ONE) == pytest.approx(WIN_DEFAULT, abs=1e-6)


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        # Uniform: from option b a challenger a is drawn with probability 1/2 and wins with
        # p(a>b). Balance of option 2: pi2 (3/8 + 1/2) = pi0 / 8, so pi2 = pi0 / 7; of option 1:
        # pi1 / 3 = pi0 / 6 + pi2 / 2, so pi1 = 5 pi0 / 7: (7, 5, 1) / 13.
        (PceModel.MARKOV_UNIFORM, (7 / 13, 5 / 13, 1 / 13)),
        # Incentive: a challenger is drawn in proportion to p(a>b). Moves 0->1 4/21, 0->2 3/28,
        # 1->0 2/3, 2->0 9/28, 2->1 4/7; balance gives (175, 68, 21) / 264.
        (PceModel.MARKOV_INCENTIVE, (175 / 264, 68 / 264, 21 / 264)),
    ],
)
def test_markov_pce_gives_the_condorcet_loser_a_share(
    model: PceModel, expected: tuple[float, float, float]
) -> None:
    # Option a2 loses to both others; the conditional product gives it nothing, while a chain of
    # challenges visits it (it beats a0 one time in four) and gives it about 8%.
    probs = win_probabilities(ZERO_ONE, pce_model=model)
    assert probs == pytest.approx(expected, abs=1e-6)
    assert probs[2] - WIN_DEFAULT[2] > 0.07


@pytest.mark.parametrize("commit", [ThirdPartyCommit.FULL, ThirdPartyCommit.NONE])
def test_without_semi_commitment_third_parties_do_not_vote(commit: ThirdPartyCommit) -> None:
    semi = challenge_probability(THREE_ACTORS)
    assert semi == pytest.approx(P_SEMI_THREE, abs=1e-9)
    alone = challenge_probability(THREE_ACTORS, third_party_commit=commit)
    # the principals' strengths alone: 2 against 1; the bandwagon vote of a2 is gone
    assert alone == pytest.approx(2 / 3, abs=1e-9)
    assert semi - alone == pytest.approx(29 / 41 - 2 / 3, abs=1e-9)


@pytest.mark.parametrize(
    ("interpolation", "expected"),
    [
        # w_i = (0.6 x 8/15)^2 = 0.1024, w_j = (0.6 x 7/15)^2 = 0.0784:
        # 0.4 x 0.0784 / 0.180801 = 0.17345 -> 17.35
        (BargainingInterpolation.S2P2, 17.35),
        # w_i = 0.32, w_j = 0.28: 0.4 x 0.28 / 0.600001 = 0.18667 -> 18.67
        (BargainingInterpolation.S1P1, 18.67),
    ],
)
def test_interpolation_sets_the_bargain_both_actors_adopt(
    interpolation: BargainingInterpolation, expected: float
) -> None:
    # a0 (p = 8/15) is the likelier winner; squared weights pull the bargain further toward it.
    engine = small_engine(TWO_ACTORS, bargain_interpolation=interpolation)
    engine.step()
    np.testing.assert_allclose(engine.positions, [[expected], [expected]], atol=1e-9)
    moves = engine.history.moves
    assert set(moves["bargain"]) == {"a0->a1"}


def test_full_and_no_commit_are_the_same_rule(ktab_dir: Path) -> None:
    # Both make a third party's two expected outcomes equal, so third parties never vote.
    full = final_positions(ktab_dir, BargainingSettings(third_party_commit=ThirdPartyCommit.FULL))
    none = final_positions(ktab_dir, BargainingSettings(third_party_commit=ThirdPartyCommit.NONE))
    np.testing.assert_array_equal(full, none)


@pytest.mark.parametrize("adjust", list(RiskAdjust))
def test_risk_adjustment_leaves_the_risk_attitudes_themselves(
    ktab_dir: Path, adjust: RiskAdjust
) -> None:
    table = read_ktab_csv(ktab_dir / "dummyData_3Dim.csv")
    default = BargainingEngine.from_ktab(table).risk_attitudes()
    adjusted = BargainingEngine.from_ktab(
        table, settings=BargainingSettings(risk_adjust=adjust)
    ).risk_attitudes()
    assert adjusted == pytest.approx(default, abs=1e-12)


def test_risk_ranges_keep_the_order_of_actors(ktab_dir: Path) -> None:
    table = read_ktab_csv(ktab_dir / "dummyData_3Dim.csv")
    bounds = {RiskRange.MIN: (0.0, 1.0), RiskRange.MID: (-0.5, 1.0), RiskRange.MAX: (-1.0, 1.0)}
    orders = []
    for risk_range, (low, high) in bounds.items():
        risk = np.array(
            list(
                BargainingEngine.from_ktab(
                    table, settings=BargainingSettings(risk_range=risk_range)
                )
                .risk_attitudes()
                .values()
            )
        )
        assert risk.min() == pytest.approx(low) and risk.max() == pytest.approx(high)
        orders.append(tuple(np.argsort(risk)))
    assert len(set(orders)) == 1


def test_interpolations_agree_when_the_sides_are_symmetric() -> None:
    pos_i, pos_j = np.array([[0.2, 0.9]]), np.array([[0.6, 0.1]])
    sal = np.array([[0.4, 0.3]])
    s1 = bargain_positions(np.array([0.5]), pos_i, pos_j, sal, sal, power=1)
    s2 = bargain_positions(np.array([0.5]), pos_i, pos_j, sal, sal, power=2)
    np.testing.assert_allclose(s1[0], s2[0])
    np.testing.assert_allclose(s1[0], [[0.4, 0.5]], atol=1e-4)


def test_interpolations_differ_when_one_side_is_stronger() -> None:
    pos_i, pos_j = np.array([[0.2]]), np.array([[0.6]])
    sal = np.array([[0.5]])
    s1 = bargain_positions(np.array([0.8]), pos_i, pos_j, sal, sal, power=1)
    s2 = bargain_positions(np.array([0.8]), pos_i, pos_j, sal, sal, power=2)
    # Squared weights pull the bargain further toward the likely winner (the initiator at 0.2).
    assert s2[0][0, 0] < s1[0][0, 0] < 0.4


@pytest.mark.parametrize("model", list(VictoryModel))
def test_victory_models_agree_on_even_and_ordered_contests(model: VictoryModel) -> None:
    even = victory_probability(np.array([3.0]), np.array([3.0]), model)
    stronger = victory_probability(np.array([3.0]), np.array([2.0]), model)
    assert even[0] == pytest.approx(0.5)
    assert stronger[0] > 0.5


def test_higher_powers_sharpen_victory() -> None:
    ladder = [
        victory_probability(np.array([3.0]), np.array([2.0]), model)[0] for model in VictoryModel
    ]
    assert ladder == sorted(ladder) and ladder[0] == pytest.approx(0.6)


@pytest.mark.parametrize("model", list(PceModel))
def test_pce_models_agree_on_two_options(model: PceModel) -> None:
    pairwise = np.array([[[0.5, 0.7], [0.3, 0.5]]])
    probs = condorcet_probabilities(pairwise, model)
    np.testing.assert_allclose(probs, [[0.7, 0.3]], atol=1e-9)


def test_pce_models_differ_on_three_options() -> None:
    pairwise = np.array([[[0.5, 0.9, 0.4], [0.1, 0.5, 0.8], [0.6, 0.2, 0.5]]])
    results = [condorcet_probabilities(pairwise, model)[0] for model in PceModel]
    for probs in results:
        assert probs.sum() == pytest.approx(1.0)
    assert np.abs(results[0] - results[1]).max() > 0.01
    assert np.abs(results[1] - results[2]).max() > 0.01


def test_stochastic_transitions_repeat_with_a_seed_and_vary_across_seeds(ktab_dir: Path) -> None:
    stochastic = BargainingSettings(transitions=Transitions.STOCHASTIC)
    first = final_positions(ktab_dir, stochastic, seed=11)
    again = final_positions(ktab_dir, stochastic, seed=11)
    np.testing.assert_array_equal(first, again)
    others = [final_positions(ktab_dir, stochastic, seed=s) for s in (12, 13, 14)]
    assert any(np.abs(o - first).max() > 0.5 for o in others)


def test_stochastic_transitions_need_a_generator(ktab_dir: Path) -> None:
    table = read_ktab_csv(ktab_dir / "dummyData_3Dim.csv")
    with pytest.raises(ValueError, match="Generator"):
        BargainingEngine.from_ktab(
            table, settings=BargainingSettings(transitions=Transitions.STOCHASTIC)
        )


def test_identity_accommodation_is_the_default_and_drift_changes_the_run(make_engine) -> None:
    default = make_engine(seed=5)
    default.run()
    identity = make_engine(seed=5, accommodation=np.eye(7))
    identity.run()
    np.testing.assert_array_equal(default.positions, identity.positions)
    drift = 0.5 * np.eye(7) + 0.5 / 7 * np.ones((7, 7))
    drifting = make_engine(seed=5, accommodation=drift)
    drifting.run()
    assert np.abs(drifting.positions - default.positions).max() > 0.5
