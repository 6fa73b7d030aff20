"""Details of the ground layer that the full mutation run found untested (docs/testing.md).

Each test sets the layer's fields by hand and checks a value derived in the comments, or a
property that a plausible one-line bug breaks: the Mesa grid the layer is built on, the armed
members the full model writes in, and the Strip-wide totals.
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.ground.interfaces import SecurityPresence
from sim.ground.layer import GroundLayer
from sim.ground.model import GroundModel


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
