"""Streamlit pieces shared by the pages: problems, "how to read this", parameter inputs."""

from __future__ import annotations

import math
import re
import time
from pathlib import Path
from typing import Any

import streamlit as st

from sim.scenario.editing import Draft, apply_decisions, lookup
from sim.scenario.errors import Problem
from sim.scenario.evidence import SourceRegistry, load_registry
from sim.scenario.loader import REPO_DIR
from sim.scenario.params import Bounds, ParamSpec, PlainField, source_lines
from sim.scenario.schema import Scenario
from sim.ui.state import GENERATION, run_many


def scrub_paths(text: str) -> str:
    """``text`` without the server's absolute paths (project-relative, ``~``, or dropped)."""
    text = text.replace(f"{REPO_DIR}/", "").replace(str(REPO_DIR), ".")
    home = str(Path.home())
    if len(home) > 1:
        text = text.replace(home, "~")
    return _ABSOLUTE.sub(lambda m: ".../" + m.group(1), text)


_ABSOLUTE = re.compile(r"(?<![\w.~])/(?:[\w.-]+/)+([\w.-]+)")


def show_problems(problems: list[Problem], title: str = "This scenario has problems") -> None:
    """Problems as a readable list: where, what is wrong, what to do (no server paths)."""
    lines = []
    for problem in problems:
        where = problem.path or "the file"
        if problem.line is not None:
            where += f" (line {problem.line})"
        text = f"- **{where}**: {problem.message}"
        if problem.hint:
            text += f" — *{problem.hint}*"
        lines.append(scrub_paths(text))
    st.error(scrub_paths(f"**{title}** ({len(problems)}):\n\n") + "\n".join(lines))


def how_to_read(text: str) -> None:
    """A collapsed "how to read this" note next to a chart."""
    with st.expander("How to read this"):
        st.markdown(text)


def registry() -> SourceRegistry | None:
    """The registry of claims, facts and papers (``None`` if the seeds do not load)."""
    try:
        return load_registry()
    except Exception:
        return None


def widget_key(draft: Draft, path_key: str) -> str:
    """A widget key that changes when the draft is replaced or a decision flips.

    Inputs then start afresh from the scenario's current values instead of keeping stale ones.
    """
    decisions = f"{draft.decisions.hamas}-{draft.decisions.turkey}"
    return f"{st.session_state.get(GENERATION, 0)}:{decisions}:{path_key}"


REFUSED = "refused_inputs"
"""Widget key -> the message of a value that was refused (shown under the input)."""


def _current(draft: Draft, path: tuple[str | int, ...]) -> Any:
    """The value the draft uses now for ``path`` (its override, or the scenario's value)."""
    if path in draft.overrides:
        return draft.overrides[path]
    _, node = lookup(apply_decisions(draft.origin, draft.decisions, draft.folder), path)
    return node.get("value") if isinstance(node, dict) else node


def _store(
    draft: Draft,
    path: tuple[str | int, ...],
    key: str,
    integer: bool,
    bounds: Bounds | None = None,
    source: str = "",
) -> None:
    value: Any = st.session_state[key]
    refused = st.session_state.setdefault(REFUSED, {})
    problem = _out_of_bounds(value, bounds)
    if problem is not None:
        old = _current(draft, path)
        st.session_state[key] = old  # the input shows the value the model keeps
        where = f" Source: {source}." if source else ""
        refused[key] = f"{_fmt(value)} refused: {problem}{where} Kept {_fmt(old)}."
        return
    refused.pop(key, None)
    if integer and isinstance(value, float):
        value = round(value)
    base_found, base = lookup(apply_decisions(draft.origin, draft.decisions, draft.folder), path)
    base_value = base.get("value") if isinstance(base, dict) else base
    if base_found and base_value == value:
        draft.overrides.pop(path, None)
    else:
        draft.overrides[path] = value


def _fmt(value: Any) -> str:
    return f"{value:,g}" if isinstance(value, int | float) else str(value)


def _out_of_bounds(value: Any, bounds: Bounds | None) -> str | None:
    """Why ``value`` breaks the schema's limits, or ``None``."""
    if bounds is None or value is None:
        return None if value is not None else "a number is needed."
    number = float(value)
    if not math.isfinite(number):
        return "a finite number is needed."
    if (bounds.minimum is not None and number < bounds.minimum) or (
        bounds.maximum is not None and number > bounds.maximum
    ):
        return f"outside the schema's limits. {bounds_text(bounds)}"
    return None


def show_refusal(key: str) -> None:
    """The message of a refused value under its input, if any."""
    message = st.session_state.get(REFUSED, {}).get(key)
    if message:
        st.error(message, icon=":material/block:")


def _step(bounds: Bounds, value: float) -> float | int:
    if bounds.integer:
        return 1
    span = (bounds.maximum or 0.0) - (bounds.minimum or 0.0)
    if 0 < span <= 1.0:
        return 0.01
    magnitude = abs(value) if value else 1.0
    return float(10 ** max(-3, math.floor(math.log10(magnitude)) - 1))


def number_input(
    draft: Draft,
    data: dict[str, Any],
    path: tuple[str | int, ...],
    label: str,
    bounds: Bounds,
    help_text: str | None = None,
    source: str = "",
) -> None:
    """A number input that writes an override into ``draft``.

    The schema's limits are checked on the server, not by the browser: a value outside them
    is refused with a message that gives the limits and the source, and the input goes back
    to the value the model keeps (a browser-side limit would leave the typed value on screen
    while silently keeping the old one).
    """
    found, node = lookup(data, path)
    value = node.get("value") if isinstance(node, dict) else node
    if not found or value is None:
        return
    key = widget_key(draft, ".".join(map(str, path)))
    help_text = " ".join(filter(None, [help_text, bounds_text(bounds)])) or None
    args = (draft, path, key, bounds.integer, bounds, source)
    if bounds.integer:
        st.number_input(
            label, value=int(value), step=1, key=key, help=help_text, on_change=_store, args=args
        )
    else:
        st.number_input(
            label,
            value=float(value),
            step=float(_step(bounds, float(value))),
            format="%g",
            key=key,
            help=help_text,
            on_change=_store,
            args=args,
        )
    show_refusal(key)


def bounds_text(bounds: Bounds) -> str:
    """The schema's limits in words (``Allowed: 0 to 1.``)."""
    if bounds.minimum is None and bounds.maximum is None:
        return ""
    low = "no limit" if bounds.minimum is None else f"{bounds.minimum:g}"
    high = "no limit" if bounds.maximum is None else f"{bounds.maximum:g}"
    return f"Allowed: {low} to {high}."


def plain_input(draft: Draft, data: dict[str, Any], field: PlainField, label: str) -> None:
    """A checkbox, a choice or a number for a plain field."""
    found, value = lookup(data, field.path)
    if not found:
        return
    key = widget_key(draft, field.key)
    args = (
        draft,
        field.path,
        key,
        field.kind == "number" and bool(field.bounds and field.bounds.integer),
        field.bounds,
    )
    if field.kind == "bool":
        st.checkbox(
            label, value=bool(value), key=key, help=field.description, on_change=_store, args=args
        )
    elif field.kind == "choice":
        index = field.options.index(value) if value in field.options else 0
        st.selectbox(
            label,
            field.options,
            format_func=humanise,
            index=index,
            key=key,
            help=field.description,
            on_change=_store,
            args=args,
        )
    elif field.bounds is not None:
        number_input(draft, data, field.path, label, field.bounds, field.description)


def provenance_text(
    spec: ParamSpec, data: dict[str, Any], sources: SourceRegistry | None, limit: int = 180
) -> str:
    """Unit, provenance (current, after edits) and note of a parameter, as small Markdown.

    Source texts and notes are cut at ``limit`` characters.
    """
    _, node = lookup(data, spec.path)
    node = node if isinstance(node, dict) else {}
    parts = [f"`{spec.unit}`"] if spec.unit else []
    assumption = node.get("assumption")
    if assumption is not None:
        parts.append(f"assumption [{assumption[0]:g}, {assumption[1]:g}]")
    for source_id, text in source_lines(tuple(node.get("source") or ()), sources):
        parts.append(f"**{source_id}**: {_cut(text, limit)}")
    note = node.get("note")
    if note:
        parts.append(f"*{_cut(note, limit)}*")
    return " · ".join(parts)


def source_of(spec: ParamSpec, data: dict[str, Any]) -> str:
    """Where a parameter's value comes from, briefly: its source ids or its assumption range."""
    _, node = lookup(data, spec.path)
    node = node if isinstance(node, dict) else {}
    sources = ", ".join(node.get("source") or ())
    assumption = node.get("assumption")
    if assumption is not None:
        text = f"assumption [{assumption[0]:g}, {assumption[1]:g}]"
        return f"{sources}; {text}" if sources else text
    return sources


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def param_row(
    draft: Draft, data: dict[str, Any], spec: ParamSpec, label: str, sources: SourceRegistry | None
) -> None:
    """One parameter: its input on the left, unit and provenance beside it."""
    left, right = st.columns([2, 3], vertical_alignment="center")
    with left:
        number_input(
            draft, data, spec.path, label, spec.bounds, spec.description, source_of(spec, data)
        )
    with right:
        st.caption(provenance_text(spec, data, sources))


def humanise(path_part: str | int) -> str:
    """``share_when_force_deploys`` -> ``share when force deploys``."""
    return str(path_part).replace("_", " ")


PROGRESS_EVERY_S = 0.25
"""The progress bar moves at most this often (each move is a message the browser draws)."""


def run_with_progress(scenarios: dict[str, Scenario], reps: int, seed: int) -> None:
    """Run every scenario with a progress bar, removed when the runs are done.

    A plain bar, not a status box: the box's spinning icon kept the browser drawing while the
    workers ran, and on a two-core machine that cost the runs ~0.3 s and the chart that follows
    ~0.2 s (``bench/bench_app.py``). The results' caption says how long the runs took.
    """
    total = reps * len(scenarios)
    slot = st.empty()
    bar = slot.progress(0.0, text=f"Running {total} replications: starting the workers ...")
    shown = [0.0]  # when the bar last moved

    def show(share: float, text: str) -> None:
        now = time.monotonic()
        if share >= 1.0 or now - shown[0] >= PROGRESS_EVERY_S:
            shown[0] = now
            bar.progress(share, text=text)

    run_many(scenarios, reps, seed, show)
    slot.empty()
