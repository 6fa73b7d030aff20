"""Tails: P(collapse) with its interval, and outcomes conditional on holding or collapse."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.analysis.compare import compare_results, conditional_bands
from sim.analysis.headline import collapse_findings
from sim.analysis.report import conditional_table, render_report
from sim.analysis.survival import collapse_probability, jeffreys_interval


def summary() -> pd.DataFrame:
    """Two scenarios of 30 runs: 'calm' collapses in 3, 'tense' in 15; collapse kills 1000x."""
    rows = []
    for scenario, collapses in (("calm", 3), ("tense", 15)):
        for replication in range(30):
            collapsed = replication < collapses
            rows.append(
                {
                    "scenario": scenario,
                    "replication": replication,
                    "ceasefire_collapsed": collapsed,
                    "days_to_collapse": 100.0 if collapsed else 365.0,
                    "civilian_deaths": (10_000.0 if collapsed else 10.0) + replication,
                }
            )
    return pd.DataFrame(rows)


def test_jeffreys_interval_limits_and_coverage() -> None:
    low, high = jeffreys_interval(0, 30)
    assert low == 0.0 and 0.06 < high < 0.10  # Beta(0.5, 30.5) upper 97.5% ~0.081
    low, high = jeffreys_interval(30, 30)
    assert high == 1.0 and 0.90 < low < 0.94
    low, high = jeffreys_interval(15, 30)
    assert low == pytest.approx(1 - high) and 0.30 < low < 0.35
    # coverage of the nominal 95% interval, checked exactly over the binomial distribution
    from scipy.stats import binom

    p, n = 0.1, 30
    covered = sum(
        binom.pmf(x, n, p)
        for x in range(n + 1)
        if jeffreys_interval(x, n)[0] <= p <= jeffreys_interval(x, n)[1]
    )
    assert 0.90 < covered <= 1.0
    with pytest.raises(ValueError):
        jeffreys_interval(31, 30)


def test_collapse_probability_per_scenario() -> None:
    table = collapse_probability(summary()).set_index("scenario")
    assert table.loc["calm", "collapses"] == 3 and table.loc["calm", "p_collapse"] == 0.1
    assert table.loc["tense", "p_collapse"] == 0.5
    assert table.loc["calm", "ci_high"] < table.loc["tense", "ci_low"] + 0.3
    assert table.loc["calm", "ci_low"] < 0.1 < table.loc["calm", "ci_high"]


def test_outcomes_conditional_on_regime() -> None:
    bands = conditional_bands(summary(), ["civilian_deaths"]).set_index(["scenario", "regime"])
    holding, collapsed = bands.loc[("tense", "holding")], bands.loc[("tense", "collapsed")]
    assert holding["n"] == 15 and collapsed["n"] == 15 and holding["share"] == 0.5
    assert holding["median"] == pytest.approx(10 + np.median(np.arange(15, 30)))
    assert collapsed["median"] == pytest.approx(10_000 + np.median(np.arange(15)))
    # the unconditional median would sit between the regimes and describe no run
    assert holding["p90"] < 100 < 10_000 < collapsed["p10"]


def test_comparison_and_report_show_the_tails(tmp_path: Path) -> None:
    comparison = compare_results(summary(), baseline="calm", resamples=200)
    assert list(comparison.collapse["scenario"]) == ["calm", "tense"]
    cells = conditional_table(comparison, ["civilian_deaths"]).iloc[0]
    assert "holding" in cells["tense"] and "collapsed" in cells["tense"]
    lines = collapse_findings(comparison)
    assert lines[1].startswith("tense: ceasefire collapsed in 15 of 30 runs, P(collapse) 50%")
    written = render_report(comparison, tmp_path / "report.md")
    text = written[0].read_text(encoding="utf-8")
    assert "Tails: collapse and outcomes by regime" in text
    assert "10% [" in text and "50% [" in text
