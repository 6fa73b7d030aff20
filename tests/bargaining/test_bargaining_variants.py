"""Every KTAB option changes the outcome where it should and leaves it alone where it should."""

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
NON_DEFAULT = [
    ("victory_model", VictoryModel.SQUARE),
    ("victory_model", VictoryModel.QUARTIC),
    ("victory_model", VictoryModel.OCTIC),
    ("pce_model", PceModel.MARKOV_UNIFORM),
    ("pce_model", PceModel.MARKOV_INCENTIVE),
    ("voting_rule", VotingRule.BINARY),
    ("voting_rule", VotingRule.PROP_BIN),
    ("voting_rule", VotingRule.CUBIC),
    ("voting_rule", VotingRule.PROP_CBC),
    ("voting_rule", VotingRule.ASYM_PROSP),
    ("risk_adjust", RiskAdjust.NONE),
    ("risk_adjust", RiskAdjust.HALF),
    ("risk_adjust", RiskAdjust.TWO_THIRDS),
    ("risk_adjust", RiskAdjust.FULL),
    ("risk_range", RiskRange.MIN),
    ("risk_range", RiskRange.MAX),
    ("third_party_commit", ThirdPartyCommit.FULL),
    ("third_party_commit", ThirdPartyCommit.NONE),
    ("bargain_interpolation", BargainingInterpolation.S1P1),
]


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


@pytest.mark.parametrize(("field", "value"), NON_DEFAULT, ids=lambda v: str(v))
def test_each_option_changes_the_dummy_run(ktab_dir: Path, field: str, value: object) -> None:
    default = final_positions(ktab_dir, DEFAULT)
    varied = final_positions(ktab_dir, BargainingSettings(**{field: value}))
    assert np.abs(varied - default).max() > 0.5


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
