"""Small kernels of the model's day against the numpy expressions they replaced, bit for bit.

Random grids with signed zeros, NaN and infinities mixed in: numpy's ``maximum(x, 0)`` gives +0
for -0 and keeps NaN, which a kernel must write out (Python's ``max`` keeps -0).
"""

from __future__ import annotations

import numpy as np
import pytest

from sim.ground import kernels as ground_kernels
from sim.model import kernels

SPECIALS = np.array([0.0, -0.0, np.nan, np.inf, -np.inf, 1e-300, -1e-300, 5.0, -3.0])


def _grid(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    values = rng.normal(size=shape) * rng.choice([1.0, 1e3, 1e-3], size=shape)
    mask = rng.random(shape) < 0.25
    values[mask] = rng.choice(SPECIALS, size=int(mask.sum()))
    return values


def _bits(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values).view(np.uint8)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inf - inf in the references
@pytest.mark.parametrize("seed", range(4))
def test_small_kernels_equal_their_numpy_expressions(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(60):
        shape = (int(rng.integers(1, 8)), int(rng.integers(1, 8)))
        land = rng.random(shape) < 0.8
        # hostility: clip(g (1 - w) + w (1 - k), 0, 1)
        grievance, weight, compliance = _grid(rng, shape), float(rng.random()), float(rng.random())
        got = np.empty(shape)
        kernels.hostility_into(grievance.ravel(), weight, compliance, got.ravel())
        expected = np.multiply(grievance, 1.0 - weight)
        expected += weight * (1.0 - compliance)
        expected = np.minimum(np.maximum(expected, 0.0), 1.0)
        np.testing.assert_array_equal(_bits(got), _bits(expected))
        # deploy weights: residents + 1 in the area, else the staging cells
        area, staging, population = rng.random(shape) < rng.random(), land, _grid(rng, shape)
        got = np.empty(shape)
        kernels.deploy_weights(area, staging, population, got)
        expected = np.where(area, population + 1.0, 0.0) if area.any() else staging * 1.0
        np.testing.assert_array_equal(_bits(got), _bits(expected))
        # armed members of both groups, at least zero, on land
        groups = np.stack([_grid(rng, shape), _grid(rng, shape)])
        got = np.empty(shape)
        ground_kernels.armed_from_groups(land, groups, got)
        expected = np.where(land, np.maximum(groups[0] + groups[1], 0.0), 0.0)
        np.testing.assert_array_equal(_bits(got), _bits(expected))
        # damage plus a change, clipped to [0, 1] in place
        damage, change = _grid(rng, shape), _grid(rng, shape)
        got = damage.copy()
        ground_kernels.add_within_unit(got, change)
        expected = np.minimum(np.maximum(damage + change, 0.0), 1.0)
        np.testing.assert_array_equal(_bits(got), _bits(expected))
        # cells eligible for reconstruction
        days, zone = _grid(rng, shape), rng.random(shape) < 0.3
        threshold = float(rng.integers(0, 3))
        eligible = np.empty(shape, dtype=bool)
        kernels.eligible_into(days, threshold, zone, land, eligible)
        np.testing.assert_array_equal(eligible, ((days >= threshold) | zone) & land)


def test_aid_day_is_arrival_shares_then_rations() -> None:
    rng = np.random.default_rng(5)
    land = rng.random((6, 4)) < 0.8
    secure = rng.random((6, 4)) < 0.5
    row_cells = np.maximum(land.sum(axis=1), 1).astype(float)
    population = rng.uniform(0, 1e4, (6, 4))
    for crossings in (np.array([0, 5]), np.array([2]), np.zeros(0, dtype=np.int64)):
        arriving = np.zeros(6)
        if crossings.size:
            kernels.arrival_share_into(land, secure, row_cells, crossings, 0.3, arriving)
        expected = np.empty((6, 4))
        reached = kernels.rations_into(population, arriving, 2.5, expected)
        got = np.empty((6, 4))
        assert kernels.aid_day(land, secure, row_cells, crossings, 0.3, population, 2.5, got) == (
            reached
        )
        np.testing.assert_array_equal(got, expected)
        assert (got.sum() == 0.0) == (crossings.size == 0)  # no crossing open: nothing arrives


def test_the_kernels_python_sources_agree() -> None:
    rng = np.random.default_rng(9)
    land = rng.random((5, 5)) < 0.7
    groups = np.stack([rng.normal(size=(5, 5)), rng.normal(size=(5, 5))])
    compiled, python = np.empty((5, 5)), np.empty((5, 5))
    ground_kernels.armed_from_groups(land, groups, compiled)
    ground_kernels.armed_from_groups.py_func(land, groups, python)
    np.testing.assert_array_equal(compiled, python)
    damage = rng.random((5, 5))
    change = rng.normal(size=(5, 5))
    one, two = damage.copy(), damage.copy()
    ground_kernels.add_within_unit(one, change)
    ground_kernels.add_within_unit.py_func(two, change)
    np.testing.assert_array_equal(one, two)


@pytest.mark.parametrize(
    "name", ["hamas-accepts-turkey-included.yaml", "hamas-rejects-southern-fallback.yaml"]
)
def test_kept_masks_follow_the_line_as_it_moves(name: str) -> None:
    # staging cells, where Hamas stands down and the fallback zone are kept between days: each
    # day they must equal a fresh computation, through the days the line moves (the southern
    # fallback: the line moves) and the force takes sectors (both)
    from sim.model.gaza import GazaModel
    from tests.model.conftest import shipped

    model = GazaModel(shipped(name), 2)
    territory, geometry = model.territory, model.geometry
    versions = set()
    for _ in range(240):
        model.step()
        held = territory.idf_held
        versions.add((territory.line_version, territory.sectors.taken))
        fresh_staging = held & (geometry.governorate == territory.entry)
        np.testing.assert_array_equal(territory.staging(), fresh_staging)
        np.testing.assert_array_equal(model._hamas_hidden(model._area), model._area | held)
        if model.rebuild.fallback and territory.fallback is not None:
            zone = (geometry.governorate == territory.fallback) & held
            np.testing.assert_array_equal(model.rebuild._zone(territory), zone)
    assert len(versions) > 2  # the line moved or the force took ground, more than once
