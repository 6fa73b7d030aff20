"""Scalar helpers for the day loop (numpy's functions cost microseconds on Python floats)."""

from __future__ import annotations


def unit_interval(value: float) -> float:
    """``value`` clipped to [0, 1] (NaN stays NaN, as with ``np.clip``).

    Example:
        >>> unit_interval(-0.5), unit_interval(0.25), unit_interval(3.0)
        (0.0, 0.25, 1.0)
    """
    return min(max(float(value), 0.0), 1.0)
