"""Generators held for compiled kernels draw what the Generators draw; the fused ground day."""

from __future__ import annotations

import pickle
from copy import deepcopy
from typing import Any

import numpy as np
import numpy.typing as npt
from numba import njit

from sim.ground import kernels
from sim.ground.interfaces import ForceCategory
from sim.ground.layer import DAY_ORDER, FLOAT_LAYERS, GroundLayer
from sim.ground.model import GroundModel
from sim.ground.streams import HeldStream, hold
from sim.model import violence_kernels
from sim.rng import RandomStreams

SHAPE = (5, 4)


def _recruit_fields(seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    grievance, population, detained = (rng.uniform(0.0, 1.0, SHAPE) for _ in range(3))
    return [grievance, population * 500, detained * 10, np.zeros(SHAPE), np.zeros(SHAPE)]


def _recruit(stream: object, fields: list[np.ndarray]) -> None:
    parameters = np.zeros(kernels.PARAMETER_COUNT)
    parameters[kernels.RECRUIT_RATE] = 0.01
    land = np.ones(SHAPE, dtype=bool)
    kernels.recruit_day(parameters, stream, land, np.array([0.5, 1.5]), *fields)


def test_a_held_generator_makes_the_generators_own_draws_and_moves_it_along() -> None:
    direct, through_hold = np.random.default_rng(11), np.random.default_rng(11)
    held = hold(through_hold)
    assert isinstance(held, HeldStream)
    fields_direct, fields_held = _recruit_fields(2), _recruit_fields(2)
    for _ in range(3):
        _recruit(direct, fields_direct)
        _recruit(held, fields_held)
    np.testing.assert_array_equal(fields_held[3], fields_direct[3])
    assert fields_held[3].sum() > 0  # people joined: draws were made
    # The held record moved the Generator itself: its next draw is the direct one's next draw.
    assert through_hold.random() == direct.random()


def test_a_held_generator_draws_uniforms_for_placement_as_the_generator_does() -> None:
    weights = np.linspace(0.0, 1.0, 30)
    out_direct, out_held = np.zeros(30), np.zeros(30)
    violence_kernels.scatter_into(np.random.default_rng(4), weights, 50, out_direct)
    violence_kernels.scatter_into(hold(np.random.default_rng(4)), weights, 50, out_held)
    np.testing.assert_array_equal(out_held, out_direct)
    assert out_held.sum() == 50


class MeanDraws:
    """A stand-in stream: a Poisson draw returns its mean."""

    def poisson(self, lam: Any) -> npt.NDArray[np.float64]:
        return np.asarray(lam, dtype=float).copy()


class StandInStreams(RandomStreams):
    def __getitem__(self, name: str) -> np.random.Generator:
        return MeanDraws()  # type: ignore[return-value]


def test_bind_hands_compiled_kernels_a_held_stream_built_once_and_stand_ins_the_source() -> None:
    streams = RandomStreams(3)
    kernel, stream = kernels.bind(kernels.recruit_day, streams, "ground.recruit")
    assert kernel is kernels.recruit_day and isinstance(stream, HeldStream)
    assert kernels.bind(kernels.recruit_day, streams, "ground.recruit")[1] is stream
    assert kernels.bind(kernels.recruit_day, streams, "ground.arrest")[1] is not stream

    kernel, stream = kernels.bind(kernels.recruit_day, StandInStreams(3), "ground.recruit")
    assert kernel is kernels.recruit_day.py_func and isinstance(stream, MeanDraws)
    # The Python source takes the stand-in: each cell's joiners are their expected number.
    grievance, population, detained, recruits, armed = _recruit_fields(5)
    parameters = np.zeros(kernels.PARAMETER_COUNT)
    parameters[kernels.RECRUIT_RATE] = 0.01
    land, one_cohort = np.ones(SHAPE, dtype=bool), np.array([1.0])
    kernel(parameters, stream, land, one_cohort, grievance, population, detained, recruits, armed)
    free = np.floor(np.maximum(population - detained, 0.0))
    np.testing.assert_allclose(recruits, free * np.minimum(0.01 * grievance, 1.0))
    assert recruits.sum() > 0


def test_a_held_generator_draws_from_python_too() -> None:
    generator = np.random.default_rng(8)
    held = hold(generator)
    assert isinstance(held, HeldStream) and held.generator is generator
    expected = np.random.default_rng(8)
    assert held.poisson(3.0) == expected.poisson(3.0)
    np.testing.assert_array_equal(held.random(4), expected.random(4))


def test_hold_passes_anything_but_a_generator_through() -> None:
    stand_in = MeanDraws()
    assert hold(stand_in) is stand_in


def _busy_layer(seed: int) -> GroundLayer:
    """A layer with forces on the ground and harm coming in, so every sub-step has work."""
    ground = GroundModel(seed=seed).ground
    presence = ground.baseline_presence()
    presence.personnel[ForceCategory.ISF_OTHER][20:26, 3:9] = 400.0
    ground.set_security(presence)
    return ground


def test_the_layers_one_call_day_is_its_sub_steps_in_order_bit_for_bit() -> None:
    fused, stepped = _busy_layer(4), _busy_layer(4)
    for day in range(12):
        harm = np.full(fused.geometry.shape, 0.5 * day)
        for ground in (fused, stepped):
            ground.add_harm(harm, killed=harm / 10)
        fused.step()
        stepped.day += 1
        for sub_step in DAY_ORDER:
            getattr(stepped, sub_step)()
    for name in FLOAT_LAYERS:
        np.testing.assert_array_equal(fused.field(name), stepped.field(name), err_msg=name)
    assert fused.field("recruits").sum() > 0 and fused.field("detained").sum() > 0
    for stream in ("ground.arrest", "ground.recruit"):  # the streams stand at the same draw
        assert fused.streams[stream].random() == stepped.streams[stream].random()


def test_a_held_generator_draws_binomials_from_python_as_the_generator_does() -> None:
    held, direct = hold(np.random.default_rng(9)), np.random.default_rng(9)
    assert isinstance(held, HeldStream)
    assert [held.binomial(20, 0.3) for _ in range(5)] == [
        direct.binomial(20, 0.3) for _ in range(5)
    ]


def test_copies_and_pickles_of_the_streams_prepare_their_own_held_records() -> None:
    streams = RandomStreams(21)
    original = streams.prepared("ground.arrest", hold)
    assert isinstance(original, HeldStream)
    copies = (deepcopy(streams), pickle.loads(pickle.dumps(streams)))
    first_draw = deepcopy(streams["ground.arrest"]).poisson(4.0, size=3)
    for copy in copies:
        held = copy.prepared("ground.arrest", hold)
        assert isinstance(held, HeldStream) and held is not original
        assert held.generator is copy["ground.arrest"]  # the copy's own Generator
        np.testing.assert_array_equal([held.poisson(4.0) for _ in range(3)], first_draw)
    # the copies' draws left the original where it was
    np.testing.assert_array_equal([original.poisson(4.0) for _ in range(3)], first_draw)


@njit
def _uniform(rng: Any) -> float:  # pragma: no cover
    return rng.random()


def test_compiled_code_draws_a_single_uniform_from_a_held_stream() -> None:
    assert _uniform(hold(np.random.default_rng(6))) == np.random.default_rng(6).random()
