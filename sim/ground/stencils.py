"""Small neighbourhood operations on grid-shaped arrays (cells outside the grid count as zero)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sim.ground.interfaces import FloatGrid

OFF_GRID_COST = 1e12
"""Cost of a cell nobody may move to (finite, so that differences stay defined)."""

DIRECTIONS: tuple[tuple[int, int], ...] = tuple(
    (dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if (dy, dx) != (0, 0)
)


def pad_zeros(values: FloatGrid, width: int, fill: float = 0.0) -> FloatGrid:
    """``values`` surrounded by ``width`` cells of ``fill`` (a lean ``np.pad`` for 2-D floats)."""
    rows, cols = values.shape
    padded = np.full((rows + 2 * width, cols + 2 * width), fill)
    padded[width : width + rows, width : width + cols] = values
    return padded


def box_sum(values: FloatGrid, radius: int) -> FloatGrid:
    """Sum of ``values`` over the (2r+1) x (2r+1) square around each cell, centre included.

    Example:
        >>> box_sum(np.ones((3, 3)), 1)[1, 1], box_sum(np.ones((3, 3)), 1)[0, 0]
        (np.float64(9.0), np.float64(4.0))
    """
    if radius == 0:
        return values.astype(float, copy=True)
    side = 2 * radius + 1
    rows, cols = values.shape
    padded = pad_zeros(values, radius)
    # Separable sums of shifted slices: exact, unlike differences of running sums.
    down = padded[0:rows].copy()
    for shift in range(1, side):
        down += padded[shift : shift + rows]
    total = down[:, 0:cols].copy()
    for shift in range(1, side):
        total += down[:, shift : shift + cols]
    return total


class LandNeighbours:
    """The eight neighbours of every land cell, as a table over the land cells only.

    Args:
        land: Which grid cells are land.
    """

    def __init__(self, land: npt.NDArray[np.bool_]) -> None:
        self.land = land
        self.count = int(land.sum())
        numbering = np.full(land.shape, self.count, dtype=np.int64)
        numbering[land] = np.arange(self.count)
        padded = np.full((land.shape[0] + 2, land.shape[1] + 2), self.count, dtype=np.int64)
        padded[1:-1, 1:-1] = numbering
        rows, cols = np.nonzero(land)
        # Off-land neighbours point at a sentinel slot one past the last land cell.
        self.table = np.stack([padded[rows + 1 + dy, cols + 1 + dx] for dy, dx in DIRECTIONS], 1)

    def flow_downhill(
        self, movers: FloatGrid, cost: FloatGrid, room: FloatGrid
    ) -> tuple[FloatGrid, FloatGrid]:
        """Send ``movers`` from each land cell to its neighbours with a lower ``cost``.

        Each neighbour's share is proportional to how much lower its cost is times its ``room``
        (willingness to take arrivals, in [0, 1]). Movers with no better neighbour stay.

        Args:
            movers: Persons leaving each land cell if they can (land-cell vector).
            cost: What people flee (danger), lower is better (land-cell vector).
            room: Room at each land cell (land-cell vector).

        Returns:
            ``(arrivals, departures)`` per land cell; their totals are equal.
        """
        cost_ext = np.append(cost, OFF_GRID_COST)
        room_ext = np.append(room, 0.0)
        pull = np.maximum(cost[:, None] - cost_ext[self.table], 0.0) * room_ext[self.table]
        total = pull.sum(axis=1)
        leaving = np.where(total > 0.0, movers, 0.0)
        scale = np.divide(leaving, total, out=np.zeros_like(total), where=total > 0.0)
        arrivals = np.bincount(
            self.table.ravel(), weights=(pull * scale[:, None]).ravel(), minlength=self.count + 1
        )
        return arrivals[: self.count], leaving
