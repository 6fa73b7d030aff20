"""The ceasefire: a continuum from a violent but holding truce to collapse, with a relapse hazard.

A ceasefire in Gaza "holds" while people are still killed every day (IDF fire along the line,
strikes answering attacks, clan and reprisal violence: see :mod:`sim.model.violence`). What
can end it is a collapse, drawn each day from a hazard built from conditions in absolute terms
(the ``conditions`` form, the default):

    hazard = H / 365 * (1 - r_force * u_nonUN * cover) * (1 - r_guarantor * g)
             * (1 - r_compliance * k) * M ** min(1, strain)

* ``H`` (``base_relapse_hazard_per_year``): yearly relapse risk of an unguarded, non-complying
  truce (Gaza's own truces since 2014; civil-war relapse rates, Fortna 2008);
* ``cover`` in [0, 1]: the share of residents living where the force holds ground, times the
  force's density there relative to ``density_contested`` (Quinlivan); troops that never reach
  the population protect no one (Hultman, Kathman and Shannon 2016: troops, not plans);
* ``g``: a credible third-party guarantor (Walter 1997);
* ``k``: Hamas's compliance (``compliance_relapse_reduction`` of the risk goes with it);
* ``strain``: the 7-day mean of armed-group incidents and IDF strikes over
  ``incidents_per_day_strain``; at or above 1 the hazard is ``strain_hazard_multiplier`` times
  higher and the status reads "strained".

The ``constant`` form (a null model for structural comparisons) keeps only ``H``.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from sim.model import kernels
from sim.model.scalars import PER_THOUSAND, unit_interval
from sim.scenario.effects import EffectsSpec
from sim.scenario.structure import HazardForm

STRAIN_WINDOW_DAYS = 7
DAYS_PER_YEAR = 365.0


class CeasefireStatus(IntEnum):
    """Ordered so that larger is worse."""

    HOLDING = 0
    STRAINED = 1
    COLLAPSED = 2


@dataclass(frozen=True)
class Conditions:
    """What the hazard reads on one day (all in absolute terms).

    Attributes:
        cover: Share of residents where the force holds ground, times its density there over
            the contested density (capped at 1), in [0, 1].
        guarantor: Credibility of a third-party guarantee, in [0, 1].
        compliance: Hamas's compliance with disarmament, in [0, 1].
        violence: Today's armed-group incidents plus IDF strikes.
    """

    cover: float
    guarantor: float
    compliance: float
    violence: float


def force_cover(
    population: np.ndarray, area: np.ndarray, troops_per_cell: np.ndarray, contested: float
) -> float:
    """Population share covered by the force, weighted by its density against ``contested``.

    Args:
        population: Residents per cell.
        area: Cells the force holds.
        troops_per_cell: Force troops per cell.
        contested: Troops per 1,000 residents at which contested ground is held.
    """
    people, held, troops = kernels.held_sums(
        np.ascontiguousarray(population, dtype=np.float64),
        np.ascontiguousarray(area, dtype=np.bool_),
        np.ascontiguousarray(troops_per_cell, dtype=np.float64),
    )
    if people <= 0.0 or held <= 0.0 or contested <= 0.0:
        return 0.0
    density = PER_THOUSAND * float(troops) / float(held)
    return float(held / people) * min(1.0, density / contested)


class Ceasefire:
    """Tracks the ceasefire's status and draws its collapse.

    The collapse is drawn once, as an exponential threshold on the cumulative hazard (the
    inverse-transform form of a daily Bernoulli draw with the same distribution): with common
    random numbers, a scenario whose hazard is higher every day collapses no later.

    Args:
        effects: Effect sizes (base hazard, reductions, strain threshold and multiplier).
        rng: The stream for ceasefire draws.
        form: Structural form of the hazard.
    """

    def __init__(
        self,
        effects: EffectsSpec,
        rng: np.random.Generator,
        form: HazardForm = HazardForm.CONDITIONS,
    ) -> None:
        self.effects = effects
        self.rng = rng
        self.form = form
        self.status = CeasefireStatus.HOLDING
        self.collapse_day: int | None = None
        self.collapse_reason = ""
        self.hazard = 0.0
        self.strain = 0.0
        self.cumulative_hazard = 0.0
        self._threshold = float(rng.exponential())
        self._recent: deque[float] = deque(maxlen=STRAIN_WINDOW_DAYS)

    def daily_hazard(self, conditions: Conditions, strain: float) -> float:
        """Probability of collapse today, given the conditions and the strain index."""
        e = self.effects
        base = e.base_relapse_hazard_per_year.value / DAYS_PER_YEAR
        if self.form is HazardForm.CONSTANT:
            return float(min(base, 1.0))
        force_cut = e.relapse_reduction_with_force.value * e.non_un_discount.value
        hazard = (
            base
            * (1.0 - force_cut * unit_interval(conditions.cover))
            * (1.0 - e.guarantor_relapse_reduction.value * conditions.guarantor)
            * (1.0 - e.compliance_relapse_reduction.value * conditions.compliance)
            * e.strain_hazard_multiplier.value ** min(1.0, strain)
        )
        return float(min(hazard, 1.0))

    def update(self, day: int, conditions: Conditions) -> None:
        """Record today's violence, update strain, and draw a collapse."""
        if self.status is CeasefireStatus.COLLAPSED:
            self.hazard = 0.0
            return
        self._recent.append(conditions.violence)
        mean_violence = sum(self._recent) / len(self._recent)
        self.strain = mean_violence / max(self.effects.incidents_per_day_strain.value, 1e-9)
        strained = self.strain >= 1.0
        self.status = CeasefireStatus.STRAINED if strained else CeasefireStatus.HOLDING
        self.hazard = self.daily_hazard(conditions, self.strain)
        self.cumulative_hazard -= float(np.log1p(-min(self.hazard, 1.0 - 1e-12)))
        if self.cumulative_hazard >= self._threshold:
            self.status = CeasefireStatus.COLLAPSED
            self.collapse_day = day
            self.collapse_reason = (
                f"collapsed while {'strained' if strained else 'holding'}; "
                f"{mean_violence:.1f} incidents and strikes/day over the last week, "
                f"force cover {conditions.cover:.2f}"
            )

    @property
    def collapsed(self) -> bool:
        """Whether the ceasefire has collapsed."""
        return self.status is CeasefireStatus.COLLAPSED
