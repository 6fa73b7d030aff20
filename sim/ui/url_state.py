"""The view in the URL (``st.query_params``): a reload keeps it, a link shares it.

The page is the URL's path (``/run``, ``/compare``); the query holds the draft as a compact
diff (:mod:`sim.scenario.draft_link`), the replications and seed, and the Compare page's
selection, baseline, view and days. The URL is read once when a session starts and written
at the end of every script run, only when it changed.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from sim.scenario.draft_link import draft_from_params, draft_params
from sim.ui import state

LOADED = "url_loaded"
LINK_PROBLEMS = "link_problems"
COMPARE_KEYS = {
    "cmp": "compare_selection",
    "base": "compare_baseline",
    "view": "compare_view",
    "days": "compare_days",
}
LIST_SEPARATOR = ","
MAX_REPS, MAX_SEED = 200, 2**31 - 1


def restore() -> None:
    """Apply the URL to a new session (once): the draft, replications, seed, Compare's state."""
    if st.session_state.get(LOADED):
        return
    st.session_state[LOADED] = True
    params = {key: st.query_params[key] for key in st.query_params}
    problems = _restore_draft(params)
    problems += _restore_numbers(params)
    for short, key in COMPARE_KEYS.items():
        if short not in params:
            continue
        if short == "cmp":
            st.session_state[key] = [p for p in params[short].split(LIST_SEPARATOR) if p]
        elif short == "days":
            problems += _restore_int(params, short, key, 7, 3650)
        else:
            st.session_state[key] = params[short]
    st.session_state[LINK_PROBLEMS] = problems


def _restore_draft(params: Mapping[str, str]) -> list[str]:
    link = draft_from_params(params, state.shipped)
    if link.draft is not None:
        st.session_state[state.DRAFT] = link.draft
        st.session_state[state.GENERATION] = st.session_state.get(state.GENERATION, 0) + 1
    return link.problems


def _restore_numbers(params: Mapping[str, str]) -> list[str]:
    problems = _restore_int(params, "reps", state.REPS, 1, MAX_REPS)
    return problems + _restore_int(params, "seed", state.SEED, 0, MAX_SEED)


def _restore_int(params: Mapping[str, str], short: str, key: str, low: int, high: int) -> list[str]:
    text = params.get(short)
    if text is None:
        return []
    if not text.strip().isdigit() or not low <= int(text) <= high:
        return [f"{short}={text}: a whole number from {low} to {high} is needed; ignored"]
    st.session_state[key] = int(text)
    return []


def current_params() -> dict[str, str]:
    """The query parameters that describe this session's view."""
    params: dict[str, str] = {}
    draft = st.session_state.get(state.DRAFT)
    if draft is not None:
        params.update(draft_params(draft))
    params["reps"] = str(st.session_state.get(state.REPS, state.default_reps()))
    params["seed"] = str(st.session_state.get(state.SEED, state.DEFAULT_SEED))
    for short, key in COMPARE_KEYS.items():
        value = st.session_state.get(key)
        if value is None or value == []:
            continue
        params[short] = LIST_SEPARATOR.join(value) if isinstance(value, list) else str(value)
    return params


def write() -> None:
    """Put the view in the URL (only when it changed, so history is not flooded)."""
    wanted = current_params()
    present = {key: st.query_params[key] for key in st.query_params}
    if present != wanted:
        st.query_params.from_dict(wanted)


def show_problems() -> None:
    """Say once what in the link could not be used."""
    problems = st.session_state.pop(LINK_PROBLEMS, [])
    if problems:
        st.warning("Parts of the link were not used:\n\n" + "\n".join(f"- {p}" for p in problems))
