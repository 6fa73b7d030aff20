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

from dataclasses import asdict, dataclass, replace
from types import SimpleNamespace
from typing import Any

import mesa
import numpy as np
import pandas as pd
import pytest

from sim.bargaining import Shock, ShockMode
from sim.bargaining.vetoes import Decision as Verdict
from sim.ground.geometry import StripGeometry
from sim.model.aid import AidSystem, Reconstruction
from sim.model.ceasefire import Ceasefire, CeasefireStatus, Conditions, force_cover
from sim.model.events import EventSchedule, to_shock
from sim.model.forces import ConditionContext, Contingent, PoliceService, failed_condition
from sim.model.politics import (
    POSITION_COLUMNS,
    DimensionState,
    Levers,
    Politics,
    PositionSnapshot,
    WeekEvents,
    _plain,
    positions_frame,
    positions_of_result,
)
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


def test_delivered_trucks_are_the_trucks_times_the_share_that_arrives() -> None:
    # a toy strip of five rows of two cells, 100 residents each, crossing in the last row,
    # nothing secure: row r arrives with 0.98 ** (5 - r) (base seizure probability 0.02)
    geometry: Any = SimpleNamespace(
        shape=(5, 2), land=np.ones((5, 2), dtype=bool), crossing_cells={"kerem_shalom": (4, 1)}
    )
    aid = shipped("base.yaml").aid.model_copy(update={"crossings_open": ["kerem_shalom"]})
    system = AidSystem(aid, EFFECTS, geometry)
    delivered: list[np.ndarray] = []
    ground: Any = SimpleNamespace(
        view=lambda: SimpleNamespace(population=np.full((5, 2), 100.0)),
        deliver_aid=delivered.append,
    )
    secure = np.zeros((5, 2), dtype=bool)
    reached = sum(0.98**k for k in range(1, 6)) / 5  # equal residents in every row
    out = system.deliver(0, ground, secure, troops=0.0, collapsed=False)
    assert out["delivered_trucks"] == pytest.approx(170 * reached)  # 170 trucks a day
    assert out["delivered_share"] == pytest.approx(170 * reached / 600)  # need: 600 a day
    # rations in person-days: 170 / 600 of a day's need per resident, times the row's arrival
    np.testing.assert_allclose(delivered[0][0], 170 / 600 * 100 * 0.98**5)
    collapsed = system.deliver(0, ground, secure, troops=0.0, collapsed=True)
    assert collapsed["delivered_trucks"] == pytest.approx(0.3 * 170 * reached)


def test_reconstruction_budget_and_cost_by_hand() -> None:
    rebuild, geometry, damage = _toy_reconstruction(fallback_zone=True)
    geometry.cell_area_km2 = 0.25
    territory: Any = SimpleNamespace(fallback=0, idf_held=np.zeros((1, 4), dtype=bool))
    secure_days = np.array([[60.0, 60.0, 0.0, 0.0]])
    # support 1: governance factor 1.5; a decision halves the budget: 19 x 1.5 x 0.5 = 14.25
    # a day; a cell of 0.25 km2 costs 190 x 0.25 = 47.5 to rebuild: 0.3 of a cell repaired,
    # split 1.0 : 0.6 (the zone's cell is not held by the IDF here, so not eligible)
    share, repair = rebuild.step(secure_days, territory, damage, 1.0, funding_factor=0.5)
    np.testing.assert_allclose(repair, [[0.1875, 0.1125, 0.0, 0.0]])
    assert share == pytest.approx(0.3 / 2.0)


# -- dated events, more -------------------------------------------------------------------------


def _as_reported_events() -> dict[str, Any]:
    return {e.id: e for e in shipped("as-reported-2026.yaml").events}


def test_decisions_multiply_the_funding_and_fired_events_are_recorded() -> None:
    meeting = shipped("board-of-peace-technocratic.yaml").events[1]
    assert isinstance(meeting, Decision) and meeting.reconstruction_funding_factor is not None
    factor = meeting.reconstruction_funding_factor
    second = meeting.model_copy(
        update={"id": "second_pledge", "reconstruction_funding_factor": factor.model_copy(
            update={"value": 1.5})}
    )  # fmt: skip
    schedule = EventSchedule([meeting, second])
    fired = schedule.fire(meeting.day.value)
    assert [e.id for e in fired] == schedule.fired == [meeting.id, "second_pledge"]
    assert schedule.funding_factor == pytest.approx(2.0 * 1.5)


def test_an_unnamed_event_shock_is_named_after_its_event() -> None:
    ultimatum = _as_reported_events()["israel_ultimatum"]
    unnamed = ultimatum.model_copy(
        update={"shocks": [ultimatum.shocks[0].model_copy(update={"reason": ""})]}
    )
    (shock,) = EventSchedule.shocks([unnamed])
    assert shock.reason == "event israel_ultimatum"


def test_a_war_suspends_until_its_last_day_inclusive() -> None:
    war = _as_reported_events()["iran_war"]  # from day 141, suspends Indonesia
    ended = war.model_copy(update={"until_day": war.day.model_copy(update={"value": 200})})
    schedule = EventSchedule([ended])
    assert "iran_war" in schedule.suspension("indonesia", 200)
    assert schedule.suspension("indonesia", 201) == ""
    assert "iran_war" in EventSchedule([war]).suspension("indonesia", 10_000)  # open-ended


def test_an_ultimatum_is_met_at_exactly_the_required_share() -> None:
    ultimatum = _as_reported_events()["israel_ultimatum"]
    deadline = ultimatum.day.value + ultimatum.deadline_days.value
    required = ultimatum.decommissioned_share_required.value
    (expiry,) = EventSchedule([ultimatum]).expiring(deadline, required)
    assert expiry.met


# -- contributors, more -------------------------------------------------------------------------


def test_exhausted_commitment_withdraws_a_deployed_contingent() -> None:
    spec = shipped("as-reported-2026.yaml").forces.contributors["indonesia"]
    fresh = Contingent(mesa.Model(), "indonesia", spec)
    fresh.absorb_casualties(100.0)
    fresh.decide(10, mission_changed=False)
    assert not fresh.withdrawn  # never inside: nothing to withdraw
    contingent = Contingent(mesa.Model(), "indonesia", spec)
    contingent.advance(180)  # arrival day: one active day
    contingent.decide(180, mission_changed=False)
    assert not contingent.withdrawn  # commitment 0.6 left
    contingent.absorb_casualties(12.0)  # 0.6 - 12 / 20 = 0 exactly
    assert contingent.commitment == 0.0
    contingent.decide(181, mission_changed=False)
    assert contingent.leaving_since == 181
    assert contingent.withdrawal_reason == "casualties exhausted commitment"
    contingent.decide(190, mission_changed=True)  # already leaving: nothing changes
    assert contingent.leaving_since == 181


def test_a_mission_change_withdraws_only_under_the_caveat() -> None:
    contributors = shipped("as-reported-2026.yaml").forces.contributors
    indonesia = _deployed_indonesia()  # leave_if_mission_changes
    indonesia.decide(200, mission_changed=False)
    assert not indonesia.withdrawn
    indonesia.decide(201, mission_changed=True)
    assert indonesia.leaving_since == 201 and indonesia.withdrawal_reason == "the mission changed"
    egypt = Contingent(mesa.Model(), "egypt", contributors["egypt"])  # no such caveat
    for day in range(400):
        egypt.advance(day)
    egypt.decide(400, mission_changed=True)
    assert not egypt.withdrawn


def test_failed_condition_messages_and_bounds() -> None:
    contributors = shipped("as-reported-2026.yaml").forces.contributors
    kosovo = contributors["kosovo"]  # consent >= 0.75, mandate, US lead, ceasefire
    ok = ConditionContext(hamas_consent=0.75, mandate=True, us_lead=True, collapsed=False)
    assert failed_condition(kosovo, {}, {}, ok) == ""  # consent exactly at the threshold
    assert failed_condition(kosovo, {}, {}, replace(ok, mandate=False)) == (
        "no Security Council mandate in force"
    )
    assert failed_condition(kosovo, {}, {}, replace(ok, us_lead=False)) == "no US lead"
    assert failed_condition(kosovo, {}, {}, replace(ok, collapsed=True)) == (
        "the ceasefire has collapsed"
    )
    # Indonesia does not need a US lead: none is no failure
    assert failed_condition(contributors["indonesia"], {}, {}, replace(ok, us_lead=False)) == ""
    turkey = shipped("base.yaml").forces.contributors["turkey"]  # turkish_participation >= 40
    unexplained = DimensionState("turkish_participation", False, 0.0, 0.0)
    assert failed_condition(turkey, {"turkish_participation": unexplained}, {}, ok) == (
        "no deal on turkish_participation: status quo"
    )
    at_least = DimensionState("turkish_participation", True, 40.0, 0.0)
    assert failed_condition(turkey, {"turkish_participation": at_least}, {}, ok) == ""


# -- the force's sectors, by hand on a toy strip ------------------------------------------------


def _two_sector_territory() -> Territory:
    """Two rows of four land cells: Rafah (row 0) and Khan Younis (row 1), the order of base.

    Cells sit at 1/8, 3/8, 5/8 and 7/8 across; the IDF holds 0.55 of each row, so the last two
    cells (5/8 and 7/8 >= 0.45).
    """
    scenario = shipped("base.yaml")
    geometry: Any = SimpleNamespace(
        shape=(2, 4),
        land=np.ones((2, 4), dtype=bool),
        across_fraction=np.tile([0.125, 0.375, 0.625, 0.875], (2, 1)),
        governorate=np.array([[0] * 4, [1] * 4]),
        governorate_ids=("rafah", "khan_younis"),
    )
    return Territory(scenario.idf, scenario.forces.deployment, scenario.effects, geometry)


PEOPLE = np.full((2, 4), 1000.0)
NO_FIGHTERS = np.zeros((2, 4))


def test_a_sector_is_taken_at_exactly_the_peaceful_density_then_the_next_when_due() -> None:
    territory = _two_sector_territory()
    days = territory.days_per_sector
    # consent at the threshold (0.5): in full, west of the line: 2 cells x 1,000 residents at
    # 2.5 per 1,000 = exactly 5 troops
    assert territory.expand(0, 5.0, PEOPLE, 0.5, False, NO_FIGHTERS)
    assert territory.sectors.taken == 1 and territory.sectors.full == [0]
    assert territory.sectors.next_due_day == days and territory.sectors.taken_days == [0]
    assert not territory.expand(days - 1, 100.0, PEOPLE, 1.0, False, NO_FIGHTERS)  # not due
    # the next sector adds its 2,000 residents west of the line: 10 troops for both
    assert not territory.expand(days, 9.9, PEOPLE, 1.0, False, NO_FIGHTERS)
    assert territory.expand(days, 10.0, PEOPLE, 1.0, False, NO_FIGHTERS)
    assert territory.sectors.taken == 2 and territory.sectors.full == [0, 1]
    # every sector taken: nothing more to take, whatever the troops
    assert not territory.expand(10 * days, 1e6, PEOPLE, 1.0, True, NO_FIGHTERS)
    np.testing.assert_array_equal(
        territory.sectors.held_mask(territory.geometry), np.ones((2, 4), dtype=bool)
    )


def test_without_consent_a_sector_is_taken_by_coercion_at_five_to_one() -> None:
    # one armed fighter in Rafah; 6 troops: 6 / 1 >= 10 x 0.5, and 6 >= the 5 troops needed
    fighters = NO_FIGHTERS.copy()
    fighters[0, 0] = 1.0
    territory = _two_sector_territory()
    assert territory.expand(0, 6.0, PEOPLE, 0.0, True, fighters)
    assert territory.sectors.full == [0]
    # a fraction of a fighter counts as one: 4.9 / 1 < 5, for handover only
    fighters[0, 0] = 0.5
    partial = _two_sector_territory()
    assert partial.expand(0, 4.9, PEOPLE, 0.0, True, fighters)
    assert partial.sectors.full == [] and partial.sectors.taken == 1


def test_a_sector_for_handover_only_needs_troops_only_for_ground_handed_over() -> None:
    # no consent, no coercion: the force holds only what the IDF hands over, nothing yet, so
    # any troops at all take it; none do not
    territory = _two_sector_territory()
    assert not territory.expand(0, 0.0, PEOPLE, 0.0, False, NO_FIGHTERS)
    assert territory.expand(0, 0.5, PEOPLE, 0.0, False, NO_FIGHTERS)
    assert territory.sectors.full == [] and not territory.force_area().any()


def test_held_mask_is_the_sectors_taken_in_order() -> None:
    territory = _two_sector_territory()
    territory.sectors.order, territory.sectors.taken = [1, 0], 1
    held = territory.sectors.held_mask(territory.geometry)
    assert held.tolist() == [[False] * 4, [True] * 4]


def test_secure_cells_is_a_boolean_mask() -> None:
    territory = _two_sector_territory()
    territory.secure_days = np.zeros((2, 4))
    density = np.full((2, 4), 30.0)
    area = np.zeros((2, 4), dtype=bool)
    area[0, :2] = True
    secure = territory.secure_cells(density, np.zeros((2, 4)), area, density, NO_FIGHTERS)
    # a mask (it selects residents: population[secure]), not 0/1 numbers
    assert secure.dtype == np.bool_
    assert PEOPLE[secure].sum() == 2000.0


# -- the political layer: levers, caches, the log -----------------------------------------------


def _politics() -> Politics:
    return Politics(shipped("base.yaml"), np.random.default_rng(1))


def _verdict(dimension: str, deal: bool, outcome: float, status_quo: float = 0.0) -> Verdict:
    return Verdict(dimension, deal, outcome, outcome, status_quo, "deal" if deal else "no_deal")


def _levers_of(*decisions: Verdict) -> Levers:
    """The levers a political layer reads from the given decisions (no Hamas position)."""
    politics = _politics()
    politics.engine = SimpleNamespace(decisions=lambda: {d.dimension: d for d in decisions})  # type: ignore[assignment]
    politics._hamas_disarmament = None
    return politics._read_levers(np.zeros((0, 0)))


def test_levers_default_to_the_middle_of_missing_dimensions() -> None:
    # no dimension at all: every lever at 50 of 100; no mandate decision blocks robustness and
    # 50 reaches the robust threshold (50)
    levers = _levers_of()
    assert (levers.hamas_compliance, levers.mandate_level) == (0.5, 0.5)
    assert (levers.withdrawal_will, levers.governance_support) == (0.5, 0.5)
    assert levers.mandate_robust and levers.branches == {} and levers.dimensions == {}


def test_levers_read_the_implemented_outcomes() -> None:
    levers = _levers_of(
        _verdict("hamas_disarmament", True, 30.0),
        _verdict("mandate_robustness", True, 50.0),
        _verdict("idf_withdrawal", True, 20.0),
        _verdict("palestinian_governance", True, 70.0),
    )
    # without Hamas in the table, compliance is the implemented disarmament
    assert levers.hamas_compliance == pytest.approx(0.3)
    assert levers.mandate_level == 0.5 and levers.mandate_robust  # exactly at the threshold
    assert levers.withdrawal_will == pytest.approx(0.2)
    assert levers.governance_support == pytest.approx(0.7)
    assert not _levers_of(_verdict("mandate_robustness", True, 49.9)).mandate_robust


def test_a_mandate_without_a_deal_is_not_robust_whatever_its_level() -> None:
    # a status quo of 80 holds without a deal: the level reads 80, robustness needs the deal
    levers = _levers_of(_verdict("mandate_robustness", False, 80.0, status_quo=80.0))
    assert levers.mandate_level == pytest.approx(0.8) and not levers.mandate_robust


def test_hamas_compliance_is_its_own_position() -> None:
    politics = _politics()
    hamas = politics._actor_ids.index("hamas")
    disarmament = politics._dimension_ids.index("hamas_disarmament")
    position = float(politics.engine.positions[hamas, disarmament])
    assert 0.0 < position < 100.0
    assert politics.levers.hamas_compliance == pytest.approx(position / 100.0)


def test_a_decision_is_translated_once_and_nan_status_quo_reads_the_outcome() -> None:
    politics = _politics()
    decision = next(iter(politics.engine.decisions().values()))
    assert politics._dimension_state(decision) is politics._dimension_state(decision)
    open_rule = _verdict("palestinian_governance", True, 56.0, status_quo=float("nan"))
    assert politics._dimension_state(open_rule).status_quo == 56.0  # no rule: no reversion
    closed = _verdict("idf_withdrawal", False, 0.0, status_quo=0.0)
    state = politics._dimension_state(closed)
    assert state.status_quo == 0.0 and state.reason == closed.label() and not state.deal
    agreed = _verdict("mandate_robustness", True, 63.0, status_quo=10.0)
    assert politics._dimension_state(agreed).status_quo == 10.0  # the rule's reversion point


def test_rounds_are_due_every_cadence_from_day_one() -> None:
    politics = _politics()
    politics.cadence = 1  # daily rounds
    assert [politics.due(day) for day in (0, 1, 2)] == [False, True, True]


def test_a_round_logs_the_week_and_hands_the_ground_reports_over() -> None:
    politics = _politics()
    week = WeekEvents(idf_deaths=2.0, idf_held_share=0.4, decommissioned_total_share=0.1)
    politics.play_round(7, week)
    # reports reach the engine's links in points (0-100)
    drivers = politics.engine.book._drivers
    assert drivers["idf_held_share"] == pytest.approx(40.0)
    assert drivers["decommissioned_total_share"] == pytest.approx(10.0)
    (entry,) = politics.log
    assert {"day", "round", "events", "shocks", "movers", "branches", "reasons"} <= set(entry)
    assert entry["day"] == 7 and entry["round"] == 1
    assert entry["events"]["idf_deaths"] == 2.0 and entry["events"]["idf_held_share"] == 0.4
    assert entry["branches"] == {d: s.state for d, s in politics.engine.decisions().items()}
    assert entry["reasons"] == {
        d: s.reason for d, s in politics.levers.dimensions.items() if s.reason
    }
    assert entry["reasons"] and isinstance(entry["movers"], list)


def test_ground_events_of_actors_outside_the_table_make_no_shock() -> None:
    politics = _politics()
    assert "kosovo" not in politics.actors
    week = WeekEvents(isf_deaths={"kosovo": 3.0, "egypt": 0.0})  # and none for zero deaths
    assert politics.shocks_for(week) == []


def test_positions_table_of_nothing_has_the_columns() -> None:
    empty = positions_frame([])
    assert list(empty.columns) == POSITION_COLUMNS and empty.empty


def test_text_columns_use_pandas_default_string_dtype() -> None:
    table = _politics().positions_table()
    default = pd.Series(["hamas"]).dtype
    assert table["actor"].dtype == default and table["dimension"].dtype == default
    assert table["state"].dtype == default


def test_positions_of_a_result_from_its_table_or_its_log() -> None:
    politics = _politics()
    politics.play_round(7, WeekEvents())
    table = politics.positions_table()
    rounds = len(table[table["day"] == 7])
    assert positions_of_result(SimpleNamespace(positions=table)) is table
    log = pd.DataFrame(politics.log)
    rebuilt = positions_of_result(SimpleNamespace(politics=log))
    assert rebuilt is not None and len(rebuilt) == rounds
    for nothing in (
        SimpleNamespace(),
        SimpleNamespace(politics=None),
        SimpleNamespace(politics=pd.DataFrame({"day": [7]})),  # a log without positions
        SimpleNamespace(politics=log.iloc[:0]),  # an empty log
    ):
        assert positions_of_result(nothing) is None


@dataclass(frozen=True)
class _Note:
    text: str
    pair: tuple[int, int]


def test_the_logged_week_is_a_plain_copy() -> None:
    shock = Shock.position("israel", "idf_withdrawal", -1.0, mode=ShockMode.ADD, reason="x")
    week = WeekEvents(isf_deaths={"egypt": 1.0}, withdrawals=["egypt"], shocks=[shock])
    plain = _plain(week)
    assert plain == asdict(week)  # what dataclasses.asdict gives, in the same order
    assert isinstance(plain, dict) and isinstance(plain["shocks"][0], dict)
    assert plain["withdrawals"] is not week.withdrawals  # containers copied
    assert _plain([_Note("a", (1, 2)), None]) == [{"text": "a", "pair": (1, 2)}, None]
    assert _plain((1, 2)) == (1, 2) and _plain(_Note) is _Note  # other leaves as they are


# -- the ceasefire's bounds ---------------------------------------------------------------------


def test_force_cover_with_one_resident_and_the_lowest_contested_density() -> None:
    # residents may be fractional (expected values); one resident in held ground, 0.01 troops
    # there: 10 per 1,000 = the contested density 10: full cover
    one = np.array([[1.0]])
    held = np.array([[True]])
    assert force_cover(one, held, np.array([[0.01]]), 10.0) == pytest.approx(1.0)
    # contested at 1 per 1,000: the same troops are ten times that, cover capped at the held
    # share of residents (here 1 of 4)
    four = np.array([[1.0, 3.0]])
    assert force_cover(four, np.array([[True, False]]), np.array([[0.01, 0.0]]), 1.0) == 0.25
    # no contested density declared: no cover (not a division by zero)
    assert force_cover(one, held, np.array([[0.01]]), 0.0) == 0.0


def test_strained_from_exactly_the_threshold_even_below_one_incident() -> None:
    effects = _with(EFFECTS, incidents_per_day_strain=0.5)
    ceasefire = Ceasefire(effects, np.random.default_rng(0))
    ceasefire._threshold = float("inf")
    ceasefire.update(0, Conditions(cover=0.0, guarantor=0.0, compliance=0.0, violence=0.25))
    assert ceasefire.strain == pytest.approx(0.5) and ceasefire.status is CeasefireStatus.HOLDING
    ceasefire.update(1, Conditions(cover=0.0, guarantor=0.0, compliance=0.0, violence=0.75))
    # mean 0.5 over two days = the threshold: strain 1, strained
    assert ceasefire.strain == 1.0 and ceasefire.status is CeasefireStatus.STRAINED


# -- contributors and police, bounds ------------------------------------------------------------


def test_a_review_that_passes_clears_the_hold_and_the_count() -> None:
    contingent = _deployed_indonesia()
    contingent.review(200, "no US lead", "", 28)
    contingent.review(207, "", "", 28)
    assert (contingent.holding, contingent.hold_reason, contingent.failing_days) == (False, "", 0)


def test_failure_counts_from_the_first_active_day() -> None:
    spec = shipped("as-reported-2026.yaml").forces.contributors["indonesia"]  # arrives day 180
    contingent = Contingent(mesa.Model(), "indonesia", spec)
    contingent.advance(180)
    assert contingent.active_days == 1
    contingent.review(180, "no US lead", "", 28)
    assert contingent.failing_days == 7


def test_a_one_day_ramp_and_a_one_day_withdrawal() -> None:
    spec = shipped("as-reported-2026.yaml").forces.contributors["indonesia"]  # 8,000 x 0.7
    quick = spec.model_copy(update={"ramp_days": spec.ramp_days.model_copy(update={"value": 1})})
    contingent = Contingent(mesa.Model(), "indonesia", quick)
    contingent.advance(180)
    assert contingent.strength(180, 1) == pytest.approx(5600.0)  # full after one active day
    contingent.decide(181, mission_changed=True)  # leave_if_mission_changes
    assert contingent.strength(181, 1) == pytest.approx(5600.0)
    assert contingent.strength(182, 1) == 0.0  # gone one day later


def test_police_trained_up_to_the_horizon_and_casualties_add_up() -> None:
    spec = shipped("base.yaml").forces.police  # 1,000 a month from day 30, 60 days, 70% pass
    police = PoliceService(mesa.Model(), spec, 100)
    for day in range(101):  # courses that end after the horizon are not recorded
        police.train(day, pace=1.0)
    daily = 1000 / 30.4 * 0.7
    assert police.officers == pytest.approx(11 * daily)  # cohorts of days 30-40 graduate
    police.absorb_casualties(2.0)
    police.absorb_casualties(3.0)
    assert police.deaths == 5.0 and police.officers == pytest.approx(11 * daily - 5.0)
    police.absorb_casualties(1e6)
    assert police.officers == 0.0


# -- the political layer's outcome record -------------------------------------------------------


def test_outcome_record_follows_the_levers() -> None:
    politics = _politics()
    first = politics.outcome_record()
    politics.levers = _levers_of(_verdict("idf_withdrawal", True, 42.0))
    second = politics.outcome_record()
    assert second == {"forecast_idf_withdrawal": 42.0, "deal_idf_withdrawal": True}
    assert second != first


# -- the IDF's line, bounds ---------------------------------------------------------------------


def test_reentry_at_more_than_the_weekly_threshold_and_through_its_last_day() -> None:
    # base: re-entry after more than 25 incidents a week, for 30 days
    territory = _territory(effects=_with(EFFECTS, handover_days=1))
    territory.sectors.taken, territory.sectors.taken_days = 5, [0, 0, 0, 0, 0]
    territory.update_line(10, 1.0, 25.0, False, 1.0)  # exactly 25: no re-entry
    assert territory.held_share == pytest.approx(0.15)
    territory.update_line(11, 1.0, 25.5, False, 1.0)
    assert territory.reentry_until == 41 and territory.held_share == pytest.approx(0.55)
    territory.update_line(41, 1.0, 0.0, False, 1.0)  # the last day of re-entry
    assert territory.held_share == pytest.approx(0.55)
    territory.update_line(42, 1.0, 0.0, False, 1.0)
    assert territory.held_share == pytest.approx(0.15)


def test_the_line_version_counts_changes_of_cells_only() -> None:
    territory = _territory()
    calls: list[float] = []
    held_cells = territory._held_cells

    def counted(share: float) -> Any:
        calls.append(share)
        return held_cells(share)

    territory._held_cells = counted  # type: ignore[method-assign]
    territory.floor_share = 0.5500001  # a new share, but no cell centre between the two
    territory.update_line(0, 0.0, 0.0, False, 0.0)
    assert calls == [0.5500001] and territory.line_version == 0
    territory.floor_share = 0.7
    territory.update_line(1, 0.0, 0.0, False, 0.0)
    assert territory.line_version == 1
    territory.update_line(2, 0.0, 0.0, True, 0.0)  # collapse: to 0.75
    assert territory.line_version == 2 and territory.held_share == pytest.approx(0.75)
    territory.update_line(3, 0.0, 0.0, True, 0.0)  # the same: neither recomputed nor counted
    assert len(calls) == 3 and territory.line_version == 2


def test_no_first_milestone_means_the_first_stage_needs_only_a_handover() -> None:
    scenario = shipped("base.yaml")
    idf = scenario.idf
    idf = idf.model_copy(
        update={
            "decommissioned_for_first_stage": idf.decommissioned_for_first_stage.model_copy(
                update={"value": 0.0}
            )
        }
    )
    geometry = StripGeometry.from_spec(scenario.ground)
    territory = Territory(idf, scenario.forces.deployment, scenario.effects, geometry)
    # stage 1 (0.55 -> 0.40) in full with a sector handed over and nothing decommissioned
    assert territory.withdrawal(0.2, 0.0, 1.0) == pytest.approx(0.15)
    assert territory.withdrawal(0.0, 0.0, 1.0) == 0.0


def test_handover_progress_counts_sectors_handed_over_at_least_the_lag_ago() -> None:
    territory = _territory()  # five sectors, handover after 30 days
    territory.sectors.taken, territory.sectors.taken_days = 2, [0, 10]
    assert territory._handover_progress(29) == 0.0
    assert territory._handover_progress(30) == pytest.approx(1 / 5)  # the first, exactly
    assert territory._handover_progress(40) == pytest.approx(2 / 5)
    territory.sectors.order = []  # no sector to hand over: no progress
    assert territory._handover_progress(100) == 0.0


def test_no_open_crossing_no_aid() -> None:
    geometry: Any = SimpleNamespace(
        shape=(5, 2), land=np.ones((5, 2), dtype=bool), crossing_cells={"kerem_shalom": (4, 1)}
    )
    aid = shipped("base.yaml").aid.model_copy(update={"crossings_open": []})
    system = AidSystem(aid, EFFECTS, geometry)
    secure = np.ones((5, 2), dtype=bool)
    np.testing.assert_array_equal(system.arrival_share(secure, 0.1), np.zeros(5))
    delivered: list[np.ndarray] = []
    ground: Any = SimpleNamespace(
        view=lambda: SimpleNamespace(population=np.full((5, 2), 100.0)),
        deliver_aid=delivered.append,
    )
    out = system.deliver(0, ground, secure, troops=0.0, collapsed=False)
    assert out == {"delivered_trucks": 0.0, "delivered_share": 0.0}
    assert not delivered[0].any()


def test_without_hamas_in_the_table_compliance_is_the_implemented_disarmament() -> None:
    scenario = shipped("base.yaml")
    table = scenario.bargaining.model_dump(mode="json", exclude_none=True)
    del table["actors"]["hamas"], table["vetoes"]["hamas_red_line"]
    bargaining = type(scenario.bargaining).model_validate(table)
    politics = Politics(
        scenario.model_copy(update={"bargaining": bargaining}), np.random.default_rng(1)
    )
    assert politics._hamas_disarmament is None
    implemented = politics.engine.decisions()["hamas_disarmament"].outcome
    assert politics.levers.hamas_compliance == pytest.approx(implemented / 100.0)


def test_a_need_of_less_than_one_truck_a_day() -> None:
    # 0.25 trucks for a need of 0.5 a day (the schema allows any need from 0), everything
    # secure so everything arrives: half the need delivered
    geometry: Any = SimpleNamespace(
        shape=(5, 2), land=np.ones((5, 2), dtype=bool), crossing_cells={"kerem_shalom": (4, 1)}
    )
    aid = shipped("base.yaml").aid
    aid = aid.model_copy(
        update={
            "crossings_open": ["kerem_shalom"],
            "trucks_per_day": aid.trucks_per_day.model_copy(update={"value": 0.25}),
            "need_trucks_per_day": aid.need_trucks_per_day.model_copy(update={"value": 0.5}),
        }
    )
    delivered: list[np.ndarray] = []
    ground: Any = SimpleNamespace(
        view=lambda: SimpleNamespace(population=np.full((5, 2), 100.0)),
        deliver_aid=delivered.append,
    )
    out = AidSystem(aid, EFFECTS, geometry).deliver(
        0, ground, np.ones((5, 2), dtype=bool), troops=0.0, collapsed=False
    )
    assert out["delivered_share"] == pytest.approx(0.5)
    np.testing.assert_allclose(delivered[0], 0.5 * 100.0)  # half a day of need per resident
