"""Scenario discovery over a design's results: which assumptions make a failure likely?

A condition names the failure, e.g. ``days_to_collapse < 180`` or ``contributors_withdrawn >= 1``
or just ``ceasefire_collapsed``. Each run is a case or not; its inputs are the factor values of
its design point. PRIM finds the box of inputs where cases concentrate; a shallow tree gives
threshold rules.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.cart import Leaf, grow_tree, leaves
from sim.analysis.outcomes import outcome_columns
from sim.analysis.prim import PrimResult, prim
from sim.experiments.designs import UNIT_PREFIX
from sim.experiments.runner import ExperimentResult

_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "<=": operator.le,
    ">=": operator.ge,
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    ">": operator.gt,
}
_CONDITION = re.compile(r"^\s*(not\s+)?([A-Za-z_][\w.]*)\s*(?:(<=|>=|==|!=|<|>)\s*(\S+))?\s*$")


@dataclass(frozen=True)
class Condition:
    """An outcome condition that marks a run as a case."""

    text: str
    outcome: str
    op: str | None
    threshold: float | None
    negate: bool = False

    def evaluate(self, summary: pd.DataFrame) -> np.ndarray:
        """Whether each run is a case.

        Raises:
            ValueError: If the outcome is not a summary column.
        """
        if self.outcome not in summary.columns:
            raise ValueError(
                f"condition names {self.outcome!r}, which is not an outcome; "
                f"outcomes: {', '.join(outcome_columns(summary))}"
            )
        values = summary[self.outcome]
        if self.op is None:
            result = values.astype(bool).to_numpy()
        else:
            result = np.asarray(_OPERATORS[self.op](values.astype(float), self.threshold), bool)
        return ~result if self.negate else result


def parse_condition(text: str) -> Condition:
    """Parse ``outcome [op number]`` (``op`` one of < <= > >= == !=), optionally ``not outcome``.

    Raises:
        ValueError: With the expected form.
    """
    match = _CONDITION.match(text)
    if match is None:
        raise ValueError(
            f"cannot read condition {text!r}; write e.g. 'days_to_collapse < 180' "
            "or 'ceasefire_collapsed'"
        )
    negate, outcome, op, number = match.groups()
    threshold = None
    if op is not None:
        try:
            threshold = float(number)
        except ValueError:
            raise ValueError(f"condition {text!r}: {number!r} is not a number") from None
    return Condition(text.strip(), outcome, op, threshold, bool(negate))


@dataclass
class Discovery:
    """PRIM and tree results for one condition."""

    condition: Condition
    inputs: pd.DataFrame
    cases: np.ndarray
    prim: PrimResult
    rules: list[Leaf]


def design_inputs(result: ExperimentResult, factors: Sequence[str] | None = None) -> pd.DataFrame:
    """Per run, the factor values of its design point.

    Categorical columns (a factorial's fragment axes, a crossed design's decision) become one
    0/1 column per level, named ``axis=level``.

    Raises:
        ValueError: If the experiment has no design or no factor.
    """
    if result.design is None:
        raise ValueError("scenario discovery needs a designed experiment (design lhs/nolh/...)")
    points = _with_indicators(result.design)
    columns = [
        c
        for c in points.columns
        if c not in ("scenario", "point")
        and not c.startswith(UNIT_PREFIX)
        and pd.api.types.is_numeric_dtype(points[c])
    ]
    if factors:
        unknown = sorted(set(factors) - set(columns))
        if unknown:
            raise ValueError(f"unknown factors {unknown}; the design has {columns}")
        columns = list(factors)
    if not columns:
        raise ValueError("the design has no numeric factor to search over")
    joined = result.summary[["scenario"]].merge(
        points[["scenario", *columns]], on="scenario", how="left"
    )
    return joined[columns].reset_index(drop=True)


def _with_indicators(points: pd.DataFrame) -> pd.DataFrame:
    labels = [
        c
        for c in points.columns
        if c != "scenario" and not pd.api.types.is_numeric_dtype(points[c])
    ]
    if not labels:
        return points
    indicators = pd.get_dummies(points[labels].astype(str), prefix_sep="=", dtype=float)
    return pd.concat([points.drop(columns=labels), indicators], axis=1)


def discover(
    result: ExperimentResult,
    condition: str | Condition,
    *,
    factors: Sequence[str] | None = None,
    min_coverage: float = 0.5,
    alpha: float = 0.05,
    tree_depth: int = 3,
) -> Discovery:
    """Find the assumptions under which ``condition`` is likely.

    Args:
        result: A designed experiment (LHS, NOLH, Sobol, Morris or a numeric factorial).
        condition: The failure, e.g. ``"days_to_collapse < 180"``.
        factors: Inputs to search over (default: every numeric factor of the design).
        min_coverage: PRIM picks the densest box that still covers this share of cases.
        alpha: PRIM's peeling share.
        tree_depth: Depth of the rule tree.
    """
    parsed = parse_condition(condition) if isinstance(condition, str) else condition
    inputs = design_inputs(result, factors)
    cases = parsed.evaluate(result.summary.reset_index(drop=True))
    prim_result = prim(inputs, cases, alpha=alpha, min_coverage=min_coverage)
    min_leaf = max(3, len(cases) // 20)
    tree = grow_tree(inputs, cases, max_depth=tree_depth, min_leaf=min_leaf)
    return Discovery(parsed, inputs, cases, prim_result, leaves(tree))
