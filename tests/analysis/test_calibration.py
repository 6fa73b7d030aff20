"""History matching via the fake-model hook: ruled-out ranges, determinism, fragment."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from experiments.fake_model import fake_model

from sim.experiments.calibrate import (
    CalibrationSettings,
    calibrate,
    implausibility,
    write_fragment,
)
from sim.experiments.observations import Observation, ObservationSet
from sim.scenario.loader import SCENARIOS_DIR, load_scenario

# the fake model: civilian deaths over its 30 days = 2 x Poisson(30 (1 + 50 attack_rate)),
# so the observed 210 points at attack_rate ~0.05 in base's prior [0.002, 0.2]
TRUE_RATE = 0.05


def observed(value: float = 60 * (1 + 50 * TRUE_RATE), use: str = "calibration") -> ObservationSet:
    observation = Observation(
        id="deaths_first_month",
        description="test",
        series=["civilian_deaths"],
        statistic="sum",
        start=date(2025, 10, 10),
        end=date(2025, 11, 8),
        start_day=0,
        end_day=29,
        value=value,
        sd=10.0,
        unit="deaths",
        uncertainty_basis="test",
        source="test",
        use=use,  # type: ignore[arg-type]
    )
    return ObservationSet(observations=[observation])


def run(tmp_path: Path, name: str) -> object:
    settings = CalibrationSettings(["hamas.attack_rate"], points=12, reps=4, waves=2, seed=7)
    return calibrate(
        SCENARIOS_DIR / "base.yaml",
        settings,
        out_dir=tmp_path / name,
        observations=observed(),
        model=fake_model,
        executor="serial",
    )


@pytest.fixture(scope="module")
def matched(tmp_path_factory: pytest.TempPathFactory) -> object:
    return run(tmp_path_factory.mktemp("calibration"), "a")


def test_history_matching_rules_out_the_implausible_part(matched: object) -> None:
    result = matched
    row = result.ranges.set_index("parameter").loc["hamas.attack_rate"]  # type: ignore[attr-defined]
    assert row["prior_low"] == 0.002 and row["prior_high"] == 0.2
    # the truth survives; high attack rates (4x the deaths) are ruled out
    assert row["low"] <= TRUE_RATE <= row["high"]
    assert row["high"] < 0.1 and row["ruled_out_share"] > 0.5
    assert 0.03 < row["kept_median"] < 0.07 and row["kept_p10"] <= row["kept_p90"]
    points = result.points  # type: ignore[attr-defined]
    assert set(points["wave"]) == {1, 2}
    # the second wave samples inside the first wave's non-implausible box (padded)
    first = points[(points["wave"] == 1) & points["plausible"]]["hamas.attack_rate"]
    second = points[points["wave"] == 2]["hamas.attack_rate"]
    assert second.min() >= first.min() - 0.2 / 12 - 1e-9
    assert second.max() <= first.max() + 0.2 / 12 + 1e-9
    # a point far from the truth is implausible, and the cut-off decides
    far = points[points["hamas.attack_rate"] > 0.15]
    assert (far["I_max"] > 3).all()
    assert (points["plausible"] == (points["I_max"] <= 3)).all()


def test_calibration_is_deterministic_per_seed(matched: object, tmp_path: Path) -> None:
    again = run(tmp_path, "b")
    pd.testing.assert_frame_equal(matched.points, again.points)  # type: ignore[attr-defined]


def test_fragment_names_the_observations_and_extends_a_scenario(
    matched: object, tmp_path: Path
) -> None:
    fragment = write_fragment(matched, tmp_path / "calibrated.yaml")  # type: ignore[arg-type]
    text = fragment.read_text(encoding="utf-8")
    assert "deaths_first_month" in text
    node = yaml.safe_load(text)["hamas"]["attack_rate"]
    assert "deaths_first_month" in node["note"]
    child = tmp_path / "child.yaml"
    child.write_text(
        f'extends: ["{SCENARIOS_DIR / "base.yaml"}", "calibrated.yaml"]\n'
        "metadata:\n  name: calibrated\n",
        encoding="utf-8",
    )
    scenario = load_scenario(child, roots=[SCENARIOS_DIR, tmp_path])
    low, high = scenario.hamas.attack_rate.assumption  # type: ignore[misc]
    assert (low, high) == tuple(node["assumption"])
    assert high < 0.1


def test_out_of_sample_observations_are_never_used(tmp_path: Path) -> None:
    settings = CalibrationSettings(["hamas.attack_rate"], points=4, reps=2, waves=1)
    with pytest.raises(ValueError, match="no 'use: calibration'"):
        calibrate(
            SCENARIOS_DIR / "base.yaml",
            settings,
            out_dir=tmp_path,
            observations=observed(use="out_of_sample"),
            model=fake_model,
            executor="serial",
        )


def test_implausibility_formula() -> None:
    obs = observed(value=100.0).observations[0].model_copy(update={"discrepancy_sd": 5.0})
    stats = pd.DataFrame(
        {"scenario": ["p"] * 4, "replication": range(4), obs.id: [90.0, 94.0, 96.0, 100.0]}
    )
    table = implausibility(stats, [obs]).iloc[0]
    var_mean = np.var([90.0, 94.0, 96.0, 100.0], ddof=1) / 4
    assert table["I_max"] == pytest.approx(5.0 / np.sqrt(100 + 25 + var_mean))
    assert table["worst"] == obs.id


def test_holding_observation_skips_collapsed_runs_in_the_mean() -> None:
    obs = observed(value=10.0).observations[0]
    stats = pd.DataFrame(
        {
            "scenario": ["p"] * 3 + ["q"] * 2,
            "replication": [0, 1, 2, 0, 1],
            obs.id: [10.0, 12.0, np.nan, np.nan, np.nan],
        }
    )
    table = implausibility(stats, [obs]).set_index("scenario")
    assert table.loc["p", f"mean:{obs.id}"] == 11.0 and table.loc["p", f"n:{obs.id}"] == 2
    # a point with no holding run has no implausibility for this observation
    assert table.loc["q", "I_max"] == 0.0
    ensemble = implausibility(stats, [obs], ensemble=True).set_index("scenario")
    assert ensemble.loc["p", "I_max"] < table.loc["p", "I_max"]


def test_pattern_check_against_out_of_sample_observations(tmp_path: Path) -> None:
    from sim.analysis.calibration import check_patterns, markdown_patterns, update_doc

    checks = ObservationSet(
        observations=[
            observed(value=210.0, use="out_of_sample").observations[0],
            observed(value=5000.0, use="out_of_sample")
            .observations[0]
            .model_copy(update={"id": "far_too_many"}),
            observed(value=1.0, use="out_of_sample")
            .observations[0]
            .model_copy(update={"id": "not_modelled", "series": ["isf_troops"]}),
            observed(value=1.0, use="calibration")
            .observations[0]
            .model_copy(update={"id": "in_sample_only"}),
        ]
    )
    table = check_patterns(
        SCENARIOS_DIR / "base.yaml",
        reps=8,
        out_dir=tmp_path / "patterns",
        seed=3,
        observations=checks,
        model=fake_model,
        executor="serial",
    ).set_index(pd.Index(["match", "far", "missing"]))
    assert (table["use"] == "out of sample").all()  # calibration rows only with --in-sample
    # the fake model gives 2 (1 + 50 rate) deaths a day: with base's rate, a month is far below 5000
    assert table.loc["far", "verdict"] == "observed above band"
    assert table.loc["missing", "modelled"] == "not modelled"
    low, high = (
        float(x) for x in table.loc["match", "modelled"].split("[")[1].rstrip("]").split(",")
    )
    rate = load_scenario(SCENARIOS_DIR / "base.yaml").hamas.attack_rate.value
    monthly = 2 * (1 + 50 * rate) * 30
    assert 0.65 * monthly < low <= high < 1.45 * monthly
    doc = tmp_path / "validation.md"
    doc.write_text("# V\n\n<!-- patterns:start -->\nold\n<!-- patterns:end -->\n\nafter\n")
    update_doc(doc, markdown_patterns(table, "Generated by a test."))
    text = doc.read_text()
    assert "old" not in text and "Generated by a test." in text and text.endswith("after\n")
    assert text.count("| far_too_many") == 0 and "observed above band" in text


def test_cli_reports_bad_factor_patterns(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sim.cli import app

    outcome = CliRunner().invoke(
        app,
        [
            "calibrate",
            str(SCENARIOS_DIR / "base.yaml"),
            "-f",
            "effects.no_such_thing",
            "--out",
            str(tmp_path),
        ],
    )
    assert outcome.exit_code == 2
    assert "matches no assumption" in outcome.output


def test_cli_refuses_a_late_calibration_observation(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from sim.cli import app

    late = observed().observations[0].model_dump(mode="json", exclude={"start_day", "end_day"})
    late |= {"start": "2026-01-20", "end": "2026-02-10"}
    path = tmp_path / "late.yaml"
    path.write_text(yaml.safe_dump({"observations": [late]}), encoding="utf-8")
    outcome = CliRunner().invoke(
        app,
        [
            "check-patterns",
            str(SCENARIOS_DIR / "base.yaml"),
            "--in-sample",
            "--observations",
            str(path),
            "--out",
            str(tmp_path / "out"),
        ],
    )
    assert outcome.exit_code == 2
    assert "late.yaml" in outcome.output and "2026-01-31" in outcome.output
