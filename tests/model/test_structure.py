"""Structural alternatives: the collapse hazard's form and the politics coupling's form."""

from __future__ import annotations

import pytest

from sim.model.gaza import GazaModel
from sim.scenario.schema import Scenario
from sim.scenario.structure import CouplingForm, HazardForm, StructureSpec
from tests.model.conftest import shipped

DAYS = 30


def _with(scenario: Scenario, **forms: object) -> Scenario:
    return scenario.model_copy(update={"structure": StructureSpec.model_validate(forms)})


def test_constant_hazard_ignores_the_force() -> None:
    base = shipped("analogues/kfor-like.yaml")
    model = GazaModel(_with(base, collapse_hazard=HazardForm.CONSTANT), 0)
    expected = base.effects.base_relapse_hazard_per_year.value / 365
    for _ in range(DAYS):
        model.step()
        if not model.ceasefire.collapsed:
            assert model.ceasefire.hazard == pytest.approx(expected)


def test_exogenous_politics_plays_no_rounds_and_keeps_the_levers() -> None:
    model = GazaModel(_with(shipped("base.yaml"), politics_coupling=CouplingForm.EXOGENOUS), 0)
    levers = model.politics.levers
    for _ in range(DAYS):
        model.step()
    assert model.politics.log == [] and model.politics.levers is levers


@pytest.mark.parametrize("form", [CouplingForm.TWO_WAY, CouplingForm.ONE_WAY])
def test_coupled_forms_play_rounds(form: CouplingForm) -> None:
    model = GazaModel(_with(shipped("base.yaml"), politics_coupling=form), 0)
    for _ in range(DAYS):
        model.step()
    assert len(model.politics.log) == DAYS // model.politics.cadence


def test_one_way_coupling_sends_no_ground_shocks() -> None:
    model = GazaModel(_with(shipped("base.yaml"), politics_coupling=CouplingForm.ONE_WAY), 0)
    for _ in range(DAYS):
        model.step()
    assert all(not entry["shocks"] for entry in model.politics.log)
