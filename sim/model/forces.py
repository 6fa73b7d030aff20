"""The stabilization force and the Palestinian police, as Mesa agents.

A :class:`Contingent` is one contributor's troops. Each week the contributor checks its declared
conditions (Hamas's consent or a deal, a mandate, US leadership, a holding ceasefire, the
bargaining outcomes it names, dated events that suspend it): it deploys when they hold, holds
when one fails, and withdraws when a failure lasts. Troops ramp up over active days, take
casualties that erode commitment, and leave when commitment runs out or when the mission changes
under a "leave if the mission changes" caveat (the Beirut 1983 lesson). The
:class:`PoliceService` grows through training courses and vetting.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa
import numpy as np

from sim.model.politics import DimensionState
from sim.scenario.forces import Contributor, ContributorCategory, PolicePipeline

if TYPE_CHECKING:
    from numpy.typing import NDArray

DAYS_PER_MONTH = 30.4
REVIEW_DAYS = 7
"""Contributors review their conditions weekly."""


class Contingent(mesa.Agent):
    """One contributor's contingent, which decides weekly whether to deploy, hold or withdraw.

    States: *pledged* (not yet inside: before its arrival day or while a condition fails),
    *deploying* (troops ramp up over ``ramp_days`` of active time), *holding* (a condition
    fails or an event suspends it: no reinforcements) and *withdrawing* (troops fall to zero over
    ``withdrawal_days``).

    Attributes:
        key: Contributor id (e.g. ``"egypt"``).
        spec: Its scenario entry.
        commitment: Political commitment in [0, 1]; the contingent leaves at 0.
        deaths: Own deaths so far.
        holding: Whether it is holding (no deployment or reinforcement) this week.
        hold_reason: Why it holds (empty when it does not).
        leaving_since: Day the withdrawal started, or ``None``.
    """

    def __init__(self, model: mesa.Model, key: str, spec: Contributor) -> None:
        super().__init__(model)
        self.key = key
        self.spec = spec
        self.commitment = float(spec.commitment.value)
        self.deaths = 0.0
        self.holding = False
        self.hold_reason = ""
        self.failing_days = 0
        self.active_days = 0
        self.leaving_since: int | None = None
        self.withdrawal_reason = ""
        self._troops_when_leaving = 0.0

    @property
    def blocked(self) -> bool:
        """Kept out: holding before any troops arrived."""
        return self.holding and self.active_days == 0

    def review(self, day: int, failed: str, suspended: str, patience_days: int) -> None:
        """The weekly decision from today's conditions.

        Args:
            day: Today.
            failed: The first declared condition that fails (empty if all hold).
            suspended: Why a dated event suspends the contingent (empty if none does).
            patience_days: Days a deployed contingent holds on a failed condition before leaving.
        """
        if self.leaving_since is not None:
            return
        reason = suspended or failed
        if not reason:
            self.holding, self.hold_reason, self.failing_days = False, "", 0
            return
        self.holding, self.hold_reason = True, reason
        if self.active_days > 0 and failed and not suspended:
            self.failing_days += REVIEW_DAYS
            if self.failing_days >= patience_days:
                self._leave(day, f"condition failed: {failed}")

    def advance(self, day: int) -> None:
        """Count a day of active deployment (after arrival, not holding, not leaving)."""
        if self.leaving_since is None and not self.holding and day >= self.spec.arrival_day.value:
            self.active_days += 1

    @property
    def category(self) -> ContributorCategory:
        """How the population perceives this contingent."""
        return self.spec.category

    @property
    def coerces(self) -> bool:
        """Whether it will disarm by force (no caveat against it)."""
        caveats = self.spec.caveats
        return not (caveats.no_disarmament or caveats.no_combat)

    @property
    def full_strength(self) -> float:
        """Troops at full strength: the pledge times the share that deploys."""
        return float(self.spec.pledged_troops.value * self.spec.deployed_share.value)

    def _ramped(self) -> float:
        ramp = max(self.spec.ramp_days.value, 1)
        return self.full_strength * min(1.0, self.active_days / ramp)

    def strength(self, day: int, withdrawal_days: int) -> float:
        """Troops present on ``day``: the ramp so far, falling off during a withdrawal."""
        if self.leaving_since is None:
            return self._ramped()
        share = max(0.0, 1.0 - (day - self.leaving_since) / max(withdrawal_days, 1))
        return self._troops_when_leaving * share

    def absorb_casualties(self, deaths: float) -> None:
        """Record deaths; each erodes commitment in proportion to the casualty tolerance."""
        if deaths <= 0:
            return
        self.deaths += deaths
        tolerance = max(float(self.spec.casualty_tolerance.value), 1.0)
        self.commitment = max(0.0, self.commitment - deaths / tolerance)

    def decide(self, day: int, *, mission_changed: bool) -> None:
        """Start withdrawing when commitment is spent or the mission changed under a caveat."""
        if self.leaving_since is not None or self.active_days == 0:
            return
        if self.commitment <= 0.0:
            self._leave(day, "casualties exhausted commitment")
        elif mission_changed and self.spec.caveats.leave_if_mission_changes:
            self._leave(day, "the mission changed")

    def _leave(self, day: int, reason: str) -> None:
        self._troops_when_leaving = self._ramped()
        self.leaving_since, self.withdrawal_reason = day, reason

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


def failed_condition(
    spec: Contributor,
    dimensions: Mapping[str, DimensionState],
    branches: Mapping[str, str],
    context: ConditionContext,
) -> str:
    """The first of a contributor's declared conditions that fails today (empty if none).

    Args:
        spec: The contributor.
        dimensions: The political layer's state per dimension (deal, implemented outcome).
        branches: Active no-deal branches per dimension.
        context: Hamas's consent, the mandate, US lead and the ceasefire today.
    """
    if spec.blocked_by_branch is not None and spec.blocked_by_branch in branches.values():
        return f"bargaining branch {spec.blocked_by_branch}"
    needed = spec.requires_outcome
    if needed is not None and needed.dimension in dimensions:
        state = dimensions[needed.dimension]
        if not state.deal:
            return f"no deal on {needed.dimension}: {state.reason or 'status quo'}"
        if state.outcome < needed.at_least.value:
            return f"{needed.dimension} at {state.outcome:.0f} < {needed.at_least.value:.0f}"
    conditions = spec.conditions
    consent = conditions.hamas_consent_at_least
    if consent is not None and context.hamas_consent < consent.value:
        return f"Hamas's consent {context.hamas_consent:.2f} < {consent.value:.2f}"
    if conditions.needs_mandate and not context.mandate:
        return "no Security Council mandate in force"
    if conditions.needs_us_lead and not context.us_lead:
        return "no US lead"
    if conditions.needs_ceasefire and context.collapsed:
        return "the ceasefire has collapsed"
    return ""


@dataclass(frozen=True)
class ConditionContext:
    """What the contributors' conditions read today besides the political outcomes."""

    hamas_consent: float
    mandate: bool
    us_lead: bool
    collapsed: bool
