"""Votes, PCE, risk attitudes and queue resolution, checked on small cases worked by hand."""

from __future__ import annotations

import numpy as np
import pytest

from sim.bargaining.core import (
    choose_targets,
    perceive,
    risk_attitudes,
    utility,
    weighted_distances,
)
from sim.bargaining.pce import condorcet_probabilities, pairwise_victory, scalar_pce, vote_shape
from sim.bargaining.resolution import (
    STATUS_QUO,
    Bargains,
    build_queues,
    option_values,
    queue_pairwise,
    resolve_queues,
)
from sim.scenario.bargaining import (
    BargainingSettings,
    PceModel,
    RiskRange,
    Transitions,
    VictoryModel,
    VotingRule,
)

DIFFS = np.array([-0.3, -1e-9, 0.0, 2e-9, 0.5])


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        (VotingRule.PROP, [-0.3, -1e-9, 0.0, 2e-9, 0.5]),
        (VotingRule.BINARY, [-1.0, -0.1, 0.0, 0.2, 1.0]),
        (VotingRule.PROP_BIN, [-0.44, -0.02, 0.0, 0.04, 0.6]),
        (VotingRule.CUBIC, [-0.027, -1e-27, 0.0, 8e-27, 0.125]),
        (VotingRule.PROP_CBC, [-0.1635, -5e-10, 0.0, 1e-9, 0.3125]),
        (VotingRule.ASYM_PROSP, [-0.3, -1e-9, 0.0, 2e-9 * 2 / 3, 0.5 * 2 / 3]),
    ],
)
def test_vote_shapes(rule: VotingRule, expected: list[float]) -> None:
    np.testing.assert_allclose(vote_shape(DIFFS, rule), expected, rtol=1e-6, atol=1e-12)


def test_distance_is_salience_weighted_and_bounded() -> None:
    ideal = np.array([[0.0, 0.0]])
    points = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    saliences = np.array([[0.6, 0.2]])
    d = weighted_distances(ideal, points, saliences)[0]
    np.testing.assert_allclose(d, [0.6 / np.sqrt(0.4), 0.2 / np.sqrt(0.4), 1.0])
    assert d[0] > d[1]


def test_utility_curvature() -> None:
    d = np.array([0.0, 0.5, 1.0])
    np.testing.assert_allclose(utility(d, np.zeros(3)), [1.0, 0.5, 0.0])
    np.testing.assert_allclose(utility(d, np.ones(3)), [1.0, 0.75, 0.0])
    np.testing.assert_allclose(utility(d, -0.5 * np.ones(3)), [1.0, 0.375, 0.0])


def test_pce_by_hand() -> None:
    # Two voters of weight 1 and 3; voter 0 prefers option 0 by 0.4, voter 1 option 1 by 0.2.
    utilities = np.array([[0.9, 0.5], [0.3, 0.5]])
    pairwise = pairwise_victory(
        np.array([1.0, 3.0]), utilities[None], VotingRule.PROP, VictoryModel.LINEAR
    )
    c01, c10 = 1e-8 + 0.4, 1e-8 + 0.6
    assert pairwise[0, 0, 1] == pytest.approx(c01 / (c01 + c10))
    probs = scalar_pce(
        np.array([1.0, 3.0]), utilities, VotingRule.PROP, VictoryModel.LINEAR, PceModel.CONDITIONAL
    )
    np.testing.assert_allclose(probs, [0.4, 0.6], atol=1e-8)


def test_padding_gets_no_probability() -> None:
    pairwise = np.full((1, 3, 3), 0.5)
    pairwise[0, 0, 1], pairwise[0, 1, 0] = 0.8, 0.2
    valid = np.array([[True, True, False]])
    for model in PceModel:
        probs = condorcet_probabilities(pairwise, model, valid)
        assert probs[0, 2] == 0.0
        assert probs[0].sum() == pytest.approx(1.0)


@pytest.mark.parametrize("risk_range", list(RiskRange))
def test_risk_attitudes_map_extremes(risk_range: RiskRange) -> None:
    probs = np.array([0.1, 0.5, 0.4])
    risk = risk_attitudes(probs, risk_range)
    assert risk[0] == pytest.approx({"Min": 0.0, "Mid": -0.5, "Max": -1.0}[risk_range.value])
    assert risk[1] == pytest.approx(1.0)
    assert risk_attitudes(np.full(3, 1 / 3), risk_range) == pytest.approx(np.zeros(3))


def test_no_challenge_below_the_gain_threshold() -> None:
    gains = np.array([[0.0, 2e-6, -1.0], [0.3, 0.0, 0.3], [0.1, 0.2, 0.0]])
    # Actor 0's best gain is below 1e-5; actor 1 ties and takes the first; actor 2 takes 1.
    np.testing.assert_array_equal(choose_targets(gains), [-1, 0, 1])


def three_actors(settings: BargainingSettings):
    cap = np.array([2.0, 1.0, 1.0])
    pos = np.array([[0.2], [0.8], [0.5]])
    sal = np.array([[0.5], [0.5], [0.5]])
    perception = perceive(cap, pos, pos, sal, settings)
    bargains = Bargains(
        np.array([0]), np.array([1]), np.array([0.6]), np.array([[0.3]]), np.array([[0.45]])
    )
    return cap, pos, sal, perception, bargains


def test_queues_hold_status_quo_own_and_received_bargains() -> None:
    bargains = Bargains(
        np.array([0, 2]), np.array([1, 1]), np.array([0.5, 0.5]), np.zeros((2, 1)), np.zeros((2, 1))
    )
    queues, valid = build_queues(bargains, 3)
    np.testing.assert_array_equal(queues, [[-1, 0, -1], [-1, 0, 1], [-1, 1, -1]])
    np.testing.assert_array_equal(valid, [[1, 1, 0], [1, 1, 1], [1, 1, 0]])


def test_stochastic_choices_follow_the_queue_probabilities() -> None:
    settings = BargainingSettings(transitions=Transitions.STOCHASTIC)
    cap, pos, sal, perception, bargains = three_actors(settings)
    queues, valid = build_queues(bargains, 3)
    status_quo, values = option_values(bargains, perception, pos, sal)
    table = np.concatenate([values, status_quo[:, None]], axis=1)
    columns = np.where(queues == STATUS_QUO, bargains.count, queues)
    expected = condorcet_probabilities(
        queue_pairwise(table, columns, valid, cap, settings), settings.pce_model, valid
    )[0, 1]
    assert 0.1 < expected < 0.9
    rng = np.random.default_rng(2024)
    draws = 4000
    took = sum(
        resolve_queues(bargains, perception, cap, pos, pos, sal, settings, rng).chosen[0] == 0
        for _ in range(draws)
    )
    sigma = np.sqrt(expected * (1 - expected) / draws)
    assert abs(took / draws - expected) < 4 * sigma


def test_deterministic_choice_takes_the_most_probable_bargain() -> None:
    settings = BargainingSettings()
    cap, pos, sal, perception, bargains = three_actors(settings)
    rng = np.random.default_rng(0)
    result = resolve_queues(bargains, perception, cap, pos, pos, sal, settings, rng)
    assert result.chosen[2] == STATUS_QUO  # actor 2 has no bargain in its queue
    moved = result.chosen != STATUS_QUO
    np.testing.assert_array_equal(result.positions[~moved], pos[~moved])
