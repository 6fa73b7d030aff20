"""Every scenario that validates runs: property test over the schema's bounds and assumption ranges.

Values are drawn at the schema's bounds, at the ends of each assumption range and in between, on
top of a shipped scenario; whatever validates must run (short horizon) without a numerical warning
and give finite, non-negative outcomes. Cross-field rules that make a combination invalid are part
of validation, so a refusal is an allowed outcome; a crash after validation is not.
"""

from __future__ import annotations

import copy
import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from annotated_types import Ge, Le
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sim.model.run import run_scenario
from sim.scenario.catalog import iter_sourced
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import SCENARIOS_DIR, resolve_file, validate_document
from sim.scenario.provenance import with_new_value
from sim.scenario.schema import Scenario

HORIZON = 30
STARTS = {
    name: resolve_file(SCENARIOS_DIR / f"{name}.yaml")
    for name in ("base", "hamas-rejects-turkey-vetoed", "haiti-like-under-resourced")
}
BASE = validate_document(copy.deepcopy(STARTS["base"]))


def _bounds(item: Any) -> tuple[float | None, float | None, type]:
    info = type(item.sourced).model_fields["value"]
    low = next((m.ge for m in info.metadata if isinstance(m, Ge)), None)
    high = next((m.le for m in info.metadata if isinstance(m, Le)), None)
    kind = int if info.annotation is int else float
    return low, high, kind


NUMERIC = [
    (item.path, *_bounds(item), item.sourced.assumption)
    for item in iter_sourced(BASE)
    if isinstance(item.sourced.value, int | float) and not isinstance(item.sourced.value, bool)
]


def _value(choice: str, fraction: float, entry: tuple[Any, ...]) -> float | None:
    _, low, high, kind, assumption = entry
    ends = {
        "schema_low": low,
        "schema_high": high,
        "assumed_low": assumption[0] if assumption else low,
        "assumed_high": assumption[1] if assumption else high,
    }
    if choice in ends:
        value = ends[choice]
    else:
        lo = assumption[0] if assumption else low
        hi = assumption[1] if assumption else high
        if lo is None or hi is None:
            return None
        value = lo + fraction * (hi - lo)
    if value is None:
        return None
    return kind(round(value)) if kind is int else float(value)


def _set(data: dict[str, Any], path: tuple[Any, ...], value: float) -> None:
    node: Any = data
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return  # this scenario has no such parameter (e.g. a contributor it removed)
        parent, node = node, node[part]
    old = parent[path[-1]]
    parent[path[-1]], _ = with_new_value(old, value)


def _no_deal_is_the_only_gap(summary: dict[str, Any], daily: pd.DataFrame) -> None:
    """A forecast is missing exactly when its dimension has no deal (a state, not a number)."""
    for column in [c for c in daily.columns if c.startswith("forecast_")]:
        deal = daily["deal_" + column.removeprefix("forecast_")].to_numpy() > 0
        assert np.isfinite(daily[column].to_numpy()[deal]).all(), column
        assert np.isnan(daily[column].to_numpy()[~deal]).all(), column
        final = summary[column + "_final"]
        assert math.isnan(final) == (
            summary["deal_" + column.removeprefix("forecast_") + "_final"] == 0
        )


def _check_outputs(summary: dict[str, Any], daily: pd.DataFrame) -> None:
    _no_deal_is_the_only_gap(summary, daily)
    for key, value in summary.items():
        if isinstance(value, bool) or key.startswith("forecast_"):
            continue
        assert math.isfinite(value), (key, value)
        assert value >= 0, (key, value)
    numeric = daily.select_dtypes("number").drop(
        columns=[c for c in daily.columns if c.startswith("forecast_")]
    )
    assert np.isfinite(numeric.to_numpy(dtype=float)).all(), numeric.columns[
        ~np.isfinite(numeric.to_numpy(dtype=float)).all(axis=0)
    ].tolist()
    negative = [c for c in numeric.columns if (numeric[c] < 0).any()]
    assert not negative, negative


def _note(text: str) -> None:
    from hypothesis.control import currently_in_test_context

    if currently_in_test_context():
        event(text)


def _run_checked(document: Any, seed: int) -> None:
    document.data.setdefault("metadata", {})["horizon_days"] = HORIZON
    try:
        scenario: Scenario = validate_document(document)
    except ScenarioError:
        _note("refused by validation")
        return  # refused by validation: allowed
    _note("validated and ran")
    with warnings.catch_warnings(), np.errstate(divide="raise", invalid="raise", over="raise"):
        warnings.simplefilter("error", RuntimeWarning)
        result = run_scenario(scenario, seed, record_daily=True)
    assert result.daily is not None
    _check_outputs(result.summary, result.daily)


CHOICES = ["schema_low", "schema_high", "assumed_low", "assumed_high", "between"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    start=st.sampled_from(sorted(STARTS)),
    edits=st.lists(
        st.tuples(
            st.integers(0, len(NUMERIC) - 1),
            st.sampled_from(CHOICES),
            st.floats(0.0, 1.0),
        ),
        min_size=1,
        max_size=12,
    ),
    seed=st.integers(0, 2**16),
)
def test_what_validates_runs(start: str, edits: list[tuple[int, str, float]], seed: int) -> None:
    document = copy.deepcopy(STARTS[start])
    for index, choice, fraction in edits:
        entry = NUMERIC[index]
        value = _value(choice, fraction, entry)
        if value is not None:
            _set(document.data, entry[0], value)
    _run_checked(document, seed)


@pytest.mark.parametrize("end", ["assumed_low", "assumed_high", "schema_low", "schema_high"])
def test_every_parameter_at_one_end_at_once(end: str) -> None:
    document = copy.deepcopy(STARTS["base"])
    for entry in NUMERIC:
        value = _value(end, 0.0, entry)
        if value is not None:
            _set(document.data, entry[0], value)
    _run_checked(document, seed=7)


@pytest.mark.parametrize("held", [0.0, 1.0])
def test_the_idf_holding_none_or_all_of_the_strip_runs(held: float) -> None:
    """The issue's case: held_share 1.0 validated, then every run raised 'lam value too large'."""
    document = copy.deepcopy(STARTS["base"])
    for field in ("held_share", "share_when_force_deploys"):
        _set(document.data, ("idf", field), held)
    _run_checked(document, seed=3)
    scenario = validate_document(document)
    result = run_scenario(scenario, 3)
    assert result.summary["idf_held_share_final"] == pytest.approx(held, abs=0.1)
