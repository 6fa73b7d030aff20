"""Shocks between rounds change the state, are recorded, and restart convergence tracking."""

from __future__ import annotations

import numpy as np
import pytest

from sim.bargaining import Shock, ShockKind, ShockMode


def test_position_shock_moves_position_and_is_recorded(make_engine) -> None:
    engine = make_engine(seed=3)
    engine.step()
    engine.step()
    before = engine.positions[1, 0]
    record = engine.apply(Shock.position("a1", "d0", 10.0, mode=ShockMode.ADD, reason="coup"))
    assert engine.positions[1, 0] == pytest.approx(min(100.0, before + 10.0))
    assert (record.round, record.before, record.reason) == (2, pytest.approx(before), "coup")
    table = engine.history.shocks
    assert table.iloc[0][["round", "kind", "target", "dimension", "mode"]].tolist() == [
        2,
        "position",
        "a1",
        "d0",
        "add",
    ]
    # The history's state 2 shows the shocked position.
    row = engine.history.positions.query("round == 2 and actor == 'a1' and dimension == 'd0'")
    assert row["position"].iloc[0] == pytest.approx(engine.positions[1, 0])


def test_position_is_clipped_to_the_scale(make_engine) -> None:
    engine = make_engine()
    record = engine.apply(Shock.position("a0", "d1", 500.0, mode=ShockMode.ADD))
    assert record.after == 100.0
    assert engine.positions[0, 1] == 100.0


def test_salience_shock_takes_attention_from_other_dimensions(make_engine) -> None:
    engine = make_engine(n=5, dims=3)
    engine.apply(Shock.salience("a2", "d0", 90.0, reason="attack on its troops"))
    row = engine.salience[2]
    assert row[0] == pytest.approx(90.0)
    assert row.sum() == pytest.approx(100.0)
    untouched = engine.salience[3]
    assert untouched.sum() < 100.0  # other actors unchanged (80 in the fixture)


def test_salience_shock_within_budget_leaves_others(make_engine) -> None:
    engine = make_engine(n=5, dims=3)
    before = engine.salience[2].copy()
    engine.apply(Shock.salience("a2", "d1", 0.5, mode=ShockMode.SCALE))
    after = engine.salience[2]
    assert after[1] == pytest.approx(before[1] / 2)
    assert after[[0, 2]] == pytest.approx(before[[0, 2]])


def test_capability_shock_changes_the_outcome(make_engine) -> None:
    plain = make_engine(seed=4)
    plain.run()
    shocked = make_engine(seed=4)
    shocked.apply(Shock.capability("a0", 20.0, mode=ShockMode.SCALE, reason="new coalition"))
    shocked.run()
    assert shocked.capability[0] == pytest.approx(20.0 * plain.capability[0])
    gap = max(abs(shocked.forecast()[d] - plain.forecast()[d]) for d in plain.dimensions)
    assert gap > 0.5
    power = shocked.history.effective_power.query("round == 0 and actor == 'a0'")
    assert power["capability"].iloc[0] == pytest.approx(shocked.capability[0])


def test_shock_restarts_convergence_tracking(make_engine) -> None:
    engine = make_engine(seed=2)
    engine.run()
    assert engine.converged
    settled = engine.turn
    engine.apply(Shock.position("a0", "d0", 0.0, reason="reversal"))
    assert not engine.converged
    engine.run()
    assert engine.turn >= settled + 2
    assert engine.converged


def test_converged_engine_still_steps_when_asked(make_engine) -> None:
    engine = make_engine(seed=2)
    engine.run()
    turn = engine.turn
    record = engine.step()
    assert record.round == turn + 1 == engine.turn


def test_bad_shocks_are_refused(make_engine) -> None:
    engine = make_engine()
    with pytest.raises(KeyError, match="unknown actor"):
        engine.apply(Shock.capability("zz", 1.0))
    with pytest.raises(KeyError, match="unknown dimension"):
        engine.apply(Shock.position("a0", "zz", 1.0))
    with pytest.raises(ValueError, match="needs a dimension"):
        Shock(ShockKind.SALIENCE, "a0", 1.0)
    with pytest.raises(ValueError, match="not to a dimension"):
        Shock(ShockKind.CAPABILITY, "a0", 1.0, dimension="d0")
    with pytest.raises(ValueError, match="scale factor"):
        Shock.capability("a0", -1.0, mode=ShockMode.SCALE)
    assert engine.history.shocks.empty


def test_shocks_keep_state_valid(make_engine) -> None:
    engine = make_engine(n=6, dims=2, seed=9)
    rng = np.random.default_rng(9)
    for _ in range(10):
        actor = f"a{rng.integers(6)}"
        engine.apply(Shock.salience(actor, "d1", float(rng.uniform(0, 100))))
        engine.apply(Shock.position(actor, "d0", float(rng.uniform(-50, 50)), mode=ShockMode.ADD))
        engine.step()
    assert (engine.salience.sum(axis=1) <= 100.0 + 1e-9).all()
    assert ((engine.positions >= 0.0) & (engine.positions <= 100.0)).all()
    assert len(engine.history.shocks) == 20
