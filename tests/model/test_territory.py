"""The IDF's line alone: staged, verified, consented withdrawal; re-entry and advance."""

from __future__ import annotations

import numpy as np
import pytest

from sim.ground.geometry import StripGeometry
from sim.model.territory import Territory
from tests.model.conftest import shipped


@pytest.fixture(scope="module")
def territory() -> Territory:
    scenario = shipped("base.yaml")
    geometry = StripGeometry.from_spec(scenario.ground)
    return Territory(scenario.idf, scenario.forces.deployment, scenario.effects, geometry)


def test_no_withdrawal_without_decommissioning(territory: Territory) -> None:
    # base: start 0.55, staged 0.40, perimeter 0.15, milestones 0.1 and 0.8
    assert territory.withdrawal(1.0, 0.0, 1.0) == 0.0
    assert territory.withdrawal(0.0, 1.0, 1.0) == 0.0  # nothing handed over


def test_withdrawal_by_stage_by_hand(territory: Territory) -> None:
    assert territory.withdrawal(1.0, 0.1, 1.0) == pytest.approx(0.15)
    assert territory.withdrawal(1.0, 0.05, 1.0) == pytest.approx(0.075)
    # 0.45 is half way between the milestones: 0.15 + 0.25 * 0.5
    assert territory.withdrawal(1.0, 0.45, 1.0) == pytest.approx(0.275)
    assert territory.withdrawal(0.5, 0.8, 1.0) == pytest.approx(0.15 + 0.25 * 0.5)


def test_consent_caps_the_withdrawal(territory: Territory) -> None:
    # Israel consents to half the way to the perimeter: 0.5 * 0.40
    assert territory.withdrawal(1.0, 1.0, 0.5) == pytest.approx(0.20)
    assert territory.withdrawal(1.0, 1.0, 0.0) == 0.0


def test_line_holds_without_decommissioning_and_advances_after_collapse() -> None:
    scenario = shipped("base.yaml")
    geometry = StripGeometry.from_spec(scenario.ground)
    line = Territory(scenario.idf, scenario.forces.deployment, scenario.effects, geometry)
    line.sectors.taken, line.sectors.taken_days = 5, [0, 0, 0, 0, 0]
    for day in range(100):
        line.update_line(day, 1.0, 0.0, False, 0.0)
        assert line.held_share == pytest.approx(0.55)
    line.update_line(100, 1.0, 0.0, False, 1.0)
    assert line.held_share == pytest.approx(0.15)
    line.update_line(101, 1.0, 1000.0, False, 1.0)  # a violent week: re-entry
    assert line.held_share == pytest.approx(0.55)
    line.update_line(300, 1.0, 0.0, True, 1.0)  # collapse: the line advances
    assert line.held_share == pytest.approx(scenario.idf.held_share_at_war.value)
    assert line.idf_held.sum() > line._initially_held.sum()


def test_secure_needs_density_and_no_armed_control() -> None:
    scenario = shipped("base.yaml")
    geometry = StripGeometry.from_spec(scenario.ground)
    territory = Territory(scenario.idf, scenario.forces.deployment, scenario.effects, geometry)
    shape = (1, 3)
    territory.secure_days = np.zeros(shape)
    area = np.array([[True, True, False]])
    density = np.array([[30.0, 30.0, 30.0]])
    security = np.array([[30.0, 30.0, 30.0]])
    fighters = np.array([[0.0, 10.0, 0.0]])  # 30 < 5 x 10 armed fighters: the group controls
    secure = territory.secure_cells(density, np.zeros(shape), area, security, fighters)
    assert secure.tolist() == [[True, False, False]]
    thin = territory.secure_cells(np.full(shape, 1.0), np.zeros(shape), area, security, fighters)
    assert not thin.any()  # below the peaceful band (2.5 per 1,000)
