"""The mutable actor table of an engine, and its construction from a scenario spec.

Values are held in [0, 1] units (positions and saliences divided by 100), as the equations use
them; the engine converts back to 0-100 for everything it reports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from sim.bargaining.pce import FloatArray
from sim.bargaining.resolution import IntArray
from sim.bargaining.vetoes import Link, RedLine, Reversion, Veto
from sim.scenario.bargaining import BargainingSpec, LinkSpec

SCALE = 100.0
UNIQUE_TOLERANCE = 1e-3  # positions closer than this ([0, 1] units, Euclidean) are one option
_SUM_TOLERANCE = 1e-9


@dataclass
class ActorTable:
    """Capabilities, positions, ideals and saliences of all actors ([0, 1] units)."""

    actors: tuple[str, ...]
    dimensions: tuple[str, ...]
    capability: FloatArray
    position: FloatArray
    ideal: FloatArray
    salience: FloatArray
    accommodation: FloatArray | None
    # The weights of capability_weighted_mean and their sum, for the capability array they were
    # computed from (capabilities are replaced by set_capability, never changed in place).
    _weights: tuple[FloatArray, FloatArray, float] | None = field(
        default=None, init=False, repr=False, compare=False
    )

    @classmethod
    def build(
        cls,
        actors: Sequence[str],
        dimensions: Sequence[str],
        capability: ArrayLike,
        position: ArrayLike,
        salience: ArrayLike,
        accommodation: ArrayLike | None = None,
    ) -> ActorTable:
        """Validate inputs on the 0-100 scale and convert them; raises ``ValueError``."""
        n, k = len(actors), len(dimensions)
        _check_unique("actor", actors)
        _check_unique("dimension", dimensions)
        if n < 2:
            raise ValueError(f"bargaining needs at least 2 actors, got {n}")
        if k < 1:
            raise ValueError("bargaining needs at least 1 dimension")
        cap = _array("capability", capability, (n,), 0.0, np.inf)
        pos = _array("position", position, (n, k), 0.0, SCALE)
        sal = _array("salience", salience, (n, k), 0.0, SCALE)
        totals = sal.sum(axis=1)
        over = np.flatnonzero(totals > SCALE + _SUM_TOLERANCE)
        if over.size:
            i = int(over[0])
            raise ValueError(f"saliences of actor {actors[i]!r} sum to {totals[i]:g} (max 100)")
        acc = None
        if accommodation is not None:
            acc = _array("accommodation", accommodation, (n, n), 0.0, 1.0)
            rows = acc.sum(axis=1)
            if np.any(rows > 1.0 + _SUM_TOLERANCE):
                raise ValueError(f"accommodation rows must sum to <= 1, got max {rows.max():g}")
            if np.allclose(acc, np.eye(n)):
                acc = None  # KTAB's default: ideals follow positions exactly
        pos = pos / SCALE
        return cls(tuple(actors), tuple(dimensions), cap, pos, pos.copy(), sal / SCALE, acc)

    def actor_index(self, actor: str) -> int:
        """Index of an actor id, or ``KeyError`` listing the known ids."""
        try:
            return self.actors.index(actor)
        except ValueError:
            raise KeyError(f"unknown actor {actor!r}; known: {list(self.actors)}") from None

    def dimension_index(self, dimension: str) -> int:
        """Index of a dimension id, or ``KeyError`` listing the known ids."""
        try:
            return self.dimensions.index(dimension)
        except ValueError:
            raise KeyError(
                f"unknown dimension {dimension!r}; known: {list(self.dimensions)}"
            ) from None

    def move_to(self, positions: FloatArray) -> None:
        """Adopt new positions; ideals follow through the accommodation matrix."""
        self.position = positions
        if self.accommodation is None:
            self.ideal = positions.copy()
            return
        keep = 1.0 - self.accommodation.sum(axis=1)
        self.ideal = self.accommodation @ positions + keep[:, None] * self.ideal

    def set_capability(self, actor: int, new: Callable[[float], float]) -> tuple[float, float]:
        """Apply ``new`` to an actor's capability (floored at 0); returns (before, after)."""
        before = float(self.capability[actor])
        after = max(0.0, float(new(before)))
        self.capability = self.capability.copy()
        self.capability[actor] = after
        return before, after

    def set_position(
        self, actor: int, dim: int, new: Callable[[float], float]
    ) -> tuple[float, float]:
        """Apply ``new`` (0-100 scale) to a position and its ideal; returns (before, after)."""
        before = float(self.position[actor, dim] * SCALE)
        after = clip(new(before), 0.0, SCALE)
        self.position = self.position.copy()
        self.position[actor, dim] = after / SCALE
        self.ideal = self.ideal.copy()
        self.ideal[actor, dim] = after / SCALE
        return before, after

    def set_salience(
        self, actor: int, dim: int, new: Callable[[float], float]
    ) -> tuple[float, float]:
        """Apply ``new`` (0-100) to a salience; returns (before, after).

        If the actor's saliences would then sum to more than 100, its other saliences shrink in
        proportion: attention given to one issue is taken from the others.
        """
        before = float(self.salience[actor, dim] * SCALE)
        after = clip(new(before), 0.0, SCALE)
        row = self.salience[actor].copy()
        row[dim] = after / SCALE
        others = row.sum() - row[dim]
        room = 1.0 - row[dim]
        if others > room and others > 0.0:
            mask = np.arange(row.size) != dim
            row[mask] *= room / others
        self.salience = self.salience.copy()
        self.salience[actor] = row
        return before, after

    def capability_weighted_mean(self) -> FloatArray:
        """Per dimension, the capability-weighted mean position (0-100)."""
        if self._weights is None or self._weights[0] is not self.capability:
            capability = self.capability
            weights = capability if capability.sum() > 0 else np.ones_like(capability)
            self._weights = (capability, weights, weights.sum())
        _, weights, total = self._weights
        return weights @ self.position / total * SCALE

    def weighted_mean(self) -> FloatArray:
        """Per dimension, the capability x salience weighted mean position (0-100)."""
        weights = self.capability[:, None] * self.salience
        totals = weights.sum(axis=0)
        plain = self.position.mean(axis=0)
        safe = np.where(totals > 0, totals, 1.0)
        mean = np.where(totals > 0, (weights * self.position).sum(axis=0) / safe, plain)
        return mean * SCALE


def clip(value: float, low: float, high: float) -> float:
    """``float(np.clip(value, low, high))`` for one number, without numpy's call overhead."""
    value = float(value)
    if value != value:
        return value
    value = value if value > low else low
    return value if value < high else high


def unique_groups(position: FloatArray) -> tuple[IntArray, IntArray]:
    """Group actors whose positions are within 1e-3 of an earlier group's first member.

    Returns:
        ``(group, representatives)``: for each actor the index of its group's first actor, and
        the sorted indices of those first actors.
    """
    n = position.shape[0]
    gaps = np.linalg.norm(position[:, None, :] - position[None, :, :], axis=2)
    group = np.arange(n)
    is_rep = np.zeros(n, dtype=bool)
    for i in range(n):
        close = np.flatnonzero(is_rep[:i] & (gaps[i, :i] < UNIQUE_TOLERANCE))
        if close.size:
            group[i] = close[0]
        else:
            is_rep[i] = True
    return group, np.flatnonzero(is_rep)


@dataclass(frozen=True)
class SpecArrays:
    """A :class:`BargainingSpec` as engine inputs (0-100 scale)."""

    actors: list[str]
    dimensions: list[str]
    capability: FloatArray
    position: FloatArray
    salience: FloatArray
    accommodation: FloatArray | None
    vetoes: dict[str, Veto]
    reversions: dict[str, Reversion]
    red_lines: list[RedLine]


def spec_arrays(spec: BargainingSpec) -> SpecArrays:
    """Unpack a validated spec into arrays, in the spec's actor and dimension order."""
    actors = list(spec.actors)
    dims = spec.dimension_ids
    cap = np.array([spec.actors[a].capability.value for a in actors], dtype=float)
    pos = np.array([[spec.actors[a].position[d].value for d in dims] for a in actors], dtype=float)
    sal = np.array([[spec.actors[a].salience[d].value for d in dims] for a in actors], dtype=float)
    acc = None
    if spec.accommodation:
        acc = np.eye(len(actors))
        for row, weights in spec.accommodation.items():
            i = actors.index(row)
            acc[i] = 0.0
            for col, weight in weights.items():
                acc[i, actors.index(col)] = weight.value
    vetoes = {
        vid: Veto(
            vid,
            v.holder,
            v.dimension,
            v.low.value,
            v.high.value,
            v.enforced,
            _links(v.linked),
            v.reason,
        )
        for vid, v in spec.vetoes.items()
    }
    reversions = {
        dim: Reversion(rule.status_quo.value, rule.no_deal, rule.description)
        for dim, rule in spec.decisions.items()
    }
    red_lines = [
        RedLine(
            actor,
            dim,
            line.at_least.value if line.at_least is not None else 0.0,
            line.at_most.value if line.at_most is not None else SCALE,
            _links(line.linked),
            line.reason,
        )
        for actor, actor_spec in spec.actors.items()
        for dim, line in actor_spec.red_lines.items()
    ]
    return SpecArrays(actors, dims, cap, pos, sal, acc, vetoes, reversions, red_lines)


def _links(links: list[LinkSpec]) -> tuple[Link, ...]:
    return tuple(
        Link(k.driver, k.bound, k.per_unit.value, 0.0 if k.above is None else k.above.value)
        for k in links
    )


def _check_unique(kind: str, ids: Sequence[str]) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"{kind} id {item!r} appears twice")
        seen.add(item)


def _array(
    name: str, values: ArrayLike, shape: tuple[int, ...], low: float, high: float
) -> FloatArray:
    array = np.array(values, dtype=float, order="C")  # the kernels' row sums assume C order
    if array.shape != shape:
        raise ValueError(f"{name} must have shape {shape}, got {array.shape}")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains NaN or infinite values")
    if np.any(array < low) or np.any(array > high):
        raise ValueError(f"{name} values must lie in [{low:g}, {high:g}]")
    return array
