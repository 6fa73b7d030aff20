"""The story's political lines: moves of the final forecasts, and dimensions without a deal."""

from __future__ import annotations

import re
from types import SimpleNamespace
from typing import cast

import pandas as pd

from sim.analysis.compare import Comparison
from sim.analysis.explain import politics_lines

NAN = float("nan")


def _comparison(base: dict[str, float], mine: dict[str, float]) -> Comparison:
    rows = [
        {"scenario": scenario, "outcome": f"forecast_{dim}_final", "median": value}
        for scenario, values in (("base", base), ("mine", mine))
        for dim, value in values.items()
    ]
    return cast(Comparison, SimpleNamespace(bands=pd.DataFrame(rows), baseline="base"))


def test_no_deal_in_either_scenario_is_not_told_and_never_printed_as_nan() -> None:
    comparison = _comparison({"idf_withdrawal": NAN}, {"idf_withdrawal": NAN})
    assert politics_lines(comparison, "mine") == []


def test_a_deal_in_one_scenario_only_is_told_in_words() -> None:
    comparison = _comparison(
        {"idf_withdrawal": NAN, "mandate_robustness": 40.0},
        {"idf_withdrawal": 62.0, "mandate_robustness": NAN},
    )
    lines = politics_lines(comparison, "mine")
    assert lines[0].startswith("forecast on mandate robustness at the end: 40 → no deal in any run")
    assert "idf withdrawal at the end: no deal in any run → 62" in lines[1]
    assert not any(re.search(r"\bnan\b", line) for line in lines)


def test_small_moves_are_left_out_and_large_ones_told() -> None:
    comparison = _comparison(
        {"idf_withdrawal": 50.0, "mandate_robustness": 40.0},
        {"idf_withdrawal": 51.0, "mandate_robustness": 70.0},
    )
    (line,) = politics_lines(comparison, "mine")
    assert "mandate robustness at the end: 40 → 70" in line
