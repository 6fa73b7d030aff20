"""End to end in headless Chromium: start the app, flip the decisions, run, compare, screenshot.

Needs Debian's ``chromium`` (``scripts/install_browser.sh``) and the Python ``playwright``
package; skipped with a clear reason when Chromium is missing. Screenshots of every page go to
``screenshots/`` (not tracked) for review; set ``ISF_SCREENSHOT_DIR=docs/screenshots`` to refresh
the committed ones.
"""

from __future__ import annotations

import io
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


def write_batch_results(root: Path) -> Path:
    """A results folder written by the command line (``isf-lab batch``), for Batch results."""
    out = root / "square"
    names = ["hamas-accepts-turkey-included.yaml", "hamas-rejects-turkey-vetoed.yaml"]
    command = [sys.executable, "-m", "sim", "batch", *(f"scenarios/{n}" for n in names),
               "--reps", "4", "--seed", "3", "--daily", "--executor", "serial",
               "--out", str(out)]  # fmt: skip
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def app_url() -> Iterator[tuple[str, Path]]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    work = Path(tempfile.mkdtemp(prefix="isf-lab-e2e-"))
    log = work / "server.log"
    write_batch_results(work / "results")
    env = {
        **os.environ,
        "ISF_LAB_REPS": "10",
        "ISF_LAB_OVERVIEW_REPS": "10",
        "ISF_LAB_CACHE": str(work / "app-runs"),
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
        yield url, work / "results" / "square"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def page(app_url: tuple[str, Path]) -> Iterator[object]:
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
        tab.goto(app_url[0])
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


WIDTHS = (1400, 800)
SHOT_SCALE = 0.6
SHOT_COLOURS = 48


def shoot(tab: object, name: str, focus: str | None = None) -> None:
    """Screenshots of the window at each width, made small (scaled, fewer colours).

    ``focus`` scrolls an element into view first (e.g. the comparison chart).
    """
    from PIL import Image

    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        tab.set_viewport_size({"width": width, "height": 900})  # type: ignore[attr-defined]
        tab.wait_for_timeout(1200)  # type: ignore[attr-defined]
        if focus:
            tab.locator(focus).first.scroll_into_view_if_needed()  # type: ignore[attr-defined]
            tab.wait_for_timeout(400)  # type: ignore[attr-defined]
        raw = tab.screenshot()  # type: ignore[attr-defined]
        image = Image.open(io.BytesIO(raw)).convert("RGB")
        size = (int(image.width * SHOT_SCALE), int(image.height * SHOT_SCALE))
        small = image.resize(size, Image.Resampling.LANCZOS).quantize(SHOT_COLOURS)
        small.save(SHOTS / f"{name}-{width}.png", optimize=True)
    tab.set_viewport_size({"width": 1400, "height": 1000})  # type: ignore[attr-defined]


def choose(tab: object, question: str, answer: str) -> None:
    """Click one option of a radio group."""
    group = tab.get_by_role("radiogroup", name=question)  # type: ignore[attr-defined]
    group.get_by_text(answer, exact=True).click()


def go_to(tab: object, title: str) -> None:
    tab.get_by_role("link", name=title, exact=True).first.click()  # type: ignore[attr-defined]
    tab.wait_for_selector(f'h1:has-text("{title}")')  # type: ignore[attr-defined]
    settle(tab)


def test_flip_run_compare_and_screenshot_every_page(
    page: object, app_url: tuple[str, Path]
) -> None:
    tab = page
    tab.wait_for_selector(".st-key-overview-findings", timeout=RUN_TIMEOUT_MS)  # type: ignore[attr-defined]
    settle(tab)
    assert tab.get_by_text("What matters most").count() >= 1  # type: ignore[attr-defined]
    shoot(tab, "0-overview")

    go_to(tab, "Scenario")
    choose(tab, "Hamas's answer on disarmament", "rejects")
    settle(tab)
    choose(tab, "Turkey's contingent", "vetoed")
    settle(tab)
    tab.wait_for_selector("text=my-hamas-rejects-turkey-vetoed")  # type: ignore[attr-defined]
    assert "hamas=rejects" in tab.url and "turkey=vetoed" in tab.url  # type: ignore[attr-defined]

    # a reload keeps the edits: they live in the URL
    tab.reload()  # type: ignore[attr-defined]
    tab.wait_for_selector("text=my-hamas-rejects-turkey-vetoed", timeout=RUN_TIMEOUT_MS)  # type: ignore[attr-defined]
    settle(tab)
    assert tab.get_by_role("radio", name="rejects").is_checked()  # type: ignore[attr-defined]

    # an invalid value is refused with its limits, and the old value comes back
    share = tab.get_by_role("spinbutton", name="IDF-held share once the force deploys")  # type: ignore[attr-defined]
    before = share.input_value()
    share.fill("-500")
    share.press("Enter")
    settle(tab)
    tab.wait_for_selector("text=refused")  # type: ignore[attr-defined]
    assert tab.get_by_text("Allowed: 0 to 1.").count() >= 1  # type: ignore[attr-defined]
    assert share.input_value() == before
    shoot(tab, "1-scenario", focus="text=refused")

    go_to(tab, "Run")
    tab.get_by_role("button", name="Run", exact=True).click()  # type: ignore[attr-defined]
    chart = tab.wait_for_selector(
        ".st-key-comparison-chart canvas, .st-key-comparison-chart svg", timeout=RUN_TIMEOUT_MS
    )  # type: ignore[attr-defined]
    assert chart is not None
    settle(tab)
    assert tab.get_by_text("What the politics settle on").count() >= 1  # type: ignore[attr-defined]
    shoot(tab, "2-run", focus=".st-key-what-matters")

    go_to(tab, "Compare")
    tab.get_by_role("button", name="Run comparison").click()  # type: ignore[attr-defined]
    tab.wait_for_selector(
        ".st-key-comparison-chart canvas, .st-key-comparison-chart svg", timeout=RUN_TIMEOUT_MS
    )  # type: ignore[attr-defined]
    settle(tab)
    shoot(tab, "3-compare", focus=".st-key-comparison-chart")

    # at 800 px: no sidebar, and the comparison chart fits the window
    tab.set_viewport_size({"width": 800, "height": 900})  # type: ignore[attr-defined]
    tab.wait_for_timeout(1500)  # type: ignore[attr-defined]
    sidebar = tab.locator('[data-testid="stSidebar"]')  # type: ignore[attr-defined]
    assert sidebar.count() == 0 or not sidebar.first.is_visible()
    box = tab.locator(".st-key-comparison-chart").first.bounding_box()  # type: ignore[attr-defined]
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 800
    tab.set_viewport_size({"width": 1400, "height": 1000})  # type: ignore[attr-defined]

    tab.get_by_role("radio", name="Distributions", exact=True).click()  # type: ignore[attr-defined]
    settle(tab)
    shoot(tab, "3c-compare-distributions", focus="text=Tails of")

    go_to(tab, "Sources")
    shoot(tab, "4-sources")

    # a folder written by `isf-lab batch` opens in Batch results
    go_to(tab, "Batch results")
    typed = tab.get_by_role("textbox", name="... or type a folder")  # type: ignore[attr-defined]
    typed.fill(str(app_url[1]))
    typed.press("Enter")
    settle(tab)
    tab.wait_for_selector("text=Runs finished")  # type: ignore[attr-defined]
    assert tab.get_by_text("outside the results folders").count() == 0  # type: ignore[attr-defined]
    shoot(tab, "5-batch-results")

    go_to(tab, "Downloads")
    csv_button = tab.get_by_role("button", name="CSV").first  # type: ignore[attr-defined]
    csv_button.wait_for(timeout=RUN_TIMEOUT_MS)
    # the file is built when clicked (a rerun); on a loaded 2-core machine that took over 60 s
    with tab.expect_download(timeout=RUN_TIMEOUT_MS) as download:  # type: ignore[attr-defined]
        csv_button.click()
    text = Path(download.value.path()).read_text(encoding="utf-8")
    assert text.startswith("scenario,scenario_hash,replication")
    assert "(your scenario)" not in text
    shoot(tab, "6-downloads")
