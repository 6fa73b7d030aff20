"""Aid through the crossings, seizures on insecure routes, and reconstruction where secure.

Aid: the day's trucks (zero if no crossing is open; cut once the ceasefire collapses) carry the
population's need in proportion to ``trucks / need``. Convoys drive along the Strip from an open
crossing to the row of their destination, by the crossing whose route is safest; each insecure
row crossed (weighted by its insecure share) risks seizure, so a convoy arrives with probability
``(1 - p) ** insecure_rows`` (``p`` lower if the force escorts convoys, the 2024 Arab-force idea).
What arrives is delivered to the cells' stocks by population, as person-days of need.

Reconstruction: a yearly budget (scaled by support for the Palestinian governance track,
:func:`governance_factor`, and by dated decisions) is
spent on cells that have been secure for long enough, in proportion to their damage; a cell's
damage falls by the money spent over the cost of rebuilding it. In the southern-fallback
scenario the IDF-held safe zone counts as secure for rebuilding.
"""

from __future__ import annotations

import numpy as np

from sim.ground.geometry import StripGeometry
from sim.ground.interfaces import BoolGrid, FloatGrid
from sim.ground.layer import GroundLayer
from sim.model import kernels
from sim.model.ceasefire import DAYS_PER_YEAR
from sim.model.scalars import unit_interval
from sim.model.territory import Territory
from sim.scenario.effects import EffectsSpec
from sim.scenario.forces import Aid
from sim.scenario.forces import Reconstruction as ReconstructionSpec


def governance_factor(support: float, effects: EffectsSpec) -> float:
    """Factor on police intake and reconstruction from support for Palestinian governance.

    Linear from ``governance_factor_none`` (no support) to ``governance_factor_full``.
    """
    low, high = effects.governance_factor_none.value, effects.governance_factor_full.value
    return low + (high - low) * unit_interval(support)


class AidSystem:
    """Daily aid delivery.

    Args:
        aid: The scenario's ``aid`` section.
        effects: Effect sizes (aid after a collapse, escorts).
        geometry: The rasterised Strip.
    """

    def __init__(self, aid: Aid, effects: EffectsSpec, geometry: StripGeometry) -> None:
        self.spec = aid
        self.effects = effects
        self.geometry = geometry
        self.crossing_rows = np.array(
            sorted({geometry.crossing_cells[c][0] for c in self.spec.crossings_open}),
            dtype=np.int64,
        )
        self._row_cells = np.maximum(geometry.land.sum(axis=1), 1).astype(np.float64)

    def arrival_share(self, secure: BoolGrid, seizure: float) -> np.ndarray:
        """Share of convoys that reach each row, by the safest route from an open crossing.

        :meth:`deliver` computes the same shares inside one compiled call (``kernels.aid_day``).
        """
        rows = self.geometry.shape[0]
        if self.crossing_rows.size == 0:
            return np.zeros(rows)
        share = np.empty(rows)
        kernels.arrival_share_into(
            self.geometry.land,
            np.ascontiguousarray(secure, dtype=np.bool_),
            self._row_cells,
            self.crossing_rows,
            seizure,
            share,
        )
        return share

    def deliver(
        self, day: int, ground: GroundLayer, secure: BoolGrid, troops: float, collapsed: bool
    ) -> dict[str, float]:
        """Deliver today's aid into the ground layer; return trucks delivered and the share."""
        spec = self.spec
        need = max(spec.need_trucks_per_day.value, 1e-9)
        trucks = spec.trucks_per_day.value if spec.crossings_open else 0.0
        if collapsed:
            trucks *= self.effects.collapse_aid_factor.value
        seizure = spec.seizure_probability_insecure.value
        if spec.convoy_escort:
            cover = min(1.0, troops / self.effects.escort_troops_for_full_cover.value)
            seizure *= 1.0 - self.effects.escort_effectiveness.value * cover
        population = np.ascontiguousarray(ground.view().population, dtype=np.float64)
        rations = np.empty(population.shape)  # person-days of need
        reached = kernels.aid_day(  # arrival_share, then the rations it brings
            self.geometry.land,
            np.ascontiguousarray(secure, dtype=np.bool_),
            self._row_cells,
            self.crossing_rows,
            seizure,
            population,
            trucks / need,
            rations,
        )
        delivered_trucks = trucks * reached
        ground.deliver_aid(rations)
        return {
            "delivered_trucks": delivered_trucks,
            "delivered_share": delivered_trucks / need,
        }


class Reconstruction:
    """Spends the reconstruction budget on cells that have been secure long enough.

    Args:
        spec: The scenario's ``reconstruction`` section.
        effects: Effect sizes (the governance factor).
        fallback_zone: Whether the IDF's southern safe zone counts as secure for rebuilding.
        geometry: The rasterised Strip.
        damage: The initial damage field (for the share repaired).
    """

    def __init__(
        self,
        spec: ReconstructionSpec,
        effects: EffectsSpec,
        fallback_zone: bool,
        geometry: StripGeometry,
        damage: FloatGrid,
    ) -> None:
        self.spec = spec
        self.effects = effects
        self.geometry = geometry
        self.fallback = fallback_zone
        self.initial_damage = float(damage.sum()) or 1.0
        self.repaired = 0.0
        self._no_zone = np.zeros(geometry.land.shape, dtype=np.bool_)
        self._zone_cache: tuple[BoolGrid, int, BoolGrid] | None = None

    def eligible(self, secure_days: FloatGrid, territory: Territory) -> BoolGrid:
        """Cells where rebuilding may proceed today."""
        eligible = np.empty(self.geometry.land.shape, dtype=np.bool_)
        kernels.eligible_into(
            np.ascontiguousarray(secure_days, dtype=np.float64),
            self.spec.secure_days_before_start.value,
            self._zone(territory),
            self.geometry.land,
            eligible,
        )
        return eligible

    def _zone(self, territory: Territory) -> BoolGrid:
        """The IDF-held part of the fallback zone when it counts (kept until the line moves)."""
        if not (self.fallback and territory.fallback is not None):
            return self._no_zone
        held, fallback = territory.idf_held, territory.fallback  # a moved line is a new array
        cache = self._zone_cache
        if cache is None or cache[0] is not held or cache[1] != fallback:
            zone = (self.geometry.governorate == fallback) & held
            cache = self._zone_cache = (held, fallback, np.ascontiguousarray(zone, dtype=np.bool_))
        return cache[2]

    def step(
        self,
        secure_days: FloatGrid,
        territory: Territory,
        damage: FloatGrid,
        support: float,
        funding_factor: float = 1.0,
    ) -> tuple[float, FloatGrid]:
        """Rebuild today: the share of the initial damage repaired so far, and today's repairs.

        ``damage`` is read only; the caller applies the repairs to the ground.
        ``funding_factor`` scales the budget (dated decisions, e.g. of the Board of Peace).
        """
        eligible = self.eligible(secure_days, territory)
        budget = (
            self.spec.funding_musd_per_year.value
            / DAYS_PER_YEAR
            * governance_factor(support, self.effects)
            * funding_factor
        )
        cost = self.spec.cost_musd_per_km2.value * self.geometry.cell_area_km2
        repair = np.empty(damage.shape)
        self.repaired += kernels.repair_into(
            np.ascontiguousarray(eligible, dtype=np.bool_),
            np.ascontiguousarray(damage, dtype=np.float64),
            budget,
            cost,
            repair,
        )
        return self.repaired / self.initial_damage, repair
