"""Scenario variants: set parameter values, compose fragments, pick factors by path glob.

A design point is the base scenario with some sourced values replaced. Values are set on the
plain data of the scenario and validated again, so a variant is as trustworthy as a file.
"""

from __future__ import annotations

import fnmatch
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.scenario.catalog import iter_sourced
from sim.scenario.loader import SCENARIOS_DIR, load_scenario, load_scenario_text
from sim.scenario.names import safe_name as safe_name  # one rule for names everywhere
from sim.scenario.provenance import with_new_value
from sim.scenario.schema import Scenario
from sim.scenario.yamlio import FieldPath, dotted

ScenarioInput = Scenario | str | Path

WIDENED_NOTE = "assumption range widened by an experiment design to include the value set"


@dataclass(frozen=True)
class Factor:
    """A numeric sourced parameter varied by a design.

    Attributes:
        path: Field path inside the scenario.
        low: Lowest value of the range explored.
        high: Highest value of the range explored.
        integer: Whether the parameter takes whole numbers (values are rounded).
        baseline: The scenario's own value.
        unit: Unit of the parameter, if declared.
    """

    path: FieldPath
    low: float
    high: float
    integer: bool = False
    baseline: float | None = None
    unit: str | None = None

    @property
    def name(self) -> str:
        """The dotted path, used as a column name."""
        return dotted(self.path)

    def from_unit(self, u: float) -> float:
        """Map ``u`` in [0, 1] onto the factor's range (rounded for integer factors)."""
        value = self.low + min(max(u, 0.0), 1.0) * (self.high - self.low)
        return float(round(value)) if self.integer else value

    def to_json(self) -> dict[str, Any]:
        """JSON-safe description."""
        return {
            "path": self.name,
            "low": self.low,
            "high": self.high,
            "integer": self.integer,
            "baseline": self.baseline,
            "unit": self.unit,
        }


def load_inputs(inputs: Sequence[ScenarioInput]) -> list[Scenario]:
    """Load scenario files (or pass through scenarios); names must be unique."""
    scenarios = [item if isinstance(item, Scenario) else load_scenario(item) for item in inputs]
    seen: dict[str, int] = {}
    for scenario in scenarios:
        seen[scenario.metadata.name] = seen.get(scenario.metadata.name, 0) + 1
    duplicates = sorted(name for name, count in seen.items() if count > 1)
    if duplicates:
        raise ValueError(
            f"scenario names must be unique in one experiment; repeated: {', '.join(duplicates)} "
            "(give each file its own metadata.name)"
        )
    return scenarios


def with_name(scenario: Scenario, name: str) -> Scenario:
    """A copy of ``scenario`` named ``name`` (results are keyed by the name)."""
    data = scenario.model_dump(mode="python")
    data["metadata"]["name"] = name[:80]
    return Scenario.model_validate(data)


def with_values(
    scenario: Scenario, values: Mapping[FieldPath, float], *, name: str | None = None
) -> Scenario:
    """A copy of ``scenario`` with the sourced values at ``values``' paths replaced.

    Integer-typed parameters get rounded values. A value outside its declared assumption range
    widens the range (and says so in the note) instead of failing validation, so multiplier
    designs can leave the range on purpose; sampled designs never do.

    Args:
        scenario: The base scenario.
        values: New values by field path.
        name: Optional new ``metadata.name``.

    Returns:
        The validated variant.

    Raises:
        KeyError: If a path does not lead to a sourced parameter.
    """
    data = scenario.model_dump(mode="python")
    for path, value in values.items():
        _set_sourced(data, path, value)
    if name is not None:
        data["metadata"]["name"] = name[:80]
    return Scenario.model_validate(data)


def _set_sourced(data: dict[str, Any], path: FieldPath, value: float) -> None:
    node: Any = data
    for part in path:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            raise KeyError(f"no parameter at {dotted(path)!r}") from None
    if not isinstance(node, dict) or "value" not in node:
        raise KeyError(f"{dotted(path)!r} is not a sourced parameter (a mapping with 'value')")
    current = node["value"]
    if isinstance(current, bool) or not isinstance(current, int | float):
        raise KeyError(f"{dotted(path)!r} is not numeric (value {current!r})")
    new: float | int = round(value) if isinstance(current, int) else float(value)
    updated, widened_from = with_new_value(node, new)
    if widened_from is not None:
        note = node.get("note")
        updated["note"] = f"{note}; {WIDENED_NOTE}" if note else WIDENED_NOTE
    node.clear()
    node.update(updated)


def assumption_factors(scenario: Scenario) -> list[Factor]:
    """Every numeric assumption of ``scenario`` with a non-empty range, as a factor."""
    factors = []
    for item in iter_sourced(scenario):
        value, assumption = item.sourced.value, item.sourced.assumption
        if assumption is None or isinstance(value, bool) or not isinstance(value, int | float):
            continue
        low, high = float(assumption[0]), float(assumption[1])
        if not math.isfinite(low) or not math.isfinite(high) or high <= low:
            continue
        factors.append(
            Factor(item.path, low, high, isinstance(value, int), float(value), item.unit)
        )
    return factors


def select_factors(scenario: Scenario, patterns: Iterable[str]) -> list[Factor]:
    """The assumption factors whose dotted path matches any glob in ``patterns``.

    Args:
        scenario: The base scenario.
        patterns: Globs on dotted paths, e.g. ``forces.contributors.*.commitment``.

    Returns:
        Matching factors in scenario order.

    Raises:
        ValueError: If a pattern matches no assumption (with the nearest candidates).
    """
    candidates = assumption_factors(scenario)
    chosen: dict[str, Factor] = {}
    for pattern in patterns:
        hits = [f for f in candidates if fnmatch.fnmatchcase(f.name, pattern)]
        if not hits:
            raise ValueError(_no_match_message(pattern, candidates))
        for factor in hits:
            chosen.setdefault(factor.name, factor)
    order = {f.name: i for i, f in enumerate(candidates)}
    return sorted(chosen.values(), key=lambda f: order[f.name])


def _no_match_message(pattern: str, candidates: list[Factor]) -> str:
    import difflib

    names = [f.name for f in candidates]
    near = difflib.get_close_matches(pattern.replace("*", ""), names, n=5, cutoff=0.3)
    hint = f"; nearest: {', '.join(near)}" if near else ""
    return (
        f"factor pattern {pattern!r} matches no assumption with a range "
        f"({len(names)} available; list them with `isf-lab sources`){hint}"
    )


def compose_fragments(
    base: Path, fragments: Sequence[Path], name: str, folder: Path | None = None
) -> Scenario:
    """The scenario ``base`` extended by ``fragments`` in order, named ``name``.

    Written as an in-memory scenario file (``extends: [base, *fragments]``) so the loader's own
    merge rules apply.
    """
    folder = (folder or SCENARIOS_DIR).resolve()
    chain = [_relative_to(folder, path) for path in [base, *fragments]]
    chain_yaml = ", ".join(f'"{item}"' for item in chain)
    text = f"extends: [{chain_yaml}]\nmetadata:\n  name: {name[:80]}\n"
    return load_scenario_text(text, name=f"<{name}>", base_dir=folder)


def _relative_to(folder: Path, path: Path) -> str:
    resolved = (path if path.is_absolute() else Path.cwd() / path).resolve()
    if not resolved.exists():
        candidate = (folder / path).resolve()
        if candidate.exists():
            resolved = candidate
        else:
            raise FileNotFoundError(f"scenario file or fragment not found: {path}")
    try:
        return resolved.relative_to(folder).as_posix()
    except ValueError:
        raise ValueError(
            f"{path} lies outside the scenarios folder {folder}; fragments must live there"
        ) from None
