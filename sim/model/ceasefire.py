"""The ceasefire: holding, strained or collapsed, with a relapse hazard.

The daily hazard of collapse starts from a base yearly risk and is cut by the presence of
troops (Fortna: peacekeepers cut relapse risk by roughly half to three quarters; troops, not
observers, do this: Hultman, Kathman and Shannon 2016), discounted for a non-UN operation
(Sambanis and Schulhofer-Wohl), and cut again by a credible third-party guarantor (Walter 1997).
Sustained violence strains the ceasefire and multiplies the hazard.
"""

from __future__ import annotations

from collections import deque
from enum import IntEnum

import numpy as np

from sim.scenario.effects import EffectsSpec

STRAIN_WINDOW_DAYS = 7


class CeasefireStatus(IntEnum):
    """Ordered so that larger is worse."""

    HOLDING = 0
    STRAINED = 1
    COLLAPSED = 2


class Ceasefire:
    """Tracks the ceasefire's status and draws its collapse.

    Args:
        effects: Effect sizes (base hazard, reductions, strain threshold and multiplier).
        rng: The stream for ceasefire draws.
    """

    def __init__(self, effects: EffectsSpec, rng: np.random.Generator) -> None:
        self.effects = effects
        self.rng = rng
        self.status = CeasefireStatus.HOLDING
        self.collapse_day: int | None = None
        self.collapse_reason = ""
        self._recent: deque[float] = deque(maxlen=STRAIN_WINDOW_DAYS)

    def daily_hazard(self, troop_cover: float, guarantor: float, compliance: float) -> float:
        """Probability of collapse today.

        Args:
            troop_cover: Troops present relative to the planned force, in [0, 1].
            guarantor: Credibility of a third-party guarantee, in [0, 1].
            compliance: Hamas's compliance with disarmament, in [0, 1].
        """
        e = self.effects
        yearly = e.base_relapse_hazard_per_year.value
        force_cut = e.relapse_reduction_with_force.value * e.non_un_discount.value * troop_cover
        guarantee_cut = e.guarantor_relapse_reduction.value * guarantor
        hazard = yearly / 365.0 * (1 - force_cut) * (1 - guarantee_cut) * (1.5 - compliance)
        if self.status is CeasefireStatus.STRAINED:
            hazard *= e.strain_hazard_multiplier.value
        return float(min(hazard, 1.0))

    def update(
        self, day: int, incidents: float, troop_cover: float, guarantor: float, compliance: float
    ) -> None:
        """Record today's incidents, update strain, and draw a collapse."""
        if self.status is CeasefireStatus.COLLAPSED:
            return
        self._recent.append(incidents)
        mean_incidents = sum(self._recent) / len(self._recent)
        strained = mean_incidents > self.effects.incidents_per_day_strain.value
        self.status = CeasefireStatus.STRAINED if strained else CeasefireStatus.HOLDING
        if self.rng.random() < self.daily_hazard(troop_cover, guarantor, compliance):
            self.status = CeasefireStatus.COLLAPSED
            self.collapse_day = day
            self.collapse_reason = (
                f"collapsed while {'strained' if strained else 'holding'}; "
                f"{mean_incidents:.1f} incidents/day over the last week"
            )

    @property
    def collapsed(self) -> bool:
        """Whether the ceasefire has collapsed."""
        return self.status is CeasefireStatus.COLLAPSED
