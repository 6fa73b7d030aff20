"""Torus-lattice machinery of the Epstein paper mode, and the arrest probability.

Sites are flat indices ``y * width + x``. Each site's neighbours within vision sit in a
precomputed table; the paper mode's kernels (:mod:`sim.ground.epstein_kernels`) count, choose
and move through it. The arrest probability is also used by the Gaza ground layer.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sim.ground.epstein_kernels import Vision, count_sources
from sim.scenario.ground import Neighbourhood, RatioRule

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


def vision_offsets(radius: int, shape: Neighbourhood) -> tuple[IntArray, IntArray]:
    """Offsets (dy, dx) of the sites an agent sees, excluding its own site.

    Args:
        radius: Vision in sites.
        shape: ``von_neumann`` (|dy| + |dx| <= r, Mesa's default), ``moore`` (a square) or
            ``circle`` (dy^2 + dx^2 <= r^2, NetLogo's ``in-radius``).

    Returns:
        Two integer arrays of equal length.
    """
    span = np.arange(-radius, radius + 1)
    dy, dx = (a.ravel() for a in np.meshgrid(span, span, indexing="ij"))
    keep = (dy != 0) | (dx != 0)
    if shape == "von_neumann":
        keep &= np.abs(dy) + np.abs(dx) <= radius
    elif shape == "circle":
        keep &= dy**2 + dx**2 <= radius**2
    return dy[keep].astype(np.int64), dx[keep].astype(np.int64)


class TorusLattice:
    """A height x width torus with one vision neighbourhood.

    Args:
        height: Rows.
        width: Columns.
        radius: Vision in sites.
        shape: Neighbourhood shape.
    """

    def __init__(self, height: int, width: int, radius: int, shape: Neighbourhood) -> None:
        self.height = height
        self.width = width
        self.size = height * width
        if 2 * radius + 1 > min(height, width):
            raise ValueError(
                f"a {height} x {width} torus is too small for vision {radius}: "
                f"both sides must be at least {2 * radius + 1}"
            )
        dy, dx = vision_offsets(radius, shape)
        rows, cols = np.divmod(np.arange(self.size, dtype=np.int64), width)
        self.neighbours: IntArray = ((rows[:, None] + dy) % height) * width + (
            cols[:, None] + dx
        ) % width
        span = np.array([np.abs(dx[dy == row]).max() for row in range(-radius, radius + 1)])
        assert (2 * span + 1).sum() - 1 == dy.size, "vision rows must be contiguous"
        self.vision: Vision = (height, width, span.astype(np.int64), dy, dx)
        """The neighbourhood as the kernels take it (rows are contiguous runs of sites)."""

    @property
    def neighbourhood_size(self) -> int:
        """Sites within vision (excluding the centre)."""
        return int(self.neighbours.shape[1])

    def count_within_vision(self, fields: FloatArray) -> FloatArray:
        """For each site, the sum of each field over the sites within vision.

        Args:
            fields: Shape ``(n_fields, size)``: per-site indicators.

        Returns:
            Shape ``(n_fields, size)``: the counts, as exact integers stored in floats.
        """
        rows = np.ascontiguousarray(fields, dtype=np.float64).reshape(-1, self.size)
        counts: FloatArray = count_sources(self.vision, rows)
        return counts.reshape(fields.shape)


def arrest_probability(
    cops: FloatArray, actives: FloatArray, k: float, rule: RatioRule
) -> FloatArray:
    """Epstein's estimated arrest probability ``P = 1 - exp(-k f(C / A))``.

    Args:
        cops: C, security forces within vision.
        actives: A, actives within vision counting oneself (so A >= 1).
        k: The arrest constant.
        rule: ``literal`` (the paper), ``floor`` (NetLogo) or ``round`` (Mesa).

    Returns:
        P for each entry.
    """
    ratio = cops / actives
    if rule == "floor":
        ratio = np.floor(ratio)
    elif rule == "round":
        ratio = np.round(ratio)
    return 1.0 - np.exp(-k * ratio)
