"""Rich tables for the terminal: a comparison at a glance, failures, PRIM boxes."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from rich.table import Table

from sim.analysis.compare import Comparison
from sim.analysis.discovery import Discovery
from sim.analysis.outcomes import HEADLINE_OUTCOMES, difference_verdict, outcome_info
from sim.analysis.report import fmt_number


def comparison_table(comparison: Comparison, outcomes: Sequence[str] | None = None) -> Table:
    """Outcomes as rows; per scenario the median [10-90%] and the paired difference."""
    shown = list(
        outcomes
        or [o for o in HEADLINE_OUTCOMES if o in comparison.outcomes]
        or comparison.outcomes
    )
    grid = Table(
        title=f"Scenarios compared with {comparison.baseline} "
        "(median [10-90%]; Δ mean paired difference [95% CI], P(better))",
        show_lines=True,
    )
    grid.add_column("outcome", style="bold")
    for scenario in comparison.scenarios:
        grid.add_column(scenario, overflow="fold")
    bands = comparison.bands.set_index(["scenario", "outcome"])
    diffs = comparison.differences.set_index(["scenario", "outcome"])
    for outcome in shown:
        cells = []
        for scenario in comparison.scenarios:
            b = bands.loc[(scenario, outcome)]
            cell = (
                f"{b['mean']:.0%} of runs"
                if outcome == "ceasefire_collapsed"
                else f"{fmt_number(b['median'])} [{fmt_number(b['p10'])}, {fmt_number(b['p90'])}]"
            )
            if (scenario, outcome) in diffs.index:
                cell += "\n" + _difference_cell(diffs.loc[(scenario, outcome)])
            cells.append(cell)
        grid.add_row(outcome_info(outcome).label, *cells)
    return grid


def _difference_cell(row: pd.Series) -> str:
    mean, low, high = row["mean_diff"], row["ci_low"], row["ci_high"]
    better = row["better"]
    text = f"Δ {fmt_number(mean)} [{fmt_number(low)}, {fmt_number(high)}]"
    if better is not None and not (isinstance(better, float) and math.isnan(better)):
        text += f" P={row['p_better']:.2f}"
    if row["resolved"]:
        found = difference_verdict(row)
        colour = {"better": "green", "worse": "red"}.get(found, "cyan")
        return f"[{colour}]{text}[/{colour}]"
    return f"[dim]{text}[/dim]"


def discovery_table(discovery: Discovery) -> Table:
    """The chosen PRIM box, one row per restricted input."""
    box = discovery.prim.chosen
    grid = Table(
        title=f"PRIM box for '{discovery.condition.text}': coverage {box.coverage:.0%}, "
        f"density {box.density:.0%} (all runs: {discovery.prim.base_density:.0%}), "
        f"mass {box.mass:.0%}"
    )
    grid.add_column("input")
    grid.add_column("low")
    grid.add_column("high")
    grid.add_column("range in the design")
    for name in box.restricted:
        low, high = box.limits[name]
        column = discovery.inputs[name]
        grid.add_row(
            name,
            fmt_number(low) if math.isfinite(low) else "–",
            fmt_number(high) if math.isfinite(high) else "–",
            f"{fmt_number(float(column.min()))} – {fmt_number(float(column.max()))}",
        )
    return grid


def political_table(comparison: Comparison) -> Table | None:
    """Deals per dimension and key actors' final positions per scenario (when runs stored them)."""
    positions = comparison.extras.get("positions")
    if positions is None:
        return None
    from sim.analysis.positions import political_wide

    wide = political_wide(positions)
    grid = Table(
        title="Politics: deal per dimension at the end (P(deal), implemented outcome with a deal, "
        "else the status quo); final positions median [10-90%]",
        show_lines=False,
    )
    grid.add_column("row", style="bold")
    scenarios = [s for s in comparison.scenarios if s in wide.columns]
    for scenario in scenarios:
        grid.add_column(scenario, overflow="fold")
    for _, row in wide.iterrows():
        grid.add_row(row["row"], *(str(row[s]) if pd.notna(row[s]) else "-" for s in scenarios))
    return grid
