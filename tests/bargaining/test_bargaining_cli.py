"""The ``bargain`` command: KTAB CSV input, scenario fragments, printed table and written files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
import yaml
from bargaining_helpers import small_spec_data
from rich.console import Console
from typer.testing import CliRunner

from sim.bargaining import BargainingEngine
from sim.cli_bargain import bargain, forecast_table, load_bargaining_spec, run_and_report
from sim.scenario.bargaining import BargainingSpec
from sim.scenario.errors import ScenarioError


def cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(bargain)

    @app.command()
    def other() -> None:  # a second command keeps 'bargain' as a named sub-command
        """Unused."""

    return app


def test_ktab_csv_prints_forecast_and_writes_tables(ktab_dir: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli(),
        [
            "bargain",
            "--ktab-csv",
            str(ktab_dir / "SOE-Pol-Comp.csv"),
            "--out",
            str(tmp_path),
            "--format",
            "both",
        ],
        env={"COLUMNS": "160"},
    )
    assert result.exit_code == 0, result.output
    assert "Policy Position" in result.output and "baseline" in result.output
    assert "27 rounds, converged" in result.output
    positions = pd.read_csv(tmp_path / "positions.csv")
    assert positions["round"].max() == 27
    assert (tmp_path / "challenges.parquet").exists()
    assert set(pd.read_csv(tmp_path / "forecast.csv")["dimension"]) == {
        "Policy Position",
        "Competitive Position",
    }


def test_exactly_one_input_is_required(ktab_dir: Path) -> None:
    result = CliRunner().invoke(cli(), ["bargain"])
    assert result.exit_code != 0
    assert "exactly one of --scenario or --ktab-csv" in result.output


def test_bad_ktab_file_raises_a_scenario_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("T,x,2,1\nActor,D,Power,P,S\nA,a,1,50,50\nB,b,1,50,500\n")
    with pytest.raises(ScenarioError, match=r"bad.csv:4: B: salience 1 is 500"):
        bargain(scenario=None, ktab_csv=bad, out=None)


def test_scenario_fragment_runs(tmp_path: Path) -> None:
    fragment = tmp_path / "fragment.yaml"
    fragment.write_text(yaml.safe_dump({"bargaining": small_spec_data(("russia_mandate",))}))
    spec = load_bargaining_spec(fragment)
    assert spec.vetoes["russia_mandate"].holder == "russia"
    result = CliRunner().invoke(
        cli(), ["bargain", "--scenario", str(fragment)], env={"COLUMNS": "160"}
    )
    assert result.exit_code == 0, result.output
    assert "mandate" in result.output and "no deal: status quo 3 (no_mandate)" in result.output


def test_bad_fragment_points_at_the_line(tmp_path: Path) -> None:
    data = small_spec_data()
    data["actors"]["us"]["capability"]["value"] = -3.0
    fragment = tmp_path / "fragment.yaml"
    fragment.write_text(yaml.safe_dump({"bargaining": data}, sort_keys=False))
    with pytest.raises(ScenarioError) as caught:
        load_bargaining_spec(fragment)
    problem = caught.value.problems[0]
    assert problem.path == "actors.us.capability.value"
    lines = fragment.read_text().splitlines()
    assert problem.line is not None and "value: -3.0" in lines[problem.line - 1]


def test_report_for_a_spec_built_in_code() -> None:
    spec = BargainingSpec.model_validate(small_spec_data(("israel_troops", "turkey_floor")))
    engine = BargainingEngine.from_spec(spec)
    console = Console(record=True, width=160)
    table = run_and_report(engine, console, title="small")
    text = console.export_text()
    assert "no_turkish_contingent" in text
    assert table.row_count == 2
    assert "no deal: status quo 7 (no_turkish_contingent)" in text
    assert forecast_table(engine, "again").columns[1].header == "outcome"


def test_reps_print_p_deal_bands_and_write_tables(tmp_path: Path) -> None:
    data = small_spec_data(("russia_mandate",), settings={"draw_assumptions": True})
    for actor in data["actors"].values():
        value = actor["capability"]["value"]
        actor["capability"]["assumption"] = [value * 0.5, value * 1.5]
    fragment = tmp_path / "fragment.yaml"
    fragment.write_text(yaml.safe_dump({"bargaining": data}))
    out = tmp_path / "reps"
    result = CliRunner().invoke(
        cli(),
        ["bargain", "--scenario", str(fragment), "--reps", "12", "--actors", "us,russia",
         "--out", str(out), "--format", "parquet"],
        env={"COLUMNS": "200"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "P(deal)" in result.output and "status quo 3 (no_mandate" in result.output
    assert "Final positions" in result.output and "russia" in result.output
    outcomes = pd.read_parquet(out / "replications_outcomes.parquet")
    assert len(outcomes) == 12 * 2 and outcomes["rep"].nunique() == 12


def test_reps_need_a_scenario(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli(), ["bargain", "--ktab-csv", "x.csv", "--reps", "3"])
    assert result.exit_code != 0
