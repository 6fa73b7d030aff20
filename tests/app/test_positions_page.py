"""The Actor positions page: actors per dimension across scenarios, from stored positions."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from sim.experiments.runner import run_experiment
from sim.model.politics import Politics, WeekEvents
from sim.scenario.loader import SCENARIOS_DIR
from tests.app.conftest import no_exceptions


def political_model(scenario: Any, seed: Any, *, record_daily: bool = False) -> SimpleNamespace:
    """A stand-in model: only the political layer, four quiet weekly rounds."""
    politics = Politics(scenario, np.random.default_rng(seed))
    for week in range(1, 5):
        politics.play_round(7 * week, WeekEvents())
    return SimpleNamespace(summary={"incidents": 1.0}, positions=politics.positions_table())


@pytest.fixture(scope="module")
def positions_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("results")
    names = ["hamas-accepts-turkey-included", "hamas-rejects-turkey-vetoed"]
    run_experiment(
        [SCENARIOS_DIR / f"{n}.yaml" for n in names],
        reps=3, seed=1, out_dir=root / "square", executor="serial", model=political_model,
    )  # fmt: skip
    return root


def test_positions_page_shows_actors_deals_and_trajectories(
    app: AppTest, positions_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ISF_RESULTS_DIR", str(positions_root))
    app.switch_page("sim/ui/pages/positions.py").run()
    no_exceptions(app)
    app.selectbox(key="pos_dir").set_value(str(positions_root / "square")).run()
    app.selectbox(key="pos_dimension").set_value("hamas_disarmament").run()
    no_exceptions(app)
    deals = app.dataframe[0].value.set_index("scenario")
    assert deals.loc["hamas-rejects-turkey-vetoed", "P(deal)"] == 0.0
    assert "no deal: status quo 0" in deals.loc["hamas-rejects-turkey-vetoed", "what holds"]
    assert len(charts(app)) == 2


def charts(at: AppTest) -> list[Any]:
    def walk(node: Any) -> list[Any]:
        found = [node] if getattr(node, "type", None) == "vega_lite_chart" else []
        for child in getattr(node, "children", {}).values():
            found += walk(child)
        return found

    return walk(at.main)
