"""The ground layer's Mesa grid is connected exactly as Mesa's own Moore grid would be."""

from __future__ import annotations

import random

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
