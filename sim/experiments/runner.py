"""Run replications of scenarios with common random numbers; resumable; failures recorded.

Example:
    >>> from sim.experiments import run_experiment
    >>> result = run_experiment(["scenarios/base.yaml"], reps=20, seed=1,
    ...                         out_dir="results/base")  # doctest: +SKIP
    >>> result.summary.groupby("scenario")["civilian_deaths"].median()  # doctest: +SKIP
"""

from __future__ import annotations

import concurrent.futures as cf
import functools
import sys
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiments.designs import Design
from sim.experiments.executors import open_executor, windowed
from sim.experiments.integrity import Expectations, code_label
from sim.experiments.provenance import code_version, now_iso, package_versions
from sim.experiments.seeds import SeedPlan
from sim.experiments.store import RunStore, atomic_write_parquet, run_id_for
from sim.experiments.tasks import ModelFn, RunRecord, RunTask, execute_run
from sim.experiments.variants import ScenarioInput, load_inputs
from sim.scenario.loader import dump_scenario, scenario_hash
from sim.scenario.schema import Scenario

MANIFEST_FORMAT = "isf-lab-experiment/2"  # /2: run files carry identity and content hash


class ExperimentConflictError(ValueError):
    """The output folder holds a different experiment (other seed, scenarios or design)."""


@dataclass(frozen=True)
class Progress:
    """Progress of an experiment, passed to ``progress_callback`` after each run."""

    done: int
    total: int
    failed: int
    skipped: int
    elapsed_s: float
    last: RunRecord | None = None


ProgressCallback = Callable[[Progress], None]


@dataclass
class ExperimentResult:
    """An experiment's tables, as stored in its folder.

    Attributes:
        out_dir: The experiment folder.
        summary: One row per finished run (scenario x replication).
        daily: One row per run and day, when daily series were recorded.
        failures: Failed runs (run id, scenario, replication, kind, error with traceback).
        manifest: The manifest (code, packages, seeds, scenarios, design, sessions).
        design: The design points (one row per scenario variant), if any.
        interrupted: Whether the last session was stopped before it finished.
        rejected: Run files that failed their identity or content check (``file: reason``);
            a batch recomputes them, reading results only leaves them out.
        missing: Runs requested but neither finished nor failed (only when interrupted).
    """

    out_dir: Path
    summary: pd.DataFrame
    daily: pd.DataFrame | None
    failures: list[dict[str, Any]]
    manifest: dict[str, Any]
    design: pd.DataFrame | None = None
    interrupted: bool = False
    rejected: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Every requested run finished."""
        return not self.failures and not self.interrupted

    @property
    def scenarios(self) -> list[str]:
        """Scenario names, in the order they were given."""
        return list(self.manifest.get("scenarios", {}))


@dataclass
class _Plan:
    scenarios: list[Scenario]
    hashes: dict[str, str]
    seeds: SeedPlan
    tasks: list[RunTask] = field(default_factory=list)
    skipped: int = 0


def run_experiment(
    scenarios: Sequence[ScenarioInput],
    reps: int,
    *,
    out_dir: str | Path,
    seed: int | None = None,
    executor: str | cf.Executor = "pool",
    workers: int | None = None,
    scheduler: Any = None,
    daily: bool = False,
    timeout: float | None = None,
    model: ModelFn | None = None,
    design: Design | None = None,
    progress_callback: ProgressCallback | None = None,
    command: list[str] | None = None,
) -> ExperimentResult:
    """Run ``reps`` replications of each scenario into ``out_dir``; skip runs already there.

    Args:
        scenarios: Scenario files or loaded scenarios (names must be unique).
        reps: Replications per scenario; replication ``i`` uses the same seed everywhere.
        out_dir: Experiment folder (created; an existing one is resumed or extended).
        seed: Root seed; ``None`` takes the folder's recorded seed, else fresh entropy.
        executor: ``"serial"``, ``"pool"`` (default), ``"dask"`` or a ready executor.
        workers: Pool size (default: every core).
        scheduler: Dask scheduler address or ``distributed.Client`` (implies Dask).
        daily: Also store the daily series of each run.
        timeout: Per-run time limit in seconds.
        model: The model function (default ``sim.model.run.run_scenario``).
        design: The design the scenarios come from (saved with the results).
        progress_callback: Called after each finished or failed run.
        command: Command line to record (default ``sys.argv``).

    Returns:
        The consolidated results; ``interrupted`` is set when stopped by Ctrl-C.

    Raises:
        ExperimentConflictError: If ``out_dir`` holds an experiment that does not match.
        FolderLockedError: If another batch is writing to ``out_dir``.
        ValueError: For bad arguments.
    """
    if reps < 1:
        raise ValueError(f"reps must be at least 1, got {reps}")
    store = RunStore(out_dir)
    with store.writer_lock():  # a second writer is refused (FolderLockedError)
        return _run_locked(
            store,
            scenarios,
            reps,
            seed,
            executor,
            workers,
            scheduler,
            daily,
            timeout,
            model,
            design,
            progress_callback,
            command,
        )


def _run_locked(
    store: RunStore,
    scenarios: Sequence[ScenarioInput],
    reps: int,
    seed: int | None,
    executor: str | cf.Executor,
    workers: int | None,
    scheduler: Any,
    daily: bool,
    timeout: float | None,
    model: ModelFn | None,
    design: Design | None,
    progress_callback: ProgressCallback | None,
    command: list[str] | None,
) -> ExperimentResult:
    store.create()
    previous = store.read_manifest()
    plan = _plan(load_inputs(scenarios), reps, seed, previous, design)
    code = code_version()
    store.code = code_label(code)
    # tampered, corrupt or foreign run files are set aside now, so that they are recomputed
    store.check_runs(_expectations(previous, plan, store.code))
    plan.tasks, plan.skipped = _pending_tasks(plan, reps, store, daily, timeout)
    manifest = _start_manifest(previous, plan, reps, design, command, daily, timeout, model)
    manifest["code"] = code
    manifest["code_versions"] = sorted({*manifest.get("code_versions", []), store.code})
    _store_scenarios(store, plan.scenarios, design)
    if design is not None:
        atomic_write_parquet(store.root / "design.parquet", design.points)
    store.write_manifest(manifest)
    session = manifest["sessions"][-1]
    interrupted = False
    try:
        _execute(plan, store, session, executor, workers, scheduler, model, progress_callback)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        result = _finish(store, manifest, session, interrupted)
    result.missing = _missing(result, plan, reps)
    return result


def _expectations(previous: dict[str, Any] | None, plan: _Plan, code: str) -> Expectations:
    """What the run files already in the folder must say about themselves."""
    recorded = (previous or {}).get("scenarios", {})
    hashes = {name: entry["hash"] for name, entry in recorded.items()} | plan.hashes
    codes = frozenset([*(previous or {}).get("code_versions", []), code])
    legacy = previous is not None and previous.get("format") == "isf-lab-experiment/1"
    return Expectations(hashes, str(plan.seeds.entropy), codes, required=not legacy)


def _missing(result: ExperimentResult, plan: _Plan, reps: int) -> list[str]:
    """Requested runs that are neither in the summary nor among the failures."""
    present = set(result.summary["run_id"]) if len(result.summary) else set()
    present |= {failure["run_id"] for failure in result.failures}
    wanted = [
        run_id_for(s.metadata.name, replication)
        for replication in range(reps)
        for s in plan.scenarios
    ]
    return [run_id for run_id in wanted if run_id not in present]


def _store_scenarios(store: RunStore, scenarios: list[Scenario], design: Design | None) -> None:
    """Resolved YAML of each scenario run; for sampled designs, of the bases only.

    Dumping YAML costs ~0.1 s per scenario, too much for thousands of design points, each of
    which is its base plus the values in ``design.parquet``.
    """
    for scenario in design.bases if design is not None and design.bases else scenarios:
        name = scenario.metadata.name
        if not (store.scenarios_dir / f"{name}.yaml").exists():
            store.write_scenario(name, dump_scenario(scenario))


def _plan(
    scenarios: list[Scenario],
    reps: int,
    seed: int | None,
    previous: dict[str, Any] | None,
    design: Design | None,
) -> _Plan:
    hashes = {s.metadata.name: scenario_hash(s) for s in scenarios}
    if previous is None:
        return _Plan(scenarios, hashes, SeedPlan.from_seed(seed))
    recorded = SeedPlan(int(previous["seed"]["entropy"]))
    if seed is not None and SeedPlan.from_seed(seed) != recorded:
        raise ExperimentConflictError(
            f"the folder holds an experiment with seed entropy {recorded.entropy}, not {seed}; "
            "use a new --out folder, or drop --seed to extend the recorded experiment"
        )
    for name, digest in hashes.items():
        old = previous.get("scenarios", {}).get(name)
        if old is not None and old["hash"] != digest:
            raise ExperimentConflictError(
                f"scenario {name!r} changed since it was run into this folder "
                f"(hash {old['hash'][:12]} -> {digest[:12]}); use a new --out folder"
            )
    recorded_design = previous.get("design") or {}
    if design is not None and recorded_design.get("points_sha256") not in (
        None,
        design.to_json()["points_sha256"],
    ):
        raise ExperimentConflictError(
            "the folder holds results of a different design; use a new --out folder"
        )
    return _Plan(scenarios, hashes, recorded)


def _pending_tasks(
    plan: _Plan, reps: int, store: RunStore, daily: bool, timeout: float | None
) -> tuple[list[RunTask], int]:
    finished = store.finished_runs(need_daily=daily)
    tasks, skipped = [], 0
    texts: dict[str, str] = {}  # each scenario serialised once, not once per replication
    # replication-major order: the first replications of every scenario finish first, so an
    # interrupted batch still pairs across scenarios
    for replication in range(reps):
        for scenario in plan.scenarios:
            name = scenario.metadata.name
            run_id = run_id_for(name, replication)
            if run_id in finished:
                skipped += 1
                continue
            if name not in texts:
                texts[name] = scenario.model_dump_json()
            tasks.append(
                RunTask(
                    run_id,
                    name,
                    texts[name],
                    plan.hashes[name],
                    replication,
                    plan.seeds.entropy,
                    daily,
                    timeout,
                )
            )
    return tasks, skipped


def _start_manifest(
    previous: dict[str, Any] | None,
    plan: _Plan,
    reps: int,
    design: Design | None,
    command: list[str] | None,
    daily: bool,
    timeout: float | None,
    model: ModelFn | None,
) -> dict[str, Any]:
    manifest = previous or {
        "format": MANIFEST_FORMAT,
        "created": now_iso(),
        "scenarios": {},
        "sessions": [],
        "design": None,
    }
    manifest["packages"] = package_versions()
    manifest["model"] = _model_name(model)
    manifest["seed"] = plan.seeds.to_json()
    manifest["replications"] = max(reps, int(manifest.get("replications", 0)))
    bases = {b.metadata.name for b in design.bases} if design is not None else set()
    for scenario in plan.scenarios:
        name = scenario.metadata.name
        entry: dict[str, Any] = {"hash": plan.hashes[name], "file": f"scenarios/{name}.yaml"}
        if bases and name not in bases:
            entry["file"] = None  # a design point: its base's YAML plus its row of design.parquet
        manifest["scenarios"][name] = entry
    if design is not None:
        manifest["design"] = design.to_json()
        manifest["design"]["base_files"] = [f"scenarios/{name}.yaml" for name in sorted(bases)]
    manifest["sessions"].append(
        {
            "command": command if command is not None else list(sys.argv),
            "started": now_iso(),
            "ended": None,
            "executor": None,
            "daily": daily,
            "timeout_s": timeout,
            "requested_runs": len(plan.tasks) + plan.skipped,
            "skipped": plan.skipped,
            "finished": 0,
            "failed": 0,
            "interrupted": False,
        }
    )
    return manifest


def _model_name(model: ModelFn | None) -> str:
    if model is None:
        return "sim.model.run.run_scenario"
    return f"{getattr(model, '__module__', '?')}.{getattr(model, '__qualname__', repr(model))}"


def _execute(
    plan: _Plan,
    store: RunStore,
    session: dict[str, Any],
    executor: str | cf.Executor,
    workers: int | None,
    scheduler: Any,
    model: ModelFn | None,
    progress_callback: ProgressCallback | None,
) -> None:
    start = time.perf_counter()
    total = len(plan.tasks)
    if progress_callback is not None:
        progress_callback(Progress(0, total, 0, plan.skipped, 0.0))
    if not plan.tasks:
        session["executor"] = "none (nothing to run)"
        return
    job = functools.partial(execute_run, model=model)
    with open_executor(executor, workers=workers, scheduler=scheduler) as handle:
        session["executor"] = handle.description
        for task, future in windowed(handle, job, plan.tasks):
            record = _record_of(task, future)
            if record.ok:  # positions before the summary, which marks the run done
                store.save_positions(record)
            store.save(record)
            session["finished" if record.ok else "failed"] += 1
            if progress_callback is not None:
                done = session["finished"] + session["failed"]
                elapsed = time.perf_counter() - start
                progress_callback(
                    Progress(done, total, session["failed"], plan.skipped, elapsed, record)
                )


def _record_of(task: RunTask, future: cf.Future[RunRecord]) -> RunRecord:
    error = future.exception()
    if error is None:
        return future.result()
    text = "".join(traceback.format_exception(error))
    return RunRecord.for_task(task, error_kind="executor", error=text)


def _finish(
    store: RunStore, manifest: dict[str, Any], session: dict[str, Any], interrupted: bool
) -> ExperimentResult:
    summary, daily = store.consolidate()
    store.consolidate_positions()
    failures = store.failures()
    session["ended"] = now_iso()
    session["interrupted"] = interrupted
    manifest["runs"] = {"finished": len(summary), "failed": len(failures)}
    session["rejected_runs"] = [r.format() for r in store.rejected]
    manifest["failures"] = [
        {key: failure.get(key) for key in ("run_id", "scenario", "replication", "kind")}
        | {"message": _last_line(failure.get("error"))}
        for failure in failures
    ]
    store.write_manifest(manifest)
    design = _read_design(store)
    rejected = [r.format() for r in store.rejected]
    return ExperimentResult(
        store.root, summary, daily, failures, manifest, design, interrupted, rejected
    )


def _last_line(text: str | None) -> str:
    lines = [line for line in (text or "").strip().splitlines() if line.strip()]
    return lines[-1] if lines else ""


def _read_design(store: RunStore) -> pd.DataFrame | None:
    path = store.root / "design.parquet"
    return pd.read_parquet(path) if path.exists() else None


def load_results(out_dir: str | Path) -> ExperimentResult:
    """Open a finished (or interrupted, or killed) experiment folder.

    The consolidated tables are rebuilt from ``runs/`` when they are missing or do not hold
    every finished run (a process killed before consolidating leaves them stale).

    Raises:
        FileNotFoundError: If the folder holds no experiment.
    """
    store = RunStore(out_dir)
    manifest = store.read_manifest()
    if manifest is None:
        raise FileNotFoundError(f"{out_dir} holds no experiment (no manifest.json)")
    # always rebuilt from the checked run files: a stale, edited or foreign summary.parquet
    # must not be trusted; while a batch writes here, nothing is moved or rewritten
    summary, daily = store.consolidate(write=not store.is_locked())
    last = manifest["sessions"][-1] if manifest.get("sessions") else {}
    # a session without an end time was killed before it could say so
    interrupted = bool(last.get("interrupted") or (last and last.get("ended") is None))
    return ExperimentResult(
        store.root,
        summary,
        daily,
        store.failures(),
        manifest,
        _read_design(store),
        interrupted,
        [r.format() for r in store.rejected],
    )
