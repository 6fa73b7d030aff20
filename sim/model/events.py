"""Dated events at run time: which fire today, who is suspended, which ultimatums expire.

The scenario's ``events:`` (:mod:`sim.scenario.events`) fire at the start of their day. The
schedule answers three questions for the model: what fired today (recorded, and its bargaining
shocks queued for the next round), whether a contributor is suspended by a regional war, and
whether an ultimatum's deadline passed today unmet.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.bargaining.shocks import Shock, ShockMode
from sim.scenario.events import Decision, Event, EventShock, RegionalWar, Ultimatum


def to_shock(spec: EventShock, event_id: str) -> Shock:
    """The bargaining shock an event declares."""
    make = Shock.salience if spec.target == "salience" else Shock.position
    mode = ShockMode.ADD if spec.mode == "add" else ShockMode.SET
    reason = spec.reason or f"event {event_id}"
    return make(spec.actor, spec.dimension, float(spec.value.value), mode=mode, reason=reason)


@dataclass(frozen=True)
class Expiry:
    """An ultimatum whose deadline passed today, and whether it was met."""

    event: Ultimatum
    met: bool


class EventSchedule:
    """The scenario's dated events, indexed by day.

    Args:
        events: The scenario's events.
    """

    def __init__(self, events: list[Event]) -> None:
        self.events = list(events)
        self.wars = [e for e in self.events if isinstance(e, RegionalWar)]
        self.ultimatums = [e for e in self.events if isinstance(e, Ultimatum)]
        self.funding_factor = 1.0
        self.fired: list[str] = []

    def fire(self, day: int) -> list[Event]:
        """Events that fire today (their day has come); decisions' funding applies from today."""
        today = [e for e in self.events if e.day.value == day]
        for event in today:
            self.fired.append(event.id)
            if isinstance(event, Decision) and event.reconstruction_funding_factor is not None:
                self.funding_factor *= event.reconstruction_funding_factor.value
        return today

    @staticmethod
    def shocks(events: list[Event]) -> list[Shock]:
        """The bargaining shocks the given events declare."""
        return [to_shock(s, e.id) for e in events for s in e.shocks]

    def suspension(self, contributor: str, day: int) -> str:
        """Why a regional war suspends ``contributor`` today (empty if none does)."""
        for war in self.wars:
            until = war.until_day.value if war.until_day is not None else None
            if (
                contributor in war.suspends
                and war.day.value <= day
                and (until is None or day <= until)
            ):
                return f"suspended by {war.id} ({war.title})"
        return ""

    def expiring(self, day: int, decommissioned: float) -> list[Expiry]:
        """Ultimatums whose deadline is today, and whether the decommissioning met them."""
        return [
            Expiry(u, decommissioned >= u.decommissioned_share_required.value)
            for u in self.ultimatums
            if u.day.value + u.deadline_days.value == day
        ]
