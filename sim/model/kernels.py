"""Compiled kernels for the model's small daily computations (numba, cached on disk).

Same arithmetic as the vectorised code they replace; each keeps its Python source as
``kernel.py_func`` for tests and coverage.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def arrival_share_into(
    land: np.ndarray,
    secure: np.ndarray,
    row_cells: np.ndarray,
    crossing_rows: np.ndarray,
    seizure: float,
    out: np.ndarray,
) -> None:  # pragma: no cover
    """Share of convoys reaching each row by the safest route from an open crossing.

    A convoy crossing a row loses ``seizure`` times the row's insecure land share; the route is
    the one from the crossing with the fewest insecure rows on the way (both ends included).
    """
    rows, cols = land.shape
    cumulative = np.zeros(rows + 1)
    for r in range(rows):
        insecure = 0
        for c in range(cols):
            if land[r, c] and not secure[r, c]:
                insecure += 1
        cumulative[r + 1] = cumulative[r] + insecure / row_cells[r]
    keep = 1.0 - seizure
    for r in range(rows):
        crossed = np.inf
        for x in crossing_rows:
            start, stop = min(r, x), max(r, x) + 1
            crossed = min(crossed, cumulative[stop] - cumulative[start])
        out[r] = keep**crossed
