"""Figures for reports: fan charts, distributions, survival curves, differences, sensitivity, PRIM.

Every function returns a matplotlib ``Figure`` built without pyplot (no global state, no
display, safe in threads and in the Streamlit app); :func:`png_bytes` renders one to PNG.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.outcomes import difference_verdict, outcome_info
from sim.analysis.palette import VERDICT_COLOURS, scenario_colours
from sim.analysis.prim import PrimResult


def colour_map(scenarios: Sequence[str]) -> dict[str, str]:
    """A stable colour per scenario: the app's (:func:`sim.analysis.palette.scenario_colours`)."""
    return scenario_colours(scenarios)


def _subplots(*args: int, figsize: tuple[float, float], squeeze: bool = True) -> tuple[Figure, Any]:
    figure = Figure(figsize=figsize)
    if not args:
        return figure, figure.subplots()
    return figure, figure.subplots(*args, squeeze=squeeze)


def png_bytes(figure: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def _grid(
    panels: int, columns: int = 3, size: tuple[float, float] = (4.2, 3.0)
) -> tuple[Figure, list]:
    columns = max(1, min(columns, panels))
    rows = math.ceil(panels / columns)
    figure, axes = _subplots(
        rows, columns, figsize=(size[0] * columns, size[1] * rows), squeeze=False
    )
    flat = list(axes.ravel())
    for extra in flat[panels:]:
        extra.set_visible(False)
    return figure, flat[:panels]


def fan_chart(
    daily_bands: pd.DataFrame, scenarios: Sequence[str], series: Sequence[str] | None = None
) -> Figure:
    """Median and 10-90% band of daily series over time, one panel per series."""
    names = list(series or dict.fromkeys(daily_bands["series"]))
    colours = colour_map(scenarios)
    figure, axes = _grid(len(names))
    for axis, name in zip(axes, names, strict=True):
        for scenario in scenarios:
            rows = daily_bands[
                (daily_bands["series"] == name) & (daily_bands["scenario"] == scenario)
            ]
            if rows.empty:
                continue
            axis.fill_between(
                rows["day"],
                rows["p10"],
                rows["p90"],
                color=colours[scenario],
                alpha=0.18,
                linewidth=0,
            )
            axis.plot(rows["day"], rows["median"], color=colours[scenario], label=scenario, lw=1.4)
        axis.set_title(name.replace("_", " "), fontsize=10)
        axis.set_xlabel("day")
    axes[0].legend(fontsize=7, loc="best")
    figure.suptitle("Daily series: median and 10-90% band across replications", fontsize=11)
    figure.tight_layout()
    return figure


def distributions(
    summary: pd.DataFrame, outcomes: Sequence[str], scenarios: Sequence[str]
) -> Figure:
    """Box plots of each outcome across replications, one panel per outcome."""
    colours = colour_map(scenarios)
    figure, axes = _grid(len(outcomes))
    for axis, outcome in zip(axes, outcomes, strict=True):
        data = [
            summary.loc[summary["scenario"] == s, outcome].astype(float).dropna().to_numpy()
            for s in scenarios
        ]
        parts = axis.boxplot(
            data, whis=(10, 90), showfliers=True, patch_artist=True, flierprops={"markersize": 2}
        )
        for patch, scenario in zip(parts["boxes"], scenarios, strict=True):
            patch.set_facecolor(colours[scenario])
            patch.set_alpha(0.55)
        axis.set_xticks(
            range(1, len(scenarios) + 1),
            [_short(s) for s in scenarios],
            rotation=30,
            ha="right",
            fontsize=7,
        )
        info = outcome_info(outcome)
        axis.set_title(f"{info.label} [{info.unit}]" if info.unit else info.label, fontsize=9)
    figure.suptitle(
        "Outcomes across replications (boxes: quartiles; whiskers: 10-90%)", fontsize=11
    )
    figure.tight_layout()
    return figure


def _short(name: str, width: int = 28) -> str:
    return name if len(name) <= width else name[: width - 1] + "…"


def survival_plot(survival: pd.DataFrame, scenarios: Sequence[str]) -> Figure:
    """Kaplan-Meier curves of the ceasefire holding, with 95% bands."""
    colours = colour_map(scenarios)
    figure, axis = _subplots(figsize=(7.5, 4.2))
    for scenario in scenarios:
        rows = survival[survival["scenario"] == scenario]
        if rows.empty:
            continue
        axis.step(
            rows["time"],
            rows["survival"],
            where="post",
            color=colours[scenario],
            label=scenario,
            lw=1.6,
        )
        axis.fill_between(
            rows["time"],
            rows["ci_low"],
            rows["ci_high"],
            step="post",
            color=colours[scenario],
            alpha=0.12,
            linewidth=0,
        )
    axis.set_ylim(0, 1.02)
    axis.set_xlabel("day")
    axis.set_ylabel("share of runs with the ceasefire holding")
    axis.set_title("Ceasefire survival (Kaplan-Meier, censored at the horizon)", fontsize=11)
    axis.legend(fontsize=8)
    axis.grid(alpha=0.3)
    figure.tight_layout()
    return figure


def differences_plot(differences: pd.DataFrame, outcomes: Sequence[str], baseline: str) -> Figure:
    """Mean paired difference against the baseline with its bootstrap interval, per outcome.

    Green marks an improvement whose interval excludes zero, red a resolved deterioration,
    grey an unresolved difference.
    """
    figure, axes = _grid(len(outcomes))
    for axis, outcome in zip(axes, outcomes, strict=True):
        rows = differences[differences["outcome"] == outcome].reset_index(drop=True)
        for i, row in rows.iterrows():
            colour = _verdict_colour(row)
            axis.errorbar(
                row["mean_diff"],
                i,
                xerr=[[row["mean_diff"] - row["ci_low"]], [row["ci_high"] - row["mean_diff"]]],
                fmt="o",
                color=colour,
                capsize=3,
            )
        axis.axvline(0, color="black", lw=0.8)
        axis.set_yticks(range(len(rows)), [_short(s, 24) for s in rows["scenario"]], fontsize=7)
        axis.invert_yaxis()
        axis.set_title(outcome_info(outcome).label, fontsize=9)
    figure.suptitle(
        f"Paired differences from {baseline} (mean, 95% bootstrap interval)", fontsize=11
    )
    figure.tight_layout()
    return figure


def _verdict_colour(row: pd.Series) -> str:
    return VERDICT_COLOURS[difference_verdict(row)]


def sensitivity_plot(indices: pd.DataFrame) -> Figure:
    """Sobol (S1, ST) or Morris (mu_star, sigma) indices per factor, one panel per outcome."""
    outcomes = list(dict.fromkeys(indices["outcome"]))
    sobol = "ST" in indices.columns
    figure, axes = _grid(
        len(outcomes), columns=2, size=(6.0, 0.35 * indices["factor"].nunique() + 1.5)
    )
    for axis, outcome in zip(axes, outcomes, strict=True):
        rows = indices[indices["outcome"] == outcome].sort_values("ST" if sobol else "mu_star")
        y = np.arange(len(rows))
        if sobol:
            axis.barh(
                y - 0.2, rows["ST"], 0.4, xerr=rows["ST_conf"], label="total (ST)", color="#1b6ca8"
            )
            axis.barh(
                y + 0.2,
                rows["S1"],
                0.4,
                xerr=rows["S1_conf"],
                label="first order (S1)",
                color="#edae49",
            )
        else:
            axis.barh(
                y - 0.2,
                rows["mu_star"],
                0.4,
                xerr=rows["mu_star_conf"],
                label="mu*",
                color="#1b6ca8",
            )
            axis.barh(y + 0.2, rows["sigma"], 0.4, label="sigma", color="#edae49")
        axis.set_yticks(y, [_short(f, 40) for f in rows["factor"]], fontsize=7)
        axis.set_title(outcome_info(outcome).label, fontsize=9)
        axis.legend(fontsize=7)
    figure.suptitle("Global sensitivity of outcomes to assumptions", fontsize=11)
    figure.tight_layout()
    return figure


def prim_plot(result: PrimResult) -> Figure:
    """PRIM's peeling trajectory: coverage against density, the chosen box marked."""
    figure, axis = _subplots(figsize=(6.0, 4.2))
    trajectory = result.trajectory
    points = axis.scatter(
        trajectory["coverage"],
        trajectory["density"],
        c=trajectory["restricted"],
        cmap="viridis",
        s=18,
    )
    axis.plot(trajectory["coverage"], trajectory["density"], color="#999999", lw=0.6, zorder=0)
    axis.scatter(
        [result.chosen.coverage],
        [result.chosen.density],
        s=120,
        facecolors="none",
        edgecolors="#d1495b",
        linewidths=2,
        label="chosen box",
    )
    axis.axhline(result.base_density, color="#777777", ls="--", lw=0.8, label="share of all runs")
    figure.colorbar(points, ax=axis, label="inputs restricted")
    axis.set_xlabel("coverage (share of cases inside the box)")
    axis.set_ylabel("density (share of the box that are cases)")
    axis.set_xlim(0, 1.02)
    axis.set_ylim(0, 1.02)
    axis.legend(fontsize=8, loc="lower left")
    axis.set_title("Scenario discovery: PRIM peeling trajectory", fontsize=11)
    figure.tight_layout()
    return figure


def strip_by_group(table: pd.DataFrame, group: str, value: str, title: str, ylabel: str) -> Figure:
    """Points per group with a box behind them (e.g. design-point means per decision)."""
    groups = list(dict.fromkeys(table[group]))
    colours = colour_map(groups)
    figure, axis = _subplots(figsize=(7.5, 4.2))
    rng = np.random.default_rng(0)  # jitter only; fixed so figures are reproducible
    for i, name in enumerate(groups):
        values = table.loc[table[group] == name, value].astype(float).to_numpy()
        axis.boxplot([values], positions=[i], widths=0.5, showfliers=False)
        axis.scatter(
            i + rng.uniform(-0.15, 0.15, values.size), values, s=12, color=colours[name], alpha=0.7
        )
    axis.set_xticks(
        range(len(groups)), [_short(g, 30) for g in groups], rotation=20, ha="right", fontsize=8
    )
    axis.set_ylabel(ylabel)
    axis.set_title(title, fontsize=11)
    axis.grid(alpha=0.3, axis="y")
    figure.tight_layout()
    return figure
