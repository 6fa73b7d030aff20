"""The editable parameters of a scenario, read from the schema: bounds, units and provenance.

The Scenario page draws one input per entry. Sourced parameters carry their claim ids or their
assumption range; plain fields (switches and choices such as ``mandate.coercive_disarmament``)
carry their options. Bounds are the schema's hard limits; an assumption range is advice, not a
limit (see :func:`sim.scenario.editing.edited_sourced`).
"""

from __future__ import annotations

import enum
import typing
from dataclasses import dataclass
from typing import Any

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.scenario.catalog import field_at, iter_sourced
from sim.scenario.evidence import SourceRegistry
from sim.scenario.provenance import Sourced
from sim.scenario.schema import Scenario
from sim.scenario.yamlio import FieldPath, dotted

SECTION_TITLES = {
    "metadata": "Time horizon",
    "bargaining": "Bargaining: actors, vetoes, engine",
    "forces": "Force generation: contingents, US support, police, deployment",
    "hamas": "Hamas",
    "other_armed_groups": "Other armed groups",
    "idf": "The IDF",
    "mandate": "Mandate",
    "aid": "Aid",
    "reconstruction": "Reconstruction",
    "ground": "Ground model: geography, population, civil violence",
    "effects": "Mechanism effects",
    "coupling": "Coupling between events and politics",
}
"""Expander titles, in the order the page shows them."""

_PER_ITEM = {"actors", "vetoes", "contributors", "governorates", "crossings"}


@dataclass(frozen=True)
class Bounds:
    """Hard limits of a number from the schema."""

    minimum: float | None
    maximum: float | None
    integer: bool


@dataclass(frozen=True)
class ParamSpec:
    """A sourced numeric parameter, ready to draw as an input.

    Attributes:
        path: Field path inside the scenario.
        value: Current value.
        bounds: The schema's hard limits.
        unit: Unit from the schema, if any.
        description: What the parameter means.
        source_ids: Claim, fact or paper ids (empty for an assumption).
        assumption: ``(low, high)`` for an assumption.
        note: The scenario's note on the value.
    """

    path: FieldPath
    value: float
    bounds: Bounds
    unit: str | None
    description: str | None
    source_ids: tuple[str, ...]
    assumption: tuple[float, float] | None
    note: str | None

    @property
    def key(self) -> str:
        """The dotted path."""
        return dotted(self.path)

    @property
    def provenance(self) -> str:
        """``sources: a, b`` or ``assumption [low, high]``."""
        if self.assumption is not None:
            return f"assumption [{_num(self.assumption[0])}, {_num(self.assumption[1])}]"
        return "sources: " + ", ".join(self.source_ids)


@dataclass(frozen=True)
class PlainField:
    """A switch, a choice or a plain number (not a sourced parameter).

    Attributes:
        path: Field path inside the scenario.
        value: Current value (enum members as their text).
        kind: ``bool``, ``choice`` or ``number``.
        options: The allowed texts of a choice.
        bounds: Hard limits of a number.
        description: What the field means.
    """

    path: FieldPath
    value: Any
    kind: str
    options: tuple[str, ...] = ()
    bounds: Bounds | None = None
    description: str | None = None

    @property
    def key(self) -> str:
        """The dotted path."""
        return dotted(self.path)


def _num(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def group_of(path: FieldPath) -> str:
    """The group a parameter is shown in: one actor, veto, contingent ... or a subsection."""
    parent = path[:-1]
    if len(parent) >= 3 and parent[1] in _PER_ITEM:
        parent = parent[:3]
    elif len(parent) >= 2:
        parent = parent[:2]
    return dotted(parent) if parent else str(path[0])


def value_bounds(path: FieldPath) -> Bounds:
    """The hard limits of the sourced value at ``path`` (from the schema)."""
    annotation, _ = field_at(Scenario, path)
    if isinstance(annotation, type) and issubclass(annotation, Sourced):
        info = annotation.model_fields["value"]
        return _bounds(info)
    return Bounds(None, None, False)


def _bounds(info: FieldInfo) -> Bounds:
    low: float | None = None
    high: float | None = None
    for item in info.metadata:
        if isinstance(item, Ge | Gt):
            low = float(item.ge if isinstance(item, Ge) else item.gt)  # type: ignore[arg-type]
        if isinstance(item, Le | Lt):
            high = float(item.le if isinstance(item, Le) else item.lt)  # type: ignore[arg-type]
    return Bounds(low, high, info.annotation is int)


def sourced_params(scenario: Scenario) -> list[ParamSpec]:
    """Every numeric sourced parameter of ``scenario``, in schema order."""
    found = []
    for item in iter_sourced(scenario):
        value = item.sourced.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        assumption = item.sourced.assumption
        found.append(
            ParamSpec(
                path=item.path,
                value=value,
                bounds=value_bounds(item.path),
                unit=item.unit,
                description=_first_sentence(item.description),
                source_ids=tuple(item.sourced.source or ()),
                assumption=(assumption[0], assumption[1]) if assumption is not None else None,
                note=item.sourced.note,
            )
        )
    return found


def _first_sentence(text: str | None) -> str | None:
    if not text:
        return None
    return text.rsplit(" [", 1)[0] if text.endswith("]") else text


def plain_fields(model: BaseModel, prefix: FieldPath = ()) -> list[PlainField]:
    """Switches, choices and plain numbers inside ``model`` (texts and lists are left out)."""
    found: list[PlainField] = []
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        found.extend(_plain_walk(value, (*prefix, name), info))
    return found


def _plain_walk(value: Any, path: FieldPath, info: FieldInfo) -> list[PlainField]:
    if isinstance(value, Sourced):
        return []
    if isinstance(value, BaseModel):
        return plain_fields(value, path)
    if isinstance(value, dict):
        items = [_plain_walk(v, (*path, k), info) for k, v in value.items()]
        return [field for sub in items for field in sub]
    description = info.description
    if isinstance(value, bool):
        return [PlainField(path, value, "bool", description=description)]
    if isinstance(value, enum.Enum):
        options = tuple(str(member.value) for member in type(value))
        return [PlainField(path, str(value.value), "choice", options, description=description)]
    if (isinstance(value, int | float) and path[0] != "metadata") or path[-1:] == ("horizon_days",):
        return [
            PlainField(path, value, "number", bounds=_plain_bounds(info), description=description)
        ]
    return []


def _plain_bounds(info: FieldInfo) -> Bounds:
    bounds = _bounds(info)
    if bounds.minimum is None and bounds.maximum is None:
        for arg in typing.get_args(info.annotation):
            if isinstance(arg, FieldInfo):
                return _bounds(arg)
    return bounds


def source_lines(ids: tuple[str, ...], registry: SourceRegistry | None) -> list[tuple[str, str]]:
    """Each source id with what it says (``"?"`` for an id the registry does not know)."""
    lines = []
    for source_id in ids:
        record = registry.get(source_id) if registry is not None else None
        lines.append((source_id, record.text if record is not None else "?"))
    return lines
