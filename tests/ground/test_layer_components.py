"""Each step of the ground layer's day on its own, against answers computed by hand.

The layer's random counts are Poisson draws; here they are replaced by their means (a stream
whose ``poisson`` returns its argument) so that each answer is exact. Parameter values are the
defaults of ``GroundSpec`` (read from the spec, written out in the comments).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from sim.ground.interfaces import Controller, ForceCategory, SecurityPresence
from sim.ground.layer import DAY_ORDER, GroundLayer
from sim.ground.model import GroundModel
from sim.ground.stencils import LandNeighbours, box_sum
from sim.rng import RandomStreams
from sim.scenario.ground import GroundSpec


class MeanDraws:
    """Stands in for a generator: a Poisson draw returns its mean."""

    def poisson(self, lam: Any) -> npt.NDArray[np.float64]:
        return np.asarray(lam, dtype=float).copy()


class ExpectedStreams(RandomStreams):
    """Random streams whose ``ground.*`` counts are their expected values."""

    def __getitem__(self, name: str) -> np.random.Generator:
        if name.startswith("ground."):
            return MeanDraws()  # type: ignore[return-value]
        return super().__getitem__(name)


def quiet_layer() -> GroundLayer:
    """A layer with nobody securing any cell, no actives, no detainees, no harm."""
    ground = GroundModel(streams=ExpectedStreams(0)).ground
    ground.set_security(SecurityPresence.empty(ground.geometry.shape))
    return ground


def interior_cell(ground: GroundLayer) -> tuple[int, int]:
    """A land cell west of the line whose whole 3 x 3 box is west-of-line land."""
    west = ground.geometry.west_of_line.astype(float)
    full = (box_sum(west, 1) == 9.0) & ground.geometry.west_of_line
    row, col = np.argwhere(full)[len(np.argwhere(full)) // 2]
    return int(row), int(col)


def uniform(ground: GroundLayer, value: float) -> npt.NDArray[np.float64]:
    return np.where(ground.geometry.land, value, 0.0)


# The eight hardship cohorts scale grievance by 1 + 0.5 q, q = -0.875, -0.625, ..., 0.875.
COHORT_FACTORS = 1.0 + 0.5 * (np.arange(8) + 0.5) / 8 * 2.0 - 0.5


def test_defaults_used_by_the_hand_computations() -> None:
    cv = GroundSpec().civil_violence
    assert (cv.threshold.value, cv.arrest_constant.value, cv.vision_cells.value) == (0.1, 2.3, 1)
    assert (cv.hardship_cohorts, cv.hardship_spread.value) == (8, 0.5)
    assert cv.actives_per_member.value == 20.0 and cv.arrests_per_member.value == 0.02
    assert cv.mean_detention_days.value == 15.0 and cv.memory_days.value == 30.0
    np.testing.assert_allclose(quiet_layer()._hardship_factor, COHORT_FACTORS)
    np.testing.assert_allclose(COHORT_FACTORS[[0, -1]], [0.5625, 1.4375])


def test_epstein_arrest_constant_gives_p_0_9_for_one_cop_and_one_active() -> None:
    """Epstein (2002) chose k = 2.3 so that P = 0.9 when C = A = 1."""
    from sim.ground.lattice import arrest_probability

    p = arrest_probability(np.array([1.0]), np.array([1.0]), 2.3, "literal")[0]
    assert p == pytest.approx(0.9, abs=0.001)


def test_grievance_is_hardship_times_one_minus_legitimacy() -> None:
    ground = quiet_layer()
    population = ground.field("population")
    ground.field("damage")[...] = uniform(ground, 0.5)
    ground.field("shortfall")[...] = uniform(ground, 0.2)
    ground.field("displaced")[...] = population / 2
    ground.field("harm_memory")[...] = population / 1000 * 0.2  # harm index 0.2
    ground._grievance()
    land = ground.geometry.land
    # H = 0.3 * 0.5 + 0.3 * 0.2 + 0.5 * 0.2 + 0.15 * 0.5 = 0.385; nobody secures: L = 0.3
    np.testing.assert_allclose(ground.field("hardship")[land], 0.385)
    np.testing.assert_allclose(ground.field("grievance")[land], 0.385 * 0.7)
    ground.field("harm_memory")[...] = population / 1000 * 5.0  # hardship is capped at 1
    ground._grievance()
    np.testing.assert_allclose(ground.field("hardship")[land], 1.0)
    np.testing.assert_allclose(ground.field("grievance")[land], 0.7)


def test_grievance_follows_the_legitimacy_of_who_secures_the_cell() -> None:
    ground = quiet_layer()
    ground.field("damage")[...] = uniform(ground, 1.0)  # H = 0.3 (nobody displaced or short)
    ground.field("displaced")[...] = 0.0
    west = ground.geometry.west_of_line
    ground.set_security(
        SecurityPresence({ForceCategory.POLICE: np.where(west, 5.0, 0.0)})
    )  # police legitimacy 0.65
    ground._grievance()
    np.testing.assert_allclose(ground.field("grievance")[west], 0.3 * 0.35)
    east = ground.geometry.east_of_line
    np.testing.assert_allclose(ground.field("grievance")[east], 0.3 * 0.7)


def test_activation_without_forces_takes_every_cohort_above_the_threshold() -> None:
    ground = quiet_layer()
    ground.field("grievance")[...] = uniform(ground, 0.1)
    population = ground.field("population")
    ground.field("detained")[...] = 0.1 * population
    ground._activate()
    # P = 0 with no forces: a cohort is active when 0.1 * factor > T = 0.1: the top four
    np.testing.assert_allclose(ground.field("actives"), 0.5 * 0.9 * population)


def test_activation_with_forces_follows_epstein_with_the_risk_aversion_integrated() -> None:
    ground = quiet_layer()
    west = ground.geometry.west_of_line
    # police deterrence 0.4 x 20 actives per member = 8 per officer; 1/72 officer per cell
    # gives C = 9 cells x 8 / 72 = 1 within the 3 x 3 box of an interior cell; A = 0 + 1
    ground.set_security(SecurityPresence({ForceCategory.POLICE: np.where(west, 1 / 72, 0.0)}))
    ground.field("grievance")[...] = uniform(ground, 0.2)
    ground._activate()
    cell = interior_cell(ground)
    p = 1.0 - math.exp(-2.3)
    # margins 0.2 * factor - 0.1 over the cohorts: 0.0125 ... 0.1875, mean 0.1; R ~ U(0, 1)
    # so each cohort's active share is margin / P (all margins are below P)
    share = float(np.mean(np.clip((0.2 * COHORT_FACTORS - 0.1) / p, 0.0, 1.0)))
    assert share == pytest.approx(0.1 / p)
    population = ground.field("population")[cell]
    assert ground.field("actives")[cell] == pytest.approx(share * population)
    # where grievance is below the threshold for every cohort, nobody is active
    ground.field("grievance")[...] = uniform(ground, 0.06)
    ground._activate()
    assert ground.field("actives").sum() == 0.0


def test_activation_counts_yesterdays_actives_nearby() -> None:
    ground = quiet_layer()
    west = ground.geometry.west_of_line
    ground.set_security(SecurityPresence({ForceCategory.POLICE: np.where(west, 1 / 72, 0.0)}))
    ground.field("grievance")[...] = uniform(ground, 0.2)
    cell = interior_cell(ground)
    ground.field("actives")[...] = uniform(ground, 1 / 9)  # A = 9 x 1/9 + 1 = 2
    ground._activate()
    p = 1.0 - math.exp(-2.3 / 2.0)
    expected = float(np.mean(np.clip((0.2 * COHORT_FACTORS - 0.1) / p, 0.0, 1.0)))
    assert ground.field("actives")[cell] == pytest.approx(
        expected * ground.field("population")[cell]
    )


def _arrest_setup(actives: float, officers: float) -> tuple[GroundLayer, tuple[int, int]]:
    ground = quiet_layer()
    west = ground.geometry.west_of_line
    ground.set_security(SecurityPresence({ForceCategory.POLICE: np.where(west, officers, 0.0)}))
    ground.field("actives")[...] = uniform(ground, actives)
    ground.field("detained")[...] = uniform(ground, 30.0)
    return ground, interior_cell(ground)


def test_arrests_are_capped_by_the_forces_daily_capacity() -> None:
    ground, cell = _arrest_setup(actives=100.0, officers=100.0)
    ground._arrest_and_release()
    # capacity: 0.02 arrests a day per member-equivalent of deterrence: 100 officers contain
    # 100 x 0.4 x 20 = 800 actives, i.e. 40 members, so 0.8 arrests a day
    # wanted: 100 (1 - exp(-2.3 x 7200 / 901)) ~ 100: the capacity binds
    assert ground.field("actives")[cell] == pytest.approx(100.0 - 0.8)
    # releases: 30 / 15 days = 2 a day, applied as expected values
    assert ground.field("detained")[cell] == pytest.approx(30.0 + 0.8 - 2.0)


def test_arrests_follow_the_actives_own_estimate_when_forces_are_many() -> None:
    ground, cell = _arrest_setup(actives=1.0, officers=1000.0)
    ground._arrest_and_release()
    # C = 9 x 1000 x 8 = 72,000 near, A = 9 x 1 + 1 = 10: wanted = 1 - exp(-2.3 x 7200) = 1
    # capacity = 1000 x 0.4 x 0.02 = 8: the estimate binds
    assert ground.field("actives")[cell] == pytest.approx(0.0, abs=1e-9)
    assert ground.field("detained")[cell] == pytest.approx(30.0 + 1.0 - 2.0)
    ground, cell = _arrest_setup(actives=10.0, officers=1.0 / 8.0)
    ground._arrest_and_release()
    # C = 9 x 1 = 9, A = 91: wanted = 10 (1 - exp(-2.3 x 9 / 91)) = 2.037; capacity = 0.001
    assert ground.field("actives")[cell] == pytest.approx(10.0 - 0.001)


def test_only_whole_actives_can_be_arrested() -> None:
    ground, cell = _arrest_setup(actives=0.6, officers=1000.0)
    ground._arrest_and_release()
    assert ground.field("actives")[cell] == pytest.approx(0.6)  # floor(0.6) = 0 persons


def test_recruitment_is_proportional_to_grievance_above_its_threshold() -> None:
    ground = quiet_layer()
    ground.field("grievance")[...] = uniform(ground, 0.2)
    ground._activate()  # sets the cohorts' grievance
    population = ground.field("population")
    ground.field("detained")[...] = uniform(ground, 100.0)
    armed_before = ground.field("armed").copy()
    ground._recruit()
    cell = interior_cell(ground)
    # mean excess over cohorts: mean(max(0.2 x factor - 0.1, 0)) = 0.1; rate 0.0002 a day
    free = math.floor(population[cell] - 100.0)
    assert ground.field("recruits")[cell] == pytest.approx(free * 0.0002 * 0.1)
    # attrition: 0.1% of the members a day
    expected = armed_before[cell] * (1 - 0.001) + free * 0.0002 * 0.1
    assert ground.field("armed")[cell] == pytest.approx(expected)


def test_no_recruits_below_the_grievance_threshold() -> None:
    ground = quiet_layer()
    ground.field("grievance")[...] = uniform(ground, 0.05)  # 0.05 x 1.4375 < 0.1
    ground._activate()
    ground._recruit()
    assert ground.field("recruits").sum() == 0.0


def test_aid_is_eaten_and_the_shortfall_remembered_over_a_month() -> None:
    ground = quiet_layer()
    population = ground.field("population")
    land = ground.geometry.land
    ground.field("aid_stock")[...] = population * 0.5
    ground.field("shortfall")[...] = uniform(ground, 0.2)
    ground._consume_aid()
    np.testing.assert_allclose(ground.field("aid_stock"), 0.0)
    # half the need unmet today; memory of 30 days: 0.2 + (0.5 - 0.2) / 30
    np.testing.assert_allclose(ground.field("shortfall")[land], 0.2 + 0.3 / 30)
    ground.field("aid_stock")[...] = population * 2.5
    ground._consume_aid()
    np.testing.assert_allclose(ground.field("aid_stock"), population * 1.5)
    np.testing.assert_allclose(ground.field("shortfall")[land], 0.21 * (1 - 1 / 30))


def test_harm_memory_decays_over_a_month_and_takes_in_the_days_harm() -> None:
    ground = quiet_layer()
    cell = interior_cell(ground)
    casualties = np.zeros(ground.geometry.shape)
    casualties[cell] = 6.0
    casualties[0, -1] = 100.0  # off land (the grid's far corner lies in the sea or Israel)
    assert not ground.geometry.land[0, -1]
    ground.add_harm(casualties)
    ground._remember()
    assert ground.field("harm")[cell] == 6.0 and ground.field("harm").sum() == 6.0
    assert ground.field("harm_memory")[cell] == 6.0
    ground._remember()  # nothing new today
    assert ground.field("harm")[cell] == 0.0
    assert ground.field("harm_memory")[cell] == pytest.approx(6.0 * (1 - 1 / 30))


def test_the_killed_leave_the_population_in_proportion_to_the_displaced() -> None:
    ground = quiet_layer()
    cell = interior_cell(ground)
    population = ground.field("population")
    population[cell] = 1000.0
    ground.field("displaced")[cell] = 400.0
    killed = np.zeros(ground.geometry.shape)
    killed[cell] = 10.0
    ground.add_harm(killed * 3, killed)
    assert population[cell] == pytest.approx(990.0)
    assert ground.field("displaced")[cell] == pytest.approx(396.0)
    killed[cell] = 5000.0  # no more than everybody
    ground.add_harm(killed, killed)
    assert population[cell] == 0.0 and ground.field("displaced")[cell] == pytest.approx(0.0)


def test_removing_armed_members_never_goes_below_zero() -> None:
    ground = quiet_layer()
    cell = interior_cell(ground)
    armed = ground.field("armed")
    before = armed.copy()
    members = np.zeros(ground.geometry.shape)
    members[cell] = 1.0
    ground.remove_armed(members)
    assert armed[cell] == pytest.approx(before[cell] - 1.0)
    assert armed.sum() == pytest.approx(before.sum() - 1.0)
    members[cell] = 1e9
    ground.remove_armed(members)
    assert armed[cell] == 0.0


def test_aid_is_delivered_on_land_only() -> None:
    ground = quiet_layer()
    before = ground.field("aid_stock").copy()
    ground.deliver_aid(np.full(ground.geometry.shape, 2.0))
    added = ground.field("aid_stock") - before
    np.testing.assert_allclose(added, np.where(ground.geometry.land, 2.0, 0.0))


def test_danger_adds_idf_control_harm_and_destruction() -> None:
    ground = quiet_layer()
    cell = interior_cell(ground)
    population = ground.field("population")
    ground.field("damage")[...] = uniform(ground, 0.5)
    ground.field("harm_memory")[cell] = population[cell] / 1000 * 0.25  # harm index 0.25
    danger = ground.danger()
    # 1.0 x IDF control + 2.0 x harm index + 0.2 x damage
    assert danger[cell] == pytest.approx(2.0 * 0.25 + 0.2 * 0.5)
    ground.set_security(ground.baseline_presence())
    east = ground.geometry.east_of_line
    np.testing.assert_allclose(ground.danger()[east], 1.0 + 0.2 * 0.5)


def test_people_move_only_from_danger_to_neighbours_in_proportion_to_room() -> None:
    ground = quiet_layer()
    cell = interior_cell(ground)
    population = ground.field("population")
    population[...] = uniform(ground, 8000.0)  # room = 1 - 8000 / 40000 = 0.8 everywhere
    displaced = ground.field("displaced")
    displaced[...] = uniform(ground, 2000.0)
    ground.field("damage")[...] = 0.0
    ground.field("damage")[cell] = 1.0  # danger 0.2 here, 0 everywhere else
    ground.field("actives")[cell] = 100.0
    ground.field("detained")[cell] = 100.0
    ground._displace()
    movers = (8000.0 - 200.0) * 0.05 * 0.2  # free people x daily rate x danger = 78
    assert population[cell] == pytest.approx(8000.0 - movers)
    # the leavers' share of displaced people leaves their count: 2000 / 8000
    assert displaced[cell] == pytest.approx(2000.0 - movers * 0.25)
    row, col = cell
    for dy in (-1, 0, 1):
        for dx in (-1, 0, 1):
            if (dy, dx) != (0, 0):
                assert population[row + dy, col + dx] == pytest.approx(8000.0 + movers / 8)
                assert displaced[row + dy, col + dx] == pytest.approx(2000.0 + movers / 8)
    land = ground.geometry.land
    assert population[land].sum() == pytest.approx(8000.0 * land.sum())


def test_flow_downhill_on_a_hand_drawn_strip() -> None:
    land = np.array([[True, True, True]])
    neighbours = LandNeighbours(land)
    arrivals, departures = neighbours.flow_downhill(
        np.array([10.0, 10.0, 10.0]), np.array([2.0, 1.0, 0.0]), np.ones(3)
    )
    np.testing.assert_allclose(arrivals, [0.0, 10.0, 10.0])
    np.testing.assert_allclose(departures, [10.0, 10.0, 0.0])
    # from the middle of a plus: shares follow (cost drop) x room
    plus = np.array([[False, True, False], [True, True, True], [False, True, False]])
    neighbours = LandNeighbours(plus)  # land cells in row order: top, left, centre, right, bottom
    cost = np.array([1.0, 0.0, 3.0, 2.0, 3.0])
    room = np.array([1.0, 0.5, 1.0, 1.0, 1.0])
    movers = np.array([0.0, 0.0, 12.0, 0.0, 0.0])
    arrivals, departures = neighbours.flow_downhill(movers, cost, room)
    # pulls from the centre: top 2 x 1, left 3 x 0.5, right 1 x 1, bottom 0: total 4.5
    np.testing.assert_allclose(arrivals, [12 * 2 / 4.5, 12 * 1.5 / 4.5, 0.0, 12 / 4.5, 0.0])
    np.testing.assert_allclose(departures, [0.0, 0.0, 12.0, 0.0, 0.0])
    assert arrivals.sum() == pytest.approx(departures.sum())


def test_a_full_cell_takes_nobody() -> None:
    land = np.array([[True, True]])
    arrivals, departures = LandNeighbours(land).flow_downhill(
        np.array([5.0, 0.0]), np.array([1.0, 0.0]), np.array([1.0, 0.0])
    )
    np.testing.assert_allclose(arrivals, 0.0)
    np.testing.assert_allclose(departures, 0.0)


def test_population_starts_where_the_scenario_puts_it() -> None:
    spec = GroundSpec()
    ground = GroundModel(spec, seed=0).ground
    geometry = ground.geometry
    population, displaced = ground.field("population"), ground.field("displaced")
    total = spec.population.total.value
    # 1% east of the line, spread evenly over its cells
    east = geometry.east_of_line
    assert population[east].sum() == pytest.approx(0.01 * total)
    assert np.ptp(population[east]) == pytest.approx(0.0, abs=1e-6)
    # 80% of those west of the line are displaced, pulled toward the coast
    assert displaced.sum() == pytest.approx(0.99 * 0.8 * total)
    row = geometry.shape[0] // 2
    west_row = np.flatnonzero(geometry.west_of_line[row])
    assert displaced[row, west_row[0]] > displaced[row, west_row[-1]]
    # the pull toward the coast: weight 1 + 1.0 x (1 - position across), coast 0 to border 1
    across = geometry.across_fraction[row, west_row]
    ratio = displaced[row, west_row[0]] / displaced[row, west_row[-1]]
    assert ratio == pytest.approx((2.0 - across[0]) / (2.0 - across[-1]))
    # seven days of food in stock; 20,000 armed members, all west of the line
    np.testing.assert_allclose(ground.field("aid_stock"), population * 7.0)
    assert ground.field("armed").sum() == pytest.approx(20_000.0)
    assert ground.field("armed")[east].sum() == 0.0
    rafah = spec.governorates[geometry.governorate_ids[0]].initial_damage.value
    assert ground.field("damage")[geometry.governorate == 0].max() == pytest.approx(rafah)
    assert ground.field("damage")[~geometry.land].max() == 0.0


def test_baseline_presence_puts_hamas_west_by_population_and_the_idf_east_by_area() -> None:
    ground = GroundModel(seed=0).ground
    presence = ground.baseline_presence()
    hamas = presence.personnel[ForceCategory.HAMAS]
    idf = presence.personnel[ForceCategory.IDF]
    geometry = ground.geometry
    assert hamas.sum() == pytest.approx(10_000.0) and idf.sum() == pytest.approx(8_000.0)
    assert hamas[geometry.east_of_line].sum() == 0.0 and idf[geometry.west_of_line].sum() == 0.0
    population = ground.field("population")
    west = geometry.west_of_line
    np.testing.assert_allclose(hamas[west] / population[west], 10_000.0 / population[west].sum())
    assert np.ptp(idf[geometry.east_of_line]) == pytest.approx(0.0)
    assert presence.total() == pytest.approx(18_000.0)
    for category in (ForceCategory.POLICE, ForceCategory.ISF_OTHER):
        assert presence.personnel[category].sum() == 0.0


def test_security_picks_the_largest_force_and_averages_legitimacy_by_personnel() -> None:
    ground = quiet_layer()
    shape = ground.geometry.shape
    cell = interior_cell(ground)
    police, other = np.zeros(shape), np.zeros(shape)
    police[cell], other[cell] = 30.0, 10.0
    ground.set_security(
        SecurityPresence({ForceCategory.POLICE: police, ForceCategory.ISF_OTHER: other})
    )
    assert ground.controller[cell] == Controller.POLICE
    # (30 x 0.65 + 10 x 0.45) / 40
    assert ground.field("legitimacy")[cell] == pytest.approx((30 * 0.65 + 10 * 0.45) / 40)
    # deterrence in actives contained: 30 x 0.4 x 20 + 10 x 0.5 x 20
    assert ground.field("deterrence")[cell] == pytest.approx(30 * 8.0 + 10 * 10.0)
    empty = interior_cell(ground)
    others = ground.geometry.land.copy()
    others[empty] = False
    assert (ground.controller[others] == Controller.NONE).all()
    np.testing.assert_allclose(ground.field("legitimacy")[others], 0.3)
    # a tie goes to the earlier category (IDF before HAMAS ...)
    tie = np.zeros(shape)
    tie[cell] = 5.0
    ground.set_security(SecurityPresence({ForceCategory.IDF: tie, ForceCategory.POLICE: tie}))
    assert ground.controller[cell] == Controller.IDF
    # personnel off land counts for nothing
    sea = np.zeros(shape)
    sea[0, -1] = 50.0
    ground.set_security(SecurityPresence({ForceCategory.POLICE: sea}))
    assert ground.field("deterrence").sum() == 0.0 and ground.controller[0, -1] == Controller.NONE


def test_the_layer_refuses_a_stacked_presence_with_negative_personnel() -> None:
    ground = quiet_layer()
    stack = np.zeros((len(ForceCategory), *ground.geometry.shape))
    ground.set_security(SecurityPresence.from_stack(stack))  # the compiled check passes it
    police = list(ForceCategory).index(ForceCategory.POLICE)
    stack[police, 1, 1] = -1.0
    with pytest.raises(ValueError, match=r"^presence of police has negative personnel$"):
        ground.set_security(SecurityPresence.from_stack(stack))
    stack[police, 1, 1] = np.nan  # as numpy's check: NaN is not negative
    ground.set_security(SecurityPresence.from_stack(stack))


def test_security_presence_validation_and_totals() -> None:
    empty = SecurityPresence.empty((2, 3))
    assert set(empty.personnel) == set(ForceCategory) and empty.total() == 0.0
    assert all(grid.shape == (2, 3) for grid in empty.personnel.values())
    negative = SecurityPresence({ForceCategory.POLICE: -np.ones((2, 3))})
    with pytest.raises(ValueError, match=r"^presence of police has negative personnel$"):
        negative.validate((2, 3))
    with pytest.raises(
        ValueError, match=r"^presence of idf has shape \(2, 3\), expected \(3, 3\)$"
    ):
        empty.validate((3, 3))
    two = SecurityPresence(
        {ForceCategory.POLICE: np.ones((2, 3)), ForceCategory.IDF: np.ones((2, 3))}
    )
    assert two.total() == 12.0
    two.validate((2, 3))


def test_totals_weight_grievance_by_population() -> None:
    ground = quiet_layer()
    land = ground.geometry.land
    ground.field("grievance")[...] = 0.0
    cell = interior_cell(ground)
    ground.field("grievance")[cell] = 1.0
    population = ground.field("population")
    totals = ground.totals()
    assert totals["grievance"] == pytest.approx(population[cell] / population[land].sum())
    report = ground.report().totals()
    assert report == pytest.approx(totals)
    assert set(totals) == {
        "day",
        "population",
        "displaced",
        "actives",
        "detained",
        "recruits",
        "armed",
        "harm",
        "grievance",
    }


def test_one_day_runs_the_steps_in_the_declared_order() -> None:
    ground = quiet_layer()
    calls: list[str] = []
    for name in DAY_ORDER:
        original = getattr(ground, name)

        def record(original: Any = original, name: str = name) -> None:
            calls.append(name)
            original()

        setattr(ground, name, record)
    ground.step()
    assert ground.day == 1
    assert calls == [
        "_remember",
        "_grievance",
        "_activate",
        "_arrest_and_release",
        "_recruit",
        "_consume_aid",
        "_displace",
    ]


def test_ground_model_feeds_baseline_aid_and_harm_along_the_line() -> None:
    model = GroundModel(streams=ExpectedStreams(0))
    frontier = model._frontier
    geometry = model.ground.geometry
    assert frontier.sum() == pytest.approx(1.0)
    assert (frontier[~geometry.west_of_line] == 0.0).all()
    near_line = box_sum(geometry.east_of_line.astype(float), 1) > 0
    assert ((frontier > 0) == (geometry.west_of_line & near_line)).all()
    stock_before = model.ground.field("aid_stock").sum()
    population = model.ground.field("population").sum()
    model.step()
    # 60% of a day's need arrives, a full day's need is eaten (stocks cover it)
    stock_after = model.ground.field("aid_stock").sum()
    assert stock_after == pytest.approx(stock_before + 0.6 * population - population, rel=1e-3)
    # expected harm: 3 casualties a day along the line
    assert model.ground.field("harm").sum() == pytest.approx(3.0)
    series = model.run(2)
    assert set(series) == {
        "day",
        "population",
        "displaced",
        "grievance",
        "actives",
        "detained",
        "recruits",
        "armed",
        "harm",
    }
    assert list(series["day"]) == [0.0, 1.0, 2.0, 3.0]


def test_a_crossing_at_the_border_sits_on_the_last_land_cell() -> None:
    from sim.ground.geometry import _crossing_cell

    land = np.array([[True, True, True, False], [True, True, False, False]])
    assert _crossing_cell(land, 0.4, 1.0) == (0, 2)
    assert _crossing_cell(land, 1.7, 0.0) == (1, 0)
    assert _crossing_cell(land, 9.0, 0.5) == (1, 1)  # rows clipped to the grid


def test_ground_report_totals_by_hand() -> None:
    from sim.ground.interfaces import GroundReport

    def grid(a: float, b: float) -> npt.NDArray[np.float64]:
        return np.array([[a, b]])

    report = GroundReport(
        day=4,
        population=grid(100.0, 300.0),
        displaced=grid(10.0, 20.0),
        grievance=grid(0.2, 0.6),
        legitimacy=grid(0.5, 0.5),
        actives=grid(1.0, 2.0),
        detained=grid(3.0, 4.0),
        recruits=grid(5.0, 6.0),
        armed=grid(7.0, 8.0),
        harm=grid(9.0, 10.0),
        controller=np.array([[0, 1]]),
    )
    assert report.totals() == {
        "day": 4.0,
        "population": 400.0,
        "displaced": 30.0,
        "grievance": pytest.approx((0.2 * 100 + 0.6 * 300) / 400),
        "actives": 3.0,
        "detained": 7.0,
        "recruits": 11.0,
        "armed": 15.0,
        "harm": 19.0,
    }
    nobody = GroundReport(
        0, *(np.zeros((1, 2)) for _ in range(9)), controller=np.zeros((1, 2), dtype=np.int64)
    )
    assert nobody.totals()["grievance"] == 0.0  # divided by max(people, 1)


def test_report_copies_every_field() -> None:
    model = GroundModel(seed=0)
    model.run(2)
    ground = model.ground
    report = ground.report()
    for name in (
        "population",
        "displaced",
        "grievance",
        "legitimacy",
        "actives",
        "detained",
        "recruits",
        "armed",
        "harm",
    ):
        np.testing.assert_array_equal(getattr(report, name), ground.field(name))
        assert getattr(report, name) is not ground.field(name)
    np.testing.assert_array_equal(report.controller, ground.controller)
    assert report.controller is not ground.controller
    assert ground.totals()["day"] == 2.0
