"""The model's initial state that the scenario implies for other layers."""

from __future__ import annotations

from sim.scenario.ground import GroundSpec
from sim.scenario.schema import Scenario


def ground_spec_for(scenario: Scenario) -> GroundSpec:
    """The ground spec, with the IDF's starting line and the armed groups from the scenario."""
    ground = scenario.ground
    recruitment = ground.recruitment.model_copy(
        update={
            "initial_armed": ground.recruitment.initial_armed.model_copy(
                update={
                    "value": scenario.hamas.fighters.value
                    + scenario.other_armed_groups.fighters.value
                }
            )
        }
    )
    return ground.model_copy(
        update={"yellow_line_share": scenario.idf.held_share, "recruitment": recruitment}
    )
