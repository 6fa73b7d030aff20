"""Benchmark: the model of two code versions, run side by side so that the machine's noise cancels.

On a shared machine the speed of one process drifts by 1.5x within minutes, so two versions
timed one after the other differ by more than most changes. This script runs them at the same
time instead, one process on each core (their affinity set), swapping the cores between pairs:
both see the same moment of the machine. Each process loads the scenario, runs a warm-up
replication, then ``--reps`` replications (seeds 1..reps) and reports their median; one pair's
figure is the ratio of the two medians (the working tree over the base), and the script prints
every pair, the median ratio and its range.

The base is a git revision checked out in a temporary worktree (removed at the end); each
version reads its own ``scenarios/base.yaml`` (or ``--scenario``, a path inside the
repository) and its own compiled kernels (a first, untimed process per version loads or
compiles them). With a single core the two processes of a pair run one after the other, in
alternating order.

    .venv/bin/python bench/bench_pairs.py [--base HEAD~1] [--pairs 8] [--reps 10]

A ratio below 1 means the working tree is faster. Timing goals are in ``bench_model.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

MEASURE = """
import json, os, statistics, sys, time
if {cpu} >= 0:
    os.sched_setaffinity(0, {{{cpu}}})
from pathlib import Path
from sim.model.run import run_scenario
from sim.scenario.loader import load_scenario
scenario = load_scenario(Path({scenario!r}))
run_scenario(scenario, 0)  # warm-up: caches, compiled kernels
times = []
for seed in range(1, {reps} + 1):
    start = time.process_time()
    run_scenario(scenario, seed)
    times.append(time.process_time() - start)
print(json.dumps({{"median": statistics.median(times)}}))
"""
"""What each process runs (CPU time: a process waiting for its core is not charged)."""


@dataclass(frozen=True)
class Version:
    """A checkout of the code: its root and what to call it."""

    label: str
    root: Path

    def command(self, scenario: str, reps: int, cpu: int) -> list[str]:
        """The measuring process for this version (``cpu`` < 0: no affinity)."""
        script = MEASURE.format(cpu=cpu, scenario=str(self.root / scenario), reps=reps)
        return [sys.executable, "-c", script]

    def environment(self) -> dict[str, str]:
        """The environment with this version first on the import path."""
        return {**os.environ, "PYTHONPATH": str(self.root)}


def measure_pair(
    base: Version, head: Version, scenario: str, reps: int, cpus: list[int], swap: bool
) -> tuple[float, float]:
    """Median seconds of ``base`` and ``head``, measured at the same time (or in turn)."""
    if len(cpus) >= 2:
        first, second = (cpus[1], cpus[0]) if swap else (cpus[0], cpus[1])
        processes = [
            subprocess.Popen(
                version.command(scenario, reps, cpu),
                cwd=version.root,
                env=version.environment(),
                stdout=subprocess.PIPE,
                text=True,
            )
            for version, cpu in ((base, first), (head, second))
        ]
        outputs = [process.communicate()[0] for process in processes]
    else:
        order = [head, base] if swap else [base, head]
        results = {v.label: _run(v, scenario, reps) for v in order}
        outputs = [results[base.label], results[head.label]]
    base_time, head_time = (json.loads(text.strip().splitlines()[-1])["median"] for text in outputs)
    return base_time, head_time


def _run(version: Version, scenario: str, reps: int) -> str:
    return subprocess.run(
        version.command(scenario, reps, -1),
        cwd=version.root,
        env=version.environment(),
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def checkout(revision: str, into: Path) -> Version:
    """A detached worktree of ``revision`` at ``into``."""
    subprocess.run(
        ["git", "worktree", "add", "--detach", "--force", str(into), revision],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return Version(revision, into)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default="HEAD~1", help="git revision to compare against")
    parser.add_argument("--pairs", type=int, default=8, help="pairs of processes")
    parser.add_argument("--reps", type=int, default=10, help="replications per process")
    parser.add_argument("--scenario", default="scenarios/base.yaml", help="path in the repo")
    args = parser.parse_args()
    if args.pairs < 1 or args.reps < 1:
        parser.error("--pairs and --reps must be at least 1")
    cpus = sorted(os.sched_getaffinity(0))[:2]
    head = Version("working tree", ROOT)
    folder = Path(tempfile.mkdtemp(prefix="isf-bench-pairs-"))
    try:
        base = checkout(args.base, folder / "base")
        print(f"base {args.base} against the working tree; scenario {args.scenario}; "
              f"{args.reps} replications a process; cores {cpus}")  # fmt: skip
        for version in (base, head):  # load or compile each version's kernels, untimed
            _run(version, args.scenario, 1)
        ratios = []
        for pair in range(args.pairs):
            base_s, head_s = measure_pair(base, head, args.scenario, args.reps, cpus, pair % 2 == 1)
            ratios.append(head_s / base_s)
            print(f"  pair {pair + 1}: base {base_s * 1e3:7.1f} ms   working tree "
                  f"{head_s * 1e3:7.1f} ms   ratio {ratios[-1]:.3f}")  # fmt: skip
        print(f"working tree / base: median {statistics.median(ratios):.3f} "
              f"(range {min(ratios):.3f}-{max(ratios):.3f}, {len(ratios)} pairs; "
              "below 1: the working tree is faster)")  # fmt: skip
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(folder / "base")],
            cwd=ROOT,
            capture_output=True,
        )
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
