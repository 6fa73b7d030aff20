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
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.scenario.loader import SCENARIOS_DIR, load_scenario

from .live_server import REPO, app_server

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
RUN_TIMEOUT_MS = 240_000

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="headless Chromium is missing: run `sudo bash scripts/install_browser.sh`",
    ),
]


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
    work = Path(tempfile.mkdtemp(prefix="isf-lab-e2e-"))
    write_batch_results(work / "results")
    env = {
        "ISF_LAB_REPS": "10",
        "ISF_LAB_OVERVIEW_REPS": "10",
        "ISF_LAB_CACHE": str(work / "app-runs"),
        "ISF_RESULTS_DIR": str(work / "results"),
    }
    try:
        with app_server(env, work / "server.log") as (url, _process):
            yield url, work / "results" / "square"
    finally:
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
        context.on("request", lambda request: note_remote(request.url, app_url[0]))
        tab = context.new_page()
        tab.set_default_timeout(60_000)
        tab.goto(app_url[0])
        yield tab
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


REMOTE: list[str] = []
"""Every request the browser made to anything but the app's server (data: URLs excepted)."""


def note_remote(url: str, app: str) -> None:
    if not url.startswith((app, "data:", "blob:", "about:")):
        REMOTE.append(url)


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
    check_compare_positions(tab)
    check_map_play(tab)

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
    check_positions_page(tab, app_url[1])

    go_to(tab, "Downloads")
    text = download_csv(tab)
    assert text.startswith("scenario,scenario_hash,replication")
    assert "(your scenario)" not in text
    shoot(tab, "6-downloads")


FIRST_CORNER = "hamas-accepts-turkey-included.yaml"
POSITION_SECTIONS = '[class*="st-key-compare-positions-"]'
CHART = "canvas, svg"


def check_compare_positions(tab: object) -> None:
    """Compare's actor positions: a section per dimension, each with its chart and deal table."""
    tab.get_by_role("radio", name="Actor positions", exact=True).click()  # type: ignore[attr-defined]
    settle(tab)
    dimensions = [d.id for d in load_scenario(SCENARIOS_DIR / FIRST_CORNER).bargaining.dimensions]
    assert len(dimensions) >= 2
    for dimension in dimensions:  # one section per political dimension, in the scenario's order
        tab.locator(f".st-key-compare-positions-{dimension}").wait_for(timeout=RUN_TIMEOUT_MS)  # type: ignore[attr-defined]
    sections = tab.locator(POSITION_SECTIONS)  # type: ignore[attr-defined]
    assert sections.count() == len(dimensions)
    for i in range(len(dimensions)):
        section = sections.nth(i)
        section.locator(CHART).first.wait_for(timeout=RUN_TIMEOUT_MS)
        # the deal table follows the chart: wait for it (a loaded machine draws it later)
        deal = section.get_by_text("Deal at the end of the horizon")
        deal.first.wait_for(timeout=RUN_TIMEOUT_MS)
        assert deal.count() == 1
    assert tab.get_by_role("heading", name="Hamas disarmament").count() >= 1  # type: ignore[attr-defined]
    shoot(tab, "3d-compare-positions", focus=POSITION_SECTIONS)


SLIDER = '.st-key-map_day input[type="range"]'
PLAY = ".st-key-map_play button"
MAP_IMAGES = ".st-key-wide-maps img"


def map_day(tab: object) -> int:
    return int(tab.locator(SLIDER).first.input_value())  # type: ignore[attr-defined]


def wait_for_label(tab: object, label: str) -> None:
    """Wait until the play button says ``label`` (Play or Pause)."""
    tab.wait_for_function(  # type: ignore[attr-defined]
        "([sel, label]) => (document.querySelector(sel)?.innerText ?? '').includes(label)",
        arg=[PLAY, label],
        timeout=RUN_TIMEOUT_MS,
    )


def wait_for_day_after(tab: object, day: int) -> None:
    tab.wait_for_function(  # type: ignore[attr-defined]
        "([sel, day]) => Number(document.querySelector(sel)?.value ?? -1) > day",
        arg=[SLIDER, day],
        timeout=RUN_TIMEOUT_MS,
    )


def check_map_play(tab: object) -> None:
    """The map's play control steps through the recorded days, pauses, and stops at the last."""
    tab.get_by_role("radio", name="Map", exact=True).click()  # type: ignore[attr-defined]
    settle(tab)
    # two scenarios mapped by default, side by side (they appear one after the other)
    tab.locator(MAP_IMAGES).nth(1).wait_for(timeout=RUN_TIMEOUT_MS)  # type: ignore[attr-defined]
    settle(tab)
    assert tab.locator(MAP_IMAGES).count() == 2  # type: ignore[attr-defined]
    first = map_day(tab)
    wait_for_label(tab, "Play")
    tab.locator(PLAY).first.click()  # type: ignore[attr-defined]
    wait_for_label(tab, "Pause")
    wait_for_day_after(tab, first)
    tab.locator(PLAY).first.click()  # pause  # type: ignore[attr-defined]
    wait_for_label(tab, "Play")
    settle(tab)
    paused = map_day(tab)
    assert paused > first
    tab.wait_for_timeout(3000)  # three frames' time: a paused map does not move  # type: ignore[attr-defined]
    assert map_day(tab) == paused
    tab.locator(PLAY).first.click()  # type: ignore[attr-defined]
    wait_for_label(tab, "Pause")
    wait_for_label(tab, "Play")  # it stops by itself at the last recorded day
    settle(tab)
    last = map_day(tab)
    assert last > paused
    captions = tab.get_by_text(f", day {last}").count()  # type: ignore[attr-defined]
    assert captions == 2, "both maps show the last recorded day"
    # at 800 px the two maps stack at full width instead of squeezing side by side
    tab.set_viewport_size({"width": 800, "height": 900})  # type: ignore[attr-defined]
    tab.wait_for_timeout(1500)  # type: ignore[attr-defined]
    for i in range(2):
        box = tab.locator(MAP_IMAGES).nth(i).bounding_box()  # type: ignore[attr-defined]
        assert box is not None and box["width"] > 500 and box["x"] + box["width"] <= 800
    tab.set_viewport_size({"width": 1400, "height": 1000})  # type: ignore[attr-defined]
    shoot(tab, "3e-compare-map", focus=MAP_IMAGES)


def check_positions_page(tab: object, batch: Path) -> None:
    """The Actor positions page draws the folder written by `isf-lab batch`, named safely."""
    go_to(tab, "Actor positions")
    tab.locator(".st-key-pos_dir").click()  # type: ignore[attr-defined]
    tab.get_by_role("option").filter(has_text=f"results/{batch.name} ·").click()  # type: ignore[attr-defined]
    settle(tab)
    tab.get_by_text("Deal at the end of the horizon").first.wait_for(timeout=RUN_TIMEOUT_MS)  # type: ignore[attr-defined]
    chosen = tab.get_by_role("combobox", name="Results folder").input_value()  # type: ignore[attr-defined]
    assert f"results/{batch.name} · 2 scenario(s)" in chosen  # the batch, by its short name
    assert tab.locator('[data-testid="stVegaLiteChart"]').count() >= 1  # type: ignore[attr-defined]
    shown = tab.locator('[data-testid="stMain"]').inner_text()  # type: ignore[attr-defined]
    assert str(batch.parents[1]) not in shown, "the server's absolute path is on the page"
    shoot(tab, "7-positions")


def download_csv(tab: object) -> str:
    """Click the first CSV button and read the file.

    The file is built when clicked (a rerun); on a loaded 2-core machine that took over 60 s.
    A click that lands while the page is still drawing can be lost, so a second click is
    allowed; a button that never downloads fails (with a screenshot of the page beside the
    others).
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    button = tab.get_by_role("button", name="CSV").first  # type: ignore[attr-defined]
    for attempt in range(2):
        button.wait_for(timeout=RUN_TIMEOUT_MS)
        settle(tab)
        try:
            with tab.expect_download(timeout=RUN_TIMEOUT_MS // 2) as download:  # type: ignore[attr-defined]
                button.click()
            return Path(download.value.path()).read_text(encoding="utf-8")
        except PlaywrightTimeout:
            SHOTS.mkdir(parents=True, exist_ok=True)
            tab.screenshot(path=str(SHOTS / f"failed-download-{attempt}.png"), full_page=True)  # type: ignore[attr-defined]
    raise AssertionError("the CSV button gave no file after two clicks")


def test_nothing_is_fetched_from_the_internet(page: object) -> None:
    """After every page above: no request left the machine (no remote icon, font or tracker)."""
    assert not REMOTE, sorted(set(REMOTE))
