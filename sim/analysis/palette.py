"""Colours, declared once: one colour per scenario everywhere, and the verdict colours.

Scenario colours never use the verdict colours (green = better, red = worse, grey = unclear),
so a red mark always means "worse" and never "this scenario". The four corners of the headline
2x2 have fixed colours; other scenarios take the remaining colours in the order they are listed,
so a comparison drawn in the app and the report made from it colour each scenario alike.
"""

from __future__ import annotations

from collections.abc import Sequence

from sim.scenario.names import HEADLINE_2X2

VERDICT_COLOURS = {"better": "#1a9850", "worse": "#d73027", "unclear": "#969696"}
"""Green, red and grey: the only colours that carry a judgement."""

SCENARIO_PALETTE = (
    "#0072b2",  # blue
    "#56b4e9",  # sky blue
    "#e69f00",  # orange
    "#6a3d9a",  # purple
    "#cc79a7",  # pink
    "#8c564b",  # brown
    "#17becf",  # teal
    "#b8860b",  # dark gold
    "#393b79",  # indigo
    "#7f7f7f",  # mid grey (darker than the verdict grey)
)
"""Colour-blind-friendly colours for scenarios, none of them green or red."""

FIXED = dict(zip(HEADLINE_2X2, SCENARIO_PALETTE[:4], strict=True))
"""The 2x2's corners: accepts in blues, rejects in orange and purple."""


def scenario_colours(scenarios: Sequence[str]) -> dict[str, str]:
    """A colour per scenario: the 2x2's fixed ones; others take the remaining colours in order.

    >>> scenario_colours(["mine", "hamas-rejects-turkey-vetoed"])
    {'mine': '#cc79a7', 'hamas-rejects-turkey-vetoed': '#6a3d9a'}
    """
    names = list(dict.fromkeys(scenarios))
    colours = {name: FIXED[name] for name in names if name in FIXED}
    free = [c for c in SCENARIO_PALETTE if c not in FIXED.values()]  # a corner's colour is its own
    others = [name for name in names if name not in colours]
    for i, name in enumerate(others):
        colours[name] = free[i % len(free)]
    return {name: colours[name] for name in names}
