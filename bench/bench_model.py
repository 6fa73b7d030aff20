"""Benchmark: one 365-day replication of the base scenario, split by sub-model.

Prints seconds per replication (median over repeats) for the whole run and for each part:
bargaining (political rounds), forces (force generation, territory, violence, aid,
reconstruction, ceasefire, records) and ground (the population layer). Goal: <= 0.25 s.

    .venv/bin/python bench/bench_model.py [--reps 10] [--scenario scenarios/base.yaml]
"""

from __future__ import annotations

import argparse
import statistics
from pathlib import Path

from sim.model.run import run_scenario
from sim.scenario.loader import SCENARIOS_DIR, load_scenario


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--scenario", type=Path, default=SCENARIOS_DIR / "base.yaml")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    run_scenario(scenario, 0)  # warm-up: imports, caches
    timings: dict[str, list[float]] = {}
    for seed in range(1, args.reps + 1):
        for part, seconds in run_scenario(scenario, seed).timings.items():
            timings.setdefault(part, []).append(seconds)
    print(
        f"scenario {scenario.metadata.name}, {scenario.metadata.horizon_days} days, "
        f"{args.reps} replications (median seconds per replication)"
    )
    for part in ("bargaining", "forces", "ground", "total"):
        values = timings.get(part, [0.0])
        print(f"  {part:<11} {statistics.median(values):.3f} s")
    total = statistics.median(timings["total"])
    print(f"  goal        0.250 s -> {'met' if total <= 0.25 else 'not met'} ({total / 0.25:.2f}x)")


if __name__ == "__main__":
    main()
