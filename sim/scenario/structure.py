"""Switchable structural forms of the model, so an experiment can vary structure as well as values.

``structure:`` in a scenario selects, for each mechanism that has documented alternatives, the
form the model uses (docs/ODD.md, "Structural alternatives"). Defaults are the forms the ODD
describes first.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from sim.scenario.base import StrictModel as Strict


class HazardForm(StrEnum):
    """How the ceasefire's collapse hazard is built."""

    CONDITIONS = "conditions"
    """Base hazard cut by force cover, a guarantor and compliance; raised by strain."""
    CONSTANT = "constant"
    """Base hazard only (a null model: conditions on the ground change nothing)."""


class CouplingForm(StrEnum):
    """How the ground and the bargaining layer are coupled."""

    TWO_WAY = "two_way"
    """Ground events shock positions; each round's outcomes set the ground's levers."""
    ONE_WAY = "one_way"
    """Rounds play and set the levers, but ground events do not move positions (dated events do)."""
    EXOGENOUS = "exogenous"
    """No rounds during the run: the levers stay where the initial positions put them."""


class StructureSpec(Strict):
    """Which structural form each switchable mechanism takes."""

    collapse_hazard: HazardForm = Field(
        HazardForm.CONDITIONS, description="Form of the ceasefire's collapse hazard."
    )
    politics_coupling: CouplingForm = Field(
        CouplingForm.TWO_WAY, description="Form of the coupling between ground and bargaining."
    )
