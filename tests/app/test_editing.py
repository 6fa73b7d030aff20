"""Editing logic without a browser: decisions as fragments, overrides, provenance, explanations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.charts import CHANGE_LIMITS, difference_chart, difference_table
from sim.analysis.compare import compare_results
from sim.analysis.explain import explain, format_value, moves_story
from sim.experiments.app_runs import bargaining_run, payload_of, run_scenario_reps
from sim.scenario.editing import (
    HAMAS_STANCES,
    TURKEY_CHOICES,
    Decisions,
    Draft,
    changes,
    edited_sourced,
    safe_name,
    set_value,
)
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import SCENARIOS_DIR, load_scenario
from sim.scenario.params import group_of, plain_fields, sourced_params

ORIGINS = ["base", "hamas-accepts-turkey-included", "hamas-rejects-turkey-vetoed"]


def corner(hamas: str, turkey: str):
    if hamas == "partial":
        draft = Draft.start(load_scenario(SCENARIOS_DIR / "base.yaml"), "base.yaml")
        draft.decisions = Decisions("partial", turkey)
        return draft.build()
    return load_scenario(SCENARIOS_DIR / f"hamas-{hamas}-turkey-{turkey}.yaml")


@pytest.mark.parametrize("origin", ORIGINS)
def test_every_decision_from_every_origin_gives_the_shipped_scenario(origin: str) -> None:
    start = load_scenario(SCENARIOS_DIR / f"{origin}.yaml")
    for hamas in HAMAS_STANCES:
        for turkey in TURKEY_CHOICES:
            draft = Draft.start(start, origin)
            draft.decisions = Decisions(hamas, turkey)
            assert changes(corner(hamas, turkey), draft.build()) == [], (origin, hamas, turkey)


def test_overrides_win_over_decisions_and_name_the_draft() -> None:
    draft = Draft.start(load_scenario(SCENARIOS_DIR / "base.yaml"), "base.yaml")
    assert not draft.edited and draft.default_name() == "base"
    draft.overrides[("hamas", "consent_decommission_rate")] = 0.02
    draft.decisions = Decisions("rejects", "vetoed")
    built = draft.build()
    assert built.hamas.consent_decommission_rate.value == 0.02
    assert built.metadata.name == "my-hamas-rejects-turkey-vetoed-edited"
    draft.overrides = {("metadata", "horizon_days"): 30}
    draft.decisions = Decisions("partial", "vetoed")
    assert not draft.edited and draft.build().metadata.horizon_days == 30


def test_a_value_outside_its_range_widens_it_and_is_marked() -> None:
    sourced = {"value": 0.5, "source": None, "assumption": [0.1, 0.9], "note": "a guess"}
    edited = edited_sourced(sourced, 0.95)
    assert edited["assumption"] == [0.1, 0.95]
    assert edited["note"].startswith("a guess; user edit: 0.5 -> 0.95")
    assert "widened from [0.1, 0.9]" in edited["note"]
    cited = {"value": 170.0, "source": ["fact.aid_trucks_reported"], "assumption": None}
    assert edited_sourced(cited, 300.0)["source"] == ["fact.aid_trucks_reported"]
    assert "user edit" in edited_sourced(cited, 300.0)["note"]
    assert edited_sourced(cited, 170.0) is cited


def test_schema_bounds_still_hold_and_bad_paths_are_refused() -> None:
    draft = Draft.start(load_scenario(SCENARIOS_DIR / "base.yaml"), "base.yaml")
    draft.overrides[("idf", "strike_probability")] = 1.5
    with pytest.raises(ScenarioError) as caught:
        draft.build()
    paths = {p.path for p in caught.value.problems}
    assert "idf.strike_probability.value" in paths
    assert all(p.startswith("idf.strike_probability") for p in paths)
    with pytest.raises(ScenarioError, match="no such field"):
        set_value(draft.origin.model_dump(mode="json"), ("idf", "nonsense"), 1)


def test_safe_names() -> None:
    assert safe_name("  My Scenario #2 ") == "my-scenario-2"
    assert safe_name("///") == "scenario"
    assert len(safe_name("x" * 200)) == 80
    assert safe_name("0.5 troops") == "0p5-troops"


def test_the_editor_catalogue_has_bounds_units_and_provenance() -> None:
    base = load_scenario(SCENARIOS_DIR / "base.yaml")
    params = {p.key: p for p in sourced_params(base)}
    troops = params["forces.contributors.indonesia.pledged_troops"]
    assert troops.bounds.integer and troops.bounds.maximum == 200_000
    assert troops.unit == "troops" and "fact.indonesia_pledge" in troops.source_ids
    rate = params["hamas.attack_rate"]
    assert rate.provenance.startswith("assumption [")
    assert group_of(("bargaining", "actors", "us", "position", "x")) == "bargaining.actors.us"
    plain = {f.key: f for f in plain_fields(base)}
    assert plain["mandate.coercive_disarmament"].kind == "bool"
    assert "self_defence" in plain["mandate.rules_of_engagement"].options
    assert plain["metadata.horizon_days"].kind == "number"


@pytest.fixture(scope="module")
def pair_comparison(tmp_path_factory: pytest.TempPathFactory):
    accept = load_scenario(SCENARIOS_DIR / "hamas-accepts-turkey-included.yaml")
    reject = load_scenario(SCENARIOS_DIR / "hamas-rejects-turkey-vetoed.yaml")
    short = []
    for scenario in (accept, reject):
        data = scenario.model_dump(mode="json")
        data["metadata"]["horizon_days"] = 30
        short.append(type(scenario).model_validate(data))
    root = tmp_path_factory.mktemp("runs")
    blocks = [run_scenario_reps(s, 4, 7, root=root) for s in short]
    summary = pd.concat([b.summary for b in blocks], ignore_index=True)
    return compare_results(summary, accept.metadata.name, resamples=200), short


def test_runs_pair_by_replication(pair_comparison) -> None:
    comparison, _ = pair_comparison
    assert (
        comparison.summary.groupby("scenario")["replication"].apply(list).tolist()
        == [[0, 1, 2, 3]] * 2
    )


def test_explanation_follows_the_causal_chain(pair_comparison) -> None:
    comparison, (accept, reject) = pair_comparison
    story = explain(comparison, reject.metadata.name, changes(accept, reject))
    assert any("Hamas's answer on disarmament: accepts → rejects" in s for s in story.changed)
    assert any("turkish participation" in s for s in story.politics)
    assert story.outcomes[0].startswith("Ceasefire collapsed")
    markdown = story.markdown()
    assert markdown.index("What differs") < markdown.index("politics") < markdown.index("Outcomes")
    assert format_value("secure_population_share_mean", 0.456) == "46%"
    assert format_value("civilian_deaths", 12702.4) == "12,702"


def test_forest_plot_keeps_extreme_changes_on_the_axis(pair_comparison) -> None:
    comparison, _ = pair_comparison
    table = difference_table(comparison)
    assert not table.empty
    assert table["shown"].between(*CHANGE_LIMITS).all()
    assert (table["beyond"] == ~table["change"].between(*CHANGE_LIMITS)).all()
    assert set(table["verdict"]) <= {"better", "worse", "unclear"}
    assert difference_chart(comparison).to_dict()


def test_why_an_actor_moved() -> None:
    run = bargaining_run(payload_of(load_scenario(SCENARIOS_DIR / "base.yaml")))
    movers = run.moves[run.moves["distance"] >= 0.5]["actor"].unique()
    assert len(movers) > 0
    story = moves_story(run, str(movers[0]))
    assert story[0].startswith("Round ") and "points" in story[0]
    still = set(run.actor_names) - set(run.moves[run.moves["distance"] >= 0.5]["actor"])
    for actor in still:
        assert "never moved" in moves_story(run, actor)[0]
    assert np.isfinite(run.positions["position"]).all()
