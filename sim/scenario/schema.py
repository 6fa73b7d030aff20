"""The scenario: everything one run of the lab needs, each value with its provenance.

A scenario file is YAML validated by :class:`Scenario`. Most files are short sets of overrides
on ``base.yaml`` via ``extends:`` (see :mod:`sim.scenario.loader`). The sections follow the
model's layers: metadata; the bargaining layer; force generation; the armed groups; the IDF;
the mandate; aid and reconstruction; the ground model's parameters; the mechanism effects.
"""

from __future__ import annotations

from typing import Annotated, Self

from pydantic import Field, model_validator

from sim.scenario.bargaining import BargainingSpec
from sim.scenario.base import Slug
from sim.scenario.base import StrictModel as Strict
from sim.scenario.coupling import CouplingSpec
from sim.scenario.effects import EffectsSpec
from sim.scenario.events import Event, RegionalWar
from sim.scenario.forces import (
    Aid,
    ArmedGroup,
    ForceGeneration,
    HamasPosture,
    IdfPosture,
    Mandate,
    Reconstruction,
)
from sim.scenario.ground import GroundSpec
from sim.scenario.structure import StructureSpec


class Metadata(Strict):
    """What the scenario is and which question it answers."""

    name: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=80)] = Field(
        description="Short id used in results and reports (lower case, digits, '-' or '_')."
    )
    title: str = Field(max_length=200, description="Human-readable title.")
    question: str = Field(max_length=1000, description="The question this scenario answers.")
    description: str = Field(max_length=5000, description="What the scenario sets up, in prose.")
    follows: list[Slug] = Field(
        default_factory=list, description="Ids of the source documents (seeds/) it follows."
    )
    claims: list[Annotated[str, Field(pattern=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")]] = Field(
        default_factory=list,
        description="Claim ids (seeds/) the scenario's choices rest on, e.g. its stance, "
        "mandate or contributor list; numbers cite their own sources.",
    )
    assumes: list[Annotated[str, Field(max_length=500)]] = Field(
        default_factory=list, description="The assumptions that matter most, in plain words."
    )
    horizon_days: Annotated[int, Field(ge=1, le=3650)] = Field(
        365, description="Simulated days [days]."
    )
    time_step_days: Annotated[int, Field(ge=1, le=1)] = Field(
        1, description="Length of one model step; the ground model steps daily [days]."
    )


class Scenario(Strict):
    """A complete, resolved scenario."""

    metadata: Metadata
    bargaining: BargainingSpec
    forces: ForceGeneration
    hamas: HamasPosture
    other_armed_groups: ArmedGroup
    idf: IdfPosture
    mandate: Mandate
    aid: Aid
    reconstruction: Reconstruction
    ground: GroundSpec = Field(default_factory=GroundSpec)
    effects: EffectsSpec = Field(default_factory=EffectsSpec)
    coupling: CouplingSpec = Field(default_factory=CouplingSpec)
    structure: StructureSpec = Field(default_factory=StructureSpec)
    events: list[Event] = Field(
        default_factory=list, description="Dated events (see sim/scenario/events.py)."
    )

    @model_validator(mode="after")
    def _crossings_exist(self) -> Self:
        unknown = [c for c in self.aid.crossings_open if c not in self.ground.crossings]
        if unknown:
            raise ValueError(
                f"aid.crossings_open names unknown crossing(s) {unknown}; "
                f"known: {sorted(self.ground.crossings)}"
            )
        return self

    @model_validator(mode="after")
    def _events_refer_to_known_ids(self) -> Self:
        ids = [event.id for event in self.events]
        repeated = sorted({i for i in ids if ids.count(i) > 1})
        if repeated:
            raise ValueError(f"events: ids must be unique; repeated: {repeated}")
        contributors = set(self.forces.contributors)
        actors = set(self.bargaining.actors)
        dimensions = set(self.bargaining.dimension_ids)
        horizon = self.metadata.horizon_days
        for n, event in enumerate(self.events):
            where = f"events[{n}] ({event.id})"
            if event.day.value >= horizon:
                raise ValueError(
                    f"{where}: day {event.day.value} is beyond the horizon ({horizon} days); "
                    "move it earlier or lengthen metadata.horizon_days"
                )
            if isinstance(event, RegionalWar):
                unknown = sorted(set(event.suspends) - contributors)
                if unknown:
                    raise ValueError(
                        f"{where}: suspends unknown contributor(s) {unknown}; "
                        f"known: {sorted(contributors)}"
                    )
            for shock in event.shocks:
                if shock.actor not in actors:
                    raise ValueError(
                        f"{where}: shock names unknown actor '{shock.actor}'; "
                        f"known: {sorted(actors)}"
                    )
                if shock.dimension not in dimensions:
                    raise ValueError(
                        f"{where}: shock names unknown dimension '{shock.dimension}'; "
                        f"known: {sorted(dimensions)}"
                    )
        return self
