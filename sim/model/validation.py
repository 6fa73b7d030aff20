"""Validation of the full model: analogue missions and directional checks, as Markdown.

Regenerate the figures in ``docs/validation.md`` (section "Full model") with:

    .venv/bin/python -m sim.model.validation --reps 30 > /tmp/model-validation.md

Each row gives the median and the 10-90% range over replications (seeds 0..reps-1; the same
seeds for every scenario, so comparisons are paired).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence

import numpy as np

from sim.model.run import run_scenario
from sim.scenario.loader import SCENARIOS_DIR, load_scenario
from sim.scenario.names import HEADLINE_2X2_FILES
from sim.scenario.schema import Scenario

ANALOGUES = (
    "analogues/kfor-like.yaml",
    "analogues/haiti-mss-like.yaml",
    "analogues/unifil-like.yaml",
)
TWO_BY_TWO = HEADLINE_2X2_FILES
COLUMNS = (
    "secure_population_share_final",
    "weapons_decommissioned_share",
    "incidents",
    "civilian_deaths",
    "isf_deaths",
    "contributors_withdrawn",
    "ceasefire_collapsed",
    "days_to_collapse",
)


def summaries(scenario: Scenario, reps: int) -> dict[str, np.ndarray]:
    """Every summary outcome over ``reps`` seeds."""
    rows = [run_scenario(scenario, seed).summary for seed in range(reps)]
    return {key: np.array([float(row[key]) for row in rows]) for key in rows[0]}


PROPORTIONS = ("ceasefire_collapsed",)
"""Yes/no outcomes, shown as the share of replications."""


def cell(values: np.ndarray, column: str) -> str:
    """Median with the 10-90% range, or the share of replications for yes/no outcomes."""
    if column in PROPORTIONS:
        return f"{values.mean():.0%}"
    low, mid, high = np.percentile(values, [10, 50, 90])
    return f"{mid:.3g} [{low:.3g}, {high:.3g}]"


def table(names: Sequence[str], reps: int) -> str:
    """A Markdown table of the key outcomes for scenario files ``names``."""
    header = "| scenario | " + " | ".join(COLUMNS) + " |"
    lines = [header, "|" + "---|" * (len(COLUMNS) + 1)]
    for name in names:
        results = summaries(load_scenario(SCENARIOS_DIR / name), reps)
        lines.append(f"| {name} | " + " | ".join(cell(results[c], c) for c in COLUMNS) + " |")
    return "\n".join(lines)


def main() -> None:
    """Print the validation tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=30)
    args = parser.parse_args()
    print(f"### Analogue missions ({args.reps} replications each)\n")
    print(table(ANALOGUES, args.reps))
    print(f"\n### The 2x2: Hamas x Turkey ({args.reps} replications each)\n")
    print(table(TWO_BY_TWO, args.reps))


if __name__ == "__main__":
    main()
