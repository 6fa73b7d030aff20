"""Torus-lattice machinery shared by the Epstein paper mode: vision, counting, choosing, moving.

Everything is vectorised over agents with numpy. Sites are flat indices ``y * width + x``.
Counting what lies within vision uses a circular convolution done with FFTs; choosing a
random neighbour (an active to arrest, an empty site to move to) gathers from a precomputed
table of every site's neighbours.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.fft

from sim.scenario.ground import Neighbourhood, RatioRule

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
FloatArray = npt.NDArray[np.float64]


def vision_offsets(radius: int, shape: Neighbourhood) -> tuple[IntArray, IntArray]:
    """Offsets (dy, dx) of the sites an agent sees, excluding its own site.

    Args:
        radius: Vision in sites.
        shape: ``von_neumann`` (|dy| + |dx| <= r, Mesa's default), ``moore`` (a square) or
            ``circle`` (dy^2 + dx^2 <= r^2, NetLogo's ``in-radius``).

    Returns:
        Two integer arrays of equal length.
    """
    span = np.arange(-radius, radius + 1)
    dy, dx = (a.ravel() for a in np.meshgrid(span, span, indexing="ij"))
    keep = (dy != 0) | (dx != 0)
    if shape == "von_neumann":
        keep &= np.abs(dy) + np.abs(dx) <= radius
    elif shape == "circle":
        keep &= dy**2 + dx**2 <= radius**2
    return dy[keep].astype(np.int64), dx[keep].astype(np.int64)


class TorusLattice:
    """A height x width torus with one vision neighbourhood.

    Args:
        height: Rows.
        width: Columns.
        radius: Vision in sites.
        shape: Neighbourhood shape.
    """

    def __init__(self, height: int, width: int, radius: int, shape: Neighbourhood) -> None:
        self.height = height
        self.width = width
        self.size = height * width
        dy, dx = vision_offsets(radius, shape)
        rows, cols = np.divmod(np.arange(self.size, dtype=np.int64), width)
        self.neighbours: IntArray = ((rows[:, None] + dy) % height) * width + (
            cols[:, None] + dx
        ) % width
        kernel = np.zeros((height, width))
        kernel[dy % height, dx % width] = 1.0
        self._kernel_fft = scipy.fft.rfft2(kernel)

    @property
    def neighbourhood_size(self) -> int:
        """Sites within vision (excluding the centre)."""
        return int(self.neighbours.shape[1])

    def count_within_vision(self, fields: FloatArray) -> FloatArray:
        """For each site, the sum of each field over the sites within vision.

        Args:
            fields: Shape ``(n_fields, size)``: per-site indicators.

        Returns:
            Shape ``(n_fields, size)``: the counts, as exact integers stored in floats.
        """
        grid = fields.reshape(-1, self.height, self.width)
        # scipy's FFT has less per-call overhead than numpy's on these small lattices.
        spectrum = scipy.fft.rfft2(grid) * self._kernel_fft
        counts = scipy.fft.irfft2(spectrum, s=(self.height, self.width))
        return np.rint(counts).reshape(fields.shape)


def arrest_probability(
    cops: FloatArray, actives: FloatArray, k: float, rule: RatioRule
) -> FloatArray:
    """Epstein's estimated arrest probability ``P = 1 - exp(-k f(C / A))``.

    Args:
        cops: C, security forces within vision.
        actives: A, actives within vision counting oneself (so A >= 1).
        k: The arrest constant.
        rule: ``literal`` (the paper), ``floor`` (NetLogo) or ``round`` (Mesa).

    Returns:
        P for each entry.
    """
    ratio = cops / actives
    if rule == "floor":
        ratio = np.floor(ratio)
    elif rule == "round":
        ratio = np.round(ratio)
    return 1.0 - np.exp(-k * ratio)


def resolve_claims(
    claimants: IntArray, sites: IntArray, claim: IntArray, rng: np.random.Generator
) -> BoolArray:
    """Which claimants win their site when several claim the same one (a random one wins).

    Args:
        claimants: Claimant ids (0..n-1, unique).
        sites: The site each claimant claims.
        claim: Scratch array of length ``size`` (overwritten at ``sites``).
        rng: The stream for tie-breaking.

    Returns:
        A boolean mask over ``claimants``: True for winners.
    """
    order = rng.permutation(claimants.size)
    claim[sites[order]] = claimants[order]
    return claim[sites] == claimants


def choose_targets(
    lattice: TorusLattice,
    hunter_sites: IntArray,
    targets: BoolArray,
    rng: np.random.Generator,
    max_rounds: int = 6,
) -> tuple[IntArray, IntArray]:
    """Each hunter picks a random target site within vision; no two hunters pick the same one.

    Hunters that lose a tie try again among the targets still free, for a few rounds,
    which approximates hunters acting one after another in random order.

    Args:
        lattice: The lattice.
        hunter_sites: Site of each hunter.
        targets: Per-site mask of targets (copied, not modified).
        rng: The stream for choices and tie-breaks.
        max_rounds: Rounds of retries for hunters that lost a tie.

    Returns:
        ``(hunter_index, target_site)`` for every hunter that got a target.
    """
    free = targets.copy()
    claim = np.full(lattice.size, -1, dtype=np.int64)
    hunters = np.arange(hunter_sites.size)
    got_hunters: list[IntArray] = []
    got_sites: list[IntArray] = []
    for _ in range(max_rounds):
        candidates = lattice.neighbours[hunter_sites[hunters]]
        valid = free[candidates]
        sees = valid.any(axis=1)
        if not sees.any():
            break
        hunters, candidates, valid = hunters[sees], candidates[sees], valid[sees]
        keys = np.where(valid, rng.random(valid.shape), -1.0)
        picked = candidates[np.arange(hunters.size), keys.argmax(axis=1)]
        won = resolve_claims(hunters, picked, claim, rng)
        got_hunters.append(hunters[won])
        got_sites.append(picked[won])
        free[picked[won]] = False
        hunters = hunters[~won]
        if hunters.size == 0:
            break
    if not got_hunters:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    return np.concatenate(got_hunters), np.concatenate(got_sites)


def choose_moves(
    lattice: TorusLattice,
    sites: IntArray,
    occupied: BoolArray,
    tries: int,
    rng: np.random.Generator,
) -> tuple[IntArray, IntArray]:
    """Each mover inspects ``tries`` random sites within vision and takes the first empty one.

    The first empty site among uniform draws is uniform over the empty sites within vision;
    a mover whose draws all hit occupied sites, or who loses a tie, stays put.

    Args:
        lattice: The lattice.
        sites: Current site of each mover.
        occupied: Per-site occupancy at the start of the move.
        tries: Sites inspected per mover.
        rng: The movement stream.

    Returns:
        ``(mover_index, new_site)`` for the movers that move.
    """
    draws = rng.integers(0, lattice.neighbourhood_size, size=(sites.size, tries))
    candidates = lattice.neighbours[sites[:, None], draws]
    empty = ~occupied[candidates]
    first = empty.argmax(axis=1)
    rows = np.arange(sites.size)
    found = empty[rows, first]
    movers = rows[found]
    new_sites = candidates[movers, first[found]]
    claim = np.full(lattice.size, -1, dtype=np.int64)
    won = resolve_claims(movers, new_sites, claim, rng)
    return movers[won], new_sites[won]
