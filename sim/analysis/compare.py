"""Compare scenarios: bands, paired differences against a baseline, survival, daily fans.

Example:
    >>> from sim.experiments import load_results
    >>> comparison = compare_results(load_results("results/headline"))  # doctest: +SKIP
    >>> comparison.differences.query("outcome == 'civilian_deaths'")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.outcomes import outcome_columns
from sim.analysis.stats import outcome_matrix, paired_differences, scenario_bands
from sim.analysis.survival import (
    EVENT_COLUMN,
    TIME_COLUMN,
    collapse_probability,
    survival_by_scenario,
    survival_summary,
)
from sim.experiments.runner import ExperimentResult

MIN_REPLICATIONS = 10
"""Below this many replications per scenario, bands and intervals are flagged as unreliable."""

DAILY_FAN_SERIES = [
    "incidents",
    "civilian_deaths",
    "isf_troops",
    "secure_population_share",
    "aid_delivered_share",
    "legitimacy",
    "idf_held_share",
    "ceasefire_status",
]


@dataclass
class Comparison:
    """Everything a comparison report shows, as tidy tables.

    Attributes:
        scenarios: Scenario names (baseline first).
        baseline: The scenario others are compared against.
        outcomes: Outcomes compared.
        bands: ``scenario, outcome, n, mean, median, p10, p90``.
        differences: Paired differences against the baseline (see ``paired_differences``).
        survival: Kaplan-Meier steps per scenario (empty without collapse outcomes).
        survival_summary: Per scenario: collapses, median days, share holding at checkpoints.
        daily_bands: ``scenario, series, day, median, p10, p90`` (when daily series exist).
        warnings: Things the reader must know (too few replications, failures, interruptions).
        summary: The per-run table compared.
        manifest: The experiment's manifest (for provenance in reports).
        extras: Optional sections added by callers (``sensitivity``, ``discovery``, ``title``).
        collapse: Per scenario: P(collapse) with its 95% Jeffreys interval.
        conditional: Outcomes conditional on the ceasefire holding or collapsed
            (see :func:`conditional_bands`).
    """

    scenarios: list[str]
    baseline: str
    outcomes: list[str]
    bands: pd.DataFrame
    differences: pd.DataFrame
    survival: pd.DataFrame
    survival_summary: pd.DataFrame
    daily_bands: pd.DataFrame | None
    warnings: list[str]
    summary: pd.DataFrame
    manifest: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)
    collapse: pd.DataFrame = field(default_factory=pd.DataFrame)
    conditional: pd.DataFrame = field(default_factory=pd.DataFrame)

    def table(self) -> pd.DataFrame:
        """One row per scenario and outcome: bands joined with the differences (for CSV)."""
        columns = [
            "scenario",
            "outcome",
            "better",
            "n_pairs",
            "mean_diff",
            "ci_low",
            "ci_high",
            "p_better",
            "reps_needed",
            "resolved",
        ]
        return self.bands.merge(self.differences[columns], on=["scenario", "outcome"], how="left")


def compare_results(
    results: ExperimentResult | pd.DataFrame,
    baseline: str | None = None,
    outcomes: Sequence[str] | None = None,
    *,
    resamples: int = 2000,
    seed: int = 0,
    daily_series: Sequence[str] | None = None,
) -> Comparison:
    """Compare the scenarios of an experiment against a baseline.

    Args:
        results: An experiment (or its summary table).
        baseline: Scenario to compare against (default: the first scenario).
        outcomes: Outcomes to compare (default: every outcome column).
        resamples: Bootstrap resamples for the intervals.
        seed: Seed of the bootstrap.
        daily_series: Daily series to fan (default: a standard set, those present).

    Raises:
        ValueError: If the table is empty or the baseline unknown.
    """
    summary, daily, manifest, warnings = _unpack(results)
    if summary.empty:
        raise ValueError("no finished runs to compare")
    scenarios = list(dict.fromkeys(summary["scenario"]))
    baseline = baseline or scenarios[0]
    if baseline not in scenarios:
        raise ValueError(f"baseline {baseline!r} not found; scenarios: {', '.join(scenarios)}")
    scenarios = [baseline, *[s for s in scenarios if s != baseline]]
    chosen = list(outcomes) if outcomes else outcome_columns(summary)
    _check_outcomes(summary, chosen)
    has_survival = {TIME_COLUMN, EVENT_COLUMN} <= set(summary.columns)
    comparison = Comparison(
        scenarios=scenarios,
        baseline=baseline,
        outcomes=chosen,
        bands=scenario_bands(summary, chosen),
        differences=paired_differences(summary, baseline, chosen, resamples=resamples, seed=seed),
        survival=survival_by_scenario(summary) if has_survival else pd.DataFrame(),
        survival_summary=survival_summary(summary) if has_survival else pd.DataFrame(),
        daily_bands=daily_bands(daily, daily_series) if daily is not None else None,
        warnings=warnings + replication_warnings(summary, baseline),
        summary=summary,
        manifest=manifest,
        collapse=collapse_probability(summary) if has_survival else pd.DataFrame(),
        conditional=conditional_bands(summary, chosen),
    )
    _add_political(comparison, results)
    return comparison


def _add_political(comparison: Comparison, results: ExperimentResult | pd.DataFrame) -> None:
    """Actor positions and deals (``extras["positions"]``), when the runs stored them."""
    if not isinstance(results, ExperimentResult):
        return
    from sim.experiments.positions import load_positions

    positions = load_positions(results.out_dir)
    if positions is not None and not positions.empty:
        comparison.extras["positions"] = positions


def _unpack(
    results: ExperimentResult | pd.DataFrame,
) -> tuple[pd.DataFrame, pd.DataFrame | None, dict[str, Any], list[str]]:
    if isinstance(results, pd.DataFrame):
        return results, None, {}, []
    warnings = []
    if results.failures:
        warnings.append(f"{len(results.failures)} runs failed and are left out (see manifest.json)")
    if results.interrupted:
        warnings.append("the experiment was interrupted; rerun it to complete the missing runs")
    return results.summary, results.daily, results.manifest, warnings


def _check_outcomes(summary: pd.DataFrame, outcomes: Sequence[str]) -> None:
    unknown = [o for o in outcomes if o not in summary.columns]
    if unknown:
        raise ValueError(
            f"unknown outcomes {unknown}; available: {', '.join(outcome_columns(summary))}"
        )


def replication_warnings(summary: pd.DataFrame, baseline: str) -> list[str]:
    """Warnings about replication counts: too few, or unequal across scenarios."""
    counts = summary.groupby("scenario")["replication"].nunique()
    warnings = []
    fewest = int(counts.min())
    if fewest < MIN_REPLICATIONS:
        warnings.append(
            f"only {fewest} replications for some scenarios: bands and intervals are rough "
            f"(use at least {MIN_REPLICATIONS}, ideally 30+)"
        )
    if counts.nunique() > 1:
        warnings.append(
            "scenarios have unequal replication counts; differences use shared replications only"
        )
    return warnings


FLOW_SERIES = {
    "incidents",
    "civilian_deaths",
    "isf_deaths",
    "police_deaths",
    "idf_deaths",
    "attacks_on_isf",
    "attacks_on_police",
    "attacks_on_idf",
    "strikes",
    "reprisals",
}
"""Daily counts, shown as 7-day rolling means: single days are mostly zeros and ones."""


def daily_bands(
    daily: pd.DataFrame, series: Sequence[str] | None = None, smooth_days: int = 7
) -> pd.DataFrame:
    """Median and 10-90% band of daily series per scenario and day (tidy).

    Daily counts (``FLOW_SERIES``) are first averaged over a trailing window of
    ``smooth_days`` within each run, so the band shows the rate rather than day-to-day noise.
    """
    names = [s for s in (series or DAILY_FAN_SERIES) if s in daily.columns]
    if not names:
        return pd.DataFrame(columns=["scenario", "series", "day", "median", "p10", "p90"])
    daily = daily.sort_values(["scenario", "replication", "day"])
    flows = [n for n in names if n in FLOW_SERIES]
    if flows and smooth_days > 1:
        daily = daily.copy()
        runs = daily.groupby(["scenario", "replication"], sort=False)[flows]
        daily[flows] = runs.transform(lambda s: s.rolling(smooth_days, min_periods=1).mean())
    grouped = daily.groupby(["scenario", "day"], sort=False)[names]
    parts = []
    for label, q in (("p10", 0.1), ("median", 0.5), ("p90", 0.9)):
        stacked = grouped.quantile(q).stack().rename(label)
        parts.append(stacked)
    table = pd.concat(parts, axis=1).reset_index()
    table.columns = ["scenario", "day", "series", "p10", "median", "p90"]
    table["day"] = table["day"].astype(np.int64)
    return table[["scenario", "series", "day", "median", "p10", "p90"]]


REGIMES = {False: "holding", True: "collapsed"}
"""Run regimes by the collapse flag (``ceasefire_collapsed``) at the horizon."""


def conditional_bands(summary: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """Outcomes conditional on the ceasefire holding or collapsing, per scenario.

    Returns:
        ``scenario, outcome, regime, n, share, median, p10, p90`` (``share`` is the regime's
        share of the scenario's runs); empty without a collapse column.
    """
    columns = ["scenario", "outcome", "regime", "n", "share", "median", "p10", "p90"]
    if EVENT_COLUMN not in summary.columns:
        return pd.DataFrame(columns=columns)
    chosen = [o for o in outcomes if o in summary.columns and o not in (EVENT_COLUMN,)]
    matrix = outcome_matrix(summary, chosen)
    scenario_of = summary["scenario"].to_numpy()
    collapsed_runs = summary[EVENT_COLUMN].astype(bool).to_numpy()
    rows = []
    for scenario in dict.fromkeys(summary["scenario"].dropna()):  # in order of first rows
        mine = scenario_of == scenario
        runs = int(mine.sum())
        for collapsed, regime in REGIMES.items():
            part = matrix[mine & (collapsed_runs == collapsed)]
            for column, outcome in enumerate(chosen):
                values = part[:, column]
                quantiles = np.quantile(values, [0.5, 0.1, 0.9]) if values.size else [np.nan] * 3
                rows.append(
                    {
                        "scenario": scenario,
                        "outcome": outcome,
                        "regime": regime,
                        "n": int(values.size),
                        "share": values.size / runs,
                        "median": float(quantiles[0]),
                        "p10": float(quantiles[1]),
                        "p90": float(quantiles[2]),
                    }
                )
    return pd.DataFrame(rows, columns=columns)
