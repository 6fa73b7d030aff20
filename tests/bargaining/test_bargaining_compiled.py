"""The compiled turn gives the numpy functions' results to the last bit.

The numpy functions of ``core``, ``resolution`` and ``pce`` are the reference (checked against
hand-worked cases and KTAB's runs); ``sim.bargaining.turn`` plays the same turn through numba
kernels. Every float is compared bit for bit (``view(np.int64)``), so a change of summation
order, a fused multiply-add or a different ``log`` would fail here.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from sim.bargaining import BargainingEngine, RecordLevel, Shock, ShockMode, VetoShock, kernels, turn
from sim.bargaining.core import (
    Perception,
    bargain_positions,
    choose_targets,
    evaluate_challenges,
    perceive,
)
from sim.bargaining.history import TABLES
from sim.bargaining.pce import scalar_pce
from sim.bargaining.resolution import Bargains, resolve_queues
from sim.bargaining.state import ActorTable
from sim.scenario.bargaining import (
    BargainingInterpolation,
    BargainingSettings,
    PceModel,
    RiskAdjust,
    RiskRange,
    ThirdPartyCommit,
    Transitions,
    VictoryModel,
    VotingRule,
)
from sim.scenario.loader import SCENARIOS_DIR, load_scenario


def random_table(n: int, dims: int, seed: int) -> ActorTable:
    rng = np.random.default_rng(seed)
    capability = rng.uniform(10.0, 100.0, n)
    position = np.round(rng.uniform(0.0, 100.0, (n, dims)), 2)
    raw = rng.uniform(0.1, 1.0, (n, dims))
    salience = np.round(80.0 * raw / raw.sum(axis=1, keepdims=True), 2)
    actors, dim_ids = [f"a{i}" for i in range(n)], [f"d{k}" for k in range(dims)]
    return ActorTable.build(actors, dim_ids, capability, position, salience)


def same_bits(actual: np.ndarray, expected: np.ndarray) -> None:
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert actual.shape == expected.shape
    assert actual.dtype == expected.dtype
    if actual.dtype == np.float64:
        np.testing.assert_array_equal(actual.view(np.int64), expected.view(np.int64))
    else:
        np.testing.assert_array_equal(actual, expected)


def numpy_turn(
    table: ActorTable,
    settings: BargainingSettings,
    bounds: tuple[np.ndarray, np.ndarray] | None,
    rng: np.random.Generator,
) -> tuple[Perception, object, Bargains, object, np.ndarray]:
    """One turn through the numpy functions, as the engine strings them together."""
    per = perceive(table.capability, table.ideal, table.position, table.salience, settings)
    challenges = evaluate_challenges(per, table.capability, table.salience, settings)
    targets = choose_targets(challenges.initiator_gain)
    initiators = np.flatnonzero(targets >= 0)
    receivers = targets[initiators]
    power = 2 if settings.bargain_interpolation is BargainingInterpolation.S2P2 else 1
    p = challenges.probability[initiators, receivers]
    new_i, new_j = bargain_positions(
        p,
        table.position[initiators],
        table.position[receivers],
        table.salience[initiators],
        table.salience[receivers],
        power,
    )
    if bounds is not None:
        new_i = np.clip(new_i, bounds[0][initiators], bounds[1][initiators])
        new_j = np.clip(new_j, bounds[0][receivers], bounds[1][receivers])
    bargains = Bargains(initiators, receivers, p, new_i, new_j)
    resolution = resolve_queues(
        bargains,
        per,
        table.capability,
        table.ideal,
        table.position,
        table.salience,
        settings,
        rng,
    )
    moved = np.linalg.norm(resolution.positions - table.position, axis=1)
    return per, challenges, bargains, resolution, moved


COMPILED_SETTINGS = [
    BargainingSettings(),
    BargainingSettings(transitions=Transitions.STOCHASTIC),
    BargainingSettings(
        voting_rule=VotingRule.BINARY,
        victory_model=VictoryModel.SQUARE,
        risk_range=RiskRange.MAX,
        bargain_interpolation=BargainingInterpolation.S1P1,
    ),
    BargainingSettings(
        voting_rule=VotingRule.PROP_BIN,
        risk_adjust=RiskAdjust.FULL,
        risk_range=RiskRange.MIN,
        transitions=Transitions.STOCHASTIC,
    ),
    BargainingSettings(
        voting_rule=VotingRule.ASYM_PROSP,
        risk_adjust=RiskAdjust.NONE,
        third_party_commit=ThirdPartyCommit.NONE,
    ),
]


@pytest.mark.parametrize(
    ("settings", "n", "dims", "seed", "red_lines"),
    [
        (s, n, d, seed, red)
        for (s, (n, d, seed), red) in itertools.product(
            COMPILED_SETTINGS, [(2, 1, 3), (7, 3, 1), (15, 5, 2), (23, 9, 4)], [False, True]
        )
    ],
)
def test_the_compiled_turn_is_the_numpy_turn_to_the_last_bit(
    settings: BargainingSettings, n: int, dims: int, seed: int, red_lines: bool
) -> None:
    assert turn.compiled(settings)
    table = random_table(n, dims, seed)
    bounds = None
    if red_lines:
        low, high = np.zeros((n, dims)), np.ones((n, dims))
        low[0, 0], high[n - 1, dims - 1] = 0.45, 0.3
        bounds = (low, high)
    expected = numpy_turn(table, settings, bounds, np.random.default_rng(seed))
    per = turn.perceive(table, settings)
    challenges, bargains, resolution, moved = turn.play(
        per, table, settings, bounds, np.random.default_rng(seed)
    )
    want_per, want_challenges, want_bargains, want_resolution, want_moved = expected
    for name in ("distances", "risk", "base", "curvature", "own"):
        same_bits(getattr(per, name), getattr(want_per, name))
    assert per.own_weight == want_per.own_weight
    for name in ("probability", "initiator_gain", "target_gain"):
        same_bits(getattr(challenges, name), getattr(want_challenges, name))
    for name in ("initiator", "target", "probability", "initiator_position", "target_position"):
        same_bits(getattr(bargains, name), getattr(want_bargains, name))
    same_bits(resolution.chosen, want_resolution.chosen)
    same_bits(resolution.positions, want_resolution.positions)
    same_bits(moved, want_moved)
    assert bargains.count > 0  # the tables are chosen so that the queues are exercised


@pytest.mark.parametrize("length", [*range(1, 40), 127, 128, 129, 255, 256, 300, 1031])
def test_pairwise_sum_is_numpys_sum(length: int) -> None:
    rng = np.random.default_rng(length)
    values = rng.standard_normal(length) * 10.0 ** rng.integers(-8, 8, length)
    assert kernels.pairwise_sum(values) == values.sum()
    rows = values[: length - length % 3].reshape(3, -1) if length >= 3 else values[None]
    for row, total in zip(rows, rows.sum(axis=1), strict=True):
        assert kernels.pairwise_sum(row) == total


@pytest.mark.parametrize("settings", COMPILED_SETTINGS[:4])
@pytest.mark.parametrize(("voters", "options"), [(5, 3), (12, 12), (9, 20)])
def test_compiled_election_is_numpys_election(
    settings: BargainingSettings, voters: int, options: int
) -> None:
    rng = np.random.default_rng(voters * options)
    weights = rng.uniform(0.0, 50.0, voters)
    utilities = rng.uniform(0.0, 1.0, (voters, options))
    s = settings
    expected = scalar_pce(weights, utilities, s.voting_rule, s.victory_model, s.pce_model)
    same_bits(turn.scalar_pce(weights, utilities, settings), expected)


@pytest.mark.parametrize(
    "settings",
    [
        BargainingSettings(voting_rule=VotingRule.CUBIC),
        BargainingSettings(voting_rule=VotingRule.PROP_CBC),
        BargainingSettings(victory_model=VictoryModel.QUARTIC),
        BargainingSettings(victory_model=VictoryModel.OCTIC),
        BargainingSettings(pce_model=PceModel.MARKOV_UNIFORM),
        BargainingSettings(pce_model=PceModel.MARKOV_INCENTIVE),
    ],
)
def test_settings_needing_pow_or_a_markov_chain_use_the_numpy_functions(
    settings: BargainingSettings, make_engine
) -> None:
    assert not turn.compiled(settings)
    engine = make_engine(settings=settings)
    assert not engine.compiled
    engine.run(max_rounds=3)
    assert engine.turn == 3


def shocked_run(compiled: bool, record: RecordLevel) -> BargainingEngine:
    """The base scenario's table with vetoes, red lines and links, shocked between rounds."""
    spec = load_scenario(SCENARIOS_DIR / "base.yaml").bargaining
    assert spec.settings.transitions is Transitions.STOCHASTIC
    engine = BargainingEngine.from_spec(spec, np.random.default_rng(11), record, compiled=compiled)
    assert engine.compiled is compiled
    for week in range(12):
        if week % 3 == 0:
            engine.apply(
                Shock.position("israel", "idf_withdrawal", -4.0, mode=ShockMode.ADD, reason="t")
            )
        if week == 5:
            engine.apply(VetoShock("israel_turkey", False, reason="lifted"))
        if week == 7:
            engine.apply(Shock.capability("us", 0.8, mode=ShockMode.SCALE, reason="t"))
        engine.set_reports({"decommissioned_total_share": 0.04 * week, "idf_held_share": 0.5})
        engine.step()
    return engine


@pytest.mark.parametrize("record", [RecordLevel.FULL, RecordLevel.LIGHT])
def test_an_engine_gives_the_same_history_compiled_or_not(record: RecordLevel) -> None:
    compiled = shocked_run(True, record).history.tables()
    reference = shocked_run(False, record).history.tables()
    for name in TABLES:
        pd.testing.assert_frame_equal(compiled[name], reference[name], check_exact=True)


def test_decisions_read_late_are_the_decisions_evaluated_at_every_change() -> None:
    """Shocks and reports only mark the state; reading decisions at any time changes nothing."""

    def run(read_every_time: bool) -> pd.DataFrame:
        spec = load_scenario(SCENARIOS_DIR / "base.yaml").bargaining
        engine = BargainingEngine.from_spec(spec, np.random.default_rng(5), RecordLevel.LIGHT)
        for week in range(10):
            engine.apply(
                Shock.position("hamas", "hamas_disarmament", 3.0, mode=ShockMode.ADD, reason="")
            )
            if read_every_time:
                engine.decisions()
            engine.set_reports({"decommissioned_total_share": 0.1 * week})
            if read_every_time:
                engine.decisions()
            engine.step()
            if read_every_time:
                engine.decisions()
        return engine.history.forecast

    pd.testing.assert_frame_equal(run(False), run(True), check_exact=True)


def test_a_linked_veto_range_is_evaluated_again_when_its_driver_moves() -> None:
    spec = load_scenario(SCENARIOS_DIR / "base.yaml").bargaining
    engine = BargainingEngine.from_spec(spec, np.random.default_rng(2), RecordLevel.LIGHT)
    book = engine.book
    veto = book.vetoes["israel_withdrawal"]  # high bound moves with decommissioning
    before = book.veto_range(veto)
    bargained = [50.0] * len(engine.dimensions)
    first = book.decide(bargained)["idf_withdrawal"]
    assert not first.deal
    assert book.decide(bargained)["idf_withdrawal"] is first  # reused while nothing moves
    engine.set_reports({"decommissioned_total_share": 1.0})
    after = book.veto_range(veto)
    assert after[1] > before[1]
    second = book.decide(bargained)["idf_withdrawal"]
    assert second is not first
    assert second.deal == (after[0] <= 50.0 <= after[1])
    engine.set_reports({"decommissioned_total_share": 0.0})
    assert not book.decide(bargained)["idf_withdrawal"].deal
    book.set_enforced(veto.id, False)
    assert book.decide(bargained)["idf_withdrawal"].deal


def test_the_kernels_constants_are_the_numpy_functions_constants() -> None:
    """The kernels keep their own copies (numba's cache watches only their file): same values."""
    from sim.bargaining import core, pce, resolution

    assert kernels.PRINCIPAL_FLOOR == core.PRINCIPAL_FLOOR
    assert kernels.MIN_CHALLENGE_GAIN == core.MIN_CHALLENGE_GAIN
    assert kernels.BARGAIN_EPSILON == core.BARGAIN_EPSILON
    assert kernels.ROUNDING == 10.0**core.BARGAIN_DECIMALS
    assert kernels.COALITION_FLOOR == pce.COALITION_FLOOR
    assert kernels.BINARY_SCALE == pce.BINARY_SCALE
    assert kernels.STATUS_QUO == resolution.STATUS_QUO


def test_elections_in_several_chunks_are_still_the_numpy_elections(monkeypatch) -> None:
    """Large tables are voted in chunks (bounded memory): both paths chunk alike."""
    from sim.bargaining import pce, resolution

    for module in (turn, pce, resolution):
        monkeypatch.setattr(module, "CHUNK_ELEMENTS", 200)  # 15 actors: many chunks
    settings = BargainingSettings(transitions=Transitions.STOCHASTIC)
    table = random_table(15, 5, 9)
    want_per, _, want_bargains, want_resolution, want_moved = numpy_turn(
        table, settings, None, np.random.default_rng(9)
    )
    per = turn.perceive(table, settings)
    _, bargains, resolution_, moved = turn.play(
        per, table, settings, None, np.random.default_rng(9)
    )
    assert bargains.count > 0
    same_bits(bargains.initiator_position, want_bargains.initiator_position)
    same_bits(per.risk, want_per.risk)
    same_bits(per.own, want_per.own)
    same_bits(resolution_.chosen, want_resolution.chosen)
    same_bits(resolution_.positions, want_resolution.positions)
    same_bits(moved, want_moved)


def test_powerless_and_indifferent_actors_give_the_numpy_turn() -> None:
    """Edge rows: an actor without capability, one without salience anywhere, two at one spot."""
    table = random_table(9, 3, 21)
    table.capability[0] = 0.0
    table.salience[1] = 0.0
    table.position[3] = table.position[2]
    table.ideal[3] = table.ideal[2]
    settings = BargainingSettings(transitions=Transitions.STOCHASTIC)
    want_per, want_challenges, _, want_resolution, want_moved = numpy_turn(
        table, settings, None, np.random.default_rng(3)
    )
    per = turn.perceive(table, settings)
    challenges, _, resolution_, moved = turn.play(
        per, table, settings, None, np.random.default_rng(3)
    )
    same_bits(per.own, want_per.own)
    same_bits(challenges.probability, want_challenges.probability)
    same_bits(challenges.initiator_gain, want_challenges.initiator_gain)
    same_bits(resolution_.positions, want_resolution.positions)
    same_bits(moved, want_moved)
