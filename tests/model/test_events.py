"""Dated events: validation with clear errors, the schedule, and their effects in a run."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from sim.model.events import EventSchedule
from sim.model.gaza import GazaModel
from sim.scenario.events import RegionalWar, Ultimatum
from sim.scenario.forces import StrikePolicy
from sim.scenario.schema import Scenario
from tests.model.conftest import shipped


def _data() -> dict[str, Any]:
    return shipped("as-reported-2026.yaml").model_dump(mode="json", exclude_none=True)


def _event(data: dict[str, Any], event_id: str) -> dict[str, Any]:
    return next(e for e in data["events"] if e["id"] == event_id)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: _event(d, "iran_war").update(suspends=["narnia"]), "unknown contributor"),
        (
            lambda d: _event(d, "iran_war").update(day={"value": 900, "source": ["fact.x_y"]}),
            "horizon",
        ),
        (lambda d: _event(d, "iran_war")["shocks"][0].update(actor="nobody"), "unknown actor"),
        (lambda d: _event(d, "iran_war").update(kind="earthquake"), "kind"),
        (lambda d: d["events"].append(dict(_event(d, "iran_war"))), "unique"),
    ],
)
def test_bad_events_fail_with_clear_messages(change: Any, message: str) -> None:
    data = _data()
    change(data)
    with pytest.raises(ValidationError, match=message):
        Scenario.model_validate(data)


def test_schedule_suspends_fires_and_expires() -> None:
    scenario = shipped("as-reported-2026.yaml")
    schedule = EventSchedule(scenario.events)
    war = next(e for e in scenario.events if isinstance(e, RegionalWar))
    ultimatum = next(e for e in scenario.events if isinstance(e, Ultimatum))
    assert schedule.suspension("indonesia", war.day.value - 1) == ""
    assert "iran_war" in schedule.suspension("indonesia", war.day.value)
    assert schedule.suspension("kosovo", war.day.value) == ""
    assert [e.id for e in schedule.fire(war.day.value)] == ["iran_war"]
    assert len(EventSchedule.shocks([war])) == len(war.shocks)
    deadline = ultimatum.day.value + ultimatum.deadline_days.value
    assert [x.met for x in schedule.expiring(deadline, 0.0)] == [False]
    assert [x.met for x in schedule.expiring(deadline, 1.0)] == [True]
    assert schedule.expiring(deadline - 1, 0.0) == []


def test_events_reach_the_week_and_the_ground() -> None:
    data = _data()
    _event(data, "israel_ultimatum").update(strike_policy_on_expiry="heavy")
    _event(data, "israel_ultimatum").update(
        held_share_on_expiry={"value": 0.7, "assumption": [0.5, 1]}
    )
    scenario = Scenario.model_validate(data)
    model = GazaModel(scenario, 0)
    war_day = next(e for e in scenario.events if isinstance(e, RegionalWar)).day.value
    fired: list[str] = []
    for _ in range(war_day + 8):  # contributors review weekly
        model.step()
        fired.extend(model.week.fired_events)
    assert "iran_war" in fired
    indonesia = next(c for c in model.contingents if c.key == "indonesia")
    assert indonesia.holding and "iran_war" in indonesia.hold_reason
    ultimatum = next(e for e in scenario.events if isinstance(e, Ultimatum))
    for _ in range(ultimatum.day.value + ultimatum.deadline_days.value + 1 - model.day):
        model.step()
    assert model.strike_policy is StrikePolicy.HEAVY
    model.step()
    assert model.territory.held_share >= 0.7
