"""Details of the model's components that the full mutation run found untested (docs/testing.md).

Each test feeds one component hand-set inputs (a toy Strip where the geometry matters) and
checks a value derived in the comments, or a property that a plausible one-line bug breaks: the
ceasefire's week-long strain window and its state before the first day, the IDF's southern
fallback zone and the force's staging ground, the yellow line's convention at a cell centre on
the line, re-entry before any violence, the line's version counter and cache, aid through rows
of one land cell, the reconstruction share, event shocks that set, a decision's funding factor,
a contributor's patience and casualties, and the political decisions table.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import mesa
import numpy as np
import pytest

from sim.bargaining import ShockMode
from sim.ground.geometry import StripGeometry
from sim.model.aid import AidSystem, Reconstruction
from sim.model.ceasefire import Ceasefire, CeasefireStatus, Conditions
from sim.model.events import EventSchedule, to_shock
from sim.model.forces import Contingent
from sim.model.politics import Politics, PositionSnapshot, WeekEvents, positions_frame
from sim.model.territory import Territory
from sim.scenario.effects import EffectsSpec
from sim.scenario.events import Decision
from sim.scenario.schema import Scenario
from tests.model.conftest import shipped

EFFECTS = EffectsSpec()
SHARE_AT_WAR = shipped("base.yaml").idf.held_share_at_war.value


def _with(effects: EffectsSpec, **values: float) -> EffectsSpec:
    """A copy of ``effects`` with new values for some sourced parameters."""
    update = {
        name: getattr(effects, name).model_copy(update={"value": v}) for name, v in values.items()
    }
    return effects.model_copy(update=update)


# -- the ceasefire ------------------------------------------------------------------------------


def test_a_new_ceasefire_holds_with_no_hazard_yet() -> None:
    # what the model reports before the first day's update
    ceasefire = Ceasefire(EFFECTS, np.random.default_rng(0))
    assert ceasefire.status is CeasefireStatus.HOLDING and not ceasefire.collapsed
    assert (ceasefire.hazard, ceasefire.strain, ceasefire.cumulative_hazard) == (0.0, 0.0, 0.0)
    assert ceasefire.collapse_day is None and ceasefire.collapse_reason == ""


def test_strain_is_the_mean_of_the_last_seven_days_only() -> None:
    ceasefire = Ceasefire(EFFECTS, np.random.default_rng(0))
    ceasefire._threshold = float("inf")  # never collapse: only the strain is under test
    threshold = EFFECTS.incidents_per_day_strain.value
    heavy = Conditions(cover=0.0, guarantor=0.0, compliance=0.0, violence=2.0 * threshold)
    calm = Conditions(cover=0.0, guarantor=0.0, compliance=0.0, violence=0.0)
    for day in range(7):
        ceasefire.update(day, heavy)
    assert ceasefire.strain == pytest.approx(2.0)
    for day in range(7, 10):
        ceasefire.update(day, calm)
    # the window holds 4 heavy days and 3 calm ones: 4 x 2 / 7 (all ten days would give 1.4)
    assert ceasefire.strain == pytest.approx(8 / 7)
    for day in range(10, 14):
        ceasefire.update(day, calm)
    # a calm week forgets the violent one (all fourteen days would give 1.0, "strained")
    assert ceasefire.strain == 0.0 and ceasefire.status is CeasefireStatus.HOLDING


# -- the IDF's line and the force's sectors -----------------------------------------------------


def _territory(name: str = "base.yaml", effects: EffectsSpec | None = None) -> Territory:
    scenario = shipped(name)
    geometry = StripGeometry.from_spec(scenario.ground)
    return Territory(
        scenario.idf, scenario.forces.deployment, effects or scenario.effects, geometry
    )


def test_the_southern_fallback_zone_is_held_until_the_force_takes_it() -> None:
    fallback = _territory("hamas-rejects-southern-fallback.yaml")  # fallback zone: Rafah
    plain = _territory()  # the same line (0.55), no fallback zone
    geometry = fallback.geometry
    rafah = geometry.governorate_ids.index("rafah")
    in_rafah = geometry.land & (geometry.governorate == rafah)
    assert fallback.fallback == rafah and plain.fallback is None
    # all of Rafah is the IDF's, the rest of the Strip only east of the line
    assert fallback.idf_held[in_rafah].all()
    assert not plain.idf_held[in_rafah].all()
    np.testing.assert_array_equal(fallback.idf_held[~in_rafah], plain.idf_held[~in_rafah])
    assert fallback.line_version == 0
    # the force takes Rafah (first in the order): the zone goes with it, the line stays put
    assert fallback.sectors.order[0] == rafah
    fallback.sectors.taken = 1
    fallback.update_line(1, 0.0, 0.0, False, 0.0)
    assert fallback.held_share == pytest.approx(0.55)
    np.testing.assert_array_equal(fallback.idf_held, plain.idf_held)
    assert fallback.line_version == 1  # one change of the held cells


def test_an_unknown_fallback_governorate_gives_no_zone() -> None:
    scenario = shipped("hamas-rejects-southern-fallback.yaml")
    idf = scenario.idf.model_copy(update={"fallback_governorate": "atlantis"})
    geometry = StripGeometry.from_spec(scenario.ground)
    territory = Territory(idf, scenario.forces.deployment, scenario.effects, geometry)
    assert territory.fallback is None
    np.testing.assert_array_equal(territory.idf_held, _territory().idf_held)


def test_troops_stage_in_the_idf_held_part_of_the_entry_sector() -> None:
    territory = _territory()  # entry: Rafah
    geometry = territory.geometry
    rafah = geometry.governorate == geometry.governorate_ids.index("rafah")
    staging = territory.staging()
    np.testing.assert_array_equal(staging, territory.idf_held & rafah)
    assert staging.sum() > 0 and not staging[~rafah].any()


def _toy_territory(held_share: float) -> Territory:
    """One row of four land cells at 1/8, 3/8, 5/8 and 7/8 of the way across, one sector."""
    scenario = shipped("base.yaml")
    geometry: Any = SimpleNamespace(
        shape=(1, 4),
        land=np.ones((1, 4), dtype=bool),
        across_fraction=np.array([[0.125, 0.375, 0.625, 0.875]]),
        governorate=np.zeros((1, 4), dtype=np.int64),
        governorate_ids=("rafah",),
    )
    idf = scenario.idf.model_copy(
        update={"held_share": scenario.idf.held_share.model_copy(update={"value": held_share})}
    )
    return Territory(idf, scenario.forces.deployment, scenario.effects, geometry)


def test_a_cell_centred_on_the_line_is_the_idfs() -> None:
    # held: across >= 1 - share, the convention of StripGeometry.east_of_line; at a share of
    # 0.375 the line runs through the third cell's centre (1 - 0.375 = 0.625, exact in binary)
    assert _toy_territory(0.375).idf_held.tolist() == [[False, False, True, True]]
    assert _toy_territory(0.3).idf_held.tolist() == [[False, False, False, True]]


def test_the_line_can_move_from_the_first_days_without_a_violent_week() -> None:
    # all five sectors handed over on day 0, handover after 1 day, everything decommissioned:
    # on day 1 the line goes to the perimeter (0.15); nothing has triggered a re-entry
    territory = _territory(effects=_with(EFFECTS, handover_days=1))
    territory.sectors.taken, territory.sectors.taken_days = 5, [0, 0, 0, 0, 0]
    territory.update_line(1, 1.0, 0.0, False, 1.0)
    assert territory.held_share == pytest.approx(0.15)


def test_an_unchanged_line_is_not_recomputed() -> None:
    territory = _territory()
    calls: list[float] = []
    held_cells = territory._held_cells

    def counted(share: float) -> Any:
        calls.append(share)
        return held_cells(share)

    territory._held_cells = counted  # type: ignore[method-assign]
    territory.update_line(0, 0.0, 0.0, False, 0.0)  # the same share, no sector taken
    assert calls == [] and territory.line_version == 0
    territory.update_line(1, 0.0, 0.0, True, 0.0)  # a collapse moves the line: recomputed
    assert calls == [pytest.approx(SHARE_AT_WAR)] and territory.line_version == 1


# -- aid and reconstruction ---------------------------------------------------------------------


def test_a_row_of_one_land_cell_counts_as_a_whole_row_of_risk() -> None:
    # rows 0 and 1 have one land cell each, row 2 two; the crossing is in row 2; nothing secure
    geometry: Any = SimpleNamespace(
        shape=(3, 2),
        land=np.array([[True, False], [True, False], [True, True]]),
        crossing_cells={"kerem_shalom": (2, 1)},
    )
    aid = shipped("base.yaml").aid.model_copy(update={"crossings_open": ["kerem_shalom"]})
    system = AidSystem(aid, EffectsSpec(), geometry)
    share = system.arrival_share(np.zeros((3, 2), dtype=bool), 0.1)
    # each row is wholly insecure (1/1, 1/1, 2/2): row r crosses rows r..2, 0.9 ** (3 - r)
    assert share == pytest.approx([0.9**3, 0.9**2, 0.9])


def _toy_reconstruction(fallback_zone: bool) -> tuple[Reconstruction, Any, np.ndarray]:
    """Four cells of 1 km2 (the last one sea); the third in governorate 0, the others in 1."""
    scenario = shipped("base.yaml")
    spec = scenario.reconstruction
    spec = spec.model_copy(
        update={
            # 19 million USD a day at full price: 365 x 19 a year
            "funding_musd_per_year": spec.funding_musd_per_year.model_copy(
                update={"value": 365 * 19.0}
            ),
            "cost_musd_per_km2": spec.cost_musd_per_km2.model_copy(update={"value": 190.0}),
        }
    )
    geometry: Any = SimpleNamespace(
        land=np.array([[True, True, True, False]]),
        governorate=np.array([[1, 1, 0, -1]]),
        cell_area_km2=1.0,
    )
    damage = np.array([[1.0, 0.6, 0.4, 0.0]])  # 2.0 cells' worth of damage in all
    return Reconstruction(spec, EFFECTS, fallback_zone, geometry, damage), geometry, damage


def test_reconstruction_repairs_the_secure_cells_by_hand() -> None:
    rebuild, _, damage = _toy_reconstruction(fallback_zone=False)
    territory: Any = SimpleNamespace(fallback=None, idf_held=np.zeros((1, 4), dtype=bool))
    secure_days = np.array([[60.0, 60.0, 59.0, 100.0]])  # the start needs 60 secure days
    # support 0.5: governance factor 0.5 + (1.5 - 0.5) x 0.5 = 1; budget 365 x 19 / 365 = 19
    # a day, 19 / 190 = 0.1 of a cell repaired, split 1.0 : 0.6 among the two eligible cells
    share, repair = rebuild.step(secure_days, territory, damage, 0.5)
    np.testing.assert_allclose(repair, [[0.0625, 0.0375, 0.0, 0.0]])
    assert share == pytest.approx(0.1 / 2.0)  # of the initial 2.0
    share, _ = rebuild.step(secure_days, territory, damage, 0.5)
    assert share == pytest.approx(0.2 / 2.0)  # repairs add up


def test_the_southern_zone_counts_as_secure_for_rebuilding() -> None:
    territory: Any = SimpleNamespace(fallback=0, idf_held=np.array([[False, False, True, True]]))
    never_secure = np.zeros((1, 4))
    with_zone, _, _ = _toy_reconstruction(fallback_zone=True)
    without, _, _ = _toy_reconstruction(fallback_zone=False)
    # the zone: the IDF-held land of governorate 0, the third cell (the fourth is sea)
    assert with_zone.eligible(never_secure, territory).tolist() == [[False, False, True, False]]
    assert not without.eligible(never_secure, territory).any()


# -- dated events -------------------------------------------------------------------------------


def test_an_event_shock_can_set_a_position() -> None:
    events = {e.id: e for e in shipped("as-reported-2026.yaml").events}
    spec = events["israel_ultimatum"].shocks[0].model_copy(update={"mode": "set"})
    assert to_shock(spec, "israel_ultimatum").mode is ShockMode.SET


def test_a_decision_scales_the_reconstruction_budget_from_its_day() -> None:
    scenario: Scenario = shipped("board-of-peace-technocratic.yaml")
    schedule = EventSchedule(scenario.events)
    meeting = next(e for e in scenario.events if e.id == "board_of_peace_first_meeting")
    assert isinstance(meeting, Decision)
    assert schedule.funding_factor == 1.0  # no decision yet: the budget as declared
    schedule.fire(meeting.day.value - 1)
    assert schedule.funding_factor == 1.0
    schedule.fire(meeting.day.value)
    assert schedule.funding_factor == pytest.approx(2.0)  # the meeting doubles it


# -- contributors -------------------------------------------------------------------------------


def _deployed_indonesia() -> Contingent:
    spec = shipped("as-reported-2026.yaml").forces.contributors["indonesia"]  # arrives day 180
    contingent = Contingent(mesa.Model(), "indonesia", spec)
    for day in range(200):
        contingent.advance(day)
    return contingent


def test_a_new_contingent_has_no_hold_and_no_withdrawal() -> None:
    spec = shipped("as-reported-2026.yaml").forces.contributors["indonesia"]
    contingent = Contingent(mesa.Model(), "indonesia", spec)
    assert contingent.holding is False and contingent.blocked is False
    assert contingent.hold_reason == "" and contingent.withdrawal_reason == ""
    assert contingent.failing_days == 0 and contingent.strength(0, 30) == 0.0


def test_patience_counts_weeks_of_failure_from_zero() -> None:
    # each failed weekly review adds 7 days; with a patience of 8 days the first review (7 < 8)
    # holds and the second (14 >= 8) withdraws
    contingent = _deployed_indonesia()
    contingent.review(200, "no US lead", "", 8)
    assert contingent.failing_days == 7 and not contingent.withdrawn
    assert contingent.holding and contingent.hold_reason == "no US lead"
    contingent.review(207, "no US lead", "", 8)
    assert contingent.withdrawn and contingent.leaving_since == 207


def test_deaths_add_up_over_attacks() -> None:
    contingent = _deployed_indonesia()  # as reported: casualty tolerance 20, commitment 0.6
    contingent.absorb_casualties(3.0)
    contingent.absorb_casualties(2.0)
    assert contingent.deaths == 5.0
    assert contingent.commitment == pytest.approx(0.6 - 5 / 20)


# -- the political layer's tables ---------------------------------------------------------------


def test_decisions_table_has_a_row_per_round_and_dimension() -> None:
    politics = Politics(shipped("base.yaml"), np.random.default_rng(1))
    politics.play_round(7, WeekEvents())
    table = politics.decisions_table()
    assert list(table.columns) == [
        "day", "round", "dimension", "deal", "implemented", "bargained", "status_quo", "state",
        "reason", "vetoed_by",
    ]  # fmt: skip
    assert len(table) == 2 * 5  # the starting state and one round, five dimensions
    last = table[table["day"] == 7].set_index("dimension")
    for dim, decision in politics.engine.decisions().items():  # the round's decisions
        row = last.loc[dim]
        assert (bool(row["deal"]), row["implemented"], row["bargained"]) == (
            decision.deal, decision.outcome, decision.bargained,
        )  # fmt: skip
        assert (row["state"], row["reason"], row["vetoed_by"]) == (
            decision.state, decision.reason, ",".join(decision.vetoed_by),
        )  # fmt: skip
        assert row["status_quo"] == decision.status_quo or np.isnan(decision.status_quo)
    # two holders withholding consent are listed with a comma between them
    snapshot = politics._snapshots[-1]
    both = replace(snapshot.decisions[0], vetoed_by=("hamas", "israel"))
    politics._snapshots.append(replace(snapshot, day=14, decisions=(both,)))
    assert politics.decisions_table()["vetoed_by"].iloc[-1] == "hamas,israel"


def test_a_snapshot_is_its_own_positions_table() -> None:
    politics = Politics(shipped("base.yaml"), np.random.default_rng(1))
    snapshot: PositionSnapshot = politics._snapshots[0]
    frame = snapshot.frame()
    # one row per actor and dimension of the starting state
    assert len(frame) == len(snapshot.actors) * len(snapshot.dimensions)
    assert frame.equals(positions_frame([snapshot]))
    assert frame.equals(politics.positions_table())
