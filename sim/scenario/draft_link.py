"""A draft as a compact, shareable diff (for links) and back.

A link carries where the draft started (a scenario file of the project), the two headline
decisions, and every other edit as ``path=value`` pairs, e.g.::

    scenario=hamas-accepts-turkey-included&hamas=rejects&turkey=vetoed
    &edits=forces.contributors.indonesia.pledged_troops=8000;idf.strike_probability=0.5

Values are written as JSON scalars (numbers, ``true``/``false``, quoted strings), so reading a
link back gives the same types. A link that names an unknown file, a bad decision or a path the
schema does not have is refused with a message; the rest of the link still applies.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sim.scenario.editing import HAMAS_STANCES, TURKEY_CHOICES, Decisions, Draft, lookup
from sim.scenario.schema import Scenario
from sim.scenario.yamlio import FieldPath

EDIT_SEPARATOR = ";"
PAIR_SEPARATOR = "="


def encode_edits(overrides: Mapping[FieldPath, Any]) -> str:
    """``path=value;path=value`` with JSON values, in path order.

    >>> encode_edits({("idf", "strike_probability"): 0.5, ("mandate", "un_mission"): False})
    'idf.strike_probability=0.5;mandate.un_mission=false'
    """
    pairs = []
    for path, value in sorted(overrides.items(), key=lambda item: [str(p) for p in item[0]]):
        key = ".".join(str(part) for part in path)
        pairs.append(f"{key}{PAIR_SEPARATOR}{json.dumps(value, separators=(',', ':'))}")
    return EDIT_SEPARATOR.join(pairs)


def decode_edits(text: str) -> tuple[dict[FieldPath, Any], list[str]]:
    """The overrides of an ``edits`` text, and a message per pair that cannot be read.

    >>> overrides, problems = decode_edits("idf.strike_probability=0.5;forces.x=abc")
    >>> overrides
    {('idf', 'strike_probability'): 0.5}
    >>> problems[0].startswith("forces.x=abc: the value is not a number")
    True
    """
    overrides: dict[FieldPath, Any] = {}
    problems = []
    for pair in filter(None, text.split(EDIT_SEPARATOR)):
        key, sep, raw = pair.partition(PAIR_SEPARATOR)
        if not sep or not key:
            problems.append(f"{pair}: expected path=value")
            continue
        try:
            value = json.loads(raw)
        except ValueError:
            problems.append(f"{pair}: the value is not a number, true/false or a quoted text")
            continue
        if isinstance(value, dict | list):
            problems.append(f"{pair}: only single values can be set")
            continue
        path: FieldPath = tuple(int(p) if p.isdigit() else p for p in key.split("."))
        overrides[path] = value
    return overrides, problems


@dataclass
class LinkState:
    """What a link says, after reading it (with the problems found)."""

    origin: str | None = None
    draft: Draft | None = None
    problems: list[str] = field(default_factory=list)


def draft_params(draft: Draft) -> dict[str, str]:
    """The query parameters of a draft (only what differs from its origin file)."""
    params = {"scenario": draft.origin_label.removesuffix(".yaml")}
    start = _origin_decisions(draft)
    if draft.decisions.hamas != start.hamas:
        params["hamas"] = draft.decisions.hamas
    if draft.decisions.turkey is not None and draft.decisions.turkey != start.turkey:
        params["turkey"] = draft.decisions.turkey
    if draft.overrides:
        params["edits"] = encode_edits(draft.overrides)
    if draft.name:
        params["name"] = draft.name
    return params


def _origin_decisions(draft: Draft) -> Decisions:
    return Draft.start(draft.origin, draft.origin_label).decisions


def draft_from_params(
    params: Mapping[str, str], load_origin: Callable[[str], Scenario | None]
) -> LinkState:
    """The draft a link describes; ``load_origin(label)`` gives a scenario file by its label."""
    state = LinkState()
    label = params.get("scenario")
    if not label:
        return state
    file_label = label if label.endswith(".yaml") else f"{label}.yaml"
    origin = load_origin(file_label)
    if origin is None:
        state.problems.append(f"scenario={label}: no such scenario file; kept the current one")
        return state
    draft = Draft.start(origin, file_label)
    hamas, turkey = params.get("hamas"), params.get("turkey")
    if hamas is not None:
        if hamas in HAMAS_STANCES:
            draft.decisions = replace(draft.decisions, hamas=hamas)
        else:
            state.problems.append(f"hamas={hamas}: choose one of {', '.join(HAMAS_STANCES)}")
    if turkey is not None:
        if draft.decisions.turkey is None:
            state.problems.append(f"turkey={turkey}: this scenario has no veto on Turkish troops")
        elif turkey in TURKEY_CHOICES:
            draft.decisions = replace(draft.decisions, turkey=turkey)
        else:
            state.problems.append(f"turkey={turkey}: choose one of {', '.join(TURKEY_CHOICES)}")
    overrides, problems = decode_edits(params.get("edits", ""))
    state.problems += problems
    data = draft.data()
    for path, value in overrides.items():
        found, _ = lookup(data, path)
        if not found:
            key = ".".join(map(str, path))
            state.problems.append(f"{key}: the scenario has no such field; ignored")
            continue
        draft.overrides[path] = value
    if params.get("name"):
        draft.name = params["name"]
    state.origin, state.draft = file_label, draft
    return state
