"""The headline analysis: Hamas accepts or rejects x Turkey included or vetoed, and how robust.

Three steps, each stored in its own resumable experiment folder:

1. **Compare** the four corners of the 2x2 (and the base plan) with common random numbers.
2. **Robustness**: a nearly orthogonal Latin hypercube over the most consequential assumption
   ranges, crossed with the four corners (data farming's decision x noise crossing), asking
   in how much of the assumption space each corner's ranking holds.
3. **Discovery**: PRIM on the robustness runs: which assumptions make an early collapse of the
   ceasefire likely?

Example:
    >>> result = run_headline(HeadlineSettings(reps=30))  # doctest: +SKIP
    >>> result.paths  # doctest: +SKIP
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis import figures
from sim.analysis.compare import Comparison, compare_results
from sim.analysis.discovery import Condition, Discovery, discover
from sim.analysis.outcomes import is_better, outcome_info
from sim.analysis.report import (
    Block,
    bullets,
    comparison_blocks,
    figure,
    fmt_number,
    heading,
    table,
    text,
    write_blocks,
)
from sim.experiments import ExperimentResult, run_experiment
from sim.experiments.designs import crossed_design
from sim.experiments.runner import ProgressCallback
from sim.experiments.tasks import ModelFn
from sim.scenario.loader import SCENARIOS_DIR, load_scenario
from sim.scenario.names import HEADLINE_2X2

CORNERS = list(HEADLINE_2X2)
UNCERTAIN_FACTORS = [
    "hamas.attack_rate",
    "other_armed_groups.attack_rate",
    "idf.strike_probability",
    "effects.base_relapse_hazard_per_year",
    "effects.strain_hazard_multiplier",
    "effects.incidents_per_day_strain",
    "forces.contributors.indonesia.commitment",
    "forces.contributors.egypt.commitment",
    "ground.legitimacy.isf_arab_muslim",
    "aid.seizure_probability_insecure",
    "forces.police.trainees_per_month",
]
"""Eleven assumptions: the largest NOLH of 33 runs."""

ROBUSTNESS_OUTCOMES = ["civilian_deaths", "secure_population_share_mean", "contributors_withdrawn"]


@dataclass
class HeadlineSettings:
    """Sizes and places of the headline analysis (defaults: a few minutes on 2 cores)."""

    reps: int = 30
    design_reps: int = 2
    seed: int = 20251010
    factors: list[str] = field(default_factory=lambda: list(UNCERTAIN_FACTORS))
    collapse_day: int = 180
    include_base: bool = True
    results_dir: Path = Path("results/headline")
    report_dir: Path = Path("reports")
    executor: str = "pool"
    workers: int | None = None
    scenarios_dir: Path = SCENARIOS_DIR
    fresh: bool = False
    """Delete earlier results first (needed after the scenarios or the code changed)."""


@dataclass
class HeadlineResult:
    """What the headline produced."""

    comparison: Comparison
    robustness: pd.DataFrame
    discovery: Discovery | None
    experiments: list[ExperimentResult]
    paths: list[Path]


def run_headline(
    settings: HeadlineSettings | None = None,
    *,
    model: ModelFn | None = None,
    progress: ProgressCallback | None = None,
    announce: Any = None,
) -> HeadlineResult:
    """Run (or resume) the three experiments and write ``headline.md`` and ``headline.html``."""
    settings = settings or HeadlineSettings()
    say = announce or (lambda message: None)
    if settings.fresh:
        for step in ("compare", "robustness"):
            shutil.rmtree(settings.results_dir / step, ignore_errors=True)
    corners = [load_scenario(settings.scenarios_dir / f"{name}.yaml") for name in CORNERS]
    scenarios = list(corners)
    if settings.include_base:
        scenarios.append(load_scenario(settings.scenarios_dir / "base.yaml"))
    common: dict[str, Any] = {
        "seed": settings.seed,
        "executor": settings.executor,
        "workers": settings.workers,
        "model": model,
        "progress_callback": progress,
    }
    say(f"1/3 comparing {len(scenarios)} scenarios x {settings.reps} replications")
    compared = run_experiment(
        scenarios, settings.reps, out_dir=settings.results_dir / "compare", daily=True, **common
    )
    design = crossed_design(corners, settings.factors)
    say(
        f"2/3 robustness: {len(design.variants)} design points x {settings.design_reps} "
        "replications"
    )
    robust = run_experiment(
        design.variants,
        settings.design_reps,
        design=design,
        out_dir=settings.results_dir / "robustness",
        **common,
    )
    say("3/3 scenario discovery and report")
    comparison = compare_results(compared, baseline=CORNERS[0])
    robustness = robustness_table(robust, settings.collapse_day)
    found = discover_collapse(robust, settings.collapse_day)
    comparison.extras.update(headline_extras(comparison, robust, robustness, found, settings))
    settings.report_dir.mkdir(parents=True, exist_ok=True)
    blocks = comparison_blocks(comparison)
    paths = write_blocks(blocks, settings.report_dir / "headline.md", "md")
    paths += write_blocks(blocks, settings.report_dir / "headline.html", "html")
    return HeadlineResult(comparison, robustness, found, [compared, robust], paths)


def point_means(result: ExperimentResult, collapse_day: int) -> pd.DataFrame:
    """Per design point: its decision and the mean outcomes over its replications."""
    if result.design is None:
        raise ValueError("the robustness experiment has no design table")
    runs = result.summary.assign(
        early_collapse=(
            result.summary["ceasefire_collapsed"].astype(bool)
            & (result.summary["days_to_collapse"] < collapse_day)
        ).astype(float)
    )
    present = [o for o in ROBUSTNESS_OUTCOMES if o in runs.columns]
    means = runs.groupby("scenario")[["early_collapse", *present]].mean()
    joined = result.design[["scenario", "decision"]].merge(
        means, left_on="scenario", right_index=True
    )
    joined["case"] = joined["scenario"].str.rsplit("--p", n=1).str[-1].astype(int)
    return joined


def robustness_table(result: ExperimentResult, collapse_day: int) -> pd.DataFrame:
    """Per decision and outcome: spread across design points, and how often it beats the baseline.

    ``better_share`` and ``worse_share`` are the shares of design points (the same assumptions
    for both) at which the decision's mean outcome is better or worse than the baseline
    corner's; the rest are ties.
    """
    means = point_means(result, collapse_day)
    outcomes = ["early_collapse", *[o for o in ROBUSTNESS_OUTCOMES if o in means.columns]]
    wide = {o: means.pivot(index="case", columns="decision", values=o) for o in outcomes}
    rows = []
    for decision in CORNERS:
        for outcome in outcomes:
            values = wide[outcome][decision].dropna()
            better = "lower" if outcome == "early_collapse" else outcome_info(outcome).better
            diff = (wide[outcome][decision] - wide[outcome][CORNERS[0]]).dropna()
            wins = diff.map(lambda d, b=better: is_better(d, b) is True)
            losses = diff.map(lambda d, b=better: is_better(-d, b) is True)
            versus = decision != CORNERS[0]
            rows.append(
                {
                    "decision": decision,
                    "outcome": outcome,
                    "median": float(values.median()),
                    "p10": float(values.quantile(0.1)),
                    "p90": float(values.quantile(0.9)),
                    "points": int(values.size),
                    "better_share": float(wins.mean()) if versus else np.nan,
                    "worse_share": float(losses.mean()) if versus else np.nan,
                }
            )
    return pd.DataFrame(rows)


def discover_collapse(result: ExperimentResult, collapse_day: int) -> Discovery | None:
    """PRIM on early collapse, with the two decisions as 0/1 inputs beside the assumptions."""
    if result.design is None or result.summary.empty:
        return None
    design = result.design.copy()
    design["hamas_rejects"] = design["decision"].str.contains("hamas-rejects").astype(float)
    design["turkey_vetoed"] = design["decision"].str.contains("turkey-vetoed").astype(float)
    augmented = replace(result, design=design.drop(columns="decision"))
    condition = Condition(
        f"collapse before day {collapse_day}", "days_to_collapse", "<", float(collapse_day)
    )
    cases = condition.evaluate(result.summary)
    if not cases.any() or cases.all():
        return None
    return discover(augmented, condition)


def headline_extras(
    comparison: Comparison,
    robust: ExperimentResult,
    robustness: pd.DataFrame,
    found: Discovery | None,
    settings: HeadlineSettings,
) -> dict[str, Any]:
    """Title, key findings, and the robustness and discovery sections of the report."""
    factors = ", ".join(settings.factors)
    per_decision = len(robust.design) // len(CORNERS) if robust.design is not None else 0
    intro = [
        "How do the first year's outcomes differ if Hamas accepts or rejects disarmament, and "
        "if Israel's veto keeps Turkish troops out of the force or not? And does the answer "
        "survive the assumptions that no source pins down?",
        f"Setup: the four corners of the 2x2 (baseline {CORNERS[0]})"
        + (" and the base plan" if settings.include_base else "")
        + f", {settings.reps} replications each with common random numbers; then a nearly "
        f"orthogonal Latin hypercube of {per_decision} "
        f"points over {len(settings.factors)} assumption ranges, crossed with the four corners, "
        f"{settings.design_reps} replications per point.",
        "Regenerate with: isf-lab headline "
        f"--reps {settings.reps} --design-reps {settings.design_reps} --seed {settings.seed}",
    ]
    means = point_means(robust, settings.collapse_day)
    sections = robustness_blocks(robustness, means, factors, settings) + discovery_blocks(found)
    return {
        "title": "Headline: Hamas's answer and Turkey's place in the force",
        "intro": intro,
        "findings": key_findings(comparison),
        "sections": sections,
    }


def key_findings(comparison: Comparison) -> list[str]:
    """A few sentences read off the tables (numbers only; no judgement added)."""
    lines = collapse_findings(comparison)
    brief = comparison.survival_summary.set_index("scenario")
    for scenario in comparison.scenarios:
        if scenario in brief.index:
            row = brief.loc[scenario]
            lines.append(
                f"{scenario}: ceasefire holding at day 180 in "
                f"{row['holding_day_180']:.0%} of runs, at the horizon in "
                f"{row['holding_at_horizon']:.0%}."
            )
    diffs = comparison.differences
    for outcome in ("civilian_deaths", "secure_population_share_mean"):
        for _, d in diffs[(diffs["outcome"] == outcome) & diffs["resolved"]].iterrows():
            lines.append(
                f"{d['scenario']} vs {comparison.baseline}: "
                f"{outcome_info(outcome).label.lower()} {_signed(d['mean_diff'])} on average "
                f"(95% CI {fmt_number(d['ci_low'])} to {fmt_number(d['ci_high'])})."
            )
    return lines


def robustness_blocks(
    robustness: pd.DataFrame, means: pd.DataFrame, factors: str, settings: HeadlineSettings
) -> list[Block]:
    """The robustness section: spread across the assumption space and ranking stability."""
    shown = robustness.copy()
    shown["outcome"] = shown["outcome"].map(
        lambda o: (
            f"collapse before day {settings.collapse_day}"
            if o == "early_collapse"
            else outcome_info(o).label
        )
    )
    shown["median [p10, p90]"] = [
        f"{m:.3g} [{a:.3g}, {b:.3g}]"
        for m, a, b in zip(shown["median"], shown["p10"], shown["p90"], strict=True)
    ]
    shown["vs baseline: better / tied / worse"] = [
        "–" if pd.isna(b) else f"{b:.0%} / {1 - b - w:.0%} / {w:.0%}"
        for b, w in zip(shown["better_share"], shown["worse_share"], strict=True)
    ]
    columns = [
        "decision",
        "outcome",
        "median [p10, p90]",
        "vs baseline: better / tied / worse",
        "points",
    ]
    collapse = means[["decision", "early_collapse"]].rename(columns={"early_collapse": "value"})
    return [
        heading("Robustness across the assumption space"),
        text(
            f"Each design point fixes the uncertain assumptions ({factors}) at one combination "
            "of values within their declared ranges; every corner is run at every point with the "
            "same seeds. The table gives each corner's point means across the design and the "
            f"shares of points at which it does better than, as well as, or worse than "
            f"{CORNERS[0]} on the same assumptions."
        ),
        table(shown[columns]),
        figure(
            "robustness",
            lambda: figures.strip_by_group(
                collapse,
                "decision",
                "value",
                f"Share of runs collapsing before day {settings.collapse_day}, per design point",
                "share of runs",
            ),
            "Each dot is one design point (one combination of assumptions).",
        ),
    ]


def discovery_blocks(found: Discovery | None) -> list[Block]:
    """The scenario-discovery section."""
    if found is None:
        return [
            heading("Which assumptions make an early collapse likely?"),
            text("No discovery: early collapse happened in none or all of the design runs."),
        ]
    box = found.prim.chosen
    rows = [
        {
            "input": name,
            "low": _limit(box.limits[name][0]),
            "high": _limit(box.limits[name][1]),
            "design range": f"{found.inputs[name].min():.3g} – {found.inputs[name].max():.3g}",
        }
        for name in box.restricted
    ]
    rules = [
        f"{leaf.rule}: {leaf.cases} of {leaf.runs} runs ({leaf.density:.0%})"
        for leaf in found.rules[:4]
    ]
    return [
        heading("Which assumptions make an early collapse likely?"),
        text(
            f"PRIM over the design runs, the case being '{found.condition.text}' "
            f"({found.prim.cases} of {found.prim.runs} runs, {found.prim.base_density:.0%}). "
            f"The chosen box holds {box.mass:.0%} of the runs; {box.density:.0%} of them are "
            f"cases (density) and it catches {box.coverage:.0%} of all cases (coverage). "
            "hamas_rejects and turkey_vetoed are the decisions coded 0/1."
        ),
        table(pd.DataFrame(rows)),
        figure(
            "prim",
            lambda: figures.prim_plot(found.prim),
            "Each point is a box along PRIM's peeling; the circle is the chosen one.",
        ),
        text("A shallow classification tree gives the densest rules:"),
        bullets(rules),
    ]


def _signed(value: float) -> str:
    return ("+" if value > 0 else "") + fmt_number(float(value))


def _limit(value: float) -> str:
    return "–" if not np.isfinite(value) else f"{value:.3g}"


def collapse_findings(comparison: Comparison) -> list[str]:
    """One line per scenario: P(collapse) with its interval and deaths by regime."""
    lines = []
    conditional = comparison.conditional
    for row in comparison.collapse.itertuples(index=False):
        line = (
            f"{row.scenario}: ceasefire collapsed in {row.collapses} of {row.runs} runs, "
            f"P(collapse) {row.p_collapse:.0%} (95% interval {row.ci_low:.0%}-{row.ci_high:.0%})"
        )
        deaths = conditional[
            (conditional["scenario"] == row.scenario)
            & (conditional["outcome"] == "civilian_deaths")
            & (conditional["n"] > 0)
        ]
        if len(deaths):
            line += "; civilian deaths " + ", ".join(
                f"{d.regime} {fmt_number(d.median)} [{fmt_number(d.p10)}, {fmt_number(d.p90)}]"
                for d in deaths.itertuples(index=False)
            )
        lines.append(line + ".")
    return lines
