"""Compiled kernels of Epstein's civil-violence lattice (numba, cached on disk).

The state lives in numpy arrays owned by :class:`sim.ground.epstein.CivilViolenceLattice`; the
kernels update it in place. Citizens travel as one tuple ``cit``:

``(site, group, hardship, risk_aversion, active, alive, in_jail, jail_left, last_site)``

and the lattice as ``occupied`` (per site) and ``citizen_at`` (per site: the citizen there or
``OFF``). A ``Vision`` ``(height, width, span, dy, dx)`` describes the sites within vision of a
site (the centre excluded): offsets ``(dy[j], dx[j])``, and per row ``-r..r`` the half-width
``span`` of the contiguous run of sites seen in that row (every shape used is convex along rows).
Visions are symmetric, so the number of sources within vision of every site is built by adding
each source to the sites that see it.

Tuples are unpacked once per call of a phase; the per-agent helpers take plain arrays and
scalars (unpacking a tuple of arrays per agent costs a reference-count update per array).

Random numbers come from the run's named ``numpy.random.Generator`` streams, passed in (numba
shares their state with Python, so runs stay reproducible per seed). An index below ``n`` is
drawn as ``floor(U n)`` from one uniform double (bias below 2**-40 for the sizes used here).

Two schedules:

* :func:`sync_run`: release, decide, arrest, (kill), move, each phase over all agents at once
  on the state at its start (the project's synchronous mode).
* ``sim.ground.epstein_sequential.sequential_run``: every agent, citizen or cop, acts in a
  fresh random order each step on the current state, as in Epstein (2002) and Mesa's
  example; jailed citizens stay on their site and serve their term one activation at a time
  (Mesa's rule).
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]
Rng = np.random.Generator
Citizens = tuple[
    IntArray, IntArray, FloatArray, FloatArray, BoolArray, BoolArray, BoolArray, IntArray, IntArray
]
"""site, group, hardship, risk_aversion, active, alive, in_jail, jail_left, last_site."""
Vision = tuple[int, int, IntArray, IntArray, IntArray]
"""height, width, span (half-width of each row of the neighbourhood), dy, dx."""

OFF = -1
"""Site of a citizen who is not on the lattice (jailed in the synchronous mode, or dead)."""

# params (float64): legitimacy, threshold, arrest constant k
LEGITIMACY, THRESHOLD, ARREST_K = 0, 1, 2
# switches (int64): C/A rule code, J_max, move tries, movement (0/1), groups (1 or 2)
RULE, MAX_JAIL, TRIES, MOVEMENT, GROUPS = 0, 1, 2, 3, 4
RULE_CODES = {"literal": 0, "floor": 1, "round": 2}
# columns of a history row; then one column per group: living citizens
ACTIVE, JAILED, QUIET, ACTIVATIONS, COPS, KILLED = range(6)
HISTORY_COLUMNS = 6
REJECTION_TRIES = 64
"""Random draws before an empty-site search falls back to listing every candidate."""


@njit(cache=True, inline="always")
def uniform_index(rng: Rng, n: int) -> int:
    """A uniform integer in ``0..n-1``."""
    i = int(rng.random() * n)
    return i if i < n else n - 1


@njit(cache=True)
def shuffle(order: IntArray, rng: Rng) -> None:
    """Fisher-Yates shuffle in place."""
    for i in range(order.size - 1, 0, -1):
        j = uniform_index(rng, i + 1)
        order[i], order[j] = order[j], order[i]


@njit(cache=True, inline="always")
def wrap(v: int, n: int) -> int:
    """``v mod n`` for ``-n <= v < 2n``."""
    if v < 0:
        return v + n
    return v - n if v >= n else v


@njit(cache=True, inline="always")
def arrest_p(cops: float, actives: float, k: float, rule: int) -> float:
    """``P = 1 - exp(-k f(C / A))``; rule 0 literal, 1 floor, 2 round (half to even)."""
    ratio = cops / actives
    if rule == 1:
        ratio = math.floor(ratio)
    elif rule == 2:
        ratio = np.rint(ratio)
    return 1.0 - math.exp(-k * ratio)


@njit(cache=True, inline="always")
def turns_active(
    hardship: float, risk: float, cops: float, own_actives: float, params: FloatArray, rule: int
) -> bool:
    """Epstein's rule ``G - R P > T`` with ``G = H (1 - L)``, A counting oneself.

    R P >= 0, so a grievance at or below T settles it without computing P.
    """
    grievance = hardship * (1.0 - params[LEGITIMACY])
    if grievance <= params[THRESHOLD]:
        return False
    p = arrest_p(cops, own_actives + 1.0, params[ARREST_K], rule)
    return grievance - risk * p > params[THRESHOLD]


@njit(cache=True, inline="always")
def add_vision(
    counts: np.ndarray, row: int, span: IntArray, height: int, width: int, site: int, delta: float
) -> None:
    """Add ``delta`` to ``counts[row]`` at every site that sees ``site``."""
    radius = span.size // 2
    y = site // width
    x = site - y * width
    for k in range(span.size):
        base = wrap(y + k - radius, height) * width
        half = span[k]
        for dx in range(-half, half + 1):
            if dx != 0 or k != radius:
                counts[row, base + wrap(x + dx, width)] += delta


@njit(cache=True, inline="always")
def list_vision(span: IntArray, height: int, width: int, site: int, out: IntArray) -> int:
    """Write the sites within vision of ``site`` into ``out``; returns how many."""
    radius = span.size // 2
    y = site // width
    x = site - y * width
    found = 0
    for k in range(span.size):
        base = wrap(y + k - radius, height) * width
        half = span[k]
        for dx in range(-half, half + 1):
            if dx != 0 or k != radius:
                out[found] = base + wrap(x + dx, width)
                found += 1
    return found


@njit(cache=True)
def count_sources(vision: Vision, fields: np.ndarray) -> np.ndarray:
    """For each field row and site, the sum of the field over the sites within vision."""
    height, width, span, _, _ = vision
    out = np.zeros(fields.shape)
    for f in range(fields.shape[0]):
        for s in range(fields.shape[1]):
            if fields[f, s] != 0.0:
                add_vision(out, f, span, height, width, s, fields[f, s])
    return out


@njit(cache=True, inline="always")
def first_empty(
    occupied: BoolArray,
    dy: IntArray,
    dx: IntArray,
    height: int,
    width: int,
    site: int,
    tries: int,
    rng: Rng,
) -> int:
    """The first empty site among ``tries`` uniform draws within vision of ``site`` (or -1)."""
    y = site // width
    x = site - y * width
    for _ in range(tries):
        j = uniform_index(rng, dy.size)
        s = wrap(y + dy[j], height) * width + wrap(x + dx[j], width)
        if not occupied[s]:
            return s
    return -1


@njit(cache=True, inline="always")
def random_empty_neighbour(
    occupied: BoolArray,
    span: IntArray,
    dy: IntArray,
    dx: IntArray,
    height: int,
    width: int,
    site: int,
    buffer: IntArray,
    rng: Rng,
) -> int:
    """A uniformly chosen empty site within vision of ``site`` (-1 if there is none).

    Random draws until an empty site comes up (uniform over the empty ones); after
    ``REJECTION_TRIES`` misses, a uniform pick from the listed empty sites.
    """
    s = first_empty(occupied, dy, dx, height, width, site, REJECTION_TRIES, rng)
    if s >= 0:
        return s
    seen = list_vision(span, height, width, site, buffer)
    empties = 0
    for j in range(seen):
        if not occupied[buffer[j]]:
            buffer[empties] = buffer[j]
            empties += 1
    return buffer[uniform_index(rng, empties)] if empties else -1


@njit(cache=True)
def random_empty_site(occupied: BoolArray, rng: Rng) -> int:
    """A uniformly chosen empty site of the lattice (-1 if there is none)."""
    for _ in range(REJECTION_TRIES):
        s = uniform_index(rng, occupied.size)
        if not occupied[s]:
            return s
    empty = np.flatnonzero(~occupied)
    return empty[uniform_index(rng, empty.size)] if empty.size else -1


@njit(cache=True, inline="always")
def pick_active(
    span: IntArray,
    height: int,
    width: int,
    site: int,
    citizen_at: IntArray,
    active: BoolArray,
    buffer: IntArray,
    rng: Rng,
) -> int:
    """A random active citizen within vision of ``site`` (-1: none)."""
    seen = list_vision(span, height, width, site, buffer)
    found = 0
    for j in range(seen):
        c = citizen_at[buffer[j]]
        if c != OFF and active[c]:
            buffer[found] = c
            found += 1
    return buffer[uniform_index(rng, found)] if found else -1


@njit(cache=True, inline="always")
def pick_prey(
    span: IntArray,
    height: int,
    width: int,
    site: int,
    citizen_at: IntArray,
    spared: BoolArray,
    group: IntArray,
    hunter_group: int,
    buffer: IntArray,
    rng: Rng,
) -> int:
    """A random citizen within vision of ``site``, of another group than ``hunter_group`` and
    not ``spared`` (-1: none).
    """  # noqa: D205
    seen = list_vision(span, height, width, site, buffer)
    found = 0
    for j in range(seen):
        c = citizen_at[buffer[j]]
        if c != OFF and not spared[c] and group[c] != hunter_group:
            buffer[found] = c
            found += 1
    return buffer[uniform_index(rng, found)] if found else -1


@njit(cache=True)
def take_off(
    i: int,
    site: IntArray,
    active: BoolArray,
    last_site: IntArray,
    occupied: BoolArray,
    citizen_at: IntArray,
) -> None:
    """Take citizen ``i`` off the lattice (to jail or death), remembering its site."""
    s = site[i]
    last_site[i] = s
    occupied[s] = False
    citizen_at[s] = OFF
    site[i] = OFF
    active[i] = False


@njit(cache=True)
def count_cops(cop_site: IntArray, vision: Vision, out: IntArray) -> None:
    """Cops within vision of every site, into row 0 of ``out``."""
    height, width, span, _, _ = vision
    out[:] = 0
    for c in range(cop_site.size):
        add_vision(out, 0, span, height, width, cop_site[c], 1)


@njit(cache=True)
def count_actives(cit: Citizens, vision: Vision, out: IntArray, by_group: bool) -> None:
    """Actives on the lattice within vision of every site: per group (row = group) or all in
    row 0.
    """  # noqa: D205
    site, group, _, _, active, _, _, _, _ = cit
    height, width, span, _, _ = vision
    out[:] = 0
    for i in range(site.size):
        if active[i] and site[i] != OFF:
            add_vision(out, group[i] if by_group else 0, span, height, width, site[i], 1)


@njit(cache=True)
def tally(cit: Citizens, cop_site: IntArray, activations: int, killed: int, out: IntArray) -> None:
    """One history row: active, jailed, quiet, activations, cops, killed, alive per group."""
    _, group, _, _, active, alive, in_jail, _, _ = cit
    out[:] = 0
    for i in range(alive.size):
        if alive[i]:
            out[HISTORY_COLUMNS + group[i]] += 1
            if in_jail[i]:
                out[JAILED] += 1
            elif active[i]:
                out[ACTIVE] += 1
            else:
                out[QUIET] += 1
    out[ACTIVATIONS] = activations
    out[COPS] = cop_site.size
    out[KILLED] = killed


# --- synchronous schedule -------------------------------------------------------------------


@njit(cache=True)
def sync_release(cit: Citizens, occupied: BoolArray, citizen_at: IntArray, rng: Rng) -> None:
    """Release citizens whose term is over: home if it is free, else a random empty site."""
    site, _, _, _, _, alive, in_jail, jail_left, last_site = cit
    homeless = np.empty(alive.size, dtype=np.int64)
    n_homeless = 0
    for i in range(alive.size):
        if not (alive[i] and in_jail[i]):
            continue
        if jail_left[i] > 0:
            jail_left[i] -= 1
            continue
        in_jail[i] = False
        home = last_site[i]
        if occupied[home]:
            homeless[n_homeless] = i
            n_homeless += 1
        else:
            site[i] = home
            occupied[home] = True
            citizen_at[home] = i
    for i in homeless[:n_homeless]:  # after every return home
        s = random_empty_site(occupied, rng)
        site[i] = s
        occupied[s] = True
        citizen_at[s] = i


@njit(cache=True)
def sync_decide(
    cit: Citizens,
    cop_site: IntArray,
    vision: Vision,
    params: FloatArray,
    rule: int,
    cop_count: IntArray,
    active_count: IntArray,
) -> int:
    """Every free citizen decides on the counts at the start; returns quiet -> active turns."""
    site, group, hardship, risk, active, _, _, _, _ = cit
    count_cops(cop_site, vision, cop_count)
    count_actives(cit, vision, active_count, True)
    activations = 0
    for i in range(site.size):
        s = site[i]
        if s == OFF:
            continue
        own = active_count[group[i], s]
        becomes = turns_active(hardship[i], risk[i], cop_count[0, s], own, params, rule)
        if becomes and not active[i]:
            activations += 1
        active[i] = becomes
    return activations


@njit(cache=True)
def sync_arrest(
    cit: Citizens,
    cop_site: IntArray,
    cop_vision: Vision,
    occupied: BoolArray,
    citizen_at: IntArray,
    max_jail: int,
    rng: Rng,
    jail_rng: Rng,
) -> None:
    """Cops in random order each arrest a random active within vision (none twice).

    A grid of the actives within each site's view lets cops with none in view skip the search.
    """
    site, _, _, _, active, _, in_jail, jail_left, last_site = cit
    height, width, span, dy, _ = cop_vision
    in_view = np.zeros((1, occupied.size), dtype=np.int64)
    count_actives(cit, cop_vision, in_view, False)
    order = np.arange(cop_site.size)
    shuffle(order, rng)
    buffer = np.empty(dy.size, dtype=np.int64)
    for c in order:
        if in_view[0, cop_site[c]] == 0:
            continue
        target = pick_active(span, height, width, cop_site[c], citizen_at, active, buffer, rng)
        if target < 0:
            raise RuntimeError("a cop's count of actives in view is out of step")
        add_vision(in_view, 0, span, height, width, site[target], -1)
        take_off(target, site, active, last_site, occupied, citizen_at)
        in_jail[target] = True
        jail_left[target] = uniform_index(jail_rng, max_jail + 1)


@njit(cache=True)
def sync_kill(
    cit: Citizens, vision: Vision, occupied: BoolArray, citizen_at: IntArray, rng: Rng
) -> int:
    """Model II: each active kills a random member of the other group within vision.

    Group by group, killers in random order, no victim twice; all on the state at the start
    (a citizen killed in the step may still kill). Returns the deaths.
    """
    site, group, _, _, active, alive, _, _, last_site = cit
    height, width, span, dy, _ = vision
    doomed = np.zeros(site.size, dtype=np.bool_)
    buffer = np.empty(dy.size, dtype=np.int64)
    for g in range(2):
        killers = np.flatnonzero(active & (group == g) & (site != OFF))
        shuffle(killers, rng)
        for k in killers:
            victim = pick_prey(
                span, height, width, site[k], citizen_at, doomed, group, g, buffer, rng
            )
            if victim >= 0:
                doomed[victim] = True
    dead = np.flatnonzero(doomed)
    for i in dead:
        take_off(int(i), site, active, last_site, occupied, citizen_at)
        alive[i] = False
    return dead.size


@njit(cache=True)
def _draw_moves(
    sites: IntArray,
    dy: IntArray,
    dx: IntArray,
    height: int,
    width: int,
    occupied: BoolArray,
    tries: int,
    rng: Rng,
    targets: IntArray,
) -> None:
    """Each mover's target: the first empty site among ``tries`` draws within its vision."""
    for k in range(sites.size):
        if sites[k] == OFF:
            continue
        y = sites[k] // width
        x = sites[k] - y * width
        for _ in range(tries):
            j = uniform_index(rng, dy.size)
            s = wrap(y + dy[j], height) * width + wrap(x + dx[j], width)
            if not occupied[s]:
                targets[k] = s
                break


@njit(cache=True)
def sync_move(
    cit: Citizens,
    cop_site: IntArray,
    vision: Vision,
    cop_vision: Vision,
    occupied: BoolArray,
    citizen_at: IntArray,
    tries: int,
    rng: Rng,
) -> None:
    """Free citizens and cops move to a random empty site within vision, all at once.

    Each inspects up to ``tries`` random sites within vision and claims the first empty one; a
    random claimant wins each site (reservoir draw: the k-th claimant takes over w.p. 1/k);
    losers and movers who found nothing stay; sites vacated in the step are not reused.
    """
    site = cit[0]
    height, width, _, dy, dx = vision
    _, _, _, cop_dy, cop_dx = cop_vision
    n = site.size
    targets = np.full(n + cop_site.size, -1, dtype=np.int64)
    _draw_moves(site, dy, dx, height, width, occupied, tries, rng, targets[:n])
    _draw_moves(cop_site, cop_dy, cop_dx, height, width, occupied, tries, rng, targets[n:])
    claims = np.zeros(occupied.size, dtype=np.int64)
    owner = np.empty(occupied.size, dtype=np.int64)
    for m in range(targets.size):
        t = targets[m]
        if t >= 0:
            claims[t] += 1
            if claims[t] == 1 or rng.random() * claims[t] < 1.0:
                owner[t] = m
    for m in range(targets.size):
        t = targets[m]
        if t < 0 or owner[t] != m:
            continue
        old = site[m] if m < n else cop_site[m - n]
        occupied[old] = False
        occupied[t] = True
        if m < n:
            citizen_at[old] = OFF
            citizen_at[t] = m
            site[m] = t
        else:
            cop_site[m - n] = t


@njit(cache=True)
def sync_run(
    cit: Citizens,
    cop_site: IntArray,
    vision: Vision,
    cop_vision: Vision,
    occupied: BoolArray,
    citizen_at: IntArray,
    params: FloatArray,
    switches: IntArray,
    release_rng: Rng,
    arrest_rng: Rng,
    jail_rng: Rng,
    kill_rng: Rng,
    move_rng: Rng,
    history: IntArray,
) -> None:
    """Run ``history.shape[0]`` synchronous steps, writing one history row per step."""
    groups = switches[GROUPS]
    cop_count = np.zeros((1, occupied.size), dtype=np.int64)
    active_count = np.zeros((groups, occupied.size), dtype=np.int64)
    for t in range(history.shape[0]):
        sync_release(cit, occupied, citizen_at, release_rng)
        turned = sync_decide(cit, cop_site, vision, params, switches[RULE], cop_count, active_count)
        sync_arrest(
            cit, cop_site, cop_vision, occupied, citizen_at, switches[MAX_JAIL],
            arrest_rng, jail_rng,
        )  # fmt: skip
        killed = sync_kill(cit, vision, occupied, citizen_at, kill_rng) if groups > 1 else 0
        if switches[MOVEMENT]:
            sync_move(
                cit, cop_site, vision, cop_vision, occupied, citizen_at, switches[TRIES], move_rng
            )
        tally(cit, cop_site, turned, killed, history[t])
