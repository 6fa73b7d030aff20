"""Map snapshots of a run: per-cell fields every few days, for the app's map with a day slider.

Example:
    >>> from sim.scenario.loader import load_scenario, SCENARIOS_DIR
    >>> from sim.model.run import run_scenario
    >>> result = run_scenario(load_scenario(SCENARIOS_DIR / "base.yaml"), 1,
    ...                       record_maps=30)  # doctest: +SKIP
    >>> result.maps.days[:3]  # doctest: +SKIP
    [0, 30, 60]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO

import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure

from sim.ground.geometry import StripGeometry
from sim.ground.interfaces import Controller

SNAPSHOT_FIELDS: dict[str, str] = {
    "controller": "who secures the cell",
    "incidents": "incidents in the cell that day [count]",
    "civilian_deaths": "civilians killed in the cell that day [deaths]",
    "aid_days": "aid stock per resident [days of need]",
    "grievance": "mean grievance [0-1]",
    "population": "residents per km2",
}
CONTROLLER_COLOURS = {
    Controller.NONE: "#d9d9d9",
    Controller.HAMAS: "#2ca25f",
    Controller.ISF: "#3182bd",
    Controller.POLICE: "#9ecae1",
    Controller.IDF: "#de2d26",
}


@dataclass
class MapSnapshots:
    """Per-cell fields recorded every ``every`` days.

    Attributes:
        geometry: The rasterised Strip the arrays belong to.
        every: Days between snapshots.
        days: The day of each snapshot.
        fields: For each field name, an array ``(snapshots, rows, cols)``.
        idf_held: ``(snapshots, rows, cols)`` cells held by the IDF (the moving yellow line).
    """

    geometry: StripGeometry
    every: int
    days: list[int] = field(default_factory=list)
    fields: dict[str, list[np.ndarray]] = field(default_factory=dict)
    idf_held: list[np.ndarray] = field(default_factory=list)

    def add(self, day: int, values: dict[str, np.ndarray], idf_held: np.ndarray) -> None:
        """Store one snapshot (copies)."""
        self.days.append(day)
        for name, grid in values.items():
            self.fields.setdefault(name, []).append(np.array(grid, dtype=float, copy=True))
        self.idf_held.append(idf_held.copy())

    def index_of(self, day: int) -> int:
        """The snapshot at or just before ``day``."""
        position = int(np.searchsorted(self.days, day, side="right")) - 1
        return max(position, 0)


def render_snapshot(
    snapshots: MapSnapshots, field_name: str, day: int, path_or_buffer: str | IO[bytes]
) -> None:
    """Draw one snapshot field as a PNG, with that day's yellow line and the governorates.

    Raises:
        ValueError: If ``field_name`` was not recorded.
    """
    if field_name not in snapshots.fields:
        raise ValueError(f"unknown field {field_name!r}; recorded: {sorted(snapshots.fields)}")
    index = snapshots.index_of(day)
    geometry = snapshots.geometry
    east, north = geometry.corners_east_north()
    values = np.ma.masked_where(~geometry.land, snapshots.fields[field_name][index])
    figure = Figure(figsize=(5.0, 6.0), dpi=100)
    axes = figure.subplots()
    if field_name == "controller":
        colours = ListedColormap([CONTROLLER_COLOURS[c] for c in Controller])
        norm = BoundaryNorm(np.arange(len(Controller) + 1) - 0.5, len(Controller))
        mesh = axes.pcolormesh(east, north, values, cmap=colours, norm=norm)
        bar = figure.colorbar(mesh, ax=axes, ticks=range(len(Controller)), shrink=0.7)
        bar.ax.set_yticklabels([c.name.lower() for c in Controller])
    else:
        mesh = axes.pcolormesh(east, north, values, cmap="magma_r")
        figure.colorbar(mesh, ax=axes, shrink=0.7, label=SNAPSHOT_FIELDS.get(field_name, ""))
    centres_e = (east[:-1, :-1] + east[1:, 1:]) / 2
    centres_n = (north[:-1, :-1] + north[1:, 1:]) / 2
    held = np.where(geometry.land, snapshots.idf_held[index].astype(float), np.nan)
    if np.nanmax(held) > 0:
        axes.contour(centres_e, centres_n, held, levels=[0.5], colors="gold", linewidths=2.0)
    axes.set_title(f"{field_name.replace('_', ' ')}, day {snapshots.days[index]}")
    axes.set_aspect("equal")
    axes.set_xlabel("km east")
    axes.set_ylabel("km north")
    figure.savefig(path_or_buffer, format="png", bbox_inches="tight")
