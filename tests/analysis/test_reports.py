"""Comparison, reports, sensitivity indices and discovery on experiments of the fake model."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from experiments.fake_model import HORIZON, fake_model

from sim.analysis.compare import compare_results
from sim.analysis.discovery import discover
from sim.analysis.headline import CORNERS, HeadlineSettings, run_headline
from sim.analysis.report import render_report
from sim.analysis.sensitivity import sensitivity_table
from sim.analysis.terminal import comparison_table
from sim.experiments import (
    ExperimentResult,
    lhs_design,
    morris_design,
    run_experiment,
    select_factors,
    sobol_design,
)
from sim.scenario.loader import SCENARIOS_DIR, load_scenario
from sim.scenario.schema import Scenario

FACTORS = ["hamas.attack_rate", "idf.strike_probability"]


@pytest.fixture(scope="module")
def base() -> Scenario:
    return load_scenario(SCENARIOS_DIR / "base.yaml")


@pytest.fixture(scope="module")
def paired(tmp_path_factory: pytest.TempPathFactory) -> ExperimentResult:
    files = [SCENARIOS_DIR / f"{name}.yaml" for name in CORNERS[:2]]
    return run_experiment(
        files,
        6,
        seed=1,
        out_dir=tmp_path_factory.mktemp("paired"),
        executor="serial",
        model=fake_model,
        daily=True,
    )


def test_comparison_tables(paired: ExperimentResult) -> None:
    comparison = compare_results(paired, baseline=CORNERS[1])
    assert comparison.scenarios == [CORNERS[1], CORNERS[0]]
    assert set(comparison.bands["scenario"]) == set(CORNERS[:2])
    assert set(comparison.differences["scenario"]) == {CORNERS[0]}
    assert "common_noise" in comparison.outcomes
    # the fake model's common noise is identical across scenarios: the paired difference is 0
    noise = comparison.differences.set_index("outcome").loc["common_noise"]
    assert noise["mean_diff"] == pytest.approx(0.0)
    assert any("only 6 replications" in w for w in comparison.warnings)
    assert comparison.survival["time"].max() <= HORIZON
    assert comparison.daily_bands is not None
    assert set(comparison.daily_bands["series"]) == {"incidents", "civilian_deaths"}
    assert len(comparison.table()) == 2 * len(comparison.outcomes)
    with pytest.raises(ValueError, match="baseline"):
        compare_results(paired, baseline="nope")


def test_reports_in_three_formats(paired: ExperimentResult, tmp_path: Path) -> None:
    comparison = compare_results(paired)
    html = render_report(comparison, tmp_path / "r.html")[0].read_text()
    assert html.count("data:image/png;base64,") >= 4  # survival, distributions, differences, fan
    assert CORNERS[1] in html and "Provenance" in html
    written = render_report(comparison, tmp_path / "r.md")
    markdown = written[0].read_text()
    assert "| outcome |" in markdown and "![" in markdown
    assert all(p.exists() and p.stat().st_size > 1000 for p in written[1:])
    csv_files = render_report(comparison, tmp_path / "r.csv")
    table = pd.read_csv(csv_files[0])
    assert len(table) == 2 * len(comparison.outcomes)
    assert {"median", "p10", "p90", "ci_low", "ci_high", "p_better"} <= set(table.columns)
    with pytest.raises(ValueError, match="format"):
        render_report(comparison, tmp_path / "r.docx")
    # the headline outcomes the fake model has: collapse, days to collapse, civilian deaths
    assert comparison_table(comparison).row_count == 3


def test_sobol_indices_single_out_the_factor_the_model_uses(base: Scenario, tmp_path: Path) -> None:
    factors = select_factors(base, FACTORS)
    design = sobol_design(base, factors, 32, seed=1)
    result = run_experiment(
        design.variants,
        2,
        seed=3,
        out_dir=tmp_path,
        executor="serial",
        model=fake_model,
        design=design,
    )
    indices = sensitivity_table(result, ["incidents"]).set_index("factor")
    # the fake model's incidents depend on the attack rate only
    assert indices.loc["hamas.attack_rate", "ST"] > 0.8
    assert indices.loc["idf.strike_probability", "ST"] < 0.1


def test_morris_indices_single_out_the_factor_the_model_uses(
    base: Scenario, tmp_path: Path
) -> None:
    factors = select_factors(base, FACTORS)
    design = morris_design(base, factors, 10, seed=1)
    result = run_experiment(
        design.variants,
        2,
        seed=3,
        out_dir=tmp_path,
        executor="serial",
        model=fake_model,
        design=design,
    )
    indices = sensitivity_table(result, ["incidents"]).set_index("factor")
    assert (
        indices.loc["hamas.attack_rate", "mu_star"]
        > 5 * indices.loc["idf.strike_probability", "mu_star"]
    )


def test_discovery_finds_the_planted_attack_rate_threshold(base: Scenario, tmp_path: Path) -> None:
    factors = select_factors(base, FACTORS)
    design = lhs_design(base, factors, 60, seed=2)
    result = run_experiment(
        design.variants,
        4,
        seed=3,
        out_dir=tmp_path,
        executor="serial",
        model=fake_model,
        design=design,
    )
    found = discover(result, "ceasefire_collapsed")
    box = found.prim.chosen
    assert box.restricted == ("hamas.attack_rate",)
    # the fake model collapses with probability 0.9 above an attack rate of 0.1, 0.1 below
    assert box.limits["hamas.attack_rate"][0] == pytest.approx(0.1, abs=0.03)
    assert box.density > 0.75
    assert "hamas.attack_rate >" in found.rules[0].rule


def test_headline_pipeline_writes_both_reports(tmp_path: Path) -> None:
    settings = HeadlineSettings(
        reps=3,
        design_reps=1,
        factors=FACTORS,
        include_base=False,
        results_dir=tmp_path / "results",
        report_dir=tmp_path / "reports",
        executor="serial",
        collapse_day=20,
    )
    result = run_headline(settings, model=fake_model)
    html = (tmp_path / "reports" / "headline.html").read_text()
    markdown = (tmp_path / "reports" / "headline.md").read_text()
    for text in (html, markdown):
        assert "Robustness across the assumption space" in text
        assert "Which assumptions make an early collapse likely?" in text
    assert set(result.robustness["decision"]) == set(CORNERS)
    assert result.robustness["points"].eq(17).all()
    assert result.discovery is not None
    assert "hamas.attack_rate" in result.discovery.prim.chosen.restricted
    # resumable: a second call runs nothing new
    again = run_headline(settings, model=fake_model)
    assert all(e.manifest["sessions"][-1]["finished"] == 0 for e in again.experiments)
