"""The steppable API and the tidy tables it records."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from bargaining_helpers import SMALL_ACTORS, small_spec_data

from sim.bargaining import BargainingEngine, RoundRecord
from sim.scenario.bargaining import BargainingSpec


def test_step_returns_a_round_record(make_engine) -> None:
    engine = make_engine(seed=1)
    record = engine.step()
    assert isinstance(record, RoundRecord)
    assert record.round == 1 == engine.turn
    assert record.positions.shape == (7, 3)
    np.testing.assert_array_equal(record.positions, engine.positions)
    assert record.challenges > 0
    assert set(record.movers) <= set(engine.actors)
    assert record.forecast == engine.forecast()
    assert record.movement > 0.0


def test_run_stops_at_the_round_cap(make_engine) -> None:
    engine = make_engine(seed=1)
    engine.run(max_rounds=2)
    assert engine.turn == 2
    assert not engine.converged


def test_stepping_equals_running(make_engine) -> None:
    stepped = make_engine(seed=6)
    while not stepped.converged:
        stepped.step()
    ran = make_engine(seed=6)
    ran.run()
    assert stepped.turn == ran.turn
    pd.testing.assert_frame_equal(stepped.history.positions, ran.history.positions)


def test_baseline_is_the_capability_salience_weighted_mean(make_engine) -> None:
    engine = make_engine(seed=8)
    cap, pos, sal = engine.capability, engine.positions, engine.salience
    weights = cap[:, None] * sal
    expected = (weights * pos).sum(axis=0) / weights.sum(axis=0)
    engine.run()
    assert list(engine.baseline().values()) == pytest.approx(list(expected))
    forecast = engine.history.forecast
    assert (forecast.groupby("dimension")["baseline"].nunique() == 1).all()


def test_forecast_is_the_capability_weighted_mean_of_the_state(make_engine) -> None:
    engine = make_engine(seed=8)
    engine.run()
    cap = engine.capability
    expected = cap @ engine.positions / cap.sum()
    assert list(engine.forecast().values()) == pytest.approx(list(expected))


def test_tables_are_tidy_and_consistent(make_engine) -> None:
    engine = make_engine(seed=3)
    engine.run()
    h = engine.history
    assert list(h.positions.columns) == ["round", "actor", "dimension", "position"]
    assert len(h.positions) == h.rounds * 7 * 3
    wins = h.win_probability
    sums = wins.drop_duplicates(["round", "group"]).groupby("round")["win_probability"].sum()
    assert sums.to_numpy() == pytest.approx(np.ones(h.rounds))
    assert set(h.risk["round"]) == set(range(h.rounds))
    power = h.effective_power
    assert power["effective_power"].to_numpy() == pytest.approx(
        (power["capability"] * power["salience"] / 100.0).to_numpy()
    )
    challenges = h.challenges
    assert challenges["p"].between(0.0, 1.0).all()
    assert (challenges["initiator"] != challenges["target"]).all()
    assert (challenges["initiator_gain"] > 1e-5).all()


def test_moves_explain_every_change_of_position(make_engine) -> None:
    engine = make_engine(seed=3)
    engine.run()
    h = engine.history
    wide = h.positions.pivot_table(index=["round", "actor"], columns="dimension", values="position")
    moved = wide.groupby(level="actor").diff().abs().sum(axis=1) > 1e-9
    moves = h.moves.set_index(["round", "actor"])
    changed = moved[moved].index
    assert len(changed) > 0
    assert (moves.loc[changed, "bargain"] != "status_quo").all()
    assert (moves.query("bargain == 'status_quo'")["distance"] == 0.0).all()
    # Each bargain that moved an actor was a challenge made that round.
    took = h.moves.query("role != 'none'")
    pairs = set(
        zip(
            h.challenges["round"],
            h.challenges["initiator"] + "->" + h.challenges["target"],
            strict=True,
        )
    )
    assert set(zip(took["round"], took["bargain"], strict=True)) <= pairs


def test_light_mode_skips_heavy_tables(make_engine) -> None:
    engine = make_engine(seed=3, record="light")
    engine.run()
    h = engine.history
    assert len(h.positions) == h.rounds * 21
    assert len(h.forecast) == h.rounds * 3
    assert h.challenges.empty and h.moves.empty and h.win_probability.empty


def test_from_spec_keeps_actor_and_dimension_order() -> None:
    spec = BargainingSpec.model_validate(small_spec_data())
    engine = BargainingEngine.from_spec(spec)
    assert engine.actors == list(SMALL_ACTORS)
    assert engine.dimensions == ["troops", "mandate"]
    assert engine.positions[1].tolist() == [0.0, 90.0]
    assert engine.salience[2].tolist() == [70.0, 20.0]


def test_accommodation_from_spec_moves_ideals() -> None:
    data = small_spec_data()
    data["accommodation"] = {
        "egypt": {
            "egypt": {"value": 0.5, "assumption": [0, 1]},
            "us": {"value": 0.5, "assumption": [0, 1]},
        }
    }
    spec = BargainingSpec.model_validate(data)
    engine = BargainingEngine.from_spec(spec)
    plain = BargainingEngine.from_spec(BargainingSpec.model_validate(small_spec_data()))
    engine.run()
    plain.run()
    assert engine.forecast() != plain.forecast()


def test_write_tables(tmp_path, make_engine) -> None:
    engine = make_engine(seed=3)
    engine.run()
    written = engine.history.write(tmp_path, ("csv", "parquet"))
    assert len(written) == 18
    back = pd.read_parquet(tmp_path / "positions.parquet")
    pd.testing.assert_frame_equal(back, engine.history.positions, check_dtype=False)
    with pytest.raises(ValueError, match="unknown format"):
        engine.history.write(tmp_path, ("xlsx",))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"capability": [1.0, -1.0]}, "capability values"),
        ({"position": [[10.0], [101.0]]}, "position values"),
        ({"salience": [[60.0], [np.nan]]}, "NaN"),
        ({"position": [[10.0, 1.0], [5.0, 1.0]]}, "shape"),
        ({"actors": ["a", "a"]}, "appears twice"),
        ({"accommodation": [[0.8, 0.4], [0.0, 1.0]]}, "sum to <= 1"),
    ],
)
def test_bad_arrays_are_refused(kwargs: dict, message: str) -> None:
    args = {
        "actors": ["a", "b"],
        "dimensions": ["d"],
        "capability": [1.0, 2.0],
        "position": [[10.0], [90.0]],
        "salience": [[60.0], [50.0]],
    }
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        BargainingEngine(**args)


def test_salience_row_sum_is_checked() -> None:
    with pytest.raises(ValueError, match="sum to 120"):
        BargainingEngine(["a", "b"], ["d", "e"], [1, 1], [[1, 2], [3, 4]], [[60, 60], [10, 10]])
