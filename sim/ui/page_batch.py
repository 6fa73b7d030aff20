"""Page 5, Batch results: open a results folder written by the command line.

A results folder (``isf-lab run|batch|design|sensitivity|headline --out results/NAME``) holds
Parquet tables and a ``manifest.json``. Only folders inside the results roots can be opened:
``$ISF_RESULTS_DIR`` (one or more folders), ``results/`` in the project and in the working
folder, and the folder of the app's own runs. Messages never show the server's absolute paths.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import altair as alt
import pandas as pd
import streamlit as st

from sim.analysis.compare import Comparison, compare_results
from sim.analysis.outcomes import HEADLINE_OUTCOMES, outcome_columns, outcome_info
from sim.experiments.app_runs import runs_root
from sim.experiments.runner import ExperimentResult, load_results
from sim.scenario.loader import REPO_DIR
from sim.ui.results import (
    FAN_SERIES,
    show_differences,
    show_distributions,
    show_fans,
    show_kpi_table,
    show_survival,
    show_warnings,
    show_what_matters,
)
from sim.ui.widgets import how_to_read, scrub_paths

MAX_SCENARIOS_TO_COMPARE = 12
VIEWS = ["Outcomes", "Over time", "Ceasefire", "Sensitivity", "Discovery", "Manifest"]


RESULTS_ENV = "ISF_RESULTS_DIR"
RECENT = 30
"""Results folders listed in the picker (newest first)."""


def results_roots() -> list[Path]:
    """Folders whose experiments the page may open.

    ``$ISF_RESULTS_DIR`` (several folders separated by ``:``), ``results/`` of the project and
    of the working folder, and the folder where the app keeps its own runs.
    """
    roots = [Path(p).expanduser() for p in os.environ.get(RESULTS_ENV, "").split(os.pathsep) if p]
    roots += [REPO_DIR / "results", Path.cwd() / "results", runs_root()]
    unique: dict[Path, None] = {}
    for root in roots:
        unique.setdefault(root.resolve(), None)
    return list(unique)


def display_path(path: Path, roots: list[Path] | None = None) -> str:
    """A path as the user may see it: never the server's absolute path.

    Relative to the project, to ``~``, or to the results root it lies in; else its name.
    """
    path = path.resolve()
    for base, shown in ((REPO_DIR, ""), (runs_root().resolve(), "app runs/")):
        if path.is_relative_to(base):
            return shown + (path.relative_to(base).as_posix() or ".")
    for root in roots or []:
        if path.is_relative_to(root):
            return f"{root.name}/{path.relative_to(root).as_posix()}".rstrip("/.")
    home = Path.home().resolve()
    if path.is_relative_to(home):
        return "~/" + path.relative_to(home).as_posix()
    return path.name


def find_experiments(roots: list[Path], depth: int = 3) -> list[Path]:
    """Folders (up to ``depth`` levels below a root) holding a ``manifest.json``, newest first."""
    found: list[Path] = []
    for root in roots:
        if not root.is_dir():
            continue
        for level in range(depth + 1):
            pattern = "/".join(["*"] * level + ["manifest.json"])
            found.extend(p.parent for p in sorted(root.glob(pattern)))
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=lambda p: (p / "manifest.json").stat().st_mtime, reverse=True)


def allowed_folder(text: str, roots: list[Path]) -> Path:
    """The folder named by ``text`` if it lies inside a results root and holds an experiment.

    A relative path is read from the project folder, then from the working folder.

    Raises:
        ValueError: Saying what is wrong and what to do, without the server's absolute paths.
    """
    typed = Path(text.strip()).expanduser()
    candidates = [typed] if typed.is_absolute() else [REPO_DIR / typed, Path.cwd() / typed]
    folders = [c.resolve() for c in candidates]
    inside = [f for f in folders if any(f.is_relative_to(root) for root in roots)]
    if not inside:
        listed = ", ".join(display_path(r, roots) for r in roots)
        raise ValueError(
            f"{text} is outside the results folders the app may read ({listed}). "
            f"Write results under results/ (e.g. --out results/NAME), or start the app with "
            f"{RESULTS_ENV}=/path/to/the/folder (several separated by ':')."
        )
    for folder in inside:
        if (folder / "manifest.json").is_file():
            return folder
    raise ValueError(
        f"{text} holds no experiment (no manifest.json): give the folder passed to --out"
    )


def describe(folder: Path, roots: list[Path]) -> str:
    """A line for the picker: where, how many scenarios and runs, how long ago."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"{display_path(folder, roots)} (unreadable manifest)"
    runs = (manifest.get("runs") or {}).get("finished", "?")
    scenarios = len(manifest.get("scenarios") or {})
    age = _age(time.time() - (folder / "manifest.json").stat().st_mtime)
    return f"{display_path(folder, roots)} · {scenarios} scenario(s), {runs} runs · {age}"


def _age(seconds: float) -> str:
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count > 1 else ''} ago"
    return "just now"


@st.cache_data(show_spinner="Reading the results ...", max_entries=8)
def cached_results(folder: str, stamp: float) -> ExperimentResult:
    """An experiment folder's tables (re-read when its manifest changes)."""
    del stamp
    return load_results(folder)


@st.cache_data(show_spinner="Comparing ...", max_entries=16)
def cached_comparison(
    folder: str, stamp: float, baseline: str, _result: ExperimentResult
) -> Comparison:
    """The comparison of a folder's scenarios."""
    del folder, stamp
    return compare_results(_result, baseline, resamples=1000)


def render() -> None:
    """Draw the Batch results page."""
    st.title("Batch results")
    st.markdown(
        "Open results written by the command line, e.g. "
        "`isf-lab batch scenarios/hamas-*.yaml --reps 50 --out results/square`. "
        "Designed experiments (`isf-lab design`, `isf-lab sensitivity`) also show their "
        "sensitivity indices and scenario discovery."
    )
    folder = _choose_folder()
    if folder is None:
        return
    stamp = (folder / "manifest.json").stat().st_mtime
    try:
        result = cached_results(str(folder), stamp)
    except Exception as exc:  # a broken folder must never stop the app
        st.error(scrub_paths(f"Cannot read {display_path(folder, results_roots())}: {exc}"))
        return
    _overview(result)
    st.session_state.setdefault("batch_view", VIEWS[0])
    view = st.segmented_control("Show", VIEWS, key="batch_view") or VIEWS[0]
    if view == "Sensitivity":
        _sensitivity(result)
    elif view == "Discovery":
        _discovery(result)
    elif view == "Manifest":
        st.json(result.manifest, expanded=1)
    else:
        _comparison_views(result, folder, stamp, view)


def _choose_folder() -> Path | None:
    roots = results_roots()
    found = find_experiments(roots)[:RECENT]
    labels = {str(p): describe(p, roots) for p in found}
    left, right = st.columns(2)
    picked = left.selectbox(
        "Recent results (newest first)",
        list(labels),
        index=0 if labels else None,
        format_func=lambda key: labels.get(key, key),
        key="batch_folder",
        placeholder="none found",
        help="Folders with a manifest.json under: "
        + ", ".join(display_path(r, roots) for r in roots),
    )
    typed = right.text_input(
        "... or type a folder",
        key="batch_typed",
        placeholder="results/square",
        help="The folder given to --out, relative to the project or absolute.",
    )
    text = typed or picked
    if not text:
        st.info(
            "No results folder yet. Run a batch from the command line, e.g. "
            "`isf-lab batch scenarios/hamas-*.yaml --reps 30 --out results/square`, "
            f"or start the app with `{RESULTS_ENV}=/path/to/results` to read another folder."
        )
        return None
    try:
        return allowed_folder(text, roots)
    except ValueError as exc:
        st.error(scrub_paths(str(exc)))
        return None


def _overview(result: ExperimentResult) -> None:
    manifest = result.manifest
    code = manifest.get("code", {})
    design = manifest.get("design") or {}
    columns = st.columns(4)
    columns[0].metric("Scenarios", len(result.scenarios))
    columns[1].metric("Runs finished", len(result.summary))
    columns[2].metric("Runs failed", len(result.failures))
    columns[3].metric("Design", design.get("kind", "none"))
    st.caption(
        f"Created {manifest.get('created', '?')}; code {str(code.get('commit') or '?')[:12]}; "
        f"seed entropy {manifest.get('seed', {}).get('entropy', '?')}; "
        f"{manifest.get('replications', '?')} replications per scenario."
    )
    if result.interrupted:
        st.warning("The experiment was interrupted; rerun the same command to finish it.")


def _comparison_views(result: ExperimentResult, folder: Path, stamp: float, view: str) -> None:
    scenarios = result.scenarios or list(dict.fromkeys(result.summary["scenario"]))
    if result.summary.empty:
        st.info("No finished runs yet.")
        return
    if len(scenarios) > MAX_SCENARIOS_TO_COMPARE:
        _design_points(result)
        return
    baseline = st.selectbox("Baseline", scenarios, key="batch_baseline")
    comparison = cached_comparison(str(folder), stamp, baseline, result)
    show_warnings(comparison)
    if view == "Outcomes":
        show_what_matters(comparison)
        show_kpi_table(comparison)
        show_differences(comparison, key="batch-comparison-chart")
        show_distributions(comparison, key="batch_distribution")
    elif view == "Over time":
        if comparison.daily_bands is None or comparison.daily_bands.empty:
            st.info("This experiment has no daily series (run it with --daily).")
        else:
            show_fans(comparison.daily_bands, comparison.scenarios, FAN_SERIES, comparison.summary)
    else:
        show_survival(comparison)


def _design_points(result: ExperimentResult) -> None:
    st.info(
        f"{len(result.scenarios)} design points: too many to compare one by one. "
        "Below, each outcome against each factor; see Sensitivity and Discovery."
    )
    if result.design is None:
        st.dataframe(result.summary, hide_index=True)
        return
    outcome = st.selectbox(
        "Outcome",
        outcome_columns(result.summary),
        key="batch_point_outcome",
        format_func=lambda o: outcome_info(o).label,
    )
    factors = [
        c
        for c in result.design.columns
        if c not in ("scenario", "point") and not c.startswith("unit:")
    ]
    means = result.summary.groupby("scenario")[outcome].mean().rename("mean").reset_index()
    table = result.design.merge(means, on="scenario")
    long = table.melt(
        id_vars=["scenario", "mean"], value_vars=factors, var_name="factor", value_name="value"
    )
    chart = (
        alt.Chart(long)
        .mark_circle(size=45, opacity=0.7)
        .encode(
            x=alt.X("value:Q", title=None),
            y=alt.Y("mean:Q", title=outcome_info(outcome).label),
            tooltip=["scenario:N", "factor:N", "value:Q", "mean:Q"],
        )
        .properties(width=220, height=160)
        .facet(facet="factor:N", columns=3)
        .resolve_scale(x="independent")
    )
    st.altair_chart(chart)
    how_to_read("Each dot is one design point: its factor value across, its mean outcome up.")


def _sensitivity(result: ExperimentResult) -> None:
    from sim.analysis.sensitivity import sensitivity_table

    kind = (result.manifest.get("design") or {}).get("kind")
    if kind not in ("sobol", "morris"):
        st.info("Sensitivity indices need a Sobol or Morris experiment (`isf-lab sensitivity`).")
        return
    outcomes = [o for o in HEADLINE_OUTCOMES if o in result.summary.columns]
    outcome = st.selectbox(
        "Outcome", outcomes, key="batch_sens_outcome", format_func=lambda o: outcome_info(o).label
    )
    try:
        table = sensitivity_table(result, [outcome])
    except ValueError as exc:
        st.error(str(exc))
        return
    measure = "ST" if kind == "sobol" else "mu_star"
    chart = (
        alt.Chart(table)
        .mark_bar()
        .encode(
            x=alt.X(
                f"{measure}:Q",
                title="total-order index ST" if kind == "sobol" else "mu* (mean absolute effect)",
            ),
            y=alt.Y("factor:N", sort="-x", title=None),
            tooltip=list(table.columns),
        )
        .properties(width=600, height=max(120, 22 * len(table)))
    )
    st.altair_chart(chart)
    st.dataframe(table, hide_index=True, width="stretch")
    how_to_read(
        "Which assumptions move this outcome most. **Sobol ST**: the share of the outcome's "
        "variance due to a factor, with its interactions (S1: alone). **Morris mu\\***: how much "
        "the outcome changes, on average, when the factor moves across its whole range; a large "
        "sigma means the effect depends on the other factors."
    )


def _discovery(result: ExperimentResult) -> None:
    from sim.analysis.discovery import discover

    if result.design is None:
        st.info("Scenario discovery needs a designed experiment (`isf-lab design ...`).")
        return
    condition = st.text_input(
        "Failure condition",
        value="days_to_collapse < 180",
        key="batch_condition",
        help="An outcome and a threshold, e.g. 'contributors_withdrawn >= 1', "
        "or a yes/no outcome such as 'ceasefire_collapsed'.",
    )
    try:
        found = discover(result, condition)
    except ValueError as exc:
        st.error(str(exc))
        return
    box = found.prim.chosen
    st.markdown(
        f"**{found.prim.cases} of {found.prim.runs} runs** meet the condition "
        f"({found.prim.base_density:.0%}). PRIM's box: **{box.describe()}** holds "
        f"{box.coverage:.0%} of them, and {box.density:.0%} of the runs inside it fail."
    )
    trajectory = found.prim.trajectory
    chart = (
        alt.Chart(trajectory)
        .mark_line(point=True)
        .encode(
            x=alt.X("coverage:Q", axis=alt.Axis(format="%")),
            y=alt.Y("density:Q", axis=alt.Axis(format="%")),
            tooltip=["step:Q", "coverage:Q", "density:Q", "restricted:Q"],
        )
        .properties(width=420, height=260, title="PRIM peeling: density against coverage")
    )
    st.altair_chart(chart)
    rules = pd.DataFrame([vars(leaf) for leaf in found.rules])
    st.dataframe(rules, hide_index=True, width="stretch")
    how_to_read(
        "Scenario discovery asks which combinations of assumptions make the failure likely. "
        "PRIM peels away slices of the input space to find a box where failures concentrate: "
        "**coverage** is the share of all failures inside the box, **density** the share of runs "
        "in the box that fail. The table lists the rules of a small decision tree."
    )
