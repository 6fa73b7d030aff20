"""Scenario names: the one rule for a safe name, and the headline 2x2 declared once.

The 2x2 crosses the plan's two headline decisions: whether Hamas accepts disarmament and
whether Israel's veto keeps Turkey's contingent out of the force. Its four scenario files live
in ``scenarios/`` under these names (``NAME.yaml``).
"""

from __future__ import annotations

import re

HEADLINE_2X2: tuple[str, ...] = (
    "hamas-accepts-turkey-included",
    "hamas-accepts-turkey-vetoed",
    "hamas-rejects-turkey-included",
    "hamas-rejects-turkey-vetoed",
)
"""The four corners, the plan's hopeful corner first."""

HEADLINE_2X2_FILES: tuple[str, ...] = tuple(f"{name}.yaml" for name in HEADLINE_2X2)
"""The same corners as file names inside the scenarios folder."""

MAX_NAME_LENGTH = 80
_UNSAFE = re.compile(r"[^a-z0-9_-]+")


def safe_name(text: str, fallback: str = "scenario") -> str:
    """A valid ``metadata.name`` (and file name) from any text.

    Lower case; a decimal point becomes ``p`` (``0.5`` -> ``0p5``, so numbers stay readable);
    every other run of characters outside ``a-z 0-9 _ -`` becomes ``-``; leading and trailing
    separators are dropped; at most 80 characters; ``fallback`` when nothing is left.

    >>> safe_name("  My Scenario #2 ")
    'my-scenario-2'
    >>> safe_name("troops 0.5")
    'troops-0p5'
    >>> safe_name("///")
    'scenario'
    """
    cleaned = _UNSAFE.sub("-", text.strip().lower().replace(".", "p")).strip("-_")
    return (cleaned or fallback)[:MAX_NAME_LENGTH]
