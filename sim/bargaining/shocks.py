"""Shocks: events between bargaining rounds that change what actors want and can do.

The ground model calls :meth:`BargainingEngine.apply` with these small typed records, e.g. after
a mass-casualty attack on a contingent (a contributor's salience on mandate robustness rises),
a change of government (a position moves) or a withdrawal of support (a capability falls).

Example:
    >>> Shock.salience("egypt", "mandate_robustness", 10.0, mode=ShockMode.ADD,
    ...                reason="attack on Egyptian engineers").kind
    <ShockKind.SALIENCE: 'salience'>
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ShockKind(StrEnum):
    """What a shock changes."""

    SALIENCE = "salience"
    POSITION = "position"
    CAPABILITY = "capability"
    RED_LINE = "red_line"


class ShockMode(StrEnum):
    """How the shock's value combines with the current one."""

    SET = "set"
    ADD = "add"
    SCALE = "scale"


@dataclass(frozen=True)
class Shock:
    """A change to one actor's salience, position (per dimension) or capability.

    Attributes:
        kind: What changes.
        actor: Actor id.
        value: New value (``set``, on the 0-100 scale or in capability units), change (``add``)
            or factor (``scale``).
        dimension: Dimension id; required for salience and position, ``None`` for capability.
        mode: ``set`` (absolute), ``add`` or ``scale`` (relative).
        reason: Why it happened, recorded with the round.
    """

    kind: ShockKind
    actor: str
    value: float
    dimension: str | None = None
    mode: ShockMode = ShockMode.SET
    reason: str = ""

    def __post_init__(self) -> None:
        needs_dimension = self.kind is not ShockKind.CAPABILITY
        if needs_dimension and self.dimension is None:
            raise ValueError(f"a {self.kind.value} shock needs a dimension")
        if not needs_dimension and self.dimension is not None:
            raise ValueError("a capability shock applies to the actor, not to a dimension")
        if self.mode is ShockMode.SCALE and self.value < 0:
            raise ValueError(f"scale factor must be >= 0, got {self.value}")

    @classmethod
    def salience(
        cls,
        actor: str,
        dimension: str,
        value: float,
        *,
        mode: ShockMode = ShockMode.SET,
        reason: str = "",
    ) -> Shock:
        """A change of salience on one dimension (0-100 scale)."""
        return cls(ShockKind.SALIENCE, actor, value, dimension, mode, reason)

    @classmethod
    def position(
        cls,
        actor: str,
        dimension: str,
        value: float,
        *,
        mode: ShockMode = ShockMode.SET,
        reason: str = "",
    ) -> Shock:
        """A change of position on one dimension (0-100 scale)."""
        return cls(ShockKind.POSITION, actor, value, dimension, mode, reason)

    @classmethod
    def red_line(
        cls,
        actor: str,
        dimension: str,
        value: float,
        *,
        mode: ShockMode = ShockMode.SET,
        reason: str = "",
    ) -> Shock:
        """A move of the actor's red line on one dimension (its declared bound, 0-100 scale).

        The declared bound is ``at_most`` when the line has one, else ``at_least``.
        """
        return cls(ShockKind.RED_LINE, actor, value, dimension, mode, reason)

    @classmethod
    def capability(
        cls, actor: str, value: float, *, mode: ShockMode = ShockMode.SET, reason: str = ""
    ) -> Shock:
        """A change of capability (relative units)."""
        return cls(ShockKind.CAPABILITY, actor, value, None, mode, reason)

    def new_value(self, current: float) -> float:
        """The value after the shock, before any clipping to bounds."""
        if self.mode is ShockMode.SET:
            return self.value
        if self.mode is ShockMode.ADD:
            return current + self.value
        return current * self.value


@dataclass(frozen=True)
class VetoShock:
    """A veto holder starts or stops enforcing its veto.

    Attributes:
        veto: Veto id.
        enforced: Whether the veto is enforced from now on.
        reason: Why, recorded with the round.
    """

    veto: str
    enforced: bool
    reason: str = ""


@dataclass(frozen=True)
class ShockRecord:
    """A shock as applied: when, to what, from which value to which.

    Attributes:
        round: The state it modified (applied before the round that produces ``round + 1``).
        kind: ``salience``, ``position``, ``capability`` or ``veto``.
        target: Actor id, or veto id for veto shocks.
        dimension: Dimension id, where the shock has one.
        mode: ``set``, ``add`` or ``scale`` (``set`` for veto shocks).
        value: The shock's value (1/0 for enforced/lifted vetoes).
        before: Value before.
        after: Value after (after clipping to bounds).
        reason: Why.
    """

    round: int
    kind: str
    target: str
    dimension: str | None
    mode: str
    value: float
    before: float
    after: float
    reason: str
