"""The Gaza ground layer: a Mesa grid whose property layers hold the Strip's people, day by day.

The population is not made of Mesa agents: each cell holds counts, and Epstein's activation rule
is applied to quantile cohorts of individual hardship with risk aversion R ~ U(0,1) integrated
exactly. Per day (see ``docs/ODD.md`` for the equations):

1. memory of harm and aid shortfall decays and takes in the day's events;
2. hardship H from damage, shortfall, harm and displacement; grievance ``G = H (1 - L)``, with L
   the legitimacy of whoever secures the cell;
3. actives: the share of each cohort with ``G - R P > T``, ``P = 1 - exp(-k f(C / A))``, C the
   deterrence-weighted security personnel and A yesterday's actives near the cell;
4. arrests and releases; recruitment into armed groups; attrition of armed members;
5. aid consumption; displacement of people toward safer neighbouring cells.

The layer is a component: the full model (a ``mesa.Model``) constructs it with itself, the
scenario's ``ground`` spec and the run's :class:`~sim.rng.RandomStreams`, then writes security
presence, harm and aid into it and reads :class:`~sim.ground.interfaces.GroundReport`.
"""

from __future__ import annotations

import copyreg
import weakref
from dataclasses import dataclass

import mesa
import numpy as np
from mesa.discrete_space import Cell, OrthogonalMooreGrid, PropertyLayer
from mesa.discrete_space.cell import Coordinate

from sim.ground import kernels
from sim.ground.geometry import StripGeometry
from sim.ground.interfaces import (
    CONTROLLER_OF,
    Controller,
    FloatGrid,
    ForceCategory,
    GroundReport,
    IntGrid,
    SecurityPresence,
)
from sim.ground.stencils import LandNeighbours
from sim.ground.streams import HeldStream, hold
from sim.rng import RandomStreams
from sim.scenario.ground import GroundSpec

FLOAT_LAYERS = (
    "population",
    "displaced",
    "damage",
    "aid_stock",
    "grievance",
    "hardship",
    "legitimacy",
    "actives",
    "detained",
    "recruits",
    "armed",
    "harm",
    "harm_memory",
    "shortfall",
    "deterrence",
)
"""Per-cell fields kept as Mesa property layers (float)."""

DAY_FIELDS = (
    "harm",
    "harm_memory",
    "population",
    "damage",
    "shortfall",
    "displaced",
    "legitimacy",
    "hardship",
    "grievance",
    "actives",
    "detained",
    "recruits",
    "armed",
    "aid_stock",
)
"""The fields :func:`~sim.ground.kernels.ground_day` takes, in its order."""

DAY_ORDER = (
    "_remember",
    "_grievance",
    "_activate",
    "_arrest_and_release",
    "_recruit",
    "_consume_aid",
    "_displace",
)
"""The layer's sub-steps in a day, in order (:meth:`GroundLayer.step`)."""


@dataclass(frozen=True)
class _CategoryWeights:
    """Per force category: legitimacy, deterrence (in actives contained) and controller code."""

    legitimacy: np.ndarray
    deterrence: np.ndarray
    codes: np.ndarray


class BuiltCell(Cell):
    """A Mesa grid cell that connects without clearing the neighbourhood caches.

    Mesa's ``Cell.connect`` clears the class-wide neighbourhood caches at every connection:
    ~4,000 times for a 41 x 13 Moore grid, about a third of building the full model (~2 ms a
    replication). The layer's cells are connected once, while Mesa builds the grid, and a new
    cell is in no cache (the caches are keyed by cell identity and hold their keys), so there
    is nothing to clear. The layer never reads a neighbourhood; code that did, and then
    connected cells again, would have to clear the caches itself (``Cell._clear_cache``).
    """

    __slots__ = ()

    def connect(self, other: Cell, key: Coordinate | None = None) -> None:
        """Connect ``other`` under ``key`` (its coordinate if omitted), as Mesa does."""
        self.connections[other.coordinate if key is None else key] = other


class GroundLayer:
    """The Strip's space and population, owned by a Mesa model.

    Args:
        model: The owning model; its ``random`` seeds the Mesa grid.
        spec: The scenario's ``ground`` section.
        streams: The run's random streams (this layer uses ``ground.*``).

    Attributes:
        geometry: The rasterised Strip.
        grid: The Mesa grid; fields are property layers (``grid.population.data`` ...).
        day: Days completed.
    """

    def __init__(self, model: mesa.Model, spec: GroundSpec, streams: RandomStreams) -> None:
        self.spec = spec
        self.streams = streams
        self.geometry = StripGeometry.from_spec(spec)
        self._random = model.random
        shape = self.geometry.shape
        # Mesa's property layers hold the fields from the start; the grid that carries them is
        # built when first asked for (:attr:`grid`): nothing in a run reads its cells, and
        # building its 533 cells and ~4,000 connections was ~2.6 ms of a replication.
        self._layers = [PropertyLayer(name, shape, 0.0, float) for name in FLOAT_LAYERS]
        self._layers.append(PropertyLayer("controller", shape, 0, int))
        land = PropertyLayer("land", shape, False, bool)
        land.data = self.geometry.land
        self._layers.append(land)
        self._grid: OrthogonalMooreGrid | None = None
        layers = {layer.name: layer for layer in self._layers}
        self._controller: IntGrid = layers["controller"].data
        self._fields: dict[str, FloatGrid] = {name: layers[name].data for name in FLOAT_LAYERS}
        # The kernels write the fields in place: these stay the property layers' arrays.
        self._day_fields = tuple(self._fields[name] for name in DAY_FIELDS)
        self.day = 0
        self._weights: _CategoryWeights | None = None
        self._view: GroundReport | None = None
        self._incoming_harm = np.zeros(self.geometry.shape)
        self._neighbours = LandNeighbours(self.geometry.land)
        self._land = self.geometry.land
        self._land_rows, self._land_cols = (
            index.astype(np.int64) for index in np.nonzero(self._land)
        )
        self._parameters = self._day_parameters()
        self._near_forces = np.zeros(self.geometry.shape)
        self._danger = np.zeros(self.geometry.shape)
        cohorts = spec.civil_violence.hardship_cohorts
        quantiles = (np.arange(cohorts) + 0.5) / cohorts * 2.0 - 1.0
        self._hardship_factor = 1.0 + spec.civil_violence.hardship_spread.value * quantiles
        self._populate()
        self.set_security(self.baseline_presence())

    @property
    def grid(self) -> OrthogonalMooreGrid:
        """The Mesa grid; its property layers are the layer's fields (``grid.population.data``).

        Built on first use, seeded by the owning model's ``random`` (building draws nothing).
        """
        if self._grid is None:
            self._grid = self._build_grid()
        return self._grid

    def _build_grid(self) -> OrthogonalMooreGrid:
        grid = OrthogonalMooreGrid(
            self.geometry.shape, torus=False, random=self._random, cell_klass=BuiltCell
        )
        # Mesa makes a cell class for each grid and registers it with ``copyreg`` (to pickle
        # its cells), for good: the class, and the layers' arrays its property accessors hold,
        # would outlive the grid (~85 KB of arrays a model by tracemalloc, ~180 KB of the
        # process; without end in a long batch). The registration goes with the grid; a cell
        # kept after its grid is gone can then no longer be pickled (copies still work).
        weakref.finalize(grid, copyreg.dispatch_table.pop, grid.cell_klass, None)
        for layer in self._layers:
            grid.add_property_layer(layer)  # the same arrays: the grid shows the live fields
        return grid

    def field(self, name: str) -> FloatGrid:
        """The live array behind a property layer (write in place only)."""
        return self._fields[name]

    @property
    def controller(self) -> IntGrid:
        """:class:`Controller` code per cell (live array)."""
        return self._controller

    def _populate(self) -> None:
        spec, geometry = self.spec, self.geometry
        people = spec.population
        total = people.total.value
        # At the bounds of the IDF's held share one side of the line has no cells; its people
        # then live on the other side (nobody is lost, nothing is divided by zero). The same
        # holds for a governorate the IDF holds whole (held shares of about 0.94 to 0.96).
        west = geometry.west_of_line if geometry.west_of_line.any() else self._land
        east = geometry.east_of_line if geometry.east_of_line.any() else west
        home = np.zeros(geometry.shape)
        governorates = [spec.governorates[gid] for gid in geometry.governorate_ids]
        prewar = np.array([g.population_prewar.value for g in governorates])
        staying = (
            total * (1.0 - people.east_of_line_share.value) * (1.0 - people.displaced_share.value)
        )
        for index, share in enumerate(prewar / prewar.sum()):
            cells = west & (geometry.governorate == index)
            if not cells.any():  # the IDF holds all of it: its residents stay, east of the line
                cells = self._land & (geometry.governorate == index)
            home[cells] = staying * share / max(int(cells.sum()), 1)
        coast_weight = np.where(
            west, 1.0 + people.coastal_pull.value * (1.0 - geometry.across_fraction), 0.0
        )
        displaced_total = (
            total * (1.0 - people.east_of_line_share.value) * people.displaced_share.value
        )
        displaced = displaced_total * coast_weight / coast_weight.sum()
        east_people = np.where(
            east, total * people.east_of_line_share.value / max(int(east.sum()), 1), 0.0
        )
        self.field("population")[...] = home + displaced + east_people
        self.field("displaced")[...] = displaced
        damage = np.array([g.initial_damage.value for g in governorates])
        self.field("damage")[...] = np.where(self._land, damage[geometry.governorate], 0.0)
        stock_days = spec.baseline.initial_stock_days.value
        self.field("aid_stock")[...] = self.field("population") * stock_days
        armed = spec.recruitment.initial_armed.value
        population = self.field("population")
        self.field("armed")[...] = np.where(west, population, 0.0) * armed / population[west].sum()

    def baseline_presence(self) -> SecurityPresence:
        """Hamas security west of the yellow line (by population), the IDF east of it (by area)."""
        baseline, geometry = self.spec.baseline, self.geometry
        shape = geometry.shape
        population = np.where(geometry.west_of_line, self.field("population"), 0.0)
        hamas = baseline.hamas_security.value * population / max(population.sum(), 1.0)
        east = geometry.east_of_line.astype(float)
        idf = baseline.idf_troops.value * east / max(east.sum(), 1.0)
        personnel = {category: np.zeros(shape) for category in ForceCategory}
        personnel[ForceCategory.HAMAS] = hamas
        personnel[ForceCategory.IDF] = idf
        return SecurityPresence(personnel)

    def set_security(self, presence: SecurityPresence) -> None:
        """Take the forces' personnel per cell: sets controller, legitimacy and deterrence."""
        presence.validate(self.geometry.shape)
        weights = self._category_weights()
        kernels.security_day(
            presence.stacked(self.geometry.shape),
            self._land,
            weights.legitimacy,
            weights.deterrence,
            weights.codes,
            self.spec.legitimacy_none.value,
            int(Controller.NONE),
            self.field("legitimacy"),
            self.controller,
            self.field("deterrence"),
        )
        radius = self.spec.civil_violence.vision_cells.value
        kernels.box_sum_into(self.field("deterrence"), radius, self._near_forces)
        self.presence = presence

    def _category_weights(self) -> _CategoryWeights:
        """Legitimacy, deterrence and controller code per force category (built once)."""
        if self._weights is None:
            spec, categories = self.spec, list(ForceCategory)
            per_member = spec.civil_violence.actives_per_member.value
            self._weights = _CategoryWeights(
                legitimacy=np.array([getattr(spec.legitimacy, c.value).value for c in categories]),
                deterrence=np.array(
                    [getattr(spec.deterrence, c.value).value * per_member for c in categories]
                ),
                codes=np.array([CONTROLLER_OF[c] for c in categories]),
            )
        return self._weights

    def add_harm(self, casualties: FloatGrid, killed: FloatGrid | None = None) -> None:
        """Record casualties (killed or injured) inflicted today, per cell.

        Args:
            casualties: Persons killed or injured per cell; they raise hardship and danger.
            killed: The dead among them, removed from the population (None: nobody).
        """
        kernels.add_harm_into(
            self._land,
            np.ascontiguousarray(casualties, dtype=np.float64),
            np.ascontiguousarray(casualties if killed is None else killed, dtype=np.float64),
            killed is not None,
            self._incoming_harm,
            self.field("population"),
            self.field("displaced"),
        )

    def deliver_aid(self, rations: FloatGrid) -> None:
        """Add aid to the cells' stocks, in person-days of need."""
        rations = np.ascontiguousarray(rations, dtype=np.float64)
        kernels.add_on_land(self.field("aid_stock"), rations, self._land)

    def set_armed(self, members: FloatGrid) -> None:
        """Set the armed-group members per cell (the full model's groups are the source)."""
        self.field("armed")[...] = np.where(self._land, np.maximum(members, 0.0), 0.0)

    def set_armed_groups(self, groups: np.ndarray) -> None:
        """:meth:`set_armed` with the members of several groups, ``(groups, rows, cols)``."""
        kernels.armed_from_groups(self._land, groups, self.field("armed"))

    def add_damage(self, change: FloatGrid) -> None:
        """Add destruction (positive) or repairs (negative) per cell, kept within [0, 1]."""
        kernels.add_within_unit(self.field("damage"), np.ascontiguousarray(change, dtype=float))

    def view(self) -> GroundReport:
        """The state other modules read, as read-only views of the live arrays (no copies).

        Unlike :meth:`report` the arrays follow the layer as it changes; use :meth:`report` to
        keep a snapshot. The views are built once (only ``day`` changes).
        """
        if self._view is not None:
            if self._view.day != self.day:
                # The live view follows the layer, its day too (read daily: no new object).
                object.__setattr__(self._view, "day", self.day)
            return self._view
        f = self._fields

        def ro(array: FloatGrid) -> FloatGrid:
            view = array.view()
            view.flags.writeable = False
            return view

        controller = self.controller.view()
        controller.flags.writeable = False
        self._view = GroundReport(
            day=self.day,
            population=ro(f["population"]),
            displaced=ro(f["displaced"]),
            grievance=ro(f["grievance"]),
            legitimacy=ro(f["legitimacy"]),
            actives=ro(f["actives"]),
            detained=ro(f["detained"]),
            recruits=ro(f["recruits"]),
            armed=ro(f["armed"]),
            harm=ro(f["harm"]),
            controller=controller,
        )
        return self._view

    def damage_view(self) -> FloatGrid:
        """Damage per cell, read-only (write with :meth:`add_damage`)."""
        view = self.field("damage").view()
        view.flags.writeable = False
        return view

    def remove_armed(self, members: FloatGrid) -> None:
        """Take armed-group members out (killed, detained, disarmed), per cell."""
        armed = self.field("armed")
        armed[...] = np.clip(armed - members, 0.0, None)

    def step(self) -> None:
        """Advance one day (read the outcome with :meth:`report` or :meth:`totals`).

        The sub-steps run in the order of :data:`DAY_ORDER`, each a compiled kernel
        (:mod:`sim.ground.kernels`); with numpy Generators as the streams they run as one
        compiled call (:func:`~sim.ground.kernels.ground_day`), the same arithmetic and draws.
        """
        self.day += 1
        arrest = self.streams.prepared("ground.arrest", hold)
        recruit = self.streams.prepared("ground.recruit", hold)
        if not (isinstance(arrest, HeldStream) and isinstance(recruit, HeldStream)):
            for sub_step in DAY_ORDER:  # stand-in streams (tests), NUMBA_DISABLE_JIT=1: one by one
                getattr(self, sub_step)()
            return
        kernels.ground_day(
            self._parameters,
            self.spec.civil_violence.vision_cells.value,
            arrest,
            recruit,
            self._land,
            self._land_rows,
            self._land_cols,
            self._neighbours.table,
            self._hardship_factor,
            self._near_forces,
            self._fields["deterrence"],
            self.controller,
            self._incoming_harm,
            self._danger,
            self._day_fields,
        )

    def _remember(self) -> None:
        f = self._fields
        kernels.remember_day(self._parameters, self._incoming_harm, f["harm"], f["harm_memory"])

    def _grievance(self) -> None:
        f = self._fields
        kernels.grievance_day(
            self._parameters,
            f["harm_memory"],
            f["population"],
            f["damage"],
            f["shortfall"],
            f["displaced"],
            f["legitimacy"],
            f["hardship"],
            f["grievance"],
        )

    def _activate(self) -> None:
        """Epstein's rule per hardship cohort; the share with R < (G - T) / P goes active."""
        f = self._fields
        kernels.activate_day(
            self._parameters,
            self.spec.civil_violence.vision_cells.value,
            self._hardship_factor,
            self._near_forces,
            f["grievance"],
            f["population"],
            f["detained"],
            f["actives"],
        )

    def _arrest_and_release(self) -> None:
        """Arrests: the actives' own estimate P, capped by the forces' daily arrest capacity.

        Releases and attrition act on large pools at small rates: applied as expected values.
        """
        f = self._fields
        arrest_day, stream = kernels.bind(kernels.arrest_day, self.streams, "ground.arrest")
        arrest_day(
            self._parameters,
            self.spec.civil_violence.vision_cells.value,
            stream,
            self._land,
            self._near_forces,
            f["deterrence"],
            f["actives"],
            f["detained"],
        )

    def _recruit(self) -> None:
        """Joining armed groups: a daily chance proportional to grievance above a threshold."""
        f = self._fields
        recruit_day, stream = kernels.bind(kernels.recruit_day, self.streams, "ground.recruit")
        recruit_day(
            self._parameters,
            stream,
            self._land,
            self._hardship_factor,
            f["grievance"],
            f["population"],
            f["detained"],
            f["recruits"],
            f["armed"],
        )

    def _consume_aid(self) -> None:
        f = self._fields
        kernels.consume_aid_day(self._parameters, f["population"], f["aid_stock"], f["shortfall"])

    def _day_parameters(self) -> np.ndarray:
        """The scenario's ground parameters as the kernels' vector (see :mod:`.kernels`)."""
        spec, k = self.spec, kernels
        cv, moves, recruitment = spec.civil_violence, spec.displacement, spec.recruitment
        values = {
            k.MEMORY_DAYS: cv.memory_days.value,
            k.WEIGHT_DAMAGE: cv.weight_damage.value,
            k.WEIGHT_SHORTFALL: cv.weight_aid_shortfall.value,
            k.WEIGHT_HARM: cv.weight_harm.value,
            k.WEIGHT_DISPLACEMENT: cv.weight_displacement.value,
            k.THRESHOLD: cv.threshold.value,
            k.ARREST_CONSTANT: cv.arrest_constant.value,
            k.RATIO_RULE: k.RULE_CODES[cv.ratio_rule],
            k.ARRESTS_PER_MEMBER: cv.arrests_per_member.value,
            k.ACTIVES_PER_MEMBER: cv.actives_per_member.value,
            k.DETENTION_DAYS: cv.mean_detention_days.value,
            k.RECRUIT_THRESHOLD: recruitment.grievance_threshold.value,
            k.RECRUIT_RATE: recruitment.daily_rate.value,
            k.ATTRITION: recruitment.attrition_per_day.value,
            k.MOVE_RATE: moves.daily_rate.value,
            k.DANGER_IDF: moves.danger_idf_control.value,
            k.DANGER_HARM: moves.danger_per_harm.value,
            k.DANGER_DAMAGE: moves.danger_damage.value,
            k.CELL_AREA: self.geometry.cell_area_km2,
            k.MAX_DENSITY: moves.max_density.value,
            k.IDF_CODE: float(Controller.IDF),
        }
        vector = np.full(k.PARAMETER_COUNT, np.nan)
        for index, value in values.items():
            vector[index] = value
        return vector

    def danger(self) -> FloatGrid:
        """What people flee: IDF control, recent harm and destruction (danger units)."""
        self._fill_danger()
        return self._danger.copy()

    def _fill_danger(self) -> None:
        f = self._fields
        kernels.danger_into(
            self._parameters,
            self.controller,
            f["harm_memory"],
            f["population"],
            f["damage"],
            self._danger,
        )

    def _displace(self) -> None:
        f = self._fields
        self._fill_danger()
        kernels.displace_day(
            self._parameters,
            self._land_rows,
            self._land_cols,
            self._neighbours.table,
            self._danger,
            f["population"],
            f["displaced"],
            f["detained"],
            f["actives"],
        )

    def totals(self) -> dict[str, float]:
        """Strip-wide totals without copying the fields (what :meth:`report` totals)."""
        f = self._fields
        people = float(f["population"].sum())
        totals = {"day": float(self.day), "population": people}
        for name in ("displaced", "actives", "detained", "recruits", "armed", "harm"):
            totals[name] = float(f[name].sum())
        totals["grievance"] = float((f["grievance"] * f["population"]).sum() / max(people, 1.0))
        return totals

    def report(self) -> GroundReport:
        """A copy of the state other modules read."""
        f = self.field
        return GroundReport(
            day=self.day,
            population=f("population").copy(),
            displaced=f("displaced").copy(),
            grievance=f("grievance").copy(),
            legitimacy=f("legitimacy").copy(),
            actives=f("actives").copy(),
            detained=f("detained").copy(),
            recruits=f("recruits").copy(),
            armed=f("armed").copy(),
            harm=f("harm").copy(),
            controller=self.controller.copy(),
        )
