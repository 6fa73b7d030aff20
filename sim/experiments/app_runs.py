"""Runs for the app: replications through the batch runner, kept in results folders on disk.

The app runs a scenario exactly as ``isf-lab batch`` does: :func:`run_scenario_reps` calls
:func:`sim.experiments.runner.run_experiment` (the same seeds, per-run time limit, output checks
and failure records) into a folder keyed by the scenario's hash, the seed and a fingerprint of
the code. Replication ``i`` uses the experiment layer's seed for ``i``, so runs pair across
scenarios and with a command-line batch of the same seed. A folder the app wrote is an ordinary
results folder: ``isf-lab compare`` and the Batch results page open it.

The server's worker pool lives here too (:func:`server_pool`): one per server process, made
by the server's lifespan when it starts (``app.py``), so its workers have imported the model
before the first run. It uses the same ``forkserver`` pool as ``isf-lab batch``
(:func:`sim.experiments.executors.make_pool`), handed to the runner as an external executor.

It also holds the detailed single run (politics log, maps) and the bargaining table played on
its own, which the Map and Bargaining views draw.
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import hashlib
import math
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from sim.bargaining.engine import BargainingEngine
from sim.experiments.executors import default_workers, make_pool
from sim.experiments.runner import ExperimentResult, Progress, load_results, run_experiment
from sim.experiments.seeds import SeedPlan
from sim.experiments.store import RunStore, run_id_for
from sim.model.gaza import GazaModel
from sim.model.maps import MapSnapshots
from sim.model.run import run_scenario
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import SCENARIOS_DIR, load_scenario, scenario_hash
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


WARM_UP_DAYS = 8
"""Days of the shipped base scenario a worker simulates when it starts (a week and the first
political round): it loads the compiled kernels from numba's disk cache, ~0.7 s that the
worker's first real run would otherwise wait for."""


def warm_up() -> int:
    """Import the model and load its compiled kernels: a pool's workers run it when they start.

    Returns:
        The worker's process id.
    """
    try:
        scenario = load_scenario(SCENARIOS_DIR / "base.yaml")
    except (OSError, ScenarioError):  # without a valid base scenario the first run loads them
        return os.getpid()
    model = GazaModel(scenario, 0)
    for _ in range(WARM_UP_DAYS):
        model.step()
    return os.getpid()


WORKERS_ENV = "ISF_LAB_WORKERS"


def app_workers() -> int:
    """Worker processes for the app's runs: ``$ISF_LAB_WORKERS`` or every core."""
    text = os.environ.get(WORKERS_ENV, "").strip()
    return max(1, int(text)) if text.isdigit() else default_workers()


@dataclass
class ServerPool:
    """The app server's worker pool and the warm-up calls its workers started with.

    Attributes:
        executor: The process pool (``forkserver`` workers, as ``isf-lab batch`` uses).
        size: Its number of workers.
        warming: One :func:`warm_up` call per worker, submitted when the pool was made: a
            worker has imported the model once its call is done.
    """

    executor: cf.ProcessPoolExecutor
    size: int
    warming: list[cf.Future[int]]

    def is_warm(self) -> bool:
        """Whether every worker has started and imported the model."""
        return all(f.done() and f.exception() is None for f in self.warming)


_SERVER_POOL: list[ServerPool] = []
_SERVER_POOL_GUARD = threading.Lock()


def server_pool(size: int | None = None) -> ServerPool | None:
    """The server's worker pool, made (and its warm-up started) by the first call.

    Every later call returns the same pool, so the server starts it once, when it starts (the
    app's ``lifespan``), and every session's runs use it. Returns at once: the workers import
    the model in the background. ``None`` when one worker is asked for (``$ISF_LAB_WORKERS`` of
    1): runs then go in the calling process.
    """
    size = app_workers() if size is None else size
    if size <= 1:
        return None
    with _SERVER_POOL_GUARD:
        if not _SERVER_POOL:
            executor = make_pool(size)
            warming = [executor.submit(warm_up) for _ in range(size)]
            _SERVER_POOL.append(ServerPool(executor, size, warming))
        return _SERVER_POOL[0]


def current_server_pool() -> ServerPool | None:
    """The server's pool if one was made (never makes one)."""
    with _SERVER_POOL_GUARD:
        return _SERVER_POOL[0] if _SERVER_POOL else None


def discard_server_pool(pool: ServerPool | None = None) -> None:
    """Forget the server's pool (``pool`` only if it is still the current one) and shut it down.

    After a worker died (``BrokenExecutor``) the next :func:`server_pool` call makes a new one;
    at the server's shutdown this stops the workers.
    """
    with _SERVER_POOL_GUARD:
        if not _SERVER_POOL or (pool is not None and _SERVER_POOL[0] is not pool):
            return
        current = _SERVER_POOL.pop()
    current.executor.shutdown(wait=False, cancel_futures=True)


@dataclass
class Block:
    """Replications ``0 .. reps - 1`` of one scenario, as tidy tables.

    Attributes:
        summary: One row per run: the runner's identity columns (``scenario, replication``, ...)
            and the outcomes.
        daily: One row per run and day: ``scenario, replication, day`` and the series.
        errors: One line per failed run (kind and last line of the error).
        seconds: Wall-clock time spent running (0 when every run came from the folder).
        folder: The experiment folder the runs live in (a results folder like any batch's).
    """

    summary: pd.DataFrame
    daily: pd.DataFrame
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    folder: Path | None = None


RUNS_DIR_ENV = "ISF_LAB_CACHE"
TIMEOUT_ENV = "ISF_LAB_RUN_TIMEOUT"
DEFAULT_TIMEOUT_S = 600.0
"""Per-run time limit of the app's runs (a 365-day run takes well under 2 s)."""


def runs_root() -> Path:
    """Where the app keeps its runs: ``$ISF_LAB_CACHE`` or ``~/.cache/isf-lab/runs``."""
    text = os.environ.get(RUNS_DIR_ENV, "").strip()
    return Path(text) if text else Path.home() / ".cache" / "isf-lab" / "runs"


def run_timeout() -> float:
    """Per-run time limit in seconds: ``$ISF_LAB_RUN_TIMEOUT`` or 600."""
    text = os.environ.get(TIMEOUT_ENV, "").strip()
    try:
        value = float(text) if text else DEFAULT_TIMEOUT_S
    except ValueError:
        return DEFAULT_TIMEOUT_S
    return value if math.isfinite(value) and value > 0 else DEFAULT_TIMEOUT_S


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """A digest of the library's Python sources (the app excluded): changes when the model does.

    Unlike the git commit it also changes with uncommitted edits, so cached runs never outlive
    the code that made them.
    """
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith("ui/"):
            continue
        digest.update(relative.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def runs_folder(scenario: Scenario, seed: int, root: Path | None = None) -> Path:
    """The experiment folder of a scenario's runs with ``seed`` under the current code."""
    name = scenario.metadata.name[:40]
    key = f"{name}-{scenario_hash(scenario)[:16]}-s{seed}-c{code_fingerprint()}"
    return (root or runs_root()) / key


def run_scenario_reps(
    scenario: Scenario,
    reps: int,
    seed: int,
    *,
    executor: str | cf.Executor = "serial",
    root: Path | None = None,
    timeout: float | None = None,
    on_progress: Callable[[int, int], object] | None = None,
) -> Block:
    """``reps`` replications of ``scenario`` through the batch runner (``isf-lab batch``'s).

    The runs go to a results folder keyed by the scenario's hash, the seed and the code, so
    runs already there are reused (the runner resumes) and more replications extend them.
    Each run has the runner's time limit and output checks; failures come back as lines.
    ``on_progress(done, total)`` is called after each run.
    """
    folder = runs_folder(scenario, seed, root)
    with _folder_lock(folder):  # two sessions asking for the same runs run them once
        cached = _finished(folder, reps)
        if cached is not None:
            return cached
        return _run_into(folder, scenario, reps, seed, executor, timeout, on_progress)


_LOCKS: dict[Path, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _folder_lock(folder: Path) -> threading.Lock:
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(folder, threading.Lock())


def _run_into(
    folder: Path,
    scenario: Scenario,
    reps: int,
    seed: int,
    executor: str | cf.Executor,
    timeout: float | None,
    on_progress: Callable[[int, int], object] | None,
) -> Block:
    callback = None
    if on_progress is not None:

        def callback(progress: Progress) -> None:
            on_progress(progress.done, progress.total)

    start = time.perf_counter()
    result = run_experiment(
        [scenario],
        reps,
        out_dir=folder,
        seed=seed,
        executor=executor,
        daily=True,
        timeout=timeout if timeout is not None else run_timeout(),
        progress_callback=callback,
        command=["isf-lab", "lab"],
    )
    return _block_of(result, reps, time.perf_counter() - start)


def _finished(folder: Path, reps: int) -> Block | None:
    """The block from ``folder`` if its first ``reps`` runs are all there (with daily series)."""
    if not (folder / "manifest.json").exists():
        return None
    wanted = {run_id_for(name, r) for name in _names(folder) for r in range(reps)}
    if not wanted or not wanted <= RunStore(folder).finished_runs(need_daily=True):
        return None
    return _block_of(load_results(folder), reps, 0.0)


def has_runs(scenario: Scenario, reps: int, seed: int, root: Path | None = None) -> bool:
    """Whether the first ``reps`` runs of ``scenario`` with ``seed`` are on disk already."""
    folder = runs_folder(scenario, seed, root)
    if not (folder / "manifest.json").exists():
        return False
    wanted = {run_id_for(scenario.metadata.name, r) for r in range(reps)}
    return wanted <= RunStore(folder).finished_runs(need_daily=True)


def _names(folder: Path) -> list[str]:
    manifest = RunStore(folder).read_manifest() or {}
    return list(manifest.get("scenarios", {}))


def _block_of(result: ExperimentResult, reps: int, seconds: float) -> Block:
    summary = result.summary
    summary = summary[summary["replication"] < reps].reset_index(drop=True)
    daily = result.daily if result.daily is not None else pd.DataFrame()
    if not daily.empty:
        daily = daily[daily["replication"] < reps].reset_index(drop=True)
    errors = [
        f"replication {f.get('replication')}: {f.get('kind')}: {_last_line(f.get('error'))}"
        for f in result.failures
        if int(f.get("replication", 0)) < reps
    ]
    return Block(summary, daily, errors, seconds, result.out_dir)


def _last_line(text: str | None) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else "unknown error"


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
