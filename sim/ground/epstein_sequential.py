"""Random sequential activation of Epstein's lattice (the paper's schedule, Mesa's example).

Each step every agent, citizen or cop, acts once in a fresh random order on the current state.
Jailed citizens follow Mesa 3.5's example (``mesa/examples/advanced/epstein_civil_violence``):
they stay on their site, invisible to others' counts, and each activation in jail only serves
one step of the term (a term of 0 is served at once). A free citizen decides on the current
counts, (Model II: if active, kills a random free member of the other group within vision), and
moves to a random empty site within vision; a cop arrests a random active within vision and
moves. The counts within vision that citizens decide on are kept current incrementally as
agents turn, are arrested, die and move. The state tuples are those of
:mod:`sim.ground.epstein_kernels`.

Caution: these kernels call compiled functions of :mod:`sim.ground.epstein_kernels`, and numba's
on-disk cache checks only the file of the cached function. After editing ``epstein_kernels.py``,
touch this file too (or delete ``sim/ground/__pycache__/epstein_sequential.*.nb*``) so that the
schedule is recompiled against the new code; a fresh checkout is always consistent.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.ground.epstein_kernels import (
    GROUPS,
    MAX_JAIL,
    MOVEMENT,
    OFF,
    RULE,
    BoolArray,
    Citizens,
    FloatArray,
    IntArray,
    Rng,
    Vision,
    add_vision,
    count_actives,
    count_cops,
    pick_active,
    pick_prey,
    random_empty_neighbour,
    shuffle,
    take_off,
    tally,
    turns_active,
    uniform_index,
)


@njit(cache=True, inline="always")
def _shift_active(
    active_count: IntArray,
    in_view: IntArray,
    group: int,
    site: int,
    delta: int,
    span: IntArray,
    cop_span: IntArray,
    height: int,
    width: int,
) -> None:
    """An active appears (+1) or leaves (-1) at ``site``: update what citizens and cops see."""
    add_vision(active_count, group, span, height, width, site, delta)
    add_vision(in_view, 0, cop_span, height, width, site, delta)


@njit(cache=True)
def _kill_near(
    cit: Citizens,
    killer: int,
    vision: Vision,
    cop_span: IntArray,
    occupied: BoolArray,
    citizen_at: IntArray,
    active_count: IntArray,
    in_view: IntArray,
    buffer: IntArray,
    rng: Rng,
) -> int:
    """Model II: ``killer`` kills a random free citizen of the other group in view (0 or 1)."""
    site, group, _, _, active, alive, in_jail, _, last_site = cit
    height, width, span, _, _ = vision
    victim = pick_prey(  # the dead are off the lattice, the jailed are spared
        span, height, width, site[killer], citizen_at, in_jail, group, group[killer], buffer, rng
    )
    if victim < 0:
        return 0
    if active[victim]:
        _shift_active(
            active_count, in_view, group[victim], site[victim], -1, span, cop_span, height, width
        )
    take_off(victim, site, active, last_site, occupied, citizen_at)
    alive[victim] = False
    return 1


@njit(cache=True)
def _cop_acts(
    c: int,
    cit: Citizens,
    cop_site: IntArray,
    vision: Vision,
    cop_vision: Vision,
    occupied: BoolArray,
    citizen_at: IntArray,
    seen: tuple[IntArray, IntArray, IntArray],
    switches: IntArray,
    buffer: IntArray,
    rngs: tuple[Rng, Rng, Rng],
) -> None:
    """Cop ``c`` arrests a random active within vision (jailed on its site), then moves."""
    site, group, _, _, active, _, in_jail, jail_left, _ = cit
    height, width, span, _, _ = vision
    _, _, cop_span, cop_dy, cop_dx = cop_vision
    cop_count, active_count, in_view = seen
    arrest_rng, jail_rng, move_rng = rngs
    s = cop_site[c]
    if in_view[0, s] > 0:
        i = pick_active(cop_span, height, width, s, citizen_at, active, buffer, arrest_rng)
        if i < 0:
            raise RuntimeError("a cop's count of actives in view is out of step")
        _shift_active(active_count, in_view, group[i], site[i], -1, span, cop_span, height, width)
        active[i] = False
        in_jail[i] = True
        jail_left[i] = uniform_index(jail_rng, switches[MAX_JAIL] + 1)
    if not switches[MOVEMENT]:
        return
    new = random_empty_neighbour(
        occupied, cop_span, cop_dy, cop_dx, height, width, s, buffer, move_rng
    )
    if new >= 0:
        add_vision(cop_count, 0, span, height, width, s, -1)
        add_vision(cop_count, 0, span, height, width, new, 1)
        occupied[s] = False
        occupied[new] = True
        cop_site[c] = new


@njit(cache=True)
def sequential_run(
    cit: Citizens,
    cop_site: IntArray,
    vision: Vision,
    cop_vision: Vision,
    occupied: BoolArray,
    citizen_at: IntArray,
    params: FloatArray,
    switches: IntArray,
    order_rng: Rng,
    arrest_rng: Rng,
    jail_rng: Rng,
    kill_rng: Rng,
    move_rng: Rng,
    history: IntArray,
) -> None:
    """Run ``history.shape[0]`` steps of random sequential activation (one history row each).

    The citizens' turn is written out here rather than in a helper: passing the state's arrays
    to a helper per citizen costs reference-count updates that outweigh the citizen's own work.
    """
    site, group, hardship, risk, active, alive, in_jail, jail_left, _ = cit
    height, width, span, dy, dx = vision
    cop_span = cop_vision[2]
    rule, movement, groups = switches[RULE], switches[MOVEMENT], switches[GROUPS]
    n, size = site.size, occupied.size
    seen = (  # cops in citizens' view; actives per group in citizens' view; actives in cops' view
        np.zeros((1, size), dtype=np.int64),
        np.zeros((groups, size), dtype=np.int64),
        np.zeros((1, size), dtype=np.int64),
    )
    cop_count, active_count, in_view = seen
    buffer = np.empty(max(dy.size, cop_vision[3].size), dtype=np.int64)
    count_cops(cop_site, vision, cop_count)  # counted once per call, then kept current
    count_actives(cit, vision, active_count, True)
    count_actives(cit, cop_vision, in_view, False)
    for t in range(history.shape[0]):
        order = np.arange(n + cop_site.size)
        shuffle(order, order_rng)
        turned, killed = 0, 0
        for index in range(order.size):
            a = int(order[index])
            if a >= n:
                _cop_acts(
                    a - n, cit, cop_site, vision, cop_vision, occupied, citizen_at, seen,
                    switches, buffer, (arrest_rng, jail_rng, move_rng),
                )  # fmt: skip
                continue
            if not alive[a]:
                continue
            if in_jail[a]:  # serve one step, or come out and act
                if jail_left[a] > 0:
                    jail_left[a] -= 1
                    continue
                in_jail[a] = False
            s, g = site[a], group[a]
            becomes = turns_active(
                hardship[a], risk[a], cop_count[0, s], active_count[g, s], params, rule
            )
            if becomes != active[a]:
                turned += becomes
                delta = 1 if becomes else -1
                _shift_active(active_count, in_view, g, s, delta, span, cop_span, height, width)
                active[a] = becomes
            if becomes and groups > 1:
                killed += _kill_near(
                    cit, a, vision, cop_span, occupied, citizen_at, active_count, in_view,
                    buffer, kill_rng,
                )  # fmt: skip
            new = -1
            if movement:
                new = random_empty_neighbour(
                    occupied, span, dy, dx, height, width, s, buffer, move_rng
                )
            if new >= 0:
                if becomes:
                    _shift_active(active_count, in_view, g, s, -1, span, cop_span, height, width)
                    _shift_active(active_count, in_view, g, new, 1, span, cop_span, height, width)
                occupied[s] = False
                citizen_at[s] = OFF
                site[a] = new
                occupied[new] = True
                citizen_at[new] = a
        tally(cit, cop_site, turned, killed, history[t])
