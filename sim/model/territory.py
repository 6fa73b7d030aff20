"""Who holds which ground: the IDF's line, the force's sectors, and how secure each cell is.

* The IDF holds the eastern part of every row (the yellow line). It pulls back only as the plan's
  stages are met: sectors handed to the force AND weapons verifiably decommissioned
  (``decommissioned_for_first_stage`` to reach ``share_when_force_deploys``,
  ``decommissioned_for_perimeter`` to reach the perimeter), and never further than Israel
  consents to (the withdrawal lever). It re-enters after a week of heavy violence, advances to
  ``held_share_at_war`` once the ceasefire collapses (or to an ultimatum's share once it expires
  unmet), and takes the southern fallback zone whole when the scenario says so.
* The force takes over governorates in the scenario's order, no faster than the schedule and
  only while its troops can hold them at a peaceful density (Quinlivan's bands); a sector that
  Hamas holds is taken with Hamas's consent, or by a force with a robust mandate and the troops
  to coerce.
* A cell is secure when (1) the force holds it, (2) the force's local density (police weighted by
  the local-forces bonus) reaches the absolute band between the peaceful and the hostile
  densities that local hostility sets (Quinlivan), and (3) no armed group controls it: the
  security personnel there are at least the control ratio (``coercive_entry_ratio_share`` of
  Dupuy's decisive ratio, the ratio at which a force takes ground without consent) times the
  armed fighters (fighters who still have a weapon).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.ground.geometry import StripGeometry
from sim.ground.interfaces import BoolGrid, FloatGrid
from sim.model import kernels
from sim.model.scalars import PER_THOUSAND, unit_interval
from sim.scenario.effects import EffectsSpec
from sim.scenario.forces import Deployment, IdfPosture


@dataclass
class SectorState:
    """The force's progress through the governorates.

    A sector is taken in full (the force secures it west of the line too: consent, or a
    mandate and the troops to coerce) or for handover only (the force holds just the ground the
    IDF hands over there, as the plan foresees if Hamas rejects).
    """

    order: list[int]
    taken: int = 0
    next_due_day: int = 0
    taken_days: list[int] = field(default_factory=list)
    full: list[int] = field(default_factory=list)

    def held_mask(self, geometry: StripGeometry) -> BoolGrid:
        """Land cells in sectors the force has taken (either way)."""
        return np.isin(geometry.governorate, self.order[: self.taken])

    def full_mask(self, geometry: StripGeometry) -> BoolGrid:
        """Land cells in sectors the force has taken in full."""
        return np.isin(geometry.governorate, self.full)


class Territory:
    """Tracks the yellow line, the force's sectors and cell security.

    Args:
        scenario: The scenario (deployment order and pace, IDF posture, effects).
        geometry: The rasterised Strip.
    """

    def __init__(
        self,
        idf: IdfPosture,
        deployment: Deployment,
        effects: EffectsSpec,
        geometry: StripGeometry,
    ) -> None:
        self.geometry = geometry
        self.effects = effects
        self.idf = idf
        ids = list(geometry.governorate_ids)
        order = [ids.index(g) for g in deployment.expansion_order if g in ids]
        self.sectors = SectorState(order=order)
        self.days_per_sector = deployment.days_per_sector.value
        self.fallback = (
            ids.index(idf.fallback_governorate)
            if idf.fallback_zone and idf.fallback_governorate in ids
            else None
        )
        self.entry = ids.index(deployment.entry_governorate)
        self.held_share = float(idf.held_share.value)
        self.floor_share = 0.0
        """Share the IDF holds at least (set when an ultimatum expires unmet)."""
        self.reentry_until = -1
        self.line_version = 0
        """Bumped whenever the IDF-held cells change (lets callers cache what depends on them)."""
        self._area_cache: tuple[tuple[int, int, int], BoolGrid] | None = None
        self.idf_held = self._held_cells(self.held_share)
        self._held_key: tuple[float, bool] = (
            self.held_share,
            self.fallback in self._taken_sectors(),
        )
        self._initially_held = self.idf_held.copy()
        self.secure_days = np.zeros(geometry.shape)
        self._staging_cache: tuple[int, BoolGrid] = (-1, np.zeros(0, dtype=bool))

    # -- the IDF's line ------------------------------------------------------------------------

    def _held_cells(self, share: float) -> BoolGrid:
        geometry = self.geometry
        held = geometry.land & (geometry.across_fraction >= 1.0 - share)
        if self.fallback is not None and self.fallback not in self._taken_sectors():
            # The southern safe zone stays with the IDF until the force takes it over.
            held = held | (geometry.governorate == self.fallback)
        return held

    def _taken_sectors(self) -> list[int]:
        return self.sectors.order[: self.sectors.taken]

    def update_line(
        self,
        day: int,
        withdrawal_will: float,
        weekly_incidents: float,
        collapsed: bool,
        decommissioned: float,
    ) -> None:
        """Move the yellow line for today.

        Args:
            day: Today.
            withdrawal_will: The withdrawal Israel consents to, in [0, 1] of the way from the
                starting line to the perimeter.
            weekly_incidents: Incidents over the last seven days.
            collapsed: Whether the ceasefire has collapsed.
            decommissioned: Cumulative share of weapons verifiably decommissioned.
        """
        idf = self.idf
        start = idf.held_share.value
        if collapsed:
            target = max(start, idf.held_share_at_war.value)
        else:
            if weekly_incidents > idf.reentry_incidents_per_week.value:
                self.reentry_until = day + self.effects.reentry_days.value
            if day <= self.reentry_until:
                target = start
            else:
                progress = self._handover_progress(day)
                target = start - self.withdrawal(progress, decommissioned, withdrawal_will)
        self.held_share = unit_interval(max(target, self.floor_share))
        key = (self.held_share, self.fallback in self._taken_sectors())
        if key == self._held_key:
            return  # the same share and safe zone: the same cells
        self._held_key = key
        held = self._held_cells(self.held_share)
        if not np.array_equal(held, self.idf_held):
            self.idf_held = held
            self.line_version += 1

    def withdrawal(self, progress: float, decommissioned: float, will: float) -> float:
        """Share of the Strip the IDF has handed back: staged, verified, and consented to.

        Stage 1 (start -> ``share_when_force_deploys``) needs sectors handed over and
        ``decommissioned_for_first_stage`` of the weapons; stage 2 (-> the perimeter) moves with
        the share of sectors handed over and the decommissioning between the two milestones.
        Israel's consent caps the total at ``will`` of the way to the perimeter.
        """
        idf = self.idf
        start = idf.held_share.value
        staged = min(start, idf.share_when_force_deploys.value)
        perimeter = min(staged, idf.security_perimeter_share.value)
        first, last = (
            idf.decommissioned_for_first_stage.value,
            idf.decommissioned_for_perimeter.value,
        )
        handed = 1.0 if progress > 0.0 else 0.0
        stage1 = handed * (min(1.0, decommissioned / first) if first > 0.0 else 1.0)
        span = max(last - first, 1e-9)
        stage2 = progress * unit_interval((decommissioned - first) / span)
        withdrawn = (start - staged) * stage1 + (staged - perimeter) * stage2
        return float(min(withdrawn, max(will, 0.0) * (start - perimeter)))

    def _handover_progress(self, day: int) -> float:
        """Share of the sectors taken over at least ``handover_days`` ago."""
        if not self.sectors.order:
            return 0.0
        lag = self.effects.handover_days.value
        done = sum(1 for taken_day in self.sectors.taken_days if day - taken_day >= lag)
        return done / len(self.sectors.order)

    # -- the force's sectors -------------------------------------------------------------------

    def expand(
        self,
        day: int,
        effective_troops: float,
        population: FloatGrid,
        consent: float,
        can_coerce: bool,
        fighters: FloatGrid,
    ) -> bool:
        """Take the next sector if it is due and holdable; return whether one was taken.

        Args:
            day: Today.
            effective_troops: Troops and police, weighted for coordination and rules of
                engagement.
            population: Residents per cell.
            consent: Hamas's consent to the force's presence, in [0, 1].
            can_coerce: Whether the force has the mandate and will to coerce.
            fighters: Armed-group fighters per cell.
        """
        state = self.sectors
        if state.taken >= len(state.order) or day < state.next_due_day or effective_troops <= 0:
            return False
        index = state.order[state.taken]
        nxt = self.geometry.governorate == index
        effects = self.effects
        fighters_there = float(fighters[self.sectors.held_mask(self.geometry) | nxt].sum())
        ratio = effective_troops / max(fighters_there, 1.0)
        needed_ratio = effects.decisive_force_ratio.value * effects.coercive_entry_ratio_share.value
        full = consent >= effects.presence_consent_threshold.value or (
            can_coerce and ratio >= needed_ratio
        )
        covered = self.force_area() | (nxt & (~self.idf_held if full else self._handed))
        needed = (
            self.effects.density_peaceful.value * float(population[covered].sum()) / PER_THOUSAND
        )
        if effective_troops < needed:
            return False
        state.taken += 1
        if full:
            state.full.append(index)
        state.next_due_day = day + self.days_per_sector
        state.taken_days.append(day)
        return True

    @property
    def _handed(self) -> BoolGrid:
        """Cells the IDF held at the start and has since left."""
        return self._initially_held & ~self.idf_held

    def force_area(self) -> BoolGrid:
        """Cells the force holds: its full sectors west of the line, and ground handed over.

        Cached until the line moves or a sector is taken (it is read several times a day).
        """
        key = (self.line_version, self.sectors.taken, len(self.sectors.full))
        if self._area_cache is None or self._area_cache[0] != key:
            geometry = self.geometry
            full = self.sectors.full_mask(geometry) & ~self.idf_held
            handed = self.sectors.held_mask(geometry) & self._handed
            self._area_cache = (key, (full | handed) & geometry.land)
        return self._area_cache[1]

    # -- security ------------------------------------------------------------------------------

    def staging(self) -> BoolGrid:
        """Where troops wait when they hold no ground: the IDF-held part of the entry sector."""
        if self._staging_cache[0] != self.line_version:  # cached until the line moves
            staging = self.idf_held & (self.geometry.governorate == self.entry)
            self._staging_cache = (self.line_version, staging)
        return self._staging_cache[1]

    def secure_cells(
        self,
        force_density: FloatGrid,
        hostility: FloatGrid,
        force_area: BoolGrid,
        security: FloatGrid,
        fighters: FloatGrid,
    ) -> BoolGrid:
        """Cells the force holds at a sufficient density, where no armed group is in control.

        Args:
            force_density: Security personnel (police weighted) per 1,000 residents.
            hostility: Local hostility in [0, 1].
            force_area: Cells the force holds.
            security: Security personnel per cell (same weighting as the density).
            fighters: Armed fighters per cell (fighters who still hold a weapon).
        """
        e = self.effects
        secure = np.empty(force_area.shape, dtype=np.bool_)
        kernels.secure_into(
            np.ascontiguousarray(force_density, dtype=np.float64),
            np.ascontiguousarray(hostility, dtype=np.float64),
            np.ascontiguousarray(force_area, dtype=np.bool_),
            np.ascontiguousarray(security, dtype=np.float64),
            np.ascontiguousarray(fighters, dtype=np.float64),
            e.density_peaceful.value,
            e.density_hostile.value,
            e.decisive_force_ratio.value * e.coercive_entry_ratio_share.value,
            secure,
            self.secure_days,
        )
        return secure
