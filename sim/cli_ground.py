"""CLI commands for the ground layer: Epstein's paper mode and maps of the Strip.

Register with Typer: ``app.command()(cli_ground.epstein)``, ``app.command("ground-map")(
cli_ground.ground_map)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from sim.ground.epstein import CivilViolenceLattice
from sim.ground.model import GroundModel
from sim.ground.outbursts import (
    PAPER_SIZE_MEAN,
    PAPER_SIZE_SD,
    PAPER_WAIT_MEAN,
    PAPER_WAIT_SD,
    outburst_stats,
    pool,
)
from sim.ground.render import MAPPABLE, render_map
from sim.rng import RandomStreams
from sim.scenario.ground import Activation, EpsteinSpec, GroundSpec, Neighbourhood, RatioRule

out = Console()


def _assumed(value: float) -> dict[str, Any]:
    return {"value": value, "assumption": [value, value]}


def epstein(
    rule: Annotated[RatioRule, typer.Option(help="C/A rule: literal, floor or round.")] = "floor",
    vision_shape: Annotated[
        Neighbourhood, typer.Option(help="von_neumann (Mesa), moore, or circle (NetLogo).")
    ] = "von_neumann",
    size: Annotated[int, typer.Option(min=15, max=400, help="Lattice side.")] = 40,
    legitimacy: Annotated[float, typer.Option(min=0.0, max=1.0, help="L.")] = 0.82,
    cop_density: Annotated[float, typer.Option(min=0.0, max=0.3)] = 0.04,
    max_jail_term: Annotated[int, typer.Option(min=0, max=10_000, help="J_max.")] = 30,
    steps: Annotated[int, typer.Option(min=1, max=100_000)] = 1000,
    seeds: Annotated[int, typer.Option(min=1, max=1000, help="Replications.")] = 5,
    seed: Annotated[int, typer.Option(help="First seed.")] = 0,
    activation: Annotated[
        Activation,
        typer.Option(help="synchronous, or random_sequential (the paper's and Mesa's schedule)."),
    ] = "synchronous",
) -> None:
    """Run Epstein's Model I (defaults: the paper's Run 2) and print outburst statistics."""
    spec = EpsteinSpec.model_validate(
        {
            "ratio_rule": rule,
            "activation": activation,
            "neighbourhood": vision_shape,
            "width": _assumed(size),
            "height": _assumed(size),
            "legitimacy": _assumed(legitimacy),
            "cop_density": _assumed(cop_density),
            "max_jail_term": _assumed(max_jail_term),
        }
    )
    found = []
    for replication in range(seed, seed + seeds):
        run = CivilViolenceLattice(spec, RandomStreams(replication)).run(steps)
        found.append(outburst_stats(run.active, run.activations, burn_in=min(50, steps // 10)))
    summary = pool(found).summary()
    title = f"Outbursts (> 50 actives), {seeds} runs x {steps} steps, {rule} rule, {activation}"
    table = Table(title=title)
    for column in ("measure", "this run", "Epstein (2002)"):
        table.add_column(column)
    table.add_row("outbursts", f"{summary['outbursts']:.0f}", "")
    table.add_row(
        "waiting time (steps)",
        f"{summary['wait_mean']:.0f} +/- {summary['wait_sd']:.0f}",
        f"{PAPER_WAIT_MEAN:.0f} +/- {PAPER_WAIT_SD:.0f}",
    )
    table.add_row(
        "activations per outburst",
        f"{summary['size_mean']:.0f} +/- {summary['size_sd']:.0f}",
        f"{PAPER_SIZE_MEAN:.0f} +/- {PAPER_SIZE_SD:.0f}",
    )
    table.add_row("peak actives (mean)", f"{summary['peak_mean']:.0f}", "")
    out.print(table)


def ground_map(
    field: Annotated[str, typer.Argument(help=f"One of: {', '.join(MAPPABLE)}.")] = "population",
    output: Annotated[Path, typer.Option("--out", help="PNG file to write.")] = Path("ground.png"),
    days: Annotated[int, typer.Option(min=0, max=3650, help="Days to run first.")] = 0,
    cell_km: Annotated[float, typer.Option(min=0.25, max=2.0, help="Cell side (km).")] = 1.0,
    seed: Annotated[int, typer.Option()] = 0,
) -> None:
    """Run the ground layer alone for some days and write a map of one field as PNG."""
    if field not in MAPPABLE:
        raise typer.BadParameter(f"unknown field {field!r}; choose one of {', '.join(MAPPABLE)}")
    spec = GroundSpec.model_validate({"strip": {"cell_km": _assumed(cell_km)}})
    model = GroundModel(spec, seed=seed)
    model.run(days)
    render_map(model, field, str(output))
    totals = model.history[-1]
    out.print(
        f"wrote {output} (day {days}: population {totals['population']:,.0f}, "
        f"actives {totals['actives']:,.0f}, armed {totals['armed']:,.0f})"
    )
