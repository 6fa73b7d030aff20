import re

import numpy as np
import typer
from typer.testing import CliRunner

from sim import cli_ground
from sim.ground.epstein import CivilViolenceLattice
from sim.ground.outbursts import outburst_stats, pool
from sim.ground.validation import run2_spec
from sim.rng import RandomStreams

app = typer.Typer()
app.command()(cli_ground.epstein)
app.command("ground-map")(cli_ground.ground_map)
runner = CliRunner()


def _row(output: str, label: str) -> list[str]:
    """The cells of one table row (the table is drawn with box characters)."""
    line = next(line for line in output.splitlines() if label in line)
    return [cell.strip() for cell in re.split(r"[│┃]", line) if cell.strip()]


def test_epstein_command_prints_the_statistics_of_its_own_runs():
    args = ["epstein", "--seeds", "2", "--steps", "300", "--rule", "floor", "--seed", "3"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    # the same runs computed here: seeds 3 and 4, Run 2 with the floor rule, burn-in 30
    found = []
    for seed in (3, 4):
        run = CivilViolenceLattice(run2_spec("floor"), RandomStreams(seed)).run(300)
        found.append(outburst_stats(run.active, run.activations, burn_in=30))
    summary = pool(found).summary()
    assert summary["outbursts"] > 2  # enough for a spread of waits and sizes
    assert _row(result.output, "outbursts") == ["outbursts", f"{summary['outbursts']:.0f}"]
    wait = f"{summary['wait_mean']:.0f} +/- {summary['wait_sd']:.0f}"
    size = f"{summary['size_mean']:.0f} +/- {summary['size_sd']:.0f}"
    assert _row(result.output, "waiting time") == ["waiting time (steps)", wait, "60 +/- 55"]
    assert _row(result.output, "activations per") == [
        "activations per outburst",
        size,
        "708 +/- 230",
    ]
    peak = _row(result.output, "peak actives")
    assert peak == ["peak actives (mean)", f"{summary['peak_mean']:.0f}"]
    assert "2 runs x 300 steps, floor rule" in result.output


def test_epstein_command_options_change_the_runs():
    base = ["epstein", "--seeds", "1", "--steps", "200"]
    calm = runner.invoke(app, [*base, "--legitimacy", "0.99"])
    assert calm.exit_code == 0, calm.output
    # with L = 0.99 grievance is at most 0.01 < T: nobody ever turns active
    assert _row(calm.output, "outbursts")[1] == "0"
    assert _row(calm.output, "peak actives")[1] == "nan"
    usual = runner.invoke(app, [*base, "--rule", "floor"])
    assert int(_row(usual.output, "outbursts")[1]) >= 1
    bad = runner.invoke(app, [*base, "--size", "3"])
    assert bad.exit_code != 0


def test_ground_map_command_writes_a_png(tmp_path):
    target = tmp_path / "map.png"
    result = runner.invoke(app, ["ground-map", "grievance", "--out", str(target), "--days", "3"])
    assert result.exit_code == 0, result.output
    assert target.read_bytes()[:4] == b"\x89PNG"
    assert "day 3: population 2,100,000" in " ".join(result.output.split())
    bad = runner.invoke(app, ["ground-map", "happiness", "--out", str(target)])
    assert bad.exit_code != 0


def test_epstein_command_runs_the_schedule_asked_for():
    args = ["epstein", "--seeds", "1", "--steps", "250", "--rule", "round", "--seed", "2"]
    result = runner.invoke(app, [*args, "--activation", "random_sequential"])
    assert result.exit_code == 0, result.output
    assert "round rule, random_sequential" in " ".join(result.output.split())
    spec = run2_spec("round").model_copy(update={"activation": "random_sequential"})
    run = CivilViolenceLattice(spec, RandomStreams(2)).run(250)
    found = outburst_stats(run.active, run.activations, burn_in=25)
    sync = CivilViolenceLattice(run2_spec("round"), RandomStreams(2)).run(250)
    assert not np.array_equal(run.active, sync.active)  # the option changes the runs
    summary = found.summary()
    assert _row(result.output, "peak actives")[1] == f"{summary['peak_mean']:.0f}"
    assert _row(result.output, "outbursts")[1] == f"{found.count}"
    bad = runner.invoke(app, [*args, "--activation", "simultaneous"])
    assert bad.exit_code != 0
