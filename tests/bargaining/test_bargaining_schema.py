"""The bargaining section of the scenario schema: bounds, provenance and cross-checks."""

from __future__ import annotations

import copy

import pytest
from bargaining_helpers import small_spec_data
from pydantic import ValidationError

from sim.scenario.bargaining import BargainingSettings, BargainingSpec, VotingRule


def validate(data: dict) -> BargainingSpec:
    return BargainingSpec.model_validate(data)


def test_small_spec_is_valid() -> None:
    spec = validate(small_spec_data(("israel_troops", "turkey_floor")))
    assert spec.settings == BargainingSettings()
    assert spec.settings.cadence_days == 7
    assert spec.vetoes["israel_troops"].enforced


def expect_error(data: dict, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate(data)
    assert fragment in str(caught.value)


def test_saliences_must_sum_to_at_most_100() -> None:
    data = small_spec_data()
    data["actors"]["us"]["salience"]["troops"]["value"] = 70.0
    expect_error(data, "sum to 110")


def test_every_actor_needs_every_dimension() -> None:
    data = small_spec_data()
    del data["actors"]["egypt"]["position"]["mandate"]
    expect_error(data, "actors.egypt.position: missing dimensions ['mandate']")
    data = small_spec_data()
    data["actors"]["egypt"]["salience"]["extra"] = {"value": 1.0, "assumption": [0, 2]}
    expect_error(data, "actors.egypt.salience: unknown dimensions ['extra']")


def test_veto_holder_and_dimension_must_exist() -> None:
    data = small_spec_data(("israel_troops",))
    data["vetoes"]["israel_troops"]["holder"] = "iran"
    expect_error(data, "vetoes.israel_troops.holder: unknown actor 'iran'")
    data = small_spec_data(("israel_troops",))
    data["vetoes"]["israel_troops"]["dimension"] = "borders"
    expect_error(data, "vetoes.israel_troops.dimension: unknown dimension 'borders'")


def test_veto_interval_and_branch_consistency() -> None:
    data = small_spec_data(("israel_troops",))
    data["vetoes"]["israel_troops"]["low"]["value"] = 50.0
    data["vetoes"]["israel_troops"]["low"]["assumption"] = [50.0, 50.0]
    expect_error(data, "low 50 is above high 20")
    data = small_spec_data(("israel_troops",))
    del data["decisions"]["troops"]
    expect_error(data, "has a veto but no decision rule")
    data = small_spec_data()
    data["decisions"]["borders"] = data["decisions"]["troops"]
    expect_error(data, "decisions: unknown dimensions ['borders']")


def test_links_and_red_lines_are_checked() -> None:
    data = small_spec_data(("israel_troops",))
    link = {"driver": "weather", "bound": "high", "per_unit": {"value": 1.0, "assumption": [0, 1]}}
    data["vetoes"]["israel_troops"]["linked"] = [link]
    expect_error(data, "vetoes.israel_troops.linked[0].driver: unknown 'weather'")
    data["vetoes"]["israel_troops"]["linked"] = [{**link, "driver": "troops"}]
    expect_error(data, "cannot depend on its own dimension")
    data["vetoes"]["israel_troops"]["linked"] = [{**link, "driver": "decommissioned_total_share"}]
    validate(data)
    data = small_spec_data()
    data["actors"]["turkey"]["red_lines"] = {"troops": {"at_most": {"value": 50, "source": ["x"]}}}
    expect_error(data, "position 100 lies outside its own red line [0, 50]")
    data["actors"]["turkey"]["red_lines"] = {"troops": {}}
    expect_error(data, "a red line needs at_most or at_least")


def test_values_are_bounded_and_sourced() -> None:
    data = small_spec_data()
    data["actors"]["us"]["position"]["troops"] = {"value": 120.0, "assumption": [0, 200]}
    expect_error(data, "less than or equal to 100")
    data = small_spec_data()
    data["actors"]["us"]["capability"] = {"value": 5.0}
    expect_error(data, "give exactly one provenance")


def test_unknown_keys_and_options_are_refused() -> None:
    data = small_spec_data(settings={"voting_rule": "Majority"})
    expect_error(data, "voting_rule")
    data = small_spec_data()
    data["actors"]["us"]["colour"] = "blue"
    expect_error(data, "Extra inputs are not permitted")
    assert validate(small_spec_data(settings={"voting_rule": "Cubic"})).settings.voting_rule is (
        VotingRule.CUBIC
    )


def test_accommodation_rows_are_checked() -> None:
    data = small_spec_data()
    weight = {"value": 0.6, "assumption": [0, 1]}
    data["accommodation"] = {"us": {"us": weight, "egypt": copy.deepcopy(weight)}}
    expect_error(data, "accommodation.us: weights sum to 1.2")
    data["accommodation"] = {"iran": {"us": weight}}
    expect_error(data, "accommodation.iran: unknown actor")


def test_duplicate_dimension_ids() -> None:
    data = small_spec_data()
    data["dimensions"].append(dict(data["dimensions"][0]))
    expect_error(data, "repeated: ['troops']")
