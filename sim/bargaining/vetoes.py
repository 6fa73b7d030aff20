"""Decision rules: who must consent, what holds without a deal, resolve and linked commitments.

Semantics (this project's addition to KTAB):

* A **veto** is a consent requirement: its holder accepts only outcomes in ``[low, high]`` on one
  dimension. While it is enforced, the dimension's bargained outcome (KTAB's forecast, the
  capability-weighted mean position) is implemented only if it lies inside the range of every
  enforced holder on that dimension. Otherwise there is **no deal**: the dimension reverts to its
  declared **status quo** (:class:`Reversion`), and the decision records who withheld consent
  and why. A veto never changes what anybody proposes or adopts.
* A **red line** (resolve) bounds one actor's own positions: bargains proposed to that actor are
  bounded by its line, so the SMP's drift cannot carry it across. Other actors are untouched.
* A **link** moves a bound of a veto range or a red line with a driver: another dimension's
  implemented outcome in the previous state, or a ground report (a share 0-1 read as 0-100).

With no vetoes and no red lines nothing here changes KTAB's arithmetic.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from sim.bargaining.pce import FloatArray

DEAL = "deal"
NAN = float("nan")  # status quo of a dimension without a decision rule
SCALE = 100.0


@dataclass(frozen=True)
class Link:
    """A bound that moves with a driver: ``bound + per_unit x max(driver - above, 0)``."""

    driver: str
    bound: str  # "low" or "high"
    per_unit: float
    above: float = 0.0


@dataclass(frozen=True)
class Veto:
    """A consent requirement as the engine holds it (0-100 scale).

    Attributes:
        id: Veto id.
        holder: Actor id of the holder.
        dimension: Dimension id.
        low: Lowest acceptable outcome before links.
        high: Highest acceptable outcome before links.
        enforced: Whether the holder's consent is required.
        links: Bounds that move with drivers.
        reason: Why the holder holds it.
    """

    id: str
    holder: str
    dimension: str
    low: float
    high: float
    enforced: bool = True
    links: tuple[Link, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class RedLine:
    """An actor's resolve on one dimension: its positions stay in ``[low, high]`` (0-100)."""

    actor: str
    dimension: str
    low: float = 0.0
    high: float = SCALE
    links: tuple[Link, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class Reversion:
    """What a dimension reverts to without a deal.

    Attributes:
        status_quo: Outcome without a deal (0-100).
        state: Name of the no-deal state (e.g. ``idf_on_yellow_line``).
        description: What the status quo is.
    """

    status_quo: float
    state: str
    description: str = ""


@dataclass(frozen=True)
class Decision:
    """Whether a dimension's bargained outcome is implemented.

    Attributes:
        dimension: Dimension id.
        deal: Whether every enforced holder consents.
        outcome: Implemented outcome (0-100): the bargained one with a deal, else the status quo.
        bargained: The bargained outcome (capability-weighted mean position).
        status_quo: The reversion point (NaN when the dimension has no decision rule).
        state: ``deal`` or the no-deal state's name.
        reason: Empty with a deal; else who withheld consent and why.
        vetoed_by: Holders who withheld consent.
    """

    dimension: str
    deal: bool
    outcome: float
    bargained: float
    status_quo: float
    state: str
    reason: str = ""
    vetoed_by: tuple[str, ...] = ()

    def label(self) -> str:
        """``"deal: 62.3"`` or ``"no deal: status quo 0 (israel: ...)"``."""
        if self.deal:
            return f"deal: {self.outcome:.1f}"
        return f"no deal: status quo {self.status_quo:g} ({self.reason})"


def bounded(
    low: float, high: float, links: Sequence[Link], drivers: Mapping[str, float]
) -> tuple[float, float]:
    """The range ``[low, high]`` after its links, each bound clipped to 0-100."""
    for link in links:
        shift = link.per_unit * max(drivers.get(link.driver, 0.0) - link.above, 0.0)
        if link.bound == "low":
            low += shift
        else:
            high += shift
    return min(max(low, 0.0), SCALE), min(max(high, 0.0), SCALE)


class VetoBook:
    """The vetoes, red lines and reversion points of one engine, and the decisions they give."""

    def __init__(
        self,
        vetoes: Mapping[str, Veto],
        dimensions: Sequence[str],
        actors: Sequence[str],
        reversions: Mapping[str, Reversion] | None = None,
        red_lines: Sequence[RedLine] = (),
    ) -> None:
        reversions = dict(reversions or {})
        for veto in vetoes.values():
            if veto.dimension not in dimensions:
                raise ValueError(f"veto {veto.id!r}: unknown dimension {veto.dimension!r}")
            if veto.holder not in actors:
                raise ValueError(f"veto {veto.id!r}: holder {veto.holder!r} is not an actor")
            if veto.dimension not in reversions:
                raise ValueError(
                    f"veto {veto.id!r}: dimension {veto.dimension!r} needs a Reversion "
                    "(the status quo it reverts to without consent)"
                )
        for line in red_lines:
            if line.actor not in actors or line.dimension not in dimensions:
                raise ValueError(
                    f"red line {line.actor}.{line.dimension}: unknown actor or dimension"
                )
        self._vetoes = dict(vetoes)
        self._dimensions = list(dimensions)
        self._actors = list(actors)
        self._reversions = reversions
        self._red_lines = {(r.actor, r.dimension): r for r in red_lines}
        self._drivers: dict[str, float] = {}
        self._line_drivers = {k.driver for line in red_lines for k in line.links}
        self._readers: dict[str, set[str]] = {}  # driver -> dimensions whose vetoes read it
        for veto in self._vetoes.values():
            for link in veto.links:
                self._readers.setdefault(link.driver, set()).add(veto.dimension)
        self._on_dimension = self._group_vetoes()
        # Per dimension, built when needed and dropped when a driver they read changes: the
        # enforced vetoes' (holder, low, high), and the last (value, decision).
        self._ranges: dict[str, tuple[tuple[str, float, float], ...]] = {}
        self._last: dict[str, tuple[float, Decision]] = {}
        self._bounds = self._actor_bounds()

    @property
    def vetoes(self) -> dict[str, Veto]:
        """The vetoes by id."""
        return dict(self._vetoes)

    @property
    def reversions(self) -> dict[str, Reversion]:
        """Reversion points by dimension."""
        return dict(self._reversions)

    @property
    def red_lines(self) -> dict[tuple[str, str], RedLine]:
        """Red lines by (actor, dimension), as declared (before links)."""
        return dict(self._red_lines)

    @property
    def drivers(self) -> dict[str, float]:
        """Current values of link drivers (0-100)."""
        return dict(self._drivers)

    def set_enforced(self, veto_id: str, enforced: bool) -> Veto:
        """Switch a veto on or off; returns the veto as it was before."""
        if veto_id not in self._vetoes:
            raise KeyError(f"unknown veto {veto_id!r}; known: {sorted(self._vetoes)}")
        before = self._vetoes[veto_id]
        self._vetoes[veto_id] = replace(before, enforced=enforced)
        self._on_dimension = self._group_vetoes()
        self._forget(before.dimension)
        return before

    def set_red_line(self, line: RedLine) -> RedLine | None:
        """Replace (or add) an actor's red line on a dimension; returns the previous one."""
        key = (line.actor, line.dimension)
        before = self._red_lines.get(key)
        self._red_lines[key] = line
        self._line_drivers |= {link.driver for link in line.links}
        self._bounds = self._actor_bounds()
        return before

    def red_line(self, actor: str, dimension: str) -> RedLine | None:
        """The actor's red line on a dimension as declared (before links), if any."""
        return self._red_lines.get((actor, dimension))

    def red_line_range(self, actor: str, dimension: str) -> tuple[float, float] | None:
        """The actor's current red-line range on a dimension (links applied), if any."""
        line = self._red_lines.get((actor, dimension))
        if line is None:
            return None
        return bounded(line.low, line.high, line.links, self._drivers)

    def set_drivers(self, drivers: Mapping[str, float]) -> bool:
        """Update link drivers (dimension outcomes and ground reports, 0-100).

        Returns:
            Whether a driver that some link reads changed.
        """
        vetoes_moved = lines_moved = False
        for key, value in drivers.items():
            if self._drivers.get(key) != value:
                for dim in self._readers.get(key, ()):
                    self._forget(dim)
                    vetoes_moved = True
                lines_moved = lines_moved or key in self._line_drivers
        self._drivers.update(drivers)
        if lines_moved:
            self._bounds = self._actor_bounds()
        return vetoes_moved or lines_moved

    @property
    def bounds(self) -> tuple[FloatArray, FloatArray] | None:
        """Red-line bounds of new positions per actor and dimension ([0, 1] units), if any."""
        return self._bounds

    def veto_range(self, veto: Veto) -> tuple[float, float]:
        """A veto's acceptable range with its links applied."""
        return bounded(veto.low, veto.high, veto.links, self._drivers)

    def project(self, positions: FloatArray, actors: np.ndarray) -> FloatArray:
        """Bound bargains ``(m, dims)`` ([0, 1] units) proposed to ``actors`` by their red lines."""
        if self._bounds is None:
            return positions
        low, high = self._bounds
        return np.clip(positions, low[actors], high[actors])

    def decide(self, bargained: Sequence[float]) -> dict[str, Decision]:
        """The decision on every dimension given its bargained outcome (0-100)."""
        return {d.dimension: d for d in self.decisions(bargained)}

    def decisions(self, bargained: Sequence[float]) -> tuple[Decision, ...]:
        """The decisions of :meth:`decide`, in dimension order."""
        return tuple(
            [
                self._decide(dim, float(value))
                for dim, value in zip(self._dimensions, bargained, strict=True)
            ]
        )

    def _decide(self, dim: str, value: float) -> Decision:
        """The decision, reused while neither the value nor the ranges change."""
        last = self._last.get(dim)
        if last is not None and last[0] == value:
            return last[1]
        decision = self._evaluate(dim, value)
        self._last[dim] = (value, decision)
        return decision

    def _evaluate(self, dim: str, value: float) -> Decision:
        rule = self._reversions.get(dim)
        ranges = self._ranges.get(dim)
        if ranges is None:
            vetoes = self._on_dimension.get(dim, ())
            ranges = tuple((veto.holder, *self.veto_range(veto)) for veto in vetoes)
            self._ranges[dim] = ranges
        refusals = [bounds for bounds in ranges if not bounds[1] <= value <= bounds[2]]
        if not refusals or rule is None:
            status_quo = rule.status_quo if rule is not None else NAN
            return Decision(dim, True, value, value, status_quo, DEAL)
        reason = "; ".join(
            [f"{h}: outcome {value:.0f} outside its acceptable {lo:.0f}-{hi:.0f}"
             for h, lo, hi in refusals]
        )  # fmt: skip
        holders = tuple(dict.fromkeys([holder for holder, _, _ in refusals]))
        sq = rule.status_quo
        return Decision(dim, False, sq, value, sq, rule.state, reason, holders)

    def _forget(self, dim: str) -> None:
        """A dimension's veto ranges changed (a driver or an enforcement): evaluate it again."""
        self._ranges.pop(dim, None)
        self._last.pop(dim, None)

    def _group_vetoes(self) -> dict[str, list[Veto]]:
        """The enforced vetoes of each dimension."""
        grouped: dict[str, list[Veto]] = {}
        for veto in self._vetoes.values():
            if veto.enforced:
                grouped.setdefault(veto.dimension, []).append(veto)
        return grouped

    def _actor_bounds(self) -> tuple[FloatArray, FloatArray] | None:
        """Per actor and dimension, the red-line interval of its new positions ([0, 1] units)."""
        if not self._red_lines:
            return None
        n, k = len(self._actors), len(self._dimensions)
        low, high = np.zeros((n, k)), np.ones((n, k))
        for (actor, dim), line in self._red_lines.items():
            lo, hi = bounded(line.low, line.high, line.links, self._drivers)
            i, j = self._actors.index(actor), self._dimensions.index(dim)
            low[i, j], high[i, j] = lo / SCALE, hi / SCALE
        return low, high
