"""Vetoes bound every round's bargains and the outcome; empty intersections take a named branch."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from bargaining_helpers import small_spec_data

from sim.bargaining import BOUNDED, OPEN, BargainingEngine, VetoShock
from sim.scenario.bargaining import BargainingSpec


def engine_for(vetoes: tuple[str, ...] = (), lifted: tuple[str, ...] = ()) -> BargainingEngine:
    spec = BargainingSpec.model_validate(small_spec_data(vetoes, lifted))
    return BargainingEngine.from_spec(spec, rng=np.random.default_rng(0))


def bargained_positions(engine: BargainingEngine, dimension: str) -> pd.DataFrame:
    """Positions on ``dimension`` of actors that took a bargain, in the round they took it."""
    history = engine.history
    took = history.moves.query("role != 'none'")[["round", "actor"]]
    positions = history.positions.query("dimension == @dimension")
    return took.merge(positions, on=["round", "actor"])


def test_unconstrained_run_leaves_the_bounds(tmp_path) -> None:
    # Precondition for the tests below: without vetoes, bargains go outside the intervals.
    engine = engine_for()
    engine.run()
    mandate = bargained_positions(engine, "mandate")["position"]
    assert (mandate > 60.0).any()
    assert engine.branches == {"troops": OPEN, "mandate": OPEN}


def test_bargains_stay_inside_the_intersection_in_every_round() -> None:
    engine = engine_for(("russia_mandate", "us_mandate"))
    engine.run()
    took = bargained_positions(engine, "mandate")
    assert len(took) > 0
    assert took["position"].between(50.0, 60.0).all()
    forecasts = engine.history.forecast.query("dimension == 'mandate'")
    assert forecasts["forecast"].between(50.0, 60.0).all()
    assert engine.branches["mandate"] == BOUNDED
    assert "russia accepts [0, 60]" in engine.branch_reasons["mandate"]


def test_empty_intersection_takes_the_named_branch() -> None:
    engine = engine_for(("israel_troops", "turkey_floor"))
    engine.run()
    assert engine.branches["troops"] == "no_turkish_contingent"
    assert engine.forecast()["troops"] == 0.0
    assert "no outcome acceptable" in engine.branch_reasons["troops"]
    # The unconstrained capability-weighted mean is still recorded beside the branch outcome.
    last = engine.history.forecast.query("dimension == 'troops'").iloc[-1]
    assert last["unconstrained"] > 0.0


def test_unenforced_veto_does_not_bind() -> None:
    engine = engine_for(("israel_troops", "turkey_floor"), lifted=("israel_troops",))
    engine.run()
    assert engine.branches["troops"] == BOUNDED
    took = bargained_positions(engine, "troops")
    assert took["position"].between(40.0, 100.0).all()
    assert 40.0 <= engine.forecast()["troops"] <= 100.0


def test_lifting_a_veto_between_rounds_changes_the_branch_and_is_recorded() -> None:
    engine = engine_for(("israel_troops", "turkey_floor"))
    for _ in range(3):
        engine.step()
    assert engine.branches["troops"] == "no_turkish_contingent"
    engine.apply(VetoShock("israel_troops", enforced=False, reason="US pressure"))
    assert engine.branches["troops"] == BOUNDED
    engine.run()
    branches = engine.history.branches.query("dimension == 'troops'")
    assert list(branches["branch"]) == ["no_turkish_contingent", BOUNDED]
    assert list(branches["round"]) == [0, 3]
    shocks = engine.history.shocks
    assert shocks.iloc[0][["round", "kind", "target", "reason"]].tolist() == [
        3,
        "veto",
        "israel_troops",
        "US pressure",
    ]
    later = bargained_positions(engine, "troops").query("round > 3")
    assert later["position"].between(40.0, 100.0).all()


def test_unknown_veto_in_shock() -> None:
    engine = engine_for(("israel_troops",))
    with pytest.raises(KeyError, match="unknown veto"):
        engine.apply(VetoShock("nope", enforced=False))


def test_in_a_blocked_dimension_holders_stay_inside_their_own_intervals() -> None:
    engine = engine_for(("israel_troops", "turkey_floor"))
    engine.run()
    took = bargained_positions(engine, "troops")
    israel = took.query("actor == 'israel'")["position"]
    turkey = took.query("actor == 'turkey'")["position"]
    assert israel.between(0.0, 20.0).all()
    assert turkey.between(40.0, 100.0).all()
    others = took.query("actor not in ['israel', 'turkey']")["position"]
    assert len(israel) + len(turkey) > 0 and len(others) > 0
    # Non-holders are not confined to either interval.
    assert (others > 20.0).any() or (others < 40.0).any()
