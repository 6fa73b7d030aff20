"""Actor positions across scenarios in Compare, and the political rows of the app's report."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from sim.analysis.palette import scenario_colours
from sim.analysis.positions import gather_positions
from sim.analysis.report_bundle import html_report
from sim.scenario.names import HEADLINE_2X2
from sim.ui.state import LAST_RESULTS, PENDING_POSITIONS
from tests.app.conftest import APP, TIMEOUT_S, charts_in, no_exceptions

PAIR = ["hamas-accepts-turkey-included", "hamas-rejects-turkey-vetoed"]


@pytest.fixture(scope="module")
def compared(runs_cache: Path) -> AppTest:
    """Compare with the 2x2's hopeful and bleak corners (30 days, 3 replications)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ISF_LAB_WORKERS", "1")
        patch.setenv("ISF_LAB_CACHE", str(runs_cache))
        patch.setenv("ISF_LAB_OVERVIEW_REPS", "2")
        patch.setenv("ISF_LAB_REPS", "3")
        at = AppTest.from_file(str(APP), default_timeout=180).run()
        at.switch_page("sim/ui/pages/compare.py").run()
        at.multiselect(key="compare_selection").set_value(PAIR).run()
        at.number_input(key="compare_days").set_value(30).run()
        at.button(key="compare_button").click().run()
        no_exceptions(at)
        at.segmented_control(key="compare_view").set_value("Actor positions").run()
        no_exceptions(at)
        return at


def test_compare_shows_a_section_per_dimension_with_scenario_markers(compared: AppTest) -> None:
    positions = compared.session_state[LAST_RESULTS].positions
    assert positions is not None
    assert compared.session_state[PENDING_POSITIONS] is None  # the view's own, kept once
    assert set(positions["scenario"]) == set(PAIR)
    assert positions["replication"].max() == 2  # the comparison's 3 replications, no more
    dimensions = list(dict.fromkeys(positions["dimension"]))
    assert len(dimensions) >= 2
    for dimension in dimensions:
        specs = charts_in(compared, f"compare-positions-{dimension}")
        assert len(specs) == 1, dimension
        colours = list(colour_encodings(specs[0]))
        assert colours, dimension
        expected = list(scenario_colours(PAIR).values())
        for colour in colours:  # the shared palette, in the compared order
            assert colour["scale"] == {"domain": PAIR, "range": expected}
    subheaders = [h.value for h in compared.subheader]
    assert "Hamas disarmament" in subheaders
    assert any(e.label == "How to read this" for e in compared.expander)


def colour_encodings(spec: Any) -> Iterator[dict[str, Any]]:
    """Every ``color`` encoding in a Vega-Lite spec (layers included)."""
    if isinstance(spec, dict):
        colour = spec.get("encoding", {}).get("color")
        if colour is not None:
            yield colour
        for value in spec.values():
            yield from colour_encodings(value)
    elif isinstance(spec, list):
        for item in spec:
            yield from colour_encodings(item)


def test_deal_tables_give_p_deal_and_the_no_deal_state(compared: AppTest) -> None:
    tables = [d.value for d in compared.dataframe]
    disarm = next(
        t
        for t in tables
        if "what holds" in t.columns and t["what holds"].str.contains("no deal").any()
    )
    assert set(disarm["scenario"]) == set(PAIR)
    assert disarm["P(deal)"].between(0, 1).all()
    rejects = disarm.set_index("scenario").loc["hamas-rejects-turkey-vetoed"]
    assert rejects["P(deal)"] < 1.0
    assert "no deal: status quo" in rejects["what holds"]


def test_the_downloaded_report_carries_the_political_rows(compared: AppTest) -> None:
    results = compared.session_state[LAST_RESULTS]
    html = html_report(results).decode()
    assert "Politics: deals and actor positions" in html
    assert "deal on hamas_disarmament" in html
    assert "israel on " in html and "hamas on " in html
    assert "no deal: status quo" in html


def test_gather_positions_labels_and_cuts_to_the_replications() -> None:
    table = pd.DataFrame(
        {"scenario": ["file-name"] * 3, "replication": [0, 1, 4], "position": [1.0, 2.0, 3.0]}
    )
    gathered = gather_positions({"my label": table, "none": None}, reps=2)
    assert gathered is not None
    assert list(gathered["scenario"].unique()) == ["my label"]
    assert list(gathered["replication"]) == [0, 1]
    assert gather_positions({"a": None}) is None


def test_overview_shows_the_2x2_actor_positions_on_request() -> None:
    at = AppTest.from_file(str(APP), default_timeout=TIMEOUT_S).run()
    no_exceptions(at)
    assert not charts_in(at, "overview-positions-hamas_disarmament")  # off until asked
    at.toggle(key="overview_positions").set_value(True).run()
    no_exceptions(at)
    specs = charts_in(at, "overview-positions-hamas_disarmament")
    assert len(specs) == 1
    corners = list(HEADLINE_2X2)
    for colour in colour_encodings(specs[0]):
        assert colour["scale"]["domain"] == corners
    deals = [d.value for d in at.dataframe if "P(deal)" in d.value.columns]
    assert deals and all(set(t["scenario"]) == set(corners) for t in deals)
