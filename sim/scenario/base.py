"""Shared building blocks of the scenario schema: the strict base model and common bounds.

Every section of a scenario (and of the evidence digests) derives from :class:`StrictModel`, so
unknown keys are errors and a loaded scenario cannot be changed by accident. Bounded types used
by several sections live here once.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class StrictModel(BaseModel):
    """Base for schema sections: unknown keys are errors; values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True)


Fraction = Annotated[float, Field(ge=0.0, le=1.0)]
"""A share or probability in [0, 1]."""

Scale100 = Annotated[float, Field(ge=0.0, le=100.0)]
"""A position, salience or shift on the bargaining layer's 0-100 scale."""

Slug = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
"""A lower-case identifier (actor, contributor, governorate, crossing, branch)."""
