"""Page 3, Compare: two or more scenarios side by side, with their differences explained."""

from __future__ import annotations

import streamlit as st

from sim.analysis.compare import Comparison
from sim.analysis.explain import explain
from sim.scenario.editing import changes, with_horizon
from sim.scenario.names import HEADLINE_2X2
from sim.scenario.schema import Scenario
from sim.ui import state
from sim.ui.compare_sections import show_bargaining, show_map
from sim.ui.page_positions import show_positions_by_dimension
from sim.ui.results import (
    FAN_SERIES,
    MORE_FAN_SERIES,
    show_differences,
    show_distributions,
    show_fans,
    show_kpi_table,
    show_run_errors,
    show_survival,
    show_warnings,
    show_what_matters,
)
from sim.ui.widgets import run_with_progress

SELECTION = "compare_selection"
BASELINE = "compare_baseline"
VIEW = "compare_view"
DAYS = "compare_days"
VIEWS = [
    "Outcomes",
    "Over time",
    "Distributions",
    "Ceasefire",
    "Actor positions",
    "Map",
    "Bargaining",
]
DEFAULT_DAYS = 365


def render() -> None:
    """Draw the Compare page."""
    st.title("Compare")
    st.markdown(
        "Pick two or more scenarios: your own edits, the ones you kept, uploads, and the "
        "project's files (the 2x2 of Hamas's answer and Turkey's place in the force among them). "
        "Every scenario runs with the same seeds, so differences are paired run by run."
    )
    choices = state.scenario_choices()
    _selection_widgets(choices)
    selected = [label for label in st.session_state[SELECTION] if label in choices]
    if len(selected) < 2:
        st.info("Choose at least two scenarios.")
        return
    days = int(st.session_state[DAYS])
    scenarios = {label: with_horizon(choices[label], days) for label in selected}
    reps, seed = int(st.session_state[state.REPS]), int(st.session_state[state.SEED])
    if st.button("Run comparison", type="primary", key="compare_button"):
        _run(scenarios, reps, seed)
    if not all(state.is_complete(s, reps, seed) for s in scenarios.values()):
        missing = sum(not state.is_complete(s, reps, seed) for s in scenarios.values())
        st.info(f"Press **Run comparison**: {missing} of {len(scenarios)} scenarios still to run.")
        return
    _show(scenarios, reps, seed)


def _defaults(choices: dict[str, Scenario]) -> list[str]:
    notes = st.session_state.get(state.CHOICE_NOTES, {})
    draft_labels = [label for label in choices if notes.get(label) == state.YOURS]
    square = list(HEADLINE_2X2)
    return draft_labels + [label for label in square if label in choices]


def _add_square(choices: list[str]) -> None:
    square = [name for name in HEADLINE_2X2 if name in choices]
    current = list(st.session_state.get(SELECTION, []))
    st.session_state[SELECTION] = current + [s for s in square if s not in current]


def _selection_widgets(choices: dict[str, Scenario]) -> None:
    labels = list(choices)
    if SELECTION not in st.session_state:
        st.session_state[SELECTION] = _defaults(choices)
    st.session_state[SELECTION] = [s for s in st.session_state[SELECTION] if s in choices]
    st.session_state.setdefault(DAYS, DEFAULT_DAYS)
    left, right = st.columns([4, 1], vertical_alignment="bottom")
    left.multiselect("Scenarios", labels, key=SELECTION, format_func=state.choice_caption)
    right.button("Add the 2x2 set", key="add_square", on_click=_add_square, args=(labels,))
    selected = st.session_state[SELECTION]
    if selected and st.session_state.get(BASELINE) not in selected:
        notes = st.session_state.get(state.CHOICE_NOTES, {})
        files = [label for label in selected if label not in notes]
        st.session_state[BASELINE] = (files or selected)[0]
    columns = st.columns(3)
    if selected:
        columns[0].selectbox(
            "Baseline", selected, key=BASELINE, help="Every other scenario is compared with it."
        )
    columns[1].slider("Replications per scenario", 1, 200, key=state.REPS)
    columns[2].number_input(
        "Days to simulate",
        min_value=7,
        max_value=3650,
        step=1,
        key=DAYS,
        help="Every scenario runs this many days, so they compare like with like.",
    )


def _run(scenarios: dict[str, Scenario], reps: int, seed: int) -> None:
    run_with_progress(scenarios, reps, seed)
    timing = st.session_state[state.LAST_TIMING]
    st.caption(
        f"Done: {timing['runs']} replications in {timing['seconds']:.1f} s "
        "(cached runs return at once)."
    )


def _show(scenarios: dict[str, Scenario], reps: int, seed: int) -> None:
    baseline = st.session_state[BASELINE]
    blocks = state.run_many(scenarios, reps, seed)
    if not show_run_errors(blocks):
        return
    comparison, bands, daily = state.compare_blocks(blocks, scenarios, reps, seed, baseline)
    show_warnings(comparison)
    st.session_state.setdefault(VIEW, VIEWS[0])
    view = st.segmented_control("Show", VIEWS, key=VIEW) or VIEWS[0]
    positions = None  # read by the view that shows them, else left for the Downloads page
    if view == "Outcomes":
        _outcomes(comparison, scenarios)
    elif view == "Over time":
        extra = st.multiselect("More series", MORE_FAN_SERIES, key="more_series")
        show_fans(bands, comparison.scenarios, [*FAN_SERIES, *extra], comparison.summary)
    elif view == "Distributions":
        show_distributions(comparison, key="distribution_outcome")
    elif view == "Ceasefire":
        show_survival(comparison)
    elif view == "Actor positions":
        positions = state.blocks_positions(blocks, reps)
        show_positions_by_dimension(positions, comparison.scenarios, key="compare-positions")
    elif view == "Map":
        show_map(scenarios, comparison, seed)
    else:
        show_bargaining(scenarios, comparison, seed)
    # Kept for the Downloads page once the view is drawn.
    findings = [
        f"{label}: {line}"
        for label in comparison.scenarios[1:]
        for line in explain(comparison, label, []).outcomes[:4]
    ]
    shown = (comparison, bands, daily)
    state.keep_results(shown, scenarios, blocks, reps, seed, "Compare page", findings, positions)


def _outcomes(comparison: Comparison, scenarios: dict[str, Scenario]) -> None:
    show_what_matters(comparison)
    st.subheader("Key outcomes")
    show_kpi_table(comparison)
    st.subheader(f"Differences against {comparison.baseline}")
    show_differences(comparison)
    others = [s for s in comparison.scenarios if s != comparison.baseline]
    chosen = st.selectbox("Explain the difference of", others, key="explain_scenario")
    if chosen:
        found = changes(scenarios[comparison.baseline], scenarios[chosen])
        st.markdown(explain(comparison, chosen, found).markdown())
