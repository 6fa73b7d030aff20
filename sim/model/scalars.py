"""Scalar helpers for the day loop (numpy's functions cost microseconds on Python floats)."""

from __future__ import annotations

PER_THOUSAND = 1000.0
"""Densities are per 1,000 residents (Quinlivan's force ratios)."""


def unit_interval(value: float) -> float:
    """``value`` clipped to [0, 1] (NaN stays NaN, as with ``np.clip``).

    Example:
        >>> unit_interval(-0.5), unit_interval(0.25), unit_interval(3.0)
        (0.0, 0.25, 1.0)
    """
    return min(max(float(value), 0.0), 1.0)
