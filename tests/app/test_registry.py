"""The outcome registry matches what the model records; one verdict; one palette."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.analysis.outcomes import (
    DYNAMIC_PREFIX,
    OUTCOMES,
    SERIES,
    difference_verdict,
    is_better,
    outcome_info,
    verdict,
)
from sim.analysis.palette import FIXED, VERDICT_COLOURS, scenario_colours
from sim.model.outcomes import DAILY_SERIES
from sim.model.run import run_scenario
from sim.scenario.editing import with_horizon
from sim.scenario.loader import SCENARIOS_DIR, load_scenario
from sim.scenario.names import HEADLINE_2X2, HEADLINE_2X2_FILES


@pytest.fixture(scope="module")
def recorded() -> tuple[set[str], set[str]]:
    scenario = with_horizon(load_scenario(SCENARIOS_DIR / HEADLINE_2X2_FILES[3]), 20)
    result = run_scenario(scenario, np.random.SeedSequence(3), record_daily=True)
    assert result.daily is not None
    summary = {k for k in result.summary if not k.startswith(DYNAMIC_PREFIX)}
    daily = {c for c in result.daily.columns if c != "day" and not c.startswith(DYNAMIC_PREFIX)}
    return summary, daily


def test_every_summary_outcome_is_declared_and_every_declared_one_recorded(recorded) -> None:
    summary, _ = recorded
    assert summary - set(OUTCOMES) == set(), "recorded but not declared in the registry"
    assert set(OUTCOMES) - summary == set(), "declared but the model does not record it"


def test_every_daily_series_is_declared_and_every_declared_one_recorded(recorded) -> None:
    _, daily = recorded
    assert daily == set(DAILY_SERIES)
    assert daily - set(SERIES) == set(), "recorded but not declared in the registry"
    assert set(SERIES) - daily == set(), "declared but the model does not record it"


def test_entries_are_complete() -> None:
    for info in [*OUTCOMES.values(), *SERIES.values()]:
        assert info.label and info.unit and info.how, info.name
        assert info.better in ("lower", "higher", None)


def test_one_verdict() -> None:
    assert is_better(-1.0, "lower") and not is_better(-1.0, "higher")
    assert is_better(1.0, None) is None
    assert verdict(5.0, "higher") == "better" and verdict(5.0, "lower") == "worse"
    assert verdict(5.0, "lower", resolved=False) == "unclear"
    row = pd.Series({"mean_diff": -3.0, "better": "lower", "resolved": True})
    assert difference_verdict(row) == "better"
    assert difference_verdict(
        pd.Series({"mean_diff": -3.0, "better": np.nan, "resolved": True})
    ) == ("unclear")


def test_formats_follow_the_registry() -> None:
    assert outcome_info("secure_population_share_mean").format(0.456) == "46%"
    assert outcome_info("civilian_deaths").format(12702.4) == "12,702"
    assert outcome_info("secure_population_share_mean").format_change(0.004) == "+0.4 pts"
    assert outcome_info("civilian_deaths").format_change(0.0) == "0"


def test_scenario_colours_are_stable_and_never_verdict_colours() -> None:
    mine = ["my-edit", *HEADLINE_2X2]
    colours = scenario_colours(mine)
    assert [colours[name] for name in HEADLINE_2X2] == [FIXED[name] for name in HEADLINE_2X2]
    assert (
        scenario_colours(list(reversed(mine)))["hamas-rejects-turkey-vetoed"]
        == FIXED["hamas-rejects-turkey-vetoed"]
    )
    assert len(set(colours.values())) == len(mine)
    assert not set(colours.values()) & set(VERDICT_COLOURS.values())
