"""The Compare page's map of Gaza by day and its view of the bargaining layer."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from sim.analysis.charts import colour_key, positions_chart, quad_chart, weekly_forecast_chart
from sim.analysis.compare import Comparison
from sim.analysis.explain import moves_story
from sim.experiments.app_runs import MAP_EVERY_DAYS, payload_of
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


def show_map(scenarios: dict[str, Scenario], comparison: Comparison, seed: int) -> None:
    """Maps of up to three scenarios on one day, with a day slider."""
    labels = comparison.scenarios
    default = labels[:2]
    picks = st.multiselect(
        "Scenarios to map", labels, default=default, max_selections=3, key="map_scenarios"
    )
    left, right = st.columns([1, 2])
    field = left.selectbox(
        "What to show",
        MAP_FIELDS,
        key="map_field",
        format_func=lambda f: f"{f.replace('_', ' ')}: {SNAPSHOT_FIELDS[f]}",
    )
    horizon = max(s.metadata.horizon_days for s in scenarios.values())
    day = (
        right.slider("Day", 0, horizon - 1, value=min(90, horizon - 1), step=1, key="map_day")
        if horizon > 1
        else 0
    )
    entropy = state.entropy_of(seed)
    # "wide-" containers: on narrow windows their columns take the full width (maps stay legible)
    columns = st.container(key="wide-maps").columns(max(1, len(picks)))
    for column, label in zip(columns, picks, strict=False):
        scenario = scenarios[label]
        digest = scenario_hash(scenario)
        detail = state.cached_detail(digest, entropy, payload_of(scenario))
        if detail.maps is None:
            column.info("No map recorded.")
            continue
        snapshot_day = detail.maps.days[detail.maps.index_of(day)]
        png = state.cached_map(digest, entropy, field, snapshot_day, detail)
        column.image(png, caption=f"{label}, day {snapshot_day}", width="stretch")
    st.caption(
        f"Snapshots every {MAP_EVERY_DAYS} days; "
        "the map shows the last one on or before the day chosen."
    )
    how_to_read(MAP_HELP)


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
