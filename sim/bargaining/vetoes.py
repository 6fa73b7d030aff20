"""Vetoes: hard bounds on the outcome of a dimension, and named branches when none is possible.

Semantics (this project's addition to KTAB):

* Each veto gives its holder an acceptable interval ``[low, high]`` on one dimension.
* On a dimension, the *enforced* vetoes intersect. If the intersection is non-empty, every
  position a bargain proposes on that dimension is projected (clipped) into it, in every round,
  and the reported outcome (the forecast) is clipped into it too. The branch is ``bounded``.
* If the intersection is empty, no outcome is acceptable to all veto holders: the dimension's
  branch is the vetoes' ``blocked_branch`` (e.g. ``no_mandate``) and its outcome is their
  ``blocked_outcome``. Bargaining on the dimension goes on (the actors still hold and trade
  views) but no longer decides the outcome; each enforced veto holder's new positions stay
  inside its own interval (a holder never agrees to what it vetoes), the others move freely.
* A dimension whose vetoes are all unenforced is ``open``; so is one with no veto at all.

Enforcement can change between rounds (:class:`~sim.bargaining.shocks.VetoShock`), e.g. when US
pressure leads Israel not to use its veto on a Turkish contingent.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sim.bargaining.pce import FloatArray

OPEN = "open"
BOUNDED = "bounded"


@dataclass(frozen=True)
class Veto:
    """A veto as the engine holds it (positions on the 0-100 scale).

    Attributes:
        id: Veto id.
        holder: Actor id of the holder.
        dimension: Dimension id.
        low: Lowest acceptable outcome.
        high: Highest acceptable outcome.
        enforced: Whether the holder uses the veto.
        blocked_branch: Branch name when the enforced vetoes on the dimension do not intersect.
        blocked_outcome: Outcome in that branch.
    """

    id: str
    holder: str
    dimension: str
    low: float
    high: float
    enforced: bool
    blocked_branch: str
    blocked_outcome: float


@dataclass(frozen=True)
class DimensionStatus:
    """The constraint on one dimension this round.

    Attributes:
        branch: ``open``, ``bounded`` or the blocked branch's name.
        low: Lower bound of the acceptable set (0-100), when bounded.
        high: Upper bound, when bounded.
        outcome: Forced outcome, when blocked.
        reason: One sentence saying why.
    """

    branch: str
    low: float | None = None
    high: float | None = None
    outcome: float | None = None
    reason: str = ""


class VetoBook:
    """The vetoes of one engine, and the constraint they impose on each dimension."""

    def __init__(self, vetoes: dict[str, Veto], dimensions: list[str], actors: list[str]) -> None:
        for veto in vetoes.values():
            if veto.dimension not in dimensions:
                raise ValueError(f"veto {veto.id!r}: unknown dimension {veto.dimension!r}")
            if veto.holder not in actors:
                raise ValueError(f"veto {veto.id!r}: holder {veto.holder!r} is not an actor")
        self._vetoes = dict(vetoes)
        self._dimensions = list(dimensions)
        self._actors = list(actors)
        self._status = self._compute()
        self._bounds = self._actor_bounds()

    @property
    def vetoes(self) -> dict[str, Veto]:
        """The vetoes by id."""
        return dict(self._vetoes)

    def set_enforced(self, veto_id: str, enforced: bool) -> Veto:
        """Switch a veto on or off; returns the veto as it was before."""
        if veto_id not in self._vetoes:
            raise KeyError(f"unknown veto {veto_id!r}; known: {sorted(self._vetoes)}")
        before = self._vetoes[veto_id]
        self._vetoes[veto_id] = replace(before, enforced=enforced)
        self._status = self._compute()
        self._bounds = self._actor_bounds()
        return before

    def status(self) -> dict[str, DimensionStatus]:
        """The constraint on each dimension, in dimension order."""
        return dict(self._status)

    def branches(self) -> dict[str, str]:
        """Branch name per dimension."""
        return {dim: st.branch for dim, st in self._status.items()}

    def project(self, positions: FloatArray, actors: np.ndarray) -> FloatArray:
        """Clip bargain positions ``(m, dims)`` ([0, 1] units) proposed to ``actors`` ``(m,)``."""
        if self._bounds is None:
            return positions
        low, high = self._bounds
        return np.clip(positions, low[actors], high[actors])

    def constrain_outcome(self, dimension: str, value: float) -> float:
        """The outcome on ``dimension`` (0-100) given the unconstrained value."""
        st = self._status[dimension]
        if st.outcome is not None:
            return st.outcome
        if st.low is not None and st.high is not None:
            return float(min(max(value, st.low), st.high))
        return value

    def _actor_bounds(self) -> tuple[FloatArray, FloatArray] | None:
        """Per actor and dimension, the interval its new positions must lie in ([0, 1] units)."""
        n, k = len(self._actors), len(self._dimensions)
        low, high = np.zeros((n, k)), np.ones((n, k))
        constrained = False
        for j, dim in enumerate(self._dimensions):
            st = self._status[dim]
            if st.low is not None and st.high is not None:
                low[:, j], high[:, j] = st.low / 100.0, st.high / 100.0
                constrained = True
            elif st.outcome is not None:
                for veto in self._vetoes.values():
                    if veto.dimension == dim and veto.enforced:
                        i = self._actors.index(veto.holder)
                        low[i, j] = max(low[i, j], veto.low / 100.0)
                        high[i, j] = min(high[i, j], veto.high / 100.0)
                        constrained = True
        return (low, high) if constrained else None

    def _compute(self) -> dict[str, DimensionStatus]:
        return {dim: self._dimension_status(dim) for dim in self._dimensions}

    def _dimension_status(self, dim: str) -> DimensionStatus:
        on_dim = [v for v in self._vetoes.values() if v.dimension == dim]
        enforced = [v for v in on_dim if v.enforced]
        if not enforced:
            lifted = ", ".join(v.id for v in on_dim)
            reason = f"vetoes not enforced: {lifted}" if on_dim else "no veto on this dimension"
            return DimensionStatus(OPEN, reason=reason)
        low = max(v.low for v in enforced)
        high = min(v.high for v in enforced)
        intervals = "; ".join(f"{v.holder} accepts [{v.low:g}, {v.high:g}]" for v in enforced)
        if low <= high:
            return DimensionStatus(BOUNDED, low, high, reason=f"outcome bounded by {intervals}")
        first = enforced[0]
        return DimensionStatus(
            first.blocked_branch,
            outcome=first.blocked_outcome,
            reason=f"no outcome acceptable to all veto holders ({intervals})",
        )
