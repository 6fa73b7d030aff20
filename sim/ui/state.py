"""The app's session state and caches: the draft, the scenario library, runs and their results.

Results are cached with ``st.cache_data`` keyed by the scenario's hash, the seed and the block
of replications, so a scenario run once (by anyone using this server) comes back at once.
Runs go to the server's process pool (:func:`sim.experiments.app_runs.server_pool`, started
by the server's lifespan in ``app.py``); set ``ISF_LAB_WORKERS=1`` to run in the app's own
process (the tests do).
"""

from __future__ import annotations

import concurrent.futures as cf
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from sim.analysis.compare import Comparison, compare_results, daily_bands
from sim.analysis.explain import changed_lines
from sim.analysis.positions import gather_positions
from sim.analysis.report_bundle import ResultSet
from sim.experiments.app_runs import (
    BargainingRun,
    Block,
    Detail,
    app_workers,
    bargaining_run,
    code_fingerprint,
    current_server_pool,
    detail_run,
    discard_server_pool,
    has_runs,
    parse_payload,
    payload_of,
    run_scenario_reps,
    server_pool,
)
from sim.experiments.positions import TABLE, load_positions
from sim.experiments.seeds import SeedPlan
from sim.scenario.draft_link import draft_params
from sim.scenario.editing import Draft, changes
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import SCENARIOS_DIR, discover_scenarios, load_scenario, scenario_hash
from sim.scenario.names import HEADLINE_2X2_FILES
from sim.scenario.schema import Scenario

DRAFT = "draft"
GENERATION = "generation"
SAVED = "saved_scenarios"
UPLOADED = "uploaded_scenarios"
COMPLETED = "completed_runs"
LAST_TIMING = "last_timing"
LAST_RESULTS = "last_results"
PENDING_POSITIONS = "last_results_positions"
"""The runs whose actor positions the kept results still lack (read when first needed)."""
REPS = "reps"
SEED = "seed"
DEFAULT_REPS = 30
DEFAULT_SEED = 1
DEFAULT_ORIGIN = HEADLINE_2X2_FILES[0]

PERSISTENT_KEYS = (REPS, SEED, "compare_selection", "compare_baseline", "compare_view")
"""Widget values kept when the user moves to another page."""


def init_session() -> None:
    """Defaults for a new session, and keep the persistent widgets' values across pages."""
    st.session_state.setdefault(GENERATION, 0)
    st.session_state.setdefault(SAVED, {})
    st.session_state.setdefault(UPLOADED, {})
    st.session_state.setdefault(COMPLETED, set())
    st.session_state.setdefault(REPS, default_reps())
    st.session_state.setdefault(SEED, DEFAULT_SEED)
    for key in PERSISTENT_KEYS:
        if key in st.session_state:
            st.session_state[key] = st.session_state[key]


def default_reps() -> int:
    """Replications a new session starts with: ``$ISF_LAB_REPS`` or 30."""
    text = os.environ.get("ISF_LAB_REPS", "")
    return max(1, int(text)) if text.strip().isdigit() else DEFAULT_REPS


def workers() -> int:
    """Worker processes for runs: ``$ISF_LAB_WORKERS`` or every core."""
    return app_workers()


def start_pool() -> None:
    """Make sure the worker pool exists; the server's lifespan normally started it already.

    A server started without ``app.py``'s lifespan (another entry point) gets its pool here,
    on the first page load, made in a background thread so the page does not wait for it.
    """
    if workers() > 1 and current_server_pool() is None:
        threading.Thread(target=server_pool, name="isf-lab-pool", daemon=True).start()


# -- the scenario library -----------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    """A scenario file read from disk: its JSON payload, or the problems found."""

    label: str
    payload: str | None
    problems: tuple[Problem, ...] = ()


@st.cache_data(show_spinner="Reading the scenario files ...", max_entries=4)
def shipped_scenarios(folder: str, stamp: tuple[tuple[str, int], ...]) -> list[Loaded]:
    """Every scenario file of the scenarios folder (``stamp`` refreshes the cache on edits)."""
    del stamp
    root = Path(folder)
    found = []
    for path in discover_scenarios(root):
        label = path.relative_to(root).as_posix()
        try:
            found.append(Loaded(label, payload_of(load_scenario(path))))
        except ScenarioError as exc:
            found.append(Loaded(label, None, tuple(exc.problems)))
        except Exception as exc:  # a broken file must never stop the app
            found.append(Loaded(label, None, (Problem(label, None, "", str(exc)),)))
    return found


def library() -> list[Loaded]:
    """The shipped scenarios (cached; re-read when a file changes)."""
    root = SCENARIOS_DIR
    stamp = tuple(
        (p.as_posix(), p.stat().st_mtime_ns) for p in sorted(root.rglob("*.y*ml")) if p.is_file()
    )
    return shipped_scenarios(str(root), stamp)


def shipped(label: str) -> Scenario | None:
    """A shipped scenario by its file label, if it loads."""
    for item in library():
        if item.label == label and item.payload is not None:
            return parse_payload(item.payload)
    return None


def draft() -> Draft | None:
    """The draft being edited (started from base.yaml on first use)."""
    current = st.session_state.get(DRAFT)
    if current is None:
        labels = [item.label for item in library() if item.payload is not None]
        if not labels:
            return None
        label = DEFAULT_ORIGIN if DEFAULT_ORIGIN in labels else labels[0]
        origin = shipped(label)
        assert origin is not None
        current = Draft.start(origin, label)
        st.session_state[DRAFT] = current
    return current


def start_draft(origin: Scenario, label: str) -> None:
    """Replace the draft; every editing widget starts afresh."""
    st.session_state[DRAFT] = Draft.start(origin, label)
    st.session_state[GENERATION] = st.session_state.get(GENERATION, 0) + 1


def built_draft() -> tuple[Scenario | None, list[Problem]]:
    """The draft as a validated scenario, or the problems that stop it."""
    current = draft()
    if current is None:
        return None, [Problem(None, None, "", "no scenario loads; see the Scenario page")]
    try:
        return current.build(), []
    except ScenarioError as exc:
        return None, list(exc.problems)


def draft_edits() -> tuple[list[str], str]:
    """The user's edits in words (for reports) and the query of a link that reproduces them."""
    current = draft()
    built, _ = built_draft()
    if current is None or built is None or not current.edited:
        return [], ""
    lines = [f"started from {current.origin_label}", *changed_lines(changes(current.origin, built))]
    return lines, urlencode(draft_params(current), safe=",;=")


CHOICE_NOTES = "choice_notes"
YOURS, KEPT, UPLOAD = "your scenario", "kept edit", "upload"


def draft_label(scenario: Scenario, current: Draft) -> str:
    """How the user's own scenario is keyed: its name (shown with "(your scenario)" if edited).

    Labels are scenario names, so the ``scenario`` column of downloaded tables holds names
    only; :func:`choice_caption` adds the note for display.
    """
    if current.edited:
        st.session_state.setdefault(CHOICE_NOTES, {})[scenario.metadata.name] = YOURS
    return scenario.metadata.name


def choice_caption(label: str) -> str:
    """A label with its note for display: ``name (your scenario)``, ``(kept edit)``, ..."""
    note = st.session_state.get(CHOICE_NOTES, {}).get(label)
    return f"{label} ({note})" if note else label


def _unique(label: str, taken: dict[str, Scenario], suffix: str) -> str:
    return label if label not in taken else f"{label}-{suffix}"


def scenario_choices() -> dict[str, Scenario]:
    """Every scenario the user can run or compare, by label: the draft, kept edits, files."""
    choices: dict[str, Scenario] = {}
    notes: dict[str, str] = {}
    built, _ = built_draft()
    current = draft()
    if built is not None and current is not None and current.edited:
        choices[draft_label(built, current)] = built
        notes[built.metadata.name] = YOURS
    for name, payload in st.session_state.get(SAVED, {}).items():
        label = _unique(name, choices, "kept")
        if label not in choices:
            choices[label], notes[label] = parse_payload(payload), KEPT
    for name, payload in st.session_state.get(UPLOADED, {}).items():
        label = _unique(name, choices, "upload")
        if label not in choices:
            choices[label], notes[label] = parse_payload(payload), UPLOAD
    for item in library():
        if item.payload is not None:
            choices.setdefault(item.label.removesuffix(".yaml"), parse_payload(item.payload))
    st.session_state[CHOICE_NOTES] = notes
    return choices


# -- runs ---------------------------------------------------------------------------------------


def entropy_of(seed: int) -> int:
    """The root entropy of a user's seed (as the command line computes it)."""
    return SeedPlan.from_seed(seed).entropy


MEMORY_ENTRIES = 300
"""Sets of runs kept in the server's memory (beyond them, the runner's folders answer)."""


@st.cache_resource(show_spinner=False)
def memory() -> OrderedDict[tuple[str, int, int, str], Block]:
    """Finished sets of runs in memory, shared by every session of this server."""
    return OrderedDict()


def fetch_runs(
    scenario: Scenario, reps: int, seed: int, on_progress: Callable[[int, int], object] | None
) -> Block:
    """``reps`` replications of a scenario: from memory, from its folder, or freshly run.

    Runs go through the batch runner (:func:`run_scenario_reps`) into a results folder keyed
    by scenario hash, seed and code fingerprint, so they outlive the server. Failed runs are
    never kept in memory: a rerun tries them again.
    """
    key = (scenario_hash(scenario), seed, reps, code_fingerprint())
    kept = memory()
    if key in kept:
        kept.move_to_end(key)
        return kept[key]
    pool = server_pool()
    try:
        block = run_scenario_reps(
            scenario,
            reps,
            seed,
            executor=pool.executor if pool is not None else "serial",
            on_progress=on_progress,
        )
    except cf.BrokenExecutor:
        discard_server_pool(pool)  # a worker died: a new pool next time, finish this one here
        block = run_scenario_reps(scenario, reps, seed, executor="serial", on_progress=on_progress)
    if not block.errors:
        kept[key] = block
        while len(kept) > MEMORY_ENTRIES:
            kept.popitem(last=False)
    return block


def run_key(scenario: Scenario, reps: int, seed: int) -> tuple[str, int, int]:
    """What identifies a finished set of runs."""
    return scenario_hash(scenario), reps, seed


def is_complete(scenario: Scenario, reps: int, seed: int) -> bool:
    """Whether ``reps`` replications of ``scenario`` are done (this session, or on disk)."""
    if run_key(scenario, reps, seed) in st.session_state.get(COMPLETED, set()):
        return True
    return has_runs(scenario, reps, seed)


def run_many(
    scenarios: dict[str, Scenario],
    reps: int,
    seed: int,
    on_progress: Callable[[float, str], object] | None = None,
) -> dict[str, Block]:
    """Run (or fetch) ``reps`` replications of each scenario, labelled.

    The progress callback gets the share done and a line of text after each run. A call
    with a callback is a run the user asked for: its time is kept for the pages to show.
    """
    results: dict[str, Block] = {}
    start = time.perf_counter()
    count = len(scenarios)
    for index, (label, scenario) in enumerate(scenarios.items()):
        tick = None
        if on_progress is not None:

            def tick(done: int, total: int, index: int = index, label: str = label) -> None:
                share = (index + done / max(total, 1)) / count
                on_progress(share, f"{label}: {done} of {total} new runs")

        results[label] = relabel(fetch_runs(scenario, reps, seed, tick), label)
    for scenario in scenarios.values():
        st.session_state[COMPLETED].add(run_key(scenario, reps, seed))
    if on_progress is not None:
        on_progress(1.0, "done")
        st.session_state[LAST_TIMING] = {
            "runs": reps * count,
            "seconds": time.perf_counter() - start,
            "workers": workers(),
        }
    return results


def relabel(block: Block, label: str) -> Block:
    """The block with its scenario column set to ``label`` (labels are unique in the app)."""
    summary = block.summary.assign(scenario=label) if not block.summary.empty else block.summary
    daily = block.daily.assign(scenario=label) if not block.daily.empty else block.daily
    return Block(summary, daily, block.errors, block.seconds, block.folder)


@st.cache_data(show_spinner="Comparing ...", max_entries=64)
def cached_comparison(
    key: tuple[tuple[str, str], ...], reps: int, seed: int, baseline: str, _summary: pd.DataFrame
) -> Comparison:
    """The comparison of a set of runs (keyed by labels and hashes, replications and seed)."""
    del key, reps, seed
    return compare_results(_summary, baseline, resamples=1000, seed=0)


@st.cache_data(show_spinner=False, max_entries=64)
def cached_daily_bands(
    key: tuple[tuple[str, str], ...], reps: int, seed: int, _daily: pd.DataFrame
) -> pd.DataFrame:
    """Median and 10-90% band of the daily series."""
    del key, reps, seed
    return daily_bands(_daily)


def hashes(scenarios: dict[str, Scenario]) -> dict[str, str]:
    """Label -> scenario hash."""
    return {label: scenario_hash(s) for label, s in scenarios.items()}


def compare_blocks(
    blocks: dict[str, Block], scenarios: dict[str, Scenario], reps: int, seed: int, baseline: str
) -> tuple[Comparison, pd.DataFrame, pd.DataFrame]:
    """Comparison, daily bands and the daily table of labelled blocks."""
    key = tuple(hashes(scenarios).items())
    summary = pd.concat([b.summary for b in blocks.values()], ignore_index=True)
    daily = pd.concat([b.daily for b in blocks.values()], ignore_index=True)
    comparison = cached_comparison(key, reps, seed, baseline, summary)
    return comparison, cached_daily_bands(key, reps, seed, daily), daily


@st.cache_data(show_spinner="Reading actor positions ...", max_entries=64)
def cached_folder_positions(folder: str, stamp: float) -> pd.DataFrame | None:
    """The positions stored in a run folder (re-read when its consolidated table changes)."""
    del stamp
    return load_positions(folder)


def blocks_positions(blocks: dict[str, Block], reps: int) -> pd.DataFrame | None:
    """Actor positions of labelled blocks' coupled runs (replications below ``reps``), or None."""
    return folders_positions({label: block.folder for label, block in blocks.items()}, reps)


def folders_positions(folders: dict[str, Path | None], reps: int) -> pd.DataFrame | None:
    """Actor positions stored in labelled run folders (replications below ``reps``), or None."""
    tables: dict[str, pd.DataFrame | None] = {}
    for label, folder in folders.items():
        if folder is None:
            tables[label] = None
            continue
        table = folder / TABLE
        stamp = table.stat().st_mtime if table.exists() else 0.0
        tables[label] = cached_folder_positions(str(folder), stamp)
    return gather_positions(tables, reps)


def keep_results(
    shown: tuple[Comparison, pd.DataFrame, pd.DataFrame],
    scenarios: dict[str, Scenario],
    blocks: dict[str, Block],
    reps: int,
    seed: int,
    origin: str,
    findings: list[str],
    positions: pd.DataFrame | None = None,
) -> None:
    """Keep the shown results (comparison, bands, daily table) for the Downloads page.

    With the draft's edits and the runs' actor positions: those the page read (``positions``),
    else read from the runs' folders when :func:`last_results` first asks for them (0.1-0.3 s
    of the server's CPU that a page not showing them need not spend after every run).
    """
    comparison, bands, daily = shown
    results = ResultSet(
        comparison,
        bands,
        daily,
        hashes(scenarios),
        seed,
        reps,
        origin,
        findings,
        *draft_edits(),
        positions=positions,
    )
    st.session_state[LAST_RESULTS] = results
    # the folders only: the blocks' run tables need not outlive the server's cache of them
    folders = {label: block.folder for label, block in blocks.items()}
    st.session_state[PENDING_POSITIONS] = (results, folders, reps) if positions is None else None


def last_results() -> ResultSet | None:
    """The kept results, with their actor positions read if they were left for later."""
    results: ResultSet | None = st.session_state.get(LAST_RESULTS)
    pending = st.session_state.get(PENDING_POSITIONS)
    if results is None or pending is None:
        return results
    owner, folders, reps = pending
    st.session_state[PENDING_POSITIONS] = None
    if owner is not results:  # kept by code that did not leave them pending
        return results
    results = replace(results, positions=folders_positions(folders, reps))
    st.session_state[LAST_RESULTS] = results
    return results


@st.cache_data(show_spinner="Recording one run in detail ...", max_entries=32)
def cached_detail(digest: str, entropy: int, _payload: str) -> Detail:
    """Replication 1 of a scenario with its political log and maps."""
    del digest
    return detail_run(_payload, entropy)


@st.cache_data(show_spinner="Playing the bargaining table ...", max_entries=32)
def cached_bargaining(digest: str, _payload: str) -> BargainingRun:
    """The scenario's bargaining table played on its own."""
    del digest
    return bargaining_run(_payload)


@st.cache_data(show_spinner=False, max_entries=256)
def cached_map(digest: str, entropy: int, field: str, day: int, _detail: Detail) -> bytes:
    """A PNG map of one field on one day of the detailed run."""
    import io

    from sim.model.maps import render_snapshot

    del digest, entropy
    assert _detail.maps is not None
    buffer = io.BytesIO()
    render_snapshot(_detail.maps, field, day, buffer)
    return buffer.getvalue()
