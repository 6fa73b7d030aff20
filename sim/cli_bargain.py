"""CLI command ``isf-lab bargain``: run the bargaining layer alone and report its forecast.

Input is either a scenario (its ``bargaining:`` section; a fragment holding only that section,
such as ``scenarios/parts/gaza_actors.yaml``, works too) or a KTAB input CSV. The command prints
the forecast per dimension beside the capability x salience weighted mean of the starting
positions (the baseline every forecast should be read against) and can write the per-round
history as tidy CSV or Parquet tables.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from sim.bargaining import BargainingEngine, read_ktab_csv
from sim.bargaining.uncertainty import (
    Replications,
    position_bands,
    replicate,
    sensitivity,
    summarise,
)
from sim.rng import RandomStreams
from sim.scenario.bargaining import BargainingSpec
from sim.scenario.errors import ScenarioError
from sim.scenario.yamlio import FieldPath, load_yaml

RNG_STREAM = "bargaining"
FRAGMENT_KEY = "bargaining"


class OutputFormat(StrEnum):
    """File formats for the history tables."""

    CSV = "csv"
    PARQUET = "parquet"
    BOTH = "both"


def bargain(
    scenario: Annotated[
        Path | None,
        typer.Option(help="Scenario YAML (or a fragment with only a 'bargaining:' section)."),
    ] = None,
    ktab_csv: Annotated[
        Path | None, typer.Option("--ktab-csv", help="A KTAB input CSV instead of a scenario.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Folder for the per-round history tables.")
    ] = None,
    max_rounds: Annotated[
        int | None, typer.Option(min=1, max=10_000, help="Cap on rounds (default: settings).")
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="Seed for stochastic transitions.")] = 0,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="Format of the history tables.")
    ] = OutputFormat.CSV,
    reps: Annotated[
        int,
        typer.Option(
            min=1,
            max=100_000,
            help="Replications (with --scenario): each draws the assumed capabilities and "
            "saliences (settings.draw_assumptions) and its own stochastic transitions; prints "
            "medians, 10-90% bands, P(deal) and a sensitivity table.",
        ),
    ] = 1,
    actors: Annotated[
        str,
        typer.Option(help="Comma-separated actors whose final positions --reps prints."),
    ] = "israel,hamas,turkey,egypt,us",
) -> None:
    """Run bargaining to convergence; print forecast vs baseline; optionally write the history."""
    if (scenario is None) == (ktab_csv is None):
        raise typer.BadParameter("give exactly one of --scenario or --ktab-csv")
    if reps > 1:
        if scenario is None:
            raise typer.BadParameter("--reps needs --scenario (a KTAB table has no ranges)")
        result = report_replications(
            load_bargaining_spec(scenario), Console(), title=scenario.name, reps=reps, seed=seed,
            max_rounds=max_rounds, actors=[a for a in actors.split(",") if a],
        )  # fmt: skip
        if out is not None:
            write_replications(result, out, output_format)
        return
    rng = seeded_generator(seed)
    if ktab_csv is not None:
        engine = BargainingEngine.from_ktab(read_ktab_csv(ktab_csv), rng=rng)
        title = f"Bargaining forecast: {ktab_csv.name}"
    else:
        assert scenario is not None
        engine = BargainingEngine.from_spec(load_bargaining_spec(scenario), rng=rng)
        title = f"Bargaining forecast: {scenario.name}"
    console = Console()
    run_and_report(engine, console, title=title, max_rounds=max_rounds)
    if out is not None:
        formats = ("csv", "parquet") if output_format is OutputFormat.BOTH else (output_format,)
        written = engine.history.write(out, tuple(str(f) for f in formats))
        console.print(f"wrote {len(written)} tables to {out}", highlight=False)


def run_and_report(
    engine: BargainingEngine, console: Console, *, title: str, max_rounds: int | None = None
) -> Table:
    """Run the engine to convergence and print the forecast table; returns the table."""
    engine.run(max_rounds)
    table = forecast_table(engine, title)
    console.print(table)
    state = "converged" if engine.converged else "stopped at the round cap"
    console.print(f"{engine.turn} rounds, {state}", highlight=False)
    return table


def forecast_table(engine: BargainingEngine, title: str) -> Table:
    """A rich table per dimension: the decision, bargained outcome, baseline, top position.

    The decision reads "deal: X" or "no deal: status quo X (state)", with who blocked and why.
    """
    table = Table(title=title)
    for column in ("dimension", "outcome", "bargained", "baseline", "top PCE", "why no deal"):
        text = column in {"dimension", "outcome", "why no deal"}
        table.add_column(
            column, justify="left" if text else "right", no_wrap=column != "why no deal",
            min_width=len(column),
        )  # fmt: skip
    decisions = engine.decisions()
    baseline = engine.baseline()
    probable = engine.most_probable_position(constrained=False)
    for dim in engine.dimensions:
        decision = decisions[dim]
        outcome = (
            f"deal: {decision.outcome:.1f}"
            if decision.deal
            else f"no deal: status quo {decision.status_quo:g} ({decision.state})"
        )
        table.add_row(
            dim,
            outcome,
            f"{decision.bargained:.1f}",
            f"{baseline[dim]:.1f}",
            f"{probable[dim]:.1f}",
            decision.reason,
        )
    return table


def report_replications(
    spec: BargainingSpec,
    console: Console,
    *,
    title: str,
    reps: int,
    seed: int = 0,
    max_rounds: int | None = None,
    actors: list[str] | None = None,
) -> Replications:
    """Replicate the bargaining and print the forecast distribution, positions and sensitivity."""
    result = replicate(spec, reps, seed, max_rounds)
    console.print(_summary_table(summarise(result.outcomes), f"over {reps} replications: {title}"))
    console.print(
        "median [10%-90%] over replications; 'bargained' is where the actors converge, 'with a "
        "deal' the implemented outcome when every required consenter accepts it",
        highlight=False,
    )
    console.print(_positions_table(result, actors or []))
    sens = sensitivity(result)
    if not sens.empty:
        console.print(_sensitivity_table(sens))
        console.print(
            "rank correlation across replications between an actor's drawn number and the "
            "bargained outcome; 'chance level' is what shuffled outcomes give (95%); more "
            "replications lower it",
            highlight=False,
        )
    return result


def _summary_table(summary: pd.DataFrame, title: str) -> Table:
    table = Table(title=f"Bargaining forecast {title}")
    for column in ("dimension", "P(deal)", "bargained", "with a deal", "without a deal"):
        table.add_column(column, justify="right" if column == "P(deal)" else "left")
    for _, row in summary.iterrows():
        deal = (
            f"{row['deal_median']:.0f} [{row['deal_p10']:.0f}-{row['deal_p90']:.0f}]"
            if row["p_deal"] > 0
            else "-"
        )
        no_deal = (
            f"status quo {row['status_quo']:g} ({row['no_deal']}; blocked by {row['blocked_by']})"
            if row["p_deal"] < 1
            else "-"
        )
        bargained = (
            f"{row['bargained_median']:.0f} [{row['bargained_p10']:.0f}-{row['bargained_p90']:.0f}]"
        )
        table.add_row(row["dimension"], f"{row['p_deal']:.2f}", bargained, deal, no_deal)
    return table


def _sensitivity_table(sens: pd.DataFrame) -> Table:
    table = Table(title="Which actor's numbers move each bargained outcome most (Spearman)")
    for column in ("dimension", "actor", "parameter", "rho", "chance level"):
        table.add_column(column, justify="left" if column[0] in "dap" else "right")
    for _, row in sens.iterrows():
        table.add_row(
            row["dimension"],
            row["actor"],
            row["parameter"],
            f"{row['rho']:+.2f}" + ("" if abs(row["rho"]) > row["noise"] else " (chance)"),
            f"{row['noise']:.2f}",
        )
    return table


def _positions_table(result: Replications, actors: list[str]) -> Table:
    table = Table(title="Final positions, median [10%-90%]")
    dims = list(dict.fromkeys(result.positions["dimension"]))
    table.add_column("actor")
    for dim in dims:
        table.add_column(dim, justify="right")
    bands = position_bands(result.positions)
    for actor in actors:
        if actor not in set(result.positions["actor"]):
            continue
        cells = bands.loc[actor]
        table.add_row(actor, *(_band_text(cells.loc[d]) for d in dims))
    return table


def _band_text(row: pd.Series) -> str:
    return f"{row['median']:.0f} [{row['p10']:.0f}-{row['p90']:.0f}]"


def write_replications(result: Replications, out: Path, output_format: OutputFormat) -> None:
    """Write the replications' outcomes, positions and draws as tables."""
    out.mkdir(parents=True, exist_ok=True)
    formats = ("csv", "parquet") if output_format is OutputFormat.BOTH else (output_format,)
    for name in ("outcomes", "positions", "draws"):
        frame = getattr(result, name)
        for fmt in formats:
            if fmt == "csv":
                frame.to_csv(out / f"replications_{name}.csv", index=False)
            else:
                frame.to_parquet(out / f"replications_{name}.parquet", index=False)


def load_bargaining_spec(path: Path) -> BargainingSpec:
    """The bargaining section of a scenario file, or of a fragment holding only that section."""
    loaded = load_yaml(path)
    data = loaded.data
    if isinstance(data, dict) and set(data) == {FRAGMENT_KEY}:
        from sim.scenario.validation_messages import problems_from_validation

        def origin_of(field: FieldPath) -> tuple[str | None, int | None]:
            return loaded.file, loaded.line_of((FRAGMENT_KEY, *field))

        try:
            return BargainingSpec.model_validate(data[FRAGMENT_KEY])
        except ValidationError as exc:
            raise ScenarioError(problems_from_validation(exc, BargainingSpec, origin_of)) from None
    from sim.scenario import load_scenario

    spec: BargainingSpec = load_scenario(path).bargaining
    return spec


def seeded_generator(seed: int) -> np.random.Generator:
    """The generator the CLI gives the engine for a seed (the ``bargaining`` stream)."""
    return RandomStreams(seed)[RNG_STREAM]
