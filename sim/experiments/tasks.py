"""One replication of one scenario: the unit of work that executors run.

``execute_run`` is a top-level function so that process pools and Dask can pickle it. It never
raises for a failing model: the error and its traceback travel back in the ``RunRecord``.
"""

from __future__ import annotations

import ctypes
import functools
import math
import os
import socket
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Protocol

import numpy as np
import pandas as pd

from sim.experiments.seeds import SeedPlan
from sim.scenario.schema import Scenario


class ModelResult(Protocol):
    """What a model function returns (``sim.model.run.RunResult`` satisfies it)."""

    summary: dict[str, float | bool]
    daily: pd.DataFrame | None


ModelFn = Callable[..., ModelResult]
"""``model(scenario, seed, *, record_daily=False) -> ModelResult``."""


class RunTimeout(Exception):  # noqa: N818 - reads better in tracebacks than RunTimeoutError
    """Raised inside a run that exceeded its time limit."""


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs to run one replication (picklable).

    The scenario travels as JSON: pydantic's parametrised generic classes (``Sourced[...]``)
    cannot be pickled, and a worker rebuilds each scenario once (cached by hash).
    """

    run_id: str
    scenario_name: str
    scenario_json: str
    scenario_hash: str
    replication: int
    entropy: int
    record_daily: bool = False
    timeout: float | None = None

    @classmethod
    def make(
        cls,
        run_id: str,
        scenario: Scenario,
        scenario_hash: str,
        replication: int,
        entropy: int,
        record_daily: bool = False,
        timeout: float | None = None,
    ) -> RunTask:
        """A task for ``scenario``."""
        return cls(
            run_id,
            scenario.metadata.name,
            scenario.model_dump_json(),
            scenario_hash,
            replication,
            entropy,
            record_daily,
            timeout,
        )

    @property
    def scenario(self) -> Scenario:
        """The scenario, rebuilt once per process."""
        return _scenario_from_json(self.scenario_hash, self.scenario_json)

    @property
    def seed(self) -> np.random.SeedSequence:
        """This replication's seed sequence."""
        return SeedPlan(self.entropy).replication_seed(self.replication)


@functools.lru_cache(maxsize=64)
def _scenario_from_json(digest: str, text: str) -> Scenario:
    return Scenario.model_validate_json(text)


@dataclass
class RunRecord:
    """The outcome of one run: a summary (and daily table), or an error with its traceback.

    Attributes:
        error_kind: ``None`` on success; ``"exception"``, ``"timeout"``, ``"executor"``
            (the worker or the scheduler lost the run) or ``"invalid"`` (bad model output).
    """

    run_id: str
    scenario_name: str
    scenario_hash: str
    replication: int
    entropy: int
    summary: dict[str, Any] | None = None
    daily: pd.DataFrame | None = None
    positions: pd.DataFrame | None = None
    error_kind: str | None = None
    error: str | None = None
    started: float = field(default_factory=time.time)
    duration: float = 0.0
    worker: str = ""

    @property
    def ok(self) -> bool:
        """Whether the run finished with a summary."""
        return self.error_kind is None

    @classmethod
    def for_task(cls, task: RunTask, **fields: Any) -> RunRecord:
        """A record carrying the identity of ``task``."""
        return cls(
            run_id=task.run_id,
            scenario_name=task.scenario_name,
            scenario_hash=task.scenario_hash,
            replication=task.replication,
            entropy=task.entropy,
            **fields,
        )


def default_model() -> ModelFn:
    """The lab's model, imported lazily (so the runner can be used and tested without it).

    A batch stores a run's summary, daily series and actor positions, never its weekly political
    log: the runs leave the log out (~5-7 ms a run; the same numbers).
    """
    from sim.model.run import run_scenario

    return functools.partial(run_scenario, record_log=False)


def execute_run(task: RunTask, model: ModelFn | None = None) -> RunRecord:
    """Run one replication, catching any error (with traceback) and enforcing the time limit."""
    record = RunRecord.for_task(task, worker=f"{socket.gethostname()}:{os.getpid()}")
    start = time.perf_counter()
    try:
        fn = model if model is not None else default_model()
        with Watchdog(task.timeout):
            result = fn(task.scenario, task.seed, record_daily=task.record_daily)
        record.summary = clean_summary(result.summary)
        record.daily = result.daily if task.record_daily else None
        record.positions = _positions(result)
        if task.record_daily and record.daily is None:
            raise InvalidOutputError("the model returned no daily table though one was asked for")
    except RunTimeout:
        record.error_kind = "timeout"
        record.error = f"run exceeded its time limit of {task.timeout:g} s"
    except InvalidOutputError:
        record.error_kind = "invalid"
        record.error = traceback.format_exc()
    except Exception:
        record.error_kind = "exception"
        record.error = traceback.format_exc()
    record.duration = time.perf_counter() - start
    if record.error_kind is not None:
        record.summary, record.daily, record.positions = None, None, None
    return record


def _positions(result: Any) -> pd.DataFrame | None:
    """Actor positions of a coupled run, when the model result carries them."""
    from sim.experiments.positions import positions_for

    return positions_for(result)


class InvalidOutputError(ValueError):
    """The model's summary is not a flat mapping of numbers and booleans."""


def clean_summary(summary: Any) -> dict[str, Any]:
    """Check and normalise a summary: names to numbers (float) or booleans."""
    if not isinstance(summary, dict) or not summary:
        raise InvalidOutputError(f"summary must be a non-empty dict, got {type(summary).__name__}")
    cleaned: dict[str, Any] = {}
    for key, value in summary.items():
        if isinstance(value, bool | np.bool_):
            cleaned[str(key)] = bool(value)
        elif isinstance(value, int | float | np.integer | np.floating):
            cleaned[str(key)] = float(value)
        else:
            raise InvalidOutputError(f"summary[{key!r}] is {type(value).__name__}, not a number")
    return cleaned


class Watchdog:
    """Raise ``RunTimeout`` in the current thread once ``seconds`` have passed.

    Works in any thread (process-pool workers, Dask worker threads, the main thread): a timer
    thread schedules an asynchronous exception in the watched thread. The exception is
    delivered between Python bytecodes, so a single long call into C finishes first.
    """

    def __init__(self, seconds: float | None) -> None:
        if seconds is not None and (not math.isfinite(seconds) or seconds <= 0):
            raise ValueError(f"timeout must be a positive number of seconds, got {seconds}")
        self.seconds = seconds
        self._lock = threading.Lock()
        self._done = False
        self._fired = False
        self._thread_id = threading.get_ident()
        self._timer: threading.Timer | None = None

    def __enter__(self) -> Watchdog:
        if self.seconds is not None:
            self._thread_id = threading.get_ident()
            self._timer = threading.Timer(self.seconds, self._fire)
            self._timer.daemon = True
            self._timer.start()
        return self

    def _fire(self) -> None:
        with self._lock:
            if self._done:
                return
            self._fired = True
            _set_async_exception(self._thread_id, RunTimeout)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self._lock:
            self._done = True
            if self._timer is not None:
                self._timer.cancel()
            fired = self._fired
        if fired:
            # The exception may still be pending (not yet raised); clear it so that it cannot
            # surface later in unrelated code, and raise it here instead.
            _set_async_exception(self._thread_id, None)
            if exc_type is not RunTimeout:
                raise RunTimeout()


def _set_async_exception(thread_id: int, exc_type: type[BaseException] | None) -> None:
    ctypes.pythonapi.PyThreadState_SetAsyncExc(
        ctypes.c_ulong(thread_id), ctypes.py_object(exc_type) if exc_type else None
    )
