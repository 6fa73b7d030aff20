"""End to end in headless Chromium: start the app, flip the decisions, run, compare, screenshot.

Needs Debian's ``chromium`` (``scripts/install_browser.sh``) and the Python ``playwright``
package; skipped with a clear reason when Chromium is missing. Screenshots of every page go to
``screenshots/`` (not tracked) for review; set ``ISF_SCREENSHOT_DIR=docs/screenshots`` to refresh
the committed ones.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHOTS = REPO / os.environ.get("ISF_SCREENSHOT_DIR", "screenshots")
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SERVER_START_S = 90
RUN_TIMEOUT_MS = 240_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="headless Chromium is missing: run `sudo bash scripts/install_browser.sh`",
    ),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app server exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                if reply.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"the app server did not start in {SERVER_START_S} s:\n{log.read_text()}")


def write_batch_results(root: Path) -> None:
    """A small command-line style results folder, for the Batch results page."""
    from sim.experiments import run_experiment
    from sim.scenario.editing import with_horizon
    from sim.scenario.loader import SCENARIOS_DIR, load_scenario

    names = ["hamas-accepts-turkey-included.yaml", "hamas-rejects-turkey-vetoed.yaml"]
    pair = [with_horizon(load_scenario(SCENARIOS_DIR / name), 120) for name in names]
    run_experiment(pair, 6, out_dir=root / "square", seed=3, executor="serial", daily=True)


@pytest.fixture(scope="module")
def app_url() -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    work = Path(tempfile.mkdtemp(prefix="isf-lab-e2e-"))
    log = work / "server.log"
    write_batch_results(work / "results")
    env = {
        **os.environ,
        "ISF_LAB_REPS": "10",
        "ISF_RESULTS_DIR": str(work / "results"),
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    command = [
        sys.executable, "-m", "streamlit", "run", str(REPO / "app.py"),
        "--server.headless", "true", "--server.port", str(port),
        "--server.address", "127.0.0.1", "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with log.open("wb") as sink:
        process = subprocess.Popen(command, cwd=REPO, env=env, stdout=sink, stderr=sink)
    try:
        wait_until_healthy(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def page(app_url: str) -> Iterator[object]:
    playwright_api = pytest.importorskip("playwright.sync_api")
    profile = tempfile.mkdtemp(prefix="isf-lab-chromium-")
    with playwright_api.sync_playwright() as driver:
        # a fresh profile folder: Playwright passes it to Chromium as --user-data-dir
        context = driver.chromium.launch_persistent_context(
            profile,
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 1000},
            accept_downloads=True,
        )
        tab = context.new_page()
        tab.set_default_timeout(60_000)
        tab.goto(app_url)
        yield tab
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


def settle(tab: object) -> None:
    """Wait until Streamlit has finished the current script run."""
    tab.wait_for_selector(
        '[data-testid="stStatusWidget"]', state="detached", timeout=RUN_TIMEOUT_MS
    )  # type: ignore[attr-defined]
    tab.wait_for_timeout(600)  # type: ignore[attr-defined]


MAIN_HEIGHT_JS = """() => {
  const block = document.querySelector('[data-testid="stMainBlockContainer"]');
  if (!block) { return document.body.scrollHeight; }
  const main = document.querySelector('[data-testid="stMain"]');
  return block.getBoundingClientRect().bottom + (main ? main.scrollTop : 0) + 40;
}"""


def shoot(tab: object, name: str) -> None:
    """Screenshot the whole page: Streamlit scrolls inside its main area, so grow the window."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    height = int(tab.evaluate(MAIN_HEIGHT_JS))  # type: ignore[attr-defined]
    tab.set_viewport_size({"width": 1400, "height": min(max(height, 1000), 9000)})  # type: ignore[attr-defined]
    tab.wait_for_timeout(1500)  # type: ignore[attr-defined]
    tab.screenshot(path=str(SHOTS / f"{name}.png"))  # type: ignore[attr-defined]
    tab.set_viewport_size({"width": 1400, "height": 1000})  # type: ignore[attr-defined]


def choose(tab: object, question: str, answer: str) -> None:
    """Click one option of a radio group."""
    group = tab.get_by_role("radiogroup", name=question)  # type: ignore[attr-defined]
    group.get_by_text(answer, exact=True).click()


def go_to(tab: object, title: str) -> None:
    tab.get_by_role("link", name=title, exact=True).first.click()  # type: ignore[attr-defined]
    tab.wait_for_selector(f'h1:has-text("{title}")')  # type: ignore[attr-defined]
    settle(tab)


def test_flip_run_compare_and_screenshot_every_page(page: object) -> None:
    tab = page
    tab.wait_for_selector("text=Hamas's answer on disarmament")  # type: ignore[attr-defined]
    settle(tab)
    choose(tab, "Hamas's answer on disarmament", "rejects")
    settle(tab)
    choose(tab, "Turkey's contingent", "vetoed")
    settle(tab)
    tab.wait_for_selector("text=hamas-rejects-turkey-vetoed")  # type: ignore[attr-defined]
    shoot(tab, "1-scenario")
    tab.get_by_text("Force generation", exact=False).first.click()  # type: ignore[attr-defined]
    settle(tab)
    shoot(tab, "1b-scenario-parameters")

    go_to(tab, "Run")
    tab.get_by_role("button", name="Run", exact=True).click()  # type: ignore[attr-defined]
    chart = tab.wait_for_selector(
        ".st-key-comparison-chart canvas, .st-key-comparison-chart svg", timeout=RUN_TIMEOUT_MS
    )  # type: ignore[attr-defined]
    assert chart is not None
    settle(tab)
    assert tab.get_by_text("What the politics settle on").count() >= 1  # type: ignore[attr-defined]
    shoot(tab, "2-run")

    go_to(tab, "Compare")
    tab.get_by_role("button", name="Run comparison").click()  # type: ignore[attr-defined]
    tab.wait_for_selector(
        ".st-key-comparison-chart canvas, .st-key-comparison-chart svg", timeout=RUN_TIMEOUT_MS
    )  # type: ignore[attr-defined]
    settle(tab)
    shoot(tab, "3-compare")
    views = [
        ("Over time", "3b-compare-over-time"),
        ("Distributions", "3c-compare-distributions"),
        ("Ceasefire", "3d-compare-ceasefire"),
        ("Map", "3e-compare-map"),
        ("Bargaining", "3f-compare-bargaining"),
    ]
    for view, name in views:
        tab.get_by_role("radio", name=view, exact=True).click()  # type: ignore[attr-defined]
        settle(tab)
        shoot(tab, name)

    go_to(tab, "Sources")
    shoot(tab, "4-sources")
    go_to(tab, "Batch results")
    shoot(tab, "5-batch-results")
    go_to(tab, "Downloads")
    with tab.expect_download() as download:  # type: ignore[attr-defined]
        tab.get_by_role("button", name="CSV").first.click()  # type: ignore[attr-defined]
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("scenario,scenario_hash,replication")
    assert "(your scenario)" not in text
    shoot(tab, "6-downloads")
