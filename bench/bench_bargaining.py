"""Speed of the bargaining engine and of the political layer in a base-year replication.

1. ``--scaling``: a bargaining run to convergence for 15, 50 and 250 actors on 5 dimensions
   (random actor tables from a fixed seed; best of a few repeats, both recording modes).
2. Default: the political layer's cost per 365-day replication of ``scenarios/base.yaml``
   (52 weekly rounds): the engine's construction (with the replication's draws), every round's
   shocks and decisions, the daily outcome record and the positions table built after the run.
   The weeks' ground events are captured once from a real run per seed and replayed, so only the
   political layer is timed (CPU time, median over seeds and repeats, back to back). Beside it,
   in the same run and process, a reference: one step of Mesa's Epstein civil-violence example at
   40x40, timed before each block of replications; the ratio of the two is what to compare across
   machines and busy windows. Also printed: the first replication after that step (the CPU's
   caches cold, as between the coupled model's weekly rounds) and the cold start (the first
   political year in the process, loading or compiling the kernels).

Run: ``.venv/bin/python bench/bench_bargaining.py [--seeds 5] [--repeats 5] [--scaling]``
Goal (issue 14): <= 0.015 s of political layer per base-year replication.
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time
from dataclasses import dataclass

import numpy as np
from mesa.examples.advanced.epstein_civil_violence.model import (
    EpsteinCivilViolence,
    EpsteinScenario,
)

from sim.bargaining import BargainingEngine
from sim.model.gaza import GazaModel
from sim.model.politics import Politics, WeekEvents
from sim.rng import RandomStreams
from sim.scenario.loader import SCENARIOS_DIR, load_scenario
from sim.scenario.schema import Scenario

SIZES = (15, 50, 250)
DIMENSIONS = 5
SEED = 20251017
GOAL_SECONDS = 0.015
EPSTEIN_SIZE = 40
EPSTEIN_PARAMETERS = {
    "citizen_density": 0.7,
    "cop_density": 0.04,
    "legitimacy": 0.82,
    "max_jail_term": 30,
    "citizen_vision": 7,
    "cop_vision": 7,
}  # the paper's Run 2 with Mesa's von Neumann vision, as in bench_ground.py


# -- 1. scaling of the engine --------------------------------------------------------------------


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
        start = time.process_time()
        engine.run()
        best = min(best, time.process_time() - start)
        rounds = engine.turn
    return best, rounds


def scaling() -> None:
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


# -- 2. the political layer of a base-year replication -------------------------------------------


@dataclass(frozen=True)
class Week:
    """One political round of a real run: its day and the ground events handed over."""

    day: int
    events: WeekEvents


def capture_weeks(scenario: Scenario, seed: int) -> list[Week]:
    """Run the model once and keep the events of every political round."""
    model = GazaModel(scenario, seed)
    weeks: list[Week] = []
    play = model.politics.play_round

    def recording(day: int, events: WeekEvents) -> object:
        weeks.append(Week(day, copy.deepcopy(events)))
        return play(day, events)

    setattr(model.politics, "play_round", recording)  # noqa: B010 (an instance-level spy)
    for _ in range(scenario.metadata.horizon_days):
        model.step()
    return weeks


def replay(scenario: Scenario, seed: int, weeks: list[Week]) -> Politics:
    """The political layer of one replication, as the model drives it."""
    politics = Politics(scenario, RandomStreams(seed)["bargaining"])
    due = iter(weeks)
    week = next(due, None)
    for day in range(scenario.metadata.horizon_days):
        politics.outcome_record()  # the day's record reads it
        if week is not None and week.day == day:
            politics.play_round(day, copy.copy(week.events))
            week = next(due, None)
    politics.positions_table()
    return politics


def epstein_step_seconds() -> float:
    """CPU seconds of one step of Mesa's Epstein example at 40x40 (after a warm-up step)."""
    scenario = EpsteinScenario(rng=1, **EPSTEIN_PARAMETERS)  # type: ignore[arg-type]
    model = EpsteinCivilViolence(width=EPSTEIN_SIZE, height=EPSTEIN_SIZE, scenario=scenario)
    model.step()
    start = time.process_time()
    model.step()
    return time.process_time() - start


def cold_start(scenario: Scenario) -> float:
    """CPU seconds of the first political year in this process (quiet weeks).

    Includes loading the compiled kernels from numba's cache, or compiling them if the cache is
    empty or stale.
    """
    start = time.process_time()
    politics = Politics(scenario, RandomStreams(0)["bargaining"])
    for week in range(1, scenario.metadata.horizon_days // 7 + 1):
        politics.play_round(7 * week, WeekEvents())
    politics.positions_table()
    return time.process_time() - start


def base_year(seeds: int, repeats: int) -> None:
    scenario = load_scenario(SCENARIOS_DIR / "base.yaml")
    first = cold_start(scenario)
    captured = {seed: capture_weeks(scenario, seed) for seed in range(seeds)}
    replay(scenario, 0, captured[0])  # warm-up
    warm: list[float] = []
    cold: list[float] = []
    reference: list[float] = []
    for _ in range(repeats):  # blocks interleaved: the two see the same load
        reference.append(epstein_step_seconds())
        for seed, weeks in captured.items():
            start = time.process_time()
            replay(scenario, seed, weeks)
            (cold if seed == 0 else warm).append(time.process_time() - start)
    rounds = statistics.median(len(w) for w in captured.values())
    political = statistics.median(warm)
    mesa = statistics.median(reference)
    print(
        f"political layer of one 365-day base replication ({rounds:.0f} rounds; "
        f"{seeds} seeds x {repeats} repeats, median CPU seconds)"
    )
    print(f"  politics            {political:.4f} s  ({political / rounds * 1e3:.3f} ms/round)")
    print(
        f"  after a Mesa step   {statistics.median(cold):.4f} s  (the first replication after the "
        "reference: caches cold)"
    )
    print(f"  Mesa Epstein step   {mesa:.4f} s  (one step of the example at 40x40)")
    print(f"  ratio               {political / mesa:.2f} Epstein steps per replication")
    print(f"  cold start          {first:.3f} s  (first political year in this process, kernels)")
    verdict = "met" if political <= GOAL_SECONDS else "not met"
    share = political / GOAL_SECONDS
    print(f"  goal                {GOAL_SECONDS:.3f} s -> {verdict} ({share:.2f}x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--scaling", action="store_true", help="time the engine's scaling")
    args = parser.parse_args()
    if args.scaling:
        scaling()
    else:
        base_year(args.seeds, args.repeats)


if __name__ == "__main__":
    main()
