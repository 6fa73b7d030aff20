"""The Scenario page's inputs: the main decisions as plain controls, everything else by section."""

from __future__ import annotations

from typing import Any

import streamlit as st

from sim.scenario.editing import HAMAS_STANCES, TURKEY_CHOICES, TURKEY_VETO, Decisions, Draft
from sim.scenario.evidence import SourceRegistry
from sim.scenario.loader import scenario_hash
from sim.scenario.params import (
    SECTION_TITLES,
    ParamSpec,
    PlainField,
    group_of,
    plain_fields,
    sourced_params,
)
from sim.scenario.schema import Scenario
from sim.ui.state import GENERATION
from sim.ui.widgets import (
    humanise,
    number_input,
    param_row,
    plain_input,
    provenance_text,
    source_of,
)

HAMAS_CAPTIONS = [
    "decommissioning in exchange for amnesty, as the plan offers",
    "a weapons freeze at most (the base case)",
    "refuses to give up any weapons",
]
TURKEY_CAPTIONS = [
    "US pressure prevails: Turkish troops may deploy if the bargaining leaves room",
    "Israel's veto holds: Turkish troops stay out",
]
MAIN_CONTROLS: dict[str, list[tuple[str, ...]]] = {
    "Mandate": [
        ("mandate", "resolution"),
        ("mandate", "rules_of_engagement"),
        ("mandate", "coercive_disarmament"),
    ],
    "The IDF's posture": [
        ("idf", "strike_policy"),
        ("idf", "strike_probability"),
        ("idf", "share_when_force_deploys"),
        ("idf", "fallback_zone"),
    ],
    "Police training": [
        ("forces", "police", "trainees_per_month"),
        ("forces", "police", "course_days"),
        ("forces", "police", "vetting_pass_rate"),
        ("forces", "police", "training_start_day"),
    ],
    "Aid and time": [
        ("aid", "trucks_per_day"),
        ("aid", "convoy_escort"),
        ("metadata", "horizon_days"),
    ],
}
CONTROL_LABELS: dict[tuple[str, ...], str] = {
    ("metadata", "horizon_days"): "Days to simulate",
    ("idf", "share_when_force_deploys"): "IDF-held share once the force deploys",
    ("idf", "fallback_zone"): "Secure a southern zone first",
    ("aid", "trucks_per_day"): "Aid trucks per day",
}
DECIDED_ELSEWHERE = {("hamas", "stance"), ("bargaining", "vetoes", TURKEY_VETO, "enforced")}


@st.cache_data(show_spinner=False, max_entries=16)
def catalogue(digest: str, _origin: Scenario) -> tuple[list[ParamSpec], list[PlainField]]:
    """The origin's editable parameters (cached by its hash)."""
    del digest
    return sourced_params(_origin), plain_fields(_origin)


def _main_paths(origin: Scenario) -> set[tuple[str | int, ...]]:
    paths: set[tuple[str | int, ...]] = {p for group in MAIN_CONTROLS.values() for p in group}
    paths |= {("forces", "contributors", c, "pledged_troops") for c in origin.forces.contributors}
    return paths | DECIDED_ELSEWHERE


def _set_decision(draft: Draft, which: str, key: str) -> None:
    value = st.session_state[key]
    draft.decisions = (
        Decisions(value, draft.decisions.turkey)
        if which == "hamas"
        else Decisions(draft.decisions.hamas, value)
    )


def decision_controls(draft: Draft) -> None:
    """The two headline decisions as radio buttons."""
    generation = st.session_state.get(GENERATION, 0)
    left, right = st.columns(2)
    with left:
        key = f"{generation}:decision:hamas"
        st.radio(
            "Hamas's answer on disarmament",
            HAMAS_STANCES,
            index=HAMAS_STANCES.index(draft.decisions.hamas),
            captions=HAMAS_CAPTIONS,
            key=key,
            on_change=_set_decision,
            args=(draft, "hamas", key),
        )
    with right:
        key = f"{generation}:decision:turkey"
        turkey = draft.decisions.turkey
        st.radio(
            "Turkey's contingent",
            TURKEY_CHOICES,
            index=TURKEY_CHOICES.index(turkey) if turkey else 0,
            captions=TURKEY_CAPTIONS,
            key=key,
            disabled=turkey is None,
            help=None if turkey else "This scenario has no Israeli veto on Turkish troops.",
            on_change=_set_decision,
            args=(draft, "turkey", key),
        )


def main_controls(draft: Draft, data: dict[str, Any], sources: SourceRegistry | None) -> None:
    """Contingents and their troops, the mandate, the IDF, police training, aid."""
    specs, plains = catalogue(scenario_hash(draft.origin), draft.origin)
    by_path: dict[tuple[str | int, ...], ParamSpec | PlainField] = {s.path: s for s in specs}
    by_path.update({p.path: p for p in plains})
    contributors = list(draft.origin.forces.contributors)
    st.markdown("**Contingents: troops pledged**")
    columns = st.columns(max(1, min(len(contributors), 5)))
    for index, contributor in enumerate(contributors):
        with columns[index % len(columns)]:
            path = ("forces", "contributors", contributor, "pledged_troops")
            _control(draft, data, by_path.get(path), humanise(contributor).title(), sources)
    for title, paths in MAIN_CONTROLS.items():
        st.markdown(f"**{title}**")
        columns = st.columns(len(paths))
        for column, control_path in zip(columns, paths, strict=True):
            with column:
                label = CONTROL_LABELS.get(control_path, humanise(control_path[-1]).capitalize())
                _control(draft, data, by_path.get(control_path), label, sources)


def _control(
    draft: Draft,
    data: dict[str, Any],
    item: ParamSpec | PlainField | None,
    label: str,
    sources: SourceRegistry | None,
) -> None:
    if item is None:
        return
    if isinstance(item, PlainField):
        plain_input(draft, data, item, label)
        return
    number_input(
        draft, data, item.path, label, item.bounds, item.description, source_of(item, data)
    )
    st.caption(provenance_text(item, data, sources, limit=90))


def all_parameters(draft: Draft, data: dict[str, Any], sources: SourceRegistry | None) -> None:
    """One expander per section of the schema, with every parameter not shown above."""
    specs, plains = catalogue(scenario_hash(draft.origin), draft.origin)
    skip = _main_paths(draft.origin)
    generation = st.session_state.get(GENERATION, 0)
    for section, title in SECTION_TITLES.items():
        mine_specs = [s for s in specs if s.path[0] == section and s.path not in skip]
        mine_plains = [p for p in plains if p.path[0] == section and p.path not in skip]
        if not mine_specs and not mine_plains:
            continue
        with st.expander(f"{title} ({len(mine_specs) + len(mine_plains)} values)"):
            items: list[ParamSpec | PlainField] = [*mine_plains, *mine_specs]
            groups = list(dict.fromkeys(group_of(x.path) for x in items))
            chosen = groups[0]
            if len(groups) > 1:
                chosen = st.selectbox(
                    "Show", groups, key=f"{generation}:group:{section}", format_func=_group_label
                )
            depth = len(chosen.split("."))
            for plain in (p for p in mine_plains if group_of(p.path) == chosen):
                plain_input(draft, data, plain, _label(plain.path, depth))
            for spec in (s for s in mine_specs if group_of(s.path) == chosen):
                param_row(draft, data, spec, _label(spec.path, depth), sources)


def _group_label(group: str) -> str:
    parts = group.split(".")
    return " · ".join(humanise(p) for p in parts[1:]) if len(parts) > 1 else humanise(parts[0])


def _label(path: tuple[str | int, ...], depth: int) -> str:
    rest = path[depth:] if len(path) > depth else path[-1:]
    return " · ".join(humanise(p) for p in rest)
