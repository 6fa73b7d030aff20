"""CLI commands ``calibrate`` (history matching) and ``check-patterns`` (observed vs modelled).

Thin wrappers over :mod:`sim.experiments.calibrate` and :mod:`sim.analysis.calibration`.
Exit codes: 0 success, 2 bad input, 3 every design point ruled out (no fragment written).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from sim.analysis import figures
from sim.analysis.calibration import (
    check_patterns,
    implausibility_figure,
    markdown_patterns,
    observation_report,
    range_report,
    update_doc,
)
from sim.cli_scenario import report_problems
from sim.experiments import Progress as RunProgress
from sim.experiments.calibrate import (
    CUTOFF,
    CalibrationResult,
    CalibrationSettings,
    calibrate,
    write_fragment,
)
from sim.experiments.observations import OBSERVATIONS_FILE
from sim.experiments.runner import ExperimentConflictError
from sim.scenario.errors import ScenarioError

out = Console()
err = Console(stderr=True)

ObservationsOption = Annotated[
    Path, typer.Option("--observations", help="Observations file (seeds/observations.yaml).")
]


def register(app: typer.Typer) -> None:
    """Add the commands to the ``isf-lab`` app."""
    app.command("calibrate")(calibrate_command)
    app.command("check-patterns")(check_patterns_command)


@contextmanager
def _wave_bars() -> Iterator[Callable[[int], Callable[[RunProgress], None]]]:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=err) as bar:

        def for_wave(wave: int) -> Callable[[RunProgress], None]:
            task = bar.add_task(f"wave {wave}", total=None)

            def update(progress: RunProgress) -> None:
                bar.update(task, total=progress.total, completed=progress.done)

            return update

        yield for_wave


def _print(frame: pd.DataFrame, title: str) -> None:
    table = Table(title=title)
    for column in frame.columns:
        table.add_column(str(column), overflow="fold")
    for row in frame.itertuples(index=False):
        table.add_row(*(str(v) for v in row))
    out.print(table)


def _fail(exc: Exception) -> typer.Exit:
    if isinstance(exc, ScenarioError):
        report_problems(exc)
    else:
        err.print(f"[red]error:[/red] {exc}")
    return typer.Exit(2)


def calibrate_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario file.")],
    factor: Annotated[
        list[str], typer.Option("--factor", "-f", help="Glob of assumption paths (repeat).")
    ],
    kind: Annotated[str, typer.Option(help="lhs or nolh design per wave.")] = "lhs",
    points: Annotated[int | None, typer.Option(help="Points per wave (LHS; default 10 d).")] = None,
    reps: Annotated[int, typer.Option("--reps", "-n", min=2, help="Replications per point.")] = 4,
    waves: Annotated[int, typer.Option(min=1, help="Waves of refocusing.")] = 2,
    cutoff: Annotated[float, typer.Option(help="Implausibility cut-off.")] = CUTOFF,
    seed: Annotated[int, typer.Option(help="Root seed.")] = 0,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Results folder.")] = Path(
        "results/calibrate"
    ),
    fragment: Annotated[
        Path | None, typer.Option(help="Fragment to write (default OUT/calibrated-NAME.yaml).")
    ] = None,
    observations: ObservationsOption = OBSERVATIONS_FILE,
    full_horizon: Annotated[
        bool, typer.Option(help="Run the whole horizon, not just to 31 Jan 2026.")
    ] = False,
    ensemble_variance: Annotated[
        bool, typer.Option(help="Add the runs' own variance (one realisation observed).")
    ] = False,
    executor: Annotated[str, typer.Option(help="serial, pool or dask.")] = "pool",
    workers: Annotated[int | None, typer.Option(help="Pool size.")] = None,
) -> None:
    """History-match assumption ranges to the calibration observations (to 31 Jan 2026)."""
    settings = CalibrationSettings(
        list(factor), kind, points, reps, waves, cutoff, seed, full_horizon, ensemble_variance
    )
    try:
        with _wave_bars() as for_wave:
            result = calibrate(
                scenario,
                settings,
                out_dir=out_dir,
                observations=observations,
                executor=executor,
                workers=workers,
                progress=for_wave,
            )
    except (ScenarioError, ValueError, FileNotFoundError, ExperimentConflictError) as exc:
        raise _fail(exc) from None
    _show(result, out_dir)
    if not result.points["plausible"].any():
        err.print(
            "[red]every point is ruled out[/red]: the model cannot match the observations "
            "within these ranges (see the observations table); no fragment written"
        )
        raise typer.Exit(3)
    target = fragment or out_dir / f"calibrated-{result.scenario}.yaml"
    write_fragment(result, target, _display(observations))
    out.print(f"calibrated ranges written to {target}")


def _show(result: CalibrationResult, out_dir: Path) -> None:
    """Print the tables and save the points, ranges and figure."""
    for name, reason in result.skipped.items():
        err.print(f"[yellow]skipped[/yellow] {name}: {reason}")
    cutoff, waves = result.settings.cutoff, result.settings.waves
    _print(observation_report(result), f"Observations (implausibility cut-off {cutoff:g})")
    _print(range_report(result), f"Ranges of {result.scenario} after {waves} waves")
    result.points.to_csv(out_dir / "points.csv", index=False)
    result.ranges.to_csv(out_dir / "ranges.csv", index=False)
    plot = out_dir / "implausibility.png"
    plot.write_bytes(figures.png_bytes(implausibility_figure(result)))
    first = result.points[result.points["wave"] == 1]["plausible"].mean()
    out.print(
        f"{len(result.points)} points, {result.plausible_share:.0%} not ruled out; wave 1 "
        f"(space-filling over the prior ranges): {first:.0%} not ruled out; {plot}"
    )


def _display(path: Path) -> str:
    try:
        return path.resolve().relative_to(OBSERVATIONS_FILE.parents[1]).as_posix()
    except ValueError:
        return str(path)


def check_patterns_command(
    scenario: Annotated[Path, typer.Argument(help="Scenario file.")],
    reps: Annotated[int, typer.Option("--reps", "-n", min=1, help="Replications.")] = 30,
    seed: Annotated[int, typer.Option(help="Root seed.")] = 0,
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Results folder.")] = Path(
        "results/patterns"
    ),
    in_sample: Annotated[
        bool, typer.Option("--in-sample", help="Also show the calibration observations.")
    ] = False,
    observations: ObservationsOption = OBSERVATIONS_FILE,
    write_doc: Annotated[
        Path | None, typer.Option(help="Write the table into this Markdown file's markers.")
    ] = None,
    executor: Annotated[str, typer.Option(help="serial, pool or dask.")] = "pool",
    workers: Annotated[int | None, typer.Option(help="Pool size.")] = None,
) -> None:
    """Observed vs modelled patterns (out of sample by default; never used for tuning)."""
    uses: tuple[Any, ...] = ("calibration", "out_of_sample") if in_sample else ("out_of_sample",)
    try:
        with _wave_bars() as for_wave:
            table = check_patterns(
                scenario,
                reps=reps,
                out_dir=out_dir,
                seed=seed,
                uses=uses,
                observations=observations,
                executor=executor,
                workers=workers,
                progress=for_wave(1),
            )
    except (ScenarioError, ValueError, FileNotFoundError, ExperimentConflictError) as exc:
        raise _fail(exc) from None
    _print(table[["pattern", "observed", "modelled", "verdict", "use"]], f"Patterns: {scenario}")
    table.to_csv(out_dir / "patterns.csv", index=False)
    if write_doc is not None:
        command = (
            f"isf-lab check-patterns {scenario.as_posix()} --reps {reps} --seed {seed}"
            + (" --in-sample" if in_sample else "")
            + f" --write-doc {write_doc.as_posix()}"
        )
        header = (
            f"Generated by `{command}` ({reps} replications of {scenario.name}). Modelled: "
            "median [10-90% band] across replications of the statistic over the window."
        )
        update_doc(write_doc, markdown_patterns(table, header))
        out.print(f"pattern table written into {write_doc}")
