"""Actor positions: where each actor ends up, per dimension, across the scenarios of a batch.

Reads the positions that coupled batch runs store (``positions.parquet`` next to the run files,
written by ``isf-lab batch ... --out results/NAME``) and shows, per dimension: each actor's final
position as a marker per scenario with its 10-90% band, the deal state per scenario (P(deal), or
the status quo that holds without one), and positions over time as small multiples.
"""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from sim.analysis.charts import scenario_scale
from sim.analysis.positions import (
    KEY_ACTORS,
    deal_table,
    final_position_bands,
    position_trajectories,
)
from sim.experiments.positions import load_positions
from sim.ui.page_batch import describe, find_experiments, results_roots
from sim.ui.widgets import how_to_read

HOW_TO_READ = """
Each row is an actor; each coloured marker is the median of that actor's **final position**
(0-100, the dimension's scale) across the replications of one scenario, and the bar its 10-90%
band. Positions are what actors ask for; what is implemented depends on the **decision rule**:
the bargained outcome holds only if every actor whose consent it needs accepts it, otherwise
the dimension stays at its status quo. The table gives, per scenario, how often a deal held at
the end of the horizon and what holds otherwise. Bands come from replications that differ in
their random streams and in the assumed capabilities and saliences drawn within their ranges;
read differences smaller than the bands as "not resolved".
"""


@st.cache_data(show_spinner="Reading positions ...", max_entries=8)
def cached_positions(folder: str, stamp: float) -> pd.DataFrame | None:
    """An experiment folder's positions table (re-read when its manifest changes)."""
    del stamp
    return load_positions(folder)


def render() -> None:
    """Draw the Actor positions page."""
    st.title("Actor positions")
    st.markdown(
        "Where Israel, Hamas, Turkey, Egypt, the US and the others end up on each political "
        "dimension, scenario by scenario, from the coupled runs of a batch "
        "(`isf-lab batch scenarios/hamas-*.yaml --reps 30 --out results/2x2`)."
    )
    roots = results_roots()
    found = find_experiments(roots)
    with_positions = [
        p for p in found if (p / "positions").is_dir() or (p / "positions.parquet").exists()
    ]
    if not with_positions:
        st.info("No results folder with actor positions yet: run a batch from the command line.")
        return
    folder = Path(
        st.selectbox(
            "Results folder",
            [str(p) for p in with_positions],
            key="pos_dir",
            format_func=lambda p: describe(Path(p), roots),  # never the server's absolute path
        )
    )
    positions = cached_positions(str(folder), (folder / "manifest.json").stat().st_mtime)
    if positions is None or positions.empty:
        st.info("This folder holds no actor positions.")
        return
    dimensions = list(dict.fromkeys(positions["dimension"]))
    dimension = st.selectbox("Dimension", dimensions, key="pos_dimension")
    scenarios = list(dict.fromkeys(positions["scenario"]))
    how_to_read(HOW_TO_READ)
    _final_positions(positions, dimension, scenarios)
    _deals(positions, dimension)
    _over_time(positions, dimension, scenarios)


COMPARE_NOTE = """
These positions come from the coupled runs of this comparison (the same replications as the
outcomes above): one section per political dimension, each actor a row, each scenario a marker
(its colour as in every other chart) at the median final position with its 10-90% band. The
table under each chart gives the share of replications that ended with a deal, P(deal), and the
state that holds without one ("no deal: status quo X (reason)"): a dimension without a deal is a
state, never a number on the 0-100 scale.
"""


def show_positions_by_dimension(
    positions: pd.DataFrame | None, scenarios: list[str], key: str = "positions"
) -> None:
    """Actors' final positions across ``scenarios``, one section per dimension, with deals."""
    if positions is None or positions.empty:
        st.info("These runs stored no actor positions (runs from before the coupled model).")
        return
    how_to_read(HOW_TO_READ + COMPARE_NOTE)
    shown = [s for s in scenarios if s in set(positions["scenario"])]
    for dimension in dict.fromkeys(positions["dimension"]):
        with st.container(key=f"{key}-{dimension}"):
            st.subheader(dimension.replace("_", " ").capitalize())
            _final_positions(positions, dimension, shown)
            _deals(positions, dimension)


def _final_positions(positions: pd.DataFrame, dimension: str, scenarios: list[str]) -> None:
    bands = final_position_bands(positions[positions["dimension"] == dimension])
    colour = alt.Color("scenario:N", scale=scenario_scale(scenarios))
    base = alt.Chart(bands).encode(
        y=alt.Y("actor:N", sort=list(dict.fromkeys(bands["actor"])), title=None),
        yOffset=alt.YOffset("scenario:N", sort=scenarios),
        color=colour,
        tooltip=["scenario", "actor", "median", "p10", "p90", "n"],
    )
    bars = base.mark_rule().encode(
        x=alt.X("p10:Q", scale=alt.Scale(domain=[0, 100]), title=f"final position on {dimension}"),
        x2="p90:Q",
    )
    points = base.mark_point(filled=True, size=60).encode(x="median:Q")
    st.altair_chart((bars + points).properties(height=28 * bands["actor"].nunique() + 40))


def _deals(positions: pd.DataFrame, dimension: str) -> None:
    table = deal_table(positions[positions["dimension"] == dimension])
    st.markdown("**Deal at the end of the horizon**")
    st.dataframe(
        table[["scenario", "n", "p_deal", "outcome"]].rename(
            columns={"n": "replications", "p_deal": "P(deal)", "outcome": "what holds"}
        ),
        hide_index=True,
        column_config={"P(deal)": st.column_config.NumberColumn(format="%.2f")},
    )


def _over_time(positions: pd.DataFrame, dimension: str, scenarios: list[str]) -> None:
    actors = tuple(a for a in KEY_ACTORS if a in set(positions["actor"]))
    chosen = st.multiselect("Actors over time", sorted(set(positions["actor"])), list(actors))
    subset = positions[positions["dimension"] == dimension]
    bands = position_trajectories(subset, tuple(chosen))
    if bands.empty:
        return
    colour = alt.Color("scenario:N", scale=scenario_scale(scenarios))
    base = alt.Chart().encode(x=alt.X("day:Q", title="day"), color=colour)
    area = base.mark_area(opacity=0.2).encode(y=alt.Y("p10:Q", title="position"), y2="p90:Q")
    line = base.mark_line().encode(y="median:Q")
    chart = alt.layer(area, line, data=bands).facet(facet="actor:N", columns=3)
    st.altair_chart(chart)
