"""The ground layer's compiled kernels agree with their Python source and with hand sums.

Coverage cannot see inside compiled code, so each kernel is run twice on the same random small
grid: compiled, and as its Python function (``kernel.py_func``, which numba keeps); results and
random draws must agree exactly. Known answers by hand pin the arithmetic itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numba
import numpy as np
import pytest

from sim.ground import kernels
from sim.ground.stencils import box_sum

SHAPE = (6, 5)


def _grids(seed: int, count: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.uniform(0.0, 50.0, SHAPE) for _ in range(count)]


def _land(seed: int) -> np.ndarray:
    land = np.random.default_rng(seed).random(SHAPE) < 0.8
    land[2, 2] = True
    return land


def _parameters() -> np.ndarray:
    p = np.zeros(kernels.PARAMETER_COUNT)
    p[kernels.MEMORY_DAYS] = 30.0
    p[kernels.WEIGHT_DAMAGE] = 0.4
    p[kernels.WEIGHT_SHORTFALL] = 0.3
    p[kernels.WEIGHT_HARM] = 0.2
    p[kernels.WEIGHT_DISPLACEMENT] = 0.1
    p[kernels.THRESHOLD] = 0.1
    p[kernels.ARREST_CONSTANT] = 2.3
    p[kernels.RATIO_RULE] = kernels.RULE_CODES["literal"]
    p[kernels.ARRESTS_PER_MEMBER] = 0.5
    p[kernels.ACTIVES_PER_MEMBER] = 4.0
    p[kernels.DETENTION_DAYS] = 20.0
    p[kernels.RECRUIT_THRESHOLD] = 0.2
    p[kernels.RECRUIT_RATE] = 0.01
    p[kernels.ATTRITION] = 0.001
    p[kernels.MOVE_RATE] = 0.05
    p[kernels.DANGER_IDF] = 1.0
    p[kernels.DANGER_HARM] = 0.5
    p[kernels.DANGER_DAMAGE] = 0.3
    p[kernels.CELL_AREA] = 1.0
    p[kernels.MAX_DENSITY] = 400.0
    p[kernels.IDF_CODE] = 4.0
    return p


def _both(kernel: Any, make_args: Callable[[], list[Any]]) -> tuple[list[Any], list[Any]]:
    """Run the compiled kernel and its Python source on identical fresh arguments."""
    compiled, python = make_args(), make_args()
    kernel(*compiled)
    kernel.py_func(*python)
    return compiled, python


def _assert_same(compiled: list[Any], python: list[Any]) -> None:
    for a, b in zip(compiled, python, strict=True):
        if isinstance(a, np.ndarray):
            np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("radius", [0, 1, 2])
def test_box_sum_kernel_matches_the_numpy_stencil(radius: int) -> None:
    values = _grids(1, 1)[0]
    out = np.empty(SHAPE)
    kernels.box_sum_into(values, radius, out)
    np.testing.assert_allclose(out, box_sum(values, radius), rtol=1e-12)
    by_python = np.empty(SHAPE)
    kernels.box_sum_into.py_func(values, radius, by_python)
    np.testing.assert_allclose(by_python, out, rtol=1e-12)


def test_security_kernel_picks_the_largest_force_by_hand() -> None:
    stack = np.zeros((3, 1, 3))
    stack[:, 0, 0] = [10.0, 30.0, 0.0]  # category 1 leads
    stack[:, 0, 1] = [5.0, 5.0, 0.0]  # a tie goes to the earlier category
    land = np.array([[True, True, True]])
    legitimacy, controller, deterrence = (
        np.zeros((1, 3)),
        np.zeros((1, 3), np.int64),
        np.zeros((1, 3)),
    )
    kernels.security_day(
        stack,
        land,
        np.array([0.2, 0.6, 0.9]),
        np.array([1.0, 2.0, 3.0]),
        np.array([7, 8, 9]),
        0.5,
        0,
        legitimacy,
        controller,
        deterrence,
    )
    assert legitimacy[0, 0] == pytest.approx((10 * 0.2 + 30 * 0.6) / 40)
    assert legitimacy[0, 2] == 0.5  # nobody: the legitimacy of no one
    assert controller.tolist() == [[8, 7, 0]]
    assert deterrence[0].tolist() == pytest.approx([10 + 60, 5 + 10, 0])


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_grievance_activation_and_aid_kernels_match_their_python_source(seed: int) -> None:
    p = _parameters()
    factor = np.array([0.5, 1.0, 1.5])

    def grievance_args() -> list[Any]:
        memory, population, damage, shortfall, displaced, legitimacy = _grids(seed, 6)
        return [
            p,
            memory,
            population,
            damage / 50,
            shortfall / 50,
            displaced,
            legitimacy / 50,
            np.zeros(SHAPE),
            np.zeros(SHAPE),
        ]

    _assert_same(*_both(kernels.grievance_day, grievance_args))

    def activation_args() -> list[Any]:
        near, grievance, population, detained, actives = _grids(seed, 5)
        return [p, 1, factor, near, grievance / 50, population * 10, detained, actives]

    _assert_same(*_both(kernels.activate_day, activation_args))

    def aid_args() -> list[Any]:
        population, stock, shortfall = _grids(seed, 3)
        return [p, population, stock, shortfall / 50]

    _assert_same(*_both(kernels.consume_aid_day, aid_args))


@pytest.mark.parametrize("seed", [0, 1])
def test_arrest_and_recruit_kernels_draw_the_same_numbers_as_their_python_source(
    seed: int,
) -> None:
    p, land = _parameters(), _land(seed)
    factor = np.array([0.5, 1.0, 1.5])

    def arrest_args() -> list[Any]:
        near, deterrence, actives, detained = _grids(seed, 4)
        return [p, 1, np.random.default_rng(seed), land, near, deterrence, actives, detained]

    compiled, python = _both(kernels.arrest_day, arrest_args)
    _assert_same(compiled, python)
    assert compiled[2].random() == python[2].random()  # the streams advanced alike

    def recruit_args() -> list[Any]:
        grievance, population, detained, recruits, armed = _grids(seed, 5)
        return [
            p,
            np.random.default_rng(seed),
            land,
            factor,
            grievance / 50,
            population * 100,
            detained,
            recruits,
            armed,
        ]

    compiled, python = _both(kernels.recruit_day, recruit_args)
    _assert_same(compiled, python)
    assert compiled[7][~land].sum() == 0.0  # nobody joins off land
    assert (compiled[7] > 0).any()


def test_displacement_kernel_keeps_everyone_and_matches_its_python_source() -> None:
    from sim.ground.stencils import LandNeighbours

    p, land = _parameters(), _land(3)
    neighbours = LandNeighbours(land)
    rows, cols = (index.astype(np.int64) for index in np.nonzero(land))

    def args() -> list[Any]:
        danger, population, displaced, detained, actives = _grids(3, 5)
        return [
            p,
            rows,
            cols,
            neighbours.table,
            danger / 50,
            population * 10,
            displaced,
            detained,
            actives,
        ]

    compiled, python = _both(kernels.displace_day, args)
    _assert_same(compiled, python)
    before = args()[5]
    assert compiled[5][land].sum() == pytest.approx(before[land].sum())
    assert not np.allclose(compiled[5], before)  # people did move


def test_harm_kernel_removes_the_dead_in_proportion_to_the_displaced() -> None:
    land = np.array([[True, False]])
    incoming = np.zeros((1, 2))
    population = np.array([[100.0, 100.0]])
    displaced = np.array([[40.0, 40.0]])
    harm = np.array([[10.0, 10.0]])
    kernels.add_harm_into(land, harm, harm, True, incoming, population, displaced)
    assert incoming.tolist() == [[10.0, 0.0]]  # off land: nothing
    assert population.tolist() == [[90.0, 100.0]]
    assert displaced.tolist() == [[36.0, 40.0]]


def _activation_by_the_plain_loop(
    p: np.ndarray,
    factor: np.ndarray,
    near_forces: np.ndarray,
    grievance: np.ndarray,
    population: np.ndarray,
    detained: np.ndarray,
    near_actives: np.ndarray,
) -> np.ndarray:
    """Epstein's rule per cohort, the risk computed in every cell (the kernel skips it where
    no cohort clears the threshold)."""
    out = np.empty(SHAPE)
    for r in range(SHAPE[0]):
        for c in range(SHAPE[1]):
            ratio = near_forces[r, c] / (near_actives[r, c] + 1.0)
            risk = max(
                1.0 - math.exp(-p[kernels.ARREST_CONSTANT] * ratio), kernels.TINY_PROBABILITY
            )
            share = 0.0
            for f in factor:
                margin = grievance[r, c] * f - p[kernels.THRESHOLD]
                if margin > 0.0:
                    share += min(margin / risk, 1.0)
            out[r, c] = share / factor.size * max(population[r, c] - detained[r, c], 0.0)
    return out


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_activation_skips_the_risk_only_where_no_cohort_clears_the_threshold(seed: int) -> None:
    p = _parameters()
    rng = np.random.default_rng(seed)
    factor = np.array([0.5, 1.0, 1.5])
    near, population, detained, actives = _grids(seed, 4)
    # grievance below, around and above the threshold, and negative (legitimacy above 1)
    grievance = rng.uniform(-0.3, 0.4, SHAPE)
    expected = _activation_by_the_plain_loop(
        p, factor, near, grievance, population * 10, detained, box_sum(actives, 1)
    )
    compiled, source = actives.copy(), actives.copy()
    kernels.activate_day(p, 1, factor, near, grievance, population * 10, detained, compiled)
    np.testing.assert_array_equal(compiled, expected)  # libm's exp, as math.exp
    kernels.activate_day.py_func(p, 1, factor, near, grievance, population * 10, detained, source)
    np.testing.assert_allclose(source, expected, rtol=1e-12)  # numpy's exp: within an ulp
    assert (expected == 0.0).any() and (expected > 0.0).any()


def test_every_generator_has_one_numba_type_and_draws_as_numpy_does() -> None:
    assert numba.typeof(np.random.default_rng(5)) is numba.typeof(np.random.default_rng(6))
    land, factor = np.ones(SHAPE, dtype=bool), np.array([1.0])
    grievance, population, detained, recruits, armed = _grids(3, 5)
    runs = []
    for kernel in (kernels.recruit_day, kernels.recruit_day.py_func):
        fields = [grievance / 50, population * 10, detained, recruits.copy(), armed.copy()]
        kernel(_parameters(), np.random.default_rng(7), land, factor, *fields)
        runs.append(fields[3:])
    for compiled, source in zip(*runs, strict=True):
        np.testing.assert_array_equal(compiled, source)
    assert runs[0][0].sum() > 0  # people joined: the draws were made


@pytest.mark.parametrize("seed", [0, 1])
def test_aid_on_land_adds_as_numpy_does_where_land(seed: int) -> None:
    stock, rations = _grids(seed, 2)
    rations[0, 0] = -0.0
    land = _land(seed)
    expected = stock.copy()
    np.add(expected, rations, out=expected, where=land)
    for kernel in (kernels.add_on_land, kernels.add_on_land.py_func):
        got = stock.copy()
        kernel(got, rations, land)
        assert np.array_equal(got, expected)
        assert np.array_equal(np.signbit(got), np.signbit(expected))
