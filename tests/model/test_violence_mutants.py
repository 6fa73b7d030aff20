"""Violence's Python layer (sim/model/violence.py) against answers worked out by hand.

Written for the mutants the full mutation run of the model left alive (docs/testing.md, "The
model's glue and violence"): the strike rules (which draws happen, how they add up, when no
strike lands, how the policy factor scales them), the day's record, the group rates per 1,000
fighters, an arsenal's spread and decommissioning, the compiled armed day's exposure and
compliance, and the force's fields. Random answers are checked either exactly, against a twin
generator that makes the same draws in the documented order, or against a mean with a tolerance
of at least 3.5 standard deviations, stated at the test.
"""

from __future__ import annotations

import mesa
import numpy as np
import pytest

from sim.model.violence import (
    Arsenal,
    DayViolence,
    GroupRates,
    armed_day,
    force_fields,
    front_cells,
    scatter,
    strike,
    tally,
)
from sim.scenario.effects import EffectsSpec
from tests.model.conftest import shipped, with_effects

EFFECTS = EffectsSpec()
# strikes_per_idf_death 15, war_strikes_per_day 15, civilian_deaths_per_strike 2,
# fighters_killed_per_strike 1, damage_per_strike 0.002


def _hamas(fighters: list[list[float]]) -> Arsenal:
    grid = np.array(fighters, dtype=float)
    return Arsenal(mesa.Model(), "hamas", grid, np.zeros_like(grid))


def _strike(
    seed: int,
    out: DayViolence,
    hamas: Arsenal,
    *,
    factor: float = 1.0,
    probability: float = 1.0,
    collapsed: bool = False,
    effects: EffectsSpec = EFFECTS,
) -> np.ndarray | None:
    harm = np.zeros(hamas.fighters.shape)
    return strike(
        np.random.default_rng(seed), out, harm, hamas, effects, factor, probability, collapsed
    )


# -- strikes: which draws, how they add up ------------------------------------------------------


def test_every_attack_on_the_idf_is_answered_at_a_certain_chance() -> None:
    # chance = min(1, 0.75 x 2) = 1: binomial(20, 1) = 20 strikes, all on the one cell with
    # fighters; each destroys damage_per_strike x factor = 0.002 x 2 of the cell's structures
    hamas = _hamas([[0.0, 100.0]])
    out = DayViolence(attacks_on_idf=20.0)
    destroyed = _strike(0, out, hamas, factor=2.0, probability=0.75)
    assert out.strikes == 20.0
    assert destroyed is not None
    assert destroyed.shape == (1, 2)
    assert destroyed == pytest.approx(np.array([[0.0, 20 * 0.002 * 2.0]]))


def test_a_single_attack_draws_a_single_strike() -> None:
    out = DayViolence(attacks_on_idf=1.0)
    assert _strike(0, out, _hamas([[50.0]])) is not None
    assert out.strikes == 1.0


def test_a_quiet_day_brings_no_strike() -> None:
    # no attack on the IDF, no IDF death, no war: nothing is drawn and nothing lands
    out = DayViolence(attacks_on_isf=5.0, idf_deaths=0.0)
    assert _strike(0, out, _hamas([[50.0]]), factor=3.0) is None
    assert out.strikes == 0.0 and out.strike_civilian_deaths == 0.0


def test_strikes_need_fighters_to_land_on() -> None:
    out = DayViolence(attacks_on_idf=10.0)
    assert _strike(0, out, _hamas([[0.0, 0.0]])) is None
    assert out.strikes == 0.0
    # but half a fighter is a target
    few = DayViolence(attacks_on_idf=10.0)
    assert _strike(0, few, _hamas([[0.0, 0.5]])) is not None
    assert few.strikes == 10.0


def test_strike_waves_after_soldiers_are_killed() -> None:
    # 2 IDF deaths x 15 strikes per death x factor 0.5: Poisson(15), the stream's first draw
    for seed in range(3):
        out = DayViolence(idf_deaths=2.0)
        _strike(seed, out, _hamas([[80.0]]), factor=0.5)
        assert out.strikes == np.random.default_rng(seed).poisson(15.0)


def test_a_wave_with_a_mean_of_one_is_drawn() -> None:
    # one strike per IDF death: Poisson(1), drawn although its mean is not above one; over
    # five seeds the first draw is positive at least once (1 - e^-5 would fail 0.7% of seeds;
    # these seeds are fixed)
    effects = with_effects(EFFECTS, strikes_per_idf_death=1.0)
    draws = [np.random.default_rng(seed).poisson(1.0) for seed in range(5)]
    assert sum(draws) > 0
    for seed, expected in enumerate(draws):
        out = DayViolence(idf_deaths=1.0)
        _strike(seed, out, _hamas([[80.0]]), effects=effects)
        assert out.strikes == expected


def test_war_strikes_only_after_a_collapse() -> None:
    for seed in range(3):
        out = DayViolence()
        _strike(seed, out, _hamas([[80.0]]), collapsed=True)
        assert out.strikes == np.random.default_rng(seed).poisson(15.0)
    assert _strike(0, DayViolence(), _hamas([[80.0]]), collapsed=False) is None
    # a war rate of one strike a day is drawn too
    effects = with_effects(EFFECTS, war_strikes_per_day=1.0)
    draws = [np.random.default_rng(seed).poisson(1.0) for seed in range(5)]
    assert sum(draws) > 0
    for seed, expected in enumerate(draws):
        out = DayViolence()
        _strike(seed, out, _hamas([[80.0]]), collapsed=True, effects=effects)
        assert out.strikes == expected


def test_answers_waves_and_war_strikes_add_up() -> None:
    # draws in the documented order: binomial(attacks, chance), Poisson(waves), Poisson(war)
    out = DayViolence(attacks_on_idf=4.0, idf_deaths=1.0)
    _strike(7, out, _hamas([[80.0]]), factor=1.0, probability=0.5, collapsed=True)
    twin = np.random.default_rng(7)
    answers = twin.binomial(4, 0.5)
    waves = twin.poisson(15.0 * 1.0)
    war = twin.poisson(15.0)
    assert min(answers, waves, war) > 0  # each term counts (seed 7 draws all three positive)
    assert out.strikes == answers + waves + war


def test_strike_harm_scales_with_the_policy_factor() -> None:
    # 1,000 strikes (chance 1) at factor 2: civilian deaths Poisson(1000 x 2 per strike x 2)
    # = 4,000 (sd 63; tolerance 10% = 6 sd), fighters killed Poisson(1000 x 1) = 1,000 (sd 32;
    # tolerance 15% = 4.7 sd); the fighters killed leave the grid and the civilian deaths enter
    # the harm field
    hamas = _hamas([[1e6, 1e6]])
    harm = np.zeros((1, 2))
    out = DayViolence(attacks_on_idf=1000.0)
    strike(np.random.default_rng(3), out, harm, hamas, EFFECTS, 2.0, 0.5, False)
    assert out.strikes == 1000.0
    assert out.strike_civilian_deaths == pytest.approx(4000.0, rel=0.10)
    assert out.fighters_killed == pytest.approx(1000.0, rel=0.15)
    assert harm.sum() == pytest.approx(out.strike_civilian_deaths)
    assert hamas.fighters.sum() == pytest.approx(2e6 - out.fighters_killed)


# -- the day's record and the group rates -------------------------------------------------------


def test_the_days_record_adds_incidents_and_palestinians_killed() -> None:
    day = DayViolence(
        attacks_on_isf=1.0,
        attacks_on_police=2.0,
        attacks_on_idf=3.0,
        attacks_on_rivals=4.0,
        reprisals=5.0,
        civilian_deaths=7.0,
        fighters_killed=11.0,
    )
    record = day.record()
    assert record["incidents"] == 1 + 2 + 3 + 4 + 5
    assert record["palestinians_killed"] == 7 + 11  # the ministry counts both
    assert record["attacks_on_rivals"] == 4.0 and record["civilian_deaths"] == 7.0


def test_group_rates_are_per_fighter_per_day() -> None:
    hamas, others = shipped("base.yaml").hamas, shipped("base.yaml").other_armed_groups
    rates = GroupRates.of(2.0, 5.0, 0.5, hamas, others)
    # the scenario gives rates per 1,000 fighters per day
    assert rates.attack == pytest.approx(
        [hamas.attack_rate.value / 1000, others.attack_rate.value / 1000], rel=1e-9
    )
    assert rates.reprisal == pytest.approx(
        [hamas.reprisal_rate.value / 1000, others.reprisal_rate.value / 1000], rel=1e-9
    )
    assert (rates.police_exposure, rates.idf_exposure, rates.grievance_baseline) == (2, 5, 0.5)


# -- arsenals -----------------------------------------------------------------------------------


def test_an_arsenal_is_spread_in_proportion_to_the_weights() -> None:
    group = shipped("base.yaml").other_armed_groups
    # weights that sum to less than one are shares all the same: 1/4 and 3/4 of the group
    arsenal = Arsenal.spread(mesa.Model(), "others", group, np.array([[0.1, 0.3]]))
    assert arsenal.name == "others" and arsenal.decommissioned == 0.0
    fighters, weapons = group.fighters.value, group.weapons.value
    assert arsenal.fighters == pytest.approx(np.array([[fighters / 4, 3 * fighters / 4]]))
    assert arsenal.weapons == pytest.approx(np.array([[weapons / 4, 3 * weapons / 4]]))


def test_decommissioning_accumulates() -> None:
    # consent 10% a day in the one held cell of 200 weapons: 20 handed in, then 18
    weapons = np.array([[200.0, 50.0]])
    arsenal = Arsenal(mesa.Model(), "hamas", np.array([[100.0, 10.0]]), weapons)
    area = np.array([[True, False]])
    no_deterrence = np.zeros((1, 2))
    arsenal.decommission(0.1, area, 0.0, no_deterrence)
    arsenal.decommission(0.1, area, 0.0, no_deterrence)
    assert arsenal.decommissioned == pytest.approx(20.0 + 18.0)
    assert arsenal.weapons == pytest.approx(np.array([[162.0, 50.0]]))
    assert arsenal.fighters == pytest.approx(np.array([[81.0, 10.0]]))  # demobilised in proportion


# -- the compiled armed day: exposure and compliance --------------------------------------------

RATES = GroupRates(np.array([0.05 / 1000]), np.array([0.01 / 1000]), 2.0, 5.0, 0.5)


def test_armed_day_shares_attacks_by_exposure_and_takes_compliance() -> None:
    # one group of 1e8 fighters at grievance 1, compliance 0.5, no deterrence:
    # mean attacks 0.05/1000 x 1e8 x 0.5 x 1.5 = 3,750 (sd 61: tolerance 7% = 4.3 sd);
    # targets force 100, police 100 x 2, IDF 100 x 5: shares 1/8, 2/8, 5/8 (sd of a share
    # <= 0.008: 0.03 = 3.7 sd); reprisals 0.01/1000 x 1e8 = 1,000 (sd 32: 15% = 4.7 sd)
    shape = (1, 1)
    incidents, harm = np.zeros(shape), np.zeros(shape)
    out = armed_day(
        np.random.default_rng(11),
        RATES,
        np.full((1, *shape), 1e8),
        np.array([0.5]),
        np.zeros(shape),
        np.ones(shape),
        np.full((3, *shape), 100.0),
        np.zeros(shape),
        (np.ones(shape), np.ones(shape)),
        EFFECTS,
        incidents,
        harm,
    )
    attacks = np.array(
        [out.attacks_on_isf, out.attacks_on_police, out.attacks_on_idf, out.attacks_on_rivals]
    )
    assert attacks.sum() == pytest.approx(3750, rel=0.07)
    assert attacks / attacks.sum() == pytest.approx([1 / 8, 2 / 8, 5 / 8, 0.0], abs=0.03)
    assert out.reprisals == pytest.approx(1000, rel=0.15)
    # every incident is placed on the grid; reprisal deaths are 1 per reprisal without a force
    assert incidents.sum() == out.incidents
    assert out.reprisal_deaths == out.reprisals * EFFECTS.civilian_deaths_per_reprisal.value


# -- the force's fields ---------------------------------------------------------------------------


def test_force_fields_protection_cooperation_and_reach() -> None:
    # one cell at the hostile density (20 per 1,000) among empty ones: Hultman's ratios 2/106
    # (civilians) and 6/22 (battle deaths) there, cooperation min(20 / 2.5, 1) = 1; spread, its
    # 90 troops reach each neighbour as 90 / 9 = 10; unspread, they stay in their cell
    cells = np.zeros((3, 3))
    cells[1, 1] = 90.0
    density = np.zeros((3, 3))
    density[1, 1] = 20.0
    civ, battle, cooperation, reach = force_fields(cells, density, True, EFFECTS)
    assert civ[1, 1] == pytest.approx(2 / 106) and civ[0, 0] == pytest.approx(1.0)
    assert battle[1, 1] == pytest.approx(6 / 22) and battle[2, 2] == pytest.approx(1.0)
    assert cooperation[1, 1] == 1.0 and cooperation[0, 1] == 0.0
    assert reach == pytest.approx(np.full((3, 3), 10.0))
    unspread = force_fields(cells, density, False, EFFECTS)[3]
    assert unspread == pytest.approx(cells)


# -- scatter ------------------------------------------------------------------------------------


def test_scatter_places_every_event_where_the_weights_are() -> None:
    rng = np.random.default_rng(5)
    counts = scatter(rng, np.array([[0.0, 1.0], [3.0, 0.0]]), 4000)
    assert counts.shape == (4,) and counts.sum() == 4000
    assert counts[0] == 0.0 and counts[3] == 0.0
    # 1 : 3 (binomial sd of the share 0.007: 0.03 = 4.3 sd)
    assert counts[2] / 4000 == pytest.approx(0.75, abs=0.03)
    assert scatter(rng, np.ones(3), 0).tolist() == [0.0, 0.0, 0.0]
    assert scatter(rng, np.ones(3), 1).sum() == 1.0


# -- the tally's rivals and the line's near side -------------------------------------------------


class MeanRng:
    """A stream whose Poisson draws return their mean (the tally's pure-Python twin runs)."""

    def poisson(self, mean: float) -> float:
        return mean


def test_clashes_between_groups_are_tallied_as_attacks_on_rivals() -> None:
    attacks = np.zeros((2, 4, 1, 1))
    attacks[0, 3, 0, 0] = 4.0  # Hamas on the others
    attacks[1, 3, 0, 0] = 2.0  # and back
    out = tally(attacks, np.zeros((2, 1, 1)), np.ones((1, 1)), MeanRng(), EFFECTS)  # type: ignore[arg-type]
    assert out.attacks_on_rivals == 6.0 and out.incidents == 6.0


def test_a_cell_touching_one_held_cell_is_on_the_front() -> None:
    held = np.zeros((3, 3), dtype=bool)
    held[1, 1] = True
    front = front_cells(held, np.ones((3, 3), dtype=bool))
    assert front.sum() == 8 and not front[1, 1]  # each neighbour touches the one held cell
