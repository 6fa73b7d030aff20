"""The comparison's statistics read one array per table and give what pandas selections give.

``scenario_bands``, ``paired_differences`` and ``conditional_bands`` read the outcomes once as a
float array (:func:`~sim.analysis.stats.outcome_matrix`) instead of a pandas selection per
scenario and outcome. These tests pin them to the plain pandas formulation on messy tables:
shuffled rows, missing values, a replication recorded twice, booleans, unequal replications.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.compare import REGIMES, conditional_bands
from sim.analysis.stats import PairedValues, describe, scenario_bands
from sim.analysis.survival import EVENT_COLUMN


def messy_summary(seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = [(s, r) for s in ("mine", "base", "other") for r in range(15) if (s, r) != ("other", 3)]
    table = pd.DataFrame(rows, columns=["scenario", "replication"])
    table["deaths"] = rng.gamma(2.0, 100.0, len(table))
    table["share"] = rng.uniform(size=len(table))
    table.loc[rng.random(len(table)) < 0.2, "share"] = np.nan
    table[EVENT_COLUMN] = rng.random(len(table)) < 0.4
    rerun = table.iloc[[2, 17]].assign(deaths=-1.0)  # recorded twice: the first record counts
    shuffled = table.sample(frac=1.0, random_state=seed)
    return pd.concat([shuffled, rerun], ignore_index=True)


OUTCOMES = ["deaths", "share", EVENT_COLUMN]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_scenario_bands_equal_a_groupby_per_scenario_and_outcome(seed: int) -> None:
    summary = messy_summary(seed)
    rows = []
    for scenario, group in summary.groupby("scenario", sort=False):
        for outcome in OUTCOMES:
            values = group[outcome].astype(float).dropna().to_numpy()
            rows.append({"scenario": scenario, "outcome": outcome, **describe(values)})
    pd.testing.assert_frame_equal(scenario_bands(summary, OUTCOMES), pd.DataFrame(rows))


def pandas_pairs(summary: pd.DataFrame, outcome: str, scenario: str, baseline: str) -> np.ndarray:
    """The pandas formulation: first known value per (replication, scenario), then dropna."""
    first = summary.groupby(["replication", "scenario"])[outcome].first().unstack("scenario")
    pairs = first[[scenario, baseline]].astype(float).dropna()
    return (pairs[scenario] - pairs[baseline]).to_numpy()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_pairs_equal_a_pandas_groupby_first_and_dropna(seed: int) -> None:
    summary = messy_summary(seed)
    nameless = summary.iloc[:3].assign(scenario=np.nan, deaths=5.0)  # rows without a scenario
    summary = pd.concat([summary, nameless], ignore_index=True)
    paired = PairedValues.of(summary, OUTCOMES)
    assert sorted(paired.scenarios) == ["base", "mine", "other"]  # the nameless rows are out
    for index, outcome in enumerate(OUTCOMES):
        for scenario in ("mine", "other"):
            expected = pandas_pairs(summary, outcome, scenario, "base")
            got = paired.pairs(index, scenario, "base")
            np.testing.assert_array_equal(got, expected)
            assert got.size < 15 or outcome != "share"  # missing values were left out
    # the rerun's value (-1) never counts: each replication's first record does
    assert not (paired.values[0] == -1.0).any()


@pytest.mark.parametrize("seed", [0, 1])
def test_conditional_bands_equal_a_groupby_by_regime(seed: int) -> None:
    summary = messy_summary(seed)
    got = conditional_bands(summary, OUTCOMES)
    rows = []
    for scenario, group in summary.groupby("scenario", sort=False):
        flags = group[EVENT_COLUMN].astype(bool)
        for collapsed, regime in REGIMES.items():
            part = group[flags == collapsed]
            for outcome in ("deaths", "share"):
                values = part[outcome].astype(float).to_numpy()
                quantiles = np.quantile(values, [0.5, 0.1, 0.9]) if values.size else [np.nan] * 3
                rows.append([scenario, outcome, regime, int(values.size), values.size / len(group)])
                rows[-1] += [float(q) for q in quantiles]
    expected = pd.DataFrame(rows, columns=list(got.columns))
    pd.testing.assert_frame_equal(got, expected)
    assert got["median"].isna().any()  # a missing share makes its regime's quantiles NaN
