"""A standalone Mesa model that runs the Gaza ground layer alone.

Without forces, aid or bargaining modules, the model holds the baseline of the scenario's
``ground.baseline`` section: Hamas security west of the yellow line, IDF troops east of it, aid
at a fixed share of need, and a trickle of casualties along the line.

Example:
    >>> model = GroundModel(seed=7)
    >>> series = model.run(30)
    >>> round(series["population"][0])
    2100000
"""

from __future__ import annotations

import mesa
import numpy as np
import numpy.typing as npt

from sim.ground.interfaces import FloatGrid
from sim.ground.layer import GroundLayer
from sim.ground.stencils import box_sum
from sim.rng import RandomStreams
from sim.scenario.ground import GroundSpec

SERIES = (
    "population",
    "displaced",
    "grievance",
    "actives",
    "detained",
    "recruits",
    "armed",
    "harm",
)


class GroundModel(mesa.Model):
    """The ground layer on its own, one step a day.

    Args:
        spec: Ground parameters (defaults: :class:`GroundSpec`).
        seed: Seed of the run's :class:`RandomStreams` (ignored if ``streams`` is given).
        streams: The run's streams, when a caller manages seeding.

    Attributes:
        ground: The :class:`GroundLayer` component.
        history: Strip-wide totals per day, day 0 first.
    """

    def __init__(
        self,
        spec: GroundSpec | None = None,
        seed: int | np.random.SeedSequence | None = 0,
        streams: RandomStreams | None = None,
    ) -> None:
        streams = streams if streams is not None else RandomStreams(seed)
        super().__init__(rng=streams["mesa"])
        self.streams = streams
        self.spec = spec if spec is not None else GroundSpec()
        self.ground = GroundLayer(self, self.spec, streams)
        self._frontier = self._line_frontier()
        self.history: list[dict[str, float]] = [self.ground.totals()]

    def _line_frontier(self) -> FloatGrid:
        """Weights of the cells just west of the yellow line, where casualties occur."""
        geometry = self.ground.geometry
        near_line = box_sum(geometry.east_of_line.astype(float), 1) > 0.0
        frontier = (geometry.west_of_line & near_line).astype(float)
        return frontier / max(frontier.sum(), 1.0)

    def step(self) -> None:
        """One day: baseline aid and casualties, then the ground layer's day."""
        ground, baseline = self.ground, self.spec.baseline
        population = ground.field("population")
        ground.deliver_aid(population * baseline.aid_coverage.value)
        casualties = self.streams["ground.harm"].poisson(
            baseline.harm_per_day.value * self._frontier
        )
        ground.add_harm(casualties.astype(float))
        ground.step()
        self.history.append(ground.totals())

    def run(self, days: int) -> dict[str, npt.NDArray[np.float64]]:
        """Step ``days`` days; return each total as a series of length ``days + 1``."""
        for _ in range(days):
            self.step()
        return self.series()

    def series(self) -> dict[str, npt.NDArray[np.float64]]:
        """The recorded totals as arrays keyed by name."""
        return {key: np.array([row[key] for row in self.history]) for key in ("day", *SERIES)}
