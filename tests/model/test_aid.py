"""Aid alone: arrival along the safest route, by hand, on a toy strip."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from sim.model.aid import AidSystem, governance_factor
from sim.scenario.effects import EffectsSpec
from tests.model.conftest import shipped


def _toy_aid() -> AidSystem:
    geometry: Any = SimpleNamespace(
        shape=(5, 2), land=np.ones((5, 2), dtype=bool), crossing_cells={"kerem_shalom": (4, 1)}
    )
    aid = shipped("base.yaml").aid.model_copy(update={"crossings_open": ["kerem_shalom"]})
    return AidSystem(aid, EffectsSpec(), geometry)


def test_arrival_share_by_hand() -> None:
    system = _toy_aid()
    insecure = np.zeros((5, 2), dtype=bool)
    # every row insecure: row r crosses rows r..4, so (1 - 0.1) ** (5 - r)
    expected = np.array([0.9**5, 0.9**4, 0.9**3, 0.9**2, 0.9])
    assert system.arrival_share(insecure, 0.1) == pytest.approx(expected)
    secure = np.ones((5, 2), dtype=bool)
    assert system.arrival_share(secure, 0.1) == pytest.approx(np.ones(5))
    half = insecure.copy()
    half[:, 0] = True  # half of each row secure: half a row's risk per row
    assert system.arrival_share(half, 0.1)[0] == pytest.approx(0.9**2.5)


def test_governance_factor_is_linear_between_its_parameters() -> None:
    e = EffectsSpec()
    assert governance_factor(0.0, e) == e.governance_factor_none.value
    assert governance_factor(1.0, e) == e.governance_factor_full.value
    assert governance_factor(0.5, e) == pytest.approx(1.0)
