"""Values that carry their provenance.

Every model parameter in a scenario is written as a small mapping: the value, and either the
sources it derives from (claim ids from ``seeds/``, ``fact.*`` ids for figures from the domain
facts, ``paper.*`` ids for the literature) or the label ``assumption`` with a plausible range.

Example (YAML)::

    pledged_troops: {value: 5000, source: [axios_en.contributors_willing, fact.indonesia_pledge]}
    casualty_tolerance: {value: 25, assumption: [5, 100]}

In Python, field types are written ``Sourced[Troops]`` where ``Troops`` is an ``Annotated`` bounded
number, and the field's unit is given with :func:`unit_field`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from sim.scenario.base import check_no_bool_number

SOURCE_ID_PATTERN = r"^[a-z0-9_]+(\.[a-z0-9_]+)+$"


class Sourced[T](BaseModel):
    """A parameter value with its provenance: sources, or an assumption range.

    Attributes:
        value: The value used by the model.
        source: Ids of the claims, facts or papers the value derives from.
        assumption: ``[low, high]``, the plausible range of a value that no source fixes.
        note: Optional free text: how the value was derived.

    Example:
        >>> Sourced[float](value=0.5, assumption=(0.2, 0.8)).value
        0.5
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: T
    source: list[str] | None = Field(
        default=None,
        min_length=1,
        description="Ids of claims (doc.claim), facts (fact.x) or papers (paper.x).",
    )
    assumption: tuple[T, T] | None = Field(
        default=None, description="Plausible [low, high] range of an assumed value."
    )
    note: str | None = Field(default=None, max_length=2000)

    @field_validator("value", "assumption", mode="before")
    @classmethod
    def _no_bool_for_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        # a count, share or rate written as yes/true must not become 1
        return check_no_bool_number(cls.model_fields[info.field_name or ""].annotation, value)

    @model_validator(mode="after")
    def _one_provenance(self) -> Self:
        if (self.source is None) == (self.assumption is None):
            raise ValueError(
                "give exactly one provenance: 'source: [claim ids]' or 'assumption: [low, high]'"
            )
        if self.assumption is not None:
            low, high, value = self.assumption[0], self.assumption[1], self.value
            if isinstance(low, int | float) and isinstance(high, int | float):
                if float(low) > float(high):
                    raise ValueError(f"assumption range [{low}, {high}] has low > high")
                if isinstance(value, int | float) and not float(low) <= float(value) <= float(high):
                    raise ValueError(
                        f"value {value} lies outside its assumption range [{low}, {high}]"
                    )
        return self

    @property
    def is_assumption(self) -> bool:
        """Whether this value is an assumption rather than sourced."""
        return self.assumption is not None


def unit_field(description: str, unit: str, default: Any = ..., **kwargs: Any) -> Any:
    """A pydantic ``Field`` whose description ends with its unit, also kept as schema metadata.

    Args:
        description: What the parameter means.
        unit: Its unit, e.g. ``"troops"``, ``"trucks/day"``, ``"fraction"``, ``"days"``.
        default: Default value (often a ``Sourced`` carrying its own provenance).
        **kwargs: Passed on to :func:`pydantic.Field`.

    Returns:
        A configured ``FieldInfo``.
    """
    extra = dict(kwargs.pop("json_schema_extra", None) or {})
    extra["unit"] = unit
    return Field(default, description=f"{description} [{unit}]", json_schema_extra=extra, **kwargs)


def assumed[T](value: T, low: T, high: T, note: str | None = None) -> Sourced[T]:
    """Shorthand for a default that is an assumption with a range."""
    return Sourced[T](value=value, assumption=(low, high), note=note)


def sourced[T](value: T, *source: str, note: str | None = None) -> Sourced[T]:
    """Shorthand for a default derived from sources."""
    return Sourced[T](value=value, source=list(source), note=note)


def with_new_value(
    sourced: Mapping[str, Any], value: Any
) -> tuple[dict[str, Any], tuple[Any, Any] | None]:
    """A sourced parameter's data with a new value; an assumption range grows to include it.

    Shared by experiment designs and the app's editor, which both allow what-ifs beyond a
    declared range rather than failing validation.

    Args:
        sourced: The parameter as data (``value`` plus ``source`` or ``assumption``).
        value: The new value.

    Returns:
        The new mapping (the range keeps its list or tuple form), and the old range when it had
        to widen (else ``None``).

    Example:
        >>> with_new_value({"value": 5, "assumption": [1, 10]}, 20)
        ({'value': 20, 'assumption': [1, 20]}, (1, 10))
    """
    new = dict(sourced, value=value)
    assumption = sourced.get("assumption")
    if assumption is None or not _is_number(value):
        return new, None
    low, high = assumption
    if low <= value <= high:
        return new, None
    widened = (min(low, value), max(high, value))
    new["assumption"] = list(widened) if isinstance(assumption, list) else widened
    return new, (low, high)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
