"""Speed of the ground layer.

1. Epstein's Model I (sim.ground.epstein, both schedules) against Mesa's own example
   (mesa.examples.advanced.epstein_civil_violence), same parameters (the paper's Run 2 with
   von Neumann vision 7 and the round rule, as in Mesa), same lattice sizes: microseconds per
   agent-step, wall clock and CPU, and the ratio. The contenders are interleaved (Mesa, then
   ours, three rounds) and each keeps its best round, so that a busy spell on the shared
   machine hits both alike.
2. The Gaza ground layer alone (GroundModel) for 365 days at the default resolution.

Run: .venv/bin/python bench/bench_ground.py [--quick] [--sizes 40 80]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from dataclasses import dataclass

from mesa.examples.advanced.epstein_civil_violence.model import (
    EpsteinCivilViolence,
    EpsteinScenario,
)

from sim.ground.epstein import CivilViolenceLattice
from sim.ground.model import GroundModel
from sim.ground.validation import run2_spec
from sim.rng import RandomStreams

SIZES = (40, 80, 160)
RUN2 = {"citizen_density": 0.7, "cop_density": 0.04, "legitimacy": 0.82, "max_jail_term": 30}
ROUNDS = 3
"""Interleaved rounds; each contender keeps its best (the machine is shared)."""
MESA_STEPS = {40: 20, 80: 5, 160: 2}
OURS_STEPS = {40: 2000, 80: 500, 160: 120}


@dataclass
class Contender:
    """A model that can be stepped, with its agent count, and its best timings so far."""

    name: str
    run: Callable[[int], object]
    agents: int
    steps: int
    wall: float = float("inf")
    cpu: float = float("inf")

    def time_round(self) -> None:
        """Run ``steps`` steps once and keep the best per agent-step times (us)."""
        wall, cpu = time.perf_counter(), time.process_time()
        self.run(self.steps)
        per = 1e6 / (self.steps * self.agents)
        self.wall = min(self.wall, (time.perf_counter() - wall) * per)
        self.cpu = min(self.cpu, (time.process_time() - cpu) * per)


def mesa(size: int, steps: int) -> Contender:
    """Mesa's example on a size x size torus (one warm-up step)."""
    scenario = EpsteinScenario(rng=1, citizen_vision=7, cop_vision=7, **RUN2)
    model = EpsteinCivilViolence(width=size, height=size, scenario=scenario)
    model.step()

    def run(n: int) -> None:
        for _ in range(n):
            model.step()

    return Contender("Mesa example", run, len(model.agents), steps)


def ours(size: int, steps: int, activation: str) -> Contender:
    """The project's lattice (five warm-up steps: loads the compiled kernels)."""
    spec = run2_spec("round", width=size, height=size).model_copy(update={"activation": activation})
    model = CivilViolenceLattice(spec, RandomStreams(1))
    model.run(5)
    return Contender(activation, model.run, model.n_citizens + int(model.cop_site.size), steps)


def compare(size: int, scale: float, schedules: list[str]) -> list[Contender]:
    """Interleaved rounds of Mesa and the project's schedules on one lattice size."""
    contenders = [mesa(size, max(2, int(scale * MESA_STEPS[size])))]
    for schedule in schedules:
        contenders.append(ours(size, max(10, int(scale * OURS_STEPS[size])), schedule))
    for _ in range(ROUNDS):
        for contender in contenders:
            contender.time_round()
    return contenders


def ground_year_seconds(repeats: int) -> float:
    """Best wall time of a 365-day run of the Gaza ground layer alone."""
    best = float("inf")
    for seed in range(repeats):
        model = GroundModel(seed=seed)
        start = time.perf_counter()
        model.run(365)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    """Print the Epstein table, then the ground layer's year."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer steps (for CI smoke runs)")
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES), choices=SIZES)
    parser.add_argument(
        "--schedules",
        nargs="+",
        default=["synchronous", "random_sequential"],
        choices=["synchronous", "random_sequential"],
    )
    parser.add_argument("--no-ground", action="store_true", help="skip the Gaza ground layer")
    args = parser.parse_args()
    scale = 0.3 if args.quick else 1.0
    print("Epstein Model I (Run 2, von Neumann vision 7, round rule); us per agent-step,")
    print(f"best of {ROUNDS} interleaved rounds; speed-up = Mesa / ours (wall; CPU)")
    header = f"{'lattice':>9} {'model':>18} {'wall us':>9} {'CPU us':>9} {'speed-up':>18}"
    print(header)
    for size in args.sizes:
        mesa_run, *mine = compare(size, scale, args.schedules)
        label = f"{size}x{size}"
        print(f"{label:>9} {mesa_run.name:>18} {mesa_run.wall:>9.2f} {mesa_run.cpu:>9.2f}")
        for contender in mine:
            ratio = f"{mesa_run.wall / contender.wall:.0f}x; {mesa_run.cpu / contender.cpu:.0f}x"
            print(
                f"{'':>9} {contender.name:>18} {contender.wall:>9.3f} {contender.cpu:>9.3f} "
                f"{ratio:>18}"
            )
    if not args.no_ground:
        seconds = ground_year_seconds(repeats=5)
        print(f"\nGaza ground layer, 365 days at 1 km cells: {seconds:.3f} s (best of 5)")


if __name__ == "__main__":
    main()
