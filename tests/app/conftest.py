"""Fixtures for the app tests: a fresh AppTest, small results folders, helpers to find things.

The app runs in the test process (``ISF_LAB_WORKERS=1``) with few replications, and the
scenarios it runs are cut to a few weeks through the app's own "Days to simulate" input.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from sim.experiments import morris_design, run_experiment, select_factors
from sim.scenario.editing import with_horizon
from sim.scenario.loader import SCENARIOS_DIR, load_scenario

REPO = Path(__file__).resolve().parents[2]
APP = REPO / "app.py"
SHORT_DAYS = 30
TIMEOUT_S = 120


@pytest.fixture(scope="session")
def runs_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder of app runs for the session: the Overview's 2x2 runs once."""
    return tmp_path_factory.mktemp("app-runs")


@pytest.fixture(autouse=True)
def small_runs(monkeypatch: pytest.MonkeyPatch, runs_cache: Path) -> None:
    monkeypatch.setenv("ISF_LAB_WORKERS", "1")
    monkeypatch.setenv("ISF_LAB_CACHE", str(runs_cache))
    monkeypatch.setenv("ISF_LAB_OVERVIEW_REPS", "2")
    monkeypatch.setenv("ISF_LAB_REPS", "3")


@pytest.fixture
def app() -> AppTest:
    """The app, on the Scenario page (it opens on the Overview)."""
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S).run()
    no_exceptions(at)
    return at.switch_page("sim/ui/pages/scenario.py").run()


def no_exceptions(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def number_input(at: AppTest, label: str) -> Any:
    found = [n for n in at.number_input if n.label == label]
    assert found, f"no number input labelled {label!r}: {[n.label for n in at.number_input]}"
    return found[0]


def shorten(at: AppTest, days: int = SHORT_DAYS) -> None:
    """Cut the draft's horizon on the Scenario page (the app's own input)."""
    number_input(at, "Days to simulate").set_value(days).run()


def flip_to_rejects_vetoed(at: AppTest) -> None:
    at.radio[0].set_value("rejects").run()
    at.radio[1].set_value("vetoed").run()


def charts_in(at: AppTest, key: str) -> list[dict[str, Any]]:
    """Vega-Lite specs drawn inside the container with ``key``."""

    def walk(node: Any, inside: bool) -> Iterator[dict[str, Any]]:
        proto_id = getattr(getattr(node, "proto", None), "id", "")
        here = inside or (isinstance(proto_id, str) and proto_id.endswith(f"-{key}"))
        if getattr(node, "type", None) == "vega_lite_chart" and here:
            yield json.loads(node.proto.spec)
        for child in getattr(node, "children", {}).values():
            yield from walk(child, here)

    return list(walk(at.main, False))


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


@pytest.fixture(scope="session")
def results_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results root with a two-scenario batch and a small Morris design."""
    root = tmp_path_factory.mktemp("results")
    pair = [
        with_horizon(load_scenario(SCENARIOS_DIR / name), SHORT_DAYS)
        for name in ("hamas-accepts-turkey-included.yaml", "hamas-rejects-turkey-vetoed.yaml")
    ]
    run_experiment(pair, 3, out_dir=root / "pair", seed=5, executor="serial", daily=True)
    base = with_horizon(load_scenario(SCENARIOS_DIR / "base.yaml"), 20)
    factors = select_factors(base, ["hamas.attack_rate", "aid.seizure_probability_insecure"])
    design = morris_design(base, factors, trajectories=2, levels=4, seed=1)
    run_experiment(
        design.variants, 1, out_dir=root / "morris", seed=5, executor="serial", design=design
    )
    return root
