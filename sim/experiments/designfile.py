"""Design files: a YAML description of an experiment design.

Example (a factorial of the headline 2x2 and force size)::

    kind: factorial
    base: base.yaml
    replications: 20
    axes:
      hamas:
        accepts: parts/hamas_accepts.yaml
        rejects: parts/hamas_rejects.yaml
      turkey:
        included: parts/turkey_included.yaml
        vetoed: parts/turkey_vetoed.yaml
      force_size:
        scale: ["forces.contributors.*.pledged_troops"]
        levels: [0.5, 1.0, 1.5]

A sampled design names a base file, the factor globs and its size::

    kind: nolh          # or lhs (points:), sobol (base_samples:), morris (trajectories:)
    base: hamas-rejects-turkey-included.yaml
    factors: ["forces.contributors.*.commitment", "hamas.*"]

Paths are relative to the design file, then to the scenarios folder.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from sim.experiments.designs import (
    Axis,
    Design,
    factorial_design,
    lhs_design,
    morris_design,
    nolh_design,
    sobol_design,
)
from sim.experiments.variants import select_factors
from sim.scenario.loader import SCENARIOS_DIR, load_scenario

KNOWN_KEYS = {
    "kind",
    "base",
    "replications",
    "seed",
    "axes",
    "factors",
    "points",
    "runs",
    "base_samples",
    "trajectories",
    "levels",
    "sample_seed",
    "second_order",
}


@dataclass
class DesignSpec:
    """A design read from a file, with the run settings it asks for."""

    design: Design
    replications: int | None
    seed: int | None


def load_design_file(path: str | Path) -> DesignSpec:
    """Read and build the design described by a YAML file.

    Raises:
        ValueError: With what is wrong and what to write instead.
    """
    path = Path(path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a design file is a mapping with 'kind' and 'base'")
    unknown = sorted(set(data) - KNOWN_KEYS)
    if unknown:
        raise ValueError(f"{path}: unknown keys {unknown}; allowed: {sorted(KNOWN_KEYS)}")
    for key in ("kind", "base"):
        if key not in data:
            raise ValueError(f"{path}: missing '{key}'")
    base_path = locate(str(data["base"]), path.parent)
    design = build_design(data, base_path, path.parent)
    replications = data.get("replications")
    seed = data.get("seed")
    return DesignSpec(
        design, int(replications) if replications else None, int(seed) if seed is not None else None
    )


def locate(name: str, folder: Path) -> Path:
    """A file named relative to ``folder``, else to the scenarios folder."""
    for candidate in (folder / name, SCENARIOS_DIR / name, Path(name)):
        if candidate.exists():
            return candidate.resolve()
    raise FileNotFoundError(f"{name}: not found next to the design file nor in {SCENARIOS_DIR}")


def build_design(data: dict[str, Any], base_path: Path, folder: Path) -> Design:
    """Build the design of kind ``data['kind']``."""
    kind = str(data["kind"])
    if kind == "factorial":
        axes = [parse_axis(name, spec, folder) for name, spec in (data.get("axes") or {}).items()]
        return factorial_design(base_path, axes)
    base = load_scenario(base_path)
    factors = select_factors(base, list(data.get("factors") or []))
    seed = int(data.get("sample_seed", 0))
    if kind == "lhs":
        return lhs_design(base, factors, int(data.get("points", 2 * len(factors) + 1)), seed)
    if kind == "nolh":
        return nolh_design(base, factors, data.get("runs"))
    if kind == "sobol":
        return sobol_design(
            base,
            factors,
            int(data.get("base_samples", 64)),
            seed,
            bool(data.get("second_order", False)),
        )
    if kind == "morris":
        return morris_design(
            base, factors, int(data.get("trajectories", 10)), int(data.get("levels", 4)), seed
        )
    raise ValueError(f"unknown design kind {kind!r}; use factorial, lhs, nolh, sobol or morris")


def parse_axis(name: str, spec: Any, folder: Path) -> Axis:
    """One factorial axis from its YAML mapping."""
    if not isinstance(spec, dict) or not spec:
        raise ValueError(f"axis {name!r}: give a mapping of levels, or scale: + levels:")
    if "scale" in spec:
        patterns = spec["scale"] if isinstance(spec["scale"], list) else [spec["scale"]]
        return Axis(
            name,
            scale=[str(p) for p in patterns],
            multipliers=[float(m) for m in spec.get("levels") or []],
        )
    if all(isinstance(v, dict) for v in spec.values()):
        return Axis(
            name, values={str(k): {str(p): float(x) for p, x in v.items()} for k, v in spec.items()}
        )
    fragments = {
        str(label): [
            locate(str(f), folder) for f in (files if isinstance(files, list) else [files])
        ]
        for label, files in spec.items()
    }
    return Axis(name, fragments=fragments)
