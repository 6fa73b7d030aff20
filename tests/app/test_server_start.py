"""The worker pool starts with the server, before anyone opens a page.

Starts the real server (``streamlit run app.py``) and, without loading any page (only
Streamlit's health check, which runs no script), waits for the pool's workers: a forkserver
with one forked worker per ``ISF_LAB_WORKERS``. Before the pool started with the server, they
appeared only on the first page load, and this test would time out.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import pytest

from .live_server import app_server, descendants

WORKERS = 2
WAIT_S = 300  # a loaded machine; the loop ends as soon as the workers are there

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc"),
]


def pool_workers(pid: int) -> list[int]:
    """Worker processes forked by the server's forkserver (the forkserver itself excluded)."""
    below = descendants(pid)
    servers = {p for p, command in below if "multiprocessing.forkserver" in command}
    parents = {p: _parent(p) for p, _ in below}
    return [p for p, _ in below if parents.get(p) in servers]


def _alive(pid: int) -> bool:
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in {"Z", "X"}


def _parent(pid: int) -> int | None:
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])


def test_the_pool_starts_with_the_server_before_any_page_load() -> None:
    work = Path(tempfile.mkdtemp(prefix="isf-lab-server-"))
    env = {"ISF_LAB_WORKERS": str(WORKERS), "ISF_LAB_CACHE": str(work / "runs")}
    with app_server(env, work / "server.log") as (_url, process):
        deadline = time.monotonic() + WAIT_S
        workers = pool_workers(process.pid)
        while len(workers) < WORKERS and time.monotonic() < deadline:
            time.sleep(0.5)
            workers = pool_workers(process.pid)
        log = (work / "server.log").read_text()
        assert len(workers) == WORKERS, (descendants(process.pid), log[-2000:])
        assert f"worker pool started with the server ({WORKERS} workers)" in log
        assert "Traceback" not in log
    deadline = time.monotonic() + 60
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not any(_alive(p) for p in workers), "the workers outlived the server"


def test_a_page_load_without_the_lifespan_starts_the_pool_in_the_background(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import threading

    from sim.experiments.app_runs import current_server_pool, discard_server_pool
    from sim.ui import state

    monkeypatch.setenv("ISF_LAB_WORKERS", str(WORKERS))
    discard_server_pool()
    started: list[threading.Thread] = []
    real_start = threading.Thread.start

    def spy(thread: threading.Thread) -> None:
        started.append(thread)
        real_start(thread)

    monkeypatch.setattr(threading.Thread, "start", spy)
    try:
        state.start_pool()
        ours = [t for t in started if t.name == "isf-lab-pool"]
        assert len(ours) == 1  # the pool is made off the page's thread
        ours[0].join(timeout=WAIT_S)
        pool = current_server_pool()
        assert pool is not None and pool.size == WORKERS
        state.start_pool()  # a pool exists: nothing more is started
        assert len([t for t in started if t.name == "isf-lab-pool"]) == 1
        assert current_server_pool() is pool
    finally:
        discard_server_pool()
