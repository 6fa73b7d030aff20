"""Streamlit pieces shared by the pages: problems, "how to read this", parameter inputs."""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

from sim.scenario.editing import Draft, apply_decisions, lookup
from sim.scenario.errors import Problem
from sim.scenario.evidence import SourceRegistry, load_registry
from sim.scenario.params import Bounds, ParamSpec, PlainField, source_lines
from sim.ui.state import GENERATION


def show_problems(problems: list[Problem], title: str = "This scenario has problems") -> None:
    """Problems as a readable list: where, what is wrong, what to do."""
    lines = []
    for problem in problems:
        where = problem.path or "the file"
        if problem.line is not None:
            where += f" (line {problem.line})"
        text = f"- **{where}**: {problem.message}"
        if problem.hint:
            text += f" — *{problem.hint}*"
        lines.append(text)
    st.error(f"**{title}** ({len(problems)}):\n\n" + "\n".join(lines))


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


def _store(draft: Draft, path: tuple[str | int, ...], key: str, integer: bool) -> None:
    value: Any = st.session_state[key]
    if integer and isinstance(value, float):
        value = round(value)
    base_found, base = lookup(apply_decisions(draft.origin, draft.decisions, draft.folder), path)
    base_value = base.get("value") if isinstance(base, dict) else base
    if base_found and base_value == value:
        draft.overrides.pop(path, None)
    else:
        draft.overrides[path] = value


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
) -> None:
    """A bounded number input that writes an override into ``draft``."""
    found, node = lookup(data, path)
    value = node.get("value") if isinstance(node, dict) else node
    if not found or value is None:
        return
    key = widget_key(draft, ".".join(map(str, path)))
    help_text = " ".join(filter(None, [help_text, bounds_text(bounds)])) or None
    if bounds.integer:
        st.number_input(
            label,
            min_value=_int(bounds.minimum),
            max_value=_int(bounds.maximum),
            value=int(value),
            step=1,
            key=key,
            help=help_text,
            on_change=_store,
            args=(draft, path, key, True),
        )
    else:
        st.number_input(
            label,
            min_value=_float(bounds.minimum),
            max_value=_float(bounds.maximum),
            value=float(value),
            step=float(_step(bounds, float(value))),
            format="%g",
            key=key,
            help=help_text,
            on_change=_store,
            args=(draft, path, key, False),
        )


def bounds_text(bounds: Bounds) -> str:
    """The schema's limits in words (``Allowed: 0 to 1.``)."""
    if bounds.minimum is None and bounds.maximum is None:
        return ""
    low = "no limit" if bounds.minimum is None else f"{bounds.minimum:g}"
    high = "no limit" if bounds.maximum is None else f"{bounds.maximum:g}"
    return f"Allowed: {low} to {high}."


def _int(value: float | None) -> int | None:
    return None if value is None else int(value)


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


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


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def param_row(
    draft: Draft, data: dict[str, Any], spec: ParamSpec, label: str, sources: SourceRegistry | None
) -> None:
    """One parameter: its input on the left, unit and provenance beside it."""
    left, right = st.columns([2, 3], vertical_alignment="center")
    with left:
        number_input(draft, data, spec.path, label, spec.bounds, spec.description)
    with right:
        st.caption(provenance_text(spec, data, sources))


def humanise(path_part: str | int) -> str:
    """``share_when_force_deploys`` -> ``share when force deploys``."""
    return str(path_part).replace("_", " ")
