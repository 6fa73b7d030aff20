"""The default Gaza actor table: valid, fully sourced, and its 2x2 overrides behave as designed."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from sim.bargaining import BOUNDED, BargainingEngine
from sim.cli_bargain import load_bargaining_spec
from sim.scenario.bargaining import BargainingSpec

REPO = Path(__file__).resolve().parents[2]
FRAGMENT = REPO / "scenarios" / "parts" / "gaza_actors.yaml"
REQUIRED_DIMENSIONS = {
    "hamas_disarmament",
    "mandate_robustness",
    "turkish_participation",
    "idf_withdrawal",
    "palestinian_governance",
}
REQUIRED_ACTORS = {
    "us", "israel", "hamas", "pa", "egypt", "qatar", "turkey", "indonesia", "azerbaijan", "uae",
    "jordan", "saudi_arabia", "pakistan", "russia", "china",
}  # fmt: skip
HAMAS = {
    "accepts": {"hamas_disarmament": 75.0, "mandate_robustness": 45.0},
    "rejects": {"hamas_disarmament": 0.0, "mandate_robustness": 5.0},
}


@pytest.fixture(scope="module")
def base_data() -> dict:
    return load_bargaining_spec(FRAGMENT).model_dump(mode="json", exclude_none=True)


def corner(base_data: dict, hamas: str, turkey_vetoed: bool) -> BargainingEngine:
    data = copy.deepcopy(base_data)
    for dim, value in HAMAS[hamas].items():
        data["actors"]["hamas"]["position"][dim]["value"] = value
    data["vetoes"]["hamas_red_line"]["enforced"] = hamas == "rejects"
    data["vetoes"]["israel_turkey"]["enforced"] = turkey_vetoed
    engine = BargainingEngine.from_spec(BargainingSpec.model_validate(data), record="light")
    engine.run()
    return engine


def test_table_has_the_required_dimensions_actors_and_vetoes(base_data: dict) -> None:
    spec = BargainingSpec.model_validate(base_data)
    assert set(spec.dimension_ids) >= REQUIRED_DIMENSIONS
    assert set(spec.actors) >= REQUIRED_ACTORS
    holders = {(v.holder, v.dimension) for v in spec.vetoes.values()}
    assert ("israel", "turkish_participation") in holders
    assert {("us", "mandate_robustness"), ("russia", "mandate_robustness")} <= holders
    assert ("china", "mandate_robustness") in holders


def test_every_source_id_is_registered(base_data: dict) -> None:
    from sim.scenario.evidence import load_registry

    spec = BargainingSpec.model_validate(base_data)
    registry = load_registry()
    values = [
        value
        for actor in spec.actors.values()
        for value in (actor.capability, *actor.position.values(), *actor.salience.values())
    ]
    values += [x for v in spec.vetoes.values() for x in (v.low, v.high, v.blocked_outcome)]
    cited = {source for value in values for source in (value.source or [])}
    assert cited, "the table cites no sources"
    assert sorted(i for i in cited if i not in registry) == []
    assumed_share = sum(v.is_assumption for v in values) / len(values)
    assert assumed_share < 1.0


@pytest.mark.parametrize("turkey_vetoed", [True, False])
def test_hamas_rejects_blocks_a_disarmament_deal(base_data: dict, turkey_vetoed: bool) -> None:
    engine = corner(base_data, "rejects", turkey_vetoed)
    assert engine.branches["hamas_disarmament"] == "no_disarmament_deal"
    assert engine.forecast()["hamas_disarmament"] == 0.0
    hamas = engine.actors.index("hamas")
    assert engine.positions[hamas, engine.dimensions.index("hamas_disarmament")] <= 15.0


@pytest.mark.parametrize("turkey_vetoed", [True, False])
def test_hamas_accepts_gives_a_bounded_deal(base_data: dict, turkey_vetoed: bool) -> None:
    engine = corner(base_data, "accepts", turkey_vetoed)
    assert engine.branches["hamas_disarmament"] == BOUNDED
    assert engine.forecast()["hamas_disarmament"] >= 60.0


@pytest.mark.parametrize("hamas", ["accepts", "rejects"])
def test_turkey_branch_follows_israels_veto(base_data: dict, hamas: str) -> None:
    vetoed = corner(base_data, hamas, turkey_vetoed=True)
    assert vetoed.branches["turkish_participation"] == "no_turkish_contingent"
    assert vetoed.forecast()["turkish_participation"] == 0.0
    included = corner(base_data, hamas, turkey_vetoed=False)
    assert included.branches["turkish_participation"] == BOUNDED
    assert included.forecast()["turkish_participation"] >= 40.0


def test_mandate_stays_within_the_permanent_members_intervals(base_data: dict) -> None:
    engine = corner(base_data, "accepts", turkey_vetoed=True)
    assert engine.branches["mandate_robustness"] == BOUNDED
    assert 60.0 <= engine.forecast()["mandate_robustness"] <= 90.0
