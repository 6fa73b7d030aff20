"""Contributors alone: weekly conditions, the ramp over active days, holding and withdrawal."""

from __future__ import annotations

import mesa
import pytest

from sim.model.forces import ConditionContext, Contingent, failed_condition
from sim.model.politics import DimensionState
from sim.scenario.forces import Contributor
from tests.model.conftest import shipped


def _indonesia() -> Contributor:
    return shipped("as-reported-2026.yaml").forces.contributors["indonesia"]


OK = ConditionContext(hamas_consent=1.0, mandate=True, us_lead=True, collapsed=False)


def test_conditions_by_hand() -> None:
    spec = _indonesia()  # needs consent >= 0.75, a mandate and a holding ceasefire
    assert failed_condition(spec, {}, {}, OK) == ""
    freeze = ConditionContext(hamas_consent=0.5, mandate=True, us_lead=True, collapsed=False)
    assert "consent" in failed_condition(spec, {}, {}, freeze)
    no_mandate = ConditionContext(hamas_consent=1.0, mandate=False, us_lead=True, collapsed=False)
    assert "mandate" in failed_condition(spec, {}, {}, no_mandate)
    war = ConditionContext(hamas_consent=1.0, mandate=True, us_lead=True, collapsed=True)
    assert "collapsed" in failed_condition(spec, {}, {}, war)


def test_outcome_condition_reads_the_dimension_state() -> None:
    turkey = shipped("base.yaml").forces.contributors["turkey"]  # turkish_participation >= 40
    no_deal = DimensionState("turkish_participation", False, 0.0, 0.0, reason="israel vetoes")
    low = DimensionState("turkish_participation", True, 30.0, 0.0)
    high = DimensionState("turkish_participation", True, 60.0, 0.0)
    assert "israel vetoes" in failed_condition(turkey, {"turkish_participation": no_deal}, {}, OK)
    assert "30 < 40" in failed_condition(turkey, {"turkish_participation": low}, {}, OK)
    assert failed_condition(turkey, {"turkish_participation": high}, {}, OK) == ""
    branch = {"turkish_participation": "no_turkish_contingent"}
    assert "branch" in failed_condition(turkey, {}, branch, OK)


def test_ramp_counts_active_days_only() -> None:
    spec = _indonesia()  # arrives day 180, ramp 75 days, 8000 x 0.7
    contingent = Contingent(mesa.Model(), "indonesia", spec)
    for day in range(190):
        contingent.advance(day)
    assert contingent.strength(190, 30) == pytest.approx(5600 * 10 / 75)
    contingent.review(190, "", "suspended by iran_war", 28)
    for day in range(190, 260):
        contingent.advance(day)
    assert contingent.holding and contingent.strength(260, 30) == pytest.approx(5600 * 10 / 75)
    contingent.review(260, "", "", 28)
    for day in range(260, 400):
        contingent.advance(day)
    assert contingent.strength(400, 30) == pytest.approx(5600)


def test_never_deploys_while_a_condition_fails() -> None:
    contingent = Contingent(mesa.Model(), "indonesia", _indonesia())
    for day in range(365):
        if day % 7 == 0:
            contingent.review(day, "Hamas's consent 0.50 < 0.60", "", 28)
        contingent.advance(day)
    assert contingent.strength(365, 30) == 0.0 and contingent.blocked
    assert not contingent.withdrawn  # it never came, so it holds its pledge


def test_a_lasting_failure_withdraws_a_deployed_contingent() -> None:
    contingent = Contingent(mesa.Model(), "indonesia", _indonesia())
    for day in range(250):
        contingent.advance(day)
    present = contingent.strength(250, 30)
    for week in range(4):
        contingent.review(250 + 7 * week, "the ceasefire has collapsed", "", 28)
    assert contingent.withdrawn and "collapsed" in contingent.withdrawal_reason
    leaving = contingent.leaving_since
    assert leaving is not None
    assert contingent.strength(leaving + 15, 30) == pytest.approx(present / 2)
    assert contingent.strength(leaving + 30, 30) == 0.0
