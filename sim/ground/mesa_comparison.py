"""Epstein's Model I here and in Mesa's example, side by side over paired seed sets.

Mesa's example (``mesa.examples.advanced.epstein_civil_violence``, Mesa 3.5) runs the paper's
random sequential activation and leaves jailed citizens on the grid. This script runs it and the
project's lattice (``random_sequential`` and ``synchronous``) with the same parameters (the
paper's Run 2 with von Neumann vision and Mesa's round rule; agents placed site by site as
Mesa places them) and compares, with two-sided
Mann-Whitney U tests, per-run mean actives and jailed, outbursts per run (more than 50 actives),
the waiting times between outbursts and the outburst sizes (activations per outburst), both
pooled over runs and as per-run means. The seeds of the two implementations are different
random streams: the test is between two samples of runs, not paired.

Run ``.venv/bin/python -m sim.ground.mesa_comparison --seeds 12 --steps 400`` (about 3 minutes,
nearly all of it in Mesa) to print the table reported in ``docs/validation.md``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import mannwhitneyu

from sim.ground.epstein import CivilViolenceLattice
from sim.ground.outbursts import outburst_stats
from sim.ground.validation import run2_spec
from sim.rng import RandomStreams
from sim.scenario.ground import Activation, Placement

RUN2 = {"citizen_density": 0.7, "cop_density": 0.04, "legitimacy": 0.82, "max_jail_term": 30}
"""Run 2 of Epstein (2002) in the names of Mesa's ``EpsteinScenario`` (other values: its
defaults, which are the paper's: T 0.1, k 2.3, movement on)."""
BURN_IN = 50
"""Steps discarded at the start of every run (as in docs/validation.md)."""
MEASURES = (
    "mean actives",
    "mean jailed",
    "outbursts per run",
    "waits",
    "sizes",
    "mean wait per run",
    "mean size per run",
)
"""Per-run values, except waits and sizes: every outburst of every run, pooled. Pooled values
from one run are not independent, so the per-run means (over runs with any) are given too."""


@dataclass(frozen=True)
class Series:
    """One run: actives, jailed and quiet -> active turns per step (index 0: initial state)."""

    active: npt.NDArray[np.int64]
    jailed: npt.NDArray[np.int64]
    activations: npt.NDArray[np.int64]


def mesa_series(seed: int, steps: int, size: int = 40, vision: int = 7) -> Series:
    """Run Mesa's example; activations are counted by wrapping each citizen's ``step``."""
    from mesa.examples.advanced.epstein_civil_violence.agents import Citizen, CitizenState
    from mesa.examples.advanced.epstein_civil_violence.model import (
        EpsteinCivilViolence,
        EpsteinScenario,
    )

    scenario = EpsteinScenario(rng=seed, citizen_vision=vision, cop_vision=vision, **RUN2)
    model = EpsteinCivilViolence(width=size, height=size, scenario=scenario)
    turned = [0]

    def counting(citizen: Citizen) -> Callable[[], None]:
        step = citizen.step

        def counted() -> None:
            before = citizen.state
            step()
            if citizen.state is CitizenState.ACTIVE and before is not CitizenState.ACTIVE:
                turned[0] += 1

        return counted

    for citizen in model.agents_by_type[Citizen]:
        citizen.step = counting(citizen)
    rows = [(model.ACTIVE, model.ARRESTED, 0)]
    for _ in range(steps):
        turned[0] = 0
        model.step()
        rows.append((model.ACTIVE, model.ARRESTED, turned[0]))
    table = np.array(rows, dtype=np.int64)
    return Series(table[:, 0], table[:, 1], table[:, 2])


def lattice_series(
    seed: int,
    steps: int,
    activation: Activation,
    size: int = 40,
    vision: int = 7,
    placement: Placement = "per_site",
    **overrides: float,
) -> Series:
    """Run the project's lattice with Mesa's parameters, rule and (by default) placement."""
    spec = run2_spec(
        "round",
        "von_neumann",
        activation,
        width=size,
        height=size,
        citizen_vision=vision,
        cop_vision=vision,
        **overrides,
    ).model_copy(update={"placement": placement})
    run = CivilViolenceLattice(spec, RandomStreams(seed)).run(steps)
    return Series(run.active, run.jailed, run.activations)


def measures(runs: list[Series], burn_in: int = BURN_IN) -> dict[str, npt.NDArray[np.float64]]:
    """The compared samples: one value per run, or per outburst (waits, sizes) pooled."""
    found = [outburst_stats(r.active, r.activations, burn_in=burn_in) for r in runs]
    return {
        "mean actives": np.array([r.active[burn_in:].mean() for r in runs]),
        "mean jailed": np.array([r.jailed[burn_in:].mean() for r in runs]),
        "outbursts per run": np.array([float(f.count) for f in found]),
        "waits": np.concatenate([f.waits for f in found]).astype(float),
        "sizes": np.concatenate([f.sizes for f in found]).astype(float),
        "mean wait per run": np.array([f.waits.mean() for f in found if f.waits.size]),
        "mean size per run": np.array([f.sizes.mean() for f in found if f.sizes.size]),
    }


@dataclass(frozen=True)
class Comparison:
    """One measure compared: sample means and sizes, U statistic and two-sided p-value."""

    measure: str
    mesa_mean: float
    ours_mean: float
    mesa_n: int
    ours_n: int
    u: float
    p: float


def compare(
    mesa: dict[str, npt.NDArray[np.float64]], ours: dict[str, npt.NDArray[np.float64]]
) -> list[Comparison]:
    """Two-sided Mann-Whitney U test of each measure (NaN when a sample is empty)."""
    rows = []
    for name in MEASURES:
        a, b = mesa[name], ours[name]
        if a.size and b.size:
            result = mannwhitneyu(a, b, alternative="two-sided")
            u, p = float(result.statistic), float(result.pvalue)
        else:
            u = p = float("nan")
        mean_a = float(a.mean()) if a.size else float("nan")
        mean_b = float(b.mean()) if b.size else float("nan")
        rows.append(Comparison(name, mean_a, mean_b, int(a.size), int(b.size), u, p))
    return rows


def table(rows: list[Comparison], label: str) -> str:
    """The comparison as a Markdown table."""
    lines = [
        f"| measure | Mesa mean (n) | {label} mean (n) | U | p |",
        "|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.measure} | {r.mesa_mean:.1f} ({r.mesa_n}) | {r.ours_mean:.1f} ({r.ours_n}) | "
            f"{r.u:.0f} | {r.p:.3f} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    """Run both implementations over the seeds and print the comparison tables."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=12, help="runs per implementation")
    parser.add_argument("--steps", type=int, default=400, help="steps per run")
    parser.add_argument("--size", type=int, default=40, help="lattice side")
    parser.add_argument("--vision", type=int, default=7, help="vision of citizens and cops")
    parser.add_argument(
        "--placement",
        choices=["per_site", "exact"],
        default="per_site",
        help="the lattice's initial placement (per_site: as Mesa's example places agents)",
    )
    args = parser.parse_args(argv)
    seeds = range(args.seeds)
    shape = {"size": args.size, "vision": args.vision}
    mesa = measures([mesa_series(s, args.steps, **shape) for s in seeds])
    print(f"Run 2, round rule, {args.size}x{args.size}, von Neumann vision {args.vision}, ", end="")
    print(f"{args.seeds} seeds x {args.steps} steps (first {BURN_IN} discarded), ", end="")
    print(f"placement {args.placement}\n")
    activation: Activation
    for activation in ("random_sequential", "synchronous"):
        ours = measures(
            [
                lattice_series(s, args.steps, activation, placement=args.placement, **shape)
                for s in seeds
            ]
        )
        print(f"### Mesa's example vs `{activation}`\n")
        print(table(compare(mesa, ours), activation) + "\n")


if __name__ == "__main__":
    main()
