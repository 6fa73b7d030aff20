"""Political rows in comparisons: deals per dimension and actors' final positions per scenario."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pandas as pd
import pytest
from rich.console import Console

from sim.analysis.compare import compare_results
from sim.analysis.positions import (
    deal_table,
    final_position_bands,
    political_wide,
    position_trajectories,
)
from sim.analysis.report import render_report
from sim.analysis.terminal import political_table
from sim.experiments.runner import load_results, run_experiment
from sim.model.politics import Politics, WeekEvents
from sim.scenario.loader import SCENARIOS_DIR


def political_model(scenario: Any, seed: Any, *, record_daily: bool = False) -> SimpleNamespace:
    """A stand-in model: only the political layer, six quiet weekly rounds."""
    politics = Politics(scenario, np.random.default_rng(seed))
    for week in range(1, 7):
        politics.play_round(7 * week, WeekEvents())
    summary = {"incidents": float(politics.levers.mandate_level)}
    return SimpleNamespace(summary=summary, positions=politics.positions_table())


@pytest.fixture(scope="module")
def experiment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("politics") / "exp"
    names = ["hamas-accepts-turkey-included", "hamas-rejects-turkey-vetoed"]
    run_experiment(
        [SCENARIOS_DIR / f"{n}.yaml" for n in names],
        reps=4,
        seed=2,
        out_dir=out,
        executor="serial",
        model=political_model,
    )
    return out


def synthetic() -> pd.DataFrame:
    rows = []
    for rep in range(10):
        deal = rep < 7
        for day in (0, 7):
            rows.append(
                (
                    "s",
                    rep,
                    day,
                    "us",
                    "mandate",
                    50.0 + rep,
                    deal,
                    "deal" if deal else "no_mandate",
                    60.0 + rep if deal else 0.0,
                )
            )
    return pd.DataFrame.from_records(
        rows, columns=["scenario", "replication", "day", "actor", "dimension", "position",
                       "deal", "state", "implemented"],
    )  # fmt: skip


def test_deal_table_reports_p_deal_and_the_no_deal_state() -> None:
    row = deal_table(synthetic()).iloc[0]
    assert row["p_deal"] == pytest.approx(0.7)
    assert row["deal_median"] == pytest.approx(63.0)  # 60..66, deals only
    assert row["no_deal"] == "no_mandate" and row["status_quo"] == 0.0
    assert row["outcome"] == "deal 63 [61-65] in 70%; else no deal: status quo 0 (no_mandate)"


def test_final_positions_use_the_last_round_only() -> None:
    bands = final_position_bands(synthetic()).iloc[0]
    assert bands["n"] == 10 and bands["median"] == pytest.approx(54.5)
    over_time = position_trajectories(synthetic())
    assert sorted(over_time["day"]) == [0, 7]


def test_compare_has_political_rows_in_terminal_and_report(
    experiment: Path, tmp_path: Path
) -> None:
    comparison = compare_results(load_results(experiment))
    positions = comparison.extras["positions"]
    assert set(positions["scenario"]) == {
        "hamas-accepts-turkey-included",
        "hamas-rejects-turkey-vetoed",
    }
    wide = political_wide(positions).set_index("row")
    rejects = wide.loc["deal on hamas_disarmament", "hamas-rejects-turkey-vetoed"]
    assert rejects == "no deal: status quo 0 (no_disarmament_deal)"
    assert "turkey on turkish_participation" in wide.index
    console = Console(record=True, width=200)
    grid = political_table(comparison)
    assert grid is not None
    console.print(grid)
    assert "no_turkish_contingent" in console.export_text()
    written = render_report(comparison, tmp_path / "report.md")
    text = Path(written[0]).read_text()
    assert "Politics: deals and actor positions" in text
    assert "no_disarmament_deal" in text
