import typer
from typer.testing import CliRunner

from sim import cli_ground

app = typer.Typer()
app.command()(cli_ground.epstein)
app.command("ground-map")(cli_ground.ground_map)
runner = CliRunner()


def test_epstein_command_prints_outburst_statistics():
    result = runner.invoke(app, ["epstein", "--seeds", "1", "--steps", "300", "--rule", "floor"])
    assert result.exit_code == 0, result.output
    assert "waiting time" in result.output and "708 +/- 230" in result.output


def test_ground_map_command_writes_a_png(tmp_path):
    target = tmp_path / "map.png"
    result = runner.invoke(app, ["ground-map", "grievance", "--out", str(target), "--days", "3"])
    assert result.exit_code == 0, result.output
    assert target.read_bytes()[:4] == b"\x89PNG"
    bad = runner.invoke(app, ["ground-map", "happiness", "--out", str(target)])
    assert bad.exit_code != 0
