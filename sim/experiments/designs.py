"""Experiment designs: factorial crossings, Latin hypercubes, NOLH, Sobol and Morris samples.

A :class:`Design` is a list of scenario variants plus a table of design points (one row per
variant: its name, its index, the factor values and, for sampled designs, the unit-cube
coordinates in ``unit:<factor>`` columns). The runner stores both with the results.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiments import nolh
from sim.experiments.variants import (
    Factor,
    compose_fragments,
    with_name,
    with_values,
)
from sim.scenario.catalog import iter_sourced
from sim.scenario.loader import load_scenario
from sim.scenario.names import safe_name
from sim.scenario.schema import Scenario
from sim.scenario.yamlio import FieldPath

SAMPLED_KINDS = ("lhs", "nolh", "sobol", "morris")
UNIT_PREFIX = "unit:"


@dataclass
class Design:
    """Scenario variants and the design points they come from.

    Attributes:
        kind: ``"factorial"``, ``"lhs"``, ``"nolh"``, ``"sobol"`` or ``"morris"``.
        base: Name of the base scenario.
        variants: One scenario per design point, in point order.
        points: One row per point: ``scenario``, ``point``, factor or axis columns, and
            ``unit:<factor>`` coordinates for sampled designs.
        factors: The factors varied (sampled designs).
        settings: Everything else needed to redo the design (sizes, seed, SALib problem, axes).
        bases: The scenarios the points vary; a sampled design stores these as YAML and each
            variant only as its hash and point (a variant is its base plus the point's values).
    """

    kind: str
    base: str
    variants: list[Scenario]
    points: pd.DataFrame
    factors: list[Factor] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    bases: list[Scenario] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """JSON-safe description (the manifest's ``design`` entry)."""
        digest = hashlib.sha256(self.points.to_csv(index=False).encode()).hexdigest()
        return {
            "kind": self.kind,
            "base": self.base,
            "points": len(self.variants),
            "factors": [f.to_json() for f in self.factors],
            "settings": json.loads(json.dumps(self.settings, default=str)),
            "points_sha256": digest,
        }

    @property
    def factor_names(self) -> list[str]:
        """Factor column names."""
        return [f.name for f in self.factors]


def sampled_design(
    kind: str, base: Scenario, factors: Sequence[Factor], unit: np.ndarray, settings: dict[str, Any]
) -> Design:
    """A design from unit-cube coordinates (one row per point, one column per factor)."""
    if not factors:
        raise ValueError("choose at least one factor (see `isf-lab sources` for assumptions)")
    base_name = base.metadata.name
    rows, variants = [], []
    for index, coordinates in enumerate(unit):
        values = {f.path: f.from_unit(float(u)) for f, u in zip(factors, coordinates, strict=True)}
        name = f"{base_name[:68]}--p{index:04d}"
        variants.append(with_values(base, values, name=name))
        row: dict[str, Any] = {"scenario": name, "point": index}
        row.update({f.name: values[f.path] for f in factors})
        row.update(
            {UNIT_PREFIX + f.name: float(u) for f, u in zip(factors, coordinates, strict=True)}
        )
        rows.append(row)
    return Design(kind, base_name, variants, pd.DataFrame(rows), list(factors), settings, [base])


def lhs_design(base: Scenario, factors: Sequence[Factor], points: int, seed: int = 0) -> Design:
    """A Latin hypercube over the factors' ranges (``scipy.stats.qmc``, discrepancy-optimised)."""
    from scipy.stats import qmc

    if points < 2:
        raise ValueError("a Latin hypercube needs at least 2 points")
    sampler = qmc.LatinHypercube(d=len(factors), optimization="random-cd", rng=seed)
    unit = sampler.random(points)
    return sampled_design("lhs", base, factors, unit, {"points": points, "seed": seed})


def nolh_design(base: Scenario, factors: Sequence[Factor], runs: int | None = None) -> Design:
    """A nearly orthogonal Latin hypercube (17, 33, 65 or 129 runs; see :mod:`nolh`)."""
    unit = nolh.nolh_unit(len(factors), runs)
    settings = {
        "runs": unit.shape[0],
        "max_abs_correlation": nolh.max_abs_correlation(unit),
        "condition_number": nolh.condition_number(unit),
        "construction": "seeded simulated-annealing search to Cioppa-Lucas criteria",
    }
    return sampled_design("nolh", base, factors, unit, settings)


def salib_problem(factors: Sequence[Factor]) -> dict[str, Any]:
    """The SALib problem on the unit cube (the design stores the unit coordinates)."""
    return {
        "num_vars": len(factors),
        "names": [f.name for f in factors],
        "bounds": [[0.0, 1.0]] * len(factors),
    }


def sobol_design(
    base: Scenario,
    factors: Sequence[Factor],
    base_samples: int,
    seed: int = 0,
    second_order: bool = False,
) -> Design:
    """Saltelli's sampling for Sobol indices: ``base_samples * (d + 2)`` points (first order)."""
    from SALib.sample import sobol as sobol_sample

    if base_samples < 2 or base_samples & (base_samples - 1):
        raise ValueError(f"Sobol base samples must be a power of 2 (e.g. 64), got {base_samples}")
    problem = salib_problem(factors)
    unit = sobol_sample.sample(problem, base_samples, calc_second_order=second_order, seed=seed)
    settings = {
        "base_samples": base_samples,
        "second_order": second_order,
        "seed": seed,
        "problem": problem,
    }
    return sampled_design("sobol", base, factors, unit, settings)


def morris_design(
    base: Scenario, factors: Sequence[Factor], trajectories: int, levels: int = 4, seed: int = 0
) -> Design:
    """Morris elementary-effects trajectories: ``trajectories * (d + 1)`` points."""
    from SALib.sample import morris as morris_sample

    if trajectories < 2:
        raise ValueError("Morris needs at least 2 trajectories (10 or more is usual)")
    problem = salib_problem(factors)
    unit = morris_sample.sample(problem, trajectories, num_levels=levels, seed=seed)
    settings = {"trajectories": trajectories, "levels": levels, "seed": seed, "problem": problem}
    return sampled_design("morris", base, factors, unit, settings)


@dataclass(frozen=True)
class Axis:
    """One axis of a factorial design.

    Exactly one kind of level is given: ``fragments`` (label -> scenario fragment files merged
    on the base), ``scale`` (globs of numeric parameters multiplied by each level), or
    ``values`` (label -> {dotted path: value}).
    """

    name: str
    fragments: Mapping[str, Sequence[Path]] | None = None
    scale: Sequence[str] | None = None
    multipliers: Sequence[float] | None = None
    values: Mapping[str, Mapping[str, float]] | None = None

    def labels(self) -> list[str]:
        """The levels' labels."""
        if self.fragments is not None:
            return list(self.fragments)
        if self.values is not None:
            return list(self.values)
        return [f"{m:g}" for m in self.multipliers or ()]


def factorial_design(base_path: Path, axes: Sequence[Axis], folder: Path | None = None) -> Design:
    """Every combination of the axes' levels (a full factorial) on the base scenario file."""
    if not axes:
        raise ValueError("a factorial design needs at least one axis")
    for axis in axes:
        _check_axis(axis)
    base = load_scenario(base_path)
    base_name = base.metadata.name
    rows, variants = [], []
    for index, combination in enumerate(itertools.product(*(a.labels() for a in axes))):
        name = _combination_name(base_name, combination)
        chosen = dict(zip((a.name for a in axes), combination, strict=True))
        fragments = [p for a in axes if a.fragments for p in a.fragments[chosen[a.name]]]
        scenario = (
            compose_fragments(base_path, fragments, name, folder)
            if fragments
            else with_name(base, name)
        )
        scenario = _apply_numeric_axes(scenario, axes, chosen)
        variants.append(scenario)
        rows.append({"scenario": name, "point": index, **_axis_columns(axes, chosen)})
    settings = {"axes": [_axis_json(a) for a in axes], "base_file": str(base_path)}
    return Design("factorial", base_name, variants, pd.DataFrame(rows), [], settings)


def _check_axis(axis: Axis) -> None:
    kinds = [axis.fragments is not None, axis.scale is not None, axis.values is not None]
    if sum(kinds) != 1:
        raise ValueError(f"axis {axis.name!r}: give exactly one of fragments, scale or values")
    if axis.scale is not None and not axis.multipliers:
        raise ValueError(f"axis {axis.name!r}: a scale axis needs levels (multipliers)")
    if not axis.labels():
        raise ValueError(f"axis {axis.name!r} has no levels")


def _combination_name(base_name: str, combination: Sequence[str]) -> str:
    name = "--".join([base_name, *(safe_name(label) for label in combination)])
    if len(name) <= 80:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return f"{name[:70]}-{digest}"


def _axis_columns(axes: Sequence[Axis], chosen: Mapping[str, str]) -> dict[str, Any]:
    columns: dict[str, Any] = {}
    for axis in axes:
        label = chosen[axis.name]
        columns[axis.name] = float(label) if axis.scale is not None else label
    return columns


def _apply_numeric_axes(
    scenario: Scenario, axes: Sequence[Axis], chosen: Mapping[str, str]
) -> Scenario:
    values: dict[FieldPath, float] = {}
    for axis in axes:
        label = chosen[axis.name]
        if axis.scale is not None:
            for path, current in numeric_parameters(scenario, axis.scale).items():
                values[path] = values.get(path, current) * float(label)
        elif axis.values is not None:
            for dotted_path, value in axis.values[label].items():
                values[_parse_path(dotted_path)] = float(value)
    return with_values(scenario, values) if values else scenario


def numeric_parameters(scenario: Scenario, patterns: Sequence[str]) -> dict[FieldPath, float]:
    """Every numeric sourced value whose dotted path matches a glob (sourced or assumed)."""
    import fnmatch

    found: dict[FieldPath, float] = {}
    for pattern in patterns:
        hits = 0
        for item in iter_sourced(scenario):
            value = item.sourced.value
            if isinstance(value, bool) or not isinstance(value, int | float):
                continue
            if fnmatch.fnmatchcase(item.dotted_path, pattern):
                found[item.path] = float(value)
                hits += 1
        if hits == 0:
            raise ValueError(f"pattern {pattern!r} matches no numeric parameter")
    return found


def _parse_path(dotted_path: str) -> FieldPath:
    return tuple(int(part) if part.isdigit() else part for part in dotted_path.split("."))


def _axis_json(axis: Axis) -> dict[str, Any]:
    return {
        "name": axis.name,
        "fragments": {k: [str(p) for p in v] for k, v in axis.fragments.items()}
        if axis.fragments
        else None,
        "scale": list(axis.scale) if axis.scale else None,
        "multipliers": list(axis.multipliers) if axis.multipliers else None,
        "values": {k: dict(v) for k, v in axis.values.items()} if axis.values else None,
    }


def crossed_design(
    decisions: Sequence[Scenario],
    patterns: Sequence[str],
    *,
    kind: str = "nolh",
    points: int | None = None,
    seed: int = 0,
) -> Design:
    """Data farming's crossing: one sampled design of uncertain factors under each decision.

    Every decision scenario gets the same unit-cube points (so design point ``k`` means the
    same assumptions everywhere), mapped onto that scenario's own assumption ranges. The
    points table gains a ``decision`` column.

    Args:
        decisions: The decision scenarios (e.g. the 2x2).
        patterns: Globs of the uncertain factors.
        kind: ``"nolh"`` or ``"lhs"``.
        points: NOLH runs (default: the standard size) or LHS points (default ``2d + 1``).
        seed: LHS seed.

    Raises:
        ValueError: If the factors differ between the decision scenarios.
    """
    from sim.experiments.variants import select_factors

    factor_sets = [select_factors(decision, patterns) for decision in decisions]
    names = [f.name for f in factor_sets[0]]
    for decision, factors in zip(decisions, factor_sets, strict=True):
        if [f.name for f in factors] != names:
            raise ValueError(
                f"{decision.metadata.name} does not have the same uncertain "
                f"factors as {decisions[0].metadata.name}"
            )
    unit = _unit_points(kind, len(names), points, seed)
    parts = [
        sampled_design(kind, d, f, unit, {}) for d, f in zip(decisions, factor_sets, strict=True)
    ]
    table = pd.concat(
        [p.points.assign(decision=d.metadata.name) for p, d in zip(parts, decisions, strict=True)],
        ignore_index=True,
    )
    table["point"] = range(len(table))
    settings = {
        "crossed": True,
        "decisions": [d.metadata.name for d in decisions],
        "points_per_decision": len(unit),
        "seed": seed,
    }
    variants = [v for part in parts for v in part.variants]
    return Design(
        kind, decisions[0].metadata.name, variants, table, factor_sets[0], settings, list(decisions)
    )


def _unit_points(kind: str, factors: int, points: int | None, seed: int) -> np.ndarray:
    if kind == "nolh":
        return nolh.nolh_unit(factors, points)
    if kind == "lhs":
        from scipy.stats import qmc

        sampler = qmc.LatinHypercube(d=factors, optimization="random-cd", rng=seed)
        return sampler.random(points or 2 * factors + 1)
    raise ValueError(f"crossed designs are 'nolh' or 'lhs', not {kind!r}")
