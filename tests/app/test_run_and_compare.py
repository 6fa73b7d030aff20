"""The Run and Compare pages: run with progress, cached results, comparison charts and views."""

from __future__ import annotations

from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from sim.ui.state import COMPLETED, LAST_RESULTS, memory
from tests.app.conftest import (
    charts_in,
    flip_to_rejects_vetoed,
    markdown_text,
    no_exceptions,
    shorten,
)


def run_edited(app: AppTest, seed: int | None = None) -> AppTest:
    shorten(app)
    flip_to_rejects_vetoed(app)
    app.switch_page("sim/ui/pages/run.py").run()
    if seed is not None:
        app.number_input(key="seed").set_value(seed).run()
    app.button(key="run_button").click().run()
    return app


def test_run_page_explains_the_difference_from_the_origin(app: AppTest) -> None:
    run_edited(app)
    no_exceptions(app)
    # yours and where it started (3 replications), besides the Overview's 2x2
    assert len({key for key in app.session_state[COMPLETED] if key[1] == 3}) == 2
    [forest] = charts_in(app, "comparison-chart")
    assert "my-hamas-rejects-turkey-vetoed" in str(forest)
    text = markdown_text(app)
    assert "What differs in the inputs" in text
    assert "Israel's veto keeps Turkish troops out: no → yes" in text
    assert "forecast on turkish participation" in text
    labels = [m.label for m in app.metric][:2]
    assert labels == ["Ceasefire collapsed · share of runs", "Civilian deaths · median"]
    assert "What matters most" in text
    results = app.session_state[LAST_RESULTS]
    assert set(results.summary["scenario"]) == {
        "my-hamas-rejects-turkey-vetoed",
        "hamas-accepts-turkey-included",
    }
    assert results.summary.groupby("scenario")["replication"].nunique().tolist() == [3, 3]


def counting_model(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count calls of the model (the runner looks it up at each run)."""
    import sim.model.run as model_run

    calls: list[int] = []
    real = model_run.run_scenario

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(model_run, "run_scenario", counted)
    return calls


def test_run_results_come_back_from_the_cache(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = counting_model(monkeypatch)
    run_edited(app, seed=424_242)  # a seed no other test uses: nothing cached yet
    first = app.session_state[LAST_RESULTS].summary
    assert len(calls) == 6  # 3 replications of yours and of its origin, freshly run
    app.button(key="run_button").click().run()
    assert len(calls) == 6  # the second click ran nothing
    memory().clear()  # the memory cache gone, the runner's folders on disk answer
    app.button(key="run_button").click().run()
    assert len(calls) == 6
    again = app.session_state[LAST_RESULTS].summary
    assert first.drop(columns=["duration_s", "worker"]).equals(
        again.drop(columns=["duration_s", "worker"])
    )


def test_an_invalid_draft_cannot_run(app: AppTest) -> None:
    [un_mission] = [c for c in app.checkbox if c.label == "un mission"]
    un_mission.check().run()
    app.switch_page("sim/ui/pages/run.py").run()
    no_exceptions(app)
    assert "cannot run yet" in " ".join(e.value for e in app.error)
    assert not app.button


@pytest.fixture
def compared(app: AppTest) -> AppTest:
    app.switch_page("sim/ui/pages/compare.py").run()
    app.multiselect(key="compare_selection").set_value(
        ["hamas-accepts-turkey-included", "hamas-rejects-turkey-vetoed"]
    ).run()
    app.number_input(key="compare_days").set_value(30).run()
    app.button(key="compare_button").click().run()
    no_exceptions(app)
    return app


def test_compare_shows_tables_and_the_forest_plot(compared: AppTest) -> None:
    assert compared.selectbox(key="compare_baseline").value == "hamas-accepts-turkey-included"
    assert len(compared.dataframe) == 2  # bands, differences
    bands = compared.dataframe[0].value
    assert list(bands.columns) == [
        "outcome",
        "hamas-accepts-turkey-included",
        "hamas-rejects-turkey-vetoed",
    ]
    assert charts_in(compared, "comparison-chart")
    assert "Outcomes" in markdown_text(compared)


@pytest.mark.parametrize("view", ["Over time", "Distributions", "Ceasefire"])
def test_compare_chart_views(compared: AppTest, view: str) -> None:
    compared.segmented_control(key="compare_view").set_value(view).run()
    no_exceptions(compared)
    assert compared.get("vega_lite_chart")


def test_compare_map_by_day(compared: AppTest) -> None:
    compared.segmented_control(key="compare_view").set_value("Map").run()
    assert len(compared.image) == 2
    compared.slider(key="map_day").set_value(20).run()
    compared.selectbox(key="map_field").set_value("incidents").run()
    no_exceptions(compared)
    assert len(compared.image) == 2


def test_the_map_plays_through_the_recorded_days(compared: AppTest) -> None:
    compared.segmented_control(key="compare_view").set_value("Map").run()
    compared.slider(key="map_day").set_value(14).run()
    captions = [i.proto.imgs[0].caption for i in compared.image]
    assert all(c.endswith("day 0") for c in captions), captions
    compared.button(key="map_play").click().run()  # each rerun while playing is one frame
    no_exceptions(compared)
    assert compared.session_state["map_playing"]
    assert compared.slider(key="map_day").value == 15
    assert all(i.proto.imgs[0].caption.endswith("day 15") for i in compared.image)
    assert "Pause" in compared.button(key="map_play").label
    compared.run()  # the next tick: the last recorded day (29, the horizon's last)
    no_exceptions(compared)
    assert compared.slider(key="map_day").value == 29
    compared.run()  # nothing after it: playing stops there
    no_exceptions(compared)
    assert not compared.session_state["map_playing"]
    assert compared.slider(key="map_day").value == 29
    assert "Play" in compared.button(key="map_play").label
    compared.button(key="map_play").click().run()  # from the end it starts over at day 0
    assert compared.slider(key="map_day").value == 0
    compared.button(key="map_play").click().run()  # pause holds the day
    assert not compared.session_state["map_playing"]
    compared.run()
    assert compared.slider(key="map_day").value == 0


def test_compare_bargaining_layer(compared: AppTest) -> None:
    compared.segmented_control(key="compare_view").set_value("Bargaining").run()
    no_exceptions(compared)
    assert len(compared.get("vega_lite_chart")) == 3  # positions, quad map, weekly
    compared.selectbox(key="bargain_actor").set_value("israel").run()
    text = markdown_text(compared)
    assert "Round " in text or "never moved" in text
    compared.selectbox(key="bargain_dimension").set_value("turkish_participation").run()
    no_exceptions(compared)


def test_failing_runs_are_reported_and_not_cached(
    app: AppTest, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sim.model.run as running

    real = running.run_scenario

    def explode(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the model exploded")

    monkeypatch.setattr(running, "run_scenario", explode)
    shorten(app)
    app.switch_page("sim/ui/pages/run.py").run()
    app.number_input(key="seed").set_value(987_654).run()
    app.button(key="run_button").click().run()
    no_exceptions(app)
    assert "3 run(s) failed" in app.warning[0].value
    assert "no finished run" in app.error[0].value
    assert "the model exploded" in app.code[0].value
    monkeypatch.setattr(running, "run_scenario", real)
    app.button(key="run_button").click().run()
    no_exceptions(app)
    assert not app.error and app.metric  # the failure was not cached
