"""Draw a comparison: KPI table, differences, fans, distributions, survival (Streamlit).

Used by the Run, Compare and Batch results pages, so a comparison looks the same wherever it
comes from.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
import streamlit as st

from sim.analysis.charts import (
    colour_key,
    difference_chart,
    distribution_chart,
    distribution_panels,
    fan_grid,
    is_skewed,
    survival_chart,
)
from sim.analysis.compare import Comparison
from sim.analysis.findings import bimodal_warnings, identical_lines, tails_table, what_matters
from sim.analysis.outcomes import HEADLINE_OUTCOMES, format_value, outcome_info
from sim.experiments.app_runs import Block
from sim.ui.widgets import how_to_read, scrub_paths

FAN_SERIES = ["incidents", "civilian_deaths", "isf_troops", "secure_population_share"]
MORE_FAN_SERIES = [
    "aid_delivered_share",
    "legitimacy",
    "idf_held_share",
    "ceasefire_status",
    "police_officers",
    "weapons_remaining",
    "grievance",
    "fighters",
]
METRIC_LABELS = {
    "secure_population_share_mean": "Living in secure areas",
    "aid_delivered_share_mean": "Aid delivered (of need)",
}
METRICS = [
    "ceasefire_collapsed",
    "civilian_deaths",
    "isf_deaths",
    "secure_population_share_mean",
    "aid_delivered_share_mean",
]

DIFFERENCE_HELP = """
Each row is one outcome. The dot is the average change of the scenario against the baseline,
as a share of the baseline's average (+50% = half as much again); the bar is its 95% interval.
Runs are paired: replication *i* of both scenarios uses the same random numbers, so the
difference shows the effect of the change rather than luck.
**Green**: better with confidence; **red**: worse with confidence; **grey**: the interval
crosses zero, so more replications would be needed to tell. A triangle at the right edge marks
a change beyond +300% (usually against a baseline near zero). Hover for the numbers and for the
share of paired runs in which the scenario did better.
"""
FAN_HELP = """
The line is the median day by day over all replications; the shaded band holds the middle 80%
of runs (10th to 90th percentile). Wide bands mean the outcome depends a lot on chance events
(a deadly attack, a collapse of the ceasefire); where the bands of two scenarios overlap little,
the difference is robust.
"""
TABLE_HELP = """
The first table gives, for each scenario, the median over the replications and, in brackets,
the range that holds the middle 80% of them (10th to 90th percentile); for "Ceasefire
collapsed" it gives the share of runs in which the ceasefire collapsed. The second table gives
the average change against the baseline, paired run by run (replication *i* of both scenarios
shares its random numbers), with a 95% bootstrap interval, and the share of paired runs in which
the scenario did **better** (50% = no difference). A **?** marks a change whose interval
includes zero: more replications are needed to tell it from chance. Shares change in
percentage points (pts).
"""


STATS_LEGEND = """
* **Median**: the middle replication; half the runs are below it, half above.
* **10% to 90%**: the range that holds the middle 80% of runs.
* **Share of runs**: for yes/no outcomes (the ceasefire collapsed), the share of replications
  in which it happened.
* **Mean paired change**: replication *i* of a scenario minus replication *i* of the baseline
  (the same random numbers), averaged over replications. Being a mean, a few runs whose
  ceasefire collapsed can make it far larger than the change in medians: both are right, they
  answer different questions.
* **95% interval**: a bootstrap interval of the mean paired change; **?** marks an interval
  that includes zero (more replications are needed to tell).
* **Better in X%**: the share of paired runs in which the scenario did better.
* **pts**: percentage points (a change of a share, 20% → 30% is +10 pts).
* **Metric cards** (Run page): the scenario's median (or share of runs), and below it the
  change of that median against the scenario it started from.
"""


def show_legend() -> None:
    """What each number in the tables and cards is."""
    with st.expander("What each number means", icon=":material/help:"):
        st.markdown(STATS_LEGEND)


def show_what_matters(comparison: Comparison) -> None:
    """The computed summary of what matters most, and split outcomes, in plain words."""
    lines = what_matters(comparison)
    warnings = bimodal_warnings(comparison.summary, comparison.scenarios)
    if not lines and not warnings:
        return
    with st.container(key="what-matters"):
        st.markdown("**What matters most** (computed from these runs)")
        st.markdown("\n".join(f"* {line}" for line in lines))
        for line in warnings:
            st.warning(line, icon=":material/call_split:")


def bands_table(comparison: Comparison, outcomes: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per outcome, one column per scenario: ``median (10% to 90%)``."""
    chosen = [o for o in (outcomes or HEADLINE_OUTCOMES) if o in comparison.outcomes]
    bands = comparison.bands.set_index(["scenario", "outcome"])
    rows = []
    for outcome in chosen:
        row = {"outcome": outcome_info(outcome).label}
        for scenario in comparison.scenarios:
            if (scenario, outcome) not in bands.index:
                row[scenario] = ""
                continue
            b = bands.loc[(scenario, outcome)]
            if outcome == "ceasefire_collapsed":
                row[scenario] = f"{format_value(outcome, b['mean'])} of runs"
            else:
                low, high = format_value(outcome, b["p10"]), format_value(outcome, b["p90"])
                row[scenario] = f"{format_value(outcome, b['median'])} ({low} to {high})"
        rows.append(row)
    return pd.DataFrame(rows)


def differences_table(
    comparison: Comparison, outcomes: Sequence[str] | None = None
) -> pd.DataFrame:
    """One row per outcome, one column per scenario: the paired change against the baseline."""
    chosen = [o for o in (outcomes or HEADLINE_OUTCOMES) if o in comparison.outcomes]
    diffs = comparison.differences.set_index(["scenario", "outcome"])
    others = [s for s in comparison.scenarios if s != comparison.baseline]
    rows = []
    for outcome in chosen:
        row = {"outcome": outcome_info(outcome).label}
        for scenario in others:
            row[scenario] = (
                _difference_text(diffs.loc[(scenario, outcome)], outcome)
                if (scenario, outcome) in diffs.index
                else ""
            )
        rows.append(row)
    return pd.DataFrame(rows)


def _difference_text(d: pd.Series, outcome: str) -> str:
    if int(d["n_pairs"]) < 2:
        return _signed(outcome, d["mean_diff"])
    text = f"{_signed(outcome, d['mean_diff'])} ({_signed(outcome, d['ci_low'])} to "
    text += f"{_signed(outcome, d['ci_high'])})"
    if not math.isnan(d["p_better"]):
        share = f"{100 * d['p_better']:.0f}%"
        text += f", better in {share}" if d["better"] else f", higher in {share}"
    if not bool(d["resolved"]):
        text += " ?"
    return text


def _signed(outcome: str, value: float) -> str:
    """A change with its sign (the registry's format; shares in percentage points)."""
    return outcome_info(outcome).format_change(value)


def show_kpi_table(comparison: Comparison) -> None:
    """The medians and bands, then the paired differences, with their reading note."""
    st.markdown("**Median (10% to 90% of runs)**; ceasefire: share of runs")
    st.dataframe(bands_table(comparison), hide_index=True, width="stretch")
    if len(comparison.scenarios) > 1:
        st.markdown(
            f"**Mean paired change against {comparison.baseline}** (95% interval; share of "
            "paired runs in which the scenario did better)"
        )
        st.dataframe(differences_table(comparison), hide_index=True, width="stretch")
    show_legend()
    how_to_read(TABLE_HELP)


def show_run_errors(blocks: dict[str, Block]) -> bool:
    """Say which runs failed (with the first tracebacks); False if no run finished at all."""
    errors = [e for b in blocks.values() for e in b.errors]
    if errors:
        st.warning(f"{len(errors)} run(s) failed and are left out.")
        with st.expander("Errors"):
            st.code(scrub_paths("\n\n".join(errors[:5])))
    if any(b.summary.empty for b in blocks.values()):
        st.error("Some scenarios have no finished run, so there is nothing to compare.")
        return False
    return True


def show_warnings(comparison: Comparison) -> None:
    """The comparison's warnings (too few replications, failures)."""
    for warning in comparison.warnings:
        st.warning(warning)


def show_differences(comparison: Comparison, key: str = "comparison-chart") -> None:
    """The forest plot of paired differences (the comparison chart)."""
    with st.container(key=key):
        st.altair_chart(difference_chart(comparison), width="stretch")
    how_to_read(DIFFERENCE_HELP)


def show_fans(
    bands: pd.DataFrame,
    scenarios: Sequence[str],
    series: Sequence[str],
    summary: pd.DataFrame | None = None,
) -> None:
    """Fan charts of ``series`` as one chart, two panels a row (series without values left out)."""
    present = [s for s in series if s in set(bands["series"])]
    st.markdown(colour_key(scenarios), unsafe_allow_html=True)
    if summary is not None:
        for line in identical_lines(summary, scenarios):
            st.info(line, icon=":material/layers:")
    if present:
        st.altair_chart(fan_grid(bands, present, scenarios), width="content")
    how_to_read(FAN_HELP)


def show_metrics(comparison: Comparison, scenario: str) -> None:
    """Headline numbers of ``scenario`` with their change against the baseline."""
    columns = st.columns(len(METRICS))
    bands = comparison.bands
    for column, outcome in zip(columns, METRICS, strict=True):
        info = outcome_info(outcome)
        centre = "mean" if outcome == "ceasefire_collapsed" else "median"
        mine = bands[(bands["scenario"] == scenario) & (bands["outcome"] == outcome)]
        base = bands[(bands["scenario"] == comparison.baseline) & (bands["outcome"] == outcome)]
        if mine.empty or base.empty:
            continue
        value = float(mine[centre].iloc[0])
        delta = value - float(base[centre].iloc[0]) if scenario != comparison.baseline else None
        change = None if delta is None else _signed(outcome, delta)
        what = "share of runs" if centre == "mean" else "median"
        column.metric(
            f"{METRIC_LABELS.get(outcome, info.label)} · {what}",
            format_value(outcome, value),
            delta=None if change is None else f"{change} vs {comparison.baseline}",
            delta_color="off"
            if change == "0"
            else "inverse"
            if info.better == "lower"
            else "normal",
            help=f"{'Share of runs' if centre == 'mean' else 'Median over runs'}; "
            f"change against {comparison.baseline}.",
        )


SCALES = ["Separate panels: ceasefire held / collapsed", "Linear", "Logarithmic"]


def show_distributions(comparison: Comparison, key: str) -> None:
    """Every run's value of a chosen outcome, per scenario, with its tails."""
    outcome = st.selectbox(
        "Outcome",
        comparison.outcomes,
        index=comparison.outcomes.index("civilian_deaths")
        if "civilian_deaths" in comparison.outcomes
        else 0,
        format_func=lambda o: outcome_info(o).label,
        key=key,
    )
    summary = comparison.summary
    split = "ceasefire_collapsed" in summary and summary["ceasefire_collapsed"].nunique() > 1
    choices = SCALES if split and outcome != "ceasefire_collapsed" else SCALES[1:]
    skewed = is_skewed(summary[outcome])
    scale = st.radio(
        "Scale",
        choices,
        index=0 if len(choices) == 3 and skewed else 1 if skewed else 0,
        horizontal=True,
        key=f"{key}_scale_{outcome}",
        help="When a few runs dwarf the rest (usually where the ceasefire collapsed), separate "
        "panels give each group its own readable axis.",
    )
    if scale == SCALES[0]:
        chart = distribution_panels(summary, outcome, comparison.scenarios)
    else:
        chart = distribution_chart(
            summary, comparison.bands, outcome, comparison.scenarios, scale == "Logarithmic"
        )
    st.altair_chart(chart, width="stretch")
    show_tails(comparison, outcome)
    how_to_read(
        "Each dot is one replication. The black tick is the median and the grey bar the 10-90% "
        "band. Two clouds that barely overlap mean the scenarios differ whatever happens by "
        "chance; clouds with two clumps mean runs split between two fates (often: the ceasefire "
        "holds, or it collapses): the panels and the table of tails then show each fate apart."
    )


def show_tails(comparison: Comparison, outcome: str = "civilian_deaths") -> None:
    """Warnings for outcomes split into two fates, and the tails table of ``outcome``."""
    for line in bimodal_warnings(comparison.summary, comparison.scenarios, [outcome]):
        st.warning(line, icon=":material/call_split:")
    if outcome != "ceasefire_collapsed" and outcome in comparison.summary:
        st.markdown(f"**Tails of {outcome_info(outcome).label.lower()}**")
        st.dataframe(
            tails_table(comparison.summary, outcome, comparison.scenarios),
            hide_index=True,
            width="stretch",
        )


def survival_table(summary: pd.DataFrame) -> pd.DataFrame:
    """The survival summary with readable headings and percentages."""
    table = summary.copy()
    renamed = {"median_days": "half collapsed by day", "holding_at_horizon": "holding at the end"}
    for column in table.columns:
        if column.startswith("holding"):
            table[column] = table[column].map(lambda v: f"{100 * float(v):.0f}%")
            day = column.removeprefix("holding_day_")
            renamed.setdefault(column, f"holding on day {day}")
    table["median_days"] = table["median_days"].map(
        lambda v: "not reached" if v is None or pd.isna(v) else f"{float(v):.0f}"
    )
    return table.rename(columns=renamed)


def show_survival(comparison: Comparison) -> None:
    """Kaplan-Meier curves and the table behind them."""
    if comparison.survival.empty:
        st.info("These results have no ceasefire outcome.")
        return
    st.markdown(colour_key(comparison.scenarios), unsafe_allow_html=True)
    st.altair_chart(survival_chart(comparison.survival, comparison.scenarios), width="stretch")
    st.dataframe(survival_table(comparison.survival_summary), hide_index=True, width="stretch")
    how_to_read(
        "The curve is the share of runs whose ceasefire still holds on each day (a Kaplan-Meier "
        "estimate); it steps down each time a run's ceasefire collapses. Runs that hold to the "
        "end count as holding at least that long. The shaded band is a 95% interval. A curve that "
        "drops early means early collapses; **median_days** is the day by which half the runs "
        "have collapsed (empty if fewer than half ever do)."
    )
