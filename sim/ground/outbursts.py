"""Outbursts of rebellion in a series of active counts, measured as in Epstein (2002).

An outburst is a maximal run of steps with more than ``threshold`` actives (the paper uses 50).
Its size is the number of activations (quiet -> active transitions) during the run; the paper
does not define its measure, so a second reading is kept too: the active agent-steps (the sum
of the active counts over the outburst's steps). The waiting time is the number of steps from
the end of one outburst to the start of the next.

Example:
    >>> import numpy as np
    >>> active = np.array([0, 60, 70, 0, 0, 0, 80, 0])
    >>> activations = np.array([0, 60, 30, 0, 0, 0, 80, 0])
    >>> stats = outburst_stats(active, activations)
    >>> stats.count, stats.waits.tolist(), stats.sizes.tolist(), stats.active_steps.tolist()
    (2, [3], [90, 80], [130, 80])
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

PAPER_WAIT_MEAN, PAPER_WAIT_SD = 60.0, 55.0
PAPER_SIZE_MEAN, PAPER_SIZE_SD = 708.0, 230.0


@dataclass(frozen=True)
class OutburstStats:
    """Outbursts found in one series (or pooled over several).

    Attributes:
        starts: First step of each outburst.
        peaks: Largest active count in each outburst.
        sizes: Activations during each outburst.
        waits: Steps between consecutive outbursts (one fewer than the outbursts per series).
        active_steps: Sum of the active counts over each outburst's steps.
    """

    starts: IntArray
    peaks: IntArray
    sizes: IntArray
    waits: IntArray
    active_steps: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def count(self) -> int:
        """Number of outbursts."""
        return int(self.starts.size)

    def summary(self) -> dict[str, float]:
        """Means and standard deviations of waits and sizes (NaN when undefined)."""
        return {
            "outbursts": float(self.count),
            "wait_mean": _mean(self.waits),
            "wait_sd": _sd(self.waits),
            "size_mean": _mean(self.sizes),
            "size_sd": _sd(self.sizes),
            "active_steps_mean": _mean(self.active_steps),
            "active_steps_sd": _sd(self.active_steps),
            "peak_mean": _mean(self.peaks),
        }


def _mean(values: IntArray) -> float:
    return float(values.mean()) if values.size else float("nan")


def _sd(values: IntArray) -> float:
    return float(values.std(ddof=1)) if values.size > 1 else float("nan")


def outburst_stats(
    active: npt.ArrayLike, activations: npt.ArrayLike, threshold: int = 50, burn_in: int = 0
) -> OutburstStats:
    """Find the outbursts in one series.

    Args:
        active: Active count per step.
        activations: Quiet -> active transitions per step.
        threshold: An outburst has more than this many actives.
        burn_in: Steps ignored at the start (an outburst under way there is not counted).

    Returns:
        The outbursts and the waits between them.
    """
    above = np.asarray(active)[burn_in:] > threshold
    turned = np.asarray(activations)[burn_in:]
    edges = np.diff(above.astype(np.int8), prepend=0, append=0)
    starts = np.flatnonzero(edges == 1)
    ends = np.flatnonzero(edges == -1)
    if above.size and above[0]:
        starts, ends = starts[1:], ends[1:]
    totals = np.concatenate(([0], np.cumsum(turned)))
    sizes = totals[ends] - totals[starts]
    active_tail = np.asarray(active)[burn_in:]
    active_totals = np.concatenate(([0], np.cumsum(active_tail)))
    peaks = np.array(
        [active_tail[s:e].max() for s, e in zip(starts, ends, strict=True)], dtype=np.int64
    )
    waits = starts[1:] - ends[:-1]
    return OutburstStats(
        starts=starts.astype(np.int64) + burn_in,
        peaks=peaks,
        sizes=sizes.astype(np.int64),
        waits=waits.astype(np.int64),
        active_steps=(active_totals[ends] - active_totals[starts]).astype(np.int64),
    )


def pool(stats: list[OutburstStats]) -> OutburstStats:
    """Pool the outbursts of several runs (waits are never taken across runs)."""
    return OutburstStats(
        starts=np.concatenate([s.starts for s in stats]),
        peaks=np.concatenate([s.peaks for s in stats]),
        sizes=np.concatenate([s.sizes for s in stats]),
        waits=np.concatenate([s.waits for s in stats]),
        active_steps=np.concatenate([s.active_steps for s in stats]),
    )
