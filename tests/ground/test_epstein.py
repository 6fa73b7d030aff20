"""Epstein (2002) findings as statistical tests over fixed seeds.

Tolerances come from replications with ``sim.ground.validation`` (10 seeds x 1000 steps; see
docs/validation.md); the tests run shorter and on fewer seeds, so bands are several standard
errors wide.
"""

import numpy as np
import pytest

from sim.ground.epstein import CivilViolenceLattice
from sim.ground.lattice import TorusLattice, arrest_probability, vision_offsets
from sim.ground.outbursts import outburst_stats, pool
from sim.ground.validation import extinction_times, legitimacy_experiment, run2_spec
from sim.rng import RandomStreams
from sim.scenario.ground import EpsteinSpec


def test_vision_shapes_match_their_definitions():
    assert vision_offsets(7, "von_neumann")[0].size == 2 * 7 * 8
    assert vision_offsets(7, "moore")[0].size == 15 * 15 - 1
    dy, dx = vision_offsets(3, "circle")
    assert ((dy**2 + dx**2) <= 9).all() and dy.size == 28


def test_scattered_counts_equal_brute_force_counts():
    rng = np.random.default_rng(0)
    lattice = TorusLattice(17, 20, 4, "von_neumann")
    field = (rng.random(17 * 20) < 0.3).astype(float)
    counts = lattice.count_within_vision(field[None, :])[0]
    brute = field[lattice.neighbours].sum(axis=1)
    np.testing.assert_array_equal(counts, brute)


def test_ratio_rules_differ_as_documented():
    cops, actives = np.array([3.0, 1.0]), np.array([2.0, 3.0])
    literal = arrest_probability(cops, actives, 2.3, "literal")
    assert literal[0] == pytest.approx(1 - np.exp(-2.3 * 1.5))
    assert arrest_probability(cops, actives, 2.3, "floor")[1] == 0.0
    assert arrest_probability(cops, actives, 2.3, "round")[0] == pytest.approx(1 - np.exp(-4.6))


def test_arrests_take_actives_within_a_cops_vision_and_none_twice():
    rng = np.random.default_rng(1)
    model = CivilViolenceLattice(run2_spec("floor", cop_density=0.08), RandomStreams(1))
    model.active[:] = rng.random(model.n_citizens) < 0.3
    before = model.citizen_site.copy()
    model._arrest()
    arrested = np.flatnonzero(model.jailed)
    assert 0 < arrested.size <= model.cop_site.size
    assert model.active[arrested].sum() == 0 and (model.citizen_site[arrested] == -1).all()
    # every arrested citizen was active and stood within vision of some cop
    for citizen in arrested:
        assert before[citizen] == model.last_site[citizen]
        assert np.isin(before[citizen], model.cop_lattice.neighbours[model.cop_site]).any()
    # a cop who made no arrest saw no active: only cops who arrested may still see one
    at_large = model.citizen_site[model.active & model.free]
    assert at_large.size > 0
    seeing = np.isin(model.cop_lattice.neighbours[model.cop_site], at_large).any(axis=1)
    assert seeing.sum() <= arrested.size


def test_moves_go_to_distinct_empty_sites():
    model = CivilViolenceLattice(EpsteinSpec(), RandomStreams(2))
    occupied = model.occupied.copy()
    citizens, cops = model.citizen_site.copy(), model.cop_site.copy()
    model._move()
    moved = np.concatenate((citizens != model.citizen_site, cops != model.cop_site))
    new = np.concatenate((model.citizen_site, model.cop_site))[moved]
    assert moved.sum() > 0.5 * (~occupied).sum()
    assert not occupied[new].any()  # to sites empty at the start of the move
    assert np.unique(new).size == new.size
    old = np.concatenate((citizens, cops))[moved]
    for start, end in zip(old, new, strict=True):
        assert end in model.lattice.neighbours[start]


def _outbursts(rule, seeds=range(3), steps=600):
    found = []
    for seed in seeds:
        run = CivilViolenceLattice(run2_spec(rule), RandomStreams(seed)).run(steps)
        found.append(outburst_stats(run.active, run.activations, burn_in=50))
    return pool(found)


def test_floor_rule_gives_punctuated_outbursts_and_literal_rule_none():
    floor = _outbursts("floor")
    assert floor.count >= 20
    # Replications (10 x 1000 steps): waits ~31 +/- 19, sizes ~240 +/- 130 activations.
    assert 18 <= floor.summary()["wait_mean"] <= 50
    assert 150 <= floor.summary()["size_mean"] <= 350
    assert _outbursts("literal").count == 0


def test_sudden_legitimacy_drop_erupts_where_a_larger_gradual_decline_does_not():
    result = legitimacy_experiment("floor", range(2))
    assert min(result.sudden_peaks) > 200
    assert max(result.gradual_peaks) <= 50


def test_removing_cops_tips_the_population_into_rebellion():
    model = CivilViolenceLattice(run2_spec("floor", cop_density=0.074), RandomStreams(4))
    before = model.run(200).active[-150:].mean()
    model.remove_cops(int(model.cop_site.size * 0.8))
    after = model.run(200).active[-150:].mean()
    assert before < 20
    assert after > 10 * before + 100


def test_model_two_peacekeepers_delay_the_wiping_out_of_a_group():
    without = extinction_times(0.0, range(3), cap=300)
    assert all(t is not None and t < 100 for t in without)
    with_peacekeepers = extinction_times(0.02, range(3), cap=300)
    capped = [300 if t is None else t for t in with_peacekeepers]
    assert np.mean(capped) > 5 * np.mean(without)


def test_same_seed_gives_bit_identical_runs():
    spec = EpsteinSpec()
    first = CivilViolenceLattice(spec, RandomStreams(11))
    second = CivilViolenceLattice(spec, RandomStreams(11))
    run_a, run_b = first.run(60), second.run(60)
    np.testing.assert_array_equal(run_a.active, run_b.active)
    np.testing.assert_array_equal(first.citizen_site, second.citizen_site)
    np.testing.assert_array_equal(first.cop_site, second.cop_site)
    other = CivilViolenceLattice(spec, RandomStreams(12)).run(60)
    assert not np.array_equal(run_a.active, other.active)


def test_switching_movement_off_does_not_reshuffle_placement_or_arrests():
    moving = CivilViolenceLattice(EpsteinSpec(), RandomStreams(5))
    still = CivilViolenceLattice(EpsteinSpec(movement=False), RandomStreams(5))
    np.testing.assert_array_equal(moving.hardship, still.hardship)
    np.testing.assert_array_equal(moving.citizen_site, still.citizen_site)
    moving.step()
    still.step()
    assert moving.jailed.any()
    np.testing.assert_array_equal(moving.jailed, still.jailed)
    np.testing.assert_array_equal(moving.jail_left, still.jail_left)
    assert not np.array_equal(moving.citizen_site, still.citizen_site)
