"""Every sourced parameter of the sections the model owns is read by some model code."""

from __future__ import annotations

import re
import types
import typing
from pathlib import Path

from pydantic import BaseModel

from sim.scenario.coupling import CouplingSpec
from sim.scenario.effects import EffectsSpec
from sim.scenario.events import Decision, RegionalWar, Ultimatum
from sim.scenario.forces import (
    Aid,
    ArmedGroup,
    ForceGeneration,
    HamasPosture,
    IdfPosture,
    Mandate,
    Reconstruction,
)
from sim.scenario.provenance import Sourced

ROOT = Path(__file__).resolve().parents[2]
READERS = [*sorted((ROOT / "sim" / "model").glob("*.py"))]


def _sourced_fields(model: type[BaseModel], seen: set[type] | None = None) -> set[str]:
    """Names of the Sourced fields of ``model`` and of the sections nested in it."""
    seen = seen or set()
    names: set[str] = set()
    for name, info in model.model_fields.items():
        for kind in _leaf_types(info.annotation):
            if isinstance(kind, type) and issubclass(kind, Sourced):
                names.add(name)
            elif isinstance(kind, type) and issubclass(kind, BaseModel) and kind not in seen:
                seen.add(kind)
                names |= _sourced_fields(kind, seen)
    return names


def _leaf_types(annotation: object) -> list[object]:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType, dict, list, typing.Annotated):
        args = typing.get_args(annotation)
        if origin is typing.Annotated:
            args = args[:1]
        return [leaf for arg in args for leaf in _leaf_types(arg)]
    return [annotation]


def test_every_sourced_parameter_is_read() -> None:
    code = "\n".join(path.read_text() for path in READERS)
    sections: list[type[BaseModel]] = [
        EffectsSpec,
        ForceGeneration,
        HamasPosture,
        ArmedGroup,
        IdfPosture,
        Mandate,
        Aid,
        Reconstruction,
        CouplingSpec,
        RegionalWar,
        Ultimatum,
        Decision,
    ]
    names = set().union(*(_sourced_fields(section) for section in sections))
    assert {"density_contested", "duration_days", "line_fire_deaths_per_day"} <= names
    unread = sorted(n for n in names if not re.search(rf"\.{n}\b", code))
    assert not unread, f"sourced parameters no model code reads: {unread}"
