"""CLI commands about scenario files: validate, schema, show, sources."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from sim.scenario.catalog import iter_sourced, markdown_parameter_table
from sim.scenario.errors import ScenarioError
from sim.scenario.evidence import load_registry
from sim.scenario.loader import (
    SCENARIOS_DIR,
    discover_scenarios,
    dump_scenario,
    load_scenario,
    scenario_hash,
)
from sim.scenario.schema import Scenario

# Soft wrap: one problem per line, whatever the terminal width (for grep and for editors).
out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def report_problems(error: ScenarioError) -> None:
    """Print every problem of a ``ScenarioError`` on stderr, one per line."""
    for problem in error.problems:
        err.print(problem.format(), markup=False, highlight=False)


def _expand(paths: list[Path]) -> list[Path]:
    files: list[Path] = []
    for path in paths:
        found = discover_scenarios(path) if path.is_dir() else [path]
        if not found:
            err.print(
                f"{path}: no scenario files (*.yaml, *.yml) in this folder "
                "-> give a scenario file, or a folder that holds some",
                markup=False,
                highlight=False,
            )
            raise typer.Exit(2)
        files.extend(found)
    return files


Roots = Annotated[
    list[Path] | None,
    typer.Option(
        "--root",
        help="Also let 'extends' reach this folder (repeat), e.g. --root scenarios to extend "
        "the shipped scenarios from your own folder. Same as ISF_SCENARIO_ROOTS.",
    ),
]


def validate(
    paths: Annotated[list[Path] | None, typer.Argument(help="Files or folders.")] = None,
    roots: Roots = None,
) -> None:
    """Validate scenario files (default: every shipped scenario); exit 2 on any problem."""
    files = _expand(paths or [SCENARIOS_DIR])
    failed = 0
    for file in files:
        try:
            scenario = load_scenario(file, roots=roots)
        except ScenarioError as exc:
            failed += 1
            err.print(f"[red]invalid[/red] {file}")
            report_problems(exc)
            continue
        out.print(
            f"[green]ok[/green]      {file}  ({scenario.metadata.name}, "
            f"hash {scenario_hash(scenario)[:12]})",
            highlight=False,
        )
    if failed:
        err.print(f"{failed} of {len(files)} file(s) invalid")
        raise typer.Exit(2)


def schema(
    editor: Annotated[
        bool, typer.Option(help="Relaxed schema for editors: nothing required, 'extends' allowed.")
    ] = False,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to a file.")] = None,
) -> None:
    """Print the JSON Schema of scenario files."""
    text = json.dumps(scenario_json_schema(editor=editor), indent=2) + "\n"
    if output:
        output.write_text(text)
        err.print(f"wrote {output}")
    else:
        typer.echo(text, nl=False)


def scenario_json_schema(*, editor: bool = False) -> dict[str, Any]:
    """The JSON Schema of a resolved scenario, or the relaxed editor version."""
    document = Scenario.model_json_schema()
    if not editor:
        return document
    _drop_required(document)
    document["properties"]["extends"] = {
        "description": "Base scenario file(s) this file overrides, relative to this file.",
        "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}],
    }
    return document


def _drop_required(node: Any) -> None:
    if isinstance(node, dict):
        node.pop("required", None)
        for value in node.values():
            _drop_required(value)
    elif isinstance(node, list):
        for value in node:
            _drop_required(value)


def show(
    scenario: Annotated[Path, typer.Argument(help="Scenario file.")],
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of YAML.")] = False,
    roots: Roots = None,
) -> None:
    """Print the fully resolved scenario (after 'extends')."""
    resolved = load_scenario(scenario, roots=roots)
    if as_json:
        typer.echo(resolved.model_dump_json(indent=2, exclude_none=True))
    else:
        typer.echo(f"# {scenario} resolved; hash {scenario_hash(resolved)}")
        typer.echo(dump_scenario(resolved), nl=False)


def sources(
    scenario: Annotated[
        Path | None, typer.Argument(help="A scenario: list its parameters and assumptions.")
    ] = None,
    assumptions_only: Annotated[
        bool, typer.Option("--assumptions", help="Only the assumptions, with their ranges.")
    ] = False,
    markdown: Annotated[
        bool, typer.Option("--markdown", help="A Markdown table of the scenario's parameters.")
    ] = False,
) -> None:
    """List claims and the parameters they feed, or one scenario's parameters and assumptions."""
    if scenario is None:
        _claims_table()
    elif markdown:
        typer.echo(markdown_parameter_table(load_scenario(scenario)))
    else:
        _parameters_table(load_scenario(scenario), assumptions_only)


def _claims_table() -> None:
    registry = load_registry()
    used: dict[str, set[str]] = defaultdict(set)
    for file in discover_scenarios(SCENARIOS_DIR):
        try:
            loaded = load_scenario(file)
        except ScenarioError:
            continue
        for item in iter_sourced(loaded):
            for source_id in item.sourced.source or []:
                used[source_id].add(item.dotted_path)
        for claim in loaded.metadata.claims:
            used[claim].add(f"scenario {loaded.metadata.name}")
    table = Table(title="Sources and the parameters they feed", show_lines=False)
    for column in ("id", "kind", "what it says", "parameters"):
        table.add_column(column, overflow="fold")
    for source_id in registry.ids():
        record = registry.get(source_id)
        if record is None:
            continue
        params = sorted(used.get(source_id, ()))
        table.add_row(source_id, record.kind, record.text, "\n".join(params) or "-")
    out.print(table)


def _parameters_table(scenario: Scenario, assumptions_only: bool) -> None:
    table = Table(title=f"Parameters of {scenario.metadata.name}")
    for column in ("parameter", "value", "unit", "provenance"):
        table.add_column(column, overflow="fold")
    count = 0
    for item in iter_sourced(scenario):
        provenance = item.sourced
        if assumptions_only and not provenance.is_assumption:
            continue
        if provenance.assumption is not None:
            low, high = provenance.assumption
            origin = f"assumption [{low}, {high}]"
        else:
            origin = ", ".join(provenance.source or [])
        table.add_row(item.dotted_path, str(provenance.value), item.unit or "", origin)
        count += 1
    out.print(table)
    out.print(f"{count} parameter(s)")
