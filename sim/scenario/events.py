"""Dated events in a scenario: decisions and shocks that happen on a given day.

A scenario lists them under ``events:``; each has an id, a ``day`` (days since the scenario's day
0, with the source that dates it), a ``kind`` and what it does on the ground, plus optional
bargaining shocks that the political layer applies at its next round. Kinds:

* ``regional_war``: from ``day`` (to ``until_day``, or the horizon) the named contingents are
  suspended: those not yet in Gaza do not deploy, those inside hold (no reinforcements);
* ``ultimatum``: Israel demands ``decommissioned_share_required`` of the armed groups' weapons
  within ``deadline_days``; if the share is not reached, the IDF switches to
  ``strike_policy_on_expiry`` and advances its line to ``held_share_on_expiry``;
* ``decision`` (e.g. of the Board of Peace): only its shocks, and optionally a factor on the
  reconstruction budget from that day.

Example (YAML)::

    events:
      - id: iran_war
        kind: regional_war
        day: {value: 141, source: [fact.iran_war_2026], note: "28 Feb 2026"}
        suspends: [indonesia]
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Discriminator, Field, Tag

from sim.scenario.base import Fraction, Slug
from sim.scenario.base import StrictModel as Strict
from sim.scenario.forces import Days, StrikePolicy
from sim.scenario.provenance import Sourced, unit_field

Delta = Annotated[float, Field(ge=-100.0, le=100.0)]


class EventShock(Strict):
    """A bargaining shock an event declares (applied before the next political round)."""

    actor: Slug = Field(description="Actor id in the bargaining table.")
    dimension: Slug = Field(description="Dimension id.")
    target: Literal["position", "salience"] = Field(
        "position", description="Whether the position or the salience moves."
    )
    mode: Literal["add", "set"] = Field("add", description="Add to the value, or set it.")
    value: Sourced[Delta] = unit_field("Change (add) or new value (set)", "0-100 scale")
    reason: str = Field("", max_length=300, description="Why, shown in the political log.")


class _Event(Strict):
    id: Slug = Field(description="Event id, unique in the scenario.")
    title: str = Field(max_length=200, description="What happened, in a few words.")
    day: Sourced[Days] = unit_field("Day the event fires (days since the scenario's day 0)", "days")
    shocks: list[EventShock] = Field(
        default_factory=list, description="Bargaining shocks applied at the next round."
    )


class RegionalWar(_Event):
    """A regional war that suspends named contingents."""

    kind: Literal["regional_war"]
    suspends: list[Slug] = Field(description="Contributor ids suspended while it lasts.")
    until_day: Sourced[Days] | None = unit_field(
        "Last day of the suspension (none: to the horizon)", "days", None
    )


class Ultimatum(_Event):
    """A deadline for disarmament, with what the IDF does if it passes unmet."""

    kind: Literal["ultimatum"]
    deadline_days: Sourced[Days] = unit_field("Days from the ultimatum to its deadline", "days")
    decommissioned_share_required: Sourced[Fraction] = unit_field(
        "Share of weapons that must be decommissioned by the deadline", "fraction"
    )
    strike_policy_on_expiry: StrikePolicy = Field(
        StrikePolicy.HEAVY, description="The IDF's strike policy once the deadline passes unmet."
    )
    held_share_on_expiry: Sourced[Fraction] | None = unit_field(
        "Share of the Strip the IDF holds once the deadline passes unmet (none: no advance)",
        "fraction",
        None,
    )


class Decision(_Event):
    """A political decision (e.g. of the Board of Peace): shocks, and optionally funding."""

    kind: Literal["decision"]
    reconstruction_funding_factor: Sourced[Annotated[float, Field(ge=0.0, le=10.0)]] | None = (
        unit_field("Factor on the reconstruction budget from this day", "multiplier", None)
    )


def _event_kind(value: Any) -> Any:
    """The ``kind`` of a raw or validated event.

    A callable discriminator: the strict base's wildcard number check runs before every field,
    which pydantic does not allow on a field discriminator.
    """
    return value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)


Event = Annotated[
    Annotated[RegionalWar, Tag("regional_war")]
    | Annotated[Ultimatum, Tag("ultimatum")]
    | Annotated[Decision, Tag("decision")],
    Discriminator(
        _event_kind,
        custom_error_type="unknown_event_kind",
        custom_error_message="unknown event kind: use regional_war, ultimatum or decision",
    ),
]
"""One dated event; ``kind`` selects its type."""
