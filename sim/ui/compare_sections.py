"""The Compare page's map of Gaza by day and its view of the bargaining layer."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sim.analysis.charts import colour_key, positions_chart, quad_chart, weekly_forecast_chart
from sim.analysis.compare import Comparison
from sim.analysis.explain import moves_story
from sim.experiments.app_runs import MAP_EVERY_DAYS, Detail, payload_of
from sim.model.maps import SNAPSHOT_FIELDS
from sim.scenario.loader import scenario_hash
from sim.scenario.schema import Scenario
from sim.ui import state
from sim.ui.widgets import how_to_read

MAP_FIELDS = ["controller", "incidents", "aid_days", "civilian_deaths", "grievance", "population"]
MAP_HELP = """
One replication (replication 1, the same seed in every scenario) drawn on the Strip, north at
the top. **controller**: who secures each cell (grey nobody, green Hamas, blue the force, light
blue the police, red the IDF). **incidents** and **civilian deaths**: events in each cell on
that day. **aid days**: food and supplies in stock per resident, in days of need. The **gold
line** is the edge of the area the IDF holds that day (the "yellow line"); watch it move as
sectors are handed over, or as the IDF re-enters.
"""
POSITIONS_HELP = """
Each line is one actor's position on the chosen dimension, round by round, as the bargaining
engine plays the scenario's table on its own until it settles (a Spatial Model of Politics, as
in KAPSARC's KTAB). Actors move when they accept a bargain that they prefer to fighting it out.
The dashed black line is the forecast outcome: the capability- and salience-weighted position,
kept inside what the enforced vetoes allow.
"""
QUAD_HELP = """
KTAB's "quad map". Each dot is one challenge an actor considered in the chosen round: across,
what the initiator expects to gain; up, what it expects the target to gain. **Top right**: both
gain, so a compromise is likely. **Bottom right**: the initiator gains and the target gives
way, because it expects to lose a contest. Dots at the left are challenges the initiator would
not make. Hover for the pair and the initiator's chance of prevailing.
"""
WEEKLY_HELP = """
Inside a full simulation the bargaining layer plays one round a week, after the week's events
are turned into shocks (troops killed shift a contributor away from a robust mandate; civilian
deaths in strikes shift Arab states toward withdrawal; weapons handed in shift Israel toward
withdrawing). These lines are the weekly forecast in replication 1 of each scenario; the table
lists the shocks, and the actors that moved after them.
"""


MAP_DAY = "map_day"
PLAYING = "map_playing"
PLAY_SECONDS = 1.0
"""Seconds between frames while the map plays."""


def show_map(scenarios: dict[str, Scenario], comparison: Comparison, seed: int) -> None:
    """Maps of up to three scenarios on one day, with a day slider and a play control."""
    labels = comparison.scenarios
    picks = st.multiselect(
        "Scenarios to map", labels, default=labels[:2], max_selections=3, key="map_scenarios"
    )
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    field = left.selectbox(
        "What to show",
        MAP_FIELDS,
        key="map_field",
        format_func=lambda f: f"{f.replace('_', ' ')}: {SNAPSHOT_FIELDS[f]}",
    )
    horizon = max(s.metadata.horizon_days for s in scenarios.values())
    entropy = state.entropy_of(seed)
    details = {
        label: state.cached_detail(scenario_hash(scenarios[label]), entropy,
                                   payload_of(scenarios[label]))
        for label in picks
    }  # fmt: skip
    days = sorted({d for x in details.values() if x.maps is not None for d in x.maps.days})
    days = [d for d in days if d < horizon]
    playing = bool(st.session_state.get(PLAYING)) and len(days) > 1
    right.button(
        ":material/pause: Pause" if playing else ":material/play_arrow: Play",
        key="map_play",
        on_click=_toggle_play,
        args=(days,),
        disabled=len(days) < 2,
        help=f"Step through the recorded days, one every {PLAY_SECONDS:g} s.",
    )
    frame = st.fragment(run_every=PLAY_SECONDS if playing else None)(_map_frame)
    frame(scenarios, details, field, horizon, days, entropy)
    st.caption(
        f"Snapshots every {MAP_EVERY_DAYS} days; "
        "the map shows the last one on or before the day chosen. **Play** steps through them."
    )
    how_to_read(MAP_HELP)


def _toggle_play(days: list[int]) -> None:
    """Start or pause playing; a play from the last recorded day starts over from the first."""
    playing = not st.session_state.get(PLAYING, False)
    st.session_state[PLAYING] = playing
    if playing and days and st.session_state.get(MAP_DAY, 0) >= days[-1]:
        st.session_state[MAP_DAY] = days[0] - 1  # the first frame then shows the first day


def _next_day(days: list[int], day: int) -> int | None:
    """The first recorded day after ``day`` (``None`` at the end)."""
    return next((d for d in days if d > day), None)


def _map_frame(
    scenarios: dict[str, Scenario],
    details: dict[str, Detail],
    field: str,
    horizon: int,
    days: list[int],
    entropy: int,
) -> None:
    """The day slider and the maps (a fragment: while playing it reruns on its own)."""
    st.session_state.setdefault(MAP_DAY, min(90, horizon - 1))
    st.session_state[MAP_DAY] = min(int(st.session_state[MAP_DAY]), max(horizon - 1, 0))
    if st.session_state.get(PLAYING):
        following = _next_day(days, int(st.session_state[MAP_DAY]))
        if following is None:
            st.session_state[PLAYING] = False
            st.rerun()  # the whole page, so the timer stops and the button says Play
        else:
            st.session_state[MAP_DAY] = following
    day = st.slider("Day", 0, horizon - 1, step=1, key=MAP_DAY) if horizon > 1 else 0
    # "wide-" containers: on narrow windows their columns take the full width (maps stay legible)
    columns = st.container(key="wide-maps").columns(max(1, len(details)))
    for column, (label, detail) in zip(columns, details.items(), strict=False):
        if detail.maps is None:
            column.info("No map recorded.")
            continue
        snapshot_day = detail.maps.days[detail.maps.index_of(day)]
        digest = scenario_hash(scenarios[label])
        png = state.cached_map(digest, entropy, field, snapshot_day, detail)
        column.image(png, caption=f"{label}, day {snapshot_day}", width="stretch")


def show_bargaining(scenarios: dict[str, Scenario], comparison: Comparison, seed: int) -> None:
    """Positions per round, the quad map, why an actor moved, and the weekly coupled forecast."""
    label = st.selectbox("Bargaining table of", comparison.scenarios, key="bargain_scenario")
    scenario = scenarios[label]
    run = state.cached_bargaining(scenario_hash(scenario), payload_of(scenario))
    dimensions = list(run.dimension_labels)
    dimension = st.selectbox(
        "Dimension",
        dimensions,
        key="bargain_dimension",
        format_func=lambda d: run.dimension_labels[d],
    )
    st.markdown(f"**Positions round by round: {run.dimension_labels[dimension]}**")
    st.altair_chart(
        positions_chart(run.positions, run.forecast, dimension, run.actor_names), width="stretch"
    )
    _branch_note(run.forecast, dimension)
    how_to_read(POSITIONS_HELP)
    rounds = int(run.challenges["round"].max()) if not run.challenges.empty else 0
    if rounds >= 1:
        st.markdown("**Who gains from each challenge (the quad map)**")
        chosen_round = st.slider("Round", 1, rounds, 1, key="quad_round") if rounds > 1 else 1
        st.altair_chart(quad_chart(run.challenges, chosen_round, run.actor_names), width="stretch")
        how_to_read(QUAD_HELP)
    st.markdown("**Why did this actor move?**")
    actor = st.selectbox(
        "Actor",
        list(run.actor_names),
        key="bargain_actor",
        format_func=lambda a: run.actor_names[a],
    )
    st.markdown("\n".join(f"- {line}" for line in moves_story(run, actor)))
    _weekly(scenarios, comparison, dimension, seed)


def _branch_note(forecast: pd.DataFrame, dimension: str) -> None:
    rows = forecast[forecast["dimension"] == dimension]
    if rows.empty:
        return
    last = rows.iloc[-1]
    st.caption(
        f"After {int(last['round'])} rounds: **{last['label']}** "
        f"(the actors converge at {last['unconstrained']:.0f})."
    )


def _weekly(
    scenarios: dict[str, Scenario], comparison: Comparison, dimension: str, seed: int
) -> None:
    st.markdown("**The same dimension week by week, inside the simulation**")
    entropy = state.entropy_of(seed)
    logs = []
    for label in comparison.scenarios:
        scenario = scenarios[label]
        detail = state.cached_detail(scenario_hash(scenario), entropy, payload_of(scenario))
        logs.append(detail.politics.assign(scenario=label))
    politics = pd.concat(logs, ignore_index=True) if logs else pd.DataFrame()
    st.markdown(colour_key(comparison.scenarios), unsafe_allow_html=True)
    st.altair_chart(
        weekly_forecast_chart(politics, dimension, comparison.scenarios), width="stretch"
    )
    if not politics.empty:
        shocked = politics[politics["shocks"].map(len) > 0]
        table = shocked[["scenario", "day", "shocks", "movers"]].assign(
            shocks=shocked["shocks"].map("; ".join), movers=shocked["movers"].map(", ".join)
        )
        with st.expander(f"Events that shifted positions ({len(table)} weeks)"):
            st.dataframe(table, hide_index=True, width="stretch")
    how_to_read(WEEKLY_HELP)
