"""CLI commands for experiments: run, batch, design, sensitivity, compare, discover, headline.

Thin wrappers: every command parses options, calls one library function in
:mod:`sim.experiments` or :mod:`sim.analysis`, and prints the result. Exit codes: 0 success,
1 some runs failed, 2 bad input, 130 interrupted (finished runs are kept; rerun to resume).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from sim.cli_scenario import report_problems
from sim.experiments import (
    Axis,
    Design,
    ExperimentResult,
    factorial_design,
    lhs_design,
    load_design_file,
    load_results,
    morris_design,
    nolh_design,
    run_experiment,
    select_factors,
    sobol_design,
)
from sim.experiments import Progress as RunProgress
from sim.experiments.runner import ExperimentConflictError
from sim.experiments.store import FolderLockedError
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario

out = Console()
err = Console(stderr=True)

Reps = Annotated[int, typer.Option("--reps", "-n", min=1, help="Replications per scenario.")]
Seed = Annotated[int | None, typer.Option(help="Root seed (default: the folder's, else fresh).")]
OutDir = Annotated[Path, typer.Option("--out", "-o", help="Results folder (resumed if present).")]
Executor = Annotated[str, typer.Option(help="serial, pool (every core) or dask.")]
Workers = Annotated[int | None, typer.Option(help="Pool size (default: every core).")]
Scheduler = Annotated[str | None, typer.Option(help="Dask scheduler address (implies dask).")]
Daily = Annotated[bool, typer.Option("--daily", help="Also store the daily series.")]
Timeout = Annotated[float | None, typer.Option(help="Per-run time limit in seconds.")]
Factors = Annotated[
    list[str] | None, typer.Option("--factor", "-f", help="Glob of assumption paths (repeat).")
]


@contextmanager
def progress_bar(label: str) -> Iterator[Any]:
    """A rich progress bar with counts, failures and ETA; yields the runner's callback."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("[red]{task.fields[failed]} failed"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=err, transient=False) as bar:
        task = bar.add_task(label, total=None, failed=0)

        def update(progress: RunProgress) -> None:
            bar.update(task, total=progress.total, completed=progress.done, failed=progress.failed)

        yield update


def _experiment(label: str, scenarios: list[Any], reps: int, **options: Any) -> ExperimentResult:
    try:
        with progress_bar(label) as update:
            return run_experiment(
                scenarios, reps, progress_callback=update, command=list(sys.argv), **options
            )
    except ScenarioError as exc:
        report_problems(exc)
        raise typer.Exit(2) from None
    except (ExperimentConflictError, FolderLockedError, ValueError, FileNotFoundError) as exc:
        # ValueError covers WorkerMismatchError (a Dask worker runs other code)
        err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None


def report_rejected(result: ExperimentResult, *, recomputed: bool) -> None:
    """Name every run file that failed its identity or content check, and what happened."""
    if not result.rejected:
        return
    action = (
        "recomputed"
        if recomputed
        else "left out; rerun the batch command on this folder to recompute them"
    )
    err.print(
        f"[yellow]{len(result.rejected)} run file(s) failed their check[/yellow] "
        f"(moved to {result.out_dir / 'rejected'}, {action}):",
        highlight=False,
        soft_wrap=True,
    )
    for line in result.rejected:
        err.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)


def _finish(result: ExperimentResult) -> None:
    report_rejected(result, recomputed=True)
    if result.missing and not result.interrupted:
        err.print(f"missing runs: {', '.join(result.missing)}", markup=False)
    summary = result.summary
    out.print(
        f"{len(summary)} runs in {result.out_dir} "
        f"({summary['scenario'].nunique() if len(summary) else 0} scenarios); "
        "compare with: isf-lab compare " + str(result.out_dir)
    )
    if result.failures:
        failed = Table(
            title=f"{len(result.failures)} failed runs (tracebacks in "
            f"{result.out_dir / 'failures'})"
        )
        for column in ("run", "kind", "error"):
            failed.add_column(column)
        for failure in result.failures[:20]:
            last = (failure.get("error") or "").strip().splitlines()[-1:] or [""]
            failed.add_row(failure["run_id"], str(failure["kind"]), last[0])
        err.print(failed)
    if result.interrupted:
        err.print(
            "[yellow]interrupted[/yellow]: finished runs are kept; rerun the same command "
            "to complete the rest"
        )
        raise typer.Exit(130)
    if result.failures:
        raise typer.Exit(1)


def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario file.")],
    reps: Reps = 30,
    seed: Seed = None,
    out_dir: OutDir = Path("results/run"),
    executor: Executor = "pool",
    workers: Workers = None,
    scheduler: Scheduler = None,
    daily: Daily = False,
    timeout: Timeout = None,
) -> None:
    """Run replications of one scenario."""
    batch([scenario], reps, seed, out_dir, executor, workers, scheduler, daily, timeout, None)


def batch(
    scenarios: Annotated[list[Path], typer.Argument(help="Scenario files.")],
    reps: Reps = 30,
    seed: Seed = None,
    out_dir: OutDir = Path("results/batch"),
    executor: Executor = "pool",
    workers: Workers = None,
    scheduler: Scheduler = None,
    daily: Daily = False,
    timeout: Timeout = None,
    cross: Annotated[
        list[str] | None,
        typer.Option(
            help="Comma-separated fragment files forming one axis, crossed with the "
            "others on the (single) scenario given (repeat per axis)."
        ),
    ] = None,
) -> None:
    """Run replications of several scenarios with common random numbers (paired by seed)."""
    design: Design | None = None
    inputs: list[Any] = list(scenarios)
    if cross:
        if len(scenarios) != 1:
            err.print("[red]error:[/red] --cross needs exactly one base scenario")
            raise typer.Exit(2)
        design = _cross_design(scenarios[0], cross)
        inputs = list(design.variants)
    result = _experiment(
        "runs",
        inputs,
        reps,
        seed=seed,
        out_dir=out_dir,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        daily=daily,
        timeout=timeout,
        design=design,
    )
    _finish(result)


def _cross_design(base: Path, cross: list[str]) -> Design:
    axes = []
    for index, spec in enumerate(cross):
        files = [Path(item.strip()) for item in spec.split(",") if item.strip()]
        axes.append(Axis(f"axis{index + 1}", fragments={f.stem: [f] for f in files}))
    try:
        return factorial_design(base, axes)
    except (ValueError, FileNotFoundError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


def design(
    source: Annotated[Path, typer.Argument(help="A design file, or a base scenario with --kind.")],
    kind: Annotated[
        str | None, typer.Option(help="lhs, nolh, sobol or morris (with a base scenario).")
    ] = None,
    factors: Factors = None,
    points: Annotated[
        int | None,
        typer.Option(help="LHS points / NOLH runs / Sobol base samples / Morris trajectories."),
    ] = None,
    reps: Annotated[
        int | None,
        typer.Option(
            "--reps",
            "-n",
            min=1,
            help="Replications per design point (default: the file's, else 10).",
        ),
    ] = None,
    seed: Seed = None,
    out_dir: OutDir = Path("results/design"),
    executor: Executor = "pool",
    workers: Workers = None,
    scheduler: Scheduler = None,
    timeout: Timeout = None,
) -> None:
    """Run a designed experiment (factorial, LHS, NOLH, Sobol or Morris); the design is saved."""
    built, file_reps, file_seed = _build_design(source, kind, factors or [], points)
    out.print(
        f"{built.kind} design: {len(built.variants)} points"
        + (f" over {len(built.factors)} factors" if built.factors else "")
    )
    result = _experiment(
        "design runs",
        list(built.variants),
        reps or file_reps or 10,
        seed=seed if seed is not None else file_seed,
        out_dir=out_dir,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        timeout=timeout,
        design=built,
    )
    _finish(result)


def _build_design(
    source: Path, kind: str | None, patterns: list[str], points: int | None
) -> tuple[Design, int | None, int | None]:
    try:
        if kind is None:
            spec = load_design_file(source)
            return spec.design, spec.replications, spec.seed
        base = load_scenario(source)
        chosen = select_factors(base, patterns or ["*"])
        builders = {
            "lhs": lambda: lhs_design(base, chosen, points or 2 * len(chosen) + 1),
            "nolh": lambda: nolh_design(base, chosen, points),
            "sobol": lambda: sobol_design(base, chosen, points or 64),
            "morris": lambda: morris_design(base, chosen, points or 10),
        }
        if kind not in builders:
            raise ValueError(f"unknown design kind {kind!r}; use {', '.join(builders)}")
        return builders[kind](), None, None
    except ScenarioError as exc:
        report_problems(exc)
        raise typer.Exit(2) from None
    except (ValueError, KeyError, FileNotFoundError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


def sensitivity(
    scenario: Annotated[Path, typer.Argument(help="Base scenario file.")],
    factors: Factors = None,
    method: Annotated[str, typer.Option(help="sobol or morris.")] = "morris",
    samples: Annotated[
        int, typer.Option(help="Sobol base samples (power of 2) or Morris trajectories.")
    ] = 10,
    outcomes: Annotated[
        list[str] | None, typer.Option("--outcome", help="Outcome to analyse (repeat).")
    ] = None,
    reps: Reps = 3,
    seed: Seed = None,
    out_dir: OutDir = Path("results/sensitivity"),
    executor: Executor = "pool",
    workers: Workers = None,
    scheduler: Scheduler = None,
    html: Annotated[Path | None, typer.Option(help="Write an HTML report.")] = None,
    markdown: Annotated[Path | None, typer.Option("--md", help="Write a Markdown report.")] = None,
) -> None:
    """Global sensitivity (Sobol or Morris, via SALib) of outcomes to assumption ranges."""
    from sim.analysis.figures import png_bytes, sensitivity_plot
    from sim.analysis.report import sensitivity_blocks
    from sim.analysis.sensitivity import sensitivity_table

    if method not in ("sobol", "morris"):
        err.print(f"[red]error:[/red] method must be sobol or morris, not {method!r}")
        raise typer.Exit(2)
    built, _, _ = _build_design(scenario, method, factors or [], samples)
    result = _experiment(
        f"{method} runs",
        list(built.variants),
        reps,
        seed=seed,
        out_dir=out_dir,
        executor=executor,
        workers=workers,
        scheduler=scheduler,
        design=built,
    )
    chosen = outcomes or ["days_to_collapse", "civilian_deaths", "secure_population_share_mean"]
    try:
        indices = sensitivity_table(result, [o for o in chosen if o in result.summary.columns])
    except ValueError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    indices.to_csv(out_dir / "sensitivity.csv", index=False)
    (out_dir / "sensitivity.png").write_bytes(png_bytes(sensitivity_plot(indices)))
    _write_reports(sensitivity_blocks(indices, f"Global sensitivity ({method})"), html, markdown)
    key = "ST" if method == "sobol" else "mu_star"
    top = indices.sort_values(key, ascending=False).groupby("outcome").head(5)
    grid = Table(title=f"{method} indices (top 5 per outcome); all in {out_dir}/sensitivity.csv")
    for column in ("outcome", "factor", key):
        grid.add_column(column)
    for _, row in top.iterrows():
        grid.add_row(row["outcome"], row["factor"], f"{row[key]:.3g}")
    out.print(grid)
    _finish(result)


def compare(
    results: Annotated[Path, typer.Argument(help="Results folder of run/batch/design.")],
    baseline: Annotated[str | None, typer.Option(help="Baseline scenario name.")] = None,
    outcomes: Annotated[
        list[str] | None, typer.Option("--outcome", help="Outcome (repeat; default: all).")
    ] = None,
    csv: Annotated[Path | None, typer.Option(help="Write the table as CSV.")] = None,
    html: Annotated[Path | None, typer.Option(help="Write a self-contained HTML report.")] = None,
    markdown: Annotated[Path | None, typer.Option("--md", help="Write a Markdown report.")] = None,
) -> None:
    """Compare scenarios: medians and 10-90% bands, paired differences, survival, reports."""
    from sim.analysis.compare import compare_results
    from sim.analysis.report import render_report
    from sim.analysis.terminal import comparison_table, political_table

    try:
        loaded = load_results(results)
        report_rejected(loaded, recomputed=False)
        comparison = compare_results(loaded, baseline, outcomes)
    except (ValueError, FileNotFoundError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    out.print(comparison_table(comparison, outcomes))
    politics = political_table(comparison)
    if politics is not None:
        out.print(politics)
    if not comparison.survival_summary.empty:
        out.print(comparison.survival_summary.to_string(index=False))
    from sim.analysis.report import collapse_table, conditional_table

    if not comparison.collapse.empty:
        out.print(collapse_table(comparison).to_string(index=False))
        shown = outcomes or ["civilian_deaths", "isf_deaths", "idf_held_share_final"]
        out.print(conditional_table(comparison, shown).to_string(index=False))
    for warning in comparison.warnings:
        err.print(f"[yellow]warning:[/yellow] {warning}")
    for path in (csv, html, markdown):
        if path is not None:
            for written in render_report(comparison, path):
                out.print(f"wrote {written}")


def discover(
    results: Annotated[Path, typer.Argument(help="Results folder of a designed experiment.")],
    condition: Annotated[
        str,
        typer.Option(
            help="The failure, e.g. 'days_to_collapse < 180' or 'contributors_withdrawn >= 1'."
        ),
    ] = "days_to_collapse < 180",
    factors: Annotated[
        list[str] | None,
        typer.Option("--factor", help="Input to search over (repeat; default: all)."),
    ] = None,
    min_coverage: Annotated[
        float, typer.Option(min=0.0, max=1.0, help="Coverage the chosen box keeps at least.")
    ] = 0.5,
    html: Annotated[Path | None, typer.Option(help="Write an HTML report.")] = None,
    markdown: Annotated[Path | None, typer.Option("--md", help="Write a Markdown report.")] = None,
) -> None:
    """Scenario discovery: which assumptions make the condition likely (PRIM and a rule tree)."""
    from sim.analysis.discovery import discover as find
    from sim.analysis.terminal import discovery_table

    try:
        found = find(load_results(results), condition, factors=factors, min_coverage=min_coverage)
    except (ValueError, FileNotFoundError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    out.print(discovery_table(found))
    for leaf in found.rules[:5]:
        out.print(
            f"  {leaf.rule}: {leaf.cases}/{leaf.runs} runs ({leaf.density:.0%}), "
            f"{leaf.coverage:.0%} of cases"
        )
    from sim.analysis.headline import discovery_blocks

    _write_reports(discovery_blocks(found), html, markdown)


def _write_reports(blocks: list[Any], html: Path | None, markdown: Path | None) -> None:
    from sim.analysis.report import write_blocks

    if html is not None:
        for written in write_blocks(blocks, html, "html"):
            out.print(f"wrote {written}")
    if markdown is not None:
        for written in write_blocks(blocks, markdown, "md"):
            out.print(f"wrote {written}")


def headline(
    reps: Annotated[
        int,
        typer.Option(
            "--reps", "-n", min=2, help="Replications per scenario of the 2x2 comparison."
        ),
    ] = 30,
    design_reps: Annotated[
        int, typer.Option(min=1, help="Replications per robustness design point.")
    ] = 2,
    seed: Annotated[int, typer.Option(help="Root seed.")] = 20251010,
    results_dir: Annotated[Path, typer.Option("--out", "-o", help="Results folder.")] = Path(
        "results/headline"
    ),
    report_dir: Annotated[Path, typer.Option(help="Where headline.md/.html go.")] = Path("reports"),
    executor: Executor = "pool",
    workers: Workers = None,
    fresh: Annotated[
        bool,
        typer.Option(
            "--fresh",
            help="Delete earlier headline results first "
            "(after the scenarios or the model changed).",
        ),
    ] = False,
) -> None:
    """Regenerate the headline report: Hamas accepts/rejects x Turkey included/vetoed."""
    from sim.analysis.headline import HeadlineSettings, run_headline

    settings = HeadlineSettings(
        reps=reps,
        design_reps=design_reps,
        seed=seed,
        results_dir=results_dir,
        report_dir=report_dir,
        executor=executor,
        workers=workers,
        fresh=fresh,
    )
    try:
        with progress_bar("headline runs") as update:
            result = run_headline(settings, progress=update, announce=err.print)
    except ExperimentConflictError as exc:
        err.print(f"[red]error:[/red] {exc}\n(rerun with --fresh to start over)")
        raise typer.Exit(2) from None
    except FolderLockedError as exc:
        err.print(f"error: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    for path in result.paths:
        if path.suffix in (".md", ".html"):
            out.print(f"wrote {path}")
    failed = sum(len(e.failures) for e in result.experiments)
    if failed:
        err.print(f"[red]{failed} runs failed[/red]; see the failures/ folders in {results_dir}")
        raise typer.Exit(1)
