"""A compact classification tree (CART-style splits on Gini impurity), for scenario discovery.

PRIM finds one box; a shallow tree shows the few threshold rules that best separate the cases
from the other runs, which is often easier to read. Each split picks the input and threshold
(midpoints between distinct values) that most reduce the size-weighted Gini impurity.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class Node:
    """A tree node; leaves have no split."""

    runs: int
    cases: int
    feature: str | None = None
    threshold: float | None = None
    left: Node | None = None  # feature <= threshold
    right: Node | None = None
    rule: list[str] = field(default_factory=list)

    @property
    def density(self) -> float:
        """Share of the node's runs that are cases."""
        return self.cases / self.runs if self.runs else 0.0


@dataclass(frozen=True)
class Leaf:
    """A leaf as a rule: the conditions that lead to it and what it holds."""

    rule: str
    runs: int
    cases: int
    density: float
    coverage: float


def gini(cases: int, runs: int) -> float:
    """Gini impurity of a node with ``cases`` positives among ``runs``."""
    if runs == 0:
        return 0.0
    p = cases / runs
    return 2.0 * p * (1.0 - p)


def best_split(x: np.ndarray, y: np.ndarray, min_leaf: int) -> tuple[int, float, float] | None:
    """The (column, threshold, impurity decrease) of the best split, or None.

    Vectorised per column: sort once, then every cut's impurity from cumulative counts.
    """
    n = y.size
    parent = gini(int(y.sum()), n)
    best: tuple[int, float, float] | None = None
    for column in range(x.shape[1]):
        order = np.argsort(x[:, column], kind="stable")
        values, sorted_y = x[order, column], y[order].astype(float)
        left_cases = np.cumsum(sorted_y)[:-1]
        left_runs = np.arange(1, n)
        right_cases = sorted_y.sum() - left_cases
        right_runs = n - left_runs
        valid = (values[1:] > values[:-1]) & (left_runs >= min_leaf) & (right_runs >= min_leaf)
        if not valid.any():
            continue
        p_left, p_right = left_cases / left_runs, right_cases / right_runs
        weighted = (
            left_runs * 2 * p_left * (1 - p_left) + right_runs * 2 * p_right * (1 - p_right)
        ) / n
        gain = np.where(valid, parent - weighted, -np.inf)
        cut = int(np.argmax(gain))
        if best is None or gain[cut] > best[2]:
            best = (column, float((values[cut] + values[cut + 1]) / 2), float(gain[cut]))
    return best if best is not None and best[2] > 1e-12 else None


def grow_tree(
    inputs: pd.DataFrame, cases: np.ndarray, *, max_depth: int = 3, min_leaf: int = 5
) -> Node:
    """Grow a tree on numeric ``inputs`` to separate ``cases``."""
    x = inputs.to_numpy(dtype=float)
    y = np.asarray(cases, dtype=bool)
    if x.shape[0] != y.size or y.size == 0:
        raise ValueError("inputs and cases must have the same, non-zero number of rows")
    return _grow(x, y, [str(c) for c in inputs.columns], max_depth, min_leaf, [])


def _grow(
    x: np.ndarray, y: np.ndarray, names: list[str], depth: int, min_leaf: int, rule: list[str]
) -> Node:
    node = Node(runs=int(y.size), cases=int(y.sum()), rule=rule)
    if depth == 0 or node.cases in (0, node.runs):
        return node
    split = best_split(x, y, min_leaf)
    if split is None:
        return node
    column, threshold, _ = split
    node.feature, node.threshold = names[column], threshold
    left = x[:, column] <= threshold
    node.left = _grow(
        x[left], y[left], names, depth - 1, min_leaf, [*rule, f"{names[column]} <= {threshold:.4g}"]
    )
    node.right = _grow(
        x[~left],
        y[~left],
        names,
        depth - 1,
        min_leaf,
        [*rule, f"{names[column]} > {threshold:.4g}"],
    )
    return node


def leaves(tree: Node) -> list[Leaf]:
    """The tree's leaves as rules, densest first."""
    total_cases = max(tree.cases, 1)
    found: list[Leaf] = []

    def walk(node: Node) -> None:
        if node.left is None or node.right is None:
            rule = " and ".join(node.rule) or "(all runs)"
            found.append(Leaf(rule, node.runs, node.cases, node.density, node.cases / total_cases))
            return
        walk(node.left)
        walk(node.right)

    walk(tree)
    return sorted(found, key=lambda leaf: (-leaf.density, -leaf.cases))
