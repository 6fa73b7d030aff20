from __future__ import annotations

import pandas as pd
import pytest

from sim.scenario.loader import SCENARIOS_DIR, load_scenario
from sim.scenario.schema import Scenario

TWO_BY_TWO = [
    "hamas-accepts-turkey-included",
    "hamas-accepts-turkey-vetoed",
    "hamas-rejects-turkey-included",
    "hamas-rejects-turkey-vetoed",
]


@pytest.fixture(scope="session")
def base() -> Scenario:
    return load_scenario(SCENARIOS_DIR / "base.yaml")


@pytest.fixture(scope="session")
def corners() -> list[Scenario]:
    return [load_scenario(SCENARIOS_DIR / f"{name}.yaml") for name in TWO_BY_TWO[::3]]


def comparable(table: pd.DataFrame) -> pd.DataFrame:
    """A summary without the columns that legitimately differ between executions."""
    return table.drop(columns=["duration_s", "worker"]).reset_index(drop=True)
