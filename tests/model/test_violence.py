"""Violence alone: the line's near side, IDF fire along it, strike policy factors."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.violence import front_cells, line_fire, strike_factor
from sim.scenario.effects import EffectsSpec
from sim.scenario.forces import StrikePolicy


def test_front_cells_touch_the_held_area() -> None:
    held = np.zeros((3, 4), dtype=bool)
    held[:, 3] = True
    land = np.ones((3, 4), dtype=bool)
    assert front_cells(held, land)[:, 2].all() and not front_cells(held, land)[:, :2].any()


def test_line_fire_mean_by_hand() -> None:
    population = np.array([[10.0, 30.0]])
    front = np.array([[True, True]])
    buffered = np.array([[False, True]])  # the force holds the second cell of the front
    rng = np.random.default_rng(1)
    draws = np.array(
        [line_fire(rng, population, front, buffered, 2.0, 1.5, 1.0) for _ in range(4000)]
    )
    # 2 deaths/day x factor 1.5 x unbuffered share 10/40 = 0.75, all in the first cell
    assert draws.sum(axis=(1, 2)).mean() == pytest.approx(0.75, abs=0.05)
    assert draws[:, 0, 1].sum() == 0.0


def test_a_partly_effective_buffer_leaves_some_fire_where_the_force_holds() -> None:
    population = np.array([[10.0, 30.0]])
    front = np.array([[True, True]])
    buffered = np.array([[False, True]])
    rng = np.random.default_rng(2)
    draws = np.array(
        [line_fire(rng, population, front, buffered, 2.0, 1.5, 0.8) for _ in range(4000)]
    )
    # exposed share (10 + 0.2 x 30) / 40 = 0.4 -> mean 3 x 0.4 = 1.2; the held cell gets 6/16
    assert draws.sum(axis=(1, 2)).mean() == pytest.approx(1.2, abs=0.06)
    assert draws[:, 0, 1].sum() / draws.sum() == pytest.approx(6 / 16, abs=0.03)


def test_no_line_fire_without_a_front() -> None:
    rng = np.random.default_rng(0)
    none = np.zeros((1, 2), dtype=bool)
    assert line_fire(rng, np.ones((1, 2)), none, none, 5.0, 1.0, 0.8).sum() == 0.0


def test_strike_policy_factors() -> None:
    e = EffectsSpec()
    assert (
        strike_factor(StrikePolicy.RESTRAINED, e)
        < 1.0
        == strike_factor(StrikePolicy.PROPORTIONAL, e)
    )
    assert strike_factor(StrikePolicy.HEAVY, e) == e.heavy_strike_factor.value
