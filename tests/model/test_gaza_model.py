"""The full Gaza model: determinism, invariants, vetoes, and the directions of known effects."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

from sim.model.gaza import GazaModel
from sim.model.outcomes import DAILY_SERIES
from sim.model.run import run_scenario
from tests.model.conftest import clearly_less, outcomes, override, shipped

SEEDS = range(10)


def test_same_seed_same_outcomes_and_different_seed_differs() -> None:
    scenario = shipped("base.yaml")
    first = run_scenario(scenario, 7, record_daily=True)
    again = run_scenario(scenario, 7, record_daily=True)
    other = run_scenario(scenario, 8, record_daily=True)
    assert first.summary == again.summary
    assert first.daily is not None and again.daily is not None and other.daily is not None
    assert first.daily.equals(again.daily)
    assert not first.daily.equals(other.daily)


def test_model_is_garbage_collected() -> None:
    model = GazaModel(shipped("base.yaml"), 1)
    for _ in range(5):
        model.step()
    ref = weakref.ref(model)
    del model
    gc.collect()
    assert ref() is None


def test_daily_series_are_complete_and_within_bounds() -> None:
    result = run_scenario(shipped("hamas-rejects-turkey-vetoed.yaml"), 3, record_daily=True)
    daily = result.daily
    assert daily is not None
    assert len(daily) == shipped("hamas-rejects-turkey-vetoed.yaml").metadata.horizon_days
    assert set(DAILY_SERIES) <= set(daily.columns)
    assert (daily.drop(columns=["day"]) >= -1e-9).all().all()
    for share in (
        "secure_population_share",
        "idf_held_share",
        "legitimacy",
        "grievance",
        "reconstruction_share",
        "hamas_compliance",
    ):
        assert daily[share].between(0.0, 1.0).all(), share
    assert daily["weapons_decommissioned"].is_monotonic_increasing
    collapsed = daily["ceasefire_status"] == 2
    if collapsed.any():
        first = int(collapsed.idxmax())
        assert collapsed.iloc[first:].all(), "a collapsed ceasefire stays collapsed"


def test_vetoed_turkish_contingent_never_deploys() -> None:
    scenario = shipped("hamas-accepts-turkey-vetoed.yaml")
    model = GazaModel(scenario, 2)
    turkey = next(c for c in model.contingents if c.key == "turkey")
    for _ in range(120):
        model.step()
        assert turkey.strength(model.day, 30) == 0.0
    included = GazaModel(shipped("hamas-accepts-turkey-included.yaml"), 2)
    turkey_in = next(c for c in included.contingents if c.key == "turkey")
    for _ in range(120):
        included.step()
    assert turkey_in.strength(included.day, 30) > 0.0


def test_more_troops_fewer_incidents() -> None:
    # Hamas's answer left partial: the force can enter its sectors, so its size matters there.
    base = shipped("base.yaml")
    bigger = override(
        base,
        {("forces", "contributors", key, "deployed_share"): 1.0 for key in base.forces.contributors}
        | {
            ("forces", "contributors", key, "pledged_troops"): base.forces.contributors[
                key
            ].pledged_troops.value
            * 4
            for key in base.forces.contributors
        },
    )
    assert clearly_less(outcomes(bigger, "incidents", SEEDS), outcomes(base, "incidents", SEEDS))


def test_hamas_rejecting_means_less_disarmament() -> None:
    accepts = outcomes(
        shipped("hamas-accepts-turkey-vetoed.yaml"), "weapons_decommissioned_share", SEEDS
    )
    rejects = outcomes(
        shipped("hamas-rejects-turkey-vetoed.yaml"), "weapons_decommissioned_share", SEEDS
    )
    assert clearly_less(rejects, accepts)


def test_slower_aid_more_grievance() -> None:
    base = shipped("base.yaml")
    slow = override(base, {("aid", "trucks_per_day"): 90.0})
    fast = override(base, {("aid", "trucks_per_day"): 600.0})
    assert clearly_less(
        outcomes(fast, "grievance_mean", SEEDS), outcomes(slow, "grievance_mean", SEEDS)
    )


@pytest.mark.parametrize(
    "name",
    ["analogues/kfor-like.yaml", "analogues/haiti-mss-like.yaml", "analogues/unifil-like.yaml"],
)
def test_analogue_runs(name: str) -> None:
    summary = run_scenario(shipped(name), 0).summary
    assert 0.0 <= summary["secure_population_share_mean"] <= 1.0


def test_analogue_missions_come_out_in_the_right_order() -> None:
    kfor = shipped("analogues/kfor-like.yaml")
    haiti = shipped("analogues/haiti-mss-like.yaml")
    unifil = shipped("analogues/unifil-like.yaml")
    seeds = range(6)
    kfor_secure = outcomes(kfor, "secure_population_share_final", seeds)
    haiti_secure = outcomes(haiti, "secure_population_share_final", seeds)
    # KFOR-like density stabilises; a Haiti-like force does not.
    assert np.median(kfor_secure) > 0.7
    assert np.median(haiti_secure) < 0.1
    # UNIFIL-like density without a coercive mandate secures ground but does not disarm.
    assert np.median(outcomes(unifil, "secure_population_share_final", seeds)) > 0.5
    assert np.median(outcomes(unifil, "weapons_decommissioned_share", seeds)) < 0.05
    assert np.median(outcomes(kfor, "weapons_decommissioned_share", seeds)) > 0.5
