"""Scenario files: schema, provenance, loading and validation.

The public entry points are loaded lazily so that importing a leaf module (for example
``sim.scenario.provenance``) stays cheap and free of cycles.
"""

from __future__ import annotations

from typing import Any

_LAZY = {
    "load_scenario": "sim.scenario.loader",
    "load_scenario_text": "sim.scenario.loader",
    "dump_scenario": "sim.scenario.loader",
    "scenario_hash": "sim.scenario.loader",
    "discover_scenarios": "sim.scenario.loader",
    "SCENARIOS_DIR": "sim.scenario.loader",
    "Scenario": "sim.scenario.schema",
    "ScenarioError": "sim.scenario.errors",
    "Problem": "sim.scenario.errors",
    "Sourced": "sim.scenario.provenance",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module 'sim.scenario' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module_name), name)
