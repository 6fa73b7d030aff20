"""Decision rules: a veto blocks (reversion to the status quo) and never clips a proposal."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from bargaining_helpers import SMALL_ACTORS, SMALL_DECISIONS, small_spec_data

from sim.bargaining import (
    DEAL,
    BargainingEngine,
    Link,
    RedLine,
    Reversion,
    Shock,
    ShockMode,
    Veto,
    VetoShock,
)
from sim.scenario.bargaining import BargainingSpec


def engine_for(vetoes: tuple[str, ...] = (), lifted: tuple[str, ...] = ()) -> BargainingEngine:
    spec = BargainingSpec.model_validate(small_spec_data(vetoes, lifted))
    return BargainingEngine.from_spec(spec, rng=np.random.default_rng(0))


def small_engine(**kwargs: object) -> BargainingEngine:
    """The small table built directly, with engine keyword arguments (vetoes, red lines...)."""
    actors = list(SMALL_ACTORS)
    dims = ["troops", "mandate"]
    cap = [SMALL_ACTORS[a][0] for a in actors]
    pos = [[SMALL_ACTORS[a][1][d][0] for d in dims] for a in actors]
    sal = [[SMALL_ACTORS[a][1][d][1] for d in dims] for a in actors]
    reversions = {d: Reversion(sq, state) for d, (state, sq) in SMALL_DECISIONS.items()}
    return BargainingEngine(
        actors,
        dims,
        cap,
        pos,
        sal,
        reversions=reversions,
        **kwargs,  # type: ignore[arg-type]
    )


def bargained_positions(engine: BargainingEngine, dimension: str) -> pd.DataFrame:
    """Positions on ``dimension`` of actors that took a bargain, in the round they took it."""
    history = engine.history
    took = history.moves.query("role != 'none'")[["round", "actor"]]
    positions = history.positions.query("dimension == @dimension")
    return took.merge(positions, on=["round", "actor"])


def test_no_proposal_is_clipped_when_the_outcome_lies_inside_every_veto_interval() -> None:
    free = small_engine()
    free.run()
    outcome = free.forecast()["mandate"]
    proposals = bargained_positions(free, "mandate")["position"]
    low, high = outcome - 3.0, outcome + 3.0
    # Precondition: proposals leave the interval, so the old clipping would have moved them.
    assert ((proposals < low) | (proposals > high)).any()
    vetoes = {
        "a": Veto("a", "us", "mandate", low, 100.0),
        "b": Veto("b", "russia", "mandate", 0.0, high),
    }
    vetoed = small_engine(vetoes=vetoes)
    vetoed.run()
    pd.testing.assert_frame_equal(vetoed.history.positions, free.history.positions)
    assert vetoed.forecast() == free.forecast()
    decision = vetoed.decisions()["mandate"]
    assert decision.deal and decision.state == DEAL and decision.reason == ""


def test_a_blocked_dimension_reverts_to_its_declared_status_quo() -> None:
    engine = engine_for(("israel_troops", "turkey_floor"))
    engine.run()
    decision = engine.decisions()["troops"]
    assert not decision.deal
    assert decision.outcome == SMALL_DECISIONS["troops"][1] == engine.forecast()["troops"]
    assert engine.branches["troops"] == "no_turkish_contingent"
    assert decision.label().startswith("no deal: status quo 7 (")
    assert decision.vetoed_by  # who withheld consent is named
    assert all(h in decision.reason for h in decision.vetoed_by)
    last = engine.history.forecast.query("dimension == 'troops'").iloc[-1]
    assert np.isnan(last["forecast"]) and not last["deal"]
    assert last["implemented"] == 7.0 and last["unconstrained"] == decision.bargained


def test_an_outcome_outside_one_range_is_blocked_even_if_the_ranges_overlap() -> None:
    free = small_engine()
    free.run()
    outcome = free.forecast()["mandate"]
    vetoes = {"r": Veto("r", "russia", "mandate", 0.0, outcome - 5.0, reason="abstains")}
    engine = small_engine(vetoes=vetoes)
    engine.run()
    decision = engine.decisions()["mandate"]
    assert not decision.deal and decision.vetoed_by == ("russia",)
    assert decision.outcome == 3.0
    # The veto did not move anybody: the bargaining is the free one.
    assert decision.bargained == pytest.approx(outcome)


def test_unenforced_veto_does_not_bind() -> None:
    engine = engine_for(("israel_troops", "turkey_floor"), lifted=("israel_troops",))
    engine.run()
    decision = engine.decisions()["troops"]
    assert decision.vetoed_by != ("israel",)
    if decision.deal:
        assert 40.0 <= decision.outcome <= 100.0


def test_lifting_a_veto_between_rounds_is_recorded() -> None:
    engine = engine_for(("israel_troops",))
    for _ in range(3):
        engine.step()
    assert engine.branches["troops"] == "no_turkish_contingent"
    engine.apply(VetoShock("israel_troops", enforced=False, reason="US pressure"))
    assert engine.branches["troops"] == DEAL
    engine.run()
    branches = engine.history.branches.query("dimension == 'troops'")
    assert list(branches["branch"]) == ["no_turkish_contingent", DEAL]
    assert list(branches["round"]) == [0, 3]
    shocks = engine.history.shocks
    assert shocks.iloc[0][["round", "kind", "target", "reason"]].tolist() == [
        3,
        "veto",
        "israel_troops",
        "US pressure",
    ]


def test_unknown_veto_in_shock() -> None:
    engine = engine_for(("israel_troops",))
    with pytest.raises(KeyError, match="unknown veto"):
        engine.apply(VetoShock("nope", enforced=False))


def test_a_veto_needs_a_reversion_point() -> None:
    with pytest.raises(ValueError, match="needs a Reversion"):
        BargainingEngine(
            ["a", "b"], ["d"], [1.0, 1.0], [[0.0], [100.0]], [[50.0], [50.0]],
            vetoes={"v": Veto("v", "a", "d", 0.0, 10.0)},
        )  # fmt: skip


def test_a_red_line_holds_the_actors_own_position_and_nobody_elses() -> None:
    free = small_engine()
    free.run()
    turkey = free.actors.index("turkey")
    assert free.positions[turkey, 0] < 80.0  # precondition: Turkey drifts on troops
    held = small_engine(red_lines=[RedLine("turkey", "troops", low=80.0)])
    held.run()
    troops = held.history.positions.query("dimension == 'troops'")
    assert troops.query("actor == 'turkey'")["position"].min() >= 80.0
    others = troops.query("actor != 'turkey'")["position"]
    assert (others < 80.0).any()
    # Turkey holding out moves the others' bargains: the run differs from the free one.
    assert held.forecast()["troops"] != free.forecast()["troops"]


def test_only_a_shock_moves_a_red_line() -> None:
    engine = small_engine(red_lines=[RedLine("israel", "troops", high=10.0)])
    engine.run()
    israel = engine.actors.index("israel")
    assert engine.positions[israel, 0] <= 10.0
    engine.apply(Shock.red_line("israel", "troops", 40.0, mode=ShockMode.SET, reason="deal"))
    assert engine.book.red_line_range("israel", "troops") == (0.0, 40.0)
    engine.apply(Shock.position("israel", "troops", 55.0, reason="new government"))
    assert engine.book.red_line_range("israel", "troops") == (0.0, 55.0)
    assert engine.history.shocks["kind"].tolist() == ["red_line", "position"]


def test_a_linked_range_follows_a_ground_report() -> None:
    free = small_engine()
    free.run()
    outcome = free.forecast()["troops"]
    link = Link("decommissioned_total_share", "high", 1.0)
    veto = Veto("i", "israel", "troops", 0.0, outcome - 20.0, links=(link,))
    engine = small_engine(vetoes={"i": veto})
    engine.run()
    assert not engine.decisions()["troops"].deal
    engine.set_reports({"decommissioned_total_share": 0.5})  # +50 points on the ceiling
    assert engine.decisions()["troops"].deal
    assert engine.forecast()["troops"] == pytest.approx(outcome)


def test_a_linked_range_follows_another_dimensions_implemented_outcome() -> None:
    free = small_engine()
    free.run()
    troops = free.forecast()["troops"]
    mandate = free.forecast()["mandate"]
    # Israel accepts troops only up to (troops - 10) plus 0.5 x the implemented mandate.
    link = Link("mandate", "high", 0.5)
    veto = Veto("i", "israel", "troops", 0.0, troops - 10.0, links=(link,))
    engine = small_engine(vetoes={"i": veto})
    engine.run()
    assert engine.decisions()["troops"].deal == (troops <= troops - 10.0 + 0.5 * mandate)
    # Blocking the mandate (status quo 3) removes the link's room: no deal on troops.
    blocker = Veto("m", "russia", "mandate", 0.0, 1.0)
    blocked = small_engine(vetoes={"i": veto, "m": blocker})
    blocked.run()
    assert not blocked.decisions()["mandate"].deal
    assert not blocked.decisions()["troops"].deal
