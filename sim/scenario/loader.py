"""Load scenario files: safe YAML, ``extends:`` resolution, validation with readable errors.

A scenario file may start with ``extends: base.yaml`` (or a list of files, merged in order) and
then give only what differs. Merge rules:

* mappings merge key by key, recursively;
* a mapping with a ``value`` key is a sourced parameter and is replaced whole, so that a new
  value always comes with its own provenance;
* lists and plain values replace what the parent had;
* ``null`` removes the key inherited from the parent (e.g. drop a contributor).

``extends`` paths are relative to the file that names them and must stay inside the allowed
roots; cycles are refused. The roots are the file's *scenario tree* (the nearest folder above it
that holds ``scenario.schema.json`` or an empty ``.isf-scenarios`` marker, so a copied
``scenarios/`` folder is self-contained), plus folders given explicitly (``roots=``, the CLI's
``--root``, or ``ISF_SCENARIO_ROOTS``, paths separated by ``os.pathsep``). Nothing outside them
is read, so nothing outside them can be echoed in a message.

Example:
    >>> from sim.scenario.loader import load_scenario, SCENARIOS_DIR
    >>> base = load_scenario(SCENARIOS_DIR / "base.yaml")  # doctest: +SKIP
    >>> base.metadata.name  # doctest: +SKIP
    'base'
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.schema import Scenario
from sim.scenario.validation_messages import problems_from_validation
from sim.scenario.yamlio import FieldPath, LoadedYaml, dotted, load_yaml, parse_yaml

REPO_DIR = Path(__file__).resolve().parents[2]
SCENARIOS_DIR = Path(os.environ.get("ISF_SCENARIOS_DIR", REPO_DIR / "scenarios")).resolve()
FRAGMENTS_DIRNAME = "parts"
MAX_EXTENDS_DEPTH = 16
TREE_MARKERS = ("scenario.schema.json", ".isf-scenarios")
ROOTS_ENV = "ISF_SCENARIO_ROOTS"


def tree_root(path: Path) -> Path | None:
    """The scenario tree a file belongs to: the nearest folder above it holding a marker."""
    for folder in path.resolve().parents:
        if any((folder / marker).is_file() for marker in TREE_MARKERS):
            return folder
    return None


def allowed_roots(path: Path, extra: list[Path] | None = None) -> list[Path]:
    """Folders `extends` may reach from `path`: its tree, `extra`, ISF_SCENARIO_ROOTS."""
    from_env = [Path(p) for p in os.environ.get(ROOTS_ENV, "").split(os.pathsep) if p]
    own = tree_root(path)
    found = ([own] if own else []) + list(extra or []) + from_env
    return list(dict.fromkeys(r.resolve() for r in found))


@dataclass
class ResolvedDocument:
    """A scenario document after ``extends`` merging, before validation.

    Attributes:
        data: The merged mapping.
        origins: For each field path, the file and line that last set it.
        chain: Files in merge order (ancestors first, the loaded file last).
    """

    data: dict[str, Any]
    origins: dict[FieldPath, tuple[str, int]] = field(default_factory=dict)
    chain: list[str] = field(default_factory=list)

    def origin_of(self, path: FieldPath) -> tuple[str | None, int | None]:
        """File and line that set ``path`` or its nearest ancestor."""
        for cut in range(len(path), -1, -1):
            hit = self.origins.get(tuple(path[:cut]))
            if hit is not None:
                return hit
        # a field missing from an empty document: point at the file's first line
        return (self.chain[-1], 1) if self.chain else (None, None)


def load_scenario(path: str | Path, *, roots: list[Path] | None = None) -> Scenario:
    """Load, resolve and validate a scenario file.

    Args:
        path: The YAML file.
        roots: Folders that ``extends`` may reach besides the file's own scenario tree.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: With one problem per fault (file, line, field path, what to do).
    """
    resolved = resolve_file(Path(path), roots=roots)
    return validate_document(resolved)


def load_scenario_text(text: str, name: str = "<upload>", base_dir: Path | None = None) -> Scenario:
    """Load a scenario given as text (e.g. an upload); ``extends`` resolves in ``base_dir``."""
    folder = (base_dir or SCENARIOS_DIR).resolve()
    loaded = parse_yaml(text, name)
    resolved = _resolve_loaded(loaded, folder, [folder], stack=[])
    return validate_document(resolved)


def resolve_file(path: Path, *, roots: list[Path] | None = None) -> ResolvedDocument:
    """Read a scenario file and merge the chain of files it extends (no validation)."""
    real = path.resolve()
    loaded = load_yaml(path)
    return _resolve_loaded(loaded, real.parent, allowed_roots(real, roots), stack=[real])


def validate_document(resolved: ResolvedDocument) -> Scenario:
    """Validate merged data against the schema and the registry of sources."""
    try:
        scenario = Scenario.model_validate(resolved.data)
    except ValidationError as exc:
        raise ScenarioError(problems_from_validation(exc, Scenario, resolved.origin_of)) from None
    problems = check_source_ids(scenario, resolved)
    if problems:
        raise ScenarioError(problems)
    return scenario


def _resolve_loaded(
    loaded: LoadedYaml, folder: Path, roots: list[Path], stack: list[Path]
) -> ResolvedDocument:
    data = loaded.data
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ScenarioError.single(
            loaded.file,
            "a scenario must be a mapping of sections",
            line=1,
            hint="start with 'metadata:' or 'extends: base.yaml'",
        )
    parents = _extends_list(data.pop("extends", None), loaded)
    result = ResolvedDocument(data={})
    for parent_name in parents:
        parent_path = _locate_parent(parent_name, folder, roots, loaded)
        if parent_path in stack:
            cycle = " -> ".join(p.name for p in [*stack, parent_path])
            raise ScenarioError.single(
                loaded.file,
                f"'extends' makes a cycle: {cycle}",
                line=loaded.lines.get(("extends",)),
                path="extends",
                hint="remove one of the extends links",
            )
        if len(stack) >= MAX_EXTENDS_DEPTH:
            raise ScenarioError.single(loaded.file, "'extends' chain too deep", path="extends")
        parent_loaded = load_yaml(parent_path)
        parent = _resolve_loaded(parent_loaded, parent_path.parent, roots, [*stack, parent_path])
        _merge_into(result, parent.data, parent.origins)
        result.chain.extend(c for c in parent.chain if c not in result.chain)
    origins = {p: (loaded.file, line) for p, line in loaded.lines.items() if p[:1] != ("extends",)}
    _merge_into(result, data, origins)
    result.chain.append(loaded.file)
    return result


def _extends_list(value: Any, loaded: LoadedYaml) -> list[str]:
    if value is None:
        return []
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        raise ScenarioError.single(
            loaded.file,
            "'extends' must be a file name or a list of file names",
            line=loaded.lines.get(("extends",)),
            path="extends",
            hint="e.g. extends: base.yaml",
        )
    return names


def _locate_parent(name: str, folder: Path, roots: list[Path], loaded: LoadedYaml) -> Path:
    line = loaded.lines.get(("extends",))
    candidate = (folder / name).resolve()
    if not roots:
        raise ScenarioError.single(
            loaded.file,
            f"'extends: {name}': this file is not inside a scenario tree",
            line=line,
            path="extends",
            hint="put an empty .isf-scenarios file in the folder holding your scenarios, or "
            f"allow the folder of the parent with {ROOTS_ENV}=DIR (any command; "
            "'isf-lab validate' and 'show' also take --root DIR)",
        )
    if not any(candidate.is_relative_to(root) for root in roots):
        raise ScenarioError.single(
            loaded.file,
            f"'extends: {name}' points outside the scenarios folder (the scenario tree and "
            "the roots allowed)",
            line=line,
            path="extends",
            hint="extend a file inside the same scenario tree (e.g. base.yaml), or allow its "
            "folder explicitly with --root DIR (or ISF_SCENARIO_ROOTS)",
        )
    if not candidate.is_file():
        known = sorted(p.name for p in folder.glob("*.yaml"))
        raise ScenarioError.single(
            loaded.file,
            f"'extends: {name}': no such file",
            line=line,
            path="extends",
            hint=f"files next to it: {', '.join(known[:20]) or 'none'}",
        )
    return candidate


def _merge_into(
    target: ResolvedDocument, data: dict[str, Any], origins: dict[FieldPath, tuple[str, int]]
) -> None:
    _merge_mapping(target.data, data, (), target.origins)
    for path, origin in origins.items():
        if _present(target.data, path):
            target.origins[path] = origin


def _merge_mapping(
    base: dict[str, Any],
    override: dict[str, Any],
    path: FieldPath,
    origins: dict[FieldPath, tuple[str, int]],
) -> None:
    for key, value in override.items():
        here = (*path, key)
        old = base.get(key)
        if value is None and key in base:
            del base[key]
        elif isinstance(value, dict) and isinstance(old, dict) and "value" not in value:
            _merge_mapping(old, value, here, origins)
        else:
            if isinstance(old, dict | list):
                for stale in [p for p in origins if p[: len(here)] == here and p != here]:
                    del origins[stale]
            base[key] = copy.deepcopy(value)


def _present(data: Any, path: FieldPath) -> bool:
    node = data
    for part in path:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
        else:
            return False
    return True


def check_source_ids(scenario: Scenario, resolved: ResolvedDocument | None = None) -> list[Problem]:
    """Every ``source`` id and every ``metadata.follows`` document must exist in ``seeds/``."""
    from sim.scenario.catalog import iter_sourced
    from sim.scenario.evidence import load_registry

    registry = load_registry()
    documents = {r.document for r in (registry.get(i) for i in registry.ids()) if r and r.document}
    problems: list[Problem] = []

    def report(path: FieldPath, message: str, hint: str) -> None:
        file, line = resolved.origin_of(path) if resolved else (None, None)
        problems.append(Problem(file, line, dotted(path), message, hint))

    for i, doc in enumerate(scenario.metadata.follows):
        if doc not in documents:
            report(
                ("metadata", "follows", i),
                f"unknown document '{doc}'",
                f"use one of {sorted(documents)}",
            )
    for i, claim in enumerate(scenario.metadata.claims):
        if claim not in registry:
            near = registry.closest(claim)
            hint = f"did you mean '{near[0]}'?" if near else "see 'isf-lab sources'"
            report(("metadata", "claims", i), f"unknown claim id '{claim}'", hint)
    for item in iter_sourced(scenario):
        for j, source_id in enumerate(item.sourced.source or []):
            if source_id not in registry:
                near = registry.closest(source_id)
                hint = f"did you mean '{near[0]}'?" if near else "see 'isf-lab sources'"
                report((*item.path, "source", j), f"unknown source id '{source_id}'", hint)
    return problems


def scenario_hash(scenario: BaseModel) -> str:
    """A stable content hash of a resolved scenario (hex SHA-256 of its canonical JSON)."""
    payload = json.dumps(scenario.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def dump_scenario(scenario: BaseModel) -> str:
    """The resolved scenario as YAML text (loads back to an equal scenario)."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    # libyaml's dumper writes the same text as the pure-Python one, about twice as fast
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    text: str = yaml.dump(data, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100)
    return text


def discover_scenarios(folder: Path = SCENARIOS_DIR) -> list[Path]:
    """Scenario files in ``folder`` (recursively), leaving out fragments under ``parts/``."""
    found = sorted(folder.rglob("*.yaml")) + sorted(folder.rglob("*.yml"))
    return [p for p in found if FRAGMENTS_DIRNAME not in p.relative_to(folder).parts[:-1]]
