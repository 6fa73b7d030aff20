"""Benchmark: where one simulated day of the full model goes, step by step.

Runs ``--reps`` 365-day replications of a scenario (after a warm-up) with a timer around each
step the model's day calls (``GazaModel.step``: events, contingents' reviews, troops, lines,
deployment, security, aid, the ground layer, violence, casualties, disarmament, reconstruction,
the ceasefire, the day's record, the political round) and prints, per step, microseconds a day,
milliseconds a year, its share of the year and reference units. What the day does between the
timed calls (contingents advancing, the armed count, repairs) is one line, "in the day itself";
Mesa's step machinery (its event list) is another: the year's loop minus the days.

The timers wrap the model's own methods on one instance (the code is not copied), so a step
renamed or removed fails here loudly. Each wrapper costs ~0.1-0.3 us, also printed.

Beside the figures, a reference that does not depend on this project, measured in the same run:
one step of Mesa's own Epstein civil-violence example at 40x40 (best of 20), as in
``bench_model.py``: machines of the same kind differ by 2x or more.

    .venv/bin/python bench/bench_day.py [--reps 10] [--scenario scenarios/base.yaml]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_model import REFERENCE_STEPS, Reference, interpreter

from sim.model.gaza import GazaModel
from sim.model.run import run_scenario
from sim.scenario.loader import SCENARIOS_DIR, load_scenario

MODEL_STEPS = (
    ("_fire_events", "dated events"),
    ("_review_contingents", "contributors' weekly review"),
    ("_troops_by_category", "troops by category"),
    ("_effective_troops", "effective troops"),
    ("_move_lines", "sectors taken, the IDF's line"),
    ("_deploy", "deployment (personnel per cell)"),
    ("_hostility", "hostility"),
    ("_take_recruits", "recruits join the groups"),
    ("_violence", "violence (compiled day + strikes)"),
    ("_casualties", "casualties, contributors decide"),
    ("_disarm", "disarmament"),
    ("_conditions", "the hazard's conditions"),
    ("_record", "the day's record"),
    ("_politics", "political round (weekly)"),
)
"""Methods of :class:`GazaModel` that its day calls directly, with what they do."""

COMPONENT_STEPS = (
    ("police", "train", "police training"),
    ("territory", "secure_cells", "secure cells"),
    ("aid", "deliver", "aid deliveries"),
    ("ground", "set_security", "ground: security presence"),
    ("ground", "step", "ground: the population's day (compiled)"),
    ("rebuild", "step", "reconstruction"),
    ("ceasefire", "update", "ceasefire: strain, hazard, draw"),
)
"""Components' methods the day calls directly: (attribute of the model, method, label)."""


class Timers:
    """Nanoseconds spent in each wrapped call, summed over a replication."""

    def __init__(self) -> None:
        self.spent: dict[str, int] = {}
        self.calls = 0

    def wrap(self, owner: Any, method: str, label: str) -> None:
        """Replace ``owner.method`` on the instance with a timed call of the same method."""
        inner: Callable[..., Any] = getattr(owner, method)
        spent, clock = self.spent, time.perf_counter_ns
        spent.setdefault(label, 0)

        @functools.wraps(inner)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            start = clock()
            try:
                return inner(*args, **kwargs)
            finally:
                spent[label] += clock() - start

        setattr(owner, method, timed)


class TimedDay(GazaModel):
    """The full model, timing its whole day (what Mesa's step calls)."""

    day_ns = 0

    def step(self) -> None:
        """One day of :class:`GazaModel`, timed."""
        start = time.perf_counter_ns()
        super().step()
        self.day_ns += time.perf_counter_ns() - start


def timed_model(scenario: Any, seed: int, timers: Timers) -> TimedDay:
    """A model whose day and the day's steps report their time."""
    model = TimedDay(scenario, seed, keep_log=False)
    for method, label in MODEL_STEPS:
        timers.wrap(model, method, label)
    for attribute, method, label in COMPONENT_STEPS:
        timers.wrap(getattr(model, attribute), method, label)
    return model


def replication(scenario: Any, seed: int, days: int, overhead: float) -> dict[str, float]:
    """Seconds per step (and the day, and the year through Mesa) of one replication.

    ``overhead``: seconds a timer adds to a call, taken out of the day as its own line.
    """
    timers = Timers()
    model = timed_model(scenario, seed, timers)
    start = time.perf_counter_ns()
    for _ in range(days):
        model.step()  # Mesa's step: its event list, then the day
    year_ns = time.perf_counter_ns() - start
    seconds = {label: ns / 1e9 for label, ns in timers.spent.items()}
    timing = timers.calls * overhead
    seconds["timers (this benchmark's own cost)"] = timing
    seconds["in the day itself"] = (model.day_ns - sum(timers.spent.values())) / 1e9 - timing
    seconds["Mesa's step machinery"] = (year_ns - model.day_ns) / 1e9
    seconds["year (loop)"] = year_ns / 1e9
    return seconds


def wrapper_cost() -> float:
    """Seconds a timed wrapper adds to a call (best of 7 x 20,000)."""

    class Probe:
        def call(self) -> None:
            return None

    bare, wrapped = Probe(), Probe()
    Timers().wrap(wrapped, "call", "probe")
    best = []
    for probe in (bare, wrapped):
        runs = []
        for _ in range(7):
            start = time.perf_counter()
            for _ in range(20_000):
                probe.call()
            runs.append((time.perf_counter() - start) / 20_000)
        best.append(min(runs))
    return best[1] - best[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reps", type=int, default=10)
    parser.add_argument("--scenario", type=Path, default=SCENARIOS_DIR / "base.yaml")
    args = parser.parse_args()
    scenario = load_scenario(args.scenario)
    days = scenario.metadata.horizon_days
    run_scenario(scenario, 0)  # warm-up: imports, compiled kernels, caches
    reference = Reference().best(REFERENCE_STEPS)
    overhead = wrapper_cost()
    runs = [replication(scenario, seed, days, overhead) for seed in range(1, args.reps + 1)]
    medians = {label: statistics.median(run[label] for run in runs) for label in runs[0]}
    year = medians.pop("year (loop)")
    print(interpreter())
    print(f"scenario {args.scenario.stem}: {days}-day replications, median of {args.reps}")
    print(f"reference: one step of Mesa's Epstein example at 40x40 = {reference * 1e3:.2f} ms")
    print(f"each timer adds ~{overhead * 1e6:.2f} us a call (its own line below)")
    print(f"  {'step':<42} {'us/day':>8} {'ms/year':>8} {'share':>6} {'ref.':>6}")
    for label, seconds in sorted(medians.items(), key=lambda item: -item[1]):
        per_day = seconds / days * 1e6
        print(
            f"  {label:<42} {per_day:8.1f} {seconds * 1e3:8.1f} {seconds / year:6.1%} "
            f"{seconds / reference:6.2f}"
        )
    print(f"  {'the year (sum of the above)':<42} {year / days * 1e6:8.1f} {year * 1e3:8.1f}")


if __name__ == "__main__":
    main()
