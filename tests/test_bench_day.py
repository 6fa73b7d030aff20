"""bench/bench_day.py times the model's own steps: every step it names exists and is called."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from sim.scenario.loader import SCENARIOS_DIR, load_scenario

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _bench_day() -> ModuleType:
    sys.path.insert(0, str(BENCH))  # bench_day imports bench_model beside it
    try:
        spec = importlib.util.spec_from_file_location("bench_day", BENCH / "bench_day.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(BENCH))


def test_every_timed_step_is_called_by_the_day() -> None:
    bench = _bench_day()
    scenario = load_scenario(SCENARIOS_DIR / "base.yaml")
    seconds = bench.replication(scenario, 1, 8, 0.0)  # eight days: a weekly round included
    labels = [label for _, label in bench.MODEL_STEPS]
    labels += [label for *_, label in bench.COMPONENT_STEPS]
    assert set(labels) <= set(seconds)
    assert all(seconds[label] > 0.0 for label in labels), [
        label for label in labels if seconds[label] <= 0.0
    ]
    # no timed step calls another (its time would be counted twice, and the rest go negative)
    assert seconds["in the day itself"] >= 0.0
    assert seconds["Mesa's step machinery"] >= 0.0
