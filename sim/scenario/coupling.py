"""How ground events move the political layer: sizes of the shocks (all assumptions).

No source measures how far a capital's position moves per soldier lost; these sizes are
assumptions with wide ranges, and the sensitivity analysis shows how much they matter.
"""

from __future__ import annotations

from sim.scenario.base import Scale100 as Shift
from sim.scenario.base import StrictModel as Strict
from sim.scenario.provenance import Sourced, assumed, unit_field


class CouplingSpec(Strict):
    """Shock sizes from ground events to bargaining positions (0-100 scale)."""

    contributor_mandate_shift_per_death: Sourced[Shift] = unit_field(
        "A contributor's position on mandate robustness falls this much per own death",
        "points/death",
        assumed(1.0, 0.2, 5.0, note="casualty aversion; the Beirut 1983 withdrawal"),
    )
    israel_withdrawal_shift_per_death: Sourced[Shift] = unit_field(
        "Israel's position on withdrawal falls this much per IDF death",
        "points/death",
        assumed(3.0, 0.5, 10.0),
    )
    arab_withdrawal_shift_per_100_deaths: Sourced[Shift] = unit_field(
        "Arab states' and Turkey's push for IDF withdrawal per 100 civilians killed in strikes",
        "points/100 deaths",
        assumed(5.0, 1.0, 20.0),
    )
    israel_withdrawal_shift_per_decommissioned: Sourced[Shift] = unit_field(
        "Israel's position on withdrawal rises per percentage point of weapons decommissioned",
        "points/percentage point",
        assumed(0.5, 0.1, 2.0),
    )
    collapse_hamas_shift: Sourced[Shift] = unit_field(
        "Hamas's position on disarmament falls this much when the ceasefire collapses",
        "points",
        assumed(30.0, 10.0, 60.0),
    )
    collapse_israel_shift: Sourced[Shift] = unit_field(
        "Israel's position on withdrawal falls this much when the ceasefire collapses",
        "points",
        assumed(40.0, 10.0, 80.0),
    )
