"""The stabilization force and the Palestinian police, as Mesa agents.

A :class:`Contingent` is one contributor's troops: they arrive on a ramp, take casualties that
erode the contributor's commitment, and leave when commitment runs out or when the mission
changes under a "leave if the mission changes" caveat (the Beirut 1983 lesson). The
:class:`PoliceService` grows through training courses and vetting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.scenario.forces import Contributor, ContributorCategory, PolicePipeline

if TYPE_CHECKING:
    from numpy.typing import NDArray

DAYS_PER_MONTH = 30.4


class Contingent(mesa.Agent):
    """One contributor's contingent.

    Attributes:
        key: Contributor id (e.g. ``"egypt"``).
        spec: Its scenario entry.
        commitment: Political commitment in [0, 1]; the contingent leaves at 0.
        deaths: Own deaths so far.
        blocked: Kept out by a bargaining branch (e.g. Israel's veto on Turkey).
        leaving_since: Day the withdrawal started, or ``None``.
    """

    def __init__(self, model: mesa.Model, key: str, spec: Contributor) -> None:
        super().__init__(model)
        self.key = key
        self.spec = spec
        self.commitment = float(spec.commitment.value)
        self.deaths = 0.0
        self.blocked = False
        self.leaving_since: int | None = None
        self.withdrawal_reason = ""

    def set_blocked(self, day: int, blocked: bool) -> None:
        """Apply a political block: kept out before arrival, withdrawn once deployed."""
        if blocked and self.planned_strength(day) > 0 and not self.blocked:
            if self.leaving_since is None:
                self.leaving_since, self.withdrawal_reason = day, "political outcome changed"
            return
        self.blocked = blocked and self.leaving_since is None

    @property
    def category(self) -> ContributorCategory:
        """How the population perceives this contingent."""
        return self.spec.category

    @property
    def coerces(self) -> bool:
        """Whether it will disarm by force (no caveat against it)."""
        caveats = self.spec.caveats
        return not (caveats.no_disarmament or caveats.no_combat)

    def planned_strength(self, day: int) -> float:
        """Troops on the ground on ``day`` if nothing goes wrong: a linear ramp after arrival."""
        full = self.spec.pledged_troops.value * self.spec.deployed_share.value
        start = self.spec.arrival_day.value
        ramp = max(self.spec.ramp_days.value, 1)
        if day < start:
            return 0.0
        return full * min(1.0, (day - start + 1) / ramp)

    def strength(self, day: int, withdrawal_days: int) -> float:
        """Troops present on ``day``, after blocking and any withdrawal under way."""
        if self.blocked:
            return 0.0
        troops = self.planned_strength(day)
        if self.leaving_since is not None:
            troops *= max(0.0, 1.0 - (day - self.leaving_since) / withdrawal_days)
        return troops

    def absorb_casualties(self, deaths: float) -> None:
        """Record deaths; each erodes commitment in proportion to the casualty tolerance."""
        if deaths <= 0:
            return
        self.deaths += deaths
        tolerance = max(float(self.spec.casualty_tolerance.value), 1.0)
        self.commitment = max(0.0, self.commitment - deaths / tolerance)

    def decide(self, day: int, *, mission_changed: bool) -> None:
        """Start withdrawing when commitment is spent or the mission changed under a caveat."""
        if self.leaving_since is not None or self.blocked:
            return
        if self.commitment <= 0.0:
            self.leaving_since, self.withdrawal_reason = day, "casualties exhausted commitment"
        elif mission_changed and self.spec.caveats.leave_if_mission_changes:
            self.leaving_since, self.withdrawal_reason = day, "the mission changed"

    @property
    def withdrawn(self) -> bool:
        """Whether the contributor has decided to leave."""
        return self.leaving_since is not None


class PoliceService(mesa.Agent):
    """The vetted Palestinian police, trained by the US, Egypt and Jordan.

    Cohorts start a course each day at the monthly intake rate; at the end of the course the
    share that passes vetting deploys, up to the target size.
    """

    def __init__(self, model: mesa.Model, spec: PolicePipeline, horizon_days: int) -> None:
        super().__init__(model)
        self.spec = spec
        self.officers = 0.0
        self.deaths = 0.0
        self._graduations: NDArray[np.float64] = np.zeros(horizon_days + 1)

    def train(self, day: int, pace: float) -> None:
        """Enrol today's cohort (``pace`` scales the intake) and graduate the one that finishes."""
        spec = self.spec
        if day >= spec.training_start_day.value:
            intake = spec.trainees_per_month.value / DAYS_PER_MONTH * max(pace, 0.0)
            finish = day + spec.course_days.value
            if finish < self._graduations.size:
                self._graduations[finish] += intake * spec.vetting_pass_rate.value
        room = max(0.0, spec.target_officers.value - self.officers)
        self.officers += min(room, float(self._graduations[day]))

    def absorb_casualties(self, deaths: float) -> None:
        """Officers killed leave the force."""
        self.deaths += deaths
        self.officers = max(0.0, self.officers - deaths)
