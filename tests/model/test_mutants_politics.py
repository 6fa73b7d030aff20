"""The political layer: details the full mutation run of the model found untested (part 3).

Each test runs :class:`~sim.model.politics.Politics` on the base scenario, or on decisions set by
hand (a stand-in engine), and checks a value derived in the comments, or a property that a
plausible one-line bug breaks: the levers' defaults, thresholds and sources (Hamas's position,
or the implemented disarmament when Hamas is not in the table), the caches of decisions and of
the outcome record, the round's cadence, log and reports, shocks for actors outside the table,
the decisions and positions tables, and the plain copy of the week's events in the log.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from sim.bargaining import Shock, ShockMode
from sim.bargaining.vetoes import Decision as Verdict
from sim.model.politics import (
    POSITION_COLUMNS,
    Levers,
    Politics,
    PositionSnapshot,
    WeekEvents,
    _plain,
    positions_frame,
    positions_of_result,
)
from tests.model.conftest import shipped


def _politics() -> Politics:
    return Politics(shipped("base.yaml"), np.random.default_rng(1))


def _verdict(dimension: str, deal: bool, outcome: float, status_quo: float = 0.0) -> Verdict:
    return Verdict(dimension, deal, outcome, outcome, status_quo, "deal" if deal else "no_deal")


def _levers_of(*decisions: Verdict) -> Levers:
    """The levers a political layer reads from the given decisions (no Hamas position)."""
    politics = _politics()
    politics.engine = SimpleNamespace(decisions=lambda: {d.dimension: d for d in decisions})  # type: ignore[assignment]
    politics._hamas_disarmament = None
    return politics._read_levers(np.zeros((0, 0)))


def test_levers_default_to_the_middle_of_missing_dimensions() -> None:
    # no dimension at all: every lever at 50 of 100; no mandate decision blocks robustness and
    # 50 reaches the robust threshold (50)
    levers = _levers_of()
    assert (levers.hamas_compliance, levers.mandate_level) == (0.5, 0.5)
    assert (levers.withdrawal_will, levers.governance_support) == (0.5, 0.5)
    assert levers.mandate_robust and levers.branches == {} and levers.dimensions == {}


def test_levers_read_the_implemented_outcomes() -> None:
    levers = _levers_of(
        _verdict("hamas_disarmament", True, 30.0),
        _verdict("mandate_robustness", True, 50.0),
        _verdict("idf_withdrawal", True, 20.0),
        _verdict("palestinian_governance", True, 70.0),
    )
    # without Hamas in the table, compliance is the implemented disarmament
    assert levers.hamas_compliance == pytest.approx(0.3)
    assert levers.mandate_level == 0.5 and levers.mandate_robust  # exactly at the threshold
    assert levers.withdrawal_will == pytest.approx(0.2)
    assert levers.governance_support == pytest.approx(0.7)
    assert not _levers_of(_verdict("mandate_robustness", True, 49.9)).mandate_robust


def test_a_mandate_without_a_deal_is_not_robust_whatever_its_level() -> None:
    # a status quo of 80 holds without a deal: the level reads 80, robustness needs the deal
    levers = _levers_of(_verdict("mandate_robustness", False, 80.0, status_quo=80.0))
    assert levers.mandate_level == pytest.approx(0.8) and not levers.mandate_robust


def test_hamas_compliance_is_its_own_position() -> None:
    politics = _politics()
    hamas = politics._actor_ids.index("hamas")
    disarmament = politics._dimension_ids.index("hamas_disarmament")
    position = float(politics.engine.positions[hamas, disarmament])
    assert 0.0 < position < 100.0
    assert politics.levers.hamas_compliance == pytest.approx(position / 100.0)


def test_without_hamas_in_the_table_compliance_is_the_implemented_disarmament() -> None:
    scenario = shipped("base.yaml")
    table = scenario.bargaining.model_dump(mode="json", exclude_none=True)
    del table["actors"]["hamas"], table["vetoes"]["hamas_red_line"]
    bargaining = type(scenario.bargaining).model_validate(table)
    politics = Politics(
        scenario.model_copy(update={"bargaining": bargaining}), np.random.default_rng(1)
    )
    assert politics._hamas_disarmament is None
    implemented = politics.engine.decisions()["hamas_disarmament"].outcome
    assert politics.levers.hamas_compliance == pytest.approx(implemented / 100.0)


def test_a_decision_is_translated_once_and_nan_status_quo_reads_the_outcome() -> None:
    politics = _politics()
    decision = next(iter(politics.engine.decisions().values()))
    assert politics._dimension_state(decision) is politics._dimension_state(decision)
    open_rule = _verdict("palestinian_governance", True, 56.0, status_quo=float("nan"))
    assert politics._dimension_state(open_rule).status_quo == 56.0  # no rule: no reversion
    closed = _verdict("idf_withdrawal", False, 0.0, status_quo=0.0)
    state = politics._dimension_state(closed)
    assert state.status_quo == 0.0 and state.reason == closed.label() and not state.deal
    agreed = _verdict("mandate_robustness", True, 63.0, status_quo=10.0)
    assert politics._dimension_state(agreed).status_quo == 10.0  # the rule's reversion point


def test_outcome_record_follows_the_levers() -> None:
    politics = _politics()
    first = politics.outcome_record()
    politics.levers = _levers_of(_verdict("idf_withdrawal", True, 42.0))
    second = politics.outcome_record()
    assert second == {"forecast_idf_withdrawal": 42.0, "deal_idf_withdrawal": True}
    assert second != first


def test_rounds_are_due_every_cadence_from_day_one() -> None:
    politics = _politics()
    politics.cadence = 1  # daily rounds
    assert [politics.due(day) for day in (0, 1, 2)] == [False, True, True]


def test_a_round_logs_the_week_and_hands_the_ground_reports_over() -> None:
    politics = _politics()
    week = WeekEvents(idf_deaths=2.0, idf_held_share=0.4, decommissioned_total_share=0.1)
    politics.play_round(7, week)
    # reports reach the engine's links in points (0-100)
    drivers = politics.engine.book._drivers
    assert drivers["idf_held_share"] == pytest.approx(40.0)
    assert drivers["decommissioned_total_share"] == pytest.approx(10.0)
    (entry,) = politics.log
    assert {"day", "round", "events", "shocks", "movers", "branches", "reasons"} <= set(entry)
    assert entry["day"] == 7 and entry["round"] == 1
    assert entry["events"]["idf_deaths"] == 2.0 and entry["events"]["idf_held_share"] == 0.4
    assert entry["branches"] == {d: s.state for d, s in politics.engine.decisions().items()}
    assert entry["reasons"] == {
        d: s.reason for d, s in politics.levers.dimensions.items() if s.reason
    }
    assert entry["reasons"] and isinstance(entry["movers"], list)


def test_ground_events_of_actors_outside_the_table_make_no_shock() -> None:
    politics = _politics()
    assert "kosovo" not in politics.actors
    week = WeekEvents(isf_deaths={"kosovo": 3.0, "egypt": 0.0})  # and none for zero deaths
    assert politics.shocks_for(week) == []


def test_decisions_table_has_a_row_per_round_and_dimension() -> None:
    politics = Politics(shipped("base.yaml"), np.random.default_rng(1))
    politics.play_round(7, WeekEvents())
    table = politics.decisions_table()
    assert list(table.columns) == [
        "day", "round", "dimension", "deal", "implemented", "bargained", "status_quo", "state",
        "reason", "vetoed_by",
    ]  # fmt: skip
    assert len(table) == 2 * 5  # the starting state and one round, five dimensions
    last = table[table["day"] == 7].set_index("dimension")
    for dim, decision in politics.engine.decisions().items():  # the round's decisions
        row = last.loc[dim]
        assert (bool(row["deal"]), row["implemented"], row["bargained"]) == (
            decision.deal, decision.outcome, decision.bargained,
        )  # fmt: skip
        assert (row["state"], row["reason"], row["vetoed_by"]) == (
            decision.state, decision.reason, ",".join(decision.vetoed_by),
        )  # fmt: skip
        assert row["status_quo"] == decision.status_quo or np.isnan(decision.status_quo)
    # two holders withholding consent are listed with a comma between them
    snapshot = politics._snapshots[-1]
    both = replace(snapshot.decisions[0], vetoed_by=("hamas", "israel"))
    politics._snapshots.append(replace(snapshot, day=14, decisions=(both,)))
    assert politics.decisions_table()["vetoed_by"].iloc[-1] == "hamas,israel"


def test_a_snapshot_is_its_own_positions_table() -> None:
    politics = Politics(shipped("base.yaml"), np.random.default_rng(1))
    snapshot: PositionSnapshot = politics._snapshots[0]
    frame = snapshot.frame()
    # one row per actor and dimension of the starting state
    assert len(frame) == len(snapshot.actors) * len(snapshot.dimensions)
    assert frame.equals(positions_frame([snapshot]))
    assert frame.equals(politics.positions_table())


def test_positions_table_of_nothing_has_the_columns() -> None:
    empty = positions_frame([])
    assert list(empty.columns) == POSITION_COLUMNS and empty.empty


def test_text_columns_use_pandas_default_string_dtype() -> None:
    table = _politics().positions_table()
    default = pd.Series(["hamas"]).dtype
    assert table["actor"].dtype == default and table["dimension"].dtype == default
    assert table["state"].dtype == default


def test_positions_of_a_result_from_its_table_or_its_log() -> None:
    politics = _politics()
    politics.play_round(7, WeekEvents())
    table = politics.positions_table()
    rounds = len(table[table["day"] == 7])
    assert positions_of_result(SimpleNamespace(positions=table)) is table
    log = pd.DataFrame(politics.log)
    rebuilt = positions_of_result(SimpleNamespace(politics=log))
    assert rebuilt is not None and len(rebuilt) == rounds
    for nothing in (
        SimpleNamespace(),
        SimpleNamespace(politics=None),
        SimpleNamespace(politics=pd.DataFrame({"day": [7]})),  # a log without positions
        SimpleNamespace(politics=log.iloc[:0]),  # an empty log
    ):
        assert positions_of_result(nothing) is None


@dataclass(frozen=True)
class _Note:
    text: str
    pair: tuple[int, int]


def test_the_logged_week_is_a_plain_copy() -> None:
    shock = Shock.position("israel", "idf_withdrawal", -1.0, mode=ShockMode.ADD, reason="x")
    week = WeekEvents(isf_deaths={"egypt": 1.0}, withdrawals=["egypt"], shocks=[shock])
    plain = _plain(week)
    assert plain == asdict(week)  # what dataclasses.asdict gives, in the same order
    assert isinstance(plain, dict) and isinstance(plain["shocks"][0], dict)
    assert plain["withdrawals"] is not week.withdrawals  # containers copied
    assert _plain([_Note("a", (1, 2)), None]) == [{"text": "a", "pair": (1, 2)}, None]
    assert _plain((1, 2)) == (1, 2) and _plain(_Note) is _Note  # other leaves as they are
