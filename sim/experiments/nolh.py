"""Nearly orthogonal Latin hypercubes (NOLH) for data farming.

The SEED Center's designs (Cioppa and Lucas, 2007) give 17 runs for up to 7 factors, 33 for up
to 11, 65 for up to 16 and 129 for up to 22. We do not copy their published tables. We build
designs of the same sizes with the same acceptance criteria, by a seeded stochastic search:

* every column is a Latin hypercube: a permutation of the ``n`` equally spaced levels;
* the largest absolute pairwise correlation between columns is at most 0.03;
* the condition number of the correlation matrix is at most 1.13.

The search is simulated annealing over swaps of two levels within one column, minimising the
sum of fourth powers of the off-diagonal column cross-products (which pushes down the largest
correlation first). It is seeded, so the same request always yields the same design. Unlike
the published designs it does not also optimise space-filling (discrepancy); quadratic and
interaction terms are not made orthogonal to main effects.

Example:
    >>> levels = nolh_levels(5)
    >>> levels.shape
    (17, 5)
    >>> max_abs_correlation(levels) <= 0.03
    True
"""

from __future__ import annotations

import functools

import numpy as np

NOLH_SIZES: tuple[tuple[int, int], ...] = ((7, 17), (11, 33), (16, 65), (22, 129))
"""(most factors, runs) of the standard NOLH sizes."""

MAX_CORRELATION = 0.03
MAX_CONDITION = 1.13
_SEARCH_SEED = 20071_2  # fixed: a design is a function of its size only
_ITERATIONS = 60_000
_RESTARTS = 6


def runs_for(factors: int) -> int:
    """The number of runs of the smallest standard NOLH that takes ``factors`` factors."""
    if factors < 1:
        raise ValueError("a NOLH needs at least one factor")
    for most, runs in NOLH_SIZES:
        if factors <= most:
            return runs
    largest = NOLH_SIZES[-1][0]
    raise ValueError(
        f"{factors} factors is more than the largest NOLH here ({largest}); choose fewer "
        "factors or use a Latin hypercube design (design lhs)"
    )


def max_abs_correlation(design: np.ndarray) -> float:
    """The largest absolute correlation between two columns."""
    if design.shape[1] < 2:
        return 0.0
    corr = np.corrcoef(design, rowvar=False)
    return float(np.max(np.abs(corr - np.eye(design.shape[1]))))


def condition_number(design: np.ndarray) -> float:
    """Condition number of the columns' correlation matrix (1 for an orthogonal design)."""
    if design.shape[1] < 2:
        return 1.0
    return float(np.linalg.cond(np.corrcoef(design, rowvar=False)))


@functools.lru_cache(maxsize=16)
def nolh_levels(factors: int, runs: int | None = None) -> np.ndarray:
    """A NOLH as integer levels ``-k..k`` (``runs = 2k + 1``), one column per factor.

    Args:
        factors: Number of factors (columns).
        runs: Number of runs; defaults to the standard size for ``factors``.

    Returns:
        An ``(runs, factors)`` integer array (read-only, cached).

    Raises:
        ValueError: If no design meeting the criteria was found (too many factors for ``runs``).
    """
    runs = runs or runs_for(factors)
    if runs % 2 == 0 or runs < 3:
        raise ValueError("a NOLH here has an odd number of runs >= 3")
    best: np.ndarray | None = None
    best_score = np.inf
    rng = np.random.default_rng(_SEARCH_SEED + 1000 * factors + runs)
    for _ in range(_RESTARTS):
        candidate = _anneal(runs, factors, rng)
        score = max_abs_correlation(candidate)
        if condition_number(candidate) > MAX_CONDITION:
            score += 1.0  # rank ill-conditioned candidates last
        if score < best_score:
            best, best_score = candidate, score
        if score <= 2 * MAX_CORRELATION / 3:
            break
    assert best is not None
    if best_score > MAX_CORRELATION or condition_number(best) > MAX_CONDITION:
        raise ValueError(
            f"no nearly orthogonal design of {runs} runs found for {factors} factors "
            f"(best max |correlation| {best_score:.3f}); use more runs"
        )
    best.setflags(write=False)
    return best


def _anneal(runs: int, factors: int, rng: np.random.Generator) -> np.ndarray:
    half = (runs - 1) // 2
    levels = np.arange(-half, half + 1)
    design = np.stack([rng.permutation(levels) for _ in range(factors)], axis=1)
    gram = design.T @ design
    diagonal = float(gram[0, 0])
    temperature = start = (0.05 * diagonal) ** 4
    best, best_max = design.copy(), _off_max(gram)
    good_enough = int(MAX_CORRELATION / 2 * diagonal)
    for _ in range(_ITERATIONS if factors > 1 else 0):
        column = int(rng.integers(factors))
        i, j = rng.choice(runs, 2, replace=False)
        proposal = design[:, column].copy()
        proposal[i], proposal[j] = proposal[j], proposal[i]
        products = design.T @ proposal
        delta = _column_cost(products, column) - _column_cost(gram[:, column], column)
        if delta <= 0 or rng.random() < np.exp(-delta / temperature):
            design[:, column] = proposal
            gram[:, column] = products
            gram[column, :] = products
            gram[column, column] = diagonal
            current = _off_max(gram)
            if current < best_max:
                best, best_max = design.copy(), current
                if current <= good_enough:
                    break
        temperature = max(start * 1e-6, temperature * 0.9996)
    return best


def _column_cost(products: np.ndarray, column: int) -> float:
    off = np.abs(products).astype(float)
    off[column] = 0.0
    return float(np.sum(off**4))


def _off_max(gram: np.ndarray) -> int:
    return int(np.max(np.abs(gram - np.diag(np.diag(gram)))))


def nolh_unit(factors: int, runs: int | None = None) -> np.ndarray:
    """The NOLH scaled to [0, 1] (level ``-k`` -> 0, ``k`` -> 1)."""
    levels = nolh_levels(factors, runs)
    half = (levels.shape[0] - 1) // 2
    return (levels + half) / (2 * half)
