"""Page 2, Run: replications of your scenario (and of where it started), with a progress bar."""

from __future__ import annotations

import os
import sys
import time

import streamlit as st

from sim.analysis.explain import explain
from sim.scenario.editing import Draft, changes, problem_lines, with_horizon
from sim.scenario.errors import ScenarioError
from sim.scenario.schema import Scenario
from sim.ui import state
from sim.ui.results import (
    FAN_SERIES,
    show_differences,
    show_fans,
    show_legend,
    show_metrics,
    show_run_errors,
    show_warnings,
    show_what_matters,
)
from sim.ui.widgets import how_to_read, run_with_progress, show_problems

RUN_HELP = """
A replication is one simulated year with its own chance events. The lab runs each scenario many
times with the same sequence of random seeds (replication *i* of every scenario draws the same
numbers), so that differences between scenarios come from the scenarios, not from luck. 30
replications give usable medians and bands; use more when two scenarios are close.
"""


TRACE = "ISF_LAB_TRACE"
"""Set to 1 to print when each stage of a run ends (``bench/bench_app.py`` reads them)."""


def trace(stage: str) -> None:
    """Print ``isf-lab trace STAGE UNIX_TIME`` to stderr when :data:`TRACE` is set."""
    if os.environ.get(TRACE) == "1":
        print(f"isf-lab trace {stage} {time.time():.3f}", file=sys.stderr, flush=True)


def render() -> None:
    """Draw the Run page."""
    trace("script-start")
    st.title("Run")
    draft = state.draft()
    built, problems = state.built_draft()
    if draft is None or built is None:
        show_problems(problem_lines(ScenarioError(problems)), "Your scenario cannot run yet")
        st.page_link(
            "sim/ui/pages/scenario.py",
            label="Fix it on the Scenario page",
            icon=":material/edit_note:",
        )
        return
    scenarios = run_set(draft, built)
    labels = list(scenarios)
    intro = f"Runs **{labels[0]}**"
    if len(labels) > 1:
        intro += f" and, for comparison, **{labels[1]}** (where your scenario started)"
    st.markdown(intro + ".")
    _settings()
    reps, seed = int(st.session_state[state.REPS]), int(st.session_state[state.SEED])
    if st.button("Run", type="primary", key="run_button"):
        trace("run-start")
        run_with_progress(scenarios, reps, seed)
        trace("runs-done")
    if all(state.is_complete(s, reps, seed) for s in scenarios.values()):
        _results(draft, scenarios, reps, seed)
    else:
        st.info(
            "Press **Run** to simulate. Results are kept: "
            "running the same scenario again is instant."
        )


def run_set(draft: Draft, built: Scenario) -> dict[str, Scenario]:
    """Your scenario, and its origin (over the same number of days) when you changed something."""
    scenarios = {state.draft_label(built, draft): built}
    if draft.edited:
        origin = with_horizon(draft.origin, built.metadata.horizon_days)
        scenarios.setdefault(draft.origin.metadata.name, origin)
    return scenarios


def _settings() -> None:
    left, right = st.columns([3, 1])
    left.slider(
        "Replications per scenario",
        min_value=1,
        max_value=200,
        key=state.REPS,
        help="More replications give tighter bands and intervals; 30 is a sensible default.",
    )
    right.number_input(
        "Seed",
        min_value=0,
        max_value=2**31 - 1,
        step=1,
        key=state.SEED,
        help="The same seed gives the same results, here and with the command line.",
    )
    how_to_read(RUN_HELP)


def _results(draft: Draft, scenarios: dict[str, Scenario], reps: int, seed: int) -> None:
    blocks = state.run_many(scenarios, reps, seed)
    labels = list(scenarios)
    if not show_run_errors(blocks):
        return
    baseline = labels[-1]
    comparison, bands, daily = state.compare_blocks(blocks, scenarios, reps, seed, baseline)
    trace("compared")
    mine = labels[0]
    story = (
        explain(comparison, mine, changes(scenarios[baseline], scenarios[mine]))
        if mine != baseline
        else None
    )
    st.subheader("Results")
    show_warnings(comparison)
    show_metrics(comparison, mine)
    show_legend()
    if story is not None:
        show_what_matters(comparison)
        st.subheader(f"How {mine} differs from {baseline}")
        show_differences(comparison)
        trace("chart-sent")
        st.markdown(story.markdown())
    st.subheader("Day by day")
    show_fans(bands, labels, FAN_SERIES, comparison.summary)
    trace("fans-sent")
    timing = st.session_state.get(state.LAST_TIMING)
    if timing:
        st.caption(
            f"Last run: {timing['runs']} replications in {timing['seconds']:.1f} s "
            f"on {timing['workers']} worker(s) (cached results return at once)."
        )
    st.page_link(
        "sim/ui/pages/compare.py",
        label="Compare with other scenarios",
        icon=":material/compare_arrows:",
    )
    # Kept for the Downloads page, without the actor positions: this page does not show them,
    # and reading them (0.1-0.3 s of the server's CPU) is left to Downloads, when opened.
    explained = [*story.changed, *story.outcomes] if story is not None else []
    state.keep_results(
        (comparison, bands, daily), scenarios, blocks, reps, seed, "Run page", explained
    )
    trace("page-done")
