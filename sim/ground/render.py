r"""Maps of the ground layer's fields, drawn with matplotlib on the Strip's real orientation.

Example:
    >>> import io
    >>> from sim.ground.model import GroundModel
    >>> buffer = io.BytesIO()
    >>> render_map(GroundModel(seed=1), "population", buffer)
    >>> buffer.getvalue()[:4] == b"\x89PNG"
    True
"""

from __future__ import annotations

from typing import IO, Protocol

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure

from sim.ground.geometry import StripGeometry
from sim.ground.interfaces import Controller
from sim.ground.layer import FLOAT_LAYERS, GroundLayer

CONTROLLER_COLOURS = {
    Controller.NONE: "#d9d9d9",
    Controller.HAMAS: "#2ca02c",
    Controller.ISF: "#1f77b4",
    Controller.POLICE: "#9467bd",
    Controller.IDF: "#d62728",
}
FIELD_UNITS = {
    "population": "persons/km2",
    "displaced": "persons/km2",
    "actives": "persons/km2",
    "detained": "persons/km2",
    "armed": "persons/km2",
    "recruits": "persons/km2/day",
    "harm": "casualties/day",
    "aid_stock": "days of need",
}
PER_AREA = {"population", "displaced", "actives", "detained", "armed", "recruits"}
MAPPABLE = (*FLOAT_LAYERS, "controller")


class HasGround(Protocol):
    """Anything that owns a ground layer (the standalone model, the full model)."""

    ground: GroundLayer


def _values(ground: GroundLayer, field: str) -> np.ndarray:
    if field == "controller":
        return ground.controller.astype(float)
    values = ground.field(field).copy()
    if field in PER_AREA:
        values /= ground.geometry.cell_area_km2
    elif field == "aid_stock":
        population = ground.field("population")
        values = np.divide(values, population, out=np.zeros_like(values), where=population > 0)
    return values


def render_map(
    ground: GroundLayer | HasGround,
    field: str,
    path_or_buffer: str | IO[bytes],
    day: int | None = None,
) -> None:
    """Draw one field of the ground layer as a PNG map.

    The yellow line is drawn as the boundary of the IDF-held cells, crossings as labelled
    markers, governorate boundaries as thin lines.

    Args:
        ground: A :class:`GroundLayer` or a model with a ``ground`` attribute.
        field: A property-layer name (``population``, ``grievance``, ``controller`` ...).
        path_or_buffer: File path or binary buffer to write the PNG to.
        day: Day shown in the title (default: the layer's current day).

    Raises:
        ValueError: If ``field`` is not a mappable field.
    """
    layer = ground if isinstance(ground, GroundLayer) else ground.ground
    if field not in MAPPABLE:
        raise ValueError(f"unknown field {field!r}; choose one of {', '.join(MAPPABLE)}")
    # A bare Figure (no pyplot) keeps no global state, so it is safe inside the app's threads.
    figure = Figure(figsize=(5.5, 6.5), dpi=110)
    axes = figure.subplots()
    shown_day = layer.day if day is None else day
    draw_field(figure, axes, layer.geometry, _values(layer, field), field, shown_day)
    _draw_overlays(axes, layer)
    figure.savefig(path_or_buffer, format="png", bbox_inches="tight")


def draw_field(
    figure: Figure,
    axes: Axes,
    geometry: StripGeometry,
    values: np.ndarray,
    field: str,
    day: int,
    label: str | None = None,
) -> None:
    """Draw one per-cell field on the Strip's real orientation, with a colour bar and title.

    Args:
        figure: The figure (for the colour bar).
        axes: Where to draw.
        geometry: The rasterised Strip the values belong to.
        values: One value per cell (cells off land are masked).
        field: Field name; ``controller`` gets a categorical legend.
        day: Day shown in the title.
        label: Colour-bar label (default: the field's unit, where known).
    """
    east, north = geometry.corners_east_north()
    masked = np.ma.masked_where(~geometry.land, values)
    if field == "controller":
        colours = ListedColormap([CONTROLLER_COLOURS[c] for c in Controller])
        norm = BoundaryNorm(np.arange(len(Controller) + 1) - 0.5, len(Controller))
        mesh = axes.pcolormesh(east, north, masked, cmap=colours, norm=norm)
        bar = figure.colorbar(mesh, ax=axes, ticks=range(len(Controller)), shrink=0.7)
        bar.ax.set_yticklabels([c.name.lower() for c in Controller])
    else:
        mesh = axes.pcolormesh(east, north, masked, cmap="magma_r", shading="flat")
        unit = label if label is not None else FIELD_UNITS.get(field, "")
        figure.colorbar(mesh, ax=axes, shrink=0.7, label=unit)
    axes.set_title(f"{field.replace('_', ' ')}, day {day}")
    axes.set_aspect("equal")
    axes.set_xlabel("km east")
    axes.set_ylabel("km north")


def _cell_centres(geometry: StripGeometry) -> tuple[np.ndarray, np.ndarray]:
    east, north = geometry.corners_east_north()
    return (east[:-1, :-1] + east[1:, 1:]) / 2, (north[:-1, :-1] + north[1:, 1:]) / 2


def draw_yellow_line(axes: Axes, geometry: StripGeometry, held: np.ndarray) -> None:
    """Draw the boundary of the IDF-held cells (the yellow line) in gold."""
    centres_e, centres_n = _cell_centres(geometry)
    # Vertex-centred contour of the IDF-held mask traces the line.
    mask = np.where(geometry.land, held.astype(float), np.nan)
    if np.nanmax(mask) > 0:
        axes.contour(centres_e, centres_n, mask, levels=[0.5], colors="gold", linewidths=2.0)


def _draw_overlays(axes: Axes, layer: GroundLayer) -> None:
    geometry = layer.geometry
    draw_yellow_line(axes, geometry, geometry.east_of_line)
    east, north = geometry.corners_east_north()
    centres_e, centres_n = _cell_centres(geometry)
    governorate = np.where(geometry.land, geometry.governorate, np.nan).astype(float)
    axes.contour(
        centres_e,
        centres_n,
        governorate,
        levels=np.arange(len(geometry.governorate_ids) - 1) + 0.5,
        colors="grey",
        linewidths=0.6,
    )
    for name, (row, col) in geometry.crossing_cells.items():
        x, y = geometry.centre_east_north(row, col)
        axes.plot(x, y, marker="s", color="black", markersize=4)
        axes.annotate(
            name.replace("_", " "), (x, y), fontsize=6, xytext=(3, 3), textcoords="offset points"
        )
    axes.set_xlim(east.min() - 1, east.max() + 1)
    axes.set_ylim(north.min() - 1, north.max() + 1)
