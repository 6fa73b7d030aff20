"""The ceasefire component alone: the hazard by hand, cover in absolute terms, the draw."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.ceasefire import Ceasefire, CeasefireStatus, Conditions, force_cover
from sim.scenario.effects import EffectsSpec
from sim.scenario.structure import HazardForm

EFFECTS = EffectsSpec()


def _ceasefire(form: HazardForm = HazardForm.CONDITIONS) -> Ceasefire:
    return Ceasefire(EFFECTS, np.random.default_rng(0), form)


def test_hazard_matches_the_hand_computed_value() -> None:
    # 0.5/365 * (1 - 0.6*0.6*1) * (1 - 0.5*1) * (1 - 0.5*1) * 4**0
    full = Conditions(cover=1.0, guarantor=1.0, compliance=1.0, violence=0.0)
    assert _ceasefire().daily_hazard(full, strain=0.0) == pytest.approx(0.5 / 365 * 0.64 * 0.25)
    # nothing in place, fully strained: 0.5/365 * 4
    bare = Conditions(cover=0.0, guarantor=0.0, compliance=0.0, violence=0.0)
    assert _ceasefire().daily_hazard(bare, strain=1.0) == pytest.approx(0.5 / 365 * 4.0)
    # strain is capped at the multiplier
    assert _ceasefire().daily_hazard(bare, strain=3.0) == pytest.approx(0.5 / 365 * 4.0)


def test_constant_form_ignores_conditions() -> None:
    ceasefire = _ceasefire(HazardForm.CONSTANT)
    for cover in (0.0, 1.0):
        conditions = Conditions(cover=cover, guarantor=1.0, compliance=1.0, violence=0.0)
        assert ceasefire.daily_hazard(conditions, strain=1.0) == pytest.approx(0.5 / 365)


def test_less_cover_more_hazard() -> None:
    ceasefire = _ceasefire()
    low = Conditions(cover=0.1, guarantor=0.5, compliance=0.5, violence=0.0)
    high = Conditions(cover=1.0, guarantor=0.5, compliance=0.5, violence=0.0)
    assert ceasefire.daily_hazard(low, 0.0) > ceasefire.daily_hazard(high, 0.0)


def test_force_cover_is_absolute() -> None:
    population = np.array([[100.0, 100.0], [200.0, 600.0]])
    area = np.array([[True, True], [False, False]])
    # 2 troops for 200 residents = 10 per 1,000 = the contested density: full cover there
    assert force_cover(population, area, np.array([[1.0, 1.0], [0.0, 0.0]]), 10.0) == 0.2
    assert force_cover(population, area, np.array([[0.5, 0.5], [0.0, 0.0]]), 10.0) == 0.1
    # the same troops on no ground cover no one
    assert force_cover(population, np.zeros((2, 2), bool), np.ones((2, 2)), 10.0) == 0.0


def test_strain_sets_the_status_and_collapse_is_absorbing() -> None:
    ceasefire = _ceasefire()
    threshold = EFFECTS.incidents_per_day_strain.value
    calm = Conditions(cover=1.0, guarantor=1.0, compliance=1.0, violence=0.0)
    ceasefire.update(0, calm)
    assert ceasefire.status is CeasefireStatus.HOLDING
    violent = Conditions(cover=1.0, guarantor=1.0, compliance=1.0, violence=10 * threshold)
    ceasefire.update(1, violent)
    assert ceasefire.status is CeasefireStatus.STRAINED
    ceasefire._threshold = 0.0  # force the next draw
    ceasefire.update(2, calm)
    assert ceasefire.collapsed and ceasefire.collapse_day == 2
    ceasefire.update(3, calm)
    assert ceasefire.collapsed and ceasefire.hazard == 0.0


def test_higher_hazard_never_collapses_later() -> None:
    def day_of_collapse(violence: float) -> int | None:
        ceasefire = Ceasefire(EFFECTS, np.random.default_rng(5))
        for day in range(3000):
            ceasefire.update(day, Conditions(0.0, 0.0, 0.0, violence))
            if ceasefire.collapsed:
                return day
        return None

    calm, strained = day_of_collapse(0.0), day_of_collapse(100.0)
    assert strained is not None and (calm is None or strained <= calm)
