"""Component details that a first mutation sample of sim/model showed untested (docs/testing.md).

Each test runs one component with mock inputs against a hand-computed answer: battle deaths per
cell with Hultman et al.'s protection, the police pipeline's intake per day, the ceasefire's
collapse record, the ground spec the scenario implies, dated-event shocks, the week's ground
events as bargaining shocks, the political log's positions, the week's casualty totals and the
day's timings.
"""

from __future__ import annotations

import io
from types import SimpleNamespace

import mesa
import numpy as np
import pandas as pd
import pytest

from sim.bargaining import ShockMode
from sim.model.ceasefire import Ceasefire, Conditions
from sim.model.events import to_shock
from sim.model.forces import Contingent, PoliceService
from sim.model.gaza import GazaModel
from sim.model.maps import render_snapshot
from sim.model.politics import Politics, WeekEvents, positions_of_result
from sim.model.run import run_scenario
from sim.model.setup import ground_spec_for
from sim.model.violence import DayViolence, tally
from sim.scenario.editing import with_horizon
from sim.scenario.effects import EffectsSpec
from tests.model.conftest import override, shipped

EFFECTS = EffectsSpec()


class MeanRng:
    """A stream whose Poisson draws return their mean (so that answers are exact)."""

    def poisson(self, mean: float) -> float:
        return mean


def test_force_deaths_are_protected_cell_by_cell() -> None:
    # attacks (groups, targets, rows, cols): 10 on the force in a cell at the hostile density,
    # 10 in a cell with no protection; battle factor 6/22 (Hultman et al. 2014) in the first
    attacks = np.zeros((2, 4, 1, 2))
    attacks[0, 0, 0, 0] = 6.0
    attacks[1, 0, 0, 0] = 4.0
    attacks[0, 0, 0, 1] = 10.0
    attacks[0, 1, 0, 1] = 3.0  # police
    attacks[1, 2, 0, 0] = 7.0  # IDF
    protect = np.array([[6 / 22, 1.0]])
    out = tally(attacks, np.ones((2, 1, 2)), protect, MeanRng(), EFFECTS)  # type: ignore[arg-type]
    # force deaths: 0.3 per attack x (10 x 6/22 + 10 x 1)
    assert out.isf_deaths == pytest.approx(0.3 * (10 * 6 / 22 + 10))
    assert out.attacks_on_isf == 20.0 and out.attacks_on_police == 3.0
    assert out.police_deaths == pytest.approx(0.5 * 3) and out.idf_deaths == pytest.approx(0.15 * 7)
    assert out.reprisals == 4.0 and out.incidents == 20 + 3 + 7 + 4


def test_police_intake_per_day_and_the_course() -> None:
    spec = shipped("base.yaml").forces.police  # 1,000 a month from day 30, 60 days, 70% pass
    police = PoliceService(mesa.Model(), spec, 365)
    for day in range(90):
        police.train(day, pace=1.0)
    assert police.officers == 0.0  # the first cohort finishes on day 30 + 60
    police.train(90, pace=1.0)
    daily = 1000 / 30.4 * 0.7  # a month's intake spread over 30.4 days, times the pass rate
    assert police.officers == pytest.approx(daily)
    for day in range(91, 120):
        police.train(day, pace=1.0)
    assert police.officers == pytest.approx(30 * daily)  # about 690 after a month


def test_police_pace_and_target() -> None:
    spec = shipped("base.yaml").forces.police
    slow = PoliceService(mesa.Model(), spec, 365)
    for day in range(120):
        slow.train(day, pace=0.5)
    assert slow.officers == pytest.approx(30 * 1000 / 30.4 * 0.7 * 0.5)
    small = spec.model_copy(
        update={"target_officers": spec.target_officers.model_copy(update={"value": 100})}
    )
    capped = PoliceService(mesa.Model(), small, 365)
    for day in range(200):
        capped.train(day, pace=1.0)
    assert capped.officers == pytest.approx(100.0)
    capped.absorb_casualties(30.0)
    assert capped.officers == pytest.approx(70.0) and capped.deaths == 30.0


def test_collapse_is_recorded_with_its_conditions() -> None:
    ceasefire = Ceasefire(EFFECTS, np.random.default_rng(0))
    ceasefire._threshold = 0.0  # collapse at the first draw
    ceasefire.update(4, Conditions(cover=0.25, guarantor=0.0, compliance=0.0, violence=1.5))
    assert ceasefire.collapsed and ceasefire.collapse_day == 4
    assert ceasefire.collapse_reason == (
        "collapsed while holding; 1.5 incidents and strikes/day over the last week, "
        "force cover 0.25"
    )
    strained = Ceasefire(EFFECTS, np.random.default_rng(0))
    strained._threshold = 0.0
    strained.update(0, Conditions(cover=0.0, guarantor=0.0, compliance=0.0, violence=9.0))
    assert strained.collapse_reason.startswith("collapsed while strained; 9.0 incidents")


def test_ground_spec_takes_the_line_and_all_armed_groups_from_the_scenario() -> None:
    scenario = override(
        shipped("base.yaml"),
        {
            ("hamas", "fighters"): 12_345,
            ("other_armed_groups", "fighters"): 1_000,
            ("idf", "held_share"): 0.5,
        },
    )
    spec = ground_spec_for(scenario)
    assert spec.recruitment.initial_armed.value == pytest.approx(13_345)
    assert spec.yellow_line_share.value == pytest.approx(0.5)
    # the rest of the ground section is the scenario's
    assert spec.recruitment.daily_rate == scenario.ground.recruitment.daily_rate
    assert spec.population == scenario.ground.population


def test_event_shocks_keep_actor_dimension_value_and_reason() -> None:
    events = {e.id: e for e in shipped("as-reported-2026.yaml").events}
    shock = to_shock(events["israel_ultimatum"].shocks[0], "israel_ultimatum")
    assert (shock.actor, shock.dimension, shock.value) == ("israel", "hamas_disarmament", 5.0)
    assert shock.mode is ShockMode.ADD and shock.kind == "position"
    assert shock.reason == "Israel raises its demand with a deadline"
    salience = to_shock(events["iran_war"].shocks[0], "iran_war")
    assert (salience.actor, salience.kind, salience.value) == ("us", "salience", -10.0)
    unnamed = events["iran_war"].shocks[0].model_copy(update={"reason": ""})
    assert to_shock(unnamed, "iran_war").reason == "event iran_war"


def test_week_events_become_shocks_of_the_declared_size() -> None:
    scenario = shipped("base.yaml")
    politics = Politics(scenario, np.random.default_rng(1))
    c = scenario.coupling
    week = WeekEvents(
        isf_deaths={"egypt": 2.0},
        idf_deaths=3.0,
        strike_civilian_deaths=50.0,
        weapons_decommissioned_share=0.02,
        ceasefire_collapsed=True,
    )
    shocks = {(s.actor, s.dimension, s.reason): s for s in politics.shocks_for(week)}
    assert all(s.mode is ShockMode.ADD and s.kind == "position" for s in shocks.values())
    egypt = shocks["egypt", "mandate_robustness", "2 of its troops killed"]
    assert egypt.value == pytest.approx(-2 * c.contributor_mandate_shift_per_death.value)
    israel = shocks["israel", "idf_withdrawal", "3 IDF deaths"]
    assert israel.value == pytest.approx(-3 * c.israel_withdrawal_shift_per_death.value)
    jordan = shocks["jordan", "idf_withdrawal", "50 civilians killed in strikes"]
    assert jordan.value == pytest.approx(c.arab_withdrawal_shift_per_100_deaths.value * 0.5)
    verified = shocks["israel", "idf_withdrawal", "weapons decommissioned"]
    assert verified.value == pytest.approx(c.israel_withdrawal_shift_per_decommissioned.value * 2)
    hamas = shocks["hamas", "hamas_disarmament", "ceasefire collapsed"]
    assert hamas.value == pytest.approx(-c.collapse_hamas_shift.value)
    war = shocks["israel", "idf_withdrawal", "ceasefire collapsed"]
    assert war.value == pytest.approx(-c.collapse_israel_shift.value)
    assert politics.shocks_for(WeekEvents()) == []


def test_political_log_keeps_each_rounds_positions() -> None:
    politics = Politics(shipped("base.yaml"), np.random.default_rng(1))
    for week in (1, 2):
        politics.play_round(7 * week, WeekEvents())
    log = pd.DataFrame(politics.log)
    assert list(log["day"]) == [7, 14]
    # a run without a positions table rebuilds it from the log's per-round snapshots
    rebuilt = positions_of_result(SimpleNamespace(politics=log))
    assert rebuilt is not None
    table = politics.positions_table()  # also holds the starting positions (day 0)
    rounds = table[table["day"] > 0].reset_index(drop=True)
    pd.testing.assert_frame_equal(rebuilt, rounds)


@pytest.fixture(scope="module")
def model() -> GazaModel:
    return GazaModel(shipped("base.yaml"), 0)


def test_the_days_casualties_add_up_over_the_week(model: GazaModel) -> None:
    model.week.clear()
    model._strengths = np.ones(len(model.contingents))  # every contingent has troops inside
    day = DayViolence(attacks_on_idf=2.0, reprisals=1.0, idf_deaths=1.0, civilian_deaths=3.0)
    day.isf_deaths = 4.0
    for _ in range(2):
        model._casualties(0, day)
    assert sum(model.week.isf_deaths.values()) == 8.0  # split among contingents, summed
    assert model.week.idf_deaths == 2.0 and model.week.civilian_deaths == 6.0
    assert model.week.incidents == 2 * (2.0 + 1.0)


def test_a_day_is_timed_by_part(model: GazaModel) -> None:
    model.step()
    assert set(model.timings) == {"forces", "ground", "bargaining"}
    assert all(seconds >= 0.0 for seconds in model.timings.values())


def test_each_death_costs_one_over_the_casualty_tolerance() -> None:
    spec = shipped("base.yaml").forces.contributors["indonesia"]  # tolerance 40, commitment 0.7
    contingent = Contingent(mesa.Model(), "indonesia", spec)
    contingent.absorb_casualties(14.0)
    assert contingent.commitment == pytest.approx(0.7 - 14 / 40) and contingent.deaths == 14.0
    # a tolerance below one death counts as one (the schema allows 0)
    fragile = spec.model_copy(
        update={"casualty_tolerance": spec.casualty_tolerance.model_copy(update={"value": 1})}
    )
    brittle = Contingent(mesa.Model(), "fragile", fragile)
    brittle.absorb_casualties(0.5)
    assert brittle.commitment == pytest.approx(0.7 - 0.5)


def test_a_short_run_records_maps_and_daily_series_only_when_asked() -> None:
    scenario = with_horizon(shipped("base.yaml"), 8)
    plain = run_scenario(scenario, 0)
    assert plain.daily is None and plain.politics is None and plain.maps is None
    mapped = run_scenario(scenario, 0, record_daily=True, record_maps=5)
    assert mapped.daily is not None and len(mapped.daily) == 8
    assert mapped.maps is not None and mapped.maps.days == [0, 5, 7]  # every 5 days and the last
    assert set(mapped.maps.fields) >= {"grievance", "population"}
    assert len(mapped.maps.idf_held) == 3 and mapped.maps.idf_held[0].dtype == bool
    people = mapped.maps.fields["population"][0]
    assert people.shape == mapped.maps.geometry.shape and people.sum() > 1e6
    # the snapshot at or just before a day
    assert [mapped.maps.index_of(d) for d in (0, 4, 5, 6, 100)] == [0, 0, 1, 1, 2]
    png = io.BytesIO()
    render_snapshot(mapped.maps, "grievance", 6, png)
    assert png.getvalue().startswith(b"\x89PNG")
    with pytest.raises(ValueError, match="not_a_field"):
        render_snapshot(mapped.maps, "not_a_field", 6, io.BytesIO())


def test_a_run_without_its_political_log_is_the_same_run() -> None:
    # The log is text about each round: leaving it out (runs nobody reads it of) changes nothing.
    scenario = with_horizon(shipped("base.yaml"), 50)  # seven political rounds
    logged, silent = GazaModel(scenario, 4), GazaModel(scenario, 4, keep_log=False)
    for _ in range(50):
        logged.step()
        silent.step()
    assert len(logged.politics.log) == 7 and silent.politics.log == []
    assert np.array_equal(logged.recorder.table, silent.recorder.table, equal_nan=True)
    assert logged.politics.positions_table().equals(silent.politics.positions_table())
    plain = pd.Series(run_scenario(scenario, 4).summary, dtype=float)
    logged_run = run_scenario(scenario, 4, record_daily=True)
    assert plain.equals(pd.Series(logged_run.summary, dtype=float))
