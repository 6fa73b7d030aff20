"""Shared helpers for the model tests: scenario loading, overrides, and replicated runs."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

import numpy as np
import pytest

from sim.experiments.variants import with_values
from sim.model.run import run_scenario
from sim.scenario.effects import EffectsSpec
from sim.scenario.loader import SCENARIOS_DIR, load_scenario
from sim.scenario.schema import Scenario


@cache
def shipped(name: str) -> Scenario:
    """A shipped scenario by file name (relative to scenarios/)."""
    return load_scenario(SCENARIOS_DIR / name)


def override(scenario: Scenario, changes: dict[tuple[Any, ...], Any]) -> Scenario:
    """A copy of ``scenario`` with new values at the paths of sourced parameters.

    Paths end at the parameter (``("aid", "trucks_per_day")``); a value beyond its assumption
    range widens the range, as in experiment designs.
    """
    return with_values(scenario, changes)


_SUMMARIES: dict[tuple[int, int], tuple[Scenario, dict[str, Any]]] = {}


def summary(scenario: Scenario, seed: int) -> dict[str, Any]:
    """The run's summary, computed once per scenario object and seed in a test session.

    The scenario is kept with its summary so that its ``id`` cannot be reused.
    """
    key = (id(scenario), seed)
    if key not in _SUMMARIES:
        _SUMMARIES[key] = (scenario, run_scenario(scenario, seed).summary)
    return _SUMMARIES[key][1]


def outcomes(scenario: Scenario, key: str, seeds: range) -> np.ndarray:
    """One summary outcome over several seeds (runs are shared between outcomes and tests)."""
    return np.array([float(summary(scenario, seed)[key]) for seed in seeds])


@pytest.fixture
def run() -> Callable[..., Any]:
    """The library's run function (a fixture so tests read like the API)."""
    return run_scenario


def with_effects(effects: EffectsSpec, **values: float) -> EffectsSpec:
    """A copy of ``effects`` with new values for some sourced parameters."""
    update = {
        name: getattr(effects, name).model_copy(update={"value": v}) for name, v in values.items()
    }
    return effects.model_copy(update=update)
