"""Forecast distributions: replications draw within ranges, report P(deal), bands, sensitivity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from bargaining_helpers import small_spec_data

from sim.bargaining.uncertainty import (
    describe,
    draw_inputs,
    position_bands,
    replicate,
    sensitivity,
    summarise,
)
from sim.scenario.bargaining import BargainingSpec
from sim.scenario.loader import load_scenario

REPO = Path(__file__).resolve().parents[2]


def ranged_spec(vetoes: tuple[str, ...] = ("russia_mandate",)) -> BargainingSpec:
    data = small_spec_data(vetoes, settings={"draw_assumptions": True})
    for actor in data["actors"].values():
        value = actor["capability"]["value"]
        actor["capability"]["assumption"] = [value * 0.5, value * 1.5]
        for sal in actor["salience"].values():
            sal["assumption"] = [sal["value"] * 0.5, sal["value"] * 1.2]
    return BargainingSpec.model_validate(data)


def test_draws_stay_within_their_ranges_and_sourced_values_stay_fixed() -> None:
    spec = ranged_spec()
    draws = draw_inputs(spec, np.random.default_rng(3))
    for i, actor in enumerate(spec.actors.values()):
        low, high = actor.capability.assumption  # type: ignore[misc]
        assert low <= draws.capability[i] <= high
    assert (draws.salience.sum(axis=1) <= 100.0 + 1e-9).all()
    data = small_spec_data(settings={"draw_assumptions": True})
    data["actors"]["us"]["capability"] = {"value": 100.0, "source": ["fact.unsc_2803"]}
    fixed = draw_inputs(BargainingSpec.model_validate(data), np.random.default_rng(3))
    assert fixed.capability[0] == 100.0


def test_replications_are_reproducible_and_differ_from_one_another() -> None:
    spec = ranged_spec()
    first = replicate(spec, reps=6, seed=11)
    again = replicate(spec, reps=6, seed=11)
    pd.testing.assert_frame_equal(first.outcomes, again.outcomes)
    bargained = first.outcomes.query("dimension == 'mandate'")["bargained"]
    assert bargained.nunique() > 1
    assert set(first.draws["parameter"]) == {"capability", "salience:troops", "salience:mandate"}


def test_summary_reports_p_deal_and_a_no_deal_state_never_a_bare_number() -> None:
    result = replicate(ranged_spec(), reps=20, seed=5)
    summary = summarise(result.outcomes).set_index("dimension")
    mandate = summary.loc["mandate"]
    deals = result.outcomes.query("dimension == 'mandate'")["deal"]
    assert mandate["p_deal"] == pytest.approx(deals.mean())
    assert 0.0 < mandate["p_deal"] < 1.0  # Russia's ceiling of 60 splits the replications
    text = describe(mandate)
    assert "P(deal)" in text and "no deal: status quo 3 (no_mandate; blocked by russia)" in text
    assert summary.loc["troops", "p_deal"] == 1.0
    # The band of the implemented outcome covers only replications with a deal.
    dealt = result.outcomes.query("dimension == 'mandate' and deal")["implemented"]
    assert mandate["deal_p10"] >= dealt.min() and mandate["deal_p90"] <= 60.0


def test_position_bands_cover_every_actor_and_dimension() -> None:
    result = replicate(ranged_spec(), reps=5, seed=2)
    bands = position_bands(result.positions)
    assert len(bands) == 5 * 2
    assert (bands["p10"] <= bands["median"]).all() and (bands["median"] <= bands["p90"]).all()


def test_sensitivity_finds_the_actor_that_matters() -> None:
    # Turkey alone sits at 100 on troops: its drawn capability moves the troops outcome.
    result = replicate(ranged_spec(()), reps=60, seed=9)
    table = sensitivity(result, top=1)
    troops = table.query("dimension == 'troops'").iloc[0]
    assert troops["actor"] in {"turkey", "israel", "us"}
    assert abs(troops["rho"]) > troops["noise"]


def test_partial_hamas_holds_across_replications() -> None:
    spec = load_scenario(REPO / "scenarios" / "base.yaml").bargaining
    result = replicate(spec, reps=8, seed=1)
    hamas = result.positions.query("actor == 'hamas' and dimension == 'hamas_disarmament'")
    # Red line 15, plus at most 0.3 x withdrawal (blocked: 0) and 0.2 x governance above 40.
    assert hamas["position"].max() <= 15.0 + 0.2 * 60.0
    assert not result.outcomes.query("dimension == 'hamas_disarmament'")["deal"].any()
