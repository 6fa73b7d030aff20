"""Plain-words explanations: what changed between two scenarios, and how the outcomes moved.

The sentences follow the model's causal chain: the inputs that differ; the political forecast
the bargaining layer settles on; the force and control on the ground; then the outcomes people
care about. Each outcome sentence gives both medians and the share of paired runs (same seed)
in which the scenario did better, and says when the difference is within the noise.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from sim.analysis.compare import Comparison
from sim.analysis.outcomes import format_value, outcome_info
from sim.experiments.app_runs import BargainingRun
from sim.scenario.editing import Change

PATH_LABELS = {
    "hamas.stance": "Hamas's answer on disarmament",
    "bargaining.vetoes.israel_turkey.enforced": "Israel's veto keeps Turkish troops out",
    "bargaining.vetoes.hamas_red_line.enforced": "Hamas's red line on its weapons holds",
    "hamas.consent_decommission_rate": "weapons Hamas hands in per day where it consents",
    "mandate.coercive_disarmament": "the force may disarm by force",
    "mandate.rules_of_engagement": "rules of engagement",
    "mandate.resolution": "Security Council resolution",
    "idf.strike_policy": "the IDF's answer to attacks",
    "idf.fallback_zone": "the IDF secures a southern zone first",
    "aid.trucks_per_day": "aid trucks per day",
    "aid.convoy_escort": "the force escorts aid convoys",
}

POLITICS = [
    "forecast_hamas_disarmament_final",
    "forecast_mandate_robustness_final",
    "forecast_turkish_participation_final",
    "forecast_idf_withdrawal_final",
    "forecast_palestinian_governance_final",
]
GROUND = [
    "peak_isf_troops",
    "contributors_withdrawn",
    "secure_population_share_mean",
    "weapons_decommissioned_share",
    "legitimacy_mean",
    "idf_held_share_final",
]
OUTCOMES = [
    "ceasefire_collapsed",
    "days_to_collapse",
    "incidents",
    "civilian_deaths",
    "isf_deaths",
    "aid_delivered_share_mean",
    "reconstruction_share_final",
]
MIN_MOVE = 0.5
"""Moves shorter than this (0-100 scale) are not told."""
POLITICS_MIN_SHIFT = 2.0
"""Forecasts that move less than this (0-100 scale) are not mentioned."""


@dataclass(frozen=True)
class Explanation:
    """Sentences in causal order, grouped under headings."""

    changed: list[str]
    politics: list[str]
    ground: list[str]
    outcomes: list[str]

    def markdown(self) -> str:
        """The explanation as Markdown bullet lists."""
        parts = []
        for title, lines in (
            ("What differs in the inputs", self.changed),
            ("What the politics settle on", self.politics),
            ("What happens on the ground", self.ground),
            ("Outcomes", self.outcomes),
        ):
            if lines:
                parts.append(f"**{title}**\n\n" + "\n".join(f"- {line}" for line in lines))
        return "\n\n".join(parts)


def path_label(path: str) -> str:
    """A dotted parameter path in words, where the lab knows a better name."""
    if path in PATH_LABELS:
        return PATH_LABELS[path]
    parts = path.split(".")
    if (
        len(parts) == 5
        and parts[:2] == ["bargaining", "actors"]
        and parts[3] in ("position", "salience")
    ):
        actor, kind, dimension = parts[2], parts[3], parts[4].replace("_", " ")
        return f"{actor}'s {kind} on {dimension} (bargaining, 0-100)"
    if len(parts) == 4 and parts[:2] == ["bargaining", "vetoes"] and parts[3] == "enforced":
        return f"veto {parts[2]} enforced"
    return path


def describe_change(change: Change) -> str:
    """One input difference in words."""
    return f"{path_label(change.path)}: {_plain(change.before)} → {_plain(change.after)}"


def _plain(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "(none)"
    if isinstance(value, float):
        return f"{value:,.4g}"
    return str(value)


def changed_lines(changes: list[Change], limit: int = 12) -> list[str]:
    """The input differences, at most ``limit`` lines."""
    lines = [describe_change(c) for c in changes[:limit]]
    if len(changes) > limit:
        lines.append(f"... and {len(changes) - limit} more differences")
    return lines


def _centre(bands: pd.DataFrame, scenario: str, outcome: str) -> float | None:
    row = bands[(bands["scenario"] == scenario) & (bands["outcome"] == outcome)]
    if row.empty:
        return None
    column = "mean" if outcome == "ceasefire_collapsed" else "median"
    return float(row[column].iloc[0])


def outcome_line(comparison: Comparison, scenario: str, outcome: str) -> str | None:
    """How one outcome differs between ``scenario`` and the baseline, in one sentence."""
    base = _centre(comparison.bands, comparison.baseline, outcome)
    mine = _centre(comparison.bands, scenario, outcome)
    if base is None or mine is None:
        return None
    info = outcome_info(outcome)
    what = "share of runs" if outcome == "ceasefire_collapsed" else "median"
    text = f"{info.label}: {format_value(outcome, base)} → {format_value(outcome, mine)} ({what})"
    diff = comparison.differences
    if diff.empty:
        return text
    row = diff[(diff["scenario"] == scenario) & (diff["outcome"] == outcome)]
    if row.empty or info.better is None:
        return text
    pairs = int(row["n_pairs"].iloc[0])
    p_better = float(row["p_better"].iloc[0])
    if pairs < 2 or math.isnan(p_better):
        return text
    text += f"; better in {p_better * pairs:.0f} of {pairs} paired runs"
    if not bool(row["resolved"].iloc[0]):
        text += " (within the noise at this number of runs)"
    return text


def politics_lines(comparison: Comparison, scenario: str) -> list[str]:
    """Forecast dimensions whose median final value moved by at least a few points."""
    lines = []
    for outcome in POLITICS:
        base = _centre(comparison.bands, comparison.baseline, outcome)
        mine = _centre(comparison.bands, scenario, outcome)
        if base is None or mine is None or not _forecast_moved(base, mine):
            continue
        dimension = outcome.removeprefix("forecast_").removesuffix("_final").replace("_", " ")
        lines.append(
            f"forecast on {dimension} at the end: {_forecast_text(base)} → {_forecast_text(mine)}"
            " (0-100 scale, median)"
        )
    return lines


def _forecast_moved(base: float, mine: float) -> bool:
    """Whether a final forecast moved enough to tell; NaN is no deal in any run."""
    if math.isnan(base) or math.isnan(mine):
        return math.isnan(base) != math.isnan(mine)  # a deal in one scenario only
    return abs(mine - base) >= POLITICS_MIN_SHIFT


def _forecast_text(value: float) -> str:
    return "no deal in any run" if math.isnan(value) else f"{value:.0f}"


def explain(comparison: Comparison, scenario: str, changes: list[Change]) -> Explanation:
    """Why ``scenario`` differs from the comparison's baseline, in causal order."""

    def lines(outcomes: list[str]) -> list[str]:
        found = (outcome_line(comparison, scenario, o) for o in outcomes)
        return [line for line in found if line]

    return Explanation(
        changed=changed_lines(changes),
        politics=politics_lines(comparison, scenario),
        ground=lines(GROUND),
        outcomes=lines(OUTCOMES),
    )


def moves_story(run: BargainingRun, actor: str, limit: int = 12) -> list[str]:
    """Why an actor moved, round by round, in plain words (at most ``limit`` rounds)."""
    names = run.actor_names
    name = names.get(actor, actor)
    moved = run.moves[(run.moves["actor"] == actor) & (run.moves["distance"] >= MIN_MOVE)]
    if moved.empty:
        return [f"{name} never moved: no bargain it was offered beat holding its own position."]
    positions = run.positions[run.positions["actor"] == actor].pivot(
        index="round", columns="dimension", values="position"
    )
    lines = []
    for _, move in moved.head(limit).iterrows():
        rnd = int(move["round"])
        initiator, target = str(move["bargain"]).split("->")
        partner = target if move["role"] == "initiator" else initiator
        verb = "challenged" if move["role"] == "initiator" else "was challenged by"
        shifts = _shifts(positions, rnd, run.dimension_labels)
        lines.append(
            f"Round {rnd}: {verb} {names.get(partner, partner)} and took the bargain, "
            f"moving {move['distance']:.1f} points{': ' + shifts if shifts else ''}."
        )
    if len(moved) > limit:
        lines.append(f"... and {len(moved) - limit} smaller moves in later rounds.")
    return lines


def _shifts(positions: pd.DataFrame, rnd: int, labels: dict[str, str]) -> str:
    if rnd not in positions.index or rnd - 1 not in positions.index:
        return ""
    before, after = positions.loc[rnd - 1], positions.loc[rnd]
    parts = [
        f"{labels.get(str(d), str(d)).lower()} {before[d]:.0f} → {after[d]:.0f}"
        for d in positions.columns
        if abs(after[d] - before[d]) >= 0.5
    ]
    return ", ".join(parts)
