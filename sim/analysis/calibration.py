"""Calibration and pattern checks as tables and figures.

* :func:`range_report` and :func:`implausibility_figure` present a history-matching result
  (:mod:`sim.experiments.calibrate`);
* :func:`pattern_table` compares runs of a scenario with observed patterns (observed value with
  its source, modelled median and 10-90% band, in or out of sample);
* :func:`check_patterns` runs the scenario and builds that table; :func:`update_doc` writes it
  into ``docs/validation.md`` between markers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from sim.experiments.calibrate import CalibrationResult
from sim.experiments.observations import (
    Observation,
    ObservationSet,
    Use,
    band,
    horizon_needed,
    load_observations,
    missing_series,
    resolve_series,
    simulated_statistics,
)
from sim.experiments.runner import ProgressCallback, run_experiment
from sim.experiments.tasks import ModelFn
from sim.experiments.variants import ScenarioInput, load_inputs

DOC_START = "<!-- patterns:start -->"
DOC_END = "<!-- patterns:end -->"


def range_report(result: CalibrationResult) -> pd.DataFrame:
    """The range table with readable columns (prior, not ruled out, share ruled out)."""
    rows = []
    for row in result.ranges.itertuples(index=False):
        kept = (
            "none"
            if math.isnan(float(row.low))
            else f"{float(row.low):.4g} - {float(row.high):.4g}"
        )
        rows.append(
            {
                "parameter": row.parameter,
                "prior range": f"{float(row.prior_low):.4g} - {float(row.prior_high):.4g}",
                "scenario value": "–" if row.baseline is None else f"{float(row.baseline):.4g}",
                "not ruled out": kept,
                "share ruled out": f"{float(row.ruled_out_share):.0%}",
                "wave 1 kept: median [10-90%]": "–"
                if math.isnan(float(row.kept_median))
                else f"{float(row.kept_median):.4g} [{float(row.kept_p10):.4g}, "
                f"{float(row.kept_p90):.4g}]",
            }
        )
    return pd.DataFrame(rows)


def observation_report(result: CalibrationResult) -> pd.DataFrame:
    """Per observation: observed value, the range of point means, and how often it rules out."""
    points = result.points
    rows = []
    for observation in result.observations:
        means = points[f"mean:{observation.id}"]
        scores = points[f"I:{observation.id}"]
        rows.append(
            {
                "observation": observation.id,
                "observed": f"{observation.value:.4g} ± {observation.sd:.3g}",
                "point means (min - max)": f"{means.min():.4g} - {means.max():.4g}",
                "points ruled out by it": f"{(scores > result.settings.cutoff).mean():.0%}",
                "worst for": int((points["worst"] == observation.id).sum()),
            }
        )
    return pd.DataFrame(rows)


def implausibility_figure(result: CalibrationResult) -> Figure:
    """Largest implausibility of each design point against each factor's value, by wave."""
    factors = result.factors
    columns = min(3, len(factors))
    rows = math.ceil(len(factors) / columns)
    figure = Figure(figsize=(4.2 * columns, 3.0 * rows), layout="constrained")
    axes = np.atleast_1d(figure.subplots(rows, columns)).ravel()
    points = result.points
    capped = points["I_max"].clip(upper=max(10.0, 2 * result.settings.cutoff))
    for axis, factor in zip(axes, factors, strict=False):
        for wave, group in points.groupby("wave"):
            axis.scatter(
                group[factor.name], capped[group.index], s=12, alpha=0.7, label=f"wave {wave}"
            )
        axis.axhline(result.settings.cutoff, color="red", linewidth=1)
        axis.axvspan(factor.low, factor.high, color="grey", alpha=0.08)
        axis.set_xlabel(factor.name, fontsize=8)
        axis.set_ylabel("max implausibility (capped)", fontsize=8)
    for axis in axes[len(factors) :]:
        axis.set_visible(False)
    axes[0].legend(fontsize=7)
    figure.suptitle(
        f"History matching of {result.scenario}: points below the red line are not ruled out"
    )
    return figure


def pattern_table(
    stats: pd.DataFrame | None,
    observations: Sequence[Observation],
    skipped: dict[str, list[str]],
) -> pd.DataFrame:
    """Observed vs modelled per pattern.

    Args:
        stats: Per-run statistics (:func:`simulated_statistics`).
        observations: The observations compared.
        skipped: Observations the model cannot produce (id -> missing series).
    """
    rows = []
    for observation in observations:
        flags = f" [{', '.join(observation.flags)}]" if observation.flags else ""
        row = {
            "pattern": observation.description,
            "window": f"{observation.start} to {observation.end}",
            "statistic": f"{observation.statistic} of {'+'.join(observation.series)}",
            "observed": f"{observation.value:.4g} ± {observation.sd:.3g}",
            "source": observation.source + flags,
            "use": "in sample" if observation.use == "calibration" else "out of sample",
        }
        if stats is None or observation.id in skipped:
            row |= {"modelled": "not modelled", "verdict": "–"}
            rows.append(row)
            continue
        every = stats[observation.id].to_numpy(dtype=float)
        values = every[~np.isnan(every)]
        median, p10, p90 = band(values)
        regime = (
            f" ({values.size} of {every.size} runs holding)"
            if observation.given == "holding"
            else ""
        )
        row["modelled"] = (
            f"{median:.4g} [{p10:.4g}, {p90:.4g}]{regime}" if values.size else f"no run{regime}"
        )
        row["verdict"] = _verdict(observation, median, p10, p90) if values.size else "–"
        rows.append(row)
    return pd.DataFrame(rows)


def _verdict(observation: Observation, median: float, p10: float, p90: float) -> str:
    """In the band, or within 2 sd (observation and discrepancy) of it, or outside."""
    if p10 <= observation.value <= p90:
        return "inside 10-90% band"
    gap = min(abs(observation.value - p10), abs(observation.value - p90))
    if gap <= 2 * observation.total_sd:
        return "near band (within 2 sd)"
    side = "above" if observation.value > p90 else "below"
    return f"observed {side} band"


def check_patterns(
    scenario: ScenarioInput,
    *,
    reps: int,
    out_dir: str | Path,
    seed: int = 0,
    uses: Sequence[Use] = ("out_of_sample",),
    observations: ObservationSet | str | Path | None = None,
    model: ModelFn | None = None,
    executor: str = "pool",
    workers: int | None = None,
    progress: ProgressCallback | None = None,
) -> pd.DataFrame:
    """Run ``scenario`` and compare it with the observations of the given uses.

    Raises:
        ValueError: If the scenario's horizon is shorter than an observation's window.
    """
    loaded = (
        observations
        if isinstance(observations, ObservationSet)
        else load_observations(observations)
    )
    chosen = [o for o in loaded.observations if o.use in uses]
    if not chosen:
        raise ValueError(f"no observations with use {', '.join(uses)}")
    base = load_inputs([scenario])[0]
    needed = horizon_needed(chosen)
    if base.metadata.horizon_days < needed:
        raise ValueError(
            f"{base.metadata.name} runs {base.metadata.horizon_days} days; the observations "
            f"need {needed} (to {max(o.end for o in chosen)})"
        )
    result = run_experiment(
        [base],
        reps,
        out_dir=out_dir,
        seed=seed,
        daily=True,
        model=model,
        executor=executor,
        workers=workers,
        progress_callback=progress,
    )
    if result.daily is None:
        raise ValueError("the runs recorded no daily series")
    chosen = resolve_series(chosen, list(result.daily.columns))
    gaps = missing_series(chosen, list(result.daily.columns))
    usable = [o for o in chosen if o.id not in gaps]
    stats = simulated_statistics(result.daily, usable, result.summary) if usable else None
    return pattern_table(stats, chosen, gaps)


def markdown_patterns(table: pd.DataFrame, header: str) -> str:
    """The pattern table as Markdown, under a one-paragraph header."""
    from sim.analysis.report import markdown_table

    columns = ["pattern", "window", "observed", "source", "modelled", "verdict", "use"]
    return f"{header}\n\n{markdown_table(table[columns])}\n"


def update_doc(path: str | Path, markdown: str) -> Path:
    """Replace the text between the pattern markers of ``path`` (added at the end if absent)."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    block = f"{DOC_START}\n{markdown.rstrip()}\n{DOC_END}"
    if DOC_START in text and DOC_END in text:
        before, rest = text.split(DOC_START, 1)
        after = rest.split(DOC_END, 1)[1]
        text = before + block + after
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
    return path
