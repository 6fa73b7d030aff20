"""Findings in words are computed from the runs: tails, identical results, decision effects."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.compare import compare_results
from sim.analysis.findings import (
    bimodal_warnings,
    decision_effects,
    identical_groups,
    tails,
    what_matters,
)
from sim.scenario.names import HEADLINE_2X2


def runs(name: str, collapse: list[bool], deaths: list[float]) -> pd.DataFrame:
    n = len(collapse)
    return pd.DataFrame(
        {
            "scenario": name,
            "replication": range(n),
            "ceasefire_collapsed": collapse,
            "civilian_deaths": deaths,
            "secure_population_share_mean": np.linspace(0.4, 0.6, n),
        }
    )


def test_a_split_outcome_is_flagged_with_its_tails() -> None:
    collapse = [False] * 16 + [True] * 4
    deaths = [140.0] * 16 + [18_000.0] * 4
    summary = runs("split", collapse, deaths)
    [tail] = tails(summary, "civilian_deaths", ["split"])
    assert tail.p_collapse == pytest.approx(0.2)
    assert tail.median_held == 140 and tail.median_collapsed == 18_000
    [line] = bimodal_warnings(summary, ["split"])
    assert "split" in line and "collapses in 20% of runs" in line and "18,000" in line
    calm = runs("calm", [False] * 20, list(np.linspace(100, 200, 20)))
    assert bimodal_warnings(calm, ["calm"]) == []


def test_identical_scenarios_are_named() -> None:
    a = runs("a", [False] * 10, list(range(10)))
    b = runs("b", [False] * 10, list(range(10)))
    c = runs("c", [False] * 10, list(range(1, 11)))
    summary = pd.concat([a, b, c], ignore_index=True)
    assert identical_groups(summary, ["a", "b", "c"]) == [["a", "b"]]


def test_decision_effects_follow_the_numbers() -> None:
    rng = np.random.default_rng(1)
    shares = dict(zip(HEADLINE_2X2, [0.1, 0.5, 0.8, 0.8], strict=True))
    parts = []
    for name, share in shares.items():
        collapse = list(rng.random(40) < share)
        parts.append(runs(name, collapse, [1000.0 * c + 10 for c in collapse]))
    comparison = compare_results(pd.concat(parts), HEADLINE_2X2[0], resamples=200, seed=0)
    lines = decision_effects(comparison)
    observed = comparison.bands.set_index(["scenario", "outcome"])["mean"]
    rv = observed[(HEADLINE_2X2[3], "ceasefire_collapsed")]
    ri = observed[(HEADLINE_2X2[2], "ceasefire_collapsed")]
    assert f"{100 * (rv - ri):+.0f} pts".replace("+0 pts", "0") in lines[1]
    assert "Hamas rejecting" in lines[0]
    text = " ".join(what_matters(comparison, limit=0))
    assert "ranges from" in text and HEADLINE_2X2[0] in text
