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

from sim.ground.geometry import StripGeometry

SNAPSHOT_FIELDS: dict[str, str] = {
    "controller": "who secures the cell",
    "incidents": "incidents in the cell that day [count]",
    "civilian_deaths": "civilians killed in the cell that day [deaths]",
    "aid_days": "aid stock per resident [days of need]",
    "grievance": "mean grievance [0-1]",
    "population": "residents per km2",
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
    # matplotlib is imported here, not at module level: runs that never draw stay light to start.
    from matplotlib.figure import Figure

    from sim.ground.render import draw_field, draw_yellow_line

    index = snapshots.index_of(day)
    geometry = snapshots.geometry
    figure = Figure(figsize=(5.0, 6.0), dpi=100)
    axes = figure.subplots()
    values = snapshots.fields[field_name][index]
    label = SNAPSHOT_FIELDS.get(field_name, "")
    draw_field(figure, axes, geometry, values, field_name, snapshots.days[index], label)
    draw_yellow_line(axes, geometry, snapshots.idf_held[index])
    figure.savefig(path_or_buffer, format="png", bbox_inches="tight")
