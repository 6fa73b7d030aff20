"""Time a bargaining run to convergence for 15, 50 and 250 actors on 5 dimensions.

Random actor tables from a fixed seed; each size is timed as the best of a few repeats, in both
recording modes. Run: ``.venv/bin/python bench/bench_bargaining.py``.
"""

from __future__ import annotations

import time

import numpy as np

from sim.bargaining import BargainingEngine

SIZES = (15, 50, 250)
DIMENSIONS = 5
SEED = 20251017


def random_engine(n: int, record: str, seed: int = SEED) -> BargainingEngine:
    rng = np.random.default_rng(seed + n)
    capability = rng.uniform(10.0, 100.0, n)
    position = rng.uniform(0.0, 100.0, (n, DIMENSIONS))
    raw = rng.uniform(0.0, 1.0, (n, DIMENSIONS))
    salience = 100.0 * raw / raw.sum(axis=1, keepdims=True) * rng.uniform(0.5, 1.0, (n, 1))
    actors = [f"a{i:03d}" for i in range(n)]
    dims = [f"d{k}" for k in range(DIMENSIONS)]
    return BargainingEngine(
        actors, dims, capability, position, salience, rng=np.random.default_rng(seed), record=record
    )


def time_run(n: int, record: str, repeats: int) -> tuple[float, int]:
    best = np.inf
    rounds = 0
    for _ in range(repeats):
        engine = random_engine(n, record)
        start = time.perf_counter()
        engine.run()
        best = min(best, time.perf_counter() - start)
        rounds = engine.turn
    return best, rounds


def main() -> None:
    print(f"{'actors':>6} {'record':>6} {'rounds':>6} {'total ms':>10} {'ms/round':>9}")
    results: dict[tuple[int, str], float] = {}
    for n in SIZES:
        for record in ("light", "full"):
            repeats = 5 if n < 100 else 1
            seconds, rounds = time_run(n, record, repeats)
            results[(n, record)] = seconds / max(rounds, 1)
            print(
                f"{n:>6} {record:>6} {rounds:>6} {seconds * 1e3:>10.1f} "
                f"{seconds * 1e3 / max(rounds, 1):>9.2f}"
            )
    for record in ("light", "full"):
        small, mid, large = (results[(n, record)] for n in SIZES)
        print(
            f"growth of time per round ({record}): 15->50 x{mid / small:.1f} "
            f"(n^3 would be x{(50 / 15) ** 3:.0f}), 50->250 x{large / mid:.1f} "
            f"(n^3 would be x{(250 / 50) ** 3:.0f})"
        )


if __name__ == "__main__":
    main()
