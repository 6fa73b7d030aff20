"""Scenario discovery with PRIM (Friedman and Fisher's patient rule induction method).

Given the inputs of many runs (one row each) and a yes/no outcome of interest (say, "the
ceasefire collapsed before day 180"), PRIM looks for a box (a range per input) in which the
outcome is much more frequent than overall. It starts from the box holding every run and
repeatedly peels off the thin slice (a share ``alpha`` of the runs still inside, at the low or
high end of one input) whose removal raises the share of cases most, until too few runs
remain. Each step trades coverage for density:

* coverage: the share of all cases of interest that fall inside the box;
* density: the share of runs inside the box that are cases;
* mass: the share of all runs inside the box.

A final pasting pass widens any limit again where that does not lower the density.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Box:
    """A hyper-rectangle over the inputs and how well it captures the cases."""

    limits: dict[str, tuple[float, float]]
    coverage: float
    density: float
    mass: float
    restricted: tuple[str, ...] = field(default=())

    def describe(self) -> str:
        """The restricted limits in words, e.g. ``0.2 <= a <= 0.5 and b >= 3``."""
        parts = [_limit_text(name, *self.limits[name]) for name in self.restricted]
        return " and ".join(parts) if parts else "(no restriction)"


@dataclass
class PrimResult:
    """Every box along the peeling trajectory, and the one chosen."""

    trajectory: pd.DataFrame
    boxes: list[Box]
    chosen: Box
    base_density: float
    cases: int
    runs: int


def _limit_text(name: str, low: float, high: float) -> str:
    if math.isinf(low):
        return f"{name} <= {high:.4g}"
    if math.isinf(high):
        return f"{name} >= {low:.4g}"
    return f"{low:.4g} <= {name} <= {high:.4g}"


def prim(
    inputs: pd.DataFrame,
    cases: np.ndarray,
    *,
    alpha: float = 0.05,
    min_mass: float = 0.05,
    min_coverage: float = 0.5,
    significance: float = 0.05,
) -> PrimResult:
    """Run PRIM peeling (and pasting) and choose a box.

    Args:
        inputs: Numeric inputs, one row per run.
        cases: Boolean outcome of interest per run.
        alpha: Share of the runs inside the box peeled at each step.
        min_mass: Stop peeling when the box would hold fewer than this share of runs.
        min_coverage: The chosen box is the densest with at least this coverage.
        significance: A restriction of the chosen box is dropped when its quasi-p-value
            exceeds this (see :func:`quasi_p_value`).

    Returns:
        The trajectory and the chosen box.

    Raises:
        ValueError: For bad shapes, non-numeric inputs, or no cases at all.
    """
    x, y, names = _validated(inputs, cases)
    inside = np.ones(len(y), dtype=bool)
    limits = {name: (-math.inf, math.inf) for name in names}
    boxes = [_box(limits, inside, y, x, names)]
    while True:
        step = _best_peel(x, y, inside, alpha, names)
        if step is None or step[1].sum() < min_mass * len(y):
            break
        (column, side, cut), inside = step
        low, high = limits[names[column]]
        limits[names[column]] = (cut, high) if side == "low" else (low, cut)
        boxes.append(_box(limits, inside, y, x, names))
    chosen = _choose(boxes, min_coverage, len(y))
    chosen = _paste(chosen, x, y, names, alpha)
    chosen = _drop_insignificant(chosen, x, y, names, significance)
    trajectory = pd.DataFrame(
        [
            {
                "step": i,
                "coverage": b.coverage,
                "density": b.density,
                "mass": b.mass,
                "restricted": len(b.restricted),
            }
            for i, b in enumerate(boxes)
        ]
    )
    return PrimResult(trajectory, boxes, chosen, float(y.mean()), int(y.sum()), len(y))


def _validated(inputs: pd.DataFrame, cases: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    y = np.asarray(cases, dtype=bool)
    if len(inputs) != y.size or y.size == 0:
        raise ValueError("inputs and cases must have the same, non-zero number of rows")
    non_numeric = [c for c in inputs.columns if not pd.api.types.is_numeric_dtype(inputs[c])]
    if non_numeric:
        raise ValueError(f"PRIM needs numeric inputs; not numeric: {non_numeric}")
    if not y.any():
        raise ValueError("no run shows the outcome of interest: nothing to discover")
    return inputs.to_numpy(dtype=float), y, [str(c) for c in inputs.columns]


def _best_peel(
    x: np.ndarray, y: np.ndarray, inside: np.ndarray, alpha: float, names: list[str]
) -> tuple[tuple[int, str, float], np.ndarray] | None:
    best: tuple[tuple[int, str, float], np.ndarray] | None = None
    best_density = -1.0
    for column in range(len(names)):
        values = x[inside, column]
        for side, cut in (
            ("low", np.quantile(values, alpha)),
            ("high", np.quantile(values, 1 - alpha)),
        ):
            keep = inside & (x[:, column] >= cut if side == "low" else x[:, column] <= cut)
            removed = inside.sum() - keep.sum()
            if removed == 0 or keep.sum() == 0:
                # a tie-heavy input cannot be peeled at alpha; try the next distinct value
                keep, cut = _peel_past_ties(x[:, column], inside, side)
                if keep is None:
                    continue
            density = float(y[keep].mean())
            if density > best_density:
                best, best_density = ((column, side, float(cut)), keep), density
    return best


def _peel_past_ties(
    column: np.ndarray, inside: np.ndarray, side: str
) -> tuple[np.ndarray | None, float]:
    distinct = np.unique(column[inside])
    if distinct.size < 2:
        return None, math.nan
    cut = float(distinct[1] if side == "low" else distinct[-2])
    keep = inside & (column >= cut if side == "low" else column <= cut)
    return keep, cut


def _box(
    limits: dict[str, tuple[float, float]],
    inside: np.ndarray,
    y: np.ndarray,
    x: np.ndarray,
    names: list[str],
) -> Box:
    restricted = tuple(
        name
        for i, name in enumerate(names)
        if limits[name][0] > x[:, i].min() or limits[name][1] < x[:, i].max()
    )
    n_inside = int(inside.sum())
    return Box(
        limits=dict(limits),
        coverage=float(y[inside].sum() / y.sum()),
        density=float(y[inside].mean()) if n_inside else 0.0,
        mass=n_inside / y.size,
        restricted=restricted,
    )


def _choose(boxes: list[Box], min_coverage: float, runs: int) -> Box:
    """The densest box with enough coverage, preferring fewer restrictions.

    Peeling on an irrelevant input can raise the density a little by chance; any box whose
    density is within one binomial standard error of the best counts as equally dense, and
    among those the one restricting fewest inputs (then covering most) wins.
    """
    eligible = [b for b in boxes if b.coverage >= min_coverage] or boxes[:1]
    best = max(eligible, key=lambda b: (b.density, b.coverage))
    inside = max(best.mass * runs, 1.0)
    tolerance = math.sqrt(best.density * (1.0 - best.density) / inside)
    tied = [b for b in eligible if b.density >= best.density - tolerance]
    return min(tied, key=lambda b: (len(b.restricted), -b.coverage))


def _inside(limits: dict[str, tuple[float, float]], x: np.ndarray, names: list[str]) -> np.ndarray:
    mask = np.ones(x.shape[0], dtype=bool)
    for i, name in enumerate(names):
        low, high = limits[name]
        mask &= (x[:, i] >= low) & (x[:, i] <= high)
    return mask


def _paste(box: Box, x: np.ndarray, y: np.ndarray, names: list[str], alpha: float) -> Box:
    limits = dict(box.limits)
    current = box
    improved = True
    while improved:
        improved = False
        for name in current.restricted:
            for side in ("low", "high"):
                candidate = _widened(limits, name, side, x[:, names.index(name)], alpha)
                if candidate is None:
                    continue
                trial = _box(candidate, _inside(candidate, x, names), y, x, names)
                if trial.density >= current.density and trial.mass > current.mass:
                    limits, current, improved = candidate, trial, True
    return current


def _widened(
    limits: dict[str, tuple[float, float]], name: str, side: str, column: np.ndarray, alpha: float
) -> dict[str, tuple[float, float]] | None:
    low, high = limits[name]
    step = max(1, int(alpha * column.size))
    if side == "low":
        outside = np.sort(column[column < low])[::-1][:step]
        new = (float(outside[-1]), high) if outside.size else None
    else:
        outside = np.sort(column[column > high])[:step]
        new = (low, float(outside[-1])) if outside.size else None
    if new is None:
        return None
    widened = dict(limits)
    widened[name] = new
    return widened


def quasi_p_value(box: Box, name: str, x: np.ndarray, y: np.ndarray, names: list[str]) -> float:
    """How likely the box's cases would be if the restriction on ``name`` did nothing.

    A one-sided binomial test: the box holds ``n`` runs with ``k`` cases; without the
    restriction the density is ``p``; the quasi-p-value is ``P(K >= k)`` for ``K ~ Bin(n, p)``
    (as in the EMA Workbench). Small values mean the restriction matters.
    """
    from scipy.stats import binom

    relaxed = dict(box.limits)
    relaxed[name] = (-math.inf, math.inf)
    wider = _inside(relaxed, x, names)
    inside = _inside(box.limits, x, names)
    n, k = int(inside.sum()), int(y[inside].sum())
    p = float(y[wider].mean()) if wider.any() else 0.0
    return float(binom.sf(k - 1, n, p))


def _drop_insignificant(
    box: Box, x: np.ndarray, y: np.ndarray, names: list[str], significance: float
) -> Box:
    current = box
    while current.restricted:
        values = {n: quasi_p_value(current, n, x, y, names) for n in current.restricted}
        weakest = max(values, key=lambda n: values[n])
        if values[weakest] <= significance:
            break
        limits = dict(current.limits)
        limits[weakest] = (-math.inf, math.inf)
        current = _box(limits, _inside(limits, x, names), y, x, names)
    return current
