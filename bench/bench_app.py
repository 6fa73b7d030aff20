"""Benchmark: 30 replications click-to-chart in the app on a warm server.

Starts the app's server as ``isf-lab lab`` does (``streamlit run app.py``, whose lifespan starts
the worker pool with the server) with an empty run cache, opens it in headless Chromium and lets
the Overview warm it (the pool's workers have imported the model and run the 2x2 once, so the
origin scenario's runs are on disk). Then, ``--repeats`` times, it opens the Run page with a link
holding a new edit and measures from the click on **Run** to the comparison chart on screen:
each click runs ``--reps`` new replications (the edited scenario; its origin comes from disk).

Beside each click it measures, in the same process and under the same load, a reference that
does not depend on this project: one step of Mesa's own Epstein civil violence example at 40x40
(``mesa.examples.advanced.epstein_civil_violence``, default parameters; median of 10 steps).
It prints the click-to-chart times, the reference, their ratio, and the targets (5 s, issue 12;
3 s, issue 14). It also prints the same replications through ``run_experiment`` (what
``isf-lab batch`` calls) on a warm pool of the same size, without server or browser: the
model's share of the time. Timing goals live here, never in tests.

Usage::

    .venv/bin/python bench/bench_app.py [--reps 30] [--repeats 3] [--workers N]

Needs Chromium at /usr/bin/chromium and the ``playwright`` package.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ORIGIN = "hamas-accepts-turkey-included"
CHART = ".st-key-comparison-chart canvas, .st-key-comparison-chart svg"
TIMEOUT_MS = 900_000
TARGETS = {"issue 12": 5.0, "issue 14": 3.0}
MESA_SIZE = 40
MESA_STEPS = 10
POOL_LINE = "worker pool started with the server"


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int, work: Path, workers: int, reps: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ISF_LAB_CACHE": str(work / "cache"),
        "ISF_LAB_WORKERS": str(workers),
        "ISF_LAB_REPS": str(reps),
        "ISF_LAB_OVERVIEW_REPS": str(reps),
        "PYTHONPATH": str(REPO),
        "ISF_LAB_TRACE": "1",  # the Run page prints when each stage ends (stages())
    }
    command = [
        sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"),
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with (work / "server.log").open("wb") as sink:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=sink, stderr=sink)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return process
        except OSError:
            time.sleep(0.5)
    process.terminate()
    raise RuntimeError("the app server did not start within 300 s")


def mesa_step_seconds() -> float:
    """One step of Mesa's Epstein example at 40x40 (median of 10 after one warm-up step)."""
    from mesa.examples.advanced.epstein_civil_violence.model import EpsteinCivilViolence

    model = EpsteinCivilViolence(width=MESA_SIZE, height=MESA_SIZE)
    model.step()
    times = []
    for _ in range(MESA_STEPS):
        start = time.perf_counter()
        model.step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def settle(tab: Any) -> None:
    tab.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=TIMEOUT_MS)


def click_to_chart(tab: Any, url: str, params: dict[str, str]) -> tuple[float, float, float]:
    """Seconds from the click on Run to the comparison chart on screen, and the click's and
    the chart's wall-clock times (to place the server's trace lines between them)."""
    tab.goto(f"{url}/run?{urlencode(params, safe=',;=')}")
    button = tab.get_by_role("button", name="Run", exact=True)
    button.wait_for(timeout=TIMEOUT_MS)
    settle(tab)
    if tab.locator(CHART).count():
        raise RuntimeError(f"a chart is on screen before the click: {params} is not new")
    clicked, start = time.time(), time.perf_counter()
    button.click()
    tab.wait_for_selector(CHART, timeout=TIMEOUT_MS)
    return time.perf_counter() - start, clicked, time.time()


STAGES = ("run-start", "runs-done", "compared", "chart-sent", "fans-sent", "page-done")
AFTER_SHOWN = ("page-done",)
"""Stages that may end after the chart is on screen (the rest of the page)."""
PAGE_GRACE_S = 30.0


def stages(log: str, clicked: float, shown: float) -> dict[str, float]:
    """Seconds from the click to the end of each stage the server traced in between.

    The Run page prints ``isf-lab trace STAGE UNIX_TIME`` (``ISF_LAB_TRACE=1``); the rest,
    from ``chart-sent`` to ``shown``, is the browser receiving and drawing the chart;
    ``page-done`` (the server has sent the whole page) may come after the chart is on screen.
    """
    found: dict[str, float] = {}
    for line in log.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[:2] == ["isf-lab", "trace"] and parts[2] in STAGES:
            when = float(parts[3])
            latest = shown + PAGE_GRACE_S if parts[2] in AFTER_SHOWN else shown
            if clicked <= when <= latest and parts[2] not in found:
                found[parts[2]] = when - clicked
    found["on screen"] = shown - clicked
    return found


def run_experiment_reference(reps: int, workers: int, folder: Path) -> float:
    """The same number of replications through ``run_experiment`` on a warm pool (no server)."""
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
        warm = folder / "warm"
        run_experiment([scenario], workers, out_dir=warm, seed=7, executor=pool, daily=True)
        start = time.perf_counter()
        run_experiment([scenario], reps, out_dir=folder / "ref", seed=3, executor=pool, daily=True)
        return time.perf_counter() - start
    finally:
        pool.shutdown()


def measure(args: argparse.Namespace, work: Path) -> dict[str, Any]:
    """Warm the server, then alternate the reference and a click, ``repeats`` times."""
    from playwright.sync_api import sync_playwright

    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(port, work, args.workers, args.reps)
    clicks: list[float] = []
    windows: list[tuple[float, float]] = []
    steps: list[float] = []
    try:
        with sync_playwright() as driver:
            browser = driver.chromium.launch(
                executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
            )
            tab = browser.new_page(viewport={"width": 1400, "height": 1000})
            start = time.perf_counter()
            tab.goto(url)
            tab.wait_for_selector(".st-key-overview-findings", timeout=TIMEOUT_MS)
            settle(tab)
            first_visit = time.perf_counter() - start
            for i in range(args.repeats):
                steps.append(mesa_step_seconds())
                edit = f"idf.strike_probability={0.31 + i / 100:.2f}"
                params = {"scenario": ORIGIN, "reps": str(args.reps), "seed": "1", "edits": edit}
                seconds, clicked, shown = click_to_chart(tab, url, params)
                clicks.append(seconds)
                windows.append((clicked, shown))
            steps.append(mesa_step_seconds())
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=60)
    log = (work / "server.log").read_text(errors="replace")
    split = [stages(log, clicked, shown) for clicked, shown in windows]
    return {
        "first_visit": first_visit,
        "clicks": clicks,
        "steps": steps,
        "pool": POOL_LINE in log,
        "stages": split,
    }


def report(args: argparse.Namespace, found: dict[str, Any], batch: float) -> None:
    clicks, step = found["clicks"], statistics.median(found["steps"])
    best, median = min(clicks), statistics.median(clicks)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    sys.path.insert(0, str(REPO / "bench"))
    from bench_model import interpreter

    print(interpreter())
    print(f"workers {args.workers}, load average {load}")
    print(f"worker pool started with the server: {'yes' if found['pool'] else 'NO'}")
    first = found["first_visit"]
    print(f"first visit (Overview runs the 2x2, {4 * args.reps} runs): {first:7.1f} s")
    print(
        f"click-to-chart, {args.reps} new runs on a warm server: "
        + ", ".join(f"{c:.1f}" for c in clicks)
        + f" s (best {best:.1f}, median {median:.1f})"
    )
    print(
        f"reference: one step of Mesa's Epstein example at {MESA_SIZE}x{MESA_SIZE}: "
        f"{1000 * step:.0f} ms (median of {len(found['steps'])} measurements, "
        + ", ".join(f"{1000 * s:.0f}" for s in found["steps"])
        + " ms)"
    )
    print(f"ratio click-to-chart / Mesa step: best {best / step:.0f}x, median {median / step:.0f}x")
    print("where a click's time goes (s after the click when each stage ended):")
    for index, split in enumerate(found["stages"], start=1):
        print(f"  click {index}: " + ", ".join(f"{k} {v:.2f}" for k, v in split.items()))
    for issue, target in TARGETS.items():
        verdict = "met" if median <= target else "not met"
        print(
            f"target {target:.0f} s ({issue}): {verdict} (median {median:.1f} s; "
            f"{target / step:.0f} Mesa steps)"
        )
    print(f"run_experiment, {args.reps} runs, warm pool, no server: {batch:7.1f} s")


def main() -> None:
    """Print click-to-chart times beside the Mesa reference and the targets."""
    from sim.experiments.executors import default_workers

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=default_workers())
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit("headless Chromium is missing: sudo bash scripts/install_browser.sh")
    work = Path(tempfile.mkdtemp(prefix="isf-bench-app-"))
    try:
        found = measure(args, work)
        batch = run_experiment_reference(args.reps, args.workers, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(args, found, batch)


if __name__ == "__main__":
    main()
