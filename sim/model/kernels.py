"""Compiled kernels for the model's small daily computations (numba, cached on disk).

Same arithmetic as the vectorised code they replace; each keeps its Python source as
``kernel.py_func`` for tests and coverage. Constants from other modules come in as arguments and
kernels call only kernels of this file (numba's cache checks only the cached function's file).
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def arrival_share_into(
    land: np.ndarray,
    secure: np.ndarray,
    row_cells: np.ndarray,
    crossing_rows: np.ndarray,
    seizure: float,
    out: np.ndarray,
) -> None:  # pragma: no cover
    """Share of convoys reaching each row by the safest route from an open crossing.

    A convoy crossing a row loses ``seizure`` times the row's insecure land share; the route is
    the one from the crossing with the fewest insecure rows on the way (both ends included).
    """
    rows, cols = land.shape
    cumulative = np.zeros(rows + 1)
    for r in range(rows):
        insecure = 0
        for c in range(cols):
            if land[r, c] and not secure[r, c]:
                insecure += 1
        cumulative[r + 1] = cumulative[r] + insecure / row_cells[r]
    keep = 1.0 - seizure
    for r in range(rows):
        crossed = np.inf
        for x in crossing_rows:
            start, stop = min(r, x), max(r, x) + 1
            crossed = min(crossed, cumulative[stop] - cumulative[start])
        out[r] = keep**crossed


LN10 = float(np.log(10.0))


@njit(cache=True)
def deploy_weights(
    area: np.ndarray, staging: np.ndarray, population: np.ndarray, out: np.ndarray
) -> None:  # pragma: no cover
    """Where troops spread: residents plus one in the force's area, else the staging cells."""
    rows, cols = area.shape
    holds = False
    for r in range(rows):
        for c in range(cols):
            holds = holds or area[r, c]
    for r in range(rows):
        for c in range(cols):
            if holds:
                out[r, c] = population[r, c] + 1.0 if area[r, c] else 0.0
            else:
                out[r, c] = 1.0 if staging[r, c] else 0.0


@njit(cache=True)
def hostility_into(
    grievance: np.ndarray, weight: float, compliance: float, out: np.ndarray
) -> None:  # pragma: no cover
    """``clip(grievance (1 - weight) + weight (1 - compliance), 0, 1)`` over flat arrays.

    The clip as numpy's ``minimum(maximum(x, 0), 1)``: +0 for -0, NaN kept.
    """
    non_compliance = weight * (1.0 - compliance)
    for i in range(grievance.size):
        value = grievance[i] * (1.0 - weight) + non_compliance
        value = 0.0 if value <= 0.0 else value
        out[i] = 1.0 if value >= 1.0 else value


@njit(cache=True)
def deploy_into(
    weights: np.ndarray,
    population: np.ndarray,
    troops: np.ndarray,
    officers: float,
    idf: np.ndarray,
    hamas_fighters: np.ndarray,
    other_fighters: np.ndarray,
    hamas_hidden: np.ndarray,
    multiplier: float,
    police_weight: float,
    decisive_ratio: float,
    per_thousand: float,
    stack: np.ndarray,
    fields: np.ndarray,
) -> None:  # pragma: no cover
    """Spread troops and police over cells in proportion to ``weights``; derived fields.

    ``stack`` receives personnel per force category in ``ForceCategory`` order (IDF, Hamas, the
    three ISF categories, police); Hamas's security is absent where ``hamas_hidden`` (the
    force's area and the IDF-held ground). ``fields`` receives, in this order: ISF troops per
    cell, ISF density per 1,000 residents (coordination and rules of engagement weighted),
    security personnel per cell (police weighted), security per 1,000 residents, and the
    share of attacks deterred (90% at the decisive security-to-fighter ratio).
    """
    rows, cols = weights.shape
    total_weight = weights.sum()
    all_troops = troops.sum()
    for r in range(rows):
        for c in range(cols):
            share = weights[r, c] / total_weight if total_weight > 0 else weights[r, c]
            police = officers * share
            stack[0, r, c] = idf[r, c]
            stack[1, r, c] = 0.0 if hamas_hidden[r, c] else hamas_fighters[r, c]
            for k in range(troops.size):
                stack[2 + k, r, c] = troops[k] * share
            stack[5, r, c] = police
            isf_cells = share * all_troops
            isf = isf_cells * multiplier
            per_resident = per_thousand / max(population[r, c], 1.0)
            security = isf + police * police_weight
            fighters = hamas_fighters[r, c] + other_fighters[r, c]
            ratio = security / max(fighters, 1.0)
            fields[0, r, c] = isf_cells
            fields[1, r, c] = isf * per_resident
            fields[2, r, c] = security
            fields[3, r, c] = security * per_resident
            fields[4, r, c] = 1.0 - np.exp(-LN10 * ratio / decisive_ratio)


WEAPONS_FLOOR = 1e-12
"""Smallest weapon count divided by when fighters demobilise with their weapons."""


@njit(cache=True)
def decommission_into(
    weapons: np.ndarray,
    fighters: np.ndarray,
    consent_share: float,
    area: np.ndarray,
    coercion_rate: float,
    deter: np.ndarray,
) -> float:  # pragma: no cover
    """Weapons handed in and seized where the force holds ground; returns the weapons taken.

    ``consent_share`` of the weapons are handed in a day, ``coercion_rate`` times the local
    deterrence seized; fighters who lose their arms demobilise in proportion (in place).
    """
    rows, cols = weapons.shape
    taken_total = 0.0
    for r in range(rows):
        for c in range(cols):
            if not area[r, c]:
                continue
            held = weapons[r, c]
            taken = min(held * consent_share + held * coercion_rate * deter[r, c], held)
            if held > 0:
                fighters[r, c] *= 1.0 - taken / max(held, WEAPONS_FLOOR)
            weapons[r, c] = held - taken
            taken_total += taken
    return taken_total


@njit(cache=True)
def record_sums(
    population: np.ndarray,
    legitimacy: np.ndarray,
    grievance: np.ndarray,
    actives: np.ndarray,
    secure: np.ndarray,
    idf_held: np.ndarray,
    fighters: np.ndarray,
    weapons: np.ndarray,
) -> np.ndarray:  # pragma: no cover
    """Strip-wide sums for the daily record, in one pass.

    In order: residents, legitimacy and grievance weighted by residents, actives, residents of
    secure cells, IDF-held cells, fighters and weapons (both stacked over groups).
    """
    rows, cols = population.shape
    out = np.zeros(8)
    for r in range(rows):
        for c in range(cols):
            people = population[r, c]
            out[0] += people
            out[1] += legitimacy[r, c] * people
            out[2] += grievance[r, c] * people
            out[3] += actives[r, c]
            if secure[r, c]:
                out[4] += people
            if idf_held[r, c]:
                out[5] += 1.0
            for g in range(fighters.shape[0]):
                out[6] += fighters[g, r, c]
                out[7] += weapons[g, r, c]
    return out


@njit(cache=True)
def secure_into(
    force_density: np.ndarray,
    hostility: np.ndarray,
    area: np.ndarray,
    security: np.ndarray,
    fighters: np.ndarray,
    peaceful: float,
    hostile: float,
    control_ratio: float,
    secure: np.ndarray,
    secure_days: np.ndarray,
) -> None:  # pragma: no cover
    """Cells the force holds at the density their hostility needs, where no group controls.

    Also counts consecutive secure days (reset to 0 when a cell is not secure).
    """
    rows, cols = area.shape
    for r in range(rows):
        for c in range(cols):
            needed = peaceful + (hostile - peaceful) * min(max(hostility[r, c], 0.0), 1.0)
            held = (
                area[r, c]
                and force_density[r, c] >= needed
                and security[r, c] >= control_ratio * fighters[r, c]
            )
            secure[r, c] = held
            secure_days[r, c] = secure_days[r, c] + 1.0 if held else 0.0


@njit(cache=True)
def rations_into(
    population: np.ndarray, arriving: np.ndarray, per_person: float, out: np.ndarray
) -> float:  # pragma: no cover
    """Rations reaching each cell into ``out``; returns the share of residents reached.

    A cell's rations are ``per_person`` times its residents times its row's arriving share;
    the share reached weighs the arriving shares by residents (at least one resident counted).
    """
    rows, cols = population.shape
    people = 0.0
    reached = 0.0
    for r in range(rows):
        for c in range(cols):
            people += population[r, c]
            reached += population[r, c] * arriving[r]
            out[r, c] = per_person * population[r, c] * arriving[r]
    return reached / max(people, 1.0)


@njit(cache=True)
def aid_day(
    land: np.ndarray,
    secure: np.ndarray,
    row_cells: np.ndarray,
    crossing_rows: np.ndarray,
    seizure: float,
    population: np.ndarray,
    per_person: float,
    out: np.ndarray,
) -> float:  # pragma: no cover
    """:func:`arrival_share_into` (no crossing open: nothing arrives), then :func:`rations_into`."""
    arriving = np.zeros(land.shape[0])
    if crossing_rows.size > 0:
        arrival_share_into(land, secure, row_cells, crossing_rows, seizure, arriving)
    return rations_into(population, arriving, per_person, out)


@njit(cache=True)
def held_sums(
    population: np.ndarray, area: np.ndarray, troops_per_cell: np.ndarray
) -> np.ndarray:  # pragma: no cover
    """Residents, residents of ``area`` and troops in ``area``, in one pass."""
    rows, cols = population.shape
    out = np.zeros(3)
    for r in range(rows):
        for c in range(cols):
            out[0] += population[r, c]
            if area[r, c]:
                out[1] += population[r, c]
                out[2] += troops_per_cell[r, c]
    return out


@njit(cache=True)
def join_groups(
    fighters: np.ndarray, recruits: np.ndarray, shares: np.ndarray, attrition: float
) -> None:  # pragma: no cover
    """Each group loses ``attrition`` of its fighters, then takes its share of the recruits."""
    groups, rows, cols = fighters.shape
    for g in range(groups):
        for r in range(rows):
            for c in range(cols):
                fighters[g, r, c] = (
                    fighters[g, r, c] * (1.0 - attrition) + recruits[r, c] * shares[g]
                )


@njit(cache=True)
def eligible_into(
    secure_days: np.ndarray, threshold: float, zone: np.ndarray, land: np.ndarray, out: np.ndarray
) -> None:  # pragma: no cover
    """Land cells secure for ``threshold`` days or more, or in ``zone``."""
    rows, cols = land.shape
    for r in range(rows):
        for c in range(cols):
            out[r, c] = (secure_days[r, c] >= threshold or zone[r, c]) and land[r, c]


@njit(cache=True)
def repair_into(
    eligible: np.ndarray, damage: np.ndarray, budget: float, cost: float, out: np.ndarray
) -> float:  # pragma: no cover
    """Spend ``budget`` on eligible cells in proportion to their damage; repairs into ``out``.

    A cell's repair is its spending over ``cost`` (per cell), at most its damage; at zero cost
    whatever is spent repairs a cell fully. Returns the total repaired.
    """
    rows, cols = damage.shape
    total = 0.0
    for r in range(rows):
        for c in range(cols):
            if eligible[r, c]:
                total += damage[r, c]
    repaired = 0.0
    for r in range(rows):
        for c in range(cols):
            out[r, c] = 0.0
            if total > 0 and eligible[r, c]:
                spend = budget * damage[r, c] / total
                if cost > 0:
                    out[r, c] = min(spend / cost, damage[r, c])
                elif spend > 0:
                    out[r, c] = damage[r, c]
                repaired += out[r, c]
    return repaired
