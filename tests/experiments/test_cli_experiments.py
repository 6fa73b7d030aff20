"""The experiment commands, through Typer, with the fake model in place of the real one."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from sim import cli_experiments
from sim.experiments import tasks
from sim.scenario.loader import SCENARIOS_DIR

from . import fake_model

COMMANDS = ("run", "batch", "compare", "design", "sensitivity", "discover", "headline")
CORNER_FILES = [
    str(SCENARIOS_DIR / "hamas-accepts-turkey-included.yaml"),
    str(SCENARIOS_DIR / "hamas-rejects-turkey-vetoed.yaml"),
]


@pytest.fixture()
def cli(monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.setattr(tasks, "default_model", lambda: fake_model.fake_model)
    app = typer.Typer()
    for name in COMMANDS:
        app.command()(getattr(cli_experiments, name))
    return app


def invoke(app: typer.Typer, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def test_batch_then_compare_writes_tables_and_reports(cli: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "batch"
    code, text = invoke(
        cli,
        "batch",
        *CORNER_FILES,
        "-n",
        "5",
        "--seed",
        "3",
        "-o",
        str(out),
        "--executor",
        "serial",
        "--daily",
    )
    assert code == 0, text
    assert len(pd.read_parquet(out / "summary.parquet")) == 10
    code, text = invoke(
        cli,
        "compare",
        str(out),
        "--baseline",
        "hamas-rejects-turkey-vetoed",
        "--csv",
        str(tmp_path / "c.csv"),
        "--html",
        str(tmp_path / "c.html"),
    )
    assert code == 0, text
    assert "Civilian deaths" in text and "only 5 replications" in text
    assert (tmp_path / "c.html").read_text().count("base64,") >= 3
    assert len(pd.read_csv(tmp_path / "c.csv")) == 2 * 5  # scenarios x fake outcomes


def test_failed_runs_exit_1_and_are_listed(
    cli: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tasks, "default_model", lambda: fake_model.failing_model)
    code, text = invoke(
        cli, "run", CORNER_FILES[0], "-n", "3", "-o", str(tmp_path), "--executor", "serial"
    )
    assert code == 1
    assert "1 failed runs" in text and "always fails" in text


def test_bad_input_exits_2(cli: typer.Typer, tmp_path: Path) -> None:
    code, _ = invoke(
        cli,
        "run",
        str(tmp_path / "missing.yaml"),
        "-o",
        str(tmp_path / "x"),
        "--executor",
        "serial",
    )
    assert code == 2
    code, text = invoke(cli, "compare", str(tmp_path / "nothing"))
    assert code == 2 and "manifest.json" in text
    code, text = invoke(
        cli,
        "design",
        CORNER_FILES[0],
        "--kind",
        "nolh",
        "-f",
        "no.such.*",
        "-o",
        str(tmp_path / "d"),
    )
    assert code == 2 and "matches no assumption" in text


def test_design_then_discover(cli: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "lhs"
    code, text = invoke(
        cli,
        "design",
        CORNER_FILES[0],
        "--kind",
        "lhs",
        "-f",
        "hamas.attack_rate",
        "-f",
        "idf.strike_probability",
        "--points",
        "40",
        "-n",
        "3",
        "-o",
        str(out),
        "--executor",
        "serial",
    )
    assert code == 0, text
    assert "lhs design: 40 points over 2 factors" in text
    code, text = invoke(
        cli,
        "discover",
        str(out),
        "--condition",
        "ceasefire_collapsed",
        "--md",
        str(tmp_path / "d.md"),
    )
    assert code == 0, text
    assert "hamas.attack_rate" in text
    assert "PRIM" in (tmp_path / "d.md").read_text()


def test_sensitivity_writes_indices(cli: typer.Typer, tmp_path: Path) -> None:
    out = tmp_path / "morris"
    code, text = invoke(
        cli,
        "sensitivity",
        CORNER_FILES[0],
        "-f",
        "hamas.attack_rate",
        "-f",
        "idf.strike_probability",
        "--method",
        "morris",
        "--samples",
        "6",
        "-n",
        "2",
        "-o",
        str(out),
        "--executor",
        "serial",
        "--outcome",
        "incidents",
        "--html",
        str(tmp_path / "s.html"),
    )
    assert code == 0, text
    assert "mu_star" in (tmp_path / "s.html").read_text()
    indices = pd.read_csv(out / "sensitivity.csv").set_index("factor")
    assert (
        indices.loc["hamas.attack_rate", "mu_star"]
        > indices.loc["idf.strike_probability", "mu_star"]
    )
    assert (out / "sensitivity.png").stat().st_size > 1000
