"""Small stand-in models with the signature of ``sim.model.run.run_scenario``.

Outcomes are drawn from the replication seed (so determinism can be checked) and depend on a
few scenario parameters (so designs, comparisons and discovery have something to find).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.scenario.schema import Scenario

HORIZON = 30


@dataclass
class FakeResult:
    summary: dict[str, float | bool]
    daily: pd.DataFrame | None = None
    politics: pd.DataFrame | None = None


def attack_rate(scenario: Scenario) -> float:
    return float(scenario.hamas.attack_rate.value)


def fake_model(
    scenario: Scenario, seed: np.random.SeedSequence | int, *, record_daily: bool = False
) -> FakeResult:
    rng = np.random.default_rng(seed)
    noise = rng.normal()  # depends on the seed only: equal across scenarios (common numbers)
    rate = attack_rate(scenario)
    incidents = rng.poisson(1.0 + 50.0 * rate, HORIZON)
    # collapse is likely when attacks are frequent (the planted "failure region")
    collapse_probability = 0.9 if rate > 0.1 else 0.1
    collapsed = bool(rng.random() < collapse_probability)
    day = int(rng.integers(1, HORIZON)) if collapsed else HORIZON
    summary: dict[str, float | bool] = {
        "ceasefire_collapsed": collapsed,
        "days_to_collapse": float(day),
        "incidents": float(incidents.sum()),
        "civilian_deaths": float(incidents.sum() * 2 + 10 * noise),
        "common_noise": float(noise),
    }
    daily = None
    if record_daily:
        daily = pd.DataFrame(
            {
                "day": np.arange(HORIZON),
                "incidents": incidents.astype(float),
                "civilian_deaths": incidents * 2.0,
            }
        )
    return FakeResult(summary, daily)


def failing_model(
    scenario: Scenario, seed: np.random.SeedSequence, *, record_daily: bool = False
) -> FakeResult:
    if seed.spawn_key[0] == 2:
        raise ValueError("replication 2 always fails in this test model")
    return fake_model(scenario, seed, record_daily=record_daily)


def slow_model(
    scenario: Scenario, seed: np.random.SeedSequence, *, record_daily: bool = False
) -> FakeResult:
    time.sleep(0.1)
    return fake_model(scenario, seed, record_daily=record_daily)


GATE_ENV = "ISF_TEST_GATE"  # a file: gated runs wait until it exists
GATE_AFTER_ENV = "ISF_TEST_GATE_AFTER"  # replications from this index on are gated
GATE_LIMIT_S = 600.0  # a gated run gives up waiting after this (only if the test died)


def gated_model(
    scenario: Scenario, seed: np.random.SeedSequence, *, record_daily: bool = False
) -> FakeResult:
    """``fake_model``, except that replications from ``ISF_TEST_GATE_AFTER`` on wait for a gate.

    A batch of it finishes exactly the replications before the gate and then stands still, so a
    test can kill it at a known point by waiting for an event (a count of files) instead of
    racing a clock.
    """
    gate, after = os.environ.get(GATE_ENV), os.environ.get(GATE_AFTER_ENV)
    if gate and after is not None and seed.spawn_key[0] >= int(after):
        give_up = time.monotonic() + GATE_LIMIT_S
        while not Path(gate).exists() and time.monotonic() < give_up:
            time.sleep(0.05)
    return fake_model(scenario, seed, record_daily=record_daily)


def hanging_model(
    scenario: Scenario, seed: np.random.SeedSequence, *, record_daily: bool = False
) -> FakeResult:
    if seed.spawn_key[0] == 1:
        deadline = time.monotonic() + 30.0
        while time.monotonic() < deadline:  # a model stuck in a Python loop
            time.sleep(0.01)
    return fake_model(scenario, seed, record_daily=record_daily)


def bad_output_model(
    scenario: Scenario, seed: np.random.SeedSequence, *, record_daily: bool = False
) -> FakeResult:
    return FakeResult({"incidents": "many"})  # type: ignore[dict-item]
