"""The Gaza model's glue (sim/model/gaza.py) component by component, against hand-worked answers.

Written for the mutants the full mutation run of the model left alive (docs/testing.md, "The
model's glue and violence"). Each test builds a model from a shipped scenario (about 10 ms once
the compiled kernels are loaded), sets the state a method reads, calls the method and checks
the answer worked out in the comments, or a relation a wrong wiring breaks: the seed's named
streams, where the groups start, the stance and rules-of-engagement tables, the force's weight
on the ground, the guarantor, when the force may coerce, the IDF's layout along the line, the
day's casualties and decommissioning, the daily record, the week handed to the bargaining layer
and the order and arguments of a day. Where the answer is an argument handed from one component
to the next, a spy records the call and passes it on unchanged.
"""

from __future__ import annotations

import dataclasses
import io
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from sim.ground import render
from sim.ground.interfaces import ForceCategory
from sim.ground.streams import hold
from sim.model import gaza
from sim.model import run as run_module
from sim.model.ceasefire import CeasefireStatus
from sim.model.gaza import GazaModel
from sim.model.maps import SNAPSHOT_FIELDS, MapSnapshots, render_snapshot
from sim.model.outcomes import summarise
from sim.model.politics import DimensionState, Levers, WeekEvents
from sim.model.run import RunResult, run_scenario
from sim.model.violence import DayViolence
from sim.scenario.editing import with_horizon
from sim.scenario.events import Ultimatum
from sim.scenario.forces import HamasStance, Resolution, RulesOfEngagement, StrikePolicy
from sim.scenario.schema import Scenario
from sim.scenario.structure import CouplingForm
from tests.model.conftest import override, shipped

BASE = "base.yaml"
# base.yaml: Hamas partial (presence consent 0.5), 20,000 fighters and 40,000 weapons; others
# 4,000 fighters and 8,000 weapons; US support 200 troops, coordination x 1.1; all necessary
# measures (x 1); a UNSC mandate of 775 days with coercive disarmament; contingents indonesia,
# azerbaijan (no combat), egypt, pakistan (no disarmament): arab_muslim; turkey: hamas_channel.


def replaced(scenario: Scenario, path: tuple[str, ...], value: Any) -> Scenario:
    """A copy of ``scenario`` with a plain (unsourced) field at ``path`` replaced."""
    if len(path) == 1:
        return scenario.model_copy(update={path[0]: value})
    child = getattr(scenario, path[0])
    return scenario.model_copy(update={path[0]: replaced(child, path[1:], value)})


def model_of(scenario: Scenario | str = BASE, seed: int = 0) -> GazaModel:
    return GazaModel(shipped(scenario) if isinstance(scenario, str) else scenario, seed)


def levers(model: GazaModel, **changes: Any) -> Levers:
    return dataclasses.replace(model.politics.levers, **changes)


def spy(
    monkeypatch: pytest.MonkeyPatch,
    owner: Any,
    name: str,
    calls: list[Any],
    results: dict[str, Any] | None = None,
) -> None:
    """Record each call of ``owner.name`` (its arguments; its last result), then make it."""
    real: Callable[..., Any] = getattr(owner, name)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls.append((name, args, kwargs))
        result = real(*args, **kwargs)
        if results is not None:
            results[name] = result
        return result

    monkeypatch.setattr(owner, name, wrapper)


def args_of(calls: list[Any], name: str) -> list[tuple[Any, ...]]:
    return [args for called, args, _ in calls if called == name]


# -- construction ---------------------------------------------------------------------------


def test_a_model_draws_from_its_seeds_named_streams() -> None:
    model = GazaModel(shipped(BASE))  # the default seed is 0
    assert model.streams.entropy == 0
    assert GazaModel(shipped(BASE), 7).streams.entropy == 7
    assert model.rng is model.streams["mesa"]
    assert model.ceasefire.rng is model.streams["ceasefire"]
    assert model.politics.engine._rng is model.streams["bargaining"]


def test_armed_groups_start_west_of_the_line_in_proportion_to_residents() -> None:
    scenario = shipped(BASE)
    model = model_of()
    west, people = model.geometry.west_of_line, model.view.population
    assert (model.hamas.name, model.others.name) == ("hamas", "others")
    for arsenal, group in (
        (model.hamas, scenario.hamas),
        (model.others, scenario.other_armed_groups),
    ):
        assert arsenal.fighters[~west].sum() == 0.0 and arsenal.weapons[~west].sum() == 0.0
        assert arsenal.fighters.sum() == pytest.approx(group.fighters.value)
        assert arsenal.weapons.sum() == pytest.approx(group.weapons.value)
        # the same number per resident in every cell west of the line
        inhabited = west & (people > 0)
        per_resident = arsenal.fighters[inhabited] / people[inhabited]
        assert per_resident == pytest.approx(
            np.full(inhabited.sum(), group.fighters.value / people[west].sum())
        )
    # the ground's armed field mirrors both groups
    assert model.ground.field("armed") == pytest.approx(
        model.hamas.fighters + model.others.fighters
    )
    # attack rates per fighter and day, Hamas first
    assert model._rates.attack == pytest.approx(
        [
            scenario.hamas.attack_rate.value / 1000,
            scenario.other_armed_groups.attack_rate.value / 1000,
        ]
    )
    assert model.strike_policy is scenario.idf.strike_policy


# -- Hamas's consent, the force's weight, the guarantor, coercion -----------------------------

NO_DEAL = DimensionState("hamas_disarmament", deal=False, outcome=0.0, status_quo=0.0)
DEAL = DimensionState("hamas_disarmament", deal=True, outcome=70.0, status_quo=0.0)


@pytest.mark.parametrize(
    ("stance", "consent"),
    [(HamasStance.ACCEPTS, 1.0), (HamasStance.PARTIAL, 0.5), (HamasStance.REJECTS, 0.0)],
)
def test_hamas_consent_is_its_stance_or_its_compliance_under_a_deal(
    stance: HamasStance, consent: float
) -> None:
    model = model_of(replaced(shipped(BASE), ("hamas", "stance"), stance))
    # without the dimension or without a deal: the stance (partial_presence_consent 0.5)
    assert model._hamas_consent(levers(model, hamas_compliance=0.9, dimensions={})) == consent
    no_deal = {"hamas_disarmament": NO_DEAL}
    assert model._hamas_consent(levers(model, hamas_compliance=0.9, dimensions=no_deal)) == consent
    # under a deal: the larger of the stance and the compliance
    deal = {"hamas_disarmament": DEAL}
    assert model._hamas_consent(levers(model, hamas_compliance=0.7, dimensions=deal)) == max(
        consent, 0.7
    )


def test_effective_troops_weigh_coordination_rules_and_police() -> None:
    # 600 troops x coordination 1.5 x rules 1 (all necessary measures) + 1,000 police x 1.53
    scenario = override(shipped(BASE), {("forces", "us_support", "coordination_multiplier"): 1.5})
    model = model_of(scenario)
    model.police.officers = 1000.0
    troops = np.array([100.0, 200.0, 300.0])
    assert model._effective_troops(troops) == pytest.approx(600 * 1.5 + 1000 * 1.53)
    # self-defence only: x 0.5 (roe_self_defence_factor)
    defensive = replaced(
        scenario, ("mandate", "rules_of_engagement"), RulesOfEngagement.SELF_DEFENCE
    )
    model = model_of(defensive)
    model.police.officers = 1000.0
    assert model._effective_troops(troops) == pytest.approx(600 * 1.5 * 0.5 + 1000 * 1.53)


def _with_strengths(model: GazaModel, strengths: list[float]) -> None:
    """Today's troops of each contingent, as the day reads them (``_troops_by_category``)."""
    for contingent, troops in zip(model.contingents, strengths, strict=True):
        contingent.strength = _fixed(troops)  # type: ignore[method-assign, assignment]
    model._troops_by_category(0)


def _fixed(troops: float) -> Callable[[int, int], float]:
    return lambda day, lag: troops


def test_the_coercing_share_of_the_troops() -> None:
    model = model_of()
    # indonesia, egypt and turkey coerce; azerbaijan (no combat) and pakistan (no disarmament) not
    assert [c.coerces for c in model.contingents] == [True, False, True, True, False]
    _with_strengths(model, [100.0, 200.0, 300.0, 400.0, 500.0])
    assert model._coercing_share() == pytest.approx((100 + 300 + 400) / 1500)
    _with_strengths(model, [0.5, 0.0, 0.0, 0.0, 0.0])  # half a soldier, all coercing
    assert model._coercing_share() == 1.0
    _with_strengths(model, [0.0, 0.0, 0.0, 0.0, 0.0])
    assert model._coercing_share() == 0.0
    # the share is numpy's masked sum over the total, to the bit
    odd = [0.1, 1e-7, 1 / 3, 2.0 / 7, 1e6 + 0.3]
    _with_strengths(model, odd)
    array = np.array(odd)
    mask = np.array([c.coerces for c in model.contingents])
    assert model._coercing_share() == float(array[mask].sum()) / float(array.sum())


@pytest.mark.parametrize(
    ("us_troops", "resolution", "expected"),
    [
        # guarantor = w x (US troops > 0) + (1 - w) x (a resolution), w = 0.8 here
        (0, Resolution.UNSC_ALL_NECESSARY, 0.2),
        (1, Resolution.NONE, 0.8),
        (200, Resolution.UNSC_ALL_NECESSARY, 1.0),
        (0, Resolution.NONE, 0.0),
    ],
)
def test_the_guarantor_weighs_us_troops_and_a_resolution(
    us_troops: int, resolution: Resolution, expected: float
) -> None:
    scenario = override(
        shipped(BASE),
        {("forces", "us_support", "troops"): us_troops, ("effects", "guarantor_weight_us"): 0.8},
    )
    model = model_of(replaced(scenario, ("mandate", "resolution"), resolution))
    assert model._guarantor() == pytest.approx(expected)


def test_coercion_needs_every_condition() -> None:
    # coercive mandate, a resolution, in force (day < 775), robust, no "no_mandate" branch
    model = model_of()
    assert model._can_coerce(True)
    assert not model._can_coerce(False)
    model.day = 775  # the mandate ran out
    assert not model._can_coerce(True)
    assert model._mandate_in_force(774) and not model._mandate_in_force(775)
    model.day = 0
    model.politics.levers = levers(model, branches={"mandate_robustness": "no_mandate"})
    assert not model._can_coerce(True)
    unarmed = replaced(shipped(BASE), ("mandate", "coercive_disarmament"), False)
    assert not model_of(unarmed)._can_coerce(True)
    unmandated = replaced(shipped(BASE), ("mandate", "resolution"), Resolution.NONE)
    assert not model_of(unmandated)._can_coerce(True)


def test_troops_by_category_follow_each_contingents_strength() -> None:
    model = model_of()
    for contingent in model.contingents:
        contingent.active_days = 10_000  # fully ramped up
    leaving = model.contingents[0]  # indonesia, 6,000 x 0.7 = 4,200 when it started leaving
    leaving.leaving_since, leaving._troops_when_leaving = 10, 4200.0
    troops = model._troops_by_category(25)
    # 15 of 30 withdrawal days gone: half of 4,200 left
    assert model._strengths[0] == pytest.approx(2100.0)
    arab = 2100 + 1000 * 0.5 + 5000 * 0.8 + 2000 * 0.6  # with azerbaijan, egypt, pakistan
    assert troops.tolist() == pytest.approx([arab, 3000 * 0.9, 0.0])


def test_decommissioned_share_counts_both_groups_against_their_initial_weapons() -> None:
    model = model_of()
    initial = 40_000 + 8_000
    model.hamas.decommissioned, model.others.decommissioned = 4000.0, 800.0
    assert model._decommissioned_share() == pytest.approx(4800 / initial)
    model.hamas.decommissioned = 2 * initial
    assert model._decommissioned_share() == 1.0


# -- the IDF along the line ---------------------------------------------------------------------


def test_idf_troops_spread_over_the_held_cells_and_reach_across_the_line() -> None:
    model = model_of()
    held, land = model.territory.idf_held, model.geometry.land
    troops, front = model._idf_layout()
    per_cell = 15_000 / held.sum()  # idf_troops_in_held_area over the held cells
    assert troops[held] == pytest.approx(np.full(held.sum(), per_cell))
    assert troops[~held].sum() == 0.0
    # across the line: held neighbours (the cell's 3 x 3 box) x per cell / 9; nothing elsewhere
    rows, cols = held.shape
    expected = np.zeros(held.shape)
    for r in range(rows):
        for c in range(cols):
            if land[r, c] and not held[r, c]:
                box = held[max(r - 1, 0) : r + 2, max(c - 1, 0) : c + 2]
                expected[r, c] = box.sum() * per_cell / 9.0
    assert front == pytest.approx(expected)
    assert front.max() > 0.0
    assert np.array_equal(model._front(), front > 0.0)


def test_one_held_cell_holds_all_the_idf_troops() -> None:
    model = model_of()
    land = np.argwhere(model.geometry.land)
    row, col = land[len(land) // 2]
    one = np.zeros(model.geometry.shape, dtype=bool)
    one[row, col] = True
    model.territory.idf_held = one
    model.territory.line_version += 1  # the line moved: the layout is recomputed
    troops, _ = model._idf_layout()
    assert troops[row, col] == 15_000.0 and troops.sum() == 15_000.0


# -- presence ------------------------------------------------------------------------------------


def _give_first_sector(model: GazaModel) -> np.ndarray:
    sectors = model.territory.sectors
    sectors.taken, sectors.full = 1, [sectors.order[0]]
    return model.territory.force_area()


def test_troops_and_police_spread_over_the_force_area_by_residents() -> None:
    model = model_of()
    area = _give_first_sector(model)
    assert area.any()
    model._roe = 0.5
    model.police.officers = 500.0
    presence, density, deter, security = model._deploy(np.array([1000.0, 0.0, 0.0]))
    people = model.view.population
    share = np.where(area, people + 1.0, 0.0) / (people[area] + 1.0).sum()
    cells = 1000.0 * share
    assert model._isf_cells == pytest.approx(cells)
    assert model._isf_cells[~area].sum() == 0.0
    # density: troops x coordination 1.1 x rules 0.5 per 1,000 residents
    per_resident = 1000.0 / np.maximum(people, 1.0)
    assert model._isf_density == pytest.approx(cells * 1.1 * 0.5 * per_resident)
    # security adds the police x (1 + 0.53); its density per 1,000 residents
    weighted = cells * 1.1 * 0.5 + 500.0 * share * 1.53
    assert security == pytest.approx(weighted)
    assert density == pytest.approx(weighted * per_resident)
    fighters = model.hamas.fighters + model.others.fighters
    ratio = weighted / np.maximum(fighters, 1.0)
    assert deter == pytest.approx(1.0 - 10.0 ** (-ratio / 10.0))
    # Hamas secures only cells neither the force nor the IDF holds
    hamas = presence.personnel[ForceCategory.HAMAS]
    hidden = area | model.territory.idf_held
    assert hamas[hidden].sum() == 0.0
    assert hamas[~hidden] == pytest.approx(model.hamas.fighters[~hidden])
    assert presence.personnel[ForceCategory.POLICE] == pytest.approx(500.0 * share)


# -- violence, casualties, decommissioning --------------------------------------------------------


def test_todays_strike_policy_is_heavy_at_war() -> None:
    model = model_of()
    model.strike_policy = StrikePolicy.RESTRAINED
    assert model._policy() is StrikePolicy.RESTRAINED
    model.ceasefire.status = CeasefireStatus.COLLAPSED
    assert model._policy() is StrikePolicy.HEAVY


def test_the_violence_of_a_day_is_wired_to_its_parts(monkeypatch: pytest.MonkeyPatch) -> None:
    model = model_of(seed=2)
    for contingent in model.contingents:
        contingent.active_days = 10_000
    model._troops_by_category(0)
    model._deploy(np.array([5000.0, 0.0, 0.0]))
    model.strike_policy = StrikePolicy.RESTRAINED
    model.politics.levers = levers(model, hamas_compliance=0.25)
    calls: list[Any] = []
    harm_seen: dict[str, np.ndarray] = {}

    def record_harm(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls.append((name, args, kwargs))
            result = real(*args, **kwargs)
            harm_seen[name] = args[2].copy() if name == "strike" else args[-1][2].copy()
            return result

        return wrapper

    monkeypatch.setattr(gaza, "violence_day", record_harm("violence_day", gaza.violence_day))
    monkeypatch.setattr(gaza, "strike", record_harm("strike", gaza.strike))
    presence, _, deter, _ = model._deploy(model._troops_by_category(0))
    out = model._violence(presence, deter, model.view.grievance)
    (day,) = args_of(calls, "violence_day")
    streams, _, groups, force, targets, line, _, _ = day
    assert streams[1] is model.streams.prepared("line_fire", hold)  # the fire's own stream
    assert force[2] is True  # troops inside: their reach spreads to neighbouring cells
    assert groups[1].tolist() == [0.25, 0.0]  # Hamas's compliance; the others outside any deal
    assert np.array_equal(targets[1], presence.personnel[ForceCategory.POLICE])
    assert np.array_equal(targets[2], model._idf_layout()[1])
    assert line[1] is model._front() and line[2] is model._area
    per_day = model.effects.line_fire_deaths_per_day.value
    assert line[3] == pytest.approx(0.3 * per_day)  # restrained_strike_factor
    (struck,) = args_of(calls, "strike")
    assert struck[5] == pytest.approx(0.3)
    assert struck[6] == shipped(BASE).idf.strike_probability.value and struck[7] is False
    # civilians killed: crossfire and reprisals, then strikes, then fire along the line
    assert harm_seen["violence_day"].sum() > 0.0 and out.line_fire_deaths > 0.0  # seed 2
    assert out.harm_by_cell is not None
    line_deaths = out.harm_by_cell - harm_seen["strike"]
    assert line_deaths.sum() == pytest.approx(out.line_fire_deaths)
    assert out.civilian_deaths == pytest.approx(out.harm_by_cell.sum())
    assert model.map_fields()["civilian_deaths"] is out.harm_by_cell


def test_at_war_nobody_complies(monkeypatch: pytest.MonkeyPatch) -> None:
    model = model_of()
    model.politics.levers = levers(model, hamas_compliance=0.8)
    model.ceasefire.status = CeasefireStatus.COLLAPSED
    calls: list[Any] = []
    spy(monkeypatch, gaza, "violence_day", calls)
    spy(monkeypatch, gaza, "strike", calls)
    presence, _, deter, _ = model._deploy(model._troops_by_category(0))
    model._violence(presence, deter, model.view.grievance)
    (day,) = args_of(calls, "violence_day")
    assert day[2][1].tolist() == [0.0, 0.0]
    (struck,) = args_of(calls, "strike")
    assert struck[5] == pytest.approx(3.0) and struck[7] is True  # heavy at war


@pytest.mark.parametrize("stream", ["violence", "line_fire"])
def test_a_days_violence_draws_from_its_own_streams(stream: str) -> None:
    # the same seed, one stream moved on: the day's violence differs (seed 0 has attacks and
    # fire along the line on day 0); another stream moved on changes nothing
    days = {}
    for moved in (None, stream, "unused"):
        model = model_of()
        if moved is not None:
            model.streams[moved].random(10)
        model.step()
        days[moved] = model.recorder.frame().iloc[0]
    assert not days[None].equals(days[stream])
    assert days[None].equals(days["unused"])


def test_force_deaths_are_split_by_strength_on_the_violence_stream() -> None:
    model = model_of(seed=3)
    model._strengths = np.array([100.0, 0.0, 300.0, 0.0, 600.0])
    model.week.clear()
    twin = np.random.default_rng()
    twin.bit_generator.state = model.streams["violence"].bit_generator.state
    split = twin.multinomial(50, np.array([0.1, 0.0, 0.3, 0.0, 0.6]))
    model._casualties(0, DayViolence(isf_deaths=50.0))
    keys = [c.key for c in model.contingents]
    expected = {k: float(d) for k, d in zip(keys, split, strict=True) if d}
    assert model.week.isf_deaths == expected
    assert [c.deaths for c in model.contingents] == split.tolist()


def test_a_single_force_death_counts_and_none_without_troops() -> None:
    model = model_of()
    model.week.clear()
    model._strengths = np.array([0.5, 0.0, 0.0, 0.0, 0.0])  # half a soldier of indonesia's
    model._casualties(0, DayViolence(isf_deaths=1.0))
    assert model.week.isf_deaths == {"indonesia": 1.0}
    model.week.clear()
    model._strengths = np.zeros(5)
    model._casualties(0, DayViolence(isf_deaths=3.0))  # nobody to die: no split
    assert model.week.isf_deaths == {}
    assert sum(c.deaths for c in model.contingents) == 1.0  # the one death of before


def test_the_dead_leave_the_population_and_the_week_adds_up() -> None:
    model = model_of()
    model.week.clear()
    people = model.view.population.copy()
    cell = np.unravel_index(np.argmax(people), people.shape)
    harm = np.zeros(people.shape)
    harm[cell] = 10.0
    day = DayViolence(
        police_deaths=2.0, strike_civilian_deaths=3.0, reprisal_deaths=4.0, harm_by_cell=harm
    )
    for _ in range(2):
        model._casualties(0, day)
    assert model.view.population[cell] == pytest.approx(people[cell] - 20.0)
    week = model.week
    assert (week.police_deaths, week.strike_civilian_deaths, week.reprisal_deaths) == (4, 6, 8)
    assert model.police.deaths == 4.0


def test_a_collapse_sends_home_the_contingents_that_leave_if_the_mission_changes() -> None:
    model = model_of()
    for contingent in model.contingents:
        contingent.active_days = 10
    model.week.clear()
    model.ceasefire.status = CeasefireStatus.COLLAPSED
    model._casualties(40, DayViolence())
    azerbaijan = model.contingents[1]  # leave_if_mission_changes
    assert azerbaijan.leaving_since == 40 and azerbaijan.withdrawal_reason == "the mission changed"
    assert model.week.withdrawals == ["azerbaijan"]
    model._casualties(41, DayViolence())  # already leaving: not counted again
    assert model.week.withdrawals == ["azerbaijan"]


def _disarm_setup(model: GazaModel) -> tuple[np.ndarray, np.ndarray]:
    area = _give_first_sector(model)
    model._area = area
    deter = np.where(area, 0.5, 0.0)
    model.hamas.decommissioned, model.others.decommissioned = 300.0, 100.0
    model.week.clear()
    return area, deter


def test_consent_hands_in_hamas_weapons_where_the_force_holds_ground() -> None:
    # no troops, so no coercion; consent = 0.01 a day x compliance 0.5 of Hamas's weapons there
    model = model_of()
    area, deter = _disarm_setup(model)
    hamas, others = model.hamas.weapons.copy(), model.others.weapons.copy()
    total = hamas.sum() + others.sum() + 400.0  # weapons left plus those already handed in
    _with_strengths(model, [0.0] * 5)
    model._disarm(levers(model, hamas_compliance=0.5), deter)
    handed = 0.005 * hamas[area].sum()
    assert model.hamas.decommissioned == pytest.approx(300.0 + handed)
    assert model.others.decommissioned == 100.0 and model.others.weapons == pytest.approx(others)
    assert model.week.weapons_decommissioned_share == pytest.approx(handed / total)
    # the week adds up: the next day 0.005 of what is left, over the same total
    model._disarm(levers(model, hamas_compliance=0.5), deter)
    assert model.week.weapons_decommissioned_share == pytest.approx(handed / total * 1.995)
    assert model.ground.field("armed") == pytest.approx(
        model.hamas.fighters + model.others.fighters
    )


def test_no_consent_at_war() -> None:
    model = model_of()
    _, deter = _disarm_setup(model)
    _with_strengths(model, [0.0] * 5)
    model.ceasefire.status = CeasefireStatus.COLLAPSED
    model._disarm(levers(model, hamas_compliance=0.9), deter)
    assert model.hamas.decommissioned == 300.0 and model.week.weapons_decommissioned_share == 0.0


@pytest.mark.parametrize(("robust", "factor"), [(True, 1.0), (False, 0.05)])
def test_coercion_seizes_by_deterrence_and_needs_the_mandate(robust: bool, factor: float) -> None:
    # all troops coerce (indonesia): 0.004 a day x deterrence 0.5 of every group's weapons in
    # the area; without a robust mandate x coercion_needs_mandate 0.05; Hamas refuses (0)
    model = model_of()
    area, deter = _disarm_setup(model)
    hamas, others = model.hamas.weapons.copy(), model.others.weapons.copy()
    _with_strengths(model, [1000.0, 0.0, 0.0, 0.0, 0.0])
    model._disarm(levers(model, hamas_compliance=0.0, mandate_robust=robust), deter)
    rate = 0.004 * 0.5 * factor
    assert model.hamas.decommissioned == pytest.approx(300.0 + rate * hamas[area].sum())
    assert model.others.decommissioned == pytest.approx(100.0 + rate * others[area].sum())


def test_recruits_join_the_groups_by_share_after_attrition() -> None:
    model = model_of()
    attrition = model.ground.spec.recruitment.attrition_per_day.value
    hamas, others = model.hamas.fighters.copy(), model.others.fighters.copy()
    recruits = np.full(hamas.shape, 10.0)
    model._take_recruits(recruits)
    # Hamas takes hamas_recruit_share 0.8 of the recruits, the others the rest
    assert model.hamas.fighters == pytest.approx(hamas * (1 - attrition) + 8.0)
    assert model.others.fighters == pytest.approx(others * (1 - attrition) + 2.0)


# -- records and the week -------------------------------------------------------------------


def test_the_record_of_a_day_by_hand() -> None:
    model = model_of()
    nothing = np.zeros(model.geometry.shape, dtype=bool)
    no_aid = {"delivered_trucks": 0.0, "delivered_share": 0.0}
    model._record(2, DayViolence(), np.zeros(3), nothing, no_aid, 0.0)
    # before its first day a model has fired no event and covers no one
    assert model.recorder.series["events_fired"][2] == 0.0
    assert model.recorder.series["force_cover"][2] == 0.0
    model.step()  # a day of grievance and actives on the ground
    secure = nothing.copy()
    secure[10:15] = True
    model.others.decommissioned = 5.0
    model._cover = 0.25
    aid = {"delivered_trucks": 100.0, "delivered_share": 0.2}
    model._record(
        3, DayViolence(attacks_on_isf=2.0), np.array([10.0, 20.0, 0.0]), secure, aid, 0.125
    )
    row = model.recorder.frame().iloc[3]
    view = model.view
    people = view.population.sum()
    assert view.grievance.sum() > 0.0 and view.actives.sum() > 0.0
    assert row["legitimacy"] == pytest.approx((view.legitimacy * view.population).sum() / people)
    assert row["grievance"] == pytest.approx((view.grievance * view.population).sum() / people)
    assert row["active_share"] == pytest.approx(view.actives.sum() / people)
    assert row["secure_population_share"] == pytest.approx(view.population[secure].sum() / people)
    held = model.territory.idf_held.sum() / model.geometry.land.sum()
    assert row["idf_held_share"] == pytest.approx(held)
    hamas, others = model.hamas, model.others
    assert row["fighters"] == pytest.approx(hamas.fighters.sum() + others.fighters.sum())
    assert row["weapons_remaining"] == pytest.approx(hamas.weapons.sum() + others.weapons.sum())
    assert row["weapons_decommissioned"] == hamas.decommissioned + 5.0
    assert row["reconstruction_share"] == 0.125 and row["aid_delivered_trucks"] == 100.0
    assert row["isf_troops"] == 30.0 and row["force_cover"] == 0.25
    assert row["incidents"] == 2.0
    # only day 3 is written
    assert model.recorder.series["isf_troops"].tolist()[:5] == [0.0, 0.0, 0.0, 30.0, 0.0]


def test_the_week_closes_with_the_line_and_each_contingents_strength() -> None:
    model = model_of()
    model._strengths = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    model._close_week()
    week = model.week
    assert week.idf_held_share == pytest.approx(
        model.territory.idf_held.sum() / model.geometry.land.sum()
    )
    assert week.deployed == {
        "indonesia": 1,
        "azerbaijan": 2,
        "egypt": 3,
        "turkey": 4,
        "pakistan": 5,
    }


def test_the_collapse_day_is_reported_to_the_bargaining_layer() -> None:
    model = model_of()
    model.ceasefire.collapse_day = 3
    model._politics(2)
    assert not model.week.ceasefire_collapsed
    model._politics(3)  # not a round day (cadence 7): the flag waits for the round
    assert model.week.ceasefire_collapsed is True


def test_one_way_coupling_hands_over_only_the_dated_events(monkeypatch: pytest.MonkeyPatch) -> None:
    model = model_of(
        replaced(shipped(BASE), ("structure", "politics_coupling"), CouplingForm.ONE_WAY)
    )
    model.week = WeekEvents(idf_deaths=5.0, fired_events=["a"], shocks=[])
    shocks = model.week.shocks
    calls: list[Any] = []
    spy(monkeypatch, model.politics, "play_round", calls)
    model._politics(7)
    ((day, handed),) = args_of(calls, "play_round")
    assert day == 7 and handed.fired_events == ["a"] and handed.shocks is shocks
    assert handed.idf_deaths == 0.0
    assert model.week.fired_events == []  # a new week begins


def test_conditions_count_incidents_and_strikes_and_keep_the_cover() -> None:
    model = model_of()
    model._cover = -1.0
    conditions = model._conditions(
        model.politics.levers, DayViolence(attacks_on_isf=3.0, strikes=2.0)
    )
    assert conditions.violence == 5.0
    assert model._cover == conditions.cover == 0.0  # no ground held: no cover


def test_laps_add_up_per_part() -> None:
    model = model_of()
    start = time.perf_counter()
    middle = model._lap("x", start)
    end = model._lap("x", middle)
    assert model.timings["x"] == pytest.approx(end - start)


def test_map_fields_are_the_snapshot_fields_at_their_units() -> None:
    model = model_of()
    fields = model.map_fields()
    assert set(fields) == set(SNAPSHOT_FIELDS)
    people = model.view.population
    assert fields["population"] == pytest.approx(people / model.geometry.cell_area_km2)
    stock = model.ground.field("aid_stock")
    inhabited = people > 0
    # freed grids full of 7: an output left uninitialised where nobody lives would show them
    junk = [np.full(people.shape, 7.0) for _ in range(5)]
    del junk
    fields = model.map_fields()
    assert (~inhabited).any()  # the sea
    assert fields["aid_days"][inhabited] == pytest.approx(stock[inhabited] / people[inhabited])
    assert (fields["aid_days"][~inhabited] == 0.0).all()
    assert fields["civilian_deaths"].shape == people.shape
    # residents per km2 on a grid of 2 km cells: a quarter of the residents per cell
    coarse = model_of(override(shipped(BASE), {("ground", "strip", "cell_km"): 2.0}))
    assert coarse.geometry.cell_area_km2 == 4.0
    assert coarse.map_fields()["population"] == pytest.approx(coarse.view.population / 4.0)


def test_a_new_model_maps_empty_days() -> None:
    fields = model_of().map_fields()
    assert fields["civilian_deaths"].shape == fields["incidents"].shape == fields["grievance"].shape
    assert fields["civilian_deaths"].sum() == 0.0 and fields["incidents"].sum() == 0.0


# -- the weekly review and dated events -----------------------------------------------------------


def test_a_failing_condition_sends_a_deployed_contingent_home_after_its_patience() -> None:
    # turkey is blocked by the no_turkish_contingent branch of base.yaml; once deployed it holds
    # on the failed condition 7 days a review and leaves when 28 days (contributor_patience_days)
    # have failed: at the fourth review, day 21
    model = model_of()
    turkey = model.contingents[3]
    turkey.active_days = 10
    for day in (0, 7, 14):
        model._review_contingents(day, model.politics.levers)
        assert turkey.holding and turkey.hold_reason == "bargaining branch no_turkish_contingent"
        assert not turkey.withdrawn
    model._review_contingents(21, model.politics.levers)
    assert turkey.leaving_since == 21
    assert turkey.withdrawal_reason == "condition failed: bargaining branch no_turkish_contingent"
    assert model.week.withdrawals == ["turkey"]
    model._review_contingents(28, model.politics.levers)  # already leaving: counted once
    assert model.week.withdrawals == ["turkey"]


@pytest.mark.parametrize(
    ("us_troops", "day", "context"),
    [
        # the mandate runs 775 days; US leadership means at least one US soldier
        (200, 0, {"mandate": True, "us_lead": True}),
        (1, 775, {"mandate": False, "us_lead": True}),
        (0, 0, {"mandate": True, "us_lead": False}),
    ],
)
def test_the_weekly_review_reads_the_mandate_the_us_and_the_ceasefire(
    monkeypatch: pytest.MonkeyPatch, us_troops: int, day: int, context: dict[str, bool]
) -> None:
    model = model_of(override(shipped(BASE), {("forces", "us_support", "troops"): us_troops}))
    model.ceasefire.status = CeasefireStatus.COLLAPSED
    calls: list[Any] = []
    spy(monkeypatch, gaza, "failed_condition", calls)
    model._review_contingents(day, model.politics.levers)
    seen = args_of(calls, "failed_condition")
    assert len(seen) == len(model.contingents)
    _, dimensions, branches, read = seen[0]
    assert dimensions is model.politics.levers.dimensions
    assert branches is model.politics.levers.branches
    assert (read.mandate, read.us_lead, read.collapsed) == (
        context["mandate"],
        context["us_lead"],
        True,
    )
    assert read.hamas_consent == model._hamas_consent(model.politics.levers)


def test_an_unmandated_force_reads_no_mandate(monkeypatch: pytest.MonkeyPatch) -> None:
    model = model_of(replaced(shipped(BASE), ("mandate", "resolution"), Resolution.NONE))
    calls: list[Any] = []
    spy(monkeypatch, gaza, "failed_condition", calls)
    model._review_contingents(0, model.politics.levers)
    assert args_of(calls, "failed_condition")[0][3].mandate is False


def test_ultimatums_expiring_unmet_change_the_policy_and_the_floor() -> None:
    # three ultimatums with the same deadline: the first asks for nothing (met), the others for
    # half of the weapons (unmet at 0%): only these two apply and count as today's events
    scenario = shipped("as-reported-2026.yaml")
    ultimatum = next(e for e in scenario.events if isinstance(e, Ultimatum))
    required = ultimatum.decommissioned_share_required
    met = ultimatum.model_copy(
        update={
            "id": "met",
            "decommissioned_share_required": required.model_copy(update={"value": 0.0}),
        }
    )
    unmet = ultimatum.model_copy(
        update={
            "id": "unmet",
            "strike_policy_on_expiry": StrikePolicy.HEAVY,
            "held_share_on_expiry": required.model_copy(update={"value": 0.7}),
        }
    )
    also = unmet.model_copy(
        update={"id": "also", "held_share_on_expiry": required.model_copy(update={"value": 0.6})}
    )
    model = model_of(scenario.model_copy(update={"events": [met, unmet, also]}))
    deadline = ultimatum.day.value + ultimatum.deadline_days.value
    model._fire_events(deadline)
    assert model.strike_policy is StrikePolicy.HEAVY
    assert model.territory.floor_share == 0.7  # the larger of the two floors
    assert model.week.fired_events == ["unmet_expired_unmet", "also_expired_unmet"]
    assert model._fired_today == 2


# -- the day ----------------------------------------------------------------------------------


def test_contributors_review_on_day_zero_and_every_seventh_day() -> None:
    model = model_of()
    turkey = model.contingents[3]  # blocked by a bargaining branch from the start
    model.step()
    assert turkey.holding
    turkey.holding = False
    for _ in range(6):  # days 1-6: no review
        model.step()
        assert not turkey.holding
    model.step()  # day 7
    assert turkey.holding


def test_the_force_and_the_line_move_on_todays_values(monkeypatch: pytest.MonkeyPatch) -> None:
    model = model_of()
    model._weekly_incidents = [100.0] + [1.0] * 7  # the last seven days: 7 incidents
    calls: list[Any] = []
    spy(monkeypatch, model.territory, "expand", calls)
    spy(monkeypatch, model.territory, "update_line", calls)
    model._move_lines(3, 1234.0, levers(model, mandate_robust=True))
    model._strengths, model._deployed = np.ones(5), True  # as _troops_by_category sets them
    model._move_lines(4, 1234.0, levers(model, mandate_robust=True))
    (empty, inside) = args_of(calls, "expand")
    assert empty[1] == 0.0 and inside[1] == 1234.0  # no troops inside, no force to expand with
    assert inside[3] == 0.5 and inside[4] is True  # partial consent; a robust, coercive mandate
    assert inside[5] == pytest.approx(model.hamas.fighters + model.others.fighters)
    line = args_of(calls, "update_line")[0]
    assert line[0] == 3 and line[2] == 7.0 and line[3] is False
    assert line[4] == model._decommissioned_share()


def test_a_day_hands_today_to_each_component(monkeypatch: pytest.MonkeyPatch) -> None:
    # the southern fallback zone is rebuilt from the first day, so repairs are not zero
    model = model_of("hamas-rejects-southern-fallback.yaml")
    model.step()
    model.events.funding_factor = 0.5
    calls: list[Any] = []
    results: dict[str, Any] = {}
    armed_seen: list[bool] = []
    real_secure = model.territory.secure_cells

    def secure_cells(*args: Any) -> Any:
        calls.append(("secure_cells", args, {}))
        h, o = model.hamas, model.others
        armed = np.minimum(h.fighters, h.weapons) + np.minimum(o.fighters, o.weapons)
        armed_seen.append(np.allclose(args[4], armed))
        return real_secure(*args)

    monkeypatch.setattr(model.territory, "secure_cells", secure_cells)
    for owner, name in (
        (model, "_troops_by_category"),
        (model.aid, "deliver"),
        (model, "_casualties"),
        (model.rebuild, "step"),
        (model.ground, "add_damage"),
        (model.ceasefire, "update"),
        (model, "_record"),
    ):
        spy(monkeypatch, owner, name, calls, results)
    support = model.politics.levers.governance_support
    model.step()  # day 1
    order = [name for name, _, _ in calls if name != "add_damage"]
    assert order == [
        "_troops_by_category",
        "secure_cells",
        "deliver",
        "_casualties",
        "step",
        "update",
        "_record",
    ]
    assert armed_seen == [True]  # fighters who hold a weapon, both groups
    assert args_of(calls, "_troops_by_category") == [(1,)]
    (deliver,) = args_of(calls, "deliver")
    assert deliver[0] == 1 and deliver[3] == model._strengths.sum() and deliver[4] is False
    assert args_of(calls, "_casualties")[0][0] == 1
    (rebuild,) = args_of(calls, "step")
    assert len(rebuild) == 5 and rebuild[1] is model.territory
    assert rebuild[3] == support and rebuild[4] == 0.5
    rebuilt, repair = results["step"]
    assert repair.sum() > 0.0
    assert any(np.array_equal(change, -repair) for (change,) in args_of(calls, "add_damage"))
    assert args_of(calls, "update")[0][0] == 1
    (record,) = args_of(calls, "_record")
    assert record[0] == 1 and record[5] == rebuilt


# -- a run: its model's days, summary, political log, positions and timings --------------------


class Collapsing(GazaModel):
    """A model whose ceasefire collapses at its first draw (on day 0)."""

    def __init__(
        self, scenario: Scenario, seed: int | np.random.SeedSequence | None = 0, **options: Any
    ) -> None:
        super().__init__(scenario, seed, **options)
        self.ceasefire._threshold = 0.0


SHORT = 8  # one bargaining round (day 7)


@pytest.fixture(scope="module")
def war() -> tuple[RunResult, GazaModel, float]:
    """A short run that collapses on day 0, and the same model stepped by hand."""
    scenario = with_horizon(shipped(BASE), SHORT)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(run_module, "GazaModel", Collapsing)
        start = time.perf_counter()
        result = run_scenario(scenario, 5, record_daily=True, record_maps=3)
        wall = time.perf_counter() - start
    model = Collapsing(scenario, 5)
    for _ in range(SHORT):
        model.step()
    return result, model, wall


def test_a_run_is_its_models_days(war: tuple[RunResult, GazaModel, float]) -> None:
    result, model, _ = war
    assert result.daily is not None
    pd.testing.assert_frame_equal(result.daily, model.recorder.frame())
    assert model.ceasefire.collapse_day == 0
    # the same summary (equals counts the NaN of rates over no holding day as equal)
    assert pd.Series(result.summary).equals(pd.Series(summarise(result.daily, 0, SHORT)))
    assert result.summary["ceasefire_collapsed"] is True
    assert result.summary["days_to_collapse"] == 0.0
    assert result.politics is not None and list(result.politics["day"]) == [7]
    assert list(result.politics.columns) == list(pd.DataFrame(model.politics.log).columns)
    assert result.positions is not None
    pd.testing.assert_frame_equal(result.positions, model.politics.positions_table())


def test_a_runs_timings_add_up(war: tuple[RunResult, GazaModel, float]) -> None:
    result, _, wall = war
    assert set(result.timings) == {"forces", "ground", "bargaining", "total"}
    parts = sum(v for k, v in result.timings.items() if k != "total")
    assert parts <= result.timings["total"] <= wall


def test_a_run_takes_its_seed_and_seed_zero_by_default() -> None:
    scenario = with_horizon(shipped(BASE), 3)
    default = run_scenario(scenario, record_daily=True).daily
    zero = run_scenario(scenario, 0, record_daily=True).daily
    other = run_scenario(scenario, 1, record_daily=True).daily
    assert default is not None and zero is not None and other is not None
    pd.testing.assert_frame_equal(default, zero)
    assert not zero.equals(other)


# -- map snapshots -------------------------------------------------------------------------------


def test_snapshots_are_float_copies() -> None:
    geometry = model_of().geometry
    snapshots = MapSnapshots(geometry, 5)
    controller = np.zeros(geometry.shape, dtype=bool)
    controller[0, 0] = True
    grievance = np.full(geometry.shape, 0.5)
    held = np.zeros(geometry.shape, dtype=bool)
    snapshots.add(0, {"controller": controller, "grievance": grievance}, held)
    grievance[:] = 0.9  # the model's live fields change the next day
    held[:] = True
    stored = snapshots.fields["controller"][0]
    assert stored.dtype == np.float64 and stored[0, 0] == 1.0 and stored.sum() == 1.0
    assert (snapshots.fields["grievance"][0] == 0.5).all()
    assert not snapshots.idf_held[0].any()


def test_a_snapshot_is_drawn_with_its_day_and_label(monkeypatch: pytest.MonkeyPatch) -> None:
    geometry = model_of().geometry
    snapshots = MapSnapshots(geometry, 5)
    held = np.zeros(geometry.shape, dtype=bool)
    for day in (0, 5):
        fields = {"grievance": np.full(geometry.shape, day / 10), "custom": np.ones(geometry.shape)}
        snapshots.add(day, fields, held)
    drawn: list[tuple[Any, ...]] = []
    monkeypatch.setattr(render, "draw_field", lambda *args: drawn.append(args))
    render_snapshot(snapshots, "grievance", 7, io.BytesIO())  # day 7 shows the day-5 snapshot
    _, _, _, values, name, day, label = drawn[0]
    assert (values == 0.5).all() and name == "grievance" and day == 5
    assert label == SNAPSHOT_FIELDS["grievance"]
    render_snapshot(snapshots, "custom", 2, io.BytesIO())  # a field without a description
    assert drawn[1][5:] == (0, "")


def test_a_snapshot_is_a_png_whatever_the_file_is_called(tmp_path: Path) -> None:
    geometry = model_of().geometry
    snapshots = MapSnapshots(geometry, 5)
    snapshots.add(0, {"grievance": np.zeros(geometry.shape)}, np.zeros(geometry.shape, bool))
    path = tmp_path / "map.svg"
    render_snapshot(snapshots, "grievance", 0, str(path))
    assert path.read_bytes().startswith(b"\x89PNG")
