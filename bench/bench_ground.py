"""Speed of the ground layer.

1. Epstein's Model I, vectorised (sim.ground.epstein) against Mesa's own example
   (mesa.examples.advanced.epstein_civil_violence), same parameters (the paper's Run 2 with
   von Neumann vision, as in Mesa), same lattice sizes: microseconds per agent-step and ratio.
2. The Gaza ground layer alone (GroundModel) for 365 days at the default resolution.

Run: .venv/bin/python bench/bench_ground.py [--quick]
"""

from __future__ import annotations

import argparse
import time

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


REPEATS = 3
"""Each timing is the best of this many repeats: the machine is shared, the minimum is stable."""


def mesa_us_per_agent_step(size: int, steps: int) -> float:
    scenario = EpsteinScenario(rng=1, citizen_vision=7, cop_vision=7, **RUN2)
    model = EpsteinCivilViolence(width=size, height=size, scenario=scenario)
    agents = len(model.agents)
    model.step()  # warm-up
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        for _ in range(steps):
            model.step()
        best = min(best, time.perf_counter() - start)
    return best / (steps * agents) * 1e6


def ours_us_per_agent_step(size: int, steps: int) -> float:
    spec = run2_spec("round", width=size, height=size)
    model = CivilViolenceLattice(spec, RandomStreams(1))
    agents = model.n_citizens + model.cop_site.size
    model.run(5)  # warm-up
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        model.run(steps)
        best = min(best, time.perf_counter() - start)
    return best / (steps * agents) * 1e6


def ground_year_seconds(repeats: int) -> float:
    best = float("inf")
    for seed in range(repeats):
        model = GroundModel(seed=seed)
        start = time.perf_counter()
        model.run(365)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer steps (for CI smoke runs)")
    args = parser.parse_args()
    scale = 0.3 if args.quick else 1.0
    print("Epstein Model I (Run 2, von Neumann vision 7, round rule)")
    print(f"{'lattice':>9} {'mesa us/agent-step':>19} {'ours us/agent-step':>19} {'speed-up':>9}")
    for size in SIZES:
        mesa_steps = max(2, int(scale * {40: 20, 80: 5, 160: 2}[size]))
        ours_steps = max(10, int(scale * {40: 400, 80: 200, 160: 60}[size]))
        mesa = mesa_us_per_agent_step(size, mesa_steps)
        ours = ours_us_per_agent_step(size, ours_steps)
        print(f"{size:>4}x{size:<4} {mesa:>19.2f} {ours:>19.3f} {mesa / ours:>8.0f}x")
    seconds = ground_year_seconds(repeats=5)
    print(f"\nGaza ground layer, 365 days at 1 km cells: {seconds:.3f} s (best of 5; goal < 0.1 s)")


if __name__ == "__main__":
    main()
