"""History matching of a scenario's assumption ranges against the calibration observations.

Each wave runs a space-filling design (Latin hypercube or NOLH) over the current ranges of the
chosen assumptions, ``reps`` replications per point with common random numbers, and computes
for every point and observation the implausibility

    I = |observed - mean_sim| / sqrt(sd_obs^2 + var_sim / reps + sd_discrepancy^2)

(Craig et al. 1997; Vernon, Goldstein and Bower 2010). A point whose largest implausibility
exceeds the cut-off (3, Pukelsheim's three-sigma rule) is ruled out. The next wave samples the
box around the points not ruled out. The result lists, per assumption, its prior range and the
range spanned by the points not ruled out, and writes that range as a scenario fragment whose
notes name the observations.

Only observations with ``use: calibration`` (dated up to 31 Jan 2026) enter; out-of-sample
observations are refused here.

Example:
    >>> settings = CalibrationSettings(["effects.*"])  # doctest: +SKIP
    >>> result = calibrate("scenarios/base.yaml", settings, out_dir="results/cal")  # doctest: +SKIP
    >>> result.ranges  # doctest: +SKIP
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from pydantic import ValidationError

from sim.experiments import nolh
from sim.experiments.designs import sampled_design
from sim.experiments.observations import (
    Observation,
    ObservationSet,
    horizon_needed,
    load_observations,
    missing_series,
    resolve_series,
    simulated_statistics,
)
from sim.experiments.runner import ExperimentResult, ProgressCallback, run_experiment
from sim.experiments.tasks import ModelFn
from sim.experiments.variants import Factor, ScenarioInput, load_inputs, select_factors
from sim.scenario.schema import Scenario

CUTOFF = 3.0
"""Implausibility cut-off: Pukelsheim's three-sigma rule for unimodal distributions."""


@dataclass
class CalibrationSettings:
    """How to history-match.

    Attributes:
        patterns: Globs of the assumptions to calibrate (as for ``isf-lab design -f``).
        kind: ``"lhs"`` or ``"nolh"`` design in each wave.
        points: Design points per wave (LHS; NOLH uses its standard size when None).
        reps: Replications per point (the simulation variance of the mean uses them).
        waves: Waves of refocusing.
        cutoff: Implausibility above which a point is ruled out.
        seed: Root seed (designs and replications).
        full_horizon: Run the scenario's own horizon instead of stopping after the last
            observation (slower; the same answer unless the model looks ahead).
        ensemble_variance: Add the runs' own variance to the denominator (the observation
            is one realisation of a stochastic world; Andrianakis et al. 2015), on top of the
            variance of the mean. Off by default: only the mean's uncertainty.
    """

    patterns: list[str]
    kind: str = "lhs"
    points: int | None = None
    reps: int = 4
    waves: int = 2
    cutoff: float = CUTOFF
    seed: int = 0
    full_horizon: bool = False
    ensemble_variance: bool = False


@dataclass
class CalibrationResult:
    """What history matching found.

    Attributes:
        scenario: Name of the scenario calibrated.
        factors: The assumptions with their prior ranges.
        observations: The calibration observations used.
        skipped: Observations left out, with the reason (e.g. a series the model lacks).
        points: Every design point of every wave: ``wave, scenario``, factor values,
            ``mean:<id>``, ``I:<id>``, ``I_max``, ``plausible``.
        ranges: Per factor: ``prior_low, prior_high, low, high, ruled_out_share``.
        settings: The settings used.
        experiments: The experiment of each wave.
    """

    scenario: str
    factors: list[Factor]
    observations: list[Observation]
    skipped: dict[str, str]
    points: pd.DataFrame
    ranges: pd.DataFrame
    settings: CalibrationSettings
    experiments: list[ExperimentResult] = field(default_factory=list)

    @property
    def plausible_share(self) -> float:
        """Share of all design points not ruled out."""
        return float(self.points["plausible"].mean()) if len(self.points) else 0.0


def implausibility(
    stats: pd.DataFrame, observations: Sequence[Observation], *, ensemble: bool = False
) -> pd.DataFrame:
    """Per scenario (design point): mean simulated statistic and implausibility per observation.

    Runs where a statistic is NaN (a ``given: holding`` observation in a run that collapsed)
    are left out of its mean; a point with no such run gets no implausibility for it (its
    collapse is judged by the ceasefire observation).

    Args:
        stats: One row per run (``scenario, replication`` and one column per observation id).
        observations: The observations.
        ensemble: Also add the runs' variance (one realisation observed) to the denominator.

    Returns:
        ``scenario, reps, mean:<id>, n:<id>, I:<id>, I_max, worst``.
    """
    groups = stats.groupby("scenario", sort=False)
    table = pd.DataFrame({"reps": groups.size()})
    for observation in observations:
        values = groups[observation.id]
        mean, count = values.mean(), values.count()
        variance = values.var(ddof=1).fillna(0.0)
        var_sim = variance / count.clip(lower=1) + (variance if ensemble else 0.0)
        scale = np.sqrt(observation.sd**2 + observation.discrepancy_sd**2 + var_sim)
        table[f"mean:{observation.id}"] = mean
        table[f"n:{observation.id}"] = count
        table[f"I:{observation.id}"] = (observation.value - mean).abs() / scale
    columns = [f"I:{o.id}" for o in observations]
    table["I_max"] = table[columns].max(axis=1, skipna=True).fillna(0.0)
    table["worst"] = table[columns].fillna(-1.0).idxmax(axis=1).str.removeprefix("I:")
    return table.reset_index()


def calibrate(
    scenario: ScenarioInput,
    settings: CalibrationSettings,
    *,
    out_dir: str | Path,
    observations: ObservationSet | str | Path | None = None,
    model: ModelFn | None = None,
    executor: str = "pool",
    workers: int | None = None,
    progress: Callable[[int], ProgressCallback | None] | None = None,
) -> CalibrationResult:
    """History-match ``scenario``'s chosen assumption ranges in waves.

    Args:
        scenario: Scenario file or scenario.
        settings: Factors, design, replications, waves, cut-off and seed.
        out_dir: Folder for the waves' experiments (``wave1/``, ``wave2/`` ...; resumable).
        observations: An observation set or file (default ``seeds/observations.yaml``).
        model: Model function (default ``sim.model.run.run_scenario``).
        executor: ``"serial"``, ``"pool"`` or ``"dask"``.
        workers: Pool size.
        progress: Given the wave number, returns the runner's progress callback for it.

    Raises:
        ValueError: For unknown factors, no usable observations or bad settings.
    """
    base = load_inputs([scenario])[0]
    factors = select_factors(base, settings.patterns)
    chosen = _calibration_observations(observations)
    if not settings.full_horizon:
        base = _with_horizon(base, min(base.metadata.horizon_days, horizon_needed(chosen)))
    bounds = [(f.low, f.high) for f in factors]
    run = _WaveRunner(base, settings, Path(out_dir), chosen, model, executor, workers, progress)
    frames = []
    for wave in range(1, settings.waves + 1):
        table = run.wave(
            wave, [replace(f, low=lo, high=hi) for f, (lo, hi) in zip(factors, bounds, strict=True)]
        )
        frames.append(table)
        kept = table[table["plausible"]]
        if kept.empty:
            break
        bounds = _refocus(kept, factors, bounds, len(table))
    points = pd.concat(frames, ignore_index=True)
    return CalibrationResult(
        base.metadata.name,
        factors,
        run.usable or [],
        run.skipped,
        points,
        range_table(points, factors),
        settings,
        run.experiments,
    )


@dataclass
class _WaveRunner:
    """Runs one wave's design and scores its points."""

    base: Scenario
    settings: CalibrationSettings
    out_dir: Path
    chosen: list[Observation]
    model: ModelFn | None
    executor: str
    workers: int | None
    progress: Callable[[int], ProgressCallback | None] | None
    usable: list[Observation] | None = None
    skipped: dict[str, str] = field(default_factory=dict)
    experiments: list[ExperimentResult] = field(default_factory=list)

    def wave(self, wave: int, factors: list[Factor]) -> pd.DataFrame:
        """The wave's points with their implausibilities and ``plausible`` flags."""
        settings = self.settings
        unit = _unit(settings, len(factors), wave)
        design = sampled_design(settings.kind, self.base, factors, unit, {"wave": wave})
        result = run_experiment(
            design.variants,
            settings.reps,
            out_dir=self.out_dir / f"wave{wave}",
            seed=settings.seed,
            design=design,
            daily=True,
            model=self.model,
            executor=self.executor,
            workers=self.workers,
            progress_callback=self.progress(wave) if self.progress else None,
        )
        self.experiments.append(result)
        if result.daily is None or result.daily.empty:
            raise ValueError(f"wave {wave} produced no daily series to compare")
        if self.usable is None:
            self.usable, self.skipped = _usable(self.chosen, list(result.daily.columns))
        stats = simulated_statistics(result.daily, self.usable, result.summary)
        scores = implausibility(stats, self.usable, ensemble=settings.ensemble_variance)
        table = design.points.drop(columns=[c for c in design.points if c.startswith("unit:")])
        table = table.merge(scores, on="scenario")
        table.insert(0, "wave", wave)
        table["plausible"] = table["I_max"] <= settings.cutoff
        return table


def _calibration_observations(
    observations: ObservationSet | str | Path | None,
) -> list[Observation]:
    loaded = (
        observations
        if isinstance(observations, ObservationSet)
        else load_observations(observations)
    )
    chosen = loaded.for_use("calibration")
    if not chosen:
        raise ValueError("the observations file has no 'use: calibration' observation")
    return chosen


def _usable(
    observations: list[Observation], columns: list[str]
) -> tuple[list[Observation], dict[str, str]]:
    observations = resolve_series(observations, columns)
    gaps = missing_series(observations, columns)
    usable = [o for o in observations if o.id not in gaps]
    skipped = {name: f"the model has no daily series {', '.join(s)}" for name, s in gaps.items()}
    if not usable:
        raise ValueError(f"no calibration observation matches the model's daily series: {skipped}")
    return usable, skipped


def _with_horizon(scenario: Scenario, days: int) -> Scenario:
    """The scenario stopped after ``days``.

    Unchanged if the shorter horizon is not valid (e.g. a dated event that the schema
    requires inside the horizon).
    """
    if days == scenario.metadata.horizon_days:
        return scenario
    data = scenario.model_dump(mode="python")
    data["metadata"]["horizon_days"] = days
    try:
        return Scenario.model_validate(data)
    except ValidationError:
        return scenario


def _unit(settings: CalibrationSettings, dimensions: int, wave: int) -> np.ndarray:
    if settings.kind == "nolh":
        return nolh.nolh_unit(dimensions, settings.points)
    if settings.kind == "lhs":
        from scipy.stats import qmc

        points = settings.points or max(10 * dimensions, 10)
        if points < 2:
            raise ValueError("a Latin hypercube needs at least 2 points")
        seed = np.random.SeedSequence([settings.seed, wave])
        sampler = qmc.LatinHypercube(
            d=dimensions, optimization="random-cd", rng=np.random.default_rng(seed)
        )
        return sampler.random(points)
    raise ValueError(f"calibration designs are 'lhs' or 'nolh', not {settings.kind!r}")


def _refocus(
    kept: pd.DataFrame,
    factors: Sequence[Factor],
    bounds: Sequence[tuple[float, float]],
    points: int,
) -> list[tuple[float, float]]:
    """The box around the points not ruled out, padded by one design spacing, within bounds."""
    refocused = []
    for factor, (low, high) in zip(factors, bounds, strict=True):
        values = kept[factor.name]
        pad = (high - low) / max(points, 1)
        refocused.append(
            (max(low, float(values.min()) - pad), min(high, float(values.max()) + pad))
        )
    return refocused


def range_table(points: pd.DataFrame, factors: Sequence[Factor]) -> pd.DataFrame:
    """Per factor: prior range, the range of points not ruled out, and the share ruled out.

    ``kept_p10, kept_median, kept_p90`` are quantiles of the first wave's points not ruled out
    (that wave fills the prior box evenly, so they estimate where the non-implausible values
    concentrate even when the outer range is hardly cut).
    """
    kept = points[points["plausible"]]
    first = kept[kept["wave"] == kept["wave"].min()] if len(kept) else kept
    rows = []
    for factor in factors:
        quantiles = (
            np.quantile(first[factor.name], [0.1, 0.5, 0.9]) if len(first) else [math.nan] * 3
        )
        width = factor.high - factor.low
        low = float(kept[factor.name].min()) if len(kept) else math.nan
        high = float(kept[factor.name].max()) if len(kept) else math.nan
        share = 1.0 if not len(kept) else 1.0 - (high - low) / width if width > 0 else 0.0
        rows.append(
            {
                "parameter": factor.name,
                "prior_low": factor.low,
                "prior_high": factor.high,
                "baseline": factor.baseline,
                "low": low,
                "high": high,
                "ruled_out_share": share,
                "kept_p10": float(quantiles[0]),
                "kept_median": float(quantiles[1]),
                "kept_p90": float(quantiles[2]),
            }
        )
    return pd.DataFrame(rows)


def fragment_data(result: CalibrationResult, observations_file: str) -> dict[str, Any]:
    """The calibrated ranges as a scenario fragment (nested mapping of sourced values).

    Each value keeps the scenario's own value when it lies inside the calibrated range, else
    takes the range's middle; the note names the observations and the procedure.

    Raises:
        ValueError: If nothing is left (every point ruled out) or a path cannot be nested.
    """
    if not result.points["plausible"].any():
        raise ValueError("every design point was ruled out: there is no calibrated range to write")
    ids = ", ".join(o.id for o in result.observations)
    settings = result.settings
    fragment: dict[str, Any] = {}
    by_name = {f.name: f for f in result.factors}
    for row in result.ranges.itertuples(index=False):
        factor = by_name[str(row.parameter)]
        low, high = _tidy(float(row.low), factor.integer), _tidy(float(row.high), factor.integer)
        baseline = factor.baseline if factor.baseline is not None else (low + high) / 2
        value = baseline if low <= baseline <= high else (low + high) / 2
        value = round(value) if factor.integer else _tidy(value, False)
        note = (
            f"calibrated by history matching against {observations_file} ({ids}); prior "
            f"[{factor.low:g}, {factor.high:g}], {row.ruled_out_share:.0%} of it ruled out "
            f"(implausibility > {settings.cutoff:g}; {settings.waves} waves of {settings.kind}, "
            f"{settings.reps} replications per point, seed {settings.seed})"
        )
        node: dict[str, Any] = {"value": value, "assumption": [low, high], "note": note}
        _nest(fragment, factor.path, node)
    return fragment


def _tidy(value: float, integer: bool) -> float | int:
    return round(value) if integer else float(f"{value:.6g}")


def _nest(target: dict[str, Any], path: tuple[str | int, ...], node: dict[str, Any]) -> None:
    for part in path[:-1]:
        if not isinstance(part, str):
            raise ValueError(f"cannot write list element {path} into a fragment")
        target = target.setdefault(part, {})
    target[str(path[-1])] = node


def write_fragment(
    result: CalibrationResult, path: str | Path, observations_file: str = "seeds/observations.yaml"
) -> Path:
    """Write the calibrated ranges as a YAML fragment (``scenarios/parts/`` format)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = fragment_data(result, observations_file)
    header = (
        f"# Fragment: assumption ranges of {result.scenario} calibrated by history matching\n"
        f"# against the calibration observations (10 Oct 2025 - 31 Jan 2026) of "
        f"{observations_file}:\n"
        + "".join(
            f"#   {o.id}: {o.label} = {o.value:g} ({o.source})\n" for o in result.observations
        )
        + f"# {len(result.points)} design points, {result.plausible_share:.0%} not ruled out. "
        "Extend a scenario with it (extends: [base.yaml, parts/THIS.yaml]).\n"
    )
    path.write_text(header + yaml.safe_dump(data, sort_keys=False, width=100), encoding="utf-8")
    return path
