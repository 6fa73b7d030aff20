"""Actor positions as a batch output: stored per run, consolidated next to the run files."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from sim.experiments.positions import load_positions
from sim.experiments.runner import run_experiment
from sim.model.politics import Politics, WeekEvents, positions_of_result
from sim.scenario.loader import SCENARIOS_DIR, load_scenario


def political_model(scenario: Any, seed: Any, *, record_daily: bool = False) -> SimpleNamespace:
    """A stand-in model: only the political layer, eight weekly rounds with quiet weeks."""
    politics = Politics(scenario, np.random.default_rng(seed))
    for week in range(1, 9):
        politics.play_round(7 * week, WeekEvents())
    return SimpleNamespace(summary={"rounds": 8.0}, positions=politics.positions_table())


def test_positions_rebuilt_from_the_political_log() -> None:
    politics = Politics(load_scenario(SCENARIOS_DIR / "base.yaml"), np.random.default_rng(1))
    for week in range(1, 4):
        politics.play_round(7 * week, WeekEvents())
    import pandas as pd

    result = SimpleNamespace(politics=pd.DataFrame(politics.log))
    table = positions_of_result(result)
    assert table is not None
    full = politics.positions_table().query("day > 0").reset_index(drop=True)
    pd.testing.assert_frame_equal(table, full)


def test_batch_results_carry_a_positions_table(tmp_path: Path) -> None:
    out = tmp_path / "exp"
    scenarios = [SCENARIOS_DIR / "hamas-accepts-turkey-included.yaml", SCENARIOS_DIR / "base.yaml"]
    result = run_experiment(
        scenarios, reps=2, seed=3, out_dir=out, executor="serial", model=political_model
    )
    assert result.ok
    positions = load_positions(out)
    assert positions is not None
    assert set(positions["scenario"]) == {"hamas-accepts-turkey-included", "base"}
    assert set(positions["replication"]) == {0, 1}
    assert {"day", "actor", "dimension", "position", "deal", "state"} <= set(positions.columns)
    assert (out / "positions.parquet").exists()
    # The positions files do not count as runs.
    assert len(result.summary) == 4


def test_a_coupled_run_with_daily_records_yields_positions() -> None:
    from sim.model.run import run_scenario

    scenario = load_scenario(SCENARIOS_DIR / "hamas-rejects-turkey-vetoed.yaml")
    short = scenario.model_copy(
        update={"metadata": scenario.metadata.model_copy(update={"horizon_days": 22})}
    )
    result = run_scenario(short, 4, record_daily=True)
    table = positions_of_result(result)
    assert table is not None
    assert sorted(table["day"].unique()) == [0, 7, 14, 21]  # the starting state, then weekly
    hamas = table.query("actor == 'hamas' and dimension == 'hamas_disarmament'")
    assert (hamas["position"] == 0.0).all() and not hamas["deal"].any()
