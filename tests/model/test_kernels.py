"""The model's compiled kernels agree with their Python source and with hand-computed answers.

Each kernel runs compiled and as ``kernel.py_func`` (the Python source numba keeps) on the same
inputs and seed; results and the state of the random stream afterwards must agree. Hand sums pin
the arithmetic.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim.model import kernels
from sim.model import violence_kernels as vk

SHAPE = (4, 3)


def _grids(seed: int, count: int, high: float = 10.0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.uniform(0.0, high, SHAPE) for _ in range(count)]


def _armed_args(seed: int) -> list[Any]:
    fighters = np.stack(_grids(seed, 2, 200.0))
    deter, grievance, cooperation, battle, civ = (g / 10 for g in _grids(seed + 1, 5))
    targets = np.stack(_grids(seed + 2, 3, 100.0))
    return [
        np.random.default_rng(seed),
        np.array([0.02, 0.01]),
        np.array([0.004, 0.002]),
        np.array([1.0, 0.5, 0.7]),
        0.3,
        fighters,
        np.array([0.4, 0.0]),
        deter,
        grievance,
        targets,
        cooperation,
        battle,
        civ,
        np.array([0.3, 0.5, 0.15]),
        0.6,
        1.0,
        np.zeros(SHAPE),
        np.zeros(SHAPE),
    ]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_armed_day_kernel_matches_its_python_source(seed: int) -> None:
    compiled_args, python_args = _armed_args(seed), _armed_args(seed)
    compiled = vk.armed_day(*compiled_args)
    python = vk.armed_day.py_func(*python_args)
    np.testing.assert_allclose(compiled, python, rtol=1e-12)
    np.testing.assert_array_equal(compiled_args[-1], python_args[-1])  # civilian harm per cell
    np.testing.assert_array_equal(compiled_args[-2], python_args[-2])  # incidents per cell
    assert compiled_args[0].random() == python_args[0].random()
    assert compiled[vk.ON_ISF] + compiled[vk.ON_RIVALS] > 0  # something happened


def _armed_in_steps(args: list[Any]) -> np.ndarray:
    """The armed groups' day from its parts: without the quiet-day return of ``armed_day``."""
    (
        rng,
        attack,
        reprisal,
        exposure,
        baseline,
        fighters,
        compliance,
        deter,
        grievance,
        targets,
        cooperation,
        battle,
        civ,
        deaths,
        per_attack,
        per_reprisal,
        incidents,
        harm,
    ) = args
    groups, rows, cols = fighters.shape
    means = np.empty((groups, targets.shape[0] + 1, rows, cols))
    vk.attack_means(
        attack, exposure, baseline, fighters, compliance, deter, grievance, targets, means
    )
    attacks = np.empty(means.shape)
    vk.scattered_poisson_into(rng, means.ravel(), attacks.ravel())
    reprisal_mean = np.empty((groups, rows, cols))
    vk.reprisal_means(reprisal, fighters, deter, cooperation, reprisal_mean)
    taken = np.empty(reprisal_mean.shape)
    vk.scattered_poisson_into(rng, reprisal_mean.ravel(), taken.ravel())
    totals = vk.tally_day(rng, attacks, taken, battle, deaths)
    executions = vk.crossfire_harm(
        rng, attacks, taken, civ, per_attack, per_reprisal, incidents, harm
    )
    return np.append(totals, executions)


@pytest.mark.parametrize("scale", [1e-4, 1.0])
def test_armed_day_equals_its_parts_on_quiet_and_busy_days_and_empty_cells(scale: float) -> None:
    quiet_days = 0
    for seed in range(12):
        fused, parts = _armed_args(seed), _armed_args(seed)
        for args in (fused, parts):
            args[1] = args[1] * scale  # attack rates: tiny scales make most days quiet
            args[2] = args[2] * scale
            args[5][:, :2, :] = 0.0  # no fighters in the first two rows
            args[5][:, 2, :] = [[0.5], [0.0]]  # a few of one group's fighters in the third
            args[16][...] = 7.0  # stale incidents and harm: both must be overwritten
            args[17][...] = 7.0
        expected = _armed_in_steps(parts)
        got = vk.armed_day(*fused)
        np.testing.assert_array_equal(got, expected)
        np.testing.assert_array_equal(fused[16], parts[16])
        np.testing.assert_array_equal(fused[17], parts[17])
        assert fused[0].random() == parts[0].random()  # the stream stands at the same draw
        quiet_days += int(got[vk.ON_ISF] + got[vk.ON_RIVALS] + got[vk.REPRISALS] == 0.0)
    assert (quiet_days >= 6) if scale < 1 else (quiet_days <= 6)  # both paths were taken


def test_attack_means_share_a_groups_attacks_among_the_targets_by_hand() -> None:
    fighters = np.array([[[100.0]], [[50.0]]])  # Hamas 100, others 50 in one cell
    targets = np.array([[[20.0]], [[10.0]], [[0.0]]])  # force 20, police 10, no IDF
    out = np.zeros((2, 4, 1, 1))
    vk.attack_means(
        np.array([0.01, 0.02]),
        np.array([1.0, 0.5, 0.7]),
        0.3,
        fighters,
        np.array([0.5, 0.0]),
        np.array([[0.2]]),
        np.array([[0.4]]),
        targets,
        out,
    )
    pressure = (1 - 0.2) * (0.3 + 0.4)
    hamas = 0.01 * (1 - 0.5) * 100 * pressure
    weights = np.array([20.0, 5.0, 0.0, 50.0])  # rivals of Hamas: the other group's 50
    np.testing.assert_allclose(out[0, :, 0, 0], hamas * weights / weights.sum())
    others = 0.02 * 50 * pressure
    weights = np.array([20.0, 5.0, 0.0, 100.0])
    np.testing.assert_allclose(out[1, :, 0, 0], others * weights / weights.sum())


def test_scattered_poisson_is_poisson_in_total_and_placed_by_weight() -> None:
    rng = np.random.default_rng(5)
    mean = np.array([0.5, 1.5, 0.0, 2.0])
    draws = np.empty((4000, 4))
    for row in draws:
        vk.scattered_poisson_into(rng, mean, row)
    np.testing.assert_allclose(draws.mean(axis=0), mean, atol=0.08)
    assert draws[:, 2].sum() == 0.0
    assert draws.sum(axis=1).var() == pytest.approx(4.0, rel=0.1)  # Poisson: variance = mean


def test_line_fire_kernel_buffers_the_force_held_front() -> None:
    population = np.array([[100.0, 300.0, 50.0]])
    front = np.array([[True, True, False]])
    buffered = np.array([[False, True, False]])
    totals = np.zeros(3)
    rng = np.random.default_rng(0)
    out = np.empty((1, 3))
    for _ in range(3000):
        vk.line_fire_into(rng, population, front, buffered, 2.0, 0.8, out)
        totals += out[0]
    # exposed residents: 100 + 300 x 0.2 = 160 of 400 on the front: mean 2 x 0.4 = 0.8 a day
    assert totals.sum() / 3000 == pytest.approx(0.8, rel=0.08)
    assert totals[2] == 0.0  # off the front
    assert totals[0] / totals[1] == pytest.approx(100 / 60, rel=0.15)


def test_strike_kernel_removes_the_fighters_it_kills_and_adds_the_harm() -> None:
    fighters = np.array([[0.0, 40.0], [10.0, 0.0]])
    harm = np.ones((2, 2))
    destroyed = np.empty((2, 2))
    civ, killed = vk.strike_day(np.random.default_rng(1), 50, fighters, 0.5, 1.0, harm, destroyed)
    assert destroyed.sum() == 50 and destroyed[0, 0] == 0 and destroyed[1, 1] == 0
    assert harm.sum() == pytest.approx(4 + civ)
    assert fighters.sum() == pytest.approx(50.0 - killed)
    assert killed > 0 and (fighters >= 0).all()


def test_deploy_kernel_spreads_troops_and_police_by_weight_by_hand() -> None:
    weights = np.array([[1.0, 3.0]])
    population = np.array([[2000.0, 4000.0]])
    stack = np.zeros((6, 1, 2))
    fields = np.zeros((5, 1, 2))
    kernels.deploy_into(
        weights,
        population,
        np.array([400.0, 0.0, 0.0]),
        100.0,
        np.array([[0.0, 7.0]]),
        np.array([[30.0, 10.0]]),
        np.array([[0.0, 0.0]]),
        np.array([[False, True]]),
        1.5,
        1.2,
        10.0,
        1000.0,
        stack,
        fields,
    )
    assert stack[2, 0].tolist() == [100.0, 300.0]  # the first ISF category, by weight
    assert stack[5, 0].tolist() == [25.0, 75.0]  # police
    assert stack[1, 0].tolist() == [30.0, 0.0]  # Hamas hidden where the force or IDF holds
    assert stack[0, 0].tolist() == [0.0, 7.0]  # the IDF as given
    security = 100 * 1.5 + 25 * 1.2
    assert fields[2, 0, 0] == pytest.approx(security)
    assert fields[1, 0, 0] == pytest.approx(150 * 1000 / 2000)  # ISF per 1,000 residents
    assert fields[4, 0, 0] == pytest.approx(1 - np.exp(-np.log(10) * security / 30 / 10))


def test_arrival_kernel_takes_the_route_with_the_fewest_insecure_rows() -> None:
    land = np.ones((5, 2), dtype=bool)
    secure = np.zeros((5, 2), dtype=bool)
    secure[:3] = True
    out = np.empty(5)
    kernels.arrival_share_into(land, secure, np.full(5, 2.0), np.array([0, 4]), 0.1, out)
    np.testing.assert_allclose(out, [1, 1, 1, 0.9, 0.9])


def test_decommission_kernel_by_hand() -> None:
    weapons = np.array([[100.0, 100.0]])
    fighters = np.array([[50.0, 50.0]])
    taken = kernels.decommission_into(
        weapons, fighters, 0.1, np.array([[True, False]]), 0.2, np.array([[0.5, 0.5]])
    )
    # in the area: 10% handed in plus 20% x 0.5 seized = 20 weapons; outside: nothing
    assert taken == pytest.approx(20.0)
    assert weapons.tolist() == [[80.0, 100.0]]
    assert fighters.tolist() == [[40.0, 50.0]]


def test_secure_kernel_counts_consecutive_days() -> None:
    days = np.array([[4.0, 4.0, 4.0]])
    secure = np.empty((1, 3), dtype=bool)
    kernels.secure_into(
        np.array([[3.0, 3.0, 1.0]]),
        np.array([[0.0, 0.0, 0.0]]),
        np.array([[True, True, True]]),
        np.array([[100.0, 10.0, 100.0]]),
        np.array([[10.0, 10.0, 10.0]]),
        2.0,
        20.0,
        5.0,
        secure,
        days,
    )
    # cell 2: armed control (10 < 5 x 10); cell 3: below the peaceful density
    assert secure.tolist() == [[True, False, False]]
    assert days.tolist() == [[5.0, 0.0, 0.0]]


@pytest.mark.parametrize("seed", [0, 1])
def test_record_sums_match_numpy(seed: int) -> None:
    population, legitimacy, grievance, actives = _grids(seed, 4)
    secure = population > 5
    held = grievance > 5
    fighters, weapons = np.stack(_grids(seed, 2)), np.stack(_grids(seed + 1, 2))
    out = kernels.record_sums(
        population, legitimacy, grievance, actives, secure, held, fighters, weapons
    )
    expected = [
        population.sum(),
        (legitimacy * population).sum(),
        (grievance * population).sum(),
        actives.sum(),
        population[secure].sum(),
        held.sum(),
        fighters.sum(),
        weapons.sum(),
    ]
    np.testing.assert_allclose(out, expected, rtol=1e-12)


def test_rations_reach_cells_by_their_rows_arriving_share() -> None:
    population = np.array([[100.0, 300.0], [200.0, 0.0]])
    out = np.empty((2, 2))
    reached = kernels.rations_into(population, np.array([1.0, 0.5]), 0.25, out)
    assert out.tolist() == [[25.0, 75.0], [25.0, 0.0]]
    assert reached == pytest.approx((100 + 300 + 200 * 0.5) / 600)


def test_repairs_follow_damage_within_the_budget() -> None:
    eligible = np.array([[True, True, False]])
    damage = np.array([[0.2, 0.6, 0.9]])
    out = np.empty((1, 3))
    repaired = kernels.repair_into(eligible, damage, 0.4, 2.0, out)
    # 0.4 spent as 0.1 and 0.3, at 2.0 a cell: 0.05 and 0.15; nothing where not eligible
    np.testing.assert_allclose(out, [[0.05, 0.15, 0.0]])
    assert repaired == pytest.approx(0.2)
    kernels.repair_into(eligible, damage, 0.4, 0.0, out)  # free: spent cells repaired fully
    np.testing.assert_allclose(out, [[0.2, 0.6, 0.0]])


def test_held_sums_and_joining_groups_by_hand() -> None:
    sums = kernels.held_sums(
        np.array([[10.0, 30.0]]), np.array([[True, False]]), np.array([[4.0, 9.0]])
    )
    assert sums.tolist() == [40.0, 10.0, 4.0]
    fighters = np.array([[[100.0]], [[10.0]]])
    kernels.join_groups(fighters, np.array([[20.0]]), np.array([0.75, 0.25]), 0.1)
    assert fighters[:, 0, 0].tolist() == pytest.approx([90 + 15, 9 + 5])


def test_attack_means_are_zero_exactly_where_no_group_has_fighters() -> None:
    fighters = np.zeros((2, 1, 3))
    fighters[0, 0, 1] = 0.5  # a handful of one group's fighters in the middle cell
    fighters[1, 0, 2] = 1e-9  # and a trace of the other's in the last
    out = np.full((2, 4, 1, 3), np.nan)
    targets = np.full((3, 1, 3), 10.0)
    weights = np.array([1.0, 0.5, 0.7])
    deter, grievance = np.full((1, 3), 0.1), np.full((1, 3), 0.4)
    vk.attack_means(
        np.array([0.02, 0.01]), weights, 0.3, fighters, np.zeros(2), deter, grievance, targets, out
    )
    assert (out[:, :, 0, 0] == 0.0).all()  # nobody armed: every mean is exactly 0
    assert (out[0, :3, 0, 1] > 0.0).all() and (out[1, :, 0, 1] == 0.0).all()
    assert (out[1, :3, 0, 2] > 0.0).all()
    total = 0.02 * 0.5 * (1 - 0.1) * (0.3 + 0.4)  # group 0's mean in the middle cell
    assert out[0, :, 0, 1].sum() == pytest.approx(total)
