"""Shared building blocks of the scenario schema: the strict base model and common bounds.

Every section of a scenario (and of the evidence digests) derives from :class:`StrictModel`, so
unknown keys are errors and a loaded scenario cannot be changed by accident. Bounded types used
by several sections live here once.
"""

from __future__ import annotations

import math
import types
import typing
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

NUMBERS = (int, float)


def refuses_bool(annotation: Any) -> bool:
    """Whether a field of this type wants a number, so that ``true``/``yes`` must be refused.

    YAML reads ``yes``, ``no``, ``true`` and ``false`` as booleans and pydantic's lax mode would
    turn them into 1 or 0 (``pledged_troops: {value: true}`` became one troop). A type refuses
    booleans when it is a number (possibly bounded, optional or in a union of numbers) and no
    member of it accepts a boolean or anything.
    """
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        members = [m for m in typing.get_args(annotation) if m is not type(None)]
        return bool(members) and all(refuses_bool(m) for m in members)
    return annotation in NUMBERS


def element_type(annotation: Any, value: Any) -> Any:
    """The type of the items of a list, tuple or dict field (``None`` when not one)."""
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        for member in typing.get_args(annotation):
            found = element_type(member, value)
            if found is not None:
                return found
        return None
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin in (list, set, frozenset) and args and isinstance(value, list):
        return args[0]
    if origin is tuple and args and isinstance(value, list | tuple):
        return args[0]
    if origin is dict and len(args) == 2 and isinstance(value, dict):
        return args[1]
    return None


def check_no_bool_number(annotation: Any, value: Any) -> Any:
    """Raise ``ValueError`` when ``value`` (or an item of it) is a boolean where a number goes."""
    if isinstance(value, bool) and refuses_bool(annotation):
        raise ValueError(
            f"expected a number, got the boolean {str(value).lower()} "
            "(YAML reads yes/no/true/false/on/off as booleans)"
        )
    if isinstance(value, float) and not math.isfinite(value) and refuses_bool(annotation):
        raise ValueError(f"expected a finite number, got {value}")
    inner = element_type(annotation, value)
    if inner is not None:
        for item in value.values() if isinstance(value, dict) else value:
            check_no_bool_number(inner, item)
    return value


class StrictModel(BaseModel):
    """Base for schema sections: unknown keys are errors; values are frozen; numbers are numbers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        field = cls.model_fields.get(info.field_name or "")
        return check_no_bool_number(field.annotation, value) if field else value


Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
"""A share or probability in [0, 1]."""

Scale100 = Annotated[float, Field(ge=0.0, le=100.0)]
"""A position, salience or shift on the bargaining layer's 0-100 scale."""

Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
"""A lower-case identifier (actor, contributor, governorate, crossing, branch)."""
