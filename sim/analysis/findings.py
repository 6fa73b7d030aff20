"""Findings in words, computed from a comparison: tails, identical results, what matters most.

Nothing here is written in advance: every sentence is built from the runs of the scenarios
compared, so it changes when the model, the scenarios or the number of replications do.

* :func:`tails` splits each scenario's runs by the fate of the ceasefire (held or collapsed):
  the chance of a collapse and the outcome's median in each group.
* :func:`bimodal_warnings` flags outcomes whose runs split into two fates, where a median alone
  misleads (e.g. a median of 141 deaths while a tenth of runs exceed 18,000).
* :func:`identical_groups` finds scenarios whose runs are identical, run by run (their curves
  draw on top of each other).
* :func:`what_matters` ranks the differences between the compared scenarios and, when the
  four corners of the headline 2x2 are among them, the effect of each decision given the other.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.compare import Comparison
from sim.analysis.outcomes import difference_verdict, is_better, outcome_info
from sim.scenario.names import HEADLINE_2X2

COLLAPSED = "ceasefire_collapsed"
MIN_GROUP_SHARE = 0.05
"""A fate (held or collapsed) counts as a mode when at least this share of runs has it."""
MODE_RATIO = 5.0
"""Two modes differ enough to warn when one group's median is this many times the other's."""
TAIL_RATIO = 20.0
"""Or when the 90th percentile is this many times the median (a heavy upper tail)."""
KEY_OUTCOMES = ("ceasefire_collapsed", "civilian_deaths", "secure_population_share_mean")
"""The outcomes the summary of what matters most speaks about first."""


@dataclass(frozen=True)
class Tail:
    """One scenario's runs split by the fate of the ceasefire."""

    scenario: str
    runs: int
    p_collapse: float
    median: float
    p90: float
    median_held: float | None
    median_collapsed: float | None

    @property
    def bimodal(self) -> bool:
        """Whether the runs split into two clearly different fates, or have a heavy tail."""
        held, collapsed = self.median_held, self.median_collapsed
        both = MIN_GROUP_SHARE <= self.p_collapse <= 1 - MIN_GROUP_SHARE
        if both and held is not None and collapsed is not None:
            low, high = sorted((abs(held), abs(collapsed)))
            if high >= MODE_RATIO * max(low, 1.0):
                return True
        return self.p90 >= TAIL_RATIO * max(abs(self.median), 1.0)


def tails(summary: pd.DataFrame, outcome: str, scenarios: Sequence[str]) -> list[Tail]:
    """Each scenario's chance of a collapse and the outcome's medians by fate."""
    found = []
    for scenario in scenarios:
        rows = summary[summary["scenario"] == scenario]
        if rows.empty or outcome not in rows:
            continue
        values = rows[outcome].astype(float)
        if COLLAPSED in rows:
            collapsed = rows[COLLAPSED].astype(bool)
        else:
            collapsed = pd.Series(False, index=rows.index)
        found.append(
            Tail(
                scenario,
                len(rows),
                float(collapsed.mean()),
                float(values.median()),
                float(values.quantile(0.9)),
                _median(values[~collapsed]),
                _median(values[collapsed]),
            )
        )
    return found


def _median(values: pd.Series) -> float | None:
    return float(values.median()) if len(values) else None


def tails_table(summary: pd.DataFrame, outcome: str, scenarios: Sequence[str]) -> pd.DataFrame:
    """A readable table of :func:`tails`."""
    info = outcome_info(outcome)
    rows = []
    for tail in tails(summary, outcome, scenarios):
        rows.append(
            {
                "scenario": tail.scenario,
                "P(ceasefire collapses)": f"{100 * tail.p_collapse:.0f}%",
                "median, all runs": info.format(tail.median),
                "top 10% of runs above": info.format(tail.p90),
                "median if it holds": info.format(tail.median_held),
                "median if it collapses": info.format(tail.median_collapsed),
            }
        )
    return pd.DataFrame(rows)


def bimodal_warnings(
    summary: pd.DataFrame, scenarios: Sequence[str], outcomes: Sequence[str] = KEY_OUTCOMES
) -> list[str]:
    """One sentence per scenario and outcome whose runs split into two fates."""
    lines = []
    for outcome in outcomes:
        if outcome == COLLAPSED or outcome not in summary:
            continue
        info = outcome_info(outcome)
        for tail in tails(summary, outcome, scenarios):
            if not tail.bimodal:
                continue
            text = (
                f"{info.label} in {tail.scenario} is split: median {info.format(tail.median)}, "
                f"but the top 10% of runs exceed {info.format(tail.p90)}."
            )
            if tail.median_held is not None and tail.median_collapsed is not None:
                text += (
                    f" The ceasefire collapses in {100 * tail.p_collapse:.0f}% of runs "
                    f"(median {info.format(tail.median_collapsed)}); where it holds the median "
                    f"is {info.format(tail.median_held)}. Read the tails, not the median alone."
                )
            lines.append(text)
    return lines


def identical_groups(summary: pd.DataFrame, scenarios: Sequence[str]) -> list[list[str]]:
    """Groups of two or more scenarios whose runs are identical, replication by replication."""
    columns = [c for c in summary.columns if outcome_info(c).better is not None]
    fingerprints: dict[bytes, list[str]] = {}
    for scenario in scenarios:
        rows = summary[summary["scenario"] == scenario].sort_values("replication")
        if rows.empty:
            continue
        table = rows[["replication", *columns]].astype(float).to_numpy()
        fingerprints.setdefault(np.round(table, 9).tobytes(), []).append(scenario)
    return [group for group in fingerprints.values() if len(group) > 1]


def identical_lines(summary: pd.DataFrame, scenarios: Sequence[str]) -> list[str]:
    """Sentences naming scenarios that gave identical runs."""
    return [
        f"{_names(group)} gave identical runs: what distinguishes them made no difference here, "
        "and their curves lie on top of each other."
        for group in identical_groups(summary, scenarios)
    ]


def _names(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _centre(comparison: Comparison, scenario: str, outcome: str) -> float | None:
    bands = comparison.bands
    row = bands[(bands["scenario"] == scenario) & (bands["outcome"] == outcome)]
    if row.empty:
        return None
    return float(row["mean" if outcome == COLLAPSED else "median"].iloc[0])


def what_matters(comparison: Comparison, limit: int = 6) -> list[str]:
    """What matters most between the compared scenarios, in plain words (computed)."""
    lines = _extremes(comparison)
    lines += decision_effects(comparison)
    lines += _largest_differences(comparison, limit=3)
    lines += identical_lines(comparison.summary, comparison.scenarios)
    return lines[:limit] if limit else lines


def _extremes(comparison: Comparison) -> list[str]:
    """The best and worst scenario on the chance of a collapse and on civilian deaths."""
    lines = []
    for outcome in ("ceasefire_collapsed", "civilian_deaths"):
        values = {
            s: v for s in comparison.scenarios if (v := _centre(comparison, s, outcome)) is not None
        }
        if len(values) < 2:
            continue
        info = outcome_info(outcome)
        ranked = sorted(values, key=values.__getitem__)
        best, worst = ranked[0], ranked[-1]
        if info.better == "higher":
            best, worst = worst, best
        if math.isclose(values[best], values[worst]):
            lines.append(f"{info.label}: the same in every scenario ({info.format(values[best])}).")
            continue
        what = "share of runs" if outcome == COLLAPSED else "median"
        lines.append(
            f"{info.label} ({what}) ranges from {info.format(values[best])} in {best} to "
            f"{info.format(values[worst])} in {worst}."
        )
    return lines


def _largest_differences(comparison: Comparison, limit: int) -> list[str]:
    """The clearest paired differences against the baseline (resolved, largest effect size)."""
    diffs = comparison.differences
    if diffs.empty:
        return []
    spread = comparison.summary.groupby("scenario").std(numeric_only=True)
    rows = []
    for _, row in diffs.iterrows():
        outcome = str(row["outcome"])
        if difference_verdict(row) == "unclear" or outcome not in spread.columns:
            continue
        scale = float(spread[outcome].max()) or 1.0
        rows.append((abs(float(row["mean_diff"])) / scale, row))
    rows.sort(key=lambda item: item[0], reverse=True)
    lines = []
    for _, row in rows[:limit]:
        info = outcome_info(str(row["outcome"]))
        word = difference_verdict(row)
        lines.append(
            f"Clearest difference: {info.label} is {word} in {row['scenario']} than in "
            f"{comparison.baseline} by {info.format_change(float(row['mean_diff']))} on average, "
            f"paired run by run (better in {100 * float(row['p_better']):.0f}% of pairs)."
        )
    return lines


def decision_effects(comparison: Comparison, outcome: str = COLLAPSED) -> list[str]:
    """With the whole 2x2 compared: each decision's effect given the other (an interaction)."""
    corners = dict(zip(("ai", "av", "ri", "rv"), HEADLINE_2X2, strict=True))
    values = {key: _centre(comparison, name, outcome) for key, name in corners.items()}
    if any(v is None for v in values.values()):
        return []
    v = {key: float(value) for key, value in values.items() if value is not None}
    info = outcome_info(outcome)
    what = "the share of runs whose ceasefire collapses" if outcome == COLLAPSED else info.label
    hamas = {"included": v["ri"] - v["ai"], "vetoed": v["rv"] - v["av"]}
    turkey = {"accepts": v["av"] - v["ai"], "rejects": v["rv"] - v["ri"]}
    lines = [
        f"Hamas rejecting instead of accepting changes {what} by "
        f"{info.format_change(hamas['included'])} with Turkey included and "
        f"{info.format_change(hamas['vetoed'])} with Turkey vetoed."
    ]
    text = (
        f"Keeping Turkey out changes it by {info.format_change(turkey['accepts'])} when Hamas "
        f"accepts and {info.format_change(turkey['rejects'])} when Hamas rejects"
    )
    biggest_turkey = max(abs(x) for x in turkey.values())
    biggest_hamas = max(abs(x) for x in hamas.values())
    if biggest_hamas > 0 and biggest_turkey < 0.2 * biggest_hamas:
        text += ": Turkey's place matters little beside Hamas's answer."
    elif abs(turkey["rejects"]) < 0.2 * max(abs(turkey["accepts"]), 1e-12):
        text += ": Turkey's place barely matters once Hamas rejects."
    else:
        text += "."
    lines.append(text)
    better_corner = (
        min(v, key=v.__getitem__) if info.better == "lower" else max(v, key=v.__getitem__)
    )
    if is_better(v[better_corner] - v["ai"], info.better):
        lines.append(f"Lowest risk among the corners: {corners[better_corner]}.")
    return lines
