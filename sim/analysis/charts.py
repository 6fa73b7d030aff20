"""Altair charts of the app: differences, fans, distributions, survival and the bargaining layer.

Every function takes tidy tables and returns a chart; nothing here draws or imports Streamlit,
so the charts can be checked in tests and reused in notebooks.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from sim.analysis.compare import Comparison
from sim.analysis.outcomes import HEADLINE_OUTCOMES, difference_verdict, outcome_info, series_info
from sim.analysis.palette import VERDICT_COLOURS, scenario_colours

WIDTH = 620
AnyChart = alt.Chart | alt.LayerChart | alt.FacetChart | alt.VConcatChart
FAN_POINTS = 60
"""Days drawn per line of a fan chart at most (a year: every 7th day, a point every ~5 px of a
285 px panel; the daily counts are 7-day means already, see ``daily_bands``). Four fans of
365 days each held the Run page's comparison chart back by ~0.4 s in the browser (measured
with ``bench/bench_app.py``); weekly points cost about nothing."""

CHANGE_LIMITS = (-1.0, 3.0)
"""Relative changes drawn in the forest plot: -100% to +300% (beyond: a triangle at the edge)."""

FAN_PANEL_WIDTH = 285
FAN_PANEL_HEIGHT = 190
"""Pixels of one panel of :func:`fan_grid`: two a row with their axes take ~700 px, about the
comparison chart's width, and fit an 800 px window (a faceted chart cannot follow its
container's width, and Streamlit does not stack it as it stacks columns)."""


def scenario_scale(scenarios: Sequence[str]) -> alt.Scale:
    """An Altair colour scale with :func:`scenario_colours`."""
    colours = scenario_colours(scenarios)
    return alt.Scale(domain=list(colours), range=list(colours.values()))


def colour_key(scenarios: Sequence[str]) -> str:
    """An HTML line naming each scenario in its chart colour (one key for several charts)."""
    return "&emsp;".join(
        f'<span style="color:{colour};font-size:1.2em">&#9632;</span>&nbsp;{html.escape(name)}'
        for name, colour in scenario_colours(scenarios).items()
    )


def difference_table(comparison: Comparison, outcomes: Sequence[str] | None = None) -> pd.DataFrame:
    """Paired differences as a share of the baseline's mean, with a verdict per row.

    Changes beyond :data:`CHANGE_LIMITS` are drawn at the edge (``beyond`` is set); outcomes
    whose baseline mean is zero have no relative change and are left out.
    """
    chosen = [o for o in (outcomes or HEADLINE_OUTCOMES) if o in comparison.outcomes]
    bands = comparison.bands[comparison.bands["scenario"] == comparison.baseline]
    base = bands.set_index("outcome")
    rows = []
    for _, row in comparison.differences.iterrows():
        outcome = row["outcome"]
        if outcome not in chosen or outcome not in base.index:
            continue
        scale = abs(float(base.loc[outcome, "mean"]))
        if scale == 0.0 or math.isnan(scale) or int(row["n_pairs"]) < 2:
            continue
        change = row["mean_diff"] / scale
        rows.append(
            {
                "scenario": row["scenario"],
                "outcome": outcome_info(outcome).label,
                "change": change,
                "low": row["ci_low"] / scale,
                "high": row["ci_high"] / scale,
                "shown": min(max(change, CHANGE_LIMITS[0]), CHANGE_LIMITS[1]),
                "shown_low": min(max(row["ci_low"] / scale, CHANGE_LIMITS[0]), CHANGE_LIMITS[1]),
                "shown_high": min(max(row["ci_high"] / scale, CHANGE_LIMITS[0]), CHANGE_LIMITS[1]),
                "beyond": not CHANGE_LIMITS[0] <= change <= CHANGE_LIMITS[1],
                "p_better": row["p_better"],
                "verdict": _verdict(row),
                "order": chosen.index(outcome),
            }
        )
    return pd.DataFrame(rows)


def _verdict(row: pd.Series) -> str:
    return difference_verdict(row)


# Encodings on the Run page's charts are channel objects (alt.Y2("p90:Q")), not shorthand
# strings ("p90:Q"): Altair 6 resolves each string through its schema, 2-7 ms a channel against
# ~0.1 ms, and the page builds its charts after every run (the same specs either way).
DIFFERENCE_TOOLTIP = [
    alt.Tooltip("scenario:N"),
    alt.Tooltip("outcome:N"),
    alt.Tooltip("change:Q", format="+.0%", title="mean change"),
    alt.Tooltip("low:Q", format="+.0%", title="95% interval from"),
    alt.Tooltip("high:Q", format="+.0%", title="95% interval to"),
    alt.Tooltip("p_better:Q", format=".0%", title="better in (share of paired runs)"),
]


def difference_chart(comparison: Comparison, outcomes: Sequence[str] | None = None) -> AnyChart:
    """Forest plot: each scenario's change against the baseline, with 95% intervals."""
    table = difference_table(comparison, outcomes)
    if table.empty:
        return _empty("No paired differences to show (run at least 2 replications).")
    layered = _forest_layers(table).properties(width=WIDTH - 200, height=alt.Step(26))
    if table["scenario"].nunique() > 1:
        header = alt.Header(
            labelAngle=0,
            labelAlign="left",
            labelAnchor="start",
            labelOrient="top",
            labelLimit=700,
            labelFontSize=13,
        )
        return layered.facet(row=alt.Row("scenario:N", title=None, header=header))
    title = alt.TitleParams(
        [str(table["scenario"].iloc[0]), f"against {comparison.baseline}"],
        fontSize=13,
        anchor="start",
    )
    return layered.properties(title=title)


def _forest_layers(table: pd.DataFrame) -> AnyChart:
    """Zero line, 95% intervals and mean changes (triangles beyond the axis)."""
    low = min(0.0, float(table["shown_low"].min()))
    high = max(0.0, float(table["shown_high"].max()))
    pad = 0.05 * max(high - low, 0.1)
    y = alt.Y(
        "outcome:N",
        sort=alt.EncodingSortField(field="order", order="ascending"),
        title=None,
        axis=alt.Axis(labelLimit=280),
    )
    colour = alt.Color(
        "verdict:N",
        scale=alt.Scale(domain=list(VERDICT_COLOURS), range=list(VERDICT_COLOURS.values())),
        legend=alt.Legend(title="against the baseline", orient="bottom"),
    )
    base = alt.Chart()  # the data goes on the layer once (Altair compares layers' data slowly)
    bars = base.mark_rule(strokeWidth=3).encode(
        x=alt.X(
            "shown_low:Q",
            scale=alt.Scale(domain=[low - pad, high + pad], nice=False),
            title="change against the baseline, as a share of its mean",
            axis=alt.Axis(format="+%"),
        ),
        x2=alt.X2("shown_high:Q"),
        y=y,
        color=colour,
    )
    shape = alt.Shape(
        "beyond:N",
        scale=alt.Scale(domain=[False, True], range=["circle", "triangle-right"]),
        legend=None,
    )
    points = base.mark_point(filled=True, size=110, opacity=1).encode(
        x=alt.X("shown:Q"), y=y, color=colour, shape=shape, tooltip=DIFFERENCE_TOOLTIP
    )
    zero = base.mark_rule(color="black").encode(x=alt.XDatum(0))
    return alt.layer(zero, bars, points, data=table)


def _empty(message: str) -> AnyChart:
    return (
        alt.Chart(pd.DataFrame({"text": [message]}))
        .mark_text(size=14)
        .encode(text="text:N")
        .properties(width=WIDTH, height=60)
    )


def fan_chart(bands: pd.DataFrame, series: str, scenarios: Sequence[str]) -> AnyChart:
    """Median and 10-90% band of one daily series per scenario."""
    table = thinned_days(bands[bands["series"] == series], FAN_POINTS)
    if table.empty:
        return _empty(f"No daily values of {series}.")
    return _fan_layers(table, scenarios).properties(title=_fan_title(series), height=230)


def fan_grid(
    bands: pd.DataFrame, series: Sequence[str], scenarios: Sequence[str], columns: int = 2
) -> AnyChart:
    """:func:`fan_chart` of several series as one chart, ``columns`` panels a row.

    Each panel has its own y scale and is titled with its series and unit. One chart instead of
    one per series: a browser builds each chart's view separately, and four of them held the
    page's first chart back by about half a second (``bench/bench_app.py``).
    """
    titles = {name: _fan_title(name) for name in series}
    chosen = bands[bands["series"].isin(titles)]
    # each series thinned on its own days (a series recorded on other days keeps its points)
    table = pd.concat(
        [thinned_days(rows, FAN_POINTS) for _, rows in chosen.groupby("series", sort=False)]
        or [chosen]
    )
    if table.empty:
        return _empty("No daily values of " + ", ".join(series) + ".")
    table = table.assign(panel=table["series"].map(titles))
    panels = [titles[name] for name in series if name in set(table["series"])]
    header = alt.Header(labelFontSize=13, labelAnchor="start", labelFontWeight="bold")
    return (
        _fan_layers(table, scenarios)
        .properties(width=FAN_PANEL_WIDTH, height=FAN_PANEL_HEIGHT)
        .facet(facet=alt.Facet("panel:N", sort=panels, title=None, header=header), columns=columns)
        .resolve_scale(y="independent")
    )


def _fan_layers(table: pd.DataFrame, scenarios: Sequence[str]) -> alt.LayerChart:
    """The band (10-90%) and the median line of each scenario, on ``table``'s rows."""
    colour = alt.Color("scenario:N", scale=scenario_scale(scenarios), legend=None)
    base = alt.Chart().encode(x=alt.X("day:Q", title="day", scale=alt.Scale(nice=False)))
    band = base.mark_area(opacity=0.18).encode(
        y=alt.Y("p10:Q", title=None), y2=alt.Y2("p90:Q"), color=colour
    )
    line = base.mark_line(strokeWidth=2).encode(
        y=alt.Y("median:Q"),
        color=colour,
        tooltip=[
            alt.Tooltip("scenario:N"),
            alt.Tooltip("day:Q"),
            alt.Tooltip("median:Q", format=",.3g"),
        ],
    )
    return alt.LayerChart(layer=[band, line], data=table)


def _fan_title(series: str) -> str:
    info = series_info(series)
    return f"{info.label} [{info.unit}]" if info.unit else info.label


def thinned_days(table: pd.DataFrame, points: int) -> pd.DataFrame:
    """Rows of ``table`` on at most ``points`` evenly spaced days, values unchanged.

    Every k-th day from the first is kept, and always the last day.

    Example:
        >>> days = pd.DataFrame({"day": range(365)})
        >>> kept = thinned_days(days, 60)["day"].tolist()
        >>> len(kept), kept[:3], kept[-2:]
        (53, [0, 7, 14], [357, 364])
    """
    days = np.unique(table["day"].to_numpy())
    if days.size <= points:
        return table
    stride = math.ceil(days.size / points)
    kept = np.union1d(days[::stride], days[-1:])
    return table[table["day"].isin(kept)]


def is_skewed(values: pd.Series) -> bool:
    """Whether a few runs dwarf the rest (a log scale then reads better)."""
    clean = values.astype(float).dropna()
    if clean.empty or (clean < 0).any():
        return False
    return bool(clean.max() > 20 * max(float(clean.median()), 1.0))


def distribution_chart(
    summary: pd.DataFrame,
    bands: pd.DataFrame,
    outcome: str,
    scenarios: Sequence[str],
    log_scale: bool = False,
) -> AnyChart:
    """Every run's value of one outcome, with the median and the 10-90% band per scenario.

    With ``log_scale`` the axis is symmetric-logarithmic, so runs near zero and runs in the
    thousands show on one chart.
    """
    runs = summary[["scenario", "replication", outcome]].rename(columns={outcome: "value"})
    runs = runs.assign(value=runs["value"].astype(float))
    rng = np.random.default_rng(0)
    runs["jitter"] = rng.uniform(-0.3, 0.3, len(runs))
    band = bands[bands["outcome"] == outcome]
    scale = scenario_scale(scenarios)
    y = alt.Y("scenario:N", sort=list(scenarios), title=None, axis=alt.Axis(labelLimit=320))
    info = outcome_info(outcome)
    x_title = f"{info.label} ({info.unit})" if info.unit else info.label
    dots = (
        alt.Chart(runs)
        .mark_circle(size=40, opacity=0.45)
        .encode(
            x=alt.X(
                "value:Q",
                title=x_title + (" (log scale)" if log_scale else ""),
                scale=alt.Scale(type="symlog") if log_scale else alt.Scale(),
                axis=alt.Axis(values=decade_ticks(runs["value"]), format=",")
                if log_scale
                else alt.Axis(format=",.4~g"),
            ),
            y=y,
            yOffset=alt.YOffset("jitter:Q", scale=alt.Scale(domain=[-1, 1])),
            color=alt.Color("scenario:N", scale=scale, legend=None),
            tooltip=["scenario:N", "replication:Q", alt.Tooltip("value:Q", format=",.4g")],
        )
    )
    rule = (
        alt.Chart(band)
        .mark_rule(strokeWidth=4, opacity=0.5, color="black")
        .encode(x="p10:Q", x2="p90:Q", y=y)
    )
    tick = alt.Chart(band).mark_tick(thickness=3, size=28, color="black").encode(x="median:Q", y=y)
    return (dots + rule + tick).properties(width=WIDTH, height=90 + 70 * len(scenarios))


def decade_ticks(values: pd.Series) -> list[float]:
    """Tick values for a log axis: 0 and every power of ten up to the largest value.

    >>> decade_ticks(pd.Series([0.0, 140.0, 18000.0]))
    [0.0, 1.0, 10.0, 100.0, 1000.0, 10000.0, 100000.0]
    """
    top = float(values.max()) if len(values) else 1.0
    count = max(1, math.ceil(math.log10(max(top, 1.0))) + 1)
    return [0.0, *(float(10**k) for k in range(count))]


FATES = {False: "ceasefire held", True: "ceasefire collapsed"}


def distribution_panels(summary: pd.DataFrame, outcome: str, scenarios: Sequence[str]) -> AnyChart:
    """Every run's value in two panels, runs whose ceasefire held and runs where it collapsed.

    Each panel has its own linear axis, so a median near 140 and runs near 18,000 are both
    readable (one log axis hides where the data is). Each panel gives its share of runs.
    """
    if "ceasefire_collapsed" not in summary:
        return distribution_chart(summary, _bands_of(summary, outcome), outcome, scenarios)
    panels = []
    total = summary.groupby("scenario").size()
    for collapsed, title in FATES.items():
        part = summary[summary["ceasefire_collapsed"].astype(bool) == collapsed]
        if part.empty:
            continue
        shares = part.groupby("scenario").size() / total
        counts = ", ".join(f"{name} {100 * shares.get(name, 0.0):.0f}%" for name in scenarios)
        chart = distribution_chart(part, _bands_of(part, outcome), outcome, scenarios)
        panels.append(chart.properties(title=f"Runs where the {title} (share of runs: {counts})"))
    if not panels:
        return _empty("No runs.")
    return alt.vconcat(*panels).resolve_scale(x="independent")


def _bands_of(summary: pd.DataFrame, outcome: str) -> pd.DataFrame:
    values = summary.groupby("scenario")[outcome]
    table = pd.DataFrame(
        {
            "median": values.median(),
            "p10": values.quantile(0.1),
            "p90": values.quantile(0.9),
        }
    ).reset_index()
    return table.assign(outcome=outcome)


def survival_chart(survival: pd.DataFrame, scenarios: Sequence[str]) -> AnyChart:
    """Kaplan-Meier curves: the share of runs whose ceasefire still holds, by day."""
    if survival.empty:
        return _empty("No ceasefire outcome to draw.")
    colour = alt.Color(
        "scenario:N",
        scale=scenario_scale(scenarios),
        legend=None,
    )
    base = alt.Chart(survival).encode(x=alt.X("time:Q", title="day", scale=alt.Scale(nice=False)))
    band = base.mark_area(interpolate="step-after", opacity=0.15).encode(
        y=alt.Y(
            "ci_low:Q",
            title="ceasefire still holding",
            axis=alt.Axis(format="%"),
            scale=alt.Scale(domain=[0, 1]),
        ),
        y2="ci_high:Q",
        color=colour,
    )
    line = base.mark_line(interpolate="step-after", strokeWidth=2.5).encode(
        y="survival:Q",
        color=colour,
        tooltip=[
            "scenario:N",
            alt.Tooltip("time:Q", title="day"),
            alt.Tooltip("survival:Q", format=".0%", title="holding"),
            alt.Tooltip("at_risk:Q", title="runs still holding"),
        ],
    )
    return (band + line).properties(width=WIDTH, height=300)


def positions_chart(
    positions: pd.DataFrame, forecast: pd.DataFrame, dimension: str, names: dict[str, str]
) -> AnyChart:
    """Each actor's position on one dimension per round, with the forecast outcome in black."""
    table = positions[positions["dimension"] == dimension].copy()
    table["actor"] = table["actor"].map(lambda a: names.get(a, a))
    outcome = forecast[forecast["dimension"] == dimension]
    lines = (
        alt.Chart(table)
        .mark_line(point=alt.OverlayMarkDef(size=18))
        .encode(
            x=alt.X("round:Q", title="bargaining round"),
            y=alt.Y("position:Q", title="position (0-100)", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color(
                "actor:N",
                scale=alt.Scale(scheme="tableau20"),
                legend=alt.Legend(title="actor", orient="right", labelLimit=200),
            ),
            tooltip=["actor:N", "round:Q", alt.Tooltip("position:Q", format=".1f")],
        )
    )
    forecast_line = (
        alt.Chart(outcome)
        .mark_line(color="black", strokeWidth=4, strokeDash=[6, 3])
        .encode(
            x="round:Q",
            y="forecast:Q",
            tooltip=["round:Q", alt.Tooltip("forecast:Q", format=".1f"), "branch:N"],
        )
    )
    return (lines + forecast_line).properties(width=WIDTH, height=380)


def quad_chart(challenges: pd.DataFrame, round_: int, names: dict[str, str]) -> AnyChart:
    """KTAB's quad map: each challenge of a round by who gains (as the initiator sees it)."""
    table = challenges[challenges["round"] == round_].copy()
    if table.empty:
        return _empty(f"No challenges in round {round_}.")
    table["initiator"] = table["initiator"].map(lambda a: names.get(a, a))
    table["target"] = table["target"].map(lambda a: names.get(a, a))
    table["pair"] = table["initiator"] + " → " + table["target"]
    reach = float(max(table["initiator_gain"].abs().max(), table["target_gain"].abs().max(), 0.05))
    domain = [-1.1 * reach, 1.1 * reach]
    points = (
        alt.Chart(table)
        .mark_circle(size=110, opacity=0.8)
        .encode(
            x=alt.X("initiator_gain:Q", title="initiator's gain", scale=alt.Scale(domain=domain)),
            y=alt.Y(
                "target_gain:Q",
                title="target's gain (as the initiator sees it)",
                scale=alt.Scale(domain=domain),
            ),
            color=alt.Color("initiator:N", scale=alt.Scale(scheme="tableau20")),
            tooltip=[
                "pair:N",
                alt.Tooltip("p:Q", format=".0%", title="initiator expects to prevail"),
                alt.Tooltip("initiator_gain:Q", format=".3f"),
                alt.Tooltip("target_gain:Q", format=".3f"),
            ],
        )
    )
    axes = alt.Chart(pd.DataFrame({"v": [0.0]}))
    corners = pd.DataFrame(
        {
            "x": [0.95 * reach, 0.95 * reach, -0.95 * reach],
            "y": [0.95 * reach, -0.95 * reach, 0.95 * reach],
            "label": ["both gain: compromise", "initiator gains, target gives way", "target gains"],
            "side": ["right", "right", "left"],
        }
    )
    labels = alt.layer(
        *[
            alt.Chart(corners[corners["side"] == side])
            .mark_text(fontSize=12, color="#555", align=side)
            .encode(x="x:Q", y="y:Q", text="label:N")
            for side in ("right", "left")
        ]
    )
    return (
        points + axes.mark_rule().encode(x="v:Q") + axes.mark_rule().encode(y="v:Q") + labels
    ).properties(width=WIDTH - 100, height=WIDTH - 180)


def weekly_forecast_chart(
    politics: pd.DataFrame, dimension: str, scenarios: Sequence[str]
) -> AnyChart:
    """The coupled run's weekly forecast on one dimension, one line per scenario."""
    column = f"forecast_{dimension}"
    if politics.empty or column not in politics.columns:
        return _empty("No weekly political log.")
    return (
        alt.Chart(politics)
        .mark_line(strokeWidth=2.5, interpolate="step-after")
        .encode(
            x=alt.X("day:Q", title="day", scale=alt.Scale(nice=False)),
            y=alt.Y(f"{column}:Q", title="forecast (0-100)", scale=alt.Scale(domain=[0, 100])),
            color=alt.Color(
                "scenario:N",
                scale=scenario_scale(scenarios),
                legend=None,
            ),
            tooltip=[
                "scenario:N",
                "day:Q",
                alt.Tooltip(f"{column}:Q", format=".1f", title="forecast"),
            ],
        )
        .properties(width=WIDTH, height=260)
    )
