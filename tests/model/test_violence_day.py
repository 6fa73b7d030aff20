"""The violence of a day in one compiled call equals its three parts, bit for bit.

``violence.violence_day`` (what the model calls) fuses :func:`force_fields`, :func:`armed_day`
and :func:`line_fire`; these tests hold it to the parts on the model's own state, on busy and
quiet days, and hold the force's reach (summed from the cells with troops) to a plain sum over
each neighbourhood.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from sim.ground.interfaces import ForceCategory
from sim.model import violence, violence_kernels
from sim.model.gaza import GazaModel
from tests.model.conftest import shipped

BASE = "base.yaml"


def _state(seed: int, days: int) -> GazaModel:
    model = GazaModel(shipped(BASE), seed)
    for _ in range(days):
        model.step()
    return model


def _parts(model: GazaModel, rngs: tuple[Any, Any], compliance: float, factor: float) -> Any:
    """The day's force fields, armed violence and line fire, called one by one."""
    effects = model.effects
    civ, battle, cooperation, reach = violence.force_fields(
        model._isf_cells, model._isf_density, model._deployed, effects
    )
    targets = np.stack([reach, model._presence.personnel[ForceCategory.POLICE], model._targets[2]])
    incidents, harm = np.full(model.geometry.shape, 7.0), np.full(model.geometry.shape, 7.0)
    out = violence.armed_day(
        rngs[0],
        model._rates,
        model._fighters,
        np.array([compliance, 0.0]),
        model._deploy_fields[4],
        model.view.grievance,
        targets,
        cooperation,
        (civ, battle),
        effects,
        incidents,
        harm,
    )
    fire = violence.line_fire(
        rngs[1],
        model.view.population,
        model._front(),
        model._area,
        effects.line_fire_deaths_per_day.value,
        factor,
        effects.line_buffer_efficacy.value,
    )
    return out, np.stack([civ, battle, cooperation, reach]), incidents, harm, fire


def _fused(model: GazaModel, rngs: tuple[Any, Any], compliance: float, factor: float) -> Any:
    effects, grievance = model.effects, model.view.grievance
    shape = model.geometry.shape
    targets = model._targets.copy()
    targets[0] = -1.0  # stale: the call writes the force's reach
    targets[1] = model._presence.personnel[ForceCategory.POLICE]
    fields = np.full((4, *shape), 7.0)
    incidents, harm, fire = (np.full(shape, 7.0) for _ in range(3))
    out = violence.violence_day(
        rngs,
        model._rates,
        (model._fighters, np.array([compliance, 0.0]), model._deploy_fields[4], grievance),
        (model._isf_cells, model._isf_density, model._deployed),
        targets,
        (
            model.view.population,
            model._front(),
            model._area,
            effects.line_fire_deaths_per_day.value * factor,
        ),
        effects,
        (fields, incidents, harm, fire),
    )
    return out, fields, incidents, harm, fire, targets


@pytest.mark.parametrize(("seed", "days"), [(0, 40), (3, 120), (11, 200)])
@pytest.mark.parametrize("compliance", [0.0, 0.9])
def test_the_fused_day_equals_its_parts(seed: int, days: int, compliance: float) -> None:
    model = _state(seed, days)
    model._violence(model._presence, model._deploy_fields[4], model.view.grievance)  # targets
    busy = 0
    for day in range(6):
        one, two = (np.random.default_rng([seed, day, k]) for k in (1, 2))
        fused_rngs = (np.random.default_rng([seed, day, 1]), np.random.default_rng([seed, day, 2]))
        expected, fields, incidents, harm, fire = _parts(model, (one, two), compliance, 0.3)
        got, got_fields, got_incidents, got_harm, got_fire, targets = _fused(
            model, fused_rngs, compliance, 0.3
        )
        expected.line_fire_deaths = float(fire.sum())  # what the model sums from the parts
        for name in violence.DayViolence.RECORDED:
            assert getattr(got, name) == getattr(expected, name), name
        assert got.reprisal_deaths == expected.reprisal_deaths
        np.testing.assert_array_equal(got_fields, fields)
        np.testing.assert_array_equal(targets[0], fields[3])
        np.testing.assert_array_equal(got_incidents, incidents)
        np.testing.assert_array_equal(got_harm, harm)
        np.testing.assert_array_equal(got_fire, fire)
        assert fused_rngs[0].random() == one.random()  # both streams stand at the same draw
        assert fused_rngs[1].random() == two.random()
        busy += int(expected.incidents > 0)
    assert busy > 0  # attacks or reprisals on some of the days
    assert model._deployed == (days > 40)  # no troops yet on day 40; spread reach later


def _reach_by_neighbourhood(cells: np.ndarray) -> np.ndarray:
    """Each cell's troops and its neighbours', summed over the neighbourhood in C order, / 9."""
    rows, cols = cells.shape
    out = np.zeros(cells.shape)
    for r in range(rows):
        for c in range(cols):
            total = 0.0
            for nr in range(max(r - 1, 0), min(r + 2, rows)):
                for nc in range(max(c - 1, 0), min(c + 2, cols)):
                    total += cells[nr, nc]
            out[r, c] = total / 9.0
    return out


@pytest.mark.parametrize("seed", range(5))
def test_the_forces_reach_equals_a_sum_over_each_neighbourhood(seed: int) -> None:
    rng = np.random.default_rng(seed)
    cells = rng.uniform(0.0, 1e4, (7, 5)) * (rng.random((7, 5)) < 0.4)  # mostly empty
    cells[0, 0] = 1e-3  # a corner, and magnitudes far apart (the order of the sum shows)
    out = np.full(cells.shape, -1.0)
    violence_kernels.reach_into(cells, out)
    np.testing.assert_array_equal(out, _reach_by_neighbourhood(cells))
    np.testing.assert_array_equal(
        violence_kernels.reach_into.py_func(cells, out) or out, _reach_by_neighbourhood(cells)
    )
