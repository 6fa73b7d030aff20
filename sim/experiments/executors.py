"""Where runs execute: in this process, in a local process pool, or on a Dask cluster.

Every executor is a ``concurrent.futures.Executor``; the runner keeps a bounded window of
submitted runs so that progress, Ctrl-C and failures are handled as results arrive.
"""

from __future__ import annotations

import concurrent.futures as cf
import hashlib
import json
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

EXECUTOR_KINDS = ("serial", "pool", "dask")


class SerialExecutor(cf.Executor):
    """Runs each submitted call at once in the calling thread (the reference executor)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
        """Run ``fn`` now; errors are stored in the future, Ctrl-C propagates."""
        future: cf.Future[Any] = cf.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:
            future.set_exception(exc)
        return future


@dataclass
class ExecutorHandle:
    """An open executor, how many runs it takes at once, and how to rebuild it if it breaks."""

    kind: str
    executor: cf.Executor
    workers: int
    description: str
    rebuild: Callable[[], cf.Executor] | None = None
    closers: list[Callable[[], None]] = field(default_factory=list)

    def restart(self) -> bool:
        """Replace a broken executor (a pool whose worker died); False if not possible."""
        if self.rebuild is None:
            return False
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self.rebuild()
        return True

    def close(self, *, cancel: bool = False) -> None:
        """Shut the executor down (cancelling queued work when ``cancel``)."""
        if self.kind == "external":
            return  # its owner closes it
        if cancel and isinstance(self.executor, cf.ProcessPoolExecutor):
            _terminate_pool(self.executor)
        if isinstance(self.executor, cf.ProcessPoolExecutor | SerialExecutor):
            self.executor.shutdown(wait=not cancel, cancel_futures=cancel)
        else:  # Dask's ClientExecutor has the older signature
            self.executor.shutdown(wait=not cancel)
        for closer in self.closers:
            closer()


def _init_worker(parent_pid: int) -> None:
    # Ctrl-C goes to the whole process group; the parent decides what to stop.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_when_gone, args=(parent_pid,), daemon=True).start()


def _exit_when_gone(parent_pid: int, interval: float = 1.0) -> None:
    """End this worker once the experiment's process is gone.

    A parent killed with SIGKILL cannot shut its pool down, and the workers would wait on
    their queue forever (holding the forkserver alive too).
    """
    while True:
        time.sleep(interval)
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # the pid was reused by another user's process
            os._exit(1)


def _terminate_pool(pool: cf.ProcessPoolExecutor) -> None:
    processes = getattr(pool, "_processes", None) or {}
    for process in list(processes.values()):
        if process.is_alive():
            process.terminate()


def default_workers() -> int:
    """Cores available to this process."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


SINGLE_THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def make_pool(workers: int) -> cf.ProcessPoolExecutor:
    """A process pool whose workers ignore Ctrl-C, started with ``forkserver``.

    ``forkserver`` avoids forking a parent that runs threads (a progress bar, a Dask client),
    which can deadlock. Workers run numerical libraries single-threaded, so that several
    processes each starting a BLAS/OpenMP thread per core do not oversubscribe the cores. The
    variables must be set before the workers import numpy, so they are set (unless the user
    already set them) in this process, whose environment the forkserver inherits; numpy
    already loaded here is unaffected.
    """
    for name in SINGLE_THREAD_ENV:
        os.environ.setdefault(name, "1")
    context = multiprocessing.get_context("forkserver")
    return cf.ProcessPoolExecutor(
        workers, mp_context=context, initializer=_init_worker, initargs=(os.getpid(),)
    )


@contextmanager
def open_executor(
    kind: str | cf.Executor = "pool",
    *,
    workers: int | None = None,
    scheduler: str | None = None,
) -> Iterator[ExecutorHandle]:
    """Open an executor for the duration of an experiment.

    Args:
        kind: ``"serial"``, ``"pool"`` or ``"dask"``, or any ready ``concurrent.futures``
            executor (left open for its owner to close).
        workers: Pool size (default: every core) or, for an external executor, the number of
            runs to keep in flight.
        scheduler: Dask scheduler address (``tcp://host:8786``) or a ``distributed.Client``;
            implies ``kind="dask"``.

    Yields:
        The handle; closed (and its queue cancelled on error or Ctrl-C) on exit.
    """
    handle = _build_handle(kind, workers, scheduler)
    cancel = True
    try:
        yield handle
        cancel = False
    finally:
        handle.close(cancel=cancel)


def _build_handle(kind: str | cf.Executor, workers: int | None, scheduler: Any) -> ExecutorHandle:
    if isinstance(kind, cf.Executor):
        size = workers or default_workers()
        return ExecutorHandle("external", kind, size, type(kind).__name__, closers=[])
    if scheduler is not None:
        kind = "dask"
    if kind == "serial":
        return ExecutorHandle("serial", SerialExecutor(), 1, "serial (this process)")
    if kind == "pool":
        size = max(1, workers or default_workers())
        return ExecutorHandle(
            "pool",
            make_pool(size),
            size,
            f"process pool ({size} workers)",
            rebuild=lambda: make_pool(size),
        )
    if kind == "dask":
        return _dask_handle(scheduler, workers)
    raise ValueError(f"unknown executor {kind!r}; choose one of {', '.join(EXECUTOR_KINDS)}")


def _dask_handle(scheduler: Any, workers: int | None) -> ExecutorHandle:
    from distributed import Client

    closers: list[Callable[[], None]] = []
    if isinstance(scheduler, Client):
        client = scheduler
    elif scheduler is None:
        raise ValueError("the dask executor needs a scheduler address (--scheduler tcp://...)")
    else:
        client = Client(scheduler, timeout="20s")
        closers.append(client.close)
    try:
        check_workers_match(client)
    except BaseException:
        for close in closers:
            close()
        raise
    threads = sum(client.nthreads().values()) or 1
    executor = client.get_executor(pure=False)
    return ExecutorHandle(
        "dask",
        executor,
        workers or threads,
        f"dask {getattr(client.scheduler, 'address', '?')} ({threads} threads)",
        closers=closers,
    )


class WorkerMismatchError(ValueError):
    """A Dask worker runs other code than the client: its numbers could silently differ."""


FINGERPRINT_KEYS = ("sim_version", "commit", "source_sha256", "schema_sha256")


def environment_fingerprint() -> dict[str, Any]:
    """What must be equal on the client and every worker for runs to be reproducible.

    The package version, the git commit (``None`` outside a checkout), a hash of the ``sim``
    package's source files (catches uncommitted edits) and a hash of the scenario schema.
    """
    import sim
    from sim.experiments.provenance import git_commit
    from sim.scenario.schema import Scenario

    package = Path(sim.__file__).resolve().parent
    source = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        source.update(path.relative_to(package).as_posix().encode())
        source.update(path.read_bytes())
    schema = json.dumps(Scenario.model_json_schema(), sort_keys=True).encode()
    return {
        "sim_version": sim.__version__,
        "commit": git_commit(package.parent)["commit"],
        "source_sha256": source.hexdigest(),
        "schema_sha256": hashlib.sha256(schema).hexdigest(),
    }


def _local_fingerprint() -> dict[str, Any]:
    return environment_fingerprint()


def check_workers_match(client: Any) -> None:
    """Refuse to run unless every Dask worker has the client's fingerprint.

    Raises:
        WorkerMismatchError: Naming each worker that differs and how.
    """
    here = _local_fingerprint()
    try:
        theirs = client.run(environment_fingerprint)
    except Exception as exc:
        raise WorkerMismatchError(
            "a Dask worker could not report its isf-lab version "
            f"({type(exc).__name__}: {exc}); its installation is missing or older than this "
            "client's -> start the workers from the same checkout or install, then retry"
        ) from None
    problems = []
    for address, found in sorted(theirs.items()):
        differs = [
            f"{key} {_short(found.get(key))} (client {_short(here[key])})"
            for key in FINGERPRINT_KEYS
            if found.get(key) != here[key]
        ]
        if differs:
            problems.append(f"worker {address}: " + ", ".join(differs))
    if problems:
        raise WorkerMismatchError(
            "Dask workers run other code than this client, so their numbers could differ: "
            + "; ".join(problems)
            + " -> restart the workers from the same checkout (same commit, no local edits), "
            "then retry"
        )


def _short(value: Any) -> str:
    text = str(value)
    return text[:12] if len(text) > 12 else text


def windowed[T, R](
    handle: ExecutorHandle, fn: Callable[[T], R], items: Iterable[T], window: int | None = None
) -> Iterator[tuple[T, cf.Future[R]]]:
    """Submit ``fn(item)`` for each item, keeping at most ``window`` in flight.

    Yields each item with its finished future, in completion order. A future that failed
    because the executor broke (a pool worker died) is yielded like any other; the caller
    decides what to do, and :meth:`ExecutorHandle.restart` replaces the executor.
    """
    limit = window or max(2 * handle.workers, 1)
    queue = iter(items)
    pending: dict[cf.Future[R], T] = {}

    def fill() -> None:
        while len(pending) < limit:
            item = next(queue, _END)
            if item is _END:
                return
            pending[handle.executor.submit(fn, item)] = item

    fill()
    while pending:
        done, _ = cf.wait(pending, return_when=cf.FIRST_COMPLETED)
        for future in done:
            yield pending.pop(future), future
        if any(_is_broken(f) for f in done) and handle.restart():
            for future, item in list(pending.items()):
                # every queued run of a broken pool fails too; report them and go on
                pending.pop(future)
                broken: cf.Future[R] = cf.Future()
                broken.set_exception(cf.BrokenExecutor("the worker pool broke before this run"))
                yield item, broken
        fill()


_END: Any = object()


def _is_broken(future: cf.Future[Any]) -> bool:
    return not future.cancelled() and isinstance(future.exception(), cf.BrokenExecutor)
