"""Run a scenario: the library call behind the CLI, the app and the experiment runner.

Example:
    >>> from sim.scenario.loader import load_scenario, SCENARIOS_DIR
    >>> result = run_scenario(load_scenario(SCENARIOS_DIR / "base.yaml"), seed=1)  # doctest: +SKIP
    >>> result.summary["ceasefire_collapsed"] in (True, False)  # doctest: +SKIP
    True
"""

from __future__ import annotations

import gc
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from sim.model.gaza import GazaModel
from sim.model.maps import MapSnapshots
from sim.model.outcomes import summarise
from sim.scenario.schema import Scenario


@dataclass
class RunResult:
    """What one replication produced.

    Attributes:
        summary: One flat row of per-run outcomes.
        daily: One row per day (``None`` unless requested).
        politics: The weekly political log (``None`` unless daily records were requested).
        positions: Every actor's position after every round (tidy; see
            :meth:`sim.model.politics.Politics.positions_table`).
        maps: Per-cell snapshots (``None`` unless ``record_maps`` was given).
        timings: Seconds spent per sub-model.
    """

    summary: dict[str, float | bool]
    daily: pd.DataFrame | None = None
    politics: pd.DataFrame | None = None
    positions: pd.DataFrame | None = None
    maps: MapSnapshots | None = None
    timings: dict[str, float] = field(default_factory=dict)


def run_scenario(
    scenario: Scenario,
    seed: int | np.random.SeedSequence | None = 0,
    *,
    record_daily: bool = False,
    record_maps: int | None = None,
    record_log: bool | None = None,
) -> RunResult:
    """Simulate one replication of ``scenario`` over its horizon.

    Args:
        scenario: A validated scenario.
        seed: Seed of the replication (an int, or a ``SeedSequence`` spawned per replication).
        record_daily: Also return the daily series and the political log.
        record_maps: Record per-cell map snapshots every this many days.
        record_log: Return the weekly political log (default: with the daily series). The
            run is the same without it: the log is text about each round.

    Returns:
        The per-run summary, and the daily series when asked.
    """
    start = time.perf_counter()
    keep_log = record_daily if record_log is None else record_log
    model = GazaModel(scenario, seed, keep_log=keep_log)
    maps = MapSnapshots(model.geometry, record_maps) if record_maps else None
    for day in range(scenario.metadata.horizon_days):
        model.step()
        if maps is not None and (
            day % maps.every == 0 or day == scenario.metadata.horizon_days - 1
        ):
            maps.add(day, model.map_fields(), model.territory.idf_held)
    daily = model.recorder.frame()
    summary = summarise(daily, model.ceasefire.collapse_day, scenario.metadata.horizon_days)
    politics = pd.DataFrame(model.politics.log) if keep_log else None
    result = RunResult(
        summary=summary,
        daily=daily if record_daily else None,
        politics=politics,
        positions=model.politics.positions_table(),
        maps=maps,
        timings={**model.timings, "total": time.perf_counter() - start},
    )
    del model
    gc.collect(generation=0)
    return result
