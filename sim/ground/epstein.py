"""Epstein's civil violence model (PNAS 2002), vectorised: Model I and Model II.

Citizens are individuals on a torus lattice, held in numpy arrays (one entry per citizen), not
Mesa agents. Each step, synchronously:

1. Citizens whose jail term has run out are released (to their old site if it is free,
   otherwise to a random empty site).
2. Every free citizen decides: active if ``G - R P > T`` with grievance ``G = H (1 - L)`` and
   ``P = 1 - exp(-k f(C / A))``, C the cops and A the actives (counting oneself) within vision,
   both counted on the state at the start of the step (Model II: A counts one's own group).
3. Each cop arrests a random active within its vision; jail terms are ``U{0..J_max}``.
4. Model II only: each remaining active kills a random member of the other group within vision.
5. Cops and free citizens move to a random empty site within vision.

Random sequential activation in the paper (and in Mesa) is replaced by this synchronous
schedule; ties (two cops choosing the same active, two movers the same site) are broken at
random. ``docs/validation.md`` reports what this changes.

Example:
    >>> from sim.rng import RandomStreams
    >>> from sim.scenario.ground import EpsteinSpec
    >>> model = CivilViolenceLattice(EpsteinSpec(), RandomStreams(1))
    >>> run = model.run(20)
    >>> run.active.shape
    (21,)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.ground.lattice import (
    BoolArray,
    FloatArray,
    IntArray,
    TorusLattice,
    arrest_probability,
    choose_moves,
    choose_targets,
)
from sim.rng import RandomStreams
from sim.scenario.ground import EpsteinSpec, InterGroupSpec

OFF_LATTICE = -1


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
    """Epstein's civil violence model on a torus lattice, vectorised.

    Model II (inter-group violence) is used when ``spec`` is an :class:`InterGroupSpec`: the
    citizens form two groups, a citizen's legitimacy is the legitimacy it grants the other group,
    actives kill members of the other group, and the cops are peacekeepers.

    Args:
        spec: Model I or Model II parameters.
        streams: The run's random streams; this model draws from ``epstein.*`` streams.
    """

    def __init__(self, spec: EpsteinSpec, streams: RandomStreams) -> None:
        self.spec = spec
        self.streams = streams
        self.inter_group = isinstance(spec, InterGroupSpec)
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
        self._history: list[tuple[int, ...]] = []
        self._alive_history: list[IntArray] = []
        self._record(activations=0, killed=0)

    def _place_agents(self, rng: np.random.Generator) -> None:
        size = self.lattice.size
        n_citizens = round(self.spec.citizen_density.value * size)
        n_cops = round(self.spec.cop_density.value * size)
        sites = rng.permutation(size)
        self.citizen_site: IntArray = sites[:n_citizens].astype(np.int64)
        self.cop_site: IntArray = sites[n_citizens : n_citizens + n_cops].astype(np.int64)
        self.hardship: FloatArray = rng.random(n_citizens)
        self.risk_aversion: FloatArray = rng.random(n_citizens)
        self.group: IntArray = np.zeros(n_citizens, dtype=np.int64)
        if isinstance(self.spec, InterGroupSpec):
            n_blue = round(self.spec.blue_share.value * n_citizens)
            self.group[rng.permutation(n_citizens)[n_blue:]] = 1
        self.active: BoolArray = np.zeros(n_citizens, dtype=bool)
        self.alive: BoolArray = np.ones(n_citizens, dtype=bool)
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
    def free(self) -> BoolArray:
        """Citizens on the lattice (alive and not jailed)."""
        return self.citizen_site != OFF_LATTICE

    @property
    def jailed(self) -> BoolArray:
        """Living citizens in jail."""
        return self.alive & (self.citizen_site == OFF_LATTICE)

    @property
    def alive_by_group(self) -> IntArray:
        """Living citizens (free or jailed) per group now."""
        return self._alive_history[-1]

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
        """Advance one step: release, decide, arrest, (kill), move."""
        self.steps += 1
        self._release()
        activations = self._decide()
        self._arrest()
        killed = self._kill() if self.inter_group else 0
        if self.spec.movement:
            self._move()
        self._record(activations=activations, killed=killed)

    def run(self, steps: int) -> LatticeRun:
        """Step ``steps`` times and return the series."""
        for _ in range(steps):
            self.step()
        return self.series()

    def _release(self) -> None:
        jailed = np.flatnonzero(self.jailed)
        if jailed.size == 0:
            return
        due = self.jail_left[jailed] == 0
        self.jail_left[jailed[~due]] -= 1
        leaving = jailed[due]
        if leaving.size == 0:
            return
        rng = self.streams["epstein.release"]
        home = self.last_site[leaving]
        home_free = ~self.occupied[home]
        # Two releases to one free home site: only the first keeps it.
        _, first = np.unique(home, return_index=True)
        keeps_home = np.zeros(leaving.size, dtype=bool)
        keeps_home[first] = home_free[first]
        sites = home.copy()
        self.occupied[home[keeps_home]] = True
        empty = np.flatnonzero(~self.occupied)
        elsewhere = ~keeps_home
        sites[elsewhere] = rng.choice(empty, size=int(elsewhere.sum()), replace=False)
        self._put(leaving, sites)

    def _put(self, citizens: IntArray, sites: IntArray) -> None:
        self.citizen_site[citizens] = sites
        self.occupied[sites] = True
        self.citizen_at[sites] = citizens

    def _take_off(self, citizens: IntArray) -> None:
        sites = self.citizen_site[citizens]
        self.last_site[citizens] = sites
        self.occupied[sites] = False
        self.citizen_at[sites] = OFF_LATTICE
        self.citizen_site[citizens] = OFF_LATTICE
        self.active[citizens] = False

    def _decide(self) -> int:
        free = np.flatnonzero(self.free)
        sites = self.citizen_site[free]
        size = self.lattice.size
        n_groups = 2 if self.inter_group else 1
        fields = np.zeros((1 + n_groups, size))
        fields[0, self.cop_site] = 1.0
        on_active = free[self.active[free]]
        fields[1 + self.group[on_active], self.citizen_site[on_active]] = 1.0
        counts = self.lattice.count_within_vision(fields)
        cops = counts[0, sites]
        own_actives = counts[1 + self.group[free], sites]
        probability = arrest_probability(
            cops, own_actives + 1.0, self.spec.arrest_constant.value, self.spec.ratio_rule
        )
        net = self.grievance[free] - self.risk_aversion[free] * probability
        becomes = net > self.spec.threshold.value
        activations = int((becomes & ~self.active[free]).sum())
        self.active[free] = becomes
        return activations

    def _arrest(self) -> None:
        actives = np.zeros(self.lattice.size, dtype=bool)
        actives[self.citizen_site[self.active & self.free]] = True
        _, sites = choose_targets(
            self.cop_lattice, self.cop_site, actives, self.streams["epstein.arrest"]
        )
        if sites.size == 0:
            return
        arrested = self.citizen_at[sites]
        self._take_off(arrested)
        terms = self.streams["epstein.jail"].integers(
            0, self.spec.max_jail_term.value + 1, size=arrested.size
        )
        self.jail_left[arrested] = terms

    def _kill(self) -> int:
        victims: list[IntArray] = []
        rng = self.streams["epstein.kill"]
        free_sites = self.citizen_site[self.free]
        for group in (0, 1):
            killers = self.free & self.active & (self.group == group)
            prey = np.zeros(self.lattice.size, dtype=bool)
            prey[free_sites[self.group[self.free] != group]] = True
            _, sites = choose_targets(self.lattice, self.citizen_site[killers], prey, rng)
            victims.append(self.citizen_at[sites])
        dead = np.concatenate(victims)
        self._take_off(dead)
        self.alive[dead] = False
        return int(dead.size)

    def _move(self) -> None:
        """Citizens and cops move together: one draw and one tie-break for all movers.

        When cops see farther or less far than citizens, each moves on its own lattice.
        """
        rng = self.streams["epstein.move"]
        tries = self.spec.move_tries
        free = np.flatnonzero(self.free)
        if self.cop_lattice is not self.lattice:
            self._move_separately(free, rng)
            return
        sites = np.concatenate((self.citizen_site[free], self.cop_site))
        movers, new_sites = choose_moves(self.lattice, sites, self.occupied, tries, rng)
        self.occupied[sites[movers]] = False
        self.occupied[new_sites] = True
        is_citizen = movers < free.size
        citizens = free[movers[is_citizen]]
        self.citizen_at[self.citizen_site[citizens]] = OFF_LATTICE
        self.citizen_site[citizens] = new_sites[is_citizen]
        self.citizen_at[new_sites[is_citizen]] = citizens
        self.cop_site[movers[~is_citizen] - free.size] = new_sites[~is_citizen]

    def _move_separately(self, free: IntArray, rng: np.random.Generator) -> None:
        tries = self.spec.move_tries
        movers, sites = choose_moves(
            self.lattice, self.citizen_site[free], self.occupied, tries, rng
        )
        moving = free[movers]
        old_sites = self.citizen_site[moving]
        self.occupied[old_sites] = False
        self.citizen_at[old_sites] = OFF_LATTICE
        self._put(moving, sites)
        cops, cop_sites = choose_moves(self.cop_lattice, self.cop_site, self.occupied, tries, rng)
        self.occupied[self.cop_site[cops]] = False
        self.occupied[cop_sites] = True
        self.cop_site[cops] = cop_sites

    def _record(self, activations: int, killed: int) -> None:
        free = self.free
        active = int((self.active & free).sum())
        jailed = int(self.jailed.sum())
        quiet = int(free.sum()) - active
        self._history.append((active, jailed, quiet, activations, int(self.cop_site.size), killed))
        n_groups = 2 if self.inter_group else 1
        self._alive_history.append(np.bincount(self.group[self.alive], minlength=n_groups))

    def series(self) -> LatticeRun:
        """The per-step series recorded so far."""
        table = np.array(self._history, dtype=np.int64)
        return LatticeRun(
            active=table[:, 0],
            jailed=table[:, 1],
            quiet=table[:, 2],
            activations=table[:, 3],
            cops=table[:, 4],
            alive_by_group=np.array(self._alive_history, dtype=np.int64),
            killed=table[:, 5],
        )
