"""Walk a scenario's sourced parameters: paths, units, values and provenance.

Used by ``isf-lab sources``, the app's Sources page, and the sensitivity designs (which vary
every ``assumption`` within its range).
"""

from __future__ import annotations

import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from sim.scenario.provenance import Sourced
from sim.scenario.yamlio import FieldPath, dotted


@dataclass(frozen=True)
class SourcedItem:
    """One sourced parameter found in a scenario."""

    path: FieldPath
    sourced: Sourced[Any]
    unit: str | None
    description: str | None

    @property
    def dotted_path(self) -> str:
        """The path written with dots."""
        return dotted(self.path)


def iter_sourced(model: BaseModel, prefix: FieldPath = ()) -> Iterator[SourcedItem]:
    """Yield every ``Sourced`` value inside ``model``, depth first, in field order."""
    for name, info in type(model).model_fields.items():
        yield from _walk(getattr(model, name), (*prefix, name), info)


def _walk(value: Any, path: FieldPath, info: FieldInfo | None) -> Iterator[SourcedItem]:
    if isinstance(value, Sourced):
        yield SourcedItem(path, value, unit_of(info), _description(info))
    elif isinstance(value, BaseModel):
        yield from iter_sourced(value, path)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _walk(item, (*path, key), info)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _walk(item, (*path, index), info)


def unit_of(info: FieldInfo | None) -> str | None:
    """The unit recorded by ``unit_field`` on a field, if any."""
    extra = info.json_schema_extra if info is not None else None
    if isinstance(extra, dict):
        unit = extra.get("unit")
        return str(unit) if unit is not None else None
    return None


def _description(info: FieldInfo | None) -> str | None:
    return info.description if info is not None else None


def field_at(
    model_cls: type[BaseModel], path: FieldPath
) -> tuple[type[Any] | None, FieldInfo | None]:
    """The annotation and field info that the schema expects at ``path``.

    Dict keys and list indices are stepped through; returns ``(None, None)`` where the path
    leaves the schema.
    """
    current: Any = model_cls
    info: FieldInfo | None = None
    for part in path:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(part))
            if info is None:
                return None, None
            current = info.annotation
            continue
        origin = typing.get_origin(current)
        args = typing.get_args(current)
        if origin is dict and len(args) == 2:
            current = args[1]
        elif origin in (list, tuple) and args:
            current = args[0]
        else:
            return None, None
    return _unwrap(current), info


def _unwrap(annotation: Any) -> Any:
    """Strip ``Annotated`` and ``X | None`` wrappers."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) != 1:
                return annotation
            annotation = args[0]
        else:
            return annotation


def allowed_keys(model_cls: type[BaseModel], path: FieldPath) -> list[str]:
    """Field names the schema accepts in the mapping at ``path`` (empty if not a model)."""
    annotation, _ = field_at(model_cls, path)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return list(annotation.model_fields)
    return []


def markdown_parameter_table(model: BaseModel, sections: tuple[str, ...] = ()) -> str:
    """A Markdown table of every sourced parameter (path, meaning, value, unit, provenance).

    Args:
        model: A scenario (or any section of one).
        sections: Top-level fields to include (all when empty).
    """
    lines = [
        "| parameter | meaning | value | unit | source or assumption |",
        "|---|---|---|---|---|",
    ]
    for item in iter_sourced(model):
        if sections and item.path[0] not in sections:
            continue
        provenance = item.sourced
        if provenance.assumption is not None:
            low, high = provenance.assumption
            origin = f"assumption [{low:g}, {high:g}]" if _is_number(low) else "assumption"
        else:
            origin = ", ".join(f"`{s}`" for s in provenance.source or [])
        meaning = (item.description or "").rsplit(" [", 1)[0]
        value = provenance.value
        shown = f"{value:g}" if _is_number(value) else str(value)
        lines.append(
            f"| `{item.dotted_path}` | {meaning} | {shown} | {item.unit or ''} | {origin} |"
        )
    return "\n".join(lines)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
