"""Benchmark: 30 replications click-to-chart in the app on a warm server.

Starts the app's server (``streamlit run app.py``) with an empty run cache, opens it in
headless Chromium, lets the Overview warm the server (worker pool started, model imported, the
2x2 run once), then opens the Run page with a link holding a new edit and measures, from the
click on **Run** to the comparison chart on screen:

* ``click-to-chart, 30 new runs``: the edited scenario is new, its origin is already on disk;
* ``click-to-chart, 60 new runs``: a new seed too, so both scenarios run.

Beside them it prints the reference measured in the same session: the same 30 replications run
by ``run_experiment`` (what ``isf-lab batch`` calls) on a pool of the same size, without the
server or the browser. Timing goals live here, never in tests.

Usage::

    .venv/bin/python bench/bench_app.py [--reps 30] [--workers N]

Needs Chromium at /usr/bin/chromium and the ``playwright`` package.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ORIGIN = "hamas-accepts-turkey-included"
CHART = ".st-key-comparison-chart canvas, .st-key-comparison-chart svg"
TIMEOUT_MS = 600_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, cache: Path, workers: int, reps: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ISF_LAB_CACHE": str(cache),
        "ISF_LAB_WORKERS": str(workers),
        "ISF_LAB_REPS": str(reps),
        "PYTHONPATH": str(REPO),
    }
    command = [
        sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"),
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    process = subprocess.Popen(
        command, cwd=REPO, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError("the app server did not start within 120 s")


def settle(tab: object) -> None:
    tab.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=TIMEOUT_MS)  # type: ignore[attr-defined]


def click_to_chart(tab: object, url: str, params: dict[str, str]) -> float:
    """Seconds from the click on Run to the comparison chart on screen."""
    tab.goto(f"{url}/run?{urlencode(params, safe=',;=')}")  # type: ignore[attr-defined]
    button = tab.get_by_role("button", name="Run", exact=True)  # type: ignore[attr-defined]
    button.wait_for(timeout=TIMEOUT_MS)
    settle(tab)
    start = time.perf_counter()
    button.click()
    tab.wait_for_selector(CHART, timeout=TIMEOUT_MS)  # type: ignore[attr-defined]
    return time.perf_counter() - start


def reference(reps: int, workers: int, seed: int, folder: Path) -> float:
    """The same replications through ``run_experiment`` on a warmed pool (no server)."""
    from sim.experiments.executors import make_pool
    from sim.experiments.runner import run_experiment
    from sim.scenario.draft_link import draft_from_params
    from sim.scenario.loader import SCENARIOS_DIR, load_scenario

    link = draft_from_params(
        {"scenario": ORIGIN, "edits": "idf.strike_probability=0.29"},
        lambda label: load_scenario(SCENARIOS_DIR / label),
    )
    assert link.draft is not None
    scenario = link.draft.build()
    pool = make_pool(workers)
    try:
        list(pool.map(abs, range(workers)))  # start the workers
        warm = folder / "warm"
        run_experiment([scenario], workers, out_dir=warm, seed=seed, executor=pool, daily=True)
        start = time.perf_counter()
        run_experiment(
            [scenario], reps, out_dir=folder / "ref", seed=seed, executor=pool, daily=True
        )
        return time.perf_counter() - start
    finally:
        pool.shutdown()


def main() -> None:
    """Print click-to-chart times beside the reference."""
    from sim.experiments.executors import default_workers

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit("headless Chromium is missing: sudo bash scripts/install_browser.sh")
    from playwright.sync_api import sync_playwright

    work = Path(tempfile.mkdtemp(prefix="isf-bench-app-"))
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(port, work / "cache", args.workers, args.reps)
    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
            )
            tab = browser.new_page(viewport={"width": 1400, "height": 1000})
            start = time.perf_counter()
            tab.goto(url)
            tab.wait_for_selector(".st-key-overview-findings", timeout=TIMEOUT_MS)
            warm_up = time.perf_counter() - start
            reps = str(args.reps)
            edit = {"scenario": ORIGIN, "reps": reps, "seed": "1"}
            one = click_to_chart(tab, url, edit | {"edits": "idf.strike_probability=0.31"})
            two = click_to_chart(
                tab, url, edit | {"edits": "idf.strike_probability=0.33", "seed": "2"}
            )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    ref = reference(args.reps, args.workers, 3, work)
    shutil.rmtree(work, ignore_errors=True)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"workers {args.workers}, load average {load}")
    print(f"first visit (Overview runs the 2x2, {4 * args.reps} runs): {warm_up:6.1f} s")
    print(f"click-to-chart, {args.reps} new runs:            {one:6.1f} s")
    print(f"click-to-chart, {2 * args.reps} new runs:            {two:6.1f} s")
    print(f"reference: run_experiment, {args.reps} runs, same pool: {ref:6.1f} s")


if __name__ == "__main__":
    main()
