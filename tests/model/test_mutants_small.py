"""Component details the full mutation run of the model found untested (docs/testing.md, part 1).

Each test feeds one component hand-set inputs (a toy Strip where the geometry matters) and
checks a value derived in the comments, or a property that a plausible one-line bug breaks: the
ceasefire's week-long strain window, its bounds and its state before the first day; aid through
rows of one land cell, with no crossing open and for a need below one truck; the reconstruction
budget, cost and share by hand and the southern zone; event shocks that set, decisions'
funding factors, wars' last days and ultimatums met exactly; contributors' patience, casualties,
ramps and withdrawals, their conditions' messages; the police course up to the horizon. The
IDF's line and the force's sectors are in ``test_mutants_territory.py``, the political layer in
``test_mutants_politics.py``.
"""

from __future__ import annotations

from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import mesa
import numpy as np
import pytest

from sim.bargaining import ShockMode
from sim.model.aid import AidSystem, Reconstruction
from sim.model.ceasefire import Ceasefire, CeasefireStatus, Conditions, force_cover
from sim.model.events import EventSchedule, to_shock
from sim.model.forces import ConditionContext, Contingent, PoliceService, failed_condition
from sim.model.politics import (
    DimensionState,
)
from sim.scenario.effects import EffectsSpec
from sim.scenario.events import Decision
from sim.scenario.schema import Scenario
from tests.model.conftest import shipped, with_effects

EFFECTS = EffectsSpec()


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
    effects = with_effects(EFFECTS, incidents_per_day_strain=0.5)
    ceasefire = Ceasefire(effects, np.random.default_rng(0))
    ceasefire._threshold = float("inf")
    ceasefire.update(0, Conditions(cover=0.0, guarantor=0.0, compliance=0.0, violence=0.25))
    assert ceasefire.strain == pytest.approx(0.5) and ceasefire.status is CeasefireStatus.HOLDING
    ceasefire.update(1, Conditions(cover=0.0, guarantor=0.0, compliance=0.0, violence=0.75))
    # mean 0.5 over two days = the threshold: strain 1, strained
    assert ceasefire.strain == 1.0 and ceasefire.status is CeasefireStatus.STRAINED


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


# -- contributors and the police ----------------------------------------------------------------


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


def test_deaths_add_up_over_attacks() -> None:
    contingent = _deployed_indonesia()  # as reported: casualty tolerance 20, commitment 0.6
    contingent.absorb_casualties(3.0)
    contingent.absorb_casualties(2.0)
    assert contingent.deaths == 5.0
    assert contingent.commitment == pytest.approx(0.6 - 5 / 20)


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


def test_a_one_day_ramp_and_a_one_day_withdrawal() -> None:
    spec = shipped("as-reported-2026.yaml").forces.contributors["indonesia"]  # 8,000 x 0.7
    quick = spec.model_copy(update={"ramp_days": spec.ramp_days.model_copy(update={"value": 1})})
    contingent = Contingent(mesa.Model(), "indonesia", quick)
    contingent.advance(180)
    assert contingent.strength(180, 1) == pytest.approx(5600.0)  # full after one active day
    contingent.decide(181, mission_changed=True)  # leave_if_mission_changes
    assert contingent.strength(181, 1) == pytest.approx(5600.0)
    assert contingent.strength(182, 1) == 0.0  # gone one day later


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
