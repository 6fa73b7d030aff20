"""The Strip's outline rasterised to grid cells.

The Strip is approximated as a band along the coast: its width across (coast to border) is
interpolated linearly between the centres of the five governorate bands, each band as long as
its area divided by its typical width; the whole is then scaled to the reported length (41 km)
and area (365 km2). A row of cells runs across the Strip; a cell is land if its centre lies
within the width at that row. Governorates are consecutive rows, cut where the cumulative land
area crosses each governorate's share. The IDF holds the eastern part of every row, the same
share of each row's width (the yellow line is then deeper where the Strip is wider, as
reported: 1.5-6.5 km). For maps the band is rotated to the Strip's bearing.

Example:
    >>> from sim.scenario.ground import GroundSpec
    >>> geometry = StripGeometry.from_spec(GroundSpec())
    >>> abs(geometry.land_area_km2 - 365) < 5
    True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sim.ground.interfaces import BoolGrid, FloatGrid, IntGrid
from sim.scenario.ground import GroundSpec

NO_GOVERNORATE = -1


@dataclass(frozen=True)
class StripGeometry:
    """Rasterised outline, governorates, yellow line and crossings.

    Attributes:
        cell_km: Side of a cell.
        land: Cells inside the Strip.
        row_width_km: Width of the Strip at each row's centre.
        governorate: Index into ``governorate_ids`` per cell (-1 off land).
        governorate_ids: Governorate ids, south to north.
        east_of_line: Land cells held by the IDF.
        across_fraction: Position of each cell's centre across its row (0 coast, 1 border).
        crossing_cells: ``(row, col)`` of each crossing.
        bearing_deg: Bearing of the Strip's axis, for maps.
    """

    cell_km: float
    land: BoolGrid
    row_width_km: FloatGrid
    governorate: IntGrid
    governorate_ids: tuple[str, ...]
    east_of_line: BoolGrid
    across_fraction: FloatGrid
    crossing_cells: dict[str, tuple[int, int]]
    bearing_deg: float

    @property
    def shape(self) -> tuple[int, int]:
        """Grid shape ``(rows, cols)``."""
        rows, cols = self.land.shape
        return int(rows), int(cols)

    @property
    def cell_area_km2(self) -> float:
        """Area of one cell."""
        return self.cell_km**2

    @property
    def land_area_km2(self) -> float:
        """Area of the rasterised Strip."""
        return float(self.land.sum()) * self.cell_area_km2

    @property
    def west_of_line(self) -> BoolGrid:
        """Land cells not held by the IDF."""
        return self.land & ~self.east_of_line

    def idf_share(self) -> float:
        """Share of the land east of the yellow line."""
        return float(self.east_of_line.sum() / self.land.sum())

    @classmethod
    def from_spec(cls, spec: GroundSpec) -> StripGeometry:
        """Rasterise the outline described by ``spec``."""
        strip = spec.strip
        cell = strip.cell_km.value
        governorates = sorted(spec.governorates.items(), key=lambda item: item[1].band_index)
        ids = tuple(gid for gid, _ in governorates)
        areas = np.array([g.area_km2.value for _, g in governorates])
        widths = np.array([g.width_km.value for _, g in governorates])
        lengths = areas / widths
        length = strip.length_km.value
        centres = (np.cumsum(lengths) - lengths / 2) * length / lengths.sum()
        n_rows = max(1, round(length / cell))
        row_centres = (np.arange(n_rows) + 0.5) * cell
        row_width = np.interp(row_centres, centres, widths)
        row_width *= strip.area_km2.value / (row_width.sum() * cell)
        n_cols = int(np.ceil(row_width.max() / cell)) + 1
        col_centres = (np.arange(n_cols) + 0.5) * cell
        land = col_centres[None, :] < row_width[:, None]
        across = col_centres[None, :] / row_width[:, None]
        east = land & (across >= 1.0 - spec.yellow_line_share.value)
        governorate = _governorate_rows(land, areas)
        crossings = {
            cid: _crossing_cell(land, c.along_km.value / cell, c.across_fraction.value)
            for cid, c in spec.crossings.items()
        }
        return cls(
            cell_km=cell,
            land=land,
            row_width_km=row_width,
            governorate=governorate,
            governorate_ids=ids,
            east_of_line=east,
            across_fraction=np.where(land, across, 0.0),
            crossing_cells=crossings,
            bearing_deg=strip.bearing_deg.value,
        )

    def corners_east_north(self) -> tuple[FloatGrid, FloatGrid]:
        """Map coordinates (km east, km north of the Rafah end) of every cell corner.

        Returns:
            Two ``(rows + 1, cols + 1)`` arrays, for ``matplotlib.pcolormesh``.
        """
        rows, cols = self.shape
        along = np.arange(rows + 1) * self.cell_km
        across = np.arange(cols + 1) * self.cell_km
        along_grid, across_grid = np.meshgrid(along, across, indexing="ij")
        bearing = np.radians(self.bearing_deg)
        east = along_grid * np.sin(bearing) + across_grid * np.cos(bearing)
        north = along_grid * np.cos(bearing) - across_grid * np.sin(bearing)
        return east, north

    def centre_east_north(self, row: int, col: int) -> tuple[float, float]:
        """Map coordinates of one cell's centre."""
        bearing = np.radians(self.bearing_deg)
        along, across = (row + 0.5) * self.cell_km, (col + 0.5) * self.cell_km
        east = along * np.sin(bearing) + across * np.cos(bearing)
        north = along * np.cos(bearing) - across * np.sin(bearing)
        return float(east), float(north)


def _governorate_rows(land: BoolGrid, areas: FloatGrid) -> IntGrid:
    """Assign whole rows to governorates, south to north, by cumulative land area."""
    row_cells = land.sum(axis=1).astype(float)
    row_mid = np.cumsum(row_cells) - row_cells / 2
    cuts = np.cumsum(areas)[:-1] / areas.sum() * row_cells.sum()
    row_governorate = np.searchsorted(cuts, row_mid)
    governorate = np.broadcast_to(row_governorate[:, None], land.shape).astype(np.int64)
    return np.where(land, governorate, NO_GOVERNORATE)


def _crossing_cell(land: BoolGrid, row_position: float, across: float) -> tuple[int, int]:
    """The land cell at a position along the Strip (in cells) and a fraction across it."""
    row = int(np.clip(np.floor(row_position), 0, land.shape[0] - 1))
    width = int(land[row].sum())
    col = int(np.clip(np.floor(across * width), 0, width - 1))
    return row, col
