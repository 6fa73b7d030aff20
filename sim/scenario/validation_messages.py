"""Turn pydantic validation errors into :class:`Problem` records a person can act on."""

from __future__ import annotations

import difflib
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.scenario.catalog import allowed_keys, field_at, unit_of
from sim.scenario.errors import Problem
from sim.scenario.provenance import Sourced
from sim.scenario.yamlio import FieldPath, dotted

type OriginLookup = Callable[[FieldPath], tuple[str | None, int | None]]

SOURCED_SHAPE = "{value: ..., source: [claim ids]} or {value: ..., assumption: [low, high]}"


def problems_from_validation(
    exc: ValidationError, model_cls: type[BaseModel], origin_of: OriginLookup
) -> list[Problem]:
    """One problem per pydantic error, with file, line, field path and a hint."""
    problems = []
    for error in exc.errors(include_url=False):
        path: FieldPath = tuple(error["loc"])
        file, line = origin_of(path)
        message, hint = _explain(error, path, model_cls)
        problems.append(Problem(file, line, dotted(path), message, hint))
    problems.sort(key=lambda p: (p.file or "", p.line or 0, p.path))
    return problems


def _explain(error: Any, path: FieldPath, model_cls: type[BaseModel]) -> tuple[str, str | None]:
    kind = error["type"]
    message = str(error["msg"]).removeprefix("Value error, ")
    if kind == "extra_forbidden":
        return _unknown_key(path, model_cls)
    if kind == "missing":
        return _missing(path, model_cls)
    annotation, info = field_at(model_cls, path[:-1] if path and path[-1] == "value" else path)
    unit = unit_of(info)
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        suffix = f" (unit: {unit})" if unit else ""
        return f"{message}; got {error.get('input')!r}{suffix}", "give a value inside the bounds"
    if kind in {"model_type", "dict_type"} and _is_sourced(annotation):
        return (
            f"expected a sourced value, got {error.get('input')!r}",
            f"write it as {SOURCED_SHAPE}",
        )
    if kind in {"enum", "literal_error"}:
        return message, "use one of the listed values"
    if kind.endswith("_parsing") or kind.endswith("_type"):
        return f"{message}; got {error.get('input')!r}", "fix the type of this value"
    return message, None


def _unknown_key(path: FieldPath, model_cls: type[BaseModel]) -> tuple[str, str]:
    key = str(path[-1])
    allowed = allowed_keys(model_cls, path[:-1])
    near = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if near:
        return f"unknown key '{key}'", f"did you mean '{near[0]}'?"
    listed = ", ".join(allowed[:20])
    return f"unknown key '{key}'", f"allowed keys here: {listed}" if listed else "remove it"


def _missing(path: FieldPath, model_cls: type[BaseModel]) -> tuple[str, str]:
    annotation, info = field_at(model_cls, path)
    key = str(path[-1]) if path else "?"
    if _is_sourced(annotation):
        unit = unit_of(info)
        unit_text = f" in {unit}" if unit else ""
        return f"missing '{key}'", f"add it{unit_text} as {SOURCED_SHAPE}"
    description = info.description if info is not None and info.description else ""
    return f"missing '{key}'", f"add it ({description})" if description else "add it"


def _is_sourced(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, Sourced)
