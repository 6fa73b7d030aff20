"""Turn pydantic validation errors into :class:`Problem` records a person can act on."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.scenario.catalog import allowed_keys, field_at, unit_of
from sim.scenario.errors import Problem
from sim.scenario.provenance import Sourced
from sim.scenario.yamlio import FieldPath, dotted

type OriginLookup = Callable[[FieldPath], tuple[str | None, int | None]]

SOURCED_SHAPE = "{value: ..., source: [claim ids]} or {value: ..., assumption: [low, high]}"
HINT_SEPARATOR = " -> "

# What to do about the messages of the schema's own validators, matched on their wording. A
# validator may also give its advice itself, after " -> " in its message.
VALUE_ERROR_HINTS: tuple[tuple[str, str], ...] = (
    (r"expected a number, got the boolean", "write the number itself, e.g. 0, 1 or 0.5"),
    (r"expected a finite number", "write an ordinary number (not .nan or .inf)"),
    (r"give exactly one provenance", f"write it as {SOURCED_SHAPE}"),
    (r"outside its assumption range", "move the value inside the range, or widen the range"),
    (r"outside \[", "move the value inside the range, or widen the range"),
    (r"low .* (is above|>) high|has low > high", "swap the two bounds"),
    (r"after latest", "swap the two dates"),
    (r"sum to .*(at most|above)|sum to [0-9.]+, above", "lower the entries so the total fits"),
    (r"must not exceed", "lower one of the values so the total fits"),
    (r"unique|repeated", "rename or remove the repeated entry"),
    (r"missing dimensions", "add an entry for each listed dimension"),
    (r"unknown .*; (known|use)", "use one of the names listed"),
    (r"unknown ", "use a name defined elsewhere in the scenario (see 'isf-lab show')"),
    (r"set it to false", "set it to false"),
    (r"must appear in", "add it to the list named, or choose one that is in it"),
    (r"must name the same", "make the two entries agree"),
    (r"at least .* wide", "widen the lattice or shorten the vision"),
    (r"without gaps", "number them 0, 1, 2, ... without gaps"),
    (r"cannot run", "change one of the values named"),
    (r"needs '", "add the key named"),
    (r"give both|give 'value'", "add the missing key named"),
)


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
        return (
            f"{message}; got {_short(error.get('input'))}{suffix}",
            "give a value inside the bounds",
        )
    if kind in {"model_type", "dict_type"} and _is_sourced(annotation):
        return (
            f"expected a sourced value, got {_short(error.get('input'))}",
            f"write it as {SOURCED_SHAPE}",
        )
    if kind in {"enum", "literal_error"}:
        return message, "use one of the listed values"
    if kind.endswith("_parsing") or kind.endswith("_type"):
        at_value = bool(path) and path[-1] == "value"
        hint = _type_hint(message, annotation, unit, at_value)
        return f"{message}; got {_short(error.get('input'))}", hint
    if kind == "string_pattern_mismatch":
        return message, "use lower-case letters, digits and '_', starting with a letter"
    if kind in {"string_too_long", "too_long", "too_short", "string_too_short"}:
        return message, "shorten or lengthen it as the message says"
    return _with_hint(message, info.description if info is not None else None)


def _with_hint(message: str, description: str | None) -> tuple[str, str]:
    """Split a validator's own ``what -> do`` message, or find the advice for its wording."""
    if HINT_SEPARATOR in message:
        what, _, hint = message.partition(HINT_SEPARATOR)
        return what, hint
    for pattern, hint in VALUE_ERROR_HINTS:
        if re.search(pattern, message):
            return message, hint
    if description:
        return message, f"fix this value; the field is: {description}"
    return message, "fix this value ('isf-lab schema' lists what each field takes)"


TYPE_HINTS = (
    ("valid integer", "write a whole number"),
    ("valid number", "write a number"),
    ("valid boolean", "write true or false"),
    ("valid string", "write text (quote it if it looks like a number, a date or yes/no)"),
    ("valid date", "write a date as YYYY-MM-DD"),
    ("valid list", "write a list, e.g. [a, b]"),
    ("valid tuple", "write a list of two numbers, e.g. [0.1, 0.5]"),
    ("valid dictionary", "write a mapping of key: value lines"),
)


def _type_hint(message: str, annotation: Any, unit: str | None, at_value: bool) -> str:
    if _is_sourced(annotation) and not at_value:
        return f"write it as {SOURCED_SHAPE}"
    in_unit = f" in {unit}" if unit else ""
    for fragment, hint in TYPE_HINTS:
        if fragment in message:
            return hint + (in_unit if "number" in hint else "")
    return f"fix the type of this value{in_unit}"


def _short(value: Any, limit: int = 60) -> str:
    """An input echoed back, cut short so a hostile value cannot flood the terminal."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _unknown_key(path: FieldPath, model_cls: type[BaseModel]) -> tuple[str, str]:
    key = str(path[-1])
    allowed = allowed_keys(model_cls, path[:-1])
    near = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
    if near:
        return f"unknown key '{key}'", f"did you mean '{near[0]}'?"
    listed = ", ".join(allowed[:20])
    return f"unknown key '{key}'", f"allowed keys here: {listed}" if listed else "remove it"


def _missing(path: FieldPath, model_cls: type[BaseModel]) -> tuple[str, str]:
    if path and path[-1] == "value":
        unit = unit_of(field_at(model_cls, path[:-1])[1])
        return (
            "missing 'value'",
            f"add 'value: ...'{f' in {unit}' if unit else ''} to this parameter",
        )
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
