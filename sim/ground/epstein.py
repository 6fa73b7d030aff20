"""Epstein's civil violence model (PNAS 2002), compiled: Model I and Model II.

Citizens are individuals on a torus lattice, held in numpy arrays (one entry per citizen), not
Mesa agents; the steps run in numba kernels (:mod:`sim.ground.epstein_kernels`). Two schedules,
chosen by ``EpsteinSpec.activation``:

``synchronous`` (default), each step:

1. Citizens whose jail term has run out are released (to their old site if it is free,
   otherwise to a random empty site).
2. Every free citizen decides: active if ``G - R P > T`` with grievance ``G = H (1 - L)`` and
   ``P = 1 - exp(-k f(C / A))``, C the cops and A the actives (counting oneself) within vision,
   both counted on the state at the start of the step (Model II: A counts one's own group).
3. Cops, in random order, each arrest a random active within vision; jail terms are
   ``U{0..J_max}``; a jailed citizen leaves the lattice.
4. Model II only: each active kills a random member of the other group within vision.
5. Cops and free citizens move to a random empty site within vision (ties broken at random;
   sites vacated in the step are not reused).

``random_sequential`` (Epstein 2002 and Mesa's example ``epstein_civil_violence``): each step
every agent, cop or citizen, acts once in a fresh random order on the current state. A citizen
in jail stays on its site and only serves one step of its term; one whose term is served
decides, (Model II: kills), and moves; a cop arrests and moves. This follows Mesa 3.5's
example (``agents.py``), which leaves jailed citizens on the grid. ``docs/validation.md``
compares the two schedules with Mesa's example.

Example:
    >>> from sim.rng import RandomStreams
    >>> from sim.scenario.ground import EpsteinSpec
    >>> model = CivilViolenceLattice(EpsteinSpec(), RandomStreams(1))
    >>> run = model.run(20)
    >>> run.active.shape
    (21,)
    >>> sequential = EpsteinSpec(activation="random_sequential")
    >>> CivilViolenceLattice(sequential, RandomStreams(1)).run(20).jailed.shape
    (21,)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.ground import epstein_kernels as kernels
from sim.ground.epstein_sequential import sequential_run
from sim.ground.lattice import BoolArray, FloatArray, IntArray, TorusLattice
from sim.rng import RandomStreams
from sim.scenario.ground import EpsteinSpec, InterGroupSpec

OFF_LATTICE = kernels.OFF

Citizens = tuple[
    IntArray, IntArray, FloatArray, FloatArray, BoolArray, BoolArray, BoolArray, IntArray, IntArray
]
"""The citizens' arrays as the kernels take them (see :mod:`sim.ground.epstein_kernels`)."""


@dataclass(frozen=True)
class LatticeRun:
    """Per-step series of one run (index 0 is the initial state).

    Attributes:
        active: Active citizens.
        jailed: Jailed citizens.
        quiet: Free citizens who are not active.
        activations: Citizens turning from quiet to active in the step.
        cops: Cops on the lattice.
        alive_by_group: Model II: living citizens per group, shape ``(steps + 1, groups)``.
        killed: Model II: citizens killed in the step.
    """

    active: IntArray
    jailed: IntArray
    quiet: IntArray
    activations: IntArray
    cops: IntArray
    alive_by_group: IntArray
    killed: IntArray


class CivilViolenceLattice:
    """Epstein's civil violence model on a torus lattice, compiled.

    Model II (inter-group violence) is used when ``spec`` is an :class:`InterGroupSpec`: the
    citizens form two groups, a citizen's legitimacy is the legitimacy it grants the other group,
    actives kill members of the other group, and the cops are peacekeepers.

    Args:
        spec: Model I or Model II parameters (``spec.activation`` picks the schedule).
        streams: The run's random streams; this model draws from ``epstein.*`` streams.
    """

    def __init__(self, spec: EpsteinSpec, streams: RandomStreams) -> None:
        self.spec = spec
        self.streams = streams
        self.inter_group = isinstance(spec, InterGroupSpec)
        self.sequential = spec.activation == "random_sequential"
        height, width = spec.height.value, spec.width.value
        self.lattice = TorusLattice(height, width, spec.citizen_vision.value, spec.neighbourhood)
        self.cop_lattice = (
            self.lattice
            if spec.cop_vision.value == spec.citizen_vision.value
            else TorusLattice(height, width, spec.cop_vision.value, spec.neighbourhood)
        )
        self.legitimacy = spec.legitimacy.value
        self.steps = 0
        self._place_agents(streams["epstein.init"])
        self._chunks: list[IntArray] = []
        self._record(activations=0, killed=0)

    def _place_agents(self, rng: np.random.Generator) -> None:
        size = self.lattice.size
        citizens, cops = self.spec.citizen_density.value, self.spec.cop_density.value
        if self.spec.placement == "per_site":
            draw = rng.random(size)
            self.citizen_site: IntArray = np.flatnonzero(draw < citizens)
            self.cop_site: IntArray = np.flatnonzero((draw >= citizens) & (draw < citizens + cops))
        else:
            n_citizens, n_cops = round(citizens * size), round(cops * size)
            sites = rng.permutation(size).astype(np.int64)
            self.citizen_site = sites[:n_citizens].copy()
            self.cop_site = sites[n_citizens : n_citizens + n_cops].copy()
        n_citizens = self.citizen_site.size
        self.hardship: FloatArray = rng.random(n_citizens)
        self.risk_aversion: FloatArray = rng.random(n_citizens)
        self.group: IntArray = np.zeros(n_citizens, dtype=np.int64)
        if isinstance(self.spec, InterGroupSpec):
            n_blue = round(self.spec.blue_share.value * n_citizens)
            self.group[rng.permutation(n_citizens)[n_blue:]] = 1
        self.active: BoolArray = np.zeros(n_citizens, dtype=bool)
        self.alive: BoolArray = np.ones(n_citizens, dtype=bool)
        self.in_jail: BoolArray = np.zeros(n_citizens, dtype=bool)
        self.jail_left: IntArray = np.zeros(n_citizens, dtype=np.int64)
        self.last_site: IntArray = self.citizen_site.copy()
        self.occupied: BoolArray = np.zeros(size, dtype=bool)
        self.occupied[self.citizen_site] = True
        self.occupied[self.cop_site] = True
        self.citizen_at: IntArray = np.full(size, OFF_LATTICE, dtype=np.int64)
        self.citizen_at[self.citizen_site] = np.arange(n_citizens)

    @property
    def n_citizens(self) -> int:
        """Citizens created at the start (living or not)."""
        return int(self.citizen_site.size)

    @property
    def n_groups(self) -> int:
        """Groups of citizens: 2 in Model II, else 1."""
        return 2 if self.inter_group else 1

    @property
    def free(self) -> BoolArray:
        """Living citizens not in jail (on the lattice)."""
        return self.alive & ~self.in_jail

    @property
    def jailed(self) -> BoolArray:
        """Living citizens in jail (synchronous: off the lattice; random sequential: on it)."""
        return self.alive & self.in_jail

    @property
    def alive_by_group(self) -> IntArray:
        """Living citizens (free or jailed) per group now."""
        return self._chunks[-1][-1, kernels.HISTORY_COLUMNS :]

    @property
    def grievance(self) -> FloatArray:
        """G = H (1 - L) for every citizen."""
        return self.hardship * (1.0 - self.legitimacy)

    def set_legitimacy(self, legitimacy: float) -> None:
        """Change L (e.g. a gradual or sudden decline)."""
        if not 0.0 <= legitimacy <= 1.0:
            raise ValueError(f"legitimacy must lie in [0, 1], got {legitimacy}")
        self.legitimacy = legitimacy

    def remove_cops(self, count: int) -> None:
        """Take ``count`` randomly chosen cops off the lattice (stream ``epstein.cops``)."""
        count = min(count, self.cop_site.size)
        leaving = self.streams["epstein.cops"].choice(self.cop_site.size, size=count, replace=False)
        self.occupied[self.cop_site[leaving]] = False
        self.cop_site = np.delete(self.cop_site, leaving)

    def step(self) -> None:
        """Advance one step (see the module docstring for the two schedules)."""
        self._advance(1)

    def run(self, steps: int) -> LatticeRun:
        """Step ``steps`` times and return the series."""
        if steps > 0:
            self._advance(steps)
        return self.series()

    def _advance(self, steps: int) -> None:
        history = np.zeros((steps, kernels.HISTORY_COLUMNS + self.n_groups), dtype=np.int64)
        kernel = sequential_run if self.sequential else kernels.sync_run
        first = "epstein.order" if self.sequential else "epstein.release"
        kernel(
            self._citizens(),
            self.cop_site,
            self.lattice.vision,
            self.cop_lattice.vision,
            self.occupied,
            self.citizen_at,
            self._params(),
            self._switches(),
            self.streams[first],
            self.streams["epstein.arrest"],
            self.streams["epstein.jail"],
            self.streams["epstein.kill"],
            self.streams["epstein.move"],
            history,
        )
        self._chunks.append(history)
        self.steps += steps

    def _citizens(self) -> Citizens:
        return (
            self.citizen_site,
            self.group,
            self.hardship,
            self.risk_aversion,
            self.active,
            self.alive,
            self.in_jail,
            self.jail_left,
            self.last_site,
        )

    def _params(self) -> FloatArray:
        spec = self.spec
        return np.array([self.legitimacy, spec.threshold.value, spec.arrest_constant.value])

    def _switches(self) -> IntArray:
        spec = self.spec
        rule = kernels.RULE_CODES[spec.ratio_rule]
        values = (rule, spec.max_jail_term.value, spec.move_tries, spec.movement, self.n_groups)
        return np.array(values, dtype=np.int64)

    # The synchronous phases one at a time (the fused kernel runs the same functions).

    def _release(self) -> None:
        kernels.sync_release(
            self._citizens(), self.occupied, self.citizen_at, self.streams["epstein.release"]
        )

    def _decide(self) -> int:
        size = self.lattice.size
        return int(
            kernels.sync_decide(
                self._citizens(),
                self.cop_site,
                self.lattice.vision,
                self._params(),
                kernels.RULE_CODES[self.spec.ratio_rule],
                np.zeros((1, size), dtype=np.int64),
                np.zeros((self.n_groups, size), dtype=np.int64),
            )
        )

    def _arrest(self) -> None:
        kernels.sync_arrest(
            self._citizens(),
            self.cop_site,
            self.cop_lattice.vision,
            self.occupied,
            self.citizen_at,
            self.spec.max_jail_term.value,
            self.streams["epstein.arrest"],
            self.streams["epstein.jail"],
        )

    def _kill(self) -> int:
        return int(
            kernels.sync_kill(
                self._citizens(),
                self.lattice.vision,
                self.occupied,
                self.citizen_at,
                self.streams["epstein.kill"],
            )
        )

    def _move(self) -> None:
        kernels.sync_move(
            self._citizens(),
            self.cop_site,
            self.lattice.vision,
            self.cop_lattice.vision,
            self.occupied,
            self.citizen_at,
            self.spec.move_tries,
            self.streams["epstein.move"],
        )

    def _record(self, activations: int, killed: int) -> None:
        row = np.zeros((1, kernels.HISTORY_COLUMNS + self.n_groups), dtype=np.int64)
        kernels.tally(self._citizens(), self.cop_site, activations, killed, row[0])
        self._chunks.append(row)

    def series(self) -> LatticeRun:
        """The per-step series recorded so far."""
        table = np.concatenate(self._chunks)
        columns = kernels.HISTORY_COLUMNS
        return LatticeRun(
            active=table[:, kernels.ACTIVE],
            jailed=table[:, kernels.JAILED],
            quiet=table[:, kernels.QUIET],
            activations=table[:, kernels.ACTIVATIONS],
            cops=table[:, kernels.COPS],
            alive_by_group=table[:, columns:],
            killed=table[:, kernels.KILLED],
        )
