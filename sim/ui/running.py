"""Run replications for the app: blocks of runs with common random numbers, on a process pool.

Replication ``i`` of every scenario uses the experiment layer's seed for ``i``
(:class:`~sim.experiments.seeds.SeedPlan`), so runs pair across scenarios exactly as in a batch
run of the command line with the same seed. Scenarios travel to worker processes as JSON text
(validated again there), because pydantic's generic ``Sourced[...]`` classes cannot be pickled.

The app runs a scenario in blocks of a few replications; each block is cached by the scenario's
hash, and the progress bar moves between blocks.
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from sim.bargaining.engine import BargainingEngine
from sim.experiments.seeds import SeedPlan
from sim.model.maps import MapSnapshots
from sim.model.run import run_scenario
from sim.scenario.schema import Scenario

MAP_EVERY_DAYS = 15
"""Days between map snapshots of the detailed run."""


@functools.lru_cache(maxsize=64)
def parse_payload(payload: str) -> Scenario:
    """A scenario from its JSON text (cached per process)."""
    return Scenario.model_validate_json(payload)


def payload_of(scenario: Scenario) -> str:
    """A scenario as JSON text, for worker processes and caches."""
    return scenario.model_dump_json()


def warm_up() -> bool:
    """Nothing but this module's imports (the model): a pool's workers run it when they start."""
    return True


@dataclass
class RunOutput:
    """What one replication sends back: its summary and daily table, or an error."""

    replication: int
    summary: dict[str, Any] | None = None
    daily: pd.DataFrame | None = None
    error: str | None = None
    seconds: float = 0.0


def run_one(payload: str, entropy: int, replication: int) -> RunOutput:
    """Run one replication (a top-level function, so process pools can pickle it)."""
    start = time.perf_counter()
    try:
        scenario = parse_payload(payload)
        seed = SeedPlan(entropy).replication_seed(replication)
        result = run_scenario(scenario, seed, record_daily=True)
        return RunOutput(
            replication, result.summary, result.daily, seconds=time.perf_counter() - start
        )
    except Exception:
        return RunOutput(
            replication, error=traceback.format_exc(), seconds=time.perf_counter() - start
        )


@dataclass
class Block:
    """Replications ``start`` to ``stop - 1`` of one scenario.

    Attributes:
        summary: One row per run: ``scenario, replication`` and the outcomes.
        daily: One row per run and day: ``scenario, replication, day`` and the series.
        errors: Tracebacks of failed runs.
        seconds: Wall-clock time of the block.
    """

    summary: pd.DataFrame
    daily: pd.DataFrame
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


def run_block(
    payload: str,
    name: str,
    entropy: int,
    replications: range,
    executor: cf.Executor | None = None,
) -> Block:
    """Run some replications of a scenario, in this process or on ``executor``.

    Raises:
        concurrent.futures.BrokenExecutor: If the pool broke (the caller may retry serially).
    """
    start = time.perf_counter()
    if executor is None:
        outputs = [run_one(payload, entropy, r) for r in replications]
    else:
        futures = [executor.submit(run_one, payload, entropy, r) for r in replications]
        outputs = [future.result() for future in futures]
    return assemble(name, outputs, time.perf_counter() - start)


def assemble(name: str, outputs: list[RunOutput], seconds: float) -> Block:
    """Tidy tables from the outputs of some runs."""
    rows, dailies, errors = [], [], []
    for output in sorted(outputs, key=lambda o: o.replication):
        if output.summary is None:
            errors.append(f"replication {output.replication}: {output.error}")
            continue
        rows.append({"scenario": name, "replication": output.replication, **output.summary})
        if output.daily is not None:
            daily = output.daily.copy()
            daily.insert(0, "scenario", name)
            daily.insert(1, "replication", output.replication)
            dailies.append(daily)
    summary = pd.DataFrame(rows, columns=None if rows else ["scenario", "replication"])
    daily_table = pd.concat(dailies, ignore_index=True) if dailies else pd.DataFrame()
    return Block(summary, daily_table, errors, seconds)


def combine(blocks: list[Block]) -> Block:
    """One block from several (in replication order)."""
    summaries = [b.summary for b in blocks if not b.summary.empty]
    dailies = [b.daily for b in blocks if not b.daily.empty]
    return Block(
        pd.concat(summaries, ignore_index=True) if summaries else pd.DataFrame(),
        pd.concat(dailies, ignore_index=True) if dailies else pd.DataFrame(),
        [e for b in blocks for e in b.errors],
        sum(b.seconds for b in blocks),
    )


def block_ranges(replications: int, block_size: int) -> list[range]:
    """Split ``range(replications)`` into consecutive blocks of ``block_size``."""
    if replications < 1:
        raise ValueError(f"replications must be at least 1, got {replications}")
    size = max(1, block_size)
    return [range(i, min(i + size, replications)) for i in range(0, replications, size)]


@dataclass
class Detail:
    """One replication recorded in full: daily series, weekly politics and map snapshots."""

    daily: pd.DataFrame
    politics: pd.DataFrame
    maps: MapSnapshots | None


def detail_run(payload: str, entropy: int, replication: int = 0) -> Detail:
    """Replication ``replication`` again, with its political log and map snapshots."""
    scenario = parse_payload(payload)
    seed = SeedPlan(entropy).replication_seed(replication)
    result = run_scenario(scenario, seed, record_daily=True, record_maps=MAP_EVERY_DAYS)
    assert result.daily is not None and result.politics is not None
    return Detail(result.daily, result.politics, result.maps)


@dataclass
class BargainingRun:
    """The bargaining layer played on its own until it settles (full records).

    Attributes:
        positions: ``round, actor, dimension, position``.
        challenges: The quad map: ``round, initiator, target, p, initiator_gain, target_gain``.
        moves: ``round, actor, bargain, role, distance``.
        forecast: ``round, dimension, forecast, unconstrained, baseline, branch, reason``.
        actor_names: Display name of each actor id.
        dimension_labels: Label of each dimension id.
    """

    positions: pd.DataFrame
    challenges: pd.DataFrame
    moves: pd.DataFrame
    forecast: pd.DataFrame
    actor_names: dict[str, str]
    dimension_labels: dict[str, str]


def bargaining_run(payload: str, seed: int = 0) -> BargainingRun:
    """Play the scenario's bargaining table on its own, recording every challenge and move."""
    spec = parse_payload(payload).bargaining
    engine = BargainingEngine.from_spec(spec, np.random.default_rng(seed))
    history = engine.run()
    return BargainingRun(
        positions=history.positions,
        challenges=history.challenges,
        moves=history.moves,
        forecast=history.forecast,
        actor_names={key: actor.name for key, actor in spec.actors.items()},
        dimension_labels={d.id: d.label for d in spec.dimensions},
    )
