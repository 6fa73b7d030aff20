"""Page 0, Overview: the headline 2x2 at a glance, findings in words, presets, things to try.

The 2x2's runs are computed once and kept on disk by the batch runner (folders keyed by each
scenario's hash, the seed and a fingerprint of the code), so they are recomputed only when the
model or a scenario changes; the first visit after such a change runs them with a progress bar.
"""

from __future__ import annotations

import os
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from sim.analysis.charts import survival_chart
from sim.analysis.compare import Comparison
from sim.analysis.outcomes import format_value, outcome_info
from sim.analysis.palette import scenario_colours
from sim.scenario.names import HEADLINE_2X2
from sim.scenario.schema import Scenario
from sim.ui import state
from sim.ui.page_positions import show_positions_by_dimension
from sim.ui.results import show_legend, show_what_matters
from sim.ui.widgets import how_to_read, run_with_progress

OVERVIEW_REPS_ENV = "ISF_LAB_OVERVIEW_REPS"
DEFAULT_OVERVIEW_REPS = 30
OVERVIEW_SEED = 1
CARD_OUTCOMES = ("ceasefire_collapsed", "civilian_deaths", "secure_population_share_mean")
THINGS_TO_TRY = [
    (
        "Does a bigger force offset Hamas's rejection?",
        {
            "scenario": HEADLINE_2X2[3],
            "edits": "forces.contributors.indonesia.pledged_troops=12000",
        },
        "run",
    ),
    (
        "What if Hamas only partly accepts?",
        {"scenario": HEADLINE_2X2[0], "hamas": "partial"},
        "scenario",
    ),
    (
        "Does Turkey's place matter once Hamas rejects? Compare the two rejecting corners.",
        {"cmp": ",".join(HEADLINE_2X2[2:]), "base": HEADLINE_2X2[2]},
        "compare",
    ),
    (
        "How sure are we? Run the whole 2x2 with 100 replications.",
        {"cmp": ",".join(HEADLINE_2X2), "reps": "100"},
        "compare",
    ),
]


def overview_reps() -> int:
    """Replications per corner: ``$ISF_LAB_OVERVIEW_REPS`` or 30."""
    text = os.environ.get(OVERVIEW_REPS_ENV, "")
    return max(1, int(text)) if text.strip().isdigit() else DEFAULT_OVERVIEW_REPS


def render() -> None:
    """Draw the Overview page."""
    st.title("ISF scenario lab")
    st.markdown(
        "An open lab for the international stabilization force proposed for Gaza: what changes "
        "if Hamas accepts or rejects disarmament, if Israel's veto keeps Turkey out, if the "
        "force arrives at a fraction of its strength? Every number cites its source or is "
        "labelled an assumption; every result comes with its spread over many runs."
    )
    corners = _corners()
    if len(corners) < len(HEADLINE_2X2):
        st.error("The 2x2's scenario files do not all load; see the Scenario page.")
    else:
        found = _comparison(corners)
        if found is not None:
            comparison, positions = found
            _glance(comparison)
            _positions(positions, comparison.scenarios)
    _presets()
    _things_to_try()


def _corners() -> dict[str, Scenario]:
    found = {}
    for name in HEADLINE_2X2:
        scenario = state.shipped(f"{name}.yaml")
        if scenario is not None:
            found[name] = scenario
    return found


def _comparison(
    corners: dict[str, Scenario],
) -> tuple[Comparison, pd.DataFrame | None] | None:
    reps = overview_reps()
    missing = [s for s in corners.values() if not state.is_complete(s, reps, OVERVIEW_SEED)]
    if missing:
        # The Run page's plain, throttled bar: a status box's spinning icon kept the browser
        # busy while the workers ran (bench/bench_app.py).
        note = st.empty()
        note.caption(
            f"Running the 2x2 once ({reps} replications each); kept on disk for later visits."
        )
        run_with_progress(corners, reps, OVERVIEW_SEED)
        note.empty()
    blocks = state.run_many(corners, reps, OVERVIEW_SEED)
    if any(b.summary.empty for b in blocks.values()):
        st.error("Some runs of the 2x2 failed; see the Run page for details.")
        return None
    comparison, _, _ = state.compare_blocks(blocks, corners, reps, OVERVIEW_SEED, HEADLINE_2X2[0])
    return comparison, state.blocks_positions(blocks, reps)


def _positions(positions: pd.DataFrame | None, scenarios: list[str]) -> None:
    """Where the actors end up in each corner (behind a toggle: it is long)."""
    st.subheader("Where the actors end up")
    if st.toggle("Show actor positions and deals per dimension", key="overview_positions"):
        show_positions_by_dimension(positions, scenarios, key="overview-positions")


def _glance(comparison: Comparison) -> None:
    reps = overview_reps()
    st.subheader("The 2x2 at a glance")
    st.caption(
        f"Hamas's answer on disarmament (rows) against Turkey's place in the force (columns); "
        f"{reps} replications each, seed {OVERVIEW_SEED}, one simulated year."
    )
    colours = scenario_colours(comparison.scenarios)
    with st.container(key="overview-grid"):
        for row in (HEADLINE_2X2[:2], HEADLINE_2X2[2:]):
            for column, name in zip(st.columns(2), row, strict=True):
                with column.container(border=True):
                    _card(comparison, name, colours[name])
    with st.container(key="overview-findings"):
        st.subheader("What the runs say")
        show_what_matters(comparison)
    show_legend()
    st.markdown("**How long the ceasefire holds**")
    st.altair_chart(survival_chart(comparison.survival, comparison.scenarios), width="stretch")
    how_to_read(
        "Each curve is the share of runs whose ceasefire still holds on each day (Kaplan-Meier). "
        "Each card gives the share of runs in which the ceasefire collapsed within the year and "
        "the median over runs of the other outcomes."
    )


def _card(comparison: Comparison, name: str, colour: str) -> None:
    bands = comparison.bands.set_index(["scenario", "outcome"])
    title = name.replace("hamas-", "Hamas ").replace("-turkey-", ", Turkey ")
    st.markdown(f'<span style="color:{colour};font-size:1.3em">&#9632;</span> **{title}**',
                unsafe_allow_html=True)  # fmt: skip
    parts = []
    for outcome in CARD_OUTCOMES:
        if (name, outcome) not in bands.index:
            continue
        row = bands.loc[(name, outcome)]
        info = outcome_info(outcome)
        centre = "mean" if outcome == "ceasefire_collapsed" else "median"
        what = "of runs" if centre == "mean" else "median"
        parts.append(f"{info.label}: **{format_value(outcome, float(row[centre]))}** ({what})")
    st.markdown("  \n".join(parts))


def _presets() -> None:
    st.subheader("Presets")
    st.caption("The project's scenario files, each with the question it answers.")
    for item in state.library():
        if item.payload is None or "/" in item.label:
            continue
        scenario = state.shipped(item.label)
        if scenario is None:
            continue
        with st.container(border=True):
            left, right = st.columns([5, 1], vertical_alignment="center")
            left.markdown(f"**{scenario.metadata.title}**  \n{scenario.metadata.question}")
            right.button(
                "Open",
                key=f"preset:{item.label}",
                on_click=_open_preset,
                args=(item.label,),
                help="Start editing from this scenario",
            )


def _open_preset(label: str) -> None:
    scenario = state.shipped(label)
    if scenario is not None:
        state.start_draft(scenario, label)
        st.session_state["open_scenario_page"] = True


def _things_to_try() -> None:
    st.subheader("Things to try")
    lines = []
    for text, params, page in THINGS_TO_TRY:
        query = urlencode(params, safe=",")
        lines.append(f"* [{text}](./{page}?{query})")
    st.markdown("\n".join(lines))
    if st.session_state.pop("open_scenario_page", False):
        st.switch_page("sim/ui/pages/scenario.py")
