"""Time a run the way the app makes it: blocks of replications on a pool of worker processes.

Usage::

    .venv/bin/python -m sim.ui.timing                      # 30 replications, every core
    .venv/bin/python -m sim.ui.timing --reps 30 --workers 1 scenarios/base.yaml
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

from sim.experiments.executors import default_workers, make_pool
from sim.experiments.seeds import SeedPlan
from sim.scenario.loader import SCENARIOS_DIR, load_scenario
from sim.ui.running import block_ranges, parse_payload, payload_of, run_block

DEFAULT_SCENARIO = SCENARIOS_DIR / "hamas-rejects-turkey-vetoed.yaml"


def _warm(payload: str) -> bool:
    parse_payload(payload)
    return True


def time_run(path: Path, reps: int, workers: int, seed: int = 1) -> tuple[float, float]:
    """Seconds for ``reps`` replications (pool started and warmed first), and per run."""
    payload = payload_of(load_scenario(path))
    entropy = SeedPlan.from_seed(seed).entropy
    pool = make_pool(workers) if workers > 1 else None
    try:
        if pool is not None:
            list(pool.map(_warm, [payload] * workers))
        start = time.perf_counter()
        for chunk in block_ranges(reps, max(2, 2 * workers)):
            run_block(payload, "timing", entropy, chunk, pool)
        seconds = time.perf_counter() - start
    finally:
        if pool is not None:
            pool.shutdown()
    return seconds, seconds / reps


def main() -> None:
    """Print the time of one run of the app's kind."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario", nargs="?", type=Path, default=DEFAULT_SCENARIO)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()
    seconds, per_run = time_run(args.scenario, args.reps, args.workers)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"{args.reps} replications of {args.scenario.name} on {args.workers} worker(s): "
        f"{seconds:.1f} s ({per_run:.2f} s per run; load average {load})"
    )


if __name__ == "__main__":
    main()
