"""The runner: common random numbers, determinism, resume, failures, timeouts, interruption."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.experiments import ExperimentConflictError, Progress, load_results, run_experiment
from sim.experiments.seeds import SeedPlan
from sim.scenario.schema import Scenario

from .conftest import comparable
from .fake_model import bad_output_model, failing_model, fake_model, hanging_model


def test_summary_has_one_tidy_row_per_scenario_and_replication(
    corners: list[Scenario], tmp_path: Path
) -> None:
    result = run_experiment(
        corners, 4, seed=11, out_dir=tmp_path, executor="serial", model=fake_model
    )
    summary = result.summary
    assert len(summary) == 8
    assert sorted(summary["replication"].unique()) == [0, 1, 2, 3]
    assert set(summary["scenario"]) == {s.metadata.name for s in corners}
    assert {"scenario_hash", "seed_entropy", "spawn_key", "run_id"} <= set(summary.columns)
    assert (summary["seed_entropy"] == "11").all()
    assert summary.loc[summary["replication"] == 3, "spawn_key"].eq("[3]").all()
    assert result.ok
    stored = pd.read_parquet(tmp_path / "summary.parquet")
    pd.testing.assert_frame_equal(stored, summary)


def test_replications_share_seeds_across_scenarios(corners: list[Scenario], tmp_path: Path) -> None:
    summary = run_experiment(
        corners, 5, seed=3, out_dir=tmp_path, executor="serial", model=fake_model
    ).summary
    noise = summary.pivot(index="replication", columns="scenario", values="common_noise")
    first, second = noise.columns
    np.testing.assert_array_equal(noise[first], noise[second])
    assert noise[first].nunique() == 5  # and differ between replications


def test_replication_seed_is_the_spawned_child() -> None:
    root = np.random.SeedSequence(99)
    children = root.spawn(4)
    plan = SeedPlan.from_seed(99)
    for index, child in enumerate(children):
        assert plan.replication_seed(index).generate_state(4).tolist() == (
            child.generate_state(4).tolist()
        )


def test_same_seed_same_results_other_seed_other_results(
    corners: list[Scenario], tmp_path: Path
) -> None:
    def run(seed: int | None, folder: str) -> pd.DataFrame:
        return comparable(
            run_experiment(
                corners,
                3,
                seed=seed,
                out_dir=tmp_path / folder,
                executor="serial",
                model=fake_model,
            ).summary
        )

    pd.testing.assert_frame_equal(run(5, "a"), run(5, "b"))
    assert not run(6, "c")["common_noise"].equals(run(5, "d")["common_noise"])
    fresh = run_experiment(corners, 1, out_dir=tmp_path / "e", executor="serial", model=fake_model)
    assert int(fresh.manifest["seed"]["entropy"]) > 2**64  # fresh 128-bit entropy, recorded


def test_manifest_records_code_scenarios_seeds_and_sessions(
    corners: list[Scenario], tmp_path: Path
) -> None:
    run_experiment(
        corners,
        2,
        seed=1,
        out_dir=tmp_path,
        executor="serial",
        model=fake_model,
        command=["isf-lab", "batch"],
    )
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["code"]["sim_version"]
    assert "numpy" in manifest["packages"]
    assert manifest["seed"]["entropy"] == "1"
    name = corners[0].metadata.name
    assert len(manifest["scenarios"][name]["hash"]) == 64
    assert (tmp_path / "scenarios" / f"{name}.yaml").read_text().strip()
    session = manifest["sessions"][-1]
    assert session["command"] == ["isf-lab", "batch"]
    assert session["finished"] == 4 and session["failed"] == 0
    assert session["started"] <= session["ended"]
    assert manifest["runs"] == {"finished": 4, "failed": 0}


def test_rerun_skips_finished_runs_and_extends_replications(
    corners: list[Scenario], tmp_path: Path
) -> None:
    run_experiment(
        corners, 3, seed=8, out_dir=tmp_path / "grown", executor="serial", model=fake_model
    )
    again = run_experiment(
        corners, 3, out_dir=tmp_path / "grown", executor="serial", model=fake_model
    )
    assert again.manifest["sessions"][-1]["skipped"] == 6
    assert again.manifest["sessions"][-1]["finished"] == 0
    grown = run_experiment(
        corners, 5, out_dir=tmp_path / "grown", executor="serial", model=fake_model
    )
    assert grown.manifest["sessions"][-1]["finished"] == 4
    direct = run_experiment(
        corners, 5, seed=8, out_dir=tmp_path / "direct", executor="serial", model=fake_model
    )
    pd.testing.assert_frame_equal(comparable(grown.summary), comparable(direct.summary))


def test_folder_of_another_experiment_is_refused(corners: list[Scenario], tmp_path: Path) -> None:
    run_experiment(corners, 1, seed=1, out_dir=tmp_path, executor="serial", model=fake_model)
    with pytest.raises(ExperimentConflictError, match="seed"):
        run_experiment(corners, 1, seed=2, out_dir=tmp_path, executor="serial", model=fake_model)


def test_failing_replication_is_recorded_and_the_batch_goes_on(
    corners: list[Scenario], tmp_path: Path
) -> None:
    result = run_experiment(
        corners, 4, seed=2, out_dir=tmp_path, executor="serial", model=failing_model
    )
    assert not result.ok
    assert len(result.summary) == 6  # replication 2 failed in both scenarios
    assert {f["replication"] for f in result.failures} == {2}
    assert all(f["kind"] == "exception" for f in result.failures)
    assert "ValueError: replication 2 always fails" in result.failures[0]["error"]
    assert "Traceback" in result.failures[0]["error"]
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert len(manifest["failures"]) == 2
    assert "always fails" in manifest["failures"][0]["message"]
    # a rerun retries the failures; once they succeed their records go
    healed = run_experiment(corners, 4, out_dir=tmp_path, executor="serial", model=fake_model)
    assert healed.ok and len(healed.summary) == 8
    assert not list((tmp_path / "failures").iterdir())


def test_model_output_that_is_not_numbers_is_an_invalid_run(
    corners: list[Scenario], tmp_path: Path
) -> None:
    result = run_experiment(
        corners[:1], 1, seed=2, out_dir=tmp_path, executor="serial", model=bad_output_model
    )
    assert result.failures[0]["kind"] == "invalid"
    assert "not a number" in result.failures[0]["error"]


def test_timeout_stops_a_stuck_run_and_the_batch_goes_on(
    corners: list[Scenario], tmp_path: Path
) -> None:
    result = run_experiment(
        corners[:1],
        3,
        seed=2,
        out_dir=tmp_path,
        executor="serial",
        model=hanging_model,
        timeout=0.3,
    )
    assert [f["replication"] for f in result.failures] == [1]
    assert result.failures[0]["kind"] == "timeout"
    assert result.failures[0]["duration_s"] < 25.0  # stopped well before its 30 s loop ends
    assert sorted(result.summary["replication"]) == [0, 2]


def test_interrupt_keeps_finished_runs_and_says_so(corners: list[Scenario], tmp_path: Path) -> None:
    seen: list[Progress] = []

    def stop_after_three(progress: Progress) -> None:
        seen.append(progress)
        if progress.done == 3:
            raise KeyboardInterrupt

    result = run_experiment(
        corners,
        5,
        seed=4,
        out_dir=tmp_path,
        executor="serial",
        model=fake_model,
        progress_callback=stop_after_three,
    )
    assert result.interrupted and not result.ok
    assert len(result.summary) == 3
    assert seen[0].done == 0 and seen[0].total == 10
    assert json.loads((tmp_path / "manifest.json").read_text())["sessions"][-1]["interrupted"]
    finished = run_experiment(corners, 5, out_dir=tmp_path, executor="serial", model=fake_model)
    assert len(finished.summary) == 10 and finished.ok


def test_daily_series_are_stored_tidy(corners: list[Scenario], tmp_path: Path) -> None:
    result = run_experiment(
        corners, 2, seed=1, out_dir=tmp_path, executor="serial", model=fake_model, daily=True
    )
    assert result.daily is not None
    assert len(result.daily) == 2 * 2 * 30
    assert list(result.daily.columns[:3]) == ["scenario", "replication", "day"]
    assert not result.daily.duplicated(["scenario", "replication", "day"]).any()
    reopened = load_results(tmp_path)
    pd.testing.assert_frame_equal(reopened.daily, result.daily)


def test_duplicate_scenario_names_are_refused(base: Scenario, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unique"):
        run_experiment([base, base], 1, out_dir=tmp_path, executor="serial", model=fake_model)
    with pytest.raises(ValueError, match="reps"):
        run_experiment([base], 0, out_dir=tmp_path, executor="serial", model=fake_model)
