"""Compiled kernels for the ground layer's day (numba, cached on disk).

The ground layer's day was ~40 small numpy operations per sub-step on a 41 x 13 grid, each mostly
call overhead. These kernels do the same arithmetic in one pass per sub-step, in the same order
(C order over cells, the same Poisson draws from the same streams), so that a replication gives
the same numbers as the vectorised code it replaces up to floating-point rounding.

Each kernel keeps its pure-Python source as ``kernel.py_func``; the tests run both on small grids
and compare them (coverage tools cannot see inside compiled code).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numba import njit, types
from numba.extending import typeof_impl

from sim.ground.interfaces import BoolGrid, FloatGrid, IntGrid
from sim.ground.streams import GENERATOR_TYPE, HeldStream, KernelStream, hold
from sim.rng import RandomStreams

# Indices into the parameter vector built by :func:`day_parameters` (compile-time constants).
MEMORY_DAYS = 0
WEIGHT_DAMAGE = 1
WEIGHT_SHORTFALL = 2
WEIGHT_HARM = 3
WEIGHT_DISPLACEMENT = 4
THRESHOLD = 5
ARREST_CONSTANT = 6
RATIO_RULE = 7  # 0 literal, 1 floor, 2 round
ARRESTS_PER_MEMBER = 8
ACTIVES_PER_MEMBER = 9
DETENTION_DAYS = 10
RECRUIT_THRESHOLD = 11
RECRUIT_RATE = 12
ATTRITION = 13
MOVE_RATE = 14
DANGER_IDF = 15
DANGER_HARM = 16
DANGER_DAMAGE = 17
CELL_AREA = 18
MAX_DENSITY = 19
IDF_CODE = 20
PARAMETER_COUNT = 21

RULE_CODES = {"literal": 0.0, "floor": 1.0, "round": 2.0}

HARM_SCALE = 1000.0
"""Harm index per person: casualties remembered per 1,000 residents (see docs/ODD.md)."""

TINY_PROBABILITY = 1e-12
"""Floor on the arrest probability in the activation rule's division (P = 0 means no risk)."""


@typeof_impl.register(np.random.Generator)
def _typeof_generator(value: np.random.Generator, context: object) -> types.Type:
    """Numba's type for a numpy Generator, built once.

    Numba types every argument on every call; for a Generator it builds (and interns) a new
    type object each time, ~2 us of the ~9 us a Generator costs a compiled call. Every
    Generator has the same type, so one instance serves.
    """
    return GENERATOR_TYPE


def for_stream(kernel: Any, stream: object) -> Any:
    """The compiled ``kernel`` for a numpy Generator or a held one, else its Python source.

    Tests stand in streams whose draws are their means (exact answers); compiled code only
    takes numpy's Generator and :class:`~sim.ground.streams.HeldStream`.
    """
    if isinstance(stream, (np.random.Generator, HeldStream)):
        return kernel
    return getattr(kernel, "py_func", kernel)  # NUMBA_DISABLE_JIT=1 leaves plain functions


def bind(kernel: Any, streams: RandomStreams, name: str) -> tuple[Any, object]:
    """:func:`for_stream` for stream ``name``, and the stream to hand the kernel.

    A numpy Generator is handed held for compiled code (:func:`sim.ground.streams.hold`, built
    once per stream): the same draws for a tenth of the cost of a call.
    """
    stream = streams.prepared(name, hold)
    return for_stream(kernel, stream), stream


@njit(cache=True)
def box_sum_into(values: FloatGrid, radius: int, out: FloatGrid) -> None:  # pragma: no cover
    """``out`` = sum of ``values`` over the (2r+1)^2 square around each cell (off-grid is 0).

    Sums rows first, then columns, each in increasing offset, like ``stencils.box_sum``.
    """
    rows, cols = values.shape
    down = np.zeros((rows, cols + 2 * radius))
    for r in range(rows):
        for shift in range(-radius, radius + 1):
            source = r + shift
            if 0 <= source < rows:
                for c in range(cols):
                    down[r, c + radius] += values[source, c]
    for r in range(rows):
        for c in range(cols):
            total = 0.0
            for shift in range(2 * radius + 1):
                total += down[r, c + shift]
            out[r, c] = total


@njit(cache=True)
def _ratio(cops: float, actives: float, rule: float) -> float:  # pragma: no cover
    ratio = cops / actives
    if rule == 1.0:
        return np.floor(ratio)
    if rule == 2.0:
        return np.rint(ratio)
    return ratio


@njit(cache=True)
def security_day(
    stack: np.ndarray,
    land: BoolGrid,
    legitimacy_weights: np.ndarray,
    deterrence_weights: np.ndarray,
    codes: np.ndarray,
    legitimacy_none: float,
    none_code: int,
    legitimacy: FloatGrid,
    controller: IntGrid,
    deterrence: FloatGrid,
) -> None:  # pragma: no cover
    """Controller, legitimacy and deterrence per cell from personnel ``(categories, rows, cols)``.

    Personnel off land does not count; the controller is the category with the most personnel
    (ties to the earlier category).
    """
    categories, rows, cols = stack.shape
    for r in range(rows):
        for c in range(cols):
            total = 0.0
            weighted = 0.0
            deter = 0.0
            best = -1.0
            best_code = none_code
            if land[r, c]:
                for k in range(categories):
                    persons = stack[k, r, c]
                    total += persons
                    weighted += legitimacy_weights[k] * persons
                    deter += deterrence_weights[k] * persons
                    if persons > best:
                        best = persons
                        best_code = codes[k]
            if total > 0.0:
                legitimacy[r, c] = weighted / total
                controller[r, c] = best_code
            else:
                legitimacy[r, c] = legitimacy_none
                controller[r, c] = none_code
            deterrence[r, c] = deter


@njit(cache=True)
def remember_day(
    p: np.ndarray, incoming: FloatGrid, harm: FloatGrid, memory: FloatGrid
) -> None:  # pragma: no cover
    """Today's casualties become the day's harm; the memory of harm decays and takes them in."""
    decay = 1.0 - 1.0 / p[MEMORY_DAYS]
    rows, cols = harm.shape
    for r in range(rows):
        for c in range(cols):
            harm[r, c] = incoming[r, c]
            incoming[r, c] = 0.0
            memory[r, c] = memory[r, c] * decay + harm[r, c]


@njit(cache=True)
def grievance_day(
    p: np.ndarray,
    memory: FloatGrid,
    population: FloatGrid,
    damage: FloatGrid,
    shortfall: FloatGrid,
    displaced: FloatGrid,
    legitimacy: FloatGrid,
    hardship: FloatGrid,
    grievance: FloatGrid,
) -> None:  # pragma: no cover
    """Hardship from damage, aid shortfall, remembered harm and displacement; ``G = H (1 - L)``."""
    rows, cols = population.shape
    for r in range(rows):
        for c in range(cols):
            per_person = 1.0 / population[r, c] if population[r, c] > 0.0 else 0.0
            value = (
                p[WEIGHT_DAMAGE] * damage[r, c]
                + p[WEIGHT_SHORTFALL] * shortfall[r, c]
                + p[WEIGHT_HARM] * (HARM_SCALE * memory[r, c] * per_person)
                + p[WEIGHT_DISPLACEMENT] * displaced[r, c] * per_person
            )
            hardship[r, c] = min(max(value, 0.0), 1.0)
            grievance[r, c] = hardship[r, c] * (1.0 - legitimacy[r, c])


@njit(cache=True)
def activate_day(
    p: np.ndarray,
    radius: int,
    hardship_factor: np.ndarray,
    near_forces: FloatGrid,
    grievance: FloatGrid,
    population: FloatGrid,
    detained: FloatGrid,
    actives: FloatGrid,
) -> None:  # pragma: no cover
    """Epstein's rule per hardship cohort: the share with ``R < (G - T) / P`` goes active."""
    rows, cols = actives.shape
    near = np.empty((rows, cols))
    box_sum_into(actives, radius, near)
    cohorts = hardship_factor.size
    top = hardship_factor.max() if cohorts > 0 else 0.0
    bottom = hardship_factor.min() if cohorts > 0 else 0.0
    for r in range(rows):
        for c in range(cols):
            share = 0.0
            # The risk (an exp) is only needed where some cohort's grievance clears the threshold:
            # the largest of G * factor is at the largest factor (or the smallest, if G < 0).
            best = max(grievance[r, c] * top, grievance[r, c] * bottom)
            if best - p[THRESHOLD] > 0.0:
                ratio = _ratio(near_forces[r, c], near[r, c] + 1.0, p[RATIO_RULE])
                risk = max(1.0 - np.exp(-p[ARREST_CONSTANT] * ratio), TINY_PROBABILITY)
                for k in range(cohorts):
                    margin = grievance[r, c] * hardship_factor[k] - p[THRESHOLD]
                    if margin > 0.0:
                        share += min(margin / risk, 1.0)
            free = max(population[r, c] - detained[r, c], 0.0)
            actives[r, c] = share / cohorts * free


@njit(cache=True)
def arrest_day(
    p: np.ndarray,
    radius: int,
    rng: KernelStream,
    land: BoolGrid,
    near_forces: FloatGrid,
    deterrence: FloatGrid,
    actives: FloatGrid,
    detained: FloatGrid,
) -> None:  # pragma: no cover
    """Arrests at the actives' own estimate P, capped by capacity; releases as expected values.

    Arrests per land cell are Poisson(n p) capped at n (n the whole actives), drawn in C order.
    """
    rows, cols = actives.shape
    near = np.empty((rows, cols))
    box_sum_into(actives, radius, near)
    capacity_per_member = p[ARRESTS_PER_MEMBER] / p[ACTIVES_PER_MEMBER]
    for r in range(rows):
        for c in range(cols):
            arrested = 0.0
            if land[r, c]:
                ratio = near_forces[r, c] / (near[r, c] + 1.0)
                wanted = actives[r, c] * (1.0 - np.exp(-p[ARREST_CONSTANT] * ratio))
                expected = min(wanted, deterrence[r, c] * capacity_per_member)
                whole = np.floor(actives[r, c])
                share = expected / whole if whole > 0 else 0.0
                arrested = min(float(rng.poisson(whole * min(share, 1.0))), whole)
            released = detained[r, c] / p[DETENTION_DAYS]
            actives[r, c] -= arrested
            detained[r, c] += arrested - released


@njit(cache=True)
def recruit_day(
    p: np.ndarray,
    rng: KernelStream,
    land: BoolGrid,
    hardship_factor: np.ndarray,
    grievance: FloatGrid,
    population: FloatGrid,
    detained: FloatGrid,
    recruits: FloatGrid,
    armed: FloatGrid,
) -> None:  # pragma: no cover
    """Joining armed groups from grievance above a threshold; attrition of the armed.

    A daily chance per free person: Poisson(n p) capped at n per land cell, in C order.
    """
    rows, cols = population.shape
    cohorts = hardship_factor.size
    for r in range(rows):
        for c in range(cols):
            joined = 0.0
            if land[r, c]:
                excess = 0.0
                for k in range(cohorts):
                    excess += max(grievance[r, c] * hardship_factor[k] - p[RECRUIT_THRESHOLD], 0.0)
                probability = min(p[RECRUIT_RATE] * (excess / cohorts), 1.0)
                free = np.floor(max(population[r, c] - detained[r, c], 0.0))
                joined = min(float(rng.poisson(free * probability)), free)
            recruits[r, c] = joined
            armed[r, c] += joined - armed[r, c] * p[ATTRITION]


@njit(cache=True)
def consume_aid_day(
    p: np.ndarray, population: FloatGrid, stock: FloatGrid, shortfall: FloatGrid
) -> None:  # pragma: no cover
    """Everyone eats a day's ration from the stock; the shortfall is remembered over a month."""
    rows, cols = population.shape
    blend = 1.0 / p[MEMORY_DAYS]
    for r in range(rows):
        for c in range(cols):
            people = population[r, c]
            eaten = min(stock[r, c], people)
            short_today = (people - eaten) / people if people > 0.0 else 0.0
            stock[r, c] -= eaten
            shortfall[r, c] += blend * (short_today - shortfall[r, c])


@njit(cache=True)
def danger_into(
    p: np.ndarray,
    controller: IntGrid,
    memory: FloatGrid,
    population: FloatGrid,
    damage: FloatGrid,
    out: FloatGrid,
) -> None:  # pragma: no cover
    """What people flee: IDF control, remembered harm per resident and destruction."""
    rows, cols = population.shape
    for r in range(rows):
        for c in range(cols):
            per_person = 1.0 / population[r, c] if population[r, c] > 0.0 else 0.0
            idf = 1.0 if controller[r, c] == p[IDF_CODE] else 0.0
            out[r, c] = (
                p[DANGER_IDF] * idf
                + p[DANGER_HARM] * (HARM_SCALE * memory[r, c] * per_person)
                + p[DANGER_DAMAGE] * damage[r, c]
            )


@njit(cache=True)
def displace_day(
    p: np.ndarray,
    land_rows: np.ndarray,
    land_cols: np.ndarray,
    table: np.ndarray,
    danger: FloatGrid,
    population: FloatGrid,
    displaced: FloatGrid,
    detained: FloatGrid,
    actives: FloatGrid,
) -> None:  # pragma: no cover
    """People move toward neighbouring land cells with less danger and room to take them.

    Land cells are numbered in C order (``land_rows``, ``land_cols``); ``table[i]`` holds the
    eight neighbours of land cell ``i`` as land-cell numbers (the land-cell count for off
    land). Each neighbour's share of the movers is proportional to how much lower its danger
    is, times its room.
    """
    count = land_rows.size
    cost = np.empty(count)
    room = np.empty(count)
    people = np.empty(count)
    for i in range(count):
        r, c = land_rows[i], land_cols[i]
        cost[i] = danger[r, c]
        people[i] = population[r, c]
        room[i] = max(1.0 - people[i] / p[CELL_AREA] / p[MAX_DENSITY], 0.0)
    arrivals = np.zeros(count + 1)
    departures = np.zeros(count)
    pulls = np.empty(table.shape[1])
    for i in range(count):
        r, c = land_rows[i], land_cols[i]
        free = max(people[i] - detained[r, c] - actives[r, c], 0.0)
        movers = free * min(p[MOVE_RATE] * cost[i], 1.0)
        total = 0.0
        for k in range(table.shape[1]):
            other = table[i, k]
            pull = 0.0
            if other < count:
                pull = max(cost[i] - cost[other], 0.0) * room[other]
            pulls[k] = pull
            total += pull
        if total > 0.0:
            departures[i] = movers
            scale = movers / total
            for k in range(table.shape[1]):
                arrivals[table[i, k]] += pulls[k] * scale
    for i in range(count):
        r, c = land_rows[i], land_cols[i]
        away = displaced[r, c]
        share_away = away / people[i] if people[i] > 0.0 else 0.0
        # Everyone who arrives somewhere new is displaced; departing residents stop being home.
        displaced[r, c] = away + arrivals[i] - departures[i] * share_away
        population[r, c] = people[i] + arrivals[i] - departures[i]


@njit(cache=True)
def ground_day(
    p: np.ndarray,
    radius: int,
    arrest_rng: KernelStream,
    recruit_rng: KernelStream,
    land: BoolGrid,
    land_rows: np.ndarray,
    land_cols: np.ndarray,
    table: np.ndarray,
    hardship_factor: np.ndarray,
    near_forces: FloatGrid,
    deterrence: FloatGrid,
    controller: IntGrid,
    incoming: FloatGrid,
    danger: FloatGrid,
    fields: tuple[FloatGrid, ...],
) -> None:  # pragma: no cover
    """The layer's day: every sub-step below in the layer's order, in one compiled call.

    ``fields`` holds, in this order: harm, harm memory, population, damage, shortfall,
    displaced, legitimacy, hardship, grievance, actives, detained, recruits, armed, aid stock.
    The same arithmetic and draws as calling the sub-steps one by one (each call from Python
    costs a few microseconds of argument checking; the layer made eight a day).
    """
    harm, memory, population, damage, shortfall, displaced = fields[:6]
    legitimacy, hardship, grievance, actives, detained, recruits, armed, stock = fields[6:]
    remember_day(p, incoming, harm, memory)
    grievance_day(
        p, memory, population, damage, shortfall, displaced, legitimacy, hardship, grievance
    )
    activate_day(p, radius, hardship_factor, near_forces, grievance, population, detained, actives)
    arrest_day(p, radius, arrest_rng, land, near_forces, deterrence, actives, detained)
    recruit_day(
        p, recruit_rng, land, hardship_factor, grievance, population, detained, recruits, armed
    )
    consume_aid_day(p, population, stock, shortfall)
    danger_into(p, controller, memory, population, damage, danger)
    displace_day(p, land_rows, land_cols, table, danger, population, displaced, detained, actives)


@njit(cache=True)
def armed_from_groups(
    land: BoolGrid, groups: np.ndarray, armed: FloatGrid
) -> None:  # pragma: no cover
    """Armed members per land cell: the groups' members summed in order, at least zero."""
    count, rows, cols = groups.shape
    for r in range(rows):
        for c in range(cols):
            total = groups[0, r, c]
            for g in range(1, count):
                total += groups[g, r, c]
            # numpy's maximum(x, 0): +0 for -0, NaN stays NaN (Python's max keeps -0)
            armed[r, c] = (0.0 if total <= 0.0 else total) if land[r, c] else 0.0


@njit(cache=True)
def add_on_land(values: FloatGrid, change: FloatGrid, land: BoolGrid) -> None:  # pragma: no cover
    """``values += change`` on land cells, in place (numpy's ``add`` with ``where=land``)."""
    rows, cols = values.shape
    for r in range(rows):
        for c in range(cols):
            if land[r, c]:
                values[r, c] += change[r, c]


@njit(cache=True)
def add_within_unit(values: FloatGrid, change: FloatGrid) -> None:  # pragma: no cover
    """``values += change``, then each kept within [0, 1] (in place), as numpy's clip would.

    numpy's ``maximum(x, 0)`` gives +0 for -0 and keeps NaN, so the comparisons are written out.
    """
    rows, cols = values.shape
    for r in range(rows):
        for c in range(cols):
            value = values[r, c] + change[r, c]
            value = 0.0 if value <= 0.0 else value
            values[r, c] = 1.0 if value >= 1.0 else value


@njit(cache=True)
def add_harm_into(
    land: BoolGrid,
    casualties: FloatGrid,
    killed: FloatGrid,
    remove_dead: bool,
    incoming: FloatGrid,
    population: FloatGrid,
    displaced: FloatGrid,
) -> None:  # pragma: no cover
    """Casualties on land join today's harm; the dead leave the population.

    The dead (when ``remove_dead``) leave in proportion to the displaced share of the cell.
    """
    rows, cols = land.shape
    for r in range(rows):
        for c in range(cols):
            if not land[r, c]:
                continue
            incoming[r, c] += casualties[r, c]
            if remove_dead:
                people = population[r, c]
                share = displaced[r, c] / people if people > 0.0 else 0.0
                dead = min(killed[r, c], people)
                displaced[r, c] -= dead * share
                population[r, c] = people - dead
