"""Details of the ground layer that the full mutation run found untested (docs/testing.md).

Each test sets the layer's fields by hand and checks a value derived in the comments, or a
property that a plausible one-line bug breaks: the Mesa grid the layer is built on, the armed
members the full model writes in, and the Strip-wide totals.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.ground.geometry import StripGeometry
from sim.ground.interfaces import Controller, ForceCategory, SecurityPresence
from sim.ground.layer import GroundLayer
from sim.ground.model import GroundModel
from sim.scenario.ground import GroundSpec


def quiet_layer() -> GroundLayer:
    """The default layer with nobody securing any cell (no step is run)."""
    ground = GroundModel().ground
    ground.set_security(SecurityPresence.empty(ground.geometry.shape))
    return ground


def test_the_mesa_grid_is_the_strip_without_wrap_around_seeded_by_the_model() -> None:
    model = GroundModel()
    grid = model.ground.grid
    # the model's random generator seeds the grid (its Args say so), so runs repeat
    assert grid.random is model.random
    # a flat strip, not a torus: a corner cell has 3 Moore neighbours, an edge cell 5
    rows, cols = model.ground.geometry.shape
    assert len(grid._cells[(0, 0)].neighborhood) == 3
    assert len(grid._cells[(rows - 1, cols // 2)].neighborhood) == 5


def test_set_armed_keeps_land_and_floors_at_zero() -> None:
    ground = quiet_layer()
    land = ground.geometry.land
    members = np.where(land, 2.5, 7.0)  # 7 "members" at sea must not be counted
    row, col = np.argwhere(land)[0]
    members[row, col] = -3.0  # a negative count (removals overshooting) is none
    ground.set_armed(members)
    armed = ground.field("armed")
    assert armed[row, col] == 0.0
    assert armed[~land].sum() == 0.0
    others = land.copy()
    others[row, col] = False
    np.testing.assert_array_equal(armed[others], 2.5)
    assert armed.sum() == pytest.approx(2.5 * (land.sum() - 1))


def test_mean_grievance_is_weighted_by_people_even_for_a_tiny_population() -> None:
    ground = quiet_layer()
    population = ground.field("population")
    row, col = np.argwhere(ground.geometry.land)[0]
    population[...] = 0.0
    population[row, col] = 1.5  # one and a half persons (expected values are fractional)
    ground.field("grievance")[...] = 0.4
    totals = ground.totals()
    # (0.4 x 1.5) / 1.5 = 0.4; the floor of one person only guards an empty Strip
    assert totals["population"] == 1.5 and totals["grievance"] == pytest.approx(0.4)
    population[...] = 0.0
    assert ground.totals()["grievance"] == 0.0  # nobody: 0 / max(0, 1)


def _layer_with_line(share: float) -> GroundLayer:
    spec = GroundSpec()
    line = spec.yellow_line_share.model_copy(update={"value": share})
    return GroundModel(spec=spec.model_copy(update={"yellow_line_share": line})).ground


@pytest.mark.parametrize("share", [0.0, 0.94, 0.95, 1.0])
def test_nobody_is_lost_when_one_side_of_the_line_has_no_cells(share: float) -> None:
    # at 0 the IDF holds nothing (its residents' share lives west), at 1 everything (the
    # residents "west of the line" live on the whole Strip): 2.1 million either way. At 0.95
    # only Khan Younis keeps cells west of the line (0, 8, 0, 0, 0 by governorate) and at 0.94
    # Deir al-Balah keeps one: the residents of a governorate with no cell west of the line live
    # in its cells east of it
    ground = _layer_with_line(share)
    total = GroundSpec().population.total.value
    assert ground.field("population").sum() == pytest.approx(total)
    assert np.isfinite(ground.field("population")).all()


def test_a_governorate_keeps_its_share_of_the_residents_who_stay() -> None:
    # at a held share of 0.94 Deir al-Balah keeps one cell west of the line; the residents who
    # stay home (total x (1 - east share) x (1 - displaced share)) are split by pre-war
    # population, so that cell holds Deir al-Balah's share of them, plus displaced people
    ground = _layer_with_line(0.94)
    geometry, spec = ground.geometry, ground.spec
    deir = geometry.governorate_ids.index("deir_al_balah")
    cell = geometry.west_of_line & (geometry.governorate == deir)
    assert cell.sum() == 1
    people = spec.population
    staying = (
        people.total.value
        * (1 - people.east_of_line_share.value)
        * (1 - people.displaced_share.value)
    )
    prewar = {gid: g.population_prewar.value for gid, g in spec.governorates.items()}
    home = staying * prewar["deir_al_balah"] / sum(prewar.values())
    displaced = ground.field("displaced")[cell].sum()
    assert ground.field("population")[cell].sum() == pytest.approx(home + displaced)


def test_a_line_with_one_cell_east_puts_its_people_and_the_idf_there() -> None:
    # the line between the two largest across-fractions: exactly one land cell is the IDF's
    geometry = StripGeometry.from_spec(GroundSpec())
    across = np.sort(geometry.across_fraction[geometry.land])
    ground = _layer_with_line(1.0 - (across[-1] + across[-2]) / 2)
    east = ground.geometry.east_of_line
    assert east.sum() == 1
    spec = ground.spec
    # east_of_line_share of the residents (15% by default) all in that cell
    people = spec.population.total.value * spec.population.east_of_line_share.value
    assert ground.field("population")[east].sum() == pytest.approx(people)
    # the baseline IDF presence (by area) all in that cell
    idf = ground.baseline_presence().personnel[ForceCategory.IDF]
    assert idf[east].sum() == pytest.approx(spec.baseline.idf_troops.value)
    assert idf.sum() == pytest.approx(spec.baseline.idf_troops.value)


def test_damage_is_added_and_kept_within_zero_and_one() -> None:
    ground = quiet_layer()
    damage = ground.field("damage")
    land = ground.geometry.land
    damage[...] = np.where(land, 0.5, 0.0)
    change = np.where(land, 0.3, 0.0)
    ground.add_damage(change)
    np.testing.assert_allclose(damage[land], 0.8)  # 0.5 + 0.3
    ground.add_damage(change)
    np.testing.assert_allclose(damage[land], 1.0)  # 1.1 capped at 1 (all destroyed)
    ground.add_damage(np.where(land, -1.5, 0.0))
    np.testing.assert_allclose(damage[land], 0.0)  # -0.5 floored at 0 (rebuilt)
    view = ground.damage_view()
    with pytest.raises(ValueError, match="read-only"):
        view[0, 0] = 1.0


def test_the_view_follows_the_live_fields_and_the_day_read_only() -> None:
    ground = quiet_layer()
    view = ground.view()
    assert view.day == 0
    for name in ("population", "displaced", "grievance", "legitimacy", "actives", "detained"):
        assert np.shares_memory(getattr(view, name), ground.field(name)), name
    for name in ("recruits", "armed", "harm"):
        assert np.shares_memory(getattr(view, name), ground.field(name)), name
    assert np.shares_memory(view.controller, ground.controller)
    for array in (view.population, view.armed, view.controller):
        with pytest.raises(ValueError, match="read-only"):
            array[0, 0] = 1
    ground.day = 3  # a day later: the same arrays, the new day
    later = ground.view()
    assert later.day == 3 and later.population is view.population
    assert ground.view() is later  # built once per day


def test_the_grid_carries_the_land_mask_and_no_controller_at_sea() -> None:
    ground = GroundModel().ground
    land = ground.geometry.land
    np.testing.assert_array_equal(ground.grid.land.data, land)
    assert (ground.controller[~land] == Controller.NONE).all()
    # controller codes are integers (an IntGrid of Controller values), in the view too
    assert ground.controller.dtype == np.int64 and ground.view().controller.dtype == np.int64


def test_the_layer_keeps_the_presence_it_was_given() -> None:
    ground = quiet_layer()
    presence = SecurityPresence({ForceCategory.POLICE: np.where(ground.geometry.land, 1.0, 0.0)})
    ground.set_security(presence)
    assert ground.presence is presence  # what the full model reads back


def test_baseline_hamas_security_follows_the_residents_even_when_few() -> None:
    # Hamas's baseline security is spread by residents west of the line; with one and a half
    # residents, all in one cell, all of it is there (the floor of one resident only guards an
    # empty west)
    ground = quiet_layer()
    population = ground.field("population")
    row, col = np.argwhere(ground.geometry.west_of_line)[0]
    population[...] = 0.0
    population[row, col] = 1.5
    hamas = ground.baseline_presence().personnel[ForceCategory.HAMAS]
    security = ground.spec.baseline.hamas_security.value
    assert hamas[row, col] == pytest.approx(security) and hamas.sum() == pytest.approx(security)
