"""Replicate the published findings of Epstein (2002) with the vectorised paper mode.

Run ``.venv/bin/python -m sim.ground.validation`` to regenerate the tables (printed as Markdown)
and the figures (``docs/figures/ground/``) reported in ``docs/validation.md``.

Findings checked (Model I, per C/A rule): punctuated outbursts with their waiting times and
sizes; a gradual legitimacy decline gives no outburst while a sudden smaller drop does; removing
cops tips the population into rebellion. Model II: without peacekeepers one group is wiped out;
more peacekeepers delay that.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.ground.epstein import CivilViolenceLattice, LatticeRun
from sim.ground.outbursts import OutburstStats, outburst_stats, pool
from sim.rng import RandomStreams
from sim.scenario.ground import (
    Activation,
    EpsteinSpec,
    InterGroupSpec,
    Neighbourhood,
    RatioRule,
)

RULES: tuple[RatioRule, ...] = ("floor", "round", "literal")
FIGURES = Path("docs/figures/ground")


def _assumed(value: float) -> dict[str, Any]:
    return {"value": value, "assumption": [value, value]}


def run2_spec(
    rule: RatioRule,
    neighbourhood: Neighbourhood = "von_neumann",
    activation: Activation = "synchronous",
    **overrides: float,
) -> EpsteinSpec:
    """The paper's Run 2 (40x40, density 0.7, cops 0.04, v 7, L 0.82, J_max 30), with overrides."""
    fields: dict[str, Any] = {
        "ratio_rule": rule,
        "neighbourhood": neighbourhood,
        "activation": activation,
    }
    fields.update({name: _assumed(value) for name, value in overrides.items()})
    return EpsteinSpec.model_validate(fields)


def punctuated(
    rule: RatioRule,
    neighbourhood: Neighbourhood,
    seeds: range,
    steps: int = 1000,
    activation: Activation = "synchronous",
) -> tuple[OutburstStats, LatticeRun]:
    """Outbursts over Run 2 replications; also returns the first run for plotting."""
    found, first = [], None
    spec = run2_spec(rule, neighbourhood, activation)
    for seed in seeds:
        run = CivilViolenceLattice(spec, RandomStreams(seed)).run(steps)
        first = first or run
        found.append(outburst_stats(run.active, run.activations, burn_in=50))
    assert first is not None
    return pool(found), first


@dataclass(frozen=True)
class LegitimacyResult:
    """Peak actives after a sudden drop and during/after a gradual decline, per seed."""

    sudden_peaks: list[int]
    gradual_peaks: list[int]


LEGITIMACY = {"start": 0.9, "sudden_to": 0.7, "gradual_to": 0.6, "ramp": 300, "after": 200}
"""Legitimacy experiment: a drop of 0.2 at once versus a decline of 0.3 over 300 steps."""


def legitimacy_experiment(rule: RatioRule, seeds: range, size: int = 40) -> LegitimacyResult:
    """Sudden versus gradual legitimacy decline, with long jail terms (J_max = 1000)."""
    spec = run2_spec(
        rule, legitimacy=LEGITIMACY["start"], max_jail_term=1000, width=size, height=size
    )
    sudden, gradual = [], []
    settle = 50
    for seed in seeds:
        model = CivilViolenceLattice(spec, RandomStreams(seed))
        model.run(settle)
        model.set_legitimacy(LEGITIMACY["sudden_to"])
        sudden.append(int(model.run(int(LEGITIMACY["after"])).active[settle:].max()))
        model = CivilViolenceLattice(spec, RandomStreams(seed))
        model.run(settle)
        ramp = int(LEGITIMACY["ramp"])
        for step in range(ramp):
            drop = LEGITIMACY["start"] - LEGITIMACY["gradual_to"]
            model.set_legitimacy(LEGITIMACY["start"] - drop * (step + 1) / ramp)
            model.step()
        gradual.append(int(model.run(int(LEGITIMACY["after"])).active[settle:].max()))
    return LegitimacyResult(sudden, gradual)


def cop_removal(rule: RatioRule, seeds: range, cop_density: float = 0.074) -> dict[str, float]:
    """Mean actives before and after removing cops in stages (a fifth of the force each time)."""
    spec = run2_spec(rule, cop_density=cop_density)
    stages = 5
    means = np.zeros((len(seeds), stages + 1))
    for row, seed in enumerate(seeds):
        model = CivilViolenceLattice(spec, RandomStreams(seed))
        per_stage = model.cop_site.size // stages
        for stage in range(stages + 1):
            if stage:
                model.remove_cops(per_stage)
            means[row, stage] = model.run(200).active[-150:].mean()
    return {
        f"cops_{100 - 20 * stage}pct": float(means[:, stage].mean()) for stage in range(stages + 1)
    }


def extinction_times(
    cop_density: float, seeds: range, cap: int = 1500, size: int = 40
) -> list[int | None]:
    """Model II: steps until one group has no living member (None: not within ``cap``)."""
    spec = InterGroupSpec.model_validate(
        {"cop_density": _assumed(cop_density), "width": _assumed(size), "height": _assumed(size)}
    )
    times: list[int | None] = []
    for seed in seeds:
        model = CivilViolenceLattice(spec, RandomStreams(seed))
        time: int | None = None
        for step in range(1, cap + 1):
            model.step()
            if model.alive_by_group.min() == 0:
                time = step
                break
        times.append(time)
    return times


def _plot_series(run: LatticeRun, title: str, path: Path) -> None:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7, 2.6), dpi=100)
    axes = figure.subplots()
    axes.plot(run.active, lw=0.8, label="active")
    axes.plot(run.jailed, lw=0.8, label="jailed")
    axes.axhline(50, color="grey", lw=0.5, ls="--")
    axes.set_xlabel("step")
    axes.set_ylabel("agents")
    axes.set_title(title, fontsize=9)
    axes.legend(fontsize=7)
    figure.savefig(path, bbox_inches="tight")


def _fmt(value: float) -> str:
    return "n/a" if np.isnan(value) else f"{value:.0f}"


SCHEDULES: tuple[tuple[Activation, Neighbourhood], ...] = tuple(
    (activation, shape)
    for activation in ("synchronous", "random_sequential")
    for shape in ("von_neumann", "circle", "moore")
)
"""Schedules and vision shapes of the punctuated-equilibrium table."""


def report_punctuated(seeds: range, steps: int) -> None:
    """Print the outburst table and save one series plot per rule and schedule (von Neumann)."""
    print(
        "| schedule | rule | vision | outbursts | wait mean | wait sd | size mean | size sd "
        "| agent-steps mean | agent-steps sd | peak mean |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for activation, neighbourhood in SCHEDULES:
        for rule in RULES:
            stats, first = punctuated(rule, neighbourhood, seeds, steps, activation)
            s = stats.summary()
            cells = [s[k] for k in ("wait_mean", "wait_sd", "size_mean", "size_sd")]
            cells += [s[k] for k in ("active_steps_mean", "active_steps_sd", "peak_mean")]
            print(
                f"| {activation} | {rule} | {neighbourhood} | {stats.count} | "
                + " | ".join(_fmt(value) for value in cells)
                + " |"
            )
            if neighbourhood == "von_neumann":
                suffix = "" if activation == "synchronous" else "_sequential"
                _plot_series(
                    first,
                    f"Run 2, {rule} rule, {activation} (seed {seeds[0]})",
                    FIGURES / f"run2_{rule}{suffix}.png",
                )


def main(argv: list[str] | None = None) -> None:
    """Print every finding as Markdown and write the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=10, help="replications per experiment")
    parser.add_argument("--steps", type=int, default=1000, help="steps per Run 2 replication")
    args = parser.parse_args(argv)
    seeds = range(args.seeds)
    FIGURES.mkdir(parents=True, exist_ok=True)
    print(f"## Punctuated equilibrium (Run 2, {args.seeds} seeds x {args.steps} steps)\n")
    report_punctuated(seeds, args.steps)
    print(
        "\n## Legitimacy: sudden drop 0.9->0.7 vs gradual 0.9->0.6 over 300 steps (peak actives)\n"
    )
    for rule in RULES:
        result = legitimacy_experiment(rule, seeds)
        print(f"- {rule}: sudden {result.sudden_peaks}; gradual {result.gradual_peaks}")
    print("\n## Removing cops (cop density 0.074, L 0.82; mean actives per stage)\n")
    for rule in RULES:
        print(f"- {rule}: {cop_removal(rule, seeds)}")
    print("\n## Model II: steps until one group is wiped out (None: not by step 1500)\n")
    for density in (0.0, 0.01, 0.02, 0.03, 0.05):
        times = extinction_times(density, seeds)
        done = [t for t in times if t is not None]
        summary = (
            f"mean {np.mean(done):.0f}, sd {np.std(done, ddof=1) if len(done) > 1 else 0:.0f}"
            if done
            else ""
        )
        print(f"- peacekeepers {density}: {times} ({len(done)}/{len(times)} wiped out; {summary})")


if __name__ == "__main__":
    main()
