import gc
import io
import weakref

import numpy as np
import pytest

from sim.ground.geometry import StripGeometry
from sim.ground.interfaces import Controller, ForceCategory, GroundReport, SecurityPresence
from sim.ground.model import GroundModel
from sim.ground.render import render_map
from sim.rng import RandomStreams
from sim.scenario.ground import GroundSpec


def _spec(**changes):
    data = GroundSpec().model_dump(exclude_none=True)
    for dotted, value in changes.items():
        *path, last = dotted.split(".")
        target = data
        for key in path:
            target = target[key]
        target[last] = {"value": value, "assumption": [value, value]}
    return GroundSpec.model_validate(data)


@pytest.mark.parametrize("cell_km", [1.0, 0.5])
def test_geometry_matches_the_reported_strip(cell_km):
    spec = _spec(**{"strip.cell_km": cell_km})
    geometry = StripGeometry.from_spec(spec)
    assert geometry.land_area_km2 == pytest.approx(365, rel=0.02)
    assert geometry.shape[0] * cell_km == pytest.approx(41, abs=cell_km)
    assert geometry.row_width_km.min() >= 6 and geometry.row_width_km.max() <= 12.5
    assert geometry.idf_share() == pytest.approx(0.55, abs=0.03)
    row_area = geometry.row_width_km.max() * cell_km
    for index, gid in enumerate(geometry.governorate_ids):
        area = (geometry.governorate == index).sum() * geometry.cell_area_km2
        assert area == pytest.approx(spec.governorates[gid].area_km2.value, abs=row_area)


def test_governorates_run_south_to_north_and_crossings_sit_where_reported():
    geometry = StripGeometry.from_spec(GroundSpec())
    assert geometry.governorate_ids[0] == "rafah" and geometry.governorate_ids[-1] == "north_gaza"
    rows = geometry.shape[0]
    kerem, zikim = geometry.crossing_cells["kerem_shalom"], geometry.crossing_cells["zikim"]
    assert kerem[0] < rows * 0.1 and geometry.east_of_line[kerem]
    assert zikim[0] > rows * 0.9 and not geometry.east_of_line[zikim]
    assert geometry.crossing_cells["kissufim"][0] == pytest.approx(rows / 2, abs=rows * 0.1)


def test_yellow_line_share_is_a_parameter():
    assert StripGeometry.from_spec(_spec(yellow_line_share=0.15)).idf_share() < 0.2


def test_people_crowd_west_of_the_line_at_the_reported_density():
    ground = GroundModel(seed=0).ground
    population = ground.field("population")
    geometry = ground.geometry
    assert population.sum() == pytest.approx(2.1e6)
    density = population[geometry.west_of_line].sum() / (
        geometry.west_of_line.sum() * geometry.cell_area_km2
    )
    assert density == pytest.approx(12_000, rel=0.1)
    assert population[geometry.east_of_line].sum() < 0.05 * population.sum()


def test_baseline_controllers_follow_the_yellow_line():
    ground = GroundModel(seed=0).ground
    geometry = ground.geometry
    assert (ground.controller[geometry.east_of_line] == Controller.IDF).all()
    assert (ground.controller[geometry.west_of_line] == Controller.HAMAS).all()


def _isf_everywhere_west(ground, category, personnel_per_cell):
    presence = ground.baseline_presence()
    personnel = dict(presence.personnel)
    west = ground.geometry.west_of_line
    personnel[ForceCategory.HAMAS] = np.zeros(ground.geometry.shape)
    personnel[category] = np.where(west, personnel_per_cell, 0.0)
    return SecurityPresence(personnel)


def test_security_presence_sets_controller_and_legitimacy():
    ground = GroundModel(seed=0).ground
    ground.set_security(_isf_everywhere_west(ground, ForceCategory.ISF_HAMAS_CHANNEL, 50.0))
    west = ground.geometry.west_of_line
    assert (ground.controller[west] == Controller.ISF).all()
    expected = ground.spec.legitimacy.isf_hamas_channel.value
    np.testing.assert_allclose(ground.field("legitimacy")[west], expected)
    with pytest.raises(ValueError, match="shape"):
        ground.set_security(SecurityPresence({ForceCategory.IDF: np.zeros((3, 3))}))


def _actives_after(days, spec=None, presence_for=None, seed=3):
    model = GroundModel(spec, seed=seed)
    if presence_for is not None:
        model.ground.set_security(presence_for(model.ground))
    model.run(days)
    return model


def test_more_legitimate_force_means_less_grievance_and_fewer_actives():
    low = _actives_after(
        30, presence_for=lambda g: _isf_everywhere_west(g, ForceCategory.ISF_OTHER, 60.0)
    )
    high = _actives_after(
        30, presence_for=lambda g: _isf_everywhere_west(g, ForceCategory.ISF_HAMAS_CHANNEL, 60.0)
    )
    assert high.history[-1]["grievance"] < low.history[-1]["grievance"]
    assert high.history[-1]["actives"] < 0.8 * low.history[-1]["actives"]


def test_fewer_security_forces_deter_less():
    many = _actives_after(
        20, presence_for=lambda g: _isf_everywhere_west(g, ForceCategory.POLICE, 100.0)
    )
    few = _actives_after(
        20, presence_for=lambda g: _isf_everywhere_west(g, ForceCategory.POLICE, 2.0)
    )
    assert few.history[-1]["actives"] > 1.2 * many.history[-1]["actives"]


def test_aid_shortfall_raises_grievance_and_recruitment():
    fed = _actives_after(60, spec=_spec(**{"baseline.aid_coverage": 1.2}))
    hungry = _actives_after(60, spec=_spec(**{"baseline.aid_coverage": 0.2}))
    assert hungry.history[-1]["grievance"] > fed.history[-1]["grievance"] + 0.02
    assert sum(r["recruits"] for r in hungry.history) > sum(r["recruits"] for r in fed.history)


def test_people_flee_a_cell_under_fire():
    model = GroundModel(seed=0)
    ground = model.ground
    west = np.argwhere(ground.geometry.west_of_line)
    target = tuple(west[len(west) // 2])
    before = ground.field("population")[target]
    for _ in range(10):
        casualties = np.zeros(ground.geometry.shape)
        casualties[target] = 30.0
        ground.add_harm(casualties)
        model.step()
    assert ground.field("population")[target] < 0.8 * before
    assert ground.field("population").sum() == pytest.approx(2.1e6)


def test_report_is_a_copy_with_consistent_totals():
    model = GroundModel(seed=0)
    model.run(3)
    report = model.ground.report()
    assert isinstance(report, GroundReport) and report.day == 3
    report.population[...] = 0.0
    assert model.ground.field("population").sum() > 0
    assert model.ground.totals()["actives"] == pytest.approx(report.totals()["actives"])


def test_same_seed_gives_bit_identical_ground_runs():
    first, second = GroundModel(seed=9), GroundModel(seed=9)
    first.run(40)
    second.run(40)
    for name in ("population", "actives", "armed", "detained", "displaced"):
        np.testing.assert_array_equal(first.ground.field(name), second.ground.field(name))
    third = GroundModel(seed=10)
    third.run(40)
    assert not np.array_equal(first.ground.field("armed"), third.ground.field("armed"))


def test_changing_recruitment_leaves_other_streams_untouched():
    base = GroundModel(seed=2)
    keen = GroundModel(_spec(**{"recruitment.daily_rate": 0.002}), seed=2)
    harm_base, harm_keen, recruits = [], [], []
    for _ in range(20):
        base.step()
        keen.step()
        harm_base.append(base.ground.field("harm").copy())
        harm_keen.append(keen.ground.field("harm").copy())
        recruits.append((base.history[-1]["recruits"], keen.history[-1]["recruits"]))
    np.testing.assert_array_equal(np.array(harm_base), np.array(harm_keen))
    assert sum(k for _, k in recruits) > 3 * sum(b for b, _ in recruits)


def test_streams_are_shared_with_the_caller():
    streams = RandomStreams(4)
    model = GroundModel(streams=streams)
    assert model.ground.streams is streams


def test_ground_model_is_garbage_collected_after_a_run():
    model = GroundModel(seed=1)
    model.run(5)
    reference = weakref.ref(model)
    del model
    gc.collect()
    assert reference() is None


def test_render_map_writes_png_and_rejects_unknown_fields(tmp_path):
    model = GroundModel(seed=1)
    model.run(2)
    buffer = io.BytesIO()
    render_map(model, "controller", buffer, day=2)
    assert buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    path = tmp_path / "grievance.png"
    render_map(model.ground, "grievance", str(path))
    assert path.stat().st_size > 5_000
    with pytest.raises(ValueError, match="unknown field"):
        render_map(model, "happiness", buffer)


def test_a_dropped_layer_leaves_no_cell_class_registered_nor_its_arrays() -> None:
    # Mesa registers each grid's cell class with copyreg for good; the class's property
    # accessors hold the layers' arrays (~85 KB a model before the layer dropped the entry)
    import copyreg
    import tracemalloc

    def registered() -> int:
        return sum(
            1 for cls in copyreg.dispatch_table if getattr(cls, "__name__", "") == "GridCell"
        )

    assert GroundModel(seed=0).ground.grid is not None  # the grid is built when asked for
    gc.collect()
    gc.collect()
    before = registered()
    unasked = GroundModel(seed=1)
    assert registered() == before  # no grid asked for, none built, no class registered
    del unasked
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        for seed in range(30):
            assert GroundModel(seed=seed).ground.grid.cell_klass in copyreg.dispatch_table
        gc.collect()
        gc.collect()  # the entries go at the first collection, the classes at the second
        grown = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert registered() <= before
    assert grown < 500_000  # bytes, for 30 models (~2.5 MB when they were kept)
