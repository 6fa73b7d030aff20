"""Compiled kernels behind :mod:`sim.model.violence` (numba, cached on disk).

Kernels here call only kernels of this file: numba's cache checks the file of the cached
function, so a compiled callee from another file could stay stale after an edit there.

The arithmetic and the order of random draws follow the vectorised code they replace: Poisson
totals scattered over cells in proportion to their means (exact, see
:func:`sim.model.violence.scattered_poisson`), element order C order over ``(group, target, row,
col)``. Each kernel keeps its Python source as ``kernel.py_func`` for tests and coverage.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.ground.streams import KernelStream

# Indices into the vector returned by :func:`tally_day`.
ON_ISF, ON_POLICE, ON_IDF, ON_RIVALS, REPRISALS, ISF_DEATHS, POLICE_DEATHS, IDF_DEATHS = range(8)
TALLY_SIZE = 8


@njit(cache=True)
def scatter_into(
    rng: KernelStream, weights: np.ndarray, events: int, out: np.ndarray
) -> None:  # pragma: no cover
    """Add ``events`` counts to the flat ``out``, placed at random in proportion to ``weights``."""
    cumulative = np.cumsum(weights)
    where = np.searchsorted(cumulative, rng.random(events) * cumulative[-1], side="right")
    last = weights.size - 1
    for event in range(events):
        out[min(where[event], last)] += 1.0


@njit(cache=True)
def scattered_poisson_into(
    rng: KernelStream, mean: np.ndarray, out: np.ndarray
) -> float:  # pragma: no cover
    """Independent Poisson counts with the flat ``mean`` written into the flat ``out``.

    Drawn as one Poisson total, then scattered; returns the total.
    """
    out[:] = 0.0
    total = mean.sum()
    if total <= 0.0:
        return 0.0
    events = rng.poisson(total)
    if events > 0:
        scatter_into(rng, mean, events, out)
    return float(events)


@njit(cache=True)
def attack_means(
    attack: np.ndarray,
    exposure_by_target: np.ndarray,
    baseline: float,
    fighters: np.ndarray,
    compliance: np.ndarray,
    deter: np.ndarray,
    grievance: np.ndarray,
    targets: np.ndarray,
    out: np.ndarray,
) -> None:  # pragma: no cover
    """Expected attacks ``(groups, 4, rows, cols)`` by target (force, police, IDF, rivals).

    A group's mean per cell is ``attack * (1 - compliance) * fighters * (1 - deter) * (b + G)``,
    shared among the targets present in proportion to their exposure-weighted numbers.
    """
    groups, rows, cols = fighters.shape
    kinds = targets.shape[0]
    weights = np.empty(kinds)  # exposure-weighted targets of one cell (the same for each group)
    for r in range(rows):
        for c in range(cols):
            everyone = 0.0
            armed = False
            for h in range(groups):
                everyone += fighters[h, r, c]
                armed = armed or fighters[h, r, c] != 0.0
            if not armed:  # nobody to attack from here (about half the cells): every mean is 0
                for g in range(groups):
                    for k in range(kinds + 1):
                        out[g, k, r, c] = 0.0
                continue
            pressure = (1.0 - deter[r, c]) * (baseline + grievance[r, c])
            for k in range(kinds):
                weights[k] = targets[k, r, c] * exposure_by_target[k]
            for g in range(groups):
                mean = attack[g] * (1.0 - compliance[g]) * fighters[g, r, c] * pressure
                total = 0.0
                for k in range(kinds):
                    total += weights[k]
                rivals = everyone - fighters[g, r, c]
                total += rivals
                per_weight = mean / total if total > 0.0 else 0.0
                for k in range(kinds):
                    out[g, k, r, c] = weights[k] * per_weight
                out[g, kinds, r, c] = rivals * per_weight


@njit(cache=True)
def reprisal_means(
    reprisal: np.ndarray,
    fighters: np.ndarray,
    deter: np.ndarray,
    cooperation: np.ndarray,
    out: np.ndarray,
) -> None:  # pragma: no cover
    """Expected reprisals ``(groups, rows, cols)``: more where people work with the force."""
    groups, rows, cols = fighters.shape
    for g in range(groups):
        for r in range(rows):
            for c in range(cols):
                exposure = 1.0 - deter[r, c]
                out[g, r, c] = (
                    reprisal[g] * fighters[g, r, c] * exposure * (1.0 + cooperation[r, c])
                )


@njit(cache=True)
def tally_day(
    rng: KernelStream,
    attacks: np.ndarray,
    taken: np.ndarray,
    protect_battle: np.ndarray,
    deaths_per_attack: np.ndarray,
) -> np.ndarray:  # pragma: no cover
    """Attacks by target, reprisals, and the force's, police's and IDF's deaths they cause.

    ``deaths_per_attack`` holds (force, police, IDF); attacks on the force count with the local
    battle-death factor. Returns a vector indexed by ``ON_ISF`` ... ``IDF_DEATHS``.
    """
    groups, kinds, rows, cols = attacks.shape
    out = np.zeros(TALLY_SIZE)
    weighted_isf = 0.0
    for g in range(groups):
        for k in range(kinds):
            for r in range(rows):
                for c in range(cols):
                    out[k] += attacks[g, k, r, c]
                    if k == 0:
                        weighted_isf += attacks[g, 0, r, c] * protect_battle[r, c]
    out[REPRISALS] = taken.sum()
    out[ISF_DEATHS] = rng.poisson(weighted_isf * deaths_per_attack[0])
    out[POLICE_DEATHS] = rng.poisson(out[ON_POLICE] * deaths_per_attack[1])
    out[IDF_DEATHS] = rng.poisson(out[ON_IDF] * deaths_per_attack[2])
    return out


@njit(cache=True)
def crossfire_harm(
    rng: KernelStream,
    attacks: np.ndarray,
    taken: np.ndarray,
    protect_civ: np.ndarray,
    per_attack: float,
    per_reprisal: float,
    incidents: np.ndarray,
    harm: np.ndarray,
) -> float:  # pragma: no cover
    """Civilian deaths from crossfire and reprisals per cell (Poisson) into ``harm``.

    ``incidents`` receives attacks plus reprisals per cell. Returns the expected reprisal deaths.
    """
    groups, kinds, rows, cols = attacks.shape
    expected = np.empty((rows, cols))
    executions_total = 0.0
    for r in range(rows):
        for c in range(cols):
            crossfire = 0.0
            for g in range(groups):
                for k in range(kinds):
                    crossfire += attacks[g, k, r, c]
            executed = 0.0
            for g in range(groups):
                executed += taken[g, r, c]
            executions = executed * per_reprisal * protect_civ[r, c]
            executions_total += executions
            expected[r, c] = crossfire * per_attack * protect_civ[r, c] + executions
            incidents[r, c] = crossfire + executed
    scattered_poisson_into(rng, expected.ravel(), harm.ravel())
    return executions_total


@njit(cache=True)
def protection_into(
    density: np.ndarray,
    hostile_density: float,
    log_civ: float,
    log_battle: float,
    civ: np.ndarray,
    battle: np.ndarray,
) -> None:  # pragma: no cover
    """Factors on deaths per attack: 1 with no force, the literature's ratio at hostile density.

    ``exp(reach * log ratio)`` with reach = density / hostile density, within [0, 1].
    """
    rows, cols = density.shape
    for r in range(rows):
        for c in range(cols):
            reach = min(max(density[r, c] / hostile_density, 0.0), 1.0)
            if reach == 0.0:  # no force here: exp(0) is exactly 1 (most cells, and two exps)
                civ[r, c] = 1.0
                battle[r, c] = 1.0
            else:
                civ[r, c] = np.exp(reach * log_civ)
                battle[r, c] = np.exp(reach * log_battle)


@njit(cache=True)
def strike_day(
    rng: KernelStream,
    strikes: int,
    fighters: np.ndarray,
    civ_per_strike: float,
    fighters_per_strike: float,
    harm: np.ndarray,
    destroyed: np.ndarray,
) -> np.ndarray:  # pragma: no cover
    """Place ``strikes`` where the fighters are, in proportion to them.

    Adds the civilian deaths to ``harm``, removes the fighters killed from ``fighters``, writes
    strikes per cell into ``destroyed``. Returns (civilian deaths, fighters killed).
    """
    flat_fighters = fighters.ravel()
    counts = np.zeros(flat_fighters.size)
    scatter_into(rng, flat_fighters, strikes, counts)
    civ = np.empty(counts.size)
    scattered_poisson_into(rng, counts * civ_per_strike, civ)
    killed = np.empty(counts.size)
    scattered_poisson_into(rng, counts * fighters_per_strike, killed)
    flat_harm = harm.ravel()
    flat_destroyed = destroyed.ravel()
    totals = np.zeros(2)
    for i in range(counts.size):
        dead = min(killed[i], flat_fighters[i])
        flat_fighters[i] = max(flat_fighters[i] - dead, 0.0)
        flat_harm[i] += civ[i]
        flat_destroyed[i] = counts[i]
        totals[0] += civ[i]
        totals[1] += dead
    return totals


@njit(cache=True)
def armed_day(
    rng: KernelStream,
    attack: np.ndarray,
    reprisal: np.ndarray,
    exposure_by_target: np.ndarray,
    baseline: float,
    fighters: np.ndarray,
    compliance: np.ndarray,
    deter: np.ndarray,
    grievance: np.ndarray,
    targets: np.ndarray,
    cooperation: np.ndarray,
    protect_battle: np.ndarray,
    protect_civ: np.ndarray,
    deaths_per_attack: np.ndarray,
    civilians_per_attack: float,
    civilians_per_reprisal: float,
    incidents: np.ndarray,
    harm: np.ndarray,
) -> np.ndarray:  # pragma: no cover
    """The armed groups' day in one pass: attacks, reprisals, their tally and civilian harm.

    The same draws in the same order as :func:`sim.model.violence.armed_violence`, then
    :func:`tally_day`, then :func:`crossfire_harm` (one call instead of four: handing a numpy
    Generator to compiled code costs ~10 us per call). Returns the tally vector with the
    expected reprisal deaths appended.
    """
    groups, rows, cols = fighters.shape
    means = np.empty((groups, targets.shape[0] + 1, rows, cols))
    attack_means(
        attack, exposure_by_target, baseline, fighters, compliance, deter, grievance, targets, means
    )
    attacks = np.empty(means.shape)
    attacked = scattered_poisson_into(rng, means.ravel(), attacks.ravel())
    reprisal_mean = np.empty((groups, rows, cols))
    reprisal_means(reprisal, fighters, deter, cooperation, reprisal_mean)
    taken = np.empty(reprisal_mean.shape)
    retaliated = scattered_poisson_into(rng, reprisal_mean.ravel(), taken.ravel())
    out = np.zeros(TALLY_SIZE + 1)
    if attacked == 0.0 and retaliated == 0.0:
        # A quiet day (about half of them): the tally is all zeros and draws nothing (a
        # Poisson draw with mean 0 leaves the stream as it is), and there is no crossfire harm.
        incidents[:, :] = 0.0
        harm[:, :] = 0.0
        return out
    totals = tally_day(rng, attacks, taken, protect_battle, deaths_per_attack)
    executions = crossfire_harm(
        rng,
        attacks,
        taken,
        protect_civ,
        civilians_per_attack,
        civilians_per_reprisal,
        incidents,
        harm,
    )
    out[:TALLY_SIZE] = totals
    out[TALLY_SIZE] = executions
    return out


LINE_FIRE_MIN_EXPOSED = 1e-12
"""Floor on the exposed residents in the placement weights (avoids 0/0; the mean is 0 then)."""


@njit(cache=True)
def line_fire_into(
    rng: KernelStream,
    population: np.ndarray,
    front: np.ndarray,
    buffered: np.ndarray,
    mean_per_day: float,
    buffer_efficacy: float,
    out: np.ndarray,
) -> float:  # pragma: no cover
    """Deaths from fire along the line per cell (Poisson), in proportion to exposed residents.

    Returns the day's deaths along the line (a whole number, the cells' sum).

    The mean is ``mean_per_day`` times the front's exposed share of residents. Front cells in
    the force's area (``buffered``) count ``1 - buffer_efficacy`` of their residents, the others
    all of them.
    """
    rows, cols = population.shape
    exposed = np.zeros((rows, cols))
    front_people = 0.0
    exposed_people = 0.0
    for r in range(rows):
        for c in range(cols):
            if front[r, c]:
                weight = 1.0 - buffer_efficacy if buffered[r, c] else 1.0
                exposed[r, c] = population[r, c] * weight
                front_people += population[r, c]
                exposed_people += exposed[r, c]
    if front_people <= 0.0:
        out[:, :] = 0.0
        return 0.0
    mean = mean_per_day * exposed_people / front_people
    scale = mean / max(exposed_people, LINE_FIRE_MIN_EXPOSED)
    for r in range(rows):
        for c in range(cols):
            exposed[r, c] *= scale
    return scattered_poisson_into(rng, exposed.ravel(), out.ravel())


@njit(cache=True)
def force_fields_into(
    isf_cells: np.ndarray,
    isf_density: np.ndarray,
    hostile_density: float,
    log_civ: float,
    log_battle: float,
    peaceful_density: float,
    spread: bool,
    out: np.ndarray,
) -> None:  # pragma: no cover
    """What the force's troops do to violence per cell, in one pass.

    ``out`` receives, in order: the civilian and battle-death factors (:func:`protection_into`),
    cooperation with the force (density over the peaceful-setting density, within [0, 1]) and
    the force's reach (troops in the cell and its eight neighbours over nine when ``spread``,
    else the cell's own troops).
    """
    rows, cols = isf_cells.shape
    protection_into(isf_density, hostile_density, log_civ, log_battle, out[0], out[1])
    for r in range(rows):
        for c in range(cols):
            out[2, r, c] = min(max(isf_density[r, c] / peaceful_density, 0.0), 1.0)
    if spread:
        reach_into(isf_cells, out[3])
    else:
        out[3, :, :] = isf_cells


@njit(cache=True)
def reach_into(isf_cells: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover
    """Troops in each cell and its eight neighbours, over nine.

    Each cell with troops adds them to its neighbourhood, sources taken in C order: every cell's
    total gathers its neighbours in C order, as a sum over the neighbourhood would, so the
    numbers are the same bit for bit, and cells without troops (most) cost nothing.
    """
    rows, cols = isf_cells.shape
    out[:, :] = 0.0
    for r in range(rows):
        for c in range(cols):
            troops = isf_cells[r, c]
            if troops == 0.0:
                continue
            for nr in range(max(r - 1, 0), min(r + 2, rows)):
                for nc in range(max(c - 1, 0), min(c + 2, cols)):
                    out[nr, nc] += troops
    for r in range(rows):
        for c in range(cols):
            out[r, c] /= NEIGHBOURHOOD_CELLS


NEIGHBOURHOOD_CELLS = 9.0
"""A cell and its eight neighbours (the force's reach)."""


VIOLENCE_DAY_PARAMETERS = (
    "density_hostile",
    "log_civilian_protection",
    "log_battle_protection",
    "density_peaceful",
    "civilian_deaths_per_attack",
    "civilian_deaths_per_reprisal",
    "line_fire_mean",
    "line_buffer_efficacy",
)
"""What :func:`violence_day`'s ``parameters`` hold, in order."""


@njit(cache=True)
def violence_day(
    rng: KernelStream,
    fire_rng: KernelStream,
    attack: np.ndarray,
    reprisal: np.ndarray,
    exposure_by_target: np.ndarray,
    baseline: float,
    fighters: np.ndarray,
    compliance: np.ndarray,
    deter: np.ndarray,
    grievance: np.ndarray,
    isf_cells: np.ndarray,
    isf_density: np.ndarray,
    spread: bool,
    parameters: np.ndarray,
    targets: np.ndarray,
    deaths_per_attack: np.ndarray,
    population: np.ndarray,
    front: np.ndarray,
    buffered: np.ndarray,
    fields: np.ndarray,
    incidents: np.ndarray,
    harm: np.ndarray,
    fire: np.ndarray,
) -> np.ndarray:  # pragma: no cover
    """The force's fields, the armed groups' day and the fire along the line, in one call.

    :func:`force_fields_into` into ``fields`` (its reach also into ``targets[0]``; the caller
    fills the police and the IDF's front), :func:`armed_day` and :func:`line_fire_into` into
    ``fire``, with the same arithmetic and draws as calling them one by one (the fire draws
    from its own stream, ``fire_rng``). ``parameters`` holds, in the order of
    :data:`VIOLENCE_DAY_PARAMETERS`, the scalars those kernels take. Returns :func:`armed_day`'s
    vector.
    """
    hostile, log_civ, log_battle = parameters[0], parameters[1], parameters[2]
    peaceful, per_attack, per_reprisal = parameters[3], parameters[4], parameters[5]
    fire_mean, buffer_efficacy = parameters[6], parameters[7]
    force_fields_into(
        isf_cells, isf_density, hostile, log_civ, log_battle, peaceful, spread, fields
    )
    targets[0, :, :] = fields[3]
    out = armed_day(
        rng,
        attack,
        reprisal,
        exposure_by_target,
        baseline,
        fighters,
        compliance,
        deter,
        grievance,
        targets,
        fields[2],
        fields[1],
        fields[0],
        deaths_per_attack,
        per_attack,
        per_reprisal,
        incidents,
        harm,
    )
    deaths = line_fire_into(fire_rng, population, front, buffered, fire_mean, buffer_efficacy, fire)
    day = np.empty(out.size + 1)
    day[: out.size] = out
    day[out.size] = deaths
    return day
