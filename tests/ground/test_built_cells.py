"""The ground layer's Mesa grid: connected as Mesa's own Moore grid, its layers the live fields."""

from __future__ import annotations

import random

import numpy as np
from mesa.discrete_space import OrthogonalMooreGrid

from sim.ground.layer import BuiltCell
from tests.ground.test_layer_mutants import quiet_layer


def _links(
    grid: OrthogonalMooreGrid,
) -> dict[tuple[int, ...], dict[tuple[int, ...], tuple[int, ...]]]:
    return {
        cell.coordinate: {key: other.coordinate for key, other in cell.connections.items()}
        for cell in grid.all_cells
    }


def test_the_layer_grid_has_mesas_connections_and_neighbourhoods() -> None:
    layer = quiet_layer()
    stock = OrthogonalMooreGrid(layer.geometry.shape, torus=False, random=random.Random(1))
    assert isinstance(layer.grid.all_cells.cells[0], BuiltCell)
    assert _links(layer.grid) == _links(stock)
    corner, middle = layer.grid[(0, 0)], layer.grid[(5, 5)]
    assert len(corner.neighborhood) == 3 and len(middle.neighborhood) == 8
    assert {c.coordinate for c in middle.get_neighborhood(radius=2)} == {
        (r, c) for r in range(3, 8) for c in range(3, 8) if (r, c) != (5, 5)
    }


def test_a_second_layer_reads_its_own_cells_after_the_first_was_read() -> None:
    first, second = quiet_layer(), quiet_layer()
    assert first.grid[(2, 2)].neighborhood  # fills Mesa's class-wide caches
    around = second.grid[(2, 2)].neighborhood
    assert all(cell in second.grid.all_cells.cells for cell in around)


def test_the_grid_built_late_shows_the_live_fields_and_changes_no_run() -> None:
    from sim.ground.model import GroundModel

    looked, unlooked = GroundModel(), GroundModel()
    cells_first = looked.ground.grid  # built before any day
    for _ in range(5):
        looked.step()
        unlooked.step()
    population = looked.ground.field("population")
    assert cells_first.population.data is population  # the same array, not a copy
    row, col = map(int, np.argwhere(population > 0)[0])
    assert cells_first[(row, col)].population == population[row, col]
    assert cells_first.land.data.sum() == looked.ground.geometry.land.sum()
    later = unlooked.ground.grid  # built after five days
    assert later.population.data is unlooked.ground.field("population")
    assert later.controller.data is unlooked.ground.controller
    for name in ("population", "grievance", "actives", "armed"):
        np.testing.assert_array_equal(looked.ground.field(name), unlooked.ground.field(name))
