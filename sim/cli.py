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


def _usage_error_types() -> tuple[type[Exception], ...]:
    """The ``ClickException`` classes a usage error can be an instance of.

    Typer up to 0.2x raised click's own exceptions; from 0.29 it vendors click as ``typer._click``
    and raises those instead. ``typer.BadParameter`` is a subclass of whichever one is in use, so
    its ancestry names the right class whatever the release; click's is added when present.
    """
    found: list[type[Exception]] = [
        cls for cls in typer.BadParameter.__mro__ if cls.__name__ == "ClickException"
    ]
    try:
        import click

        found.append(click.ClickException)
    except ImportError:  # pragma: no cover - click is optional with typer >= 0.29
        pass
    return tuple(dict.fromkeys(found))


USAGE_ERRORS = _usage_error_types()


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; bad input exits with code 2 and readable messages."""
    try:
        code = app(args=argv, prog_name="isf-lab", standalone_mode=False)
    except ScenarioError as exc:
        cli_scenario.report_problems(exc)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except USAGE_ERRORS as exc:  # a usage error: short usage and the problem, never a traceback
        exc.show()  # type: ignore[attr-defined]
        sys.exit(exc.exit_code)  # type: ignore[attr-defined]
    if isinstance(code, int) and code:
        sys.exit(code)
