"""The IDF's line and the force's sectors: details the full mutation run found untested (part 2).

Each test feeds :class:`~sim.model.territory.Territory` hand-set inputs (the shipped Strip or a
toy one of a few cells) and checks a value derived in the comments, or a property that a
plausible one-line bug breaks: the southern fallback zone and the staging ground, the line's
convention at a cell centre, re-entry before any violence and through its last day, the line's
version counter and its cache, the first stage without a decommissioning milestone, handover
progress at exactly the lag, and the force taking sectors (peaceful density, coercion at 5:1,
handover only) on a toy strip of two sectors.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from sim.ground.geometry import StripGeometry
from sim.model.territory import Territory
from sim.scenario.effects import EffectsSpec
from tests.model.conftest import shipped, with_effects

EFFECTS = EffectsSpec()
SHARE_AT_WAR = shipped("base.yaml").idf.held_share_at_war.value


# -- the IDF's line -----------------------------------------------------------------------------


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
    territory = _territory(effects=with_effects(EFFECTS, handover_days=1))
    territory.sectors.taken, territory.sectors.taken_days = 5, [0, 0, 0, 0, 0]
    territory.update_line(1, 1.0, 0.0, False, 1.0)
    assert territory.held_share == pytest.approx(0.15)


def test_reentry_at_more_than_the_weekly_threshold_and_through_its_last_day() -> None:
    # base: re-entry after more than 25 incidents a week, for 30 days
    territory = _territory(effects=with_effects(EFFECTS, handover_days=1))
    territory.sectors.taken, territory.sectors.taken_days = 5, [0, 0, 0, 0, 0]
    territory.update_line(10, 1.0, 25.0, False, 1.0)  # exactly 25: no re-entry
    assert territory.held_share == pytest.approx(0.15)
    territory.update_line(11, 1.0, 25.5, False, 1.0)
    assert territory.reentry_until == 41 and territory.held_share == pytest.approx(0.55)
    territory.update_line(41, 1.0, 0.0, False, 1.0)  # the last day of re-entry
    assert territory.held_share == pytest.approx(0.55)
    territory.update_line(42, 1.0, 0.0, False, 1.0)
    assert territory.held_share == pytest.approx(0.15)


def _count_recomputations(territory: Territory) -> list[float]:
    """Record each share for which the held cells are recomputed (the list fills as it runs)."""
    calls: list[float] = []
    held_cells = territory._held_cells

    def counted(share: float) -> Any:
        calls.append(share)
        return held_cells(share)

    territory._held_cells = counted  # type: ignore[method-assign]
    return calls


def test_an_unchanged_line_is_not_recomputed() -> None:
    territory = _territory()
    calls = _count_recomputations(territory)
    territory.update_line(0, 0.0, 0.0, False, 0.0)  # the same share, no sector taken
    assert calls == [] and territory.line_version == 0
    territory.update_line(1, 0.0, 0.0, True, 0.0)  # a collapse moves the line: recomputed
    assert calls == [pytest.approx(SHARE_AT_WAR)] and territory.line_version == 1


def test_the_line_version_counts_changes_of_cells_only() -> None:
    territory = _territory()
    calls = _count_recomputations(territory)
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
