"""Typed interfaces between the ground layer and the modules that drive it.

The forces module writes a :class:`SecurityPresence` (personnel per cell by category) into the
ground layer; the armed-group, aid and bargaining modules read a :class:`GroundReport`.
All per-cell arrays are shaped like the grid, ``(rows, cols)``: rows run along the Strip from
Rafah (row 0) to the north, columns across it from the coast (column 0) to the eastern border.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum

import numpy as np
import numpy.typing as npt

FloatGrid = npt.NDArray[np.float64]
IntGrid = npt.NDArray[np.int64]
BoolGrid = npt.NDArray[np.bool_]


class ForceCategory(StrEnum):
    """Who can secure a cell; each has its own legitimacy and deterrence weight."""

    IDF = "idf"
    HAMAS = "hamas"
    ISF_ARAB_MUSLIM = "isf_arab_muslim"
    ISF_HAMAS_CHANNEL = "isf_hamas_channel"
    ISF_OTHER = "isf_other"
    POLICE = "police"

    @classmethod
    def for_contributor(cls, category: str) -> ForceCategory:
        """The ISF category of a contingent from its perception category in the forces schema.

        Example:
            >>> ForceCategory.for_contributor("hamas_channel")
            <ForceCategory.ISF_HAMAS_CHANNEL: 'isf_hamas_channel'>
        """
        return cls(f"isf_{category}")


FORCE_CATEGORIES: tuple[ForceCategory, ...] = tuple(ForceCategory)
"""The categories in their order (iterating the enum itself costs microseconds)."""


class Controller(IntEnum):
    """Who secures a cell, as stored in the ``controller`` property layer."""

    NONE = 0
    HAMAS = 1
    ISF = 2
    POLICE = 3
    IDF = 4


CONTROLLER_OF: dict[ForceCategory, Controller] = {
    ForceCategory.IDF: Controller.IDF,
    ForceCategory.HAMAS: Controller.HAMAS,
    ForceCategory.ISF_ARAB_MUSLIM: Controller.ISF,
    ForceCategory.ISF_HAMAS_CHANNEL: Controller.ISF,
    ForceCategory.ISF_OTHER: Controller.ISF,
    ForceCategory.POLICE: Controller.POLICE,
}


@dataclass(frozen=True)
class SecurityPresence:
    """Security personnel per cell by force category, set by the forces module each day.

    Categories absent from ``personnel`` have nobody on the ground. The cell's controller is the
    category with the most personnel (ties go to the earlier category in :class:`ForceCategory`).

    Attributes:
        personnel: Persons per cell for each category, each shaped like the grid.
    """

    personnel: Mapping[ForceCategory, FloatGrid]
    stack: FloatGrid | None = field(default=None, compare=False, repr=False)
    """The same numbers as one ``(category, rows, cols)`` array in :class:`ForceCategory` order,
    when the caller built them that way (see :meth:`from_stack`)."""

    @classmethod
    def empty(cls, shape: tuple[int, int]) -> SecurityPresence:
        """Nobody anywhere."""
        return cls({category: np.zeros(shape) for category in ForceCategory})

    @classmethod
    def from_stack(cls, stack: FloatGrid) -> SecurityPresence:
        """Personnel given as one array, one layer per category in :class:`ForceCategory` order.

        Example:
            >>> presence = SecurityPresence.from_stack(np.ones((len(ForceCategory), 2, 3)))
            >>> presence.personnel[ForceCategory.POLICE].shape, presence.total()
            ((2, 3), 36.0)
        """
        if stack.ndim != 3 or stack.shape[0] != len(FORCE_CATEGORIES):
            raise ValueError(
                f"a presence stack has shape (categories={len(FORCE_CATEGORIES)}, rows, cols), "
                f"got {stack.shape}"
            )
        return cls(dict(zip(FORCE_CATEGORIES, stack, strict=True)), stack)

    def validate(self, shape: tuple[int, int]) -> None:
        """Raise ``ValueError`` unless every array has the grid's shape and no negative entry."""
        if self.stack is not None and self.stack.shape[1:] == shape and self.stack.min() >= 0:
            return  # one check for the whole stack; on failure the loop names the category
        for category, grid in self.personnel.items():
            if grid.shape != shape:
                raise ValueError(f"presence of {category} has shape {grid.shape}, expected {shape}")
            if (grid < 0).any():
                raise ValueError(f"presence of {category} has negative personnel")

    def stacked(self, shape: tuple[int, int] | None = None) -> FloatGrid:
        """All categories as one ``(category, rows, cols)`` array (absent ones are zeros)."""
        if self.stack is not None:
            return self.stack
        if shape is None:
            shape = next(iter(self.personnel.values())).shape
        empty = np.zeros(shape)
        return np.stack([self.personnel.get(c, empty) for c in ForceCategory]).astype(float)

    def total(self) -> float:
        """All personnel on the ground."""
        return float(sum(grid.sum() for grid in self.personnel.values()))


@dataclass(frozen=True)
class GroundReport:
    """What the ground layer shows the other modules after a day (copies, safe to keep).

    Attributes:
        day: Days completed.
        population: Persons per cell (free, detained and displaced included).
        displaced: Persons away from home per cell.
        grievance: Mean grievance ``H (1 - L)`` per cell.
        legitimacy: Legitimacy of whoever secures the cell.
        actives: Persons in open defiance of the securing force per cell.
        detained: Persons held after arrest per cell.
        recruits: Persons who joined an armed group today per cell.
        armed: Armed-group members per cell.
        harm: Casualties recorded today per cell.
        controller: :class:`Controller` code per cell.
    """

    day: int
    population: FloatGrid
    displaced: FloatGrid
    grievance: FloatGrid
    legitimacy: FloatGrid
    actives: FloatGrid
    detained: FloatGrid
    recruits: FloatGrid
    armed: FloatGrid
    harm: FloatGrid
    controller: IntGrid

    def totals(self) -> dict[str, float]:
        """Strip-wide totals (and the population-weighted mean grievance)."""
        people = float(self.population.sum())
        return {
            "day": float(self.day),
            "population": people,
            "displaced": float(self.displaced.sum()),
            "grievance": float((self.grievance * self.population).sum() / max(people, 1.0)),
            "actives": float(self.actives.sum()),
            "detained": float(self.detained.sum()),
            "recruits": float(self.recruits.sum()),
            "armed": float(self.armed.sum()),
            "harm": float(self.harm.sum()),
        }
