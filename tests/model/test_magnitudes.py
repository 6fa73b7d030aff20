"""Magnitudes, not only signs: each model component against the number its source gives.

Every test feeds one component mock inputs and compares with an answer computed by hand in the
comments. The sources are the parameters' own (``docs/ODD.md``, Parameters of the full model):

* Fortna (2004, 2008): peacekeepers cut the risk of renewed war by 50-75%
  (``relapse_reduction_with_force`` 0.6, kept at ``non_un_discount`` 0.6 by a non-UN force);
* Quinlivan (1995): security personnel per 1,000 residents: ~2.5 calm, 10 contested, 20 hostile;
* the Dupuy Institute: a 10:1 force-to-fighter ratio is decisive (deterrence reaches 90% there);
  the force controls a cell, or enters one without consent, at half of it (5:1);
* Hultman, Kathman and Shannon (2013, 2014): 8,000 troops take civilian deaths from 106 to 2 a
  month, 10,000 troops battle deaths from 22 to 6; the model reaches these ratios at the hostile
  density;
* the plan's staged withdrawal (``fact.withdrawal_stages``): 0.55 -> 0.40 -> 0.15 of the Strip,
  each stage tied to verified decommissioning.

Each test is written so that a plausible one-line bug fails it (the four mutants of issue 15:
troops raising the hazard, the deterrence ratio multiplied, the security band inverted by
hostility, grievance no longer driving attacks; see docs/testing.md).
"""

from __future__ import annotations

import itertools
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from sim.ground.geometry import StripGeometry
from sim.model.aid import AidSystem
from sim.model.ceasefire import Ceasefire, Conditions, force_cover
from sim.model.gaza import GazaModel
from sim.model.territory import Territory
from sim.model.violence import (
    GroupRates,
    armed_violence,
    deterrence,
    protection,
    protection_factors,
)
from sim.scenario.effects import EffectsSpec
from tests.model.conftest import shipped, with_effects

EFFECTS = EffectsSpec()


# -- the ceasefire's hazard: Fortna's reduction, Quinlivan's contested band ---------------------


def _hazard(cover: float, effects: EffectsSpec = EFFECTS) -> float:
    ceasefire = Ceasefire(effects, np.random.default_rng(0))
    return ceasefire.daily_hazard(Conditions(cover, 0.0, 0.0, 0.0), strain=0.0)


def test_full_cover_cuts_the_hazard_by_fortnas_reduction() -> None:
    bare = _hazard(0.0)
    assert bare == pytest.approx(0.5 / 365)  # base_relapse_hazard_per_year / 365
    # a UN force (no discount) at full cover: 1 - 0.6 = 0.4 of the bare hazard, a 60% cut,
    # inside Fortna's 50-75%
    un = with_effects(EFFECTS, non_un_discount=1.0)
    assert _hazard(1.0, un) / bare == pytest.approx(0.4)
    assert 0.25 <= _hazard(1.0, un) / bare <= 0.5
    # the default non-UN force keeps 0.6 of the cut: 1 - 0.6 * 0.6 = 0.64
    assert _hazard(1.0) / bare == pytest.approx(0.64)
    # half cover, half the cut: 1 - 0.36 * 0.5 = 0.82
    assert _hazard(0.5) / bare == pytest.approx(0.82)


def test_troops_lower_the_hazard_up_to_quinlivans_contested_density() -> None:
    # one million residents, all in the force's area; troops per 1,000 residents = troops / 1000
    population = np.full((2, 5), 100_000.0)
    area = np.ones((2, 5), dtype=bool)
    contested = EFFECTS.density_contested.value  # 10 per 1,000 (Quinlivan)

    def hazard_with(troops: float) -> float:
        cover = force_cover(population, area, np.full((2, 5), troops / 10), contested)
        return _hazard(cover)

    bare = hazard_with(0.0)
    # 2,500 troops = 2.5 per 1,000, the calm band: a quarter of full cover, 1 - 0.36 * 0.25
    assert hazard_with(2_500) / bare == pytest.approx(0.91)
    # 10,000 troops = 10 per 1,000, the contested band: full cover, 1 - 0.36
    assert hazard_with(10_000) / bare == pytest.approx(0.64)
    # 20,000 (the hostile band) add nothing to the ceasefire beyond full cover
    assert hazard_with(20_000) == pytest.approx(hazard_with(10_000))
    levels = [hazard_with(t) for t in (0, 1_000, 2_500, 5_000, 10_000)]
    assert all(a > b for a, b in itertools.pairwise(levels))


def test_troops_on_a_small_share_of_the_people_cover_only_that_share() -> None:
    # 900 troops holding the ground of 90,000 people out of 2 million: 10 per 1,000 there,
    # but cover = 0.045 (the ODD's "900 troops cover almost no one")
    population = np.array([[90_000.0, 1_910_000.0]])
    area = np.array([[True, False]])
    cover = force_cover(population, area, np.array([[900.0, 0.0]]), 10.0)
    assert cover == pytest.approx(0.045)
    assert _hazard(cover) / _hazard(0.0) == pytest.approx(1 - 0.36 * 0.045)


# -- deterrence and the Dupuy Institute's 10:1 ----------------------------------------------------


def test_deterrence_reaches_ninety_percent_at_the_decisive_ratio() -> None:
    decisive = EFFECTS.decisive_force_ratio.value  # 10 (Dupuy)
    fighters = np.full(4, 100.0)
    security = np.array([0.0, 100.0, 500.0, 1000.0])  # ratios 0, 1, 5, 10
    deter = deterrence(security, fighters, decisive)
    # 1 - 10 ** (-ratio / 10)
    assert deter == pytest.approx([0.0, 1 - 10**-0.1, 1 - 10**-0.5, 0.9])
    assert deter[1] == pytest.approx(0.2057, abs=1e-4)
    # 20:1 leaves 1% of the attacks
    assert deterrence(np.array([2000.0]), np.array([100.0]), decisive)[0] == pytest.approx(0.99)


def test_deterrence_counts_at_least_one_fighter() -> None:
    # no fighters: the ratio is the security personnel themselves (fighters floored at one)
    assert deterrence(np.array([10.0]), np.array([0.0]), 10.0)[0] == pytest.approx(0.9)
    assert deterrence(np.array([0.0]), np.array([0.0]), 10.0)[0] == 0.0


# -- Hultman et al.'s protection ratios -----------------------------------------------------------


def test_protection_reaches_hultmans_ratios_at_the_hostile_density() -> None:
    hostile = EFFECTS.density_hostile.value  # 20 per 1,000 (Quinlivan)
    civ_ratio, battle_ratio = 2 / 106, 6 / 22  # Hultman et al. 2013, 2014
    density = np.array([0.0, 10.0, 20.0, 40.0])
    civ, battle = protection(density, hostile, civ_ratio, battle_ratio)
    # 1 with no troops, the ratio at 20 per 1,000 and beyond, its square root half way
    assert civ == pytest.approx([1.0, civ_ratio**0.5, civ_ratio, civ_ratio])
    assert battle == pytest.approx([1.0, battle_ratio**0.5, battle_ratio, battle_ratio])
    assert civ[2] == pytest.approx(0.0189, abs=1e-4)
    assert battle[2] == pytest.approx(0.2727, abs=1e-4)


def test_protection_factors_read_the_scenarios_hultman_parameters() -> None:
    civ, battle = protection_factors(np.array([0.0, 20.0]), EFFECTS)
    assert civ == pytest.approx([1.0, 2 / 106])
    assert battle == pytest.approx([1.0, 6 / 22])
    other = with_effects(EFFECTS, civilian_harm_8000_troops=53.0, battle_deaths_10000_troops=11.0)
    civ, battle = protection_factors(np.array([20.0]), other)
    assert civ == pytest.approx([0.5]) and battle == pytest.approx([0.5])


# -- attack pressure: grievance, compliance, deterrence, exposure ---------------------------------

RATES = GroupRates(np.array([0.05 / 1000]), np.array([0.01 / 1000]), 2.0, 5.0, 0.5)
FIGHTERS = np.full((1, 1, 1), 1e8)  # large, so that one Poisson draw is its mean within ~1%
TARGETS = np.full((3, 1, 1), 100.0)  # force, police, IDF along the line


def _attacks(
    grievance: float, deter: float = 0.0, compliance: float = 0.0, cooperation: float = 0.0
) -> tuple[np.ndarray, float]:
    """Mean attacks by target and mean reprisals over five seeded draws."""
    draws = [
        armed_violence(
            np.random.default_rng(seed),
            RATES,
            FIGHTERS,
            np.array([compliance]),
            np.full((1, 1), deter),
            np.full((1, 1), grievance),
            TARGETS,
            np.full((1, 1), cooperation),
        )
        for seed in range(5)
    ]
    attacks = np.mean([a.sum(axis=(0, 2, 3)) for a, _ in draws], axis=0)
    reprisals = float(np.mean([r.sum() for _, r in draws]))
    return attacks, reprisals


def test_attack_pressure_by_hand() -> None:
    # mean = 0.05/1000 * 1e8 * (1 - k) * (1 - deterrence) * (0.5 + grievance) = 5000 * ...
    # five draws of a Poisson(>= 250) mean: relative sd <= 2.8%; tolerances are >= 3.5 sd
    calm, _ = _attacks(0.0)
    angry, _ = _attacks(1.0)
    assert calm.sum() == pytest.approx(2500, rel=0.02)
    assert angry.sum() == pytest.approx(7500, rel=0.02)
    # grievance drives attacks: three times the attacks at full grievance
    assert angry.sum() / calm.sum() == pytest.approx(3.0, rel=0.03)
    # compliance and deterrence each take their share away
    assert _attacks(1.0, compliance=0.5)[0].sum() == pytest.approx(3750, rel=0.02)
    assert _attacks(1.0, deter=0.9)[0].sum() == pytest.approx(750, rel=0.07)


def test_attacks_are_shared_by_exposure() -> None:
    # weights: force 100, police 100 x 2, IDF along the line 100 x 5, no rivals: 1/8, 2/8, 5/8
    attacks, _ = _attacks(1.0)
    shares = attacks / attacks.sum()
    assert shares == pytest.approx([1 / 8, 2 / 8, 5 / 8, 0.0], abs=0.01)


def test_reprisals_by_hand() -> None:
    # 0.01/1000 * 1e8 * (1 - deterrence) * (1 + cooperation), independent of grievance
    assert _attacks(0.0)[1] == pytest.approx(1000, rel=0.03)
    assert _attacks(1.0, cooperation=1.0)[1] == pytest.approx(2000, rel=0.03)
    assert _attacks(0.0, deter=0.5)[1] == pytest.approx(500, rel=0.05)


# -- the security threshold: an absolute band and no armed control --------------------------------


@pytest.fixture(scope="module")
def geometry() -> StripGeometry:
    return StripGeometry.from_spec(shipped("base.yaml").ground)


def _territory(geometry: StripGeometry) -> Territory:
    scenario = shipped("base.yaml")
    return Territory(scenario.idf, scenario.forces.deployment, scenario.effects, geometry)


def _secure(
    territory: Territory, density: float, hostility: float, security: float, fighters: float
) -> bool:
    one = np.ones((1, 1))
    territory.secure_days = np.zeros((1, 1))
    secure = territory.secure_cells(
        density * one, hostility * one, one.astype(bool), security * one, fighters * one
    )
    return bool(secure[0, 0])


def test_security_band_rises_with_hostility(geometry: StripGeometry) -> None:
    territory = _territory(geometry)
    # needed = 2.5 + (20 - 2.5) * hostility per 1,000 (Quinlivan's calm and hostile bands)
    assert _secure(territory, 2.5, 0.0, 1e6, 0.0)
    assert not _secure(territory, 2.4, 0.0, 1e6, 0.0)
    assert _secure(territory, 11.25, 0.5, 1e6, 0.0)
    assert not _secure(territory, 11.0, 0.5, 1e6, 0.0)
    assert _secure(territory, 20.0, 1.0, 1e6, 0.0)
    assert not _secure(territory, 19.0, 1.0, 1e6, 0.0)
    # a calm density does not secure a hostile cell; a hostile density secures a calm one
    assert not _secure(territory, 5.0, 1.0, 1e6, 0.0)
    assert _secure(territory, 20.0, 0.0, 1e6, 0.0)


def test_armed_control_at_half_the_decisive_ratio(geometry: StripGeometry) -> None:
    territory = _territory(geometry)
    # 10:1 (Dupuy) x 0.5 = 5 security personnel per armed fighter, whatever the density
    assert _secure(territory, 50.0, 0.0, 50.0, 10.0)
    assert not _secure(territory, 50.0, 0.0, 49.0, 10.0)
    assert not _secure(territory, 1000.0, 0.0, 400.0, 100.0)


def test_hostility_weighs_compliance_and_grievance() -> None:
    # hostility = w (1 - k) + (1 - w) grievance with w = 0.5
    fake: Any = SimpleNamespace(
        view=SimpleNamespace(grievance=np.array([0.0, 1.0, 0.2])), effects=EFFECTS
    )
    assert GazaModel._hostility(fake, 1.0) == pytest.approx([0.0, 0.5, 0.1])
    assert GazaModel._hostility(fake, 0.0) == pytest.approx([0.5, 1.0, 0.6])
    assert GazaModel._hostility(fake, 0.5) == pytest.approx([0.25, 0.75, 0.35])


# -- the force's sectors: Quinlivan's calm density and the coercive entry ratio -----------------


def test_a_sector_is_taken_at_the_calm_density(geometry: StripGeometry) -> None:
    population = np.where(geometry.land, 1000.0, 0.0)
    fighters = np.zeros(geometry.shape)
    territory = _territory(geometry)
    rafah = (geometry.governorate == territory.sectors.order[0]) & ~territory.idf_held
    needed = 2.5 * float(population[rafah].sum()) / 1000  # 2.5 per 1,000 (Quinlivan)
    assert not territory.expand(0, 0.99 * needed, population, 1.0, False, fighters)
    assert territory.expand(0, 1.01 * needed, population, 1.0, False, fighters)
    assert territory.sectors.full == [territory.sectors.order[0]]
    assert territory.force_area().sum() == rafah.sum()


def test_coercive_entry_needs_five_to_one(geometry: StripGeometry) -> None:
    population = np.where(geometry.land, 1.0, 0.0)  # few people: density is never binding
    territory = _territory(geometry)
    fighters = np.where(geometry.governorate == territory.sectors.order[0], 1.0, 0.0)
    fighters *= 1000.0 / fighters.sum()
    # without consent, 4,990 troops against 1,000 fighters: below 5:1, handover only
    assert territory.expand(0, 4990.0, population, 0.0, True, fighters)
    assert territory.sectors.full == []
    assert not territory.force_area().any()  # nothing handed over yet
    second = _territory(geometry)
    assert second.expand(0, 5000.0, population, 0.0, True, fighters)
    assert second.sectors.full == [second.sectors.order[0]]
    # the same troops without a coercive mandate: handover only
    third = _territory(geometry)
    assert third.expand(0, 50_000.0, population, 0.0, False, fighters)
    assert third.sectors.full == []


# -- the IDF's line: staged by verified decommissioning and the hand-over lag -------------------


def test_line_moves_only_after_handover_and_verified_decommissioning(
    geometry: StripGeometry,
) -> None:
    territory = _territory(geometry)
    territory.sectors.taken, territory.sectors.taken_days = 1, [0]
    # one sector of five handed over on day 0; handover_days = 30
    territory.update_line(29, 1.0, 0.0, False, 0.1)
    assert territory.held_share == pytest.approx(0.55)
    territory.update_line(30, 1.0, 0.0, False, 0.0)  # handed over, nothing decommissioned
    assert territory.held_share == pytest.approx(0.55)
    territory.update_line(31, 1.0, 0.0, False, 0.05)  # half the first milestone (0.1)
    assert territory.held_share == pytest.approx(0.55 - 0.15 * 0.5)
    territory.update_line(32, 1.0, 0.0, False, 0.1)  # the first stage: 0.40
    assert territory.held_share == pytest.approx(0.40)
    # stage 2 moves with the share handed over (1/5) and decommissioning between the milestones
    territory.update_line(33, 1.0, 0.0, False, 0.45)  # half way from 0.1 to 0.8
    assert territory.held_share == pytest.approx(0.40 - 0.25 * 0.2 * 0.5)
    territory.update_line(34, 1.0, 0.0, False, 0.8)
    assert territory.held_share == pytest.approx(0.40 - 0.25 * 0.2)
    # all five sectors handed over and 80% decommissioned: the perimeter, 0.15
    territory.sectors.taken, territory.sectors.taken_days = 5, [0, 0, 0, 0, 0]
    territory.update_line(35, 1.0, 0.0, False, 0.8)
    assert territory.held_share == pytest.approx(0.15)
    held = territory.idf_held & geometry.land
    assert held.sum() < territory._initially_held.sum()


# -- aid: the safest route, escorts, a collapse ---------------------------------------------------


class _Ground:
    def __init__(self, population: np.ndarray) -> None:
        self.population = population
        self.rations = np.zeros(population.shape)

    def view(self) -> Any:
        return SimpleNamespace(population=self.population)

    def deliver_aid(self, rations: np.ndarray) -> None:
        self.rations = rations


def _aid(escort: bool, crossings: dict[str, tuple[int, int]]) -> AidSystem:
    geometry: Any = SimpleNamespace(
        shape=(5, 2), land=np.ones((5, 2), dtype=bool), crossing_cells=crossings
    )
    aid = shipped("base.yaml").aid.model_copy(
        update={"crossings_open": list(crossings), "convoy_escort": escort}
    )
    return AidSystem(aid, EFFECTS, geometry)


def test_aid_takes_the_safest_crossing() -> None:
    system = _aid(False, {"kerem_shalom": (0, 1), "zikim": (4, 0)})
    insecure = np.zeros((5, 2), dtype=bool)
    # rows 0 and 4 have a crossing; row 1 crosses rows 0-1 (2) from the south, 1-4 (4) from
    # the north: the south; row 2 crosses three rows either way
    assert system.arrival_share(insecure, 0.1) == pytest.approx([0.9, 0.9**2, 0.9**3, 0.9**2, 0.9])
    # securing the southern rows 0-2 makes the southern route safe for rows 0-2 and shortens
    # row 3's southern route to one insecure row
    secure = insecure.copy()
    secure[:3] = True
    assert system.arrival_share(secure, 0.1) == pytest.approx([1, 1, 1, 0.9, 0.9])


def test_aid_delivered_by_hand() -> None:
    population = np.full((5, 2), 1000.0)
    ground = _Ground(population)
    system = _aid(False, {"kerem_shalom": (0, 1)})
    secure = np.ones((5, 2), dtype=bool)
    out = system.deliver(0, ground, secure, troops=0.0, collapsed=False)  # type: ignore[arg-type]
    # 170 trucks of the 600 needed, all arriving: 170/600 of a day's need for everyone
    assert out["delivered_trucks"] == pytest.approx(170.0)
    assert out["delivered_share"] == pytest.approx(170 / 600)
    assert ground.rations == pytest.approx(np.full((5, 2), 1000 * 170 / 600))
    # after a collapse: 30% of the trucks
    out = system.deliver(0, ground, secure, troops=0.0, collapsed=True)  # type: ignore[arg-type]
    assert out["delivered_trucks"] == pytest.approx(170 * 0.3)


def test_escorts_cut_seizures_by_their_effectiveness() -> None:
    population = np.full((5, 2), 1000.0)
    insecure = np.zeros((5, 2), dtype=bool)
    p = shipped("base.yaml").aid.seizure_probability_insecure.value  # 0.02 per insecure row
    unescorted, escorted, half = _Ground(population), _Ground(population), _Ground(population)
    _aid(False, {"k": (0, 0)}).deliver(0, unescorted, insecure, 5000.0, False)  # type: ignore[arg-type]
    _aid(True, {"k": (0, 0)}).deliver(0, escorted, insecure, 5000.0, False)  # type: ignore[arg-type]
    _aid(True, {"k": (0, 0)}).deliver(0, half, insecure, 500.0, False)  # type: ignore[arg-type]
    full = 170 / 600 * 1000
    # row 4 crosses five insecure rows
    assert unescorted.rations[4, 0] == pytest.approx(full * (1 - p) ** 5)
    # 1,000 troops give full cover: p (1 - 0.7); 500 give half: p (1 - 0.35)
    assert escorted.rations[4, 0] == pytest.approx(full * (1 - p * 0.3) ** 5)
    assert half.rations[4, 0] == pytest.approx(full * (1 - p * 0.65) ** 5)
