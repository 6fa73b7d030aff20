"""Edit a scenario: the main decisions as the project's own fragments, other values as overrides.

A :class:`Draft` is the scenario a user is editing: where it started (a shipped file or an
upload), the two headline decisions (Hamas's answer on disarmament; whether Israel's veto keeps
Turkey out) and a set of overrides by field path. :meth:`Draft.build` turns it into a validated
:class:`~sim.scenario.schema.Scenario`, or raises :class:`~sim.scenario.errors.ScenarioError`
with one plain-words problem per fault.

A decision is applied with the same fragments the shipped 2x2 scenarios use
(``scenarios/parts/hamas_rejects.yaml`` ...), so flipping base.yaml to "rejects" and "vetoed"
gives the same scenario as ``hamas-rejects-turkey-vetoed.yaml``. "Partial" restores base.yaml's
values of whatever the stance fragments set.

Example:
    >>> from sim.scenario.loader import load_scenario, SCENARIOS_DIR
    >>> base = load_scenario(SCENARIOS_DIR / "base.yaml")  # doctest: +SKIP
    >>> draft = Draft.start(base, "base.yaml")  # doctest: +SKIP
    >>> draft.decisions = Decisions(hamas="rejects", turkey="vetoed")  # doctest: +SKIP
    >>> draft.build().hamas.stance  # doctest: +SKIP
    <HamasStance.REJECTS: 'rejects'>
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import SCENARIOS_DIR, load_scenario
from sim.scenario.names import safe_name
from sim.scenario.provenance import with_new_value
from sim.scenario.schema import Scenario
from sim.scenario.validation_messages import problems_from_validation
from sim.scenario.yamlio import FieldPath, dotted

HAMAS_STANCES = ("accepts", "partial", "rejects")
TURKEY_CHOICES = ("included", "vetoed")
TURKEY_VETO = "israel_turkey"
HAMAS_FRAGMENTS = {"accepts": "parts/hamas_accepts.yaml", "rejects": "parts/hamas_rejects.yaml"}
TURKEY_FRAGMENTS = {"included": "parts/turkey_included.yaml", "vetoed": "parts/turkey_vetoed.yaml"}
PARTIAL_REFERENCE = "base.yaml"
USER_EDIT = "user edit"
EDITED_SOURCE = "<edited in the app>"


@dataclass(frozen=True)
class Decisions:
    """The two headline decisions of the 2x2.

    Attributes:
        hamas: ``accepts``, ``partial`` or ``rejects``.
        turkey: ``included`` or ``vetoed``; ``None`` when the scenario has no Israeli veto on
            Turkish troops to decide.
    """

    hamas: str
    turkey: str | None


def decisions_of(scenario: Scenario) -> Decisions:
    """The decisions a scenario already embodies."""
    veto = scenario.bargaining.vetoes.get(TURKEY_VETO)
    turkey = None if veto is None else ("vetoed" if veto.enforced else "included")
    return Decisions(hamas=str(scenario.hamas.stance.value), turkey=turkey)


@dataclass
class Draft:
    """A scenario being edited.

    Attributes:
        origin: The scenario the edits start from.
        origin_label: Where it came from (a file name or an upload's name).
        decisions: The headline decisions.
        overrides: New values by field path (a sourced parameter's value, or a plain field).
        name: A new ``metadata.name`` (``None``: derived from the origin's).
        folder: The scenarios folder holding the fragments.
    """

    origin: Scenario
    origin_label: str
    decisions: Decisions
    overrides: dict[FieldPath, Any] = field(default_factory=dict)
    name: str | None = None
    folder: Path = SCENARIOS_DIR

    @classmethod
    def start(cls, origin: Scenario, label: str, folder: Path = SCENARIOS_DIR) -> Draft:
        """A draft with no edits yet."""
        return cls(origin, label, decisions_of(origin), folder=folder)

    @property
    def edited(self) -> bool:
        """Whether the model's inputs differ from the origin (metadata such as days aside)."""
        return bool(self.input_overrides) or self.decisions != decisions_of(self.origin)

    @property
    def input_overrides(self) -> dict[FieldPath, Any]:
        """The overrides of model inputs (not of ``metadata``, e.g. the days to simulate)."""
        return {path: v for path, v in self.overrides.items() if path[:1] != ("metadata",)}

    def default_name(self) -> str:
        """The origin's name if nothing changed; else ``my-`` and the decisions (or the origin).

        E.g. ``my-hamas-rejects-turkey-vetoed``, or ``my-base-edited`` for other edits only.
        """
        if not self.edited:
            return self.origin.metadata.name
        if self.decisions == decisions_of(self.origin):
            return safe_name(f"my-{self.origin.metadata.name}-edited")
        parts = ["my", f"hamas-{self.decisions.hamas}"]
        if self.decisions.turkey is not None:
            parts.append(f"turkey-{self.decisions.turkey}")
        if self.input_overrides:
            parts.append("edited")
        return safe_name("-".join(parts))

    def data(self) -> dict[str, Any]:
        """The edited scenario as plain data, not yet validated."""
        data = apply_decisions(self.origin, self.decisions, self.folder)
        for path, value in self.overrides.items():
            set_value(data, path, value)
        data["metadata"]["name"] = safe_name(self.name or self.default_name())
        if self.edited:
            data["metadata"]["title"] = self.edited_title()
        return data

    def edited_title(self) -> str:
        """What the edit is, e.g. ``Hamas rejects, Turkey vetoed (edited from base)``."""
        parts = [f"Hamas {self.decisions.hamas}"]
        if self.decisions.turkey is not None:
            parts.append(f"Turkey {self.decisions.turkey}")
        if self.input_overrides:
            parts.append(f"{len(self.input_overrides)} other value(s) changed")
        return f"{', '.join(parts)} (edited from {self.origin.metadata.name})"[:200]

    def build(self) -> Scenario:
        """The edited scenario, validated.

        Raises:
            ScenarioError: One problem per fault, in plain words.
        """
        return validate_data(self.data())


def validate_data(data: dict[str, Any]) -> Scenario:
    """Validate edited scenario data, turning pydantic errors into problems."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(
            problems_from_validation(exc, Scenario, lambda _path: (EDITED_SOURCE, None))
        ) from None


def apply_decisions(origin: Scenario, decisions: Decisions, folder: Path) -> dict[str, Any]:
    """The origin's data with the decisions that differ from it applied (as fragments)."""
    data = origin.model_dump(mode="json")
    current = decisions_of(origin)
    if decisions.hamas != current.hamas:
        merge_fragment(data, hamas_fragment(decisions.hamas, folder))
    if decisions.turkey is not None and decisions.turkey != current.turkey:
        merge_fragment(data, turkey_fragment(decisions.turkey, folder))
    return data


def read_fragment(path: Path) -> dict[str, Any]:
    """A fragment file's mapping (empty when the file is missing)."""
    if not path.is_file():
        return {}
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    return loaded if isinstance(loaded, dict) else {}


def hamas_fragment(stance: str, folder: Path) -> dict[str, Any]:
    """What changes when Hamas's answer becomes ``stance``.

    Every field that either stance fragment sets first returns to base.yaml's value (the
    ``partial`` case); then the chosen fragment applies. So accepts -> rejects gives exactly
    base + rejects, whatever the accepts fragment had set.

    Raises:
        ValueError: For an unknown stance.
    """
    if stance not in HAMAS_STANCES:
        raise ValueError(f"unknown stance {stance!r}; use one of {', '.join(HAMAS_STANCES)}")
    fragment = _reset_to_reference(HAMAS_FRAGMENTS, folder)
    if stance in HAMAS_FRAGMENTS:
        merge_fragment(fragment, read_fragment(folder / HAMAS_FRAGMENTS[stance]))
    merge_fragment(fragment, {"hamas": {"stance": stance}})
    return fragment


def turkey_fragment(choice: str, folder: Path) -> dict[str, Any]:
    """What changes when Turkey is ``included`` or ``vetoed`` (same rule as for Hamas).

    Raises:
        ValueError: For an unknown choice.
    """
    if choice not in TURKEY_CHOICES:
        raise ValueError(f"unknown choice {choice!r}; use one of {', '.join(TURKEY_CHOICES)}")
    fragment = _reset_to_reference(TURKEY_FRAGMENTS, folder)
    merge_fragment(fragment, read_fragment(folder / TURKEY_FRAGMENTS[choice]))
    enforced = {"bargaining": {"vetoes": {TURKEY_VETO: {"enforced": choice == "vetoed"}}}}
    merge_fragment(fragment, enforced)
    return fragment


def _reset_to_reference(fragments: dict[str, str], folder: Path) -> dict[str, Any]:
    """base.yaml's values of every field that any of ``fragments`` sets."""
    reference = folder / PARTIAL_REFERENCE
    reset: dict[str, Any] = {}
    if not reference.is_file():
        return reset
    base = _reference_data(str(reference), reference.stat().st_mtime_ns)
    for relative in fragments.values():
        for path in leaf_paths(read_fragment(folder / relative)):
            found, value = lookup(base, path)
            if found:
                _put(reset, path, copy.deepcopy(value))
    return reset


@functools.lru_cache(maxsize=4)
def _reference_data(path: str, stamp: int) -> dict[str, Any]:
    """base.yaml as plain data (cached; ``stamp`` refreshes it when the file changes)."""
    del stamp
    return load_scenario(Path(path)).model_dump(mode="json")


def merge_fragment(data: dict[str, Any], fragment: dict[str, Any]) -> None:
    """Merge ``fragment`` into ``data`` with the loader's rules for ``extends``.

    Mappings merge key by key; a mapping with a ``value`` key (a sourced parameter) replaces
    the old one whole; lists and plain values replace; ``null`` removes the key.
    """
    for key, value in fragment.items():
        old = data.get(key)
        if value is None:
            data.pop(key, None)
        elif isinstance(value, dict) and isinstance(old, dict) and "value" not in value:
            merge_fragment(old, value)
        else:
            data[key] = copy.deepcopy(value)


def leaf_paths(fragment: dict[str, Any], prefix: FieldPath = ()) -> list[FieldPath]:
    """Paths of a fragment's leaves (plain values, lists and whole sourced parameters)."""
    paths: list[FieldPath] = []
    for key, value in fragment.items():
        here = (*prefix, key)
        if isinstance(value, dict) and "value" not in value:
            paths.extend(leaf_paths(value, here))
        else:
            paths.append(here)
    return paths


def lookup(data: Any, path: FieldPath) -> tuple[bool, Any]:
    """``(True, value)`` at ``path`` inside nested data, or ``(False, None)``."""
    node = data
    for part in path:
        if _has(node, part):
            node = node[part]
        else:
            return False, None
    return True, node


def _has(node: Any, part: str | int) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _put(data: dict[str, Any], path: FieldPath, value: Any) -> None:
    node = data
    for part in path[:-1]:
        node = node.setdefault(str(part), {})
    node[str(path[-1])] = value


def set_value(data: dict[str, Any], path: FieldPath, value: Any) -> None:
    """Set a value in scenario data; a sourced parameter keeps its provenance.

    A new value of a sourced parameter is marked as a user edit in its note. A value outside
    its assumption range is allowed for what-ifs: the range widens to include it, and the note
    says so.

    Raises:
        ScenarioError: If ``path`` leads nowhere in the scenario.
    """
    found, node = lookup(data, path[:-1])
    key = path[-1]
    if not (found and _has(node, key)):
        hint = "the parameter may not exist in this scenario"
        raise ScenarioError.single(EDITED_SOURCE, "no such field", path=dotted(path), hint=hint)
    current = node[key]
    if isinstance(current, dict) and "value" in current:
        node[key] = edited_sourced(current, value)
    else:
        node[key] = value


def edited_sourced(sourced: dict[str, Any], value: Any) -> dict[str, Any]:
    """A sourced parameter (as data) with a user's new value, its range widened if needed."""
    old = sourced.get("value")
    if value == old:
        return sourced
    new, widened_from = with_new_value(sourced, value)
    remarks = [f"{USER_EDIT}: {old} -> {value}"]
    if widened_from is not None:
        low, high = widened_from
        remarks.append(f"assumption range widened from [{low}, {high}]")
    note = sourced.get("note")
    new["note"] = "; ".join([*([note] if note else []), *remarks])[:2000]
    return new


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class Change:
    """One difference between two scenarios."""

    path: str
    before: Any
    after: Any


def changes(before: Scenario, after: Scenario) -> list[Change]:
    """Values that differ between two scenarios (sourced parameters compared by value).

    Metadata is left out; so are notes and ranges, which follow from the values.
    """
    left = _flatten(before.model_dump(mode="json", exclude={"metadata"}))
    right = _flatten(after.model_dump(mode="json", exclude={"metadata"}))
    found = []
    for path in sorted(set(left) | set(right), key=_order_key(left, right)):
        if left.get(path, _MISSING) != right.get(path, _MISSING):
            found.append(Change(path, left.get(path), right.get(path)))
    return found


_MISSING = object()


def _flatten(data: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(data, dict) and "value" in data and ("source" in data or "assumption" in data):
        return {prefix: data["value"]}
    if isinstance(data, dict):
        flat: dict[str, Any] = {}
        for key, value in data.items():
            flat.update(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: data}


def _order_key(left: dict[str, Any], right: dict[str, Any]) -> Any:
    order = {path: i for i, path in enumerate([*left, *(p for p in right if p not in left)])}
    return lambda path: order[path]


def with_horizon(scenario: Scenario, days: int) -> Scenario:
    """A copy of ``scenario`` simulated for ``days`` days (the name stays)."""
    if scenario.metadata.horizon_days == days:
        return scenario
    data = scenario.model_dump(mode="json")
    data["metadata"]["horizon_days"] = days
    return validate_data(data)


def problem_lines(error: ScenarioError) -> list[Problem]:
    """The problems of an error, with the app's placeholder file name removed."""
    return [replace(p, file=None) if p.file == EDITED_SOURCE else p for p in error.problems]
