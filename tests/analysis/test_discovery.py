"""PRIM and the rule tree find planted boxes; conditions parse."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.cart import best_split, grow_tree, leaves
from sim.analysis.discovery import parse_condition
from sim.analysis.prim import prim


def planted(n: int = 2000, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Cases concentrate where x0 > 0.6 and x1 < 0.3; x2 and x3 are noise."""
    rng = np.random.default_rng(seed)
    x = pd.DataFrame(rng.random((n, 4)), columns=["x0", "x1", "x2", "x3"])
    in_box = (x["x0"] > 0.6) & (x["x1"] < 0.3)
    probability = np.where(in_box, 0.9, 0.05)
    return x, rng.random(n) < probability


def test_prim_finds_the_planted_box() -> None:
    x, y = planted()
    result = prim(x, y)
    box = result.chosen
    assert {"x0", "x1"} <= set(box.restricted)
    assert set(box.restricted) <= {"x0", "x1", "x2", "x3"}
    assert box.limits["x0"][0] == pytest.approx(0.6, abs=0.07)
    assert box.limits["x1"][1] == pytest.approx(0.3, abs=0.07)
    assert box.density > 0.75  # 0.9 inside the true box
    assert box.coverage >= 0.5
    assert result.base_density < 0.25
    # peeling trades coverage for density, step by step
    assert result.trajectory["mass"].is_monotonic_decreasing
    assert result.trajectory["density"].iloc[-1] > result.trajectory["density"].iloc[0]


def test_prim_ignores_inputs_unrelated_to_the_cases() -> None:
    x, y = planted(seed=3)
    box = prim(x, y).chosen
    assert "x2" not in box.restricted or box.limits["x2"][1] - box.limits["x2"][0] > 0.7
    assert "x0 >=" in box.describe() or "<= x0 <=" in box.describe()


def test_prim_refuses_data_without_cases() -> None:
    x, _ = planted(100)
    with pytest.raises(ValueError, match="nothing to discover"):
        prim(x, np.zeros(100, dtype=bool))


def test_best_split_finds_a_planted_threshold() -> None:
    rng = np.random.default_rng(2)
    x = rng.random((500, 3))
    y = x[:, 2] > 0.7
    column, threshold, gain = best_split(x, y, min_leaf=5)
    assert column == 2
    assert threshold == pytest.approx(0.7, abs=0.02)
    assert gain > 0.2


def test_tree_rules_describe_the_planted_box() -> None:
    x, y = planted(seed=5)
    rules = leaves(grow_tree(x, y, max_depth=2, min_leaf=20))
    top = rules[0]
    assert "x0 >" in top.rule and "x1 <=" in top.rule
    assert top.density > 0.75
    assert sum(leaf.runs for leaf in rules) == len(y)


@pytest.mark.parametrize(
    ("text", "outcome", "op", "threshold", "negate"),
    [
        ("days_to_collapse < 180", "days_to_collapse", "<", 180.0, False),
        ("contributors_withdrawn>=1", "contributors_withdrawn", ">=", 1.0, False),
        ("ceasefire_collapsed", "ceasefire_collapsed", None, None, False),
        ("not ceasefire_collapsed", "ceasefire_collapsed", None, None, True),
    ],
)
def test_conditions_parse(
    text: str, outcome: str, op: str | None, threshold: float | None, negate: bool
) -> None:
    condition = parse_condition(text)
    assert (condition.outcome, condition.op, condition.threshold, condition.negate) == (
        outcome,
        op,
        threshold,
        negate,
    )


def test_condition_evaluates_on_a_summary() -> None:
    summary = pd.DataFrame(
        {"days_to_collapse": [10.0, 365.0, 179.0], "ceasefire_collapsed": [True, False, True]}
    )
    assert parse_condition("days_to_collapse < 180").evaluate(summary).tolist() == [
        True,
        False,
        True,
    ]
    assert parse_condition("not ceasefire_collapsed").evaluate(summary).tolist() == [
        False,
        True,
        False,
    ]
    with pytest.raises(ValueError, match="not an outcome"):
        parse_condition("deaths > 3").evaluate(summary)
    with pytest.raises(ValueError, match="cannot read"):
        parse_condition("a < b < c")


def test_categorical_design_columns_become_indicators() -> None:
    from sim.analysis.discovery import _with_indicators

    points = pd.DataFrame(
        {
            "scenario": ["a", "b", "c"],
            "point": [0, 1, 2],
            "hamas": ["accepts", "rejects", "accepts"],
            "force": [0.5, 1.0, 1.5],
        }
    )
    coded = _with_indicators(points)
    assert coded["hamas=rejects"].tolist() == [0.0, 1.0, 0.0]
    assert coded["force"].tolist() == [0.5, 1.0, 1.5]
    assert "hamas" not in coded.columns and "scenario" in coded.columns
