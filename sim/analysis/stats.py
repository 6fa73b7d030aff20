"""Summary statistics for replicated runs: bands, paired differences, bootstrap intervals.

Replications pair across scenarios by seed (common random numbers), so a scenario's effect is
estimated from per-replication differences, which cancel most of the run-to-run noise.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.outcomes import outcome_info

BAND = (0.1, 0.9)
Z_95 = 1.959963984540054


def scenario_bands(summary: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    """Median, 10-90% band, mean and count of each outcome per scenario (tidy)."""
    matrix = outcome_matrix(summary, outcomes)
    scenario_of = summary["scenario"].to_numpy()
    rows = []
    for scenario in dict.fromkeys(summary["scenario"].dropna()):  # in order of first rows
        group = matrix[scenario_of == scenario]
        for column, outcome in enumerate(outcomes):
            values = group[:, column]
            values = values[~np.isnan(values)]
            rows.append({"scenario": scenario, "outcome": outcome, **describe(values)})
    return pd.DataFrame(rows)


def outcome_matrix(summary: pd.DataFrame, outcomes: Sequence[str]) -> np.ndarray:
    """The outcomes as floats, one row per run and one column per outcome (NaN if missing).

    Statistics read the columns of this one array rather than a pandas selection per scenario
    and outcome (each costs tens of microseconds, and a comparison makes thousands).
    """
    if not outcomes:
        return np.empty((len(summary), 0))
    return np.column_stack([summary[o].astype(float).to_numpy() for o in outcomes])


def describe(values: np.ndarray) -> dict[str, float]:
    """n, mean, median and the 10-90% band of ``values`` (NaN when empty)."""
    if values.size == 0:
        return {"n": 0, "mean": math.nan, "median": math.nan, "p10": math.nan, "p90": math.nan}
    low, median, high = np.quantile(values, [BAND[0], 0.5, BAND[1]])
    return {
        "n": int(values.size),
        "mean": float(values.mean()),
        "median": float(median),
        "p10": float(low),
        "p90": float(high),
    }


def bootstrap_mean_ci(
    values: np.ndarray, *, level: float = 0.95, resamples: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval for the mean of ``values``.

    Args:
        values: One number per replication (e.g. paired differences).
        level: Coverage of the interval.
        resamples: Bootstrap resamples.
        seed: Seed of the resampling (results are reproducible).

    Returns:
        ``(low, high)``; NaNs for fewer than two values.
    """
    values = np.asarray(values, dtype=float)
    if values.size < 2:
        return math.nan, math.nan
    rng = np.random.default_rng(seed)
    means = np.empty(resamples)
    chunk = max(1, 2_000_000 // values.size)  # bound memory for large samples
    for start in range(0, resamples, chunk):
        stop = min(resamples, start + chunk)
        picks = rng.integers(0, values.size, size=(stop - start, values.size))
        means[start:stop] = values[picks].mean(axis=1)
    tail = (1.0 - level) / 2.0
    low, high = np.quantile(means, [tail, 1.0 - tail])
    return float(low), float(high)


def paired_frame(summary: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Outcome values with one row per replication and one column per scenario.

    Every scenario keeps its column even when all its values are missing (a bargaining outcome
    with no deal in any replication is NaN, not a number on the 0-100 scale). A replication
    recorded twice counts once: its first value that is not missing.
    """
    return paired_frames(summary, [outcome])[outcome]


def paired_frames(summary: pd.DataFrame, outcomes: Sequence[str]) -> dict[str, pd.DataFrame]:
    """:func:`paired_frame` of several outcomes, from one pass over the table.

    Columns keep the order of scenarios in the table; rows are sorted by replication, so that
    the bootstrap, which resamples pairs by position, draws the same pairs however the table's
    rows are ordered (a pivot kept an order that depended on where values were missing).
    Replications without any value are left out.
    """
    paired = PairedValues.of(summary, outcomes)
    frames = {}
    for index, outcome in enumerate(outcomes):
        table = paired.values[index]
        present = ~np.isnan(table).all(axis=1)
        frames[outcome] = pd.DataFrame(
            table[present],
            index=pd.Index(paired.replications[present], name="replication"),
            columns=pd.Index(paired.scenarios, name="scenario"),
        )
    return frames


@dataclass(frozen=True)
class PairedValues:
    """Outcome values by (outcome, replication, scenario), NaN where there is none.

    Replications are sorted; scenarios keep the order of their first rows. A replication
    recorded twice for a scenario counts once: its first value that is not missing (as a
    ``groupby(...).first()``).
    """

    scenarios: list[str]
    replications: np.ndarray
    values: np.ndarray

    @classmethod
    def of(cls, summary: pd.DataFrame, outcomes: Sequence[str]) -> PairedValues:
        """The values of ``outcomes`` in ``summary`` (columns ``scenario`` and ``replication``)."""
        # Rows without a scenario or a replication belong to no pair (groupby drops them too).
        summary = summary[summary["scenario"].notna() & summary["replication"].notna()]
        scenarios = list(dict.fromkeys(summary["scenario"]))
        replications, row_of = np.unique(summary["replication"].to_numpy(), return_inverse=True)
        column_of = pd.Index(scenarios).get_indexer(summary["scenario"])
        matrix = outcome_matrix(summary, outcomes)
        values = np.full((len(outcomes), replications.size, len(scenarios)), np.nan)
        for index in range(len(outcomes)):
            column = matrix[:, index]
            known = ~np.isnan(column)
            # np.unique's indices are of first occurrences: the first known value of each cell
            cells, first = np.unique(
                row_of[known] * len(scenarios) + column_of[known], return_index=True
            )
            rows, columns = np.divmod(cells, max(len(scenarios), 1))
            values[index, rows, columns] = column[known][first]
        return cls(scenarios, replications, values)

    def pairs(self, outcome: int, scenario: str, baseline: str) -> np.ndarray:
        """``scenario - baseline`` in each replication where both have a value, in order."""
        table = self.values[outcome]
        mine = table[:, self.scenarios.index(scenario)]
        base = table[:, self.scenarios.index(baseline)]
        both = ~np.isnan(mine) & ~np.isnan(base)
        return mine[both] - base[both]


def paired_differences(
    summary: pd.DataFrame,
    baseline: str,
    outcomes: Sequence[str],
    *,
    level: float = 0.95,
    resamples: int = 2000,
    seed: int = 0,
) -> pd.DataFrame:
    """Differences (scenario - baseline) paired by replication, with bootstrap intervals.

    Columns: ``scenario, outcome, better, n_pairs, mean_diff, median_diff, ci_low, ci_high,
    p_better, reps_needed, resolved``. ``p_better`` is the share of replications in which the
    scenario did better than the baseline (ties count half; for outcomes without a direction,
    the share in which it was higher). ``reps_needed`` estimates how many pairs would make the
    interval narrower than the difference; ``resolved`` says whether the interval excludes 0.
    """
    scenarios = [s for s in summary["scenario"].unique() if s != baseline]
    if baseline not in set(summary["scenario"]):
        raise ValueError(
            f"baseline {baseline!r} is not among the scenarios: "
            f"{', '.join(map(str, summary['scenario'].unique()))}"
        )
    rows = []
    paired = PairedValues.of(summary, outcomes)
    for index, outcome in enumerate(outcomes):
        for scenario in scenarios:
            diffs = paired.pairs(index, scenario, baseline)
            rows.append(
                {
                    "scenario": scenario,
                    "outcome": outcome,
                    **difference_row(diffs, outcome, level, resamples, seed),
                }
            )
    return pd.DataFrame(rows)


def difference_row(
    diffs: np.ndarray, outcome: str, level: float, resamples: int, seed: int
) -> dict[str, object]:
    """Statistics of one set of paired differences."""
    better = outcome_info(outcome).better
    n = int(diffs.size)
    if n == 0:
        return {
            "better": better,
            "n_pairs": 0,
            "mean_diff": math.nan,
            "median_diff": math.nan,
            "ci_low": math.nan,
            "ci_high": math.nan,
            "p_better": math.nan,
            "reps_needed": math.nan,
            "resolved": False,
        }
    low, high = bootstrap_mean_ci(diffs, level=level, resamples=resamples, seed=seed)
    mean = float(diffs.mean())
    return {
        "better": better,
        "n_pairs": n,
        "mean_diff": mean,
        "median_diff": float(np.median(diffs)),
        "ci_low": low,
        "ci_high": high,
        "p_better": probability_better(diffs, better),
        "reps_needed": replications_needed(diffs),
        "resolved": bool(n >= 2 and (low > 0 or high < 0)),
    }


def probability_better(diffs: np.ndarray, better: str | None) -> float:
    """Share of pairs in which the scenario beats the baseline (ties count half)."""
    if diffs.size == 0:
        return math.nan
    sign = -1.0 if better == "lower" else 1.0
    wins = np.count_nonzero(sign * diffs > 0)
    ties = np.count_nonzero(diffs == 0)
    return float((wins + 0.5 * ties) / diffs.size)


def replications_needed(diffs: np.ndarray, z: float = Z_95) -> float:
    """Pairs needed for a 95% interval half-width below the observed mean difference.

    ``inf`` when the mean difference is zero (no number of replications resolves it); NaN for
    fewer than two pairs.
    """
    if diffs.size < 2:
        return math.nan
    spread = float(np.std(diffs, ddof=1))
    mean = abs(float(np.mean(diffs)))
    if spread == 0.0:
        return 2.0 if mean > 0 else math.inf
    if mean == 0.0:
        return math.inf
    return float(math.ceil((z * spread / mean) ** 2))
