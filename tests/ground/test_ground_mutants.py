"""Values and relations of the ground's small modules that the mutation run found unchecked.

Issue 15: a full mutmut run over the Epstein and ground modules left mutants alive in
``sim/ground/interfaces.py`` (and elsewhere); each test here names the behaviour it pins.
docs/testing.md lists the mutants that remain and why no test can kill them.
"""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt
import pytest

from sim.ground import validation
from sim.ground.epstein import CivilViolenceLattice
from sim.ground.geometry import StripGeometry
from sim.ground.interfaces import ForceCategory, GroundReport, SecurityPresence
from sim.ground.lattice import TorusLattice
from sim.ground.outbursts import outburst_stats
from sim.ground.stencils import LandNeighbours, box_sum, pad_zeros
from sim.rng import RandomStreams

CATEGORIES = len(ForceCategory)  # 6


def test_from_stack_rejects_a_two_dimensional_stack_with_the_right_first_axis() -> None:
    # (6, 3) has one layer per category but no grid: the shape check must fail on ndim alone
    with pytest.raises(ValueError, match=r"categories=6, rows, cols\), got \(6, 3\)"):
        SecurityPresence.from_stack(np.ones((CATEGORIES, 3)))


def test_from_stack_keeps_the_stack_it_was_given() -> None:
    stack = np.arange(CATEGORIES * 2 * 3, dtype=float).reshape(CATEGORIES, 2, 3)
    presence = SecurityPresence.from_stack(stack)
    assert presence.stack is stack and presence.stacked() is stack


def test_validate_checks_the_shape_of_a_stacked_presence() -> None:
    presence = SecurityPresence.from_stack(np.ones((CATEGORIES, 2, 3)))
    presence.validate((2, 3))
    with pytest.raises(ValueError, match="has shape"):
        presence.validate((3, 2))


def test_stacked_fills_absent_categories_with_zeros_of_the_grid_shape() -> None:
    police = np.array([[1, 2, 0], [0, 0, 4]])  # integers: stacked() returns floats
    stack = SecurityPresence({ForceCategory.POLICE: police}).stacked()
    assert stack.shape == (CATEGORIES, 2, 3) and stack.dtype == np.float64
    assert stack[list(ForceCategory).index(ForceCategory.POLICE)].tolist() == police.tolist()
    assert stack.sum() == 7.0
    # with no category present at all, the caller's shape gives the zeros
    assert SecurityPresence({}).stacked((2, 3)).shape == (CATEGORIES, 2, 3)


def test_totals_weigh_grievance_by_population_even_for_one_person() -> None:
    grid = np.zeros((1, 2))
    # one person in the first cell, grievance 0.4 there (0.9 in the empty cell does not count):
    # mean grievance = 0.4 x 1 / max(1, 1) = 0.4
    report = GroundReport(
        day=3,
        population=np.array([[1.0, 0.0]]),
        displaced=grid,
        grievance=np.array([[0.4, 0.9]]),
        legitimacy=grid,
        actives=grid,
        detained=grid,
        recruits=grid,
        armed=grid,
        harm=grid,
        controller=np.zeros((1, 2), dtype=np.int64),
    )
    totals = report.totals()
    assert totals["grievance"] == pytest.approx(0.4)
    assert (totals["day"], totals["population"]) == (3.0, 1.0)


# --- sim/ground/geometry.py, lattice.py, epstein.py ---


def _strip(cell_km: float, bearing_deg: float) -> StripGeometry:
    land = np.ones((2, 3), dtype=bool)
    return StripGeometry(
        cell_km=cell_km,
        land=land,
        row_width_km=np.full(2, 1.5),
        governorate=np.zeros((2, 3), dtype=np.int64),
        governorate_ids=("g",),
        east_of_line=~land,
        across_fraction=np.zeros((2, 3)),
        crossing_cells={},
        bearing_deg=bearing_deg,
    )


def test_map_coordinates_rotate_the_grid_by_the_strips_bearing() -> None:
    geometry = _strip(0.5, 30.0)
    # cell (1, 2) centre: along (1 + 0.5) x 0.5 = 0.75 km, across (2 + 0.5) x 0.5 = 1.25 km;
    # east = 0.75 sin 30 + 1.25 cos 30 = 0.375 + 1.0825 = 1.4575,
    # north = 0.75 cos 30 - 1.25 sin 30 = 0.6495 - 0.625 = 0.0245
    east, north = geometry.centre_east_north(1, 2)
    assert (east, north) == pytest.approx((1.457532, 0.024519), abs=1e-6)
    corners_east, corners_north = geometry.corners_east_north()
    assert corners_east.shape == corners_north.shape == (3, 4)
    # far corner (2, 3): along 1.0, across 1.5: east 0.5 + 1.2990, north 0.8660 - 0.75
    assert corners_east[2, 3] == pytest.approx(1.799038, abs=1e-6)
    assert corners_north[2, 3] == pytest.approx(0.116025, abs=1e-6)
    # every centre is the mean of its cell's four corners
    for row in range(2):
        for col in range(3):
            box = (slice(row, row + 2), slice(col, col + 2))
            expected = (corners_east[box].mean(), corners_north[box].mean())
            assert geometry.centre_east_north(row, col) == pytest.approx(expected)


def test_torus_must_be_at_least_as_wide_as_the_vision_diameter() -> None:
    TorusLattice(7, 9, 3, "von_neumann")  # 2 x 3 + 1 = 7 sites: just fits
    with pytest.raises(ValueError, match=r"6 x 9 torus is too small for vision 3: .* at least 7$"):
        TorusLattice(6, 9, 3, "von_neumann")


def test_count_within_vision_keeps_the_fields_apart() -> None:
    lattice = TorusLattice(5, 5, 1, "von_neumann")
    fields = np.zeros((2, 25))
    fields[0, 0] = 1.0  # one agent at site 0 (row 0, column 0)
    fields[1] = 1.0  # one everywhere
    counts = lattice.count_within_vision(fields)
    assert counts.shape == (2, 25)
    # site 0's four von Neumann neighbours on the torus: 1, 4 (wraps), 5 and 20 (wraps)
    assert np.flatnonzero(counts[0]).tolist() == [1, 4, 5, 20]
    assert (counts[1] == 4.0).all()
    # one field given as a flat vector comes back flat
    assert lattice.count_within_vision(fields[0]).shape == (25,)


def test_lattice_series_are_integer_counts() -> None:
    spec = validation.run2_spec("round", width=15, height=15, citizen_vision=3, cop_vision=3)
    run = CivilViolenceLattice(spec, RandomStreams(0)).run(2)
    for series in (run.active, run.jailed, run.quiet, run.activations, run.cops):
        assert series.dtype == np.int64 and series.shape == (3,)


def test_cops_see_with_their_own_radius_in_the_same_shape() -> None:
    spec = validation.run2_spec("round", width=15, height=15, citizen_vision=3, cop_vision=2)
    model = CivilViolenceLattice(spec, RandomStreams(0))
    # von Neumann vision r has 2 r (r + 1) sites: 24 for citizens (r 3), 12 for cops (r 2);
    # a Moore square of radius 2 would have 24
    assert model.lattice.neighbourhood_size == 24
    assert model.cop_lattice.neighbourhood_size == 12


def test_runs_of_one_step_add_up() -> None:
    spec = validation.run2_spec("round", width=15, height=15, citizen_vision=3, cop_vision=3)
    model = CivilViolenceLattice(spec, RandomStreams(0))
    assert model.run(0).active.shape == (1,) and model.steps == 0
    model.run(1)
    model.run(2)
    # 0 + 1 + 2 steps: the counter and the series both hold three steps after the start
    assert model.steps == 3 and model.series().active.shape == (4,)


def test_pad_zeros_adds_the_same_margin_on_every_side() -> None:
    padded = pad_zeros(np.ones((2, 3)), 2, fill=-1.0)
    assert padded.shape == (2 + 2 * 2, 3 + 2 * 2)
    assert padded.sum() == 6 * 1.0 - (6 * 7 - 6) * 1.0  # 6 ones, 36 cells of -1


def test_box_sum_of_radius_zero_is_a_copy() -> None:
    values = np.arange(6.0).reshape(2, 3)
    summed = box_sum(values, 0)
    assert summed is not values and np.array_equal(summed, values)
    summed[0, 0] = 99.0
    assert values[0, 0] == 0.0


def test_land_neighbours_keep_their_land_mask() -> None:
    land = np.array([[True, False], [True, True]])
    neighbours = LandNeighbours(land)
    assert neighbours.land is land and neighbours.count == 3


# --- sim/ground/validation.py: the experiments' set-up, with a recording stand-in model ---


class _RecordedModel:
    """Stands in for CivilViolenceLattice: records how an experiment drives it.

    ``run(n)`` returns ``n + 1`` active counts from ``active_of(steps_so_far, n)``; Model II's
    ``alive_by_group`` drops the second group to zero once ``extinct_after`` steps have run.
    """

    built: ClassVar[list[_RecordedModel]] = []

    @staticmethod
    def active_of(done: int, steps: int) -> npt.NDArray[np.int64]:
        """Active counts of a run of ``steps`` after ``done`` steps (here: nobody active)."""
        return np.zeros(steps + 1, np.int64)

    extinct_after: ClassVar[int | None] = None

    def __init__(self, spec: Any, streams: RandomStreams) -> None:
        self.spec, self.seed = spec, streams.seed_sequence.entropy
        self.runs: list[int] = []
        self.legitimacy: list[float] = []
        self.removed: list[int] = []
        self.steps = 0
        self.cop_site = np.arange(10)
        _RecordedModel.built.append(self)

    def run(self, steps: int) -> SimpleNamespace:
        active = type(self).active_of(self.steps, steps)
        self.runs.append(steps)
        self.steps += steps
        return SimpleNamespace(active=active, activations=np.where(active > 50, 10, 0))

    def step(self) -> None:
        self.steps += 1

    def set_legitimacy(self, value: float) -> None:
        self.legitimacy.append(value)

    def remove_cops(self, count: int) -> None:
        self.removed.append(count)

    @property
    def alive_by_group(self) -> npt.NDArray[np.int64]:
        # 5 and 4 alive, then the second group is gone (never exactly 1 alive: min()==0 decides)
        gone = self.extinct_after is not None and self.steps >= self.extinct_after
        return np.array([4, 0] if gone else [5, 4])


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> type[_RecordedModel]:
    monkeypatch.setattr(_RecordedModel, "built", [])
    monkeypatch.setattr(_RecordedModel, "extinct_after", None)
    monkeypatch.setattr(_RecordedModel, "active_of", _RecordedModel.active_of)
    monkeypatch.setattr(validation, "CivilViolenceLattice", _RecordedModel)
    return _RecordedModel


def test_punctuated_runs_1000_steps_of_the_given_schedule_after_a_burn_in_of_50(
    recorded: type[_RecordedModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    def active(done: int, steps: int) -> npt.NDArray[np.int64]:
        # quiet until step 50, then 60 actives at steps 51-53: an outburst that starts right
        # after the 50-step burn-in (a burn-in of 51 would see it under way and drop it)
        series = np.zeros(steps + 1, np.int64)
        series[51:54] = 60
        return series

    monkeypatch.setattr(recorded, "active_of", staticmethod(active))
    stats, first = validation.punctuated(
        "round", "moore", range(2, 4), activation="random_sequential"
    )
    assert [m.runs for m in recorded.built] == [[1000], [1000]]
    assert [m.seed for m in recorded.built] == [2, 3]
    assert recorded.built[0].spec.activation == "random_sequential"
    assert stats.count == 2 and stats.sizes.tolist() == [30, 30]  # 3 steps x 10 turns, per run
    assert first.active[52] == 60


def test_legitimacy_experiment_settles_50_steps_then_ramps_down_over_300(
    recorded: type[_RecordedModel],
) -> None:
    result = validation.legitimacy_experiment("floor", range(7, 8), size=20)
    sudden, gradual = recorded.built
    assert (sudden.spec.width.value, sudden.spec.height.value) == (20, 20)
    assert sudden.spec.max_jail_term.value == 1000 and sudden.seed == gradual.seed == 7
    assert sudden.runs == [50, 200] and sudden.legitimacy == [0.7]
    assert gradual.runs == [50, 200] and gradual.steps == 50 + 300 + 200
    # step k of 300 (k = 1..300) sets 0.9 - 0.3 k / 300: 0.899 first, 0.6 last
    ramp = gradual.legitimacy
    assert len(ramp) == 300
    assert ramp[0] == pytest.approx(0.899) and ramp[1] == pytest.approx(0.898)
    assert ramp[-1] == pytest.approx(0.6)
    assert result == validation.LegitimacyResult([0], [0])
    validation.legitimacy_experiment("floor", range(1))
    assert recorded.built[-1].spec.width.value == 40


def test_cop_removal_averages_the_last_150_of_200_steps_per_stage(
    recorded: type[_RecordedModel], monkeypatch: pytest.MonkeyPatch
) -> None:
    def active(done: int, steps: int) -> npt.NDArray[np.int64]:
        # 201 counts: 90 for the first 51, then the stage number x 10 for the last 150, so the
        # mean over the last 150 is exactly 10 x stage (a window of 151 would take in a 90)
        series = np.full(steps + 1, 90, np.int64)
        series[-150:] = 10 * (done // 200)
        return series

    monkeypatch.setattr(recorded, "active_of", staticmethod(active))
    means = validation.cop_removal("round", range(4, 6))
    assert means == {f"cops_{100 - 20 * k}pct": 10.0 * k for k in range(6)}
    model = recorded.built[0]
    assert model.seed == 4 and model.runs == [200] * 6
    assert model.removed == [2] * 5  # 10 cop sites // 5 stages


def test_extinction_time_is_the_first_step_with_an_empty_group(
    recorded: type[_RecordedModel],
) -> None:
    recorded.extinct_after = 3
    assert validation.extinction_times(0.01, range(3, 4), cap=5) == [3]
    model = recorded.built[0]
    assert model.seed == 3 and model.spec.width.value == 40
    recorded.extinct_after = None  # nobody wiped out: all 5 steps run, then None
    assert validation.extinction_times(0.01, range(1), cap=5, size=20) == [None]
    assert recorded.built[-1].steps == 5 and recorded.built[-1].spec.width.value == 20
    validation.extinction_times(0.01, range(1))
    assert recorded.built[-1].steps == 1500


def test_report_punctuated_plots_von_neumann_runs_with_the_first_seed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = outburst_stats(np.zeros(3), np.zeros(3))
    monkeypatch.setattr(validation, "punctuated", lambda *args: (empty, None))
    plots: list[tuple[str, str]] = []
    monkeypatch.setattr(
        validation, "_plot_series", lambda run, title, path: plots.append((title, path.name))
    )
    validation.report_punctuated(range(3, 5), 100)
    assert plots == [
        (f"Run 2, {rule} rule, {activation} (seed 3)", f"run2_{rule}{suffix}.png")
        for activation, suffix in (("synchronous", ""), ("random_sequential", "_sequential"))
        for rule in validation.RULES
    ]
    assert "| synchronous | floor | von_neumann | 0 | n/a |" in capsys.readouterr().out


def test_validation_script_prints_every_finding(
    recorded: type[_RecordedModel],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    calls: list[tuple[str, Any, Any]] = []
    times = {0.0: [10, None, 20], 0.01: [7], 0.02: [None]}
    monkeypatch.setattr(validation, "FIGURES", tmp_path / "figures" / "ground")

    def legitimacy(rule: str, seeds: range) -> validation.LegitimacyResult:
        calls.append(("l", rule, seeds))
        return validation.LegitimacyResult([1], [2])

    def cops(rule: str, seeds: range) -> dict[str, float]:
        calls.append(("c", rule, seeds))
        return {"a": 1}

    monkeypatch.setattr(validation, "report_punctuated", lambda s, n: calls.append(("p", s, n)))
    monkeypatch.setattr(validation, "legitimacy_experiment", legitimacy)
    monkeypatch.setattr(validation, "cop_removal", cops)
    monkeypatch.setattr(
        validation,
        "extinction_times",
        lambda density, seeds: times.get(density, [None] * len(seeds)),
    )
    validation.main([])
    validation.main(["--seeds", "2", "--steps", "30"])  # again: the figure folder exists now
    assert (tmp_path / "figures" / "ground").is_dir()
    seeds = range(10)
    assert calls[:7] == [
        ("p", seeds, 1000),
        *[("l", rule, seeds) for rule in validation.RULES],
        *[("c", rule, seeds) for rule in validation.RULES],
    ]
    assert calls[7] == ("p", range(2), 30)
    out = capsys.readouterr().out.split("\n")
    assert out[:2] == ["## Punctuated equilibrium (Run 2, 10 seeds x 1000 steps)", ""]
    legitimacy_heading = "## Legitimacy: sudden drop 0.9->0.7 vs gradual 0.9->0.6 over 300 steps"
    assert out[2:5] == ["", f"{legitimacy_heading} (peak actives)", ""]
    assert out[5] == "- floor: sudden [1]; gradual [2]"
    cops_heading = "## Removing cops (cop density 0.074, L 0.82; mean actives per stage)"
    assert out[8:12] == ["", cops_heading, "", "- floor: {'a': 1}"]
    wiped = "## Model II: steps until one group is wiped out (None: not by step 1500)"
    assert out[14:17] == ["", wiped, ""]
    # 10 and 20: mean 15, sd sqrt(((10-15)^2 + (20-15)^2) / 1) = 7.07 -> 7; one time: sd 0
    assert out[17] == "- peacekeepers 0.0: [10, None, 20] (2/3 wiped out; mean 15, sd 7)"
    assert out[18] == "- peacekeepers 0.01: [7] (1/1 wiped out; mean 7, sd 0)"
    assert out[19] == "- peacekeepers 0.02: [None] (0/1 wiped out; )"


def test_validation_help_explains_its_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        validation.main(["--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "Replicate the published findings of Epstein (2002)" in text
    for phrase in ("replications per experiment", "steps per Run 2 replication"):
        # bounded by non-word characters: a help text with anything glued on does not match
        assert re.search(rf"(?<!\w){re.escape(phrase)}(?!\w)", text), phrase
