"""Benchmark of the experiment runner on this machine.

Measures, with the lab's real model:

* replications per second run serially and in the local process pool (every core);
* the runner's overhead over calling the model directly in a loop (goal: at most 5%):
  the same scenarios and seeds, once through ``run_scenario`` and once through
  ``run_experiment`` with the serial executor (which adds seeding, JSON transport of the
  scenario, the watchdog, one atomic Parquet file per run and the consolidation at the end).

Usage:
    .venv/bin/python bench/bench_runner.py [--reps 10] [--scenarios 2] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from sim.experiments import run_experiment
from sim.experiments.executors import default_workers
from sim.experiments.seeds import SeedPlan
from sim.model.run import run_scenario
from sim.scenario.loader import SCENARIOS_DIR, load_scenario
from sim.scenario.schema import Scenario

SCENARIOS = [
    "hamas-accepts-turkey-included",
    "hamas-rejects-turkey-vetoed",
    "hamas-accepts-turkey-vetoed",
    "hamas-rejects-turkey-included",
]
SEED = 7


def direct(scenarios: list[Scenario], reps: int) -> float:
    plan = SeedPlan.from_seed(SEED)
    start = time.perf_counter()
    for replication in range(reps):
        for scenario in scenarios:
            run_scenario(scenario, plan.replication_seed(replication))
    return time.perf_counter() - start


def through_runner(scenarios: list[Scenario], reps: int, executor: str) -> float:
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        result = run_experiment(scenarios, reps, seed=SEED, out_dir=Path(folder), executor=executor)
        elapsed = time.perf_counter() - start
    if not result.ok:
        raise SystemExit(f"benchmark runs failed: {result.failures[0]['error']}")
    return elapsed


def best_of(repeats: int, measure: Any) -> float:
    return min(measure() for _ in range(repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=10, help="replications per scenario")
    parser.add_argument("--scenarios", type=int, default=2, choices=range(1, 5))
    parser.add_argument("--repeats", type=int, default=2, help="best of this many timings")
    parser.add_argument("--json", type=Path, help="also write the numbers here")
    args = parser.parse_args()
    scenarios = [load_scenario(SCENARIOS_DIR / f"{n}.yaml") for n in SCENARIOS[: args.scenarios]]
    runs = args.reps * len(scenarios)
    run_scenario(scenarios[0], 0)  # warm caches and imports before timing
    t_direct = best_of(args.repeats, lambda: direct(scenarios, args.reps))
    t_serial = best_of(args.repeats, lambda: through_runner(scenarios, args.reps, "serial"))
    t_pool = best_of(args.repeats, lambda: through_runner(scenarios, args.reps, "pool"))
    numbers = {
        "runs": runs,
        "cores": default_workers(),
        "direct_s": t_direct,
        "serial_s": t_serial,
        "pool_s": t_pool,
        "direct_runs_per_s": runs / t_direct,
        "serial_runs_per_s": runs / t_serial,
        "pool_runs_per_s": runs / t_pool,
        "pool_speedup": t_serial / t_pool,
        "runner_overhead": t_serial / t_direct - 1.0,
    }
    print(
        f"{runs} runs ({len(scenarios)} scenarios x {args.reps} replications), "
        f"{numbers['cores']} cores, best of {args.repeats}"
    )
    print(
        f"  model called directly : {t_direct:7.2f} s  {numbers['direct_runs_per_s']:6.2f} runs/s"
    )
    print(
        f"  runner, serial        : {t_serial:7.2f} s  {numbers['serial_runs_per_s']:6.2f} runs/s"
    )
    print(
        f"  runner, process pool  : {t_pool:7.2f} s  {numbers['pool_runs_per_s']:6.2f} runs/s"
        f"  (x{numbers['pool_speedup']:.2f} over serial)"
    )
    verdict = "within" if numbers["runner_overhead"] <= 0.05 else "ABOVE"
    print(f"  runner overhead       : {numbers['runner_overhead']:+.1%} ({verdict} the 5% goal)")
    if args.json:
        args.json.write_text(json.dumps(numbers, indent=2) + "\n")


if __name__ == "__main__":
    main()
