"""The ``isf-lab`` command line: a thin layer over the library.

Every command maps to a library function; faults in input files are printed one per line
(file:line: field: what is wrong -> what to do) with exit code 2, never a traceback.
"""

from __future__ import annotations

import sys

import typer

from sim import cli_bargain, cli_calibrate, cli_experiments, cli_ground, cli_lab, cli_scenario
from sim.scenario.errors import ScenarioError

app = typer.Typer(
    name="isf-lab",
    help="Scenario lab for the international stabilization force proposed for Gaza.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.command()(cli_lab.lab)
app.command()(cli_scenario.validate)
app.command()(cli_scenario.schema)
app.command()(cli_scenario.show)
app.command()(cli_scenario.sources)
for command in (
    cli_experiments.run,
    cli_experiments.batch,
    cli_experiments.compare,
    cli_experiments.design,
    cli_experiments.sensitivity,
    cli_experiments.discover,
    cli_experiments.headline,
):
    app.command()(command)
app.command()(cli_bargain.bargain)
app.command()(cli_ground.epstein)
app.command("ground-map")(cli_ground.ground_map)
cli_calibrate.register(app)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; bad input exits with code 2 and readable messages."""
    try:
        code = app(args=argv, standalone_mode=False)
    except ScenarioError as exc:
        cli_scenario.report_problems(exc)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:  # a usage error from click, or a bug: one line, not a traceback
        import click

        if isinstance(exc, click.ClickException):
            exc.show()
            sys.exit(exc.exit_code)
        raise
    if isinstance(code, int) and code:
        sys.exit(code)
