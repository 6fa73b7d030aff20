"""The political layer alone, with mock ground events (docs/interface-politics-ground.md)."""

from __future__ import annotations

import numpy as np
import pytest

from sim.bargaining import Shock, ShockMode
from sim.model.politics import Levers, Politics, WeekEvents
from sim.scenario.loader import SCENARIOS_DIR, load_scenario

DIMENSIONS = {
    "hamas_disarmament",
    "mandate_robustness",
    "turkish_participation",
    "idf_withdrawal",
    "palestinian_governance",
}


def politics(name: str = "base.yaml", seed: int = 1) -> Politics:
    return Politics(load_scenario(SCENARIOS_DIR / name), np.random.default_rng(seed))


def play(p: Politics, weeks: int, **events: object) -> Levers:
    levers = p.levers
    for week in range(1, weeks + 1):
        levers = p.play_round(7 * week, WeekEvents(**events))  # type: ignore[arg-type]
    return levers


def test_levers_carry_a_decision_per_dimension() -> None:
    p = politics()
    levers = play(p, 4)
    assert set(levers.dimensions) == DIMENSIONS
    for dim, state in levers.dimensions.items():
        assert state.dimension == dim
        if state.deal:
            assert state.reason == "" and not state.vetoed_by
        else:
            assert state.outcome == state.status_quo
            assert state.reason.startswith(f"no deal: status quo {state.status_quo:g} (")
            assert state.vetoed_by and levers.branches[dim] != "deal"


def test_withdrawal_is_what_israel_consents_to() -> None:
    p = politics()
    levers = play(p, 3)
    state = levers.dimensions["idf_withdrawal"]
    assert not state.deal and state.vetoed_by == ("israel",)
    assert levers.withdrawal_will == 0.0  # the status quo: the IDF on the yellow line
    # Verified decommissioning raises Israel's ceiling (linked commitment): now it consents.
    levers = play(p, 3, decommissioned_total_share=1.0)
    state = levers.dimensions["idf_withdrawal"]
    assert state.deal
    assert levers.withdrawal_will == pytest.approx(state.outcome / 100.0)
    assert levers.withdrawal_will > 0.27


def test_partial_hamas_stays_partial_unless_a_shock_moves_its_line() -> None:
    p = politics()
    levers = play(p, 12)
    assert levers.hamas_compliance <= 0.15 + 0.2 * 0.6  # its line plus what the links allow
    assert not levers.dimensions["hamas_disarmament"].deal
    before = levers.hamas_compliance
    moved = [
        Shock.red_line("hamas", "hamas_disarmament", 80.0, reason="amnesty deal"),
        Shock.position("hamas", "hamas_disarmament", 70.0, mode=ShockMode.SET, reason="deal"),
    ]
    levers = p.play_round(7 * 13, WeekEvents(shocks=moved))
    assert levers.hamas_compliance > before + 0.3


def test_mandate_lever_follows_the_decision() -> None:
    p = politics()
    levers = play(p, 6)
    mandate = levers.dimensions["mandate_robustness"]
    assert levers.mandate_level == pytest.approx(mandate.outcome / 100.0)
    assert levers.mandate_robust == (mandate.deal and mandate.outcome >= p.threshold)


def test_replications_draw_different_politics() -> None:
    finals = []
    for seed in range(4):
        p = politics(seed=seed)
        play(p, 8)
        finals.append(p.engine.forecast()["palestinian_governance"])
    assert len(set(np.round(finals, 6))) > 1
    assert politics(seed=3).draws is not None


def test_positions_table_is_tidy() -> None:
    p = politics("hamas-accepts-turkey-included.yaml")
    play(p, 5)
    table = p.positions_table()
    assert list(table.columns) == [
        "day", "round", "actor", "dimension", "position", "deal", "state", "implemented",
    ]  # fmt: skip
    assert len(table) == 6 * len(p.engine.actors) * len(DIMENSIONS)
    assert sorted(table["day"].unique()) == [0, 7, 14, 21, 28, 35]
    last = table.query("day == 35 and actor == 'hamas'").set_index("dimension")
    assert last.loc["hamas_disarmament", "deal"] == p.levers.dimensions["hamas_disarmament"].deal
    decisions = p.decisions_table()
    assert set(decisions["dimension"]) == DIMENSIONS and len(decisions) == 6 * len(DIMENSIONS)


def test_outcome_record_never_shows_a_blocked_dimension_as_a_number() -> None:
    p = politics()
    play(p, 2)
    record = p.outcome_record()
    assert record["deal_idf_withdrawal"] is False
    assert np.isnan(record["forecast_idf_withdrawal"])
    assert record["deal_palestinian_governance"] is True
    assert 0.0 <= record["forecast_palestinian_governance"] <= 100.0
    assert np.isnan(p.log[-1]["forecast_idf_withdrawal"]) and not p.log[-1]["deal_idf_withdrawal"]
