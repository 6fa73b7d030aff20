"""Benchmark: one 365-day replication of the base scenario, split by sub-model.

Prints, for ``scenarios/base.yaml``:

- cold start: the first replication in a fresh process (imports, loading compiled kernels from
  numba's on-disk cache or compiling them, the scenario), measured in ``--cold`` subprocesses
  (median and range: single cold starts vary with the machine's file cache);
- warm: the median over ``--reps`` replications (seeds 1..reps) of the whole replication and of
  its parts: bargaining (political rounds), forces (force generation, territory, violence, aid,
  reconstruction, ceasefire, records) and ground (the population layer); wall and CPU time;
- a reference measured in the same run: one step of Mesa's own Epstein civil-violence example
  at 40x40 (best of 20), so that figures from machines of different speed can be compared
  (machines of the same kind differ by 2x or more); each time is also given in reference units;
- each warm replication over a reference step measured just before it (best of 3): a shared
  machine's speed drifts within a run (seen here: 1.5x within minutes), and the median of these
  ratios follows the model, not the drift.

Goal (issue 14): a warm base replication at most 0.1 s on the project's 2-core machines.

    .venv/bin/python bench/bench_model.py [--reps 10] [--cold 3] [--scenario scenarios/base.yaml]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from mesa.examples.advanced.epstein_civil_violence.model import (
    EpsteinCivilViolence,
    EpsteinScenario,
)

from sim.model.run import run_scenario
from sim.scenario.loader import SCENARIOS_DIR, load_scenario

GOAL_SECONDS = 0.1
REFERENCE_STEPS = 20
BESIDE_STEPS = 3
"""Reference steps measured before each warm replication (their best is its reference)."""

COLD_START = """
import time
start = time.perf_counter()
from pathlib import Path
from sim.model.run import run_scenario
from sim.scenario.loader import load_scenario
imported = time.perf_counter()
run_scenario(load_scenario(Path({path!r})), 0)
done = time.perf_counter()
print(imported - start, done - imported)
"""


class Reference:
    """Mesa's Epstein example at 40x40 (the paper's Run 2 densities), stepped on request."""

    def __init__(self) -> None:
        scenario = EpsteinScenario(
            rng=1,
            citizen_density=0.7,
            cop_density=0.04,
            legitimacy=0.82,
            max_jail_term=30,
            citizen_vision=7,
            cop_vision=7,
        )
        self.model = EpsteinCivilViolence(width=40, height=40, scenario=scenario)
        self.model.step()  # warm-up

    def best(self, steps: int) -> float:
        """Seconds of the fastest of ``steps`` steps."""
        best = float("inf")
        for _ in range(steps):
            start = time.perf_counter()
            self.model.step()
            best = min(best, time.perf_counter() - start)
        return best


def interpreter() -> str:
    """The Python these figures come from, and whether it was built with PGO and LTO.

    pyenv's interpreters on the project's machines are built without either; the build of
    ``scripts/build_python.sh`` has both, and the model runs faster on it (docs/speed.md).
    """
    configured = str(sysconfig.get_config_var("CONFIG_ARGS") or "")
    pgo = "--enable-optimizations" in configured
    lto = "--with-lto" in configured
    built = {
        (True, True): "PGO and LTO",
        (True, False): "PGO, no LTO",
        (False, True): "LTO, no PGO",
        (False, False): "neither PGO nor LTO (by its configure options)",
    }[(pgo, lto)]
    return f"Python {platform.python_version()} ({sys.executable}), built with {built}"


def cold_start(path: Path) -> tuple[float, float]:
    """Seconds to import the model and to run its first replication, in a fresh process."""
    code = COLD_START.format(path=str(path))
    output = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    imported, first = (float(value) for value in output.split())
    return imported, first


def warm(path: Path, reps: int, reference: Reference) -> dict[str, list[float]]:
    """Per-part seconds of ``reps`` replications after a warm-up (plus CPU seconds).

    Before each replication, the reference's best of ``BESIDE_STEPS`` steps (``"reference"``):
    the machine's speed drifts within a run, and each replication is compared with its own.
    """
    scenario = load_scenario(path)
    run_scenario(scenario, 0)  # warm-up: imports, caches
    timings: dict[str, list[float]] = {}
    for seed in range(1, reps + 1):
        timings.setdefault("reference", []).append(reference.best(BESIDE_STEPS))
        cpu = time.process_time()
        result = run_scenario(scenario, seed)
        timings.setdefault("cpu", []).append(time.process_time() - cpu)
        for part, seconds in result.timings.items():
            timings.setdefault(part, []).append(seconds)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--cold", type=int, default=3, help="fresh processes for the cold start")
    parser.add_argument("--scenario", type=Path, default=SCENARIOS_DIR / "base.yaml")
    args = parser.parse_args()
    beside = Reference()
    reference = beside.best(REFERENCE_STEPS)
    starts = [cold_start(args.scenario) for _ in range(max(1, args.cold))]
    timings = warm(args.scenario, args.reps, beside)
    name = args.scenario.stem
    print(interpreter())
    print(f"scenario {name}, 365-day replications; reference: one step of Mesa's Epstein")
    print(f"example at 40x40 = {reference * 1e3:.2f} ms (best of {REFERENCE_STEPS})")
    print(f"  cold start ({len(starts)} fresh processes, median [range]):")
    for label, values in (
        ("import", [a for a, _ in starts]),
        ("first run", [b for _, b in starts]),
    ):
        low, high = min(values), max(values)
        print(f"    {label:<12} {statistics.median(values):.2f} s  [{low:.2f}-{high:.2f}]")
    print(f"  warm (median of {args.reps}):")
    for part in ("bargaining", "forces", "ground", "total", "cpu"):
        value = statistics.median(timings.get(part, [0.0]))
        label = "total (CPU)" if part == "cpu" else part
        print(f"    {label:<12} {value:.3f} s  = {value / reference:6.1f} reference steps")
    ratios = [t / r for t, r in zip(timings["total"], timings["reference"], strict=True)]
    low, high = min(ratios), max(ratios)
    print(
        f"  each replication over a reference step measured just before it: median "
        f"{statistics.median(ratios):.1f} [{low:.1f}-{high:.1f}] "
        f"(reference {statistics.median(timings['reference']) * 1e3:.2f} ms, best of "
        f"{BESIDE_STEPS} each)"
    )
    total = statistics.median(timings["total"])
    verdict = "met" if total <= GOAL_SECONDS else "not met"
    print(f"  goal {GOAL_SECONDS:.3f} s -> {verdict} ({total / GOAL_SECONDS:.2f}x the goal)")


if __name__ == "__main__":
    main()
