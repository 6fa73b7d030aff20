"""Hostile YAML shapes are refused by the guard, before the full parse, with a clear message.

Timings live in bench/hostile_yaml.py (the guide keeps timing goals out of asserts); here the
structural fact that makes them fast is checked: the parser hands out no more events than the limit
allows before the file is refused (the rest of the file is never scanned).
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sim.scenario import yamlio
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import SCENARIOS_DIR, discover_scenarios, load_scenario_text
from sim.scenario.yamlio import MAX_DEPTH, MAX_ITEMS, MAX_NODES, parse_yaml

HOSTILE: dict[str, tuple[str, str]] = {
    # name: (text, fragment of the message)
    "nested lists 40 KB (the issue's case)": ("x: " + "[" * 20000 + "]" * 20000, "nested deeper"),
    "nested lists 10 KB": ("x: " + "[" * 5000 + "]" * 5000, "nested deeper"),
    "unclosed lists 40 KB": ("[" * 40000, "nested deeper"),
    "nested flow mappings": ("x: " + "{a: " * 10000 + "}" * 10000, "nested deeper"),
    "nested block sequences on one line": ("- " * 20000 + "x\n", "nested deeper"),
    "nested complex keys": ("? " * 20000 + "x\n", "nested deeper"),
    "indented block mappings": ("".join(" " * i + "k:\n" for i in range(300)), "nested deeper"),
    "one flow list, many items": ("x: [" + ",".join(["1"] * 30000) + "]\n", "entries"),
    "one block list, many items": ("x:\n" + "  - 1\n" * 20000, "entries"),
    "one mapping, many keys": ("".join(f"k{i}: 1\n" for i in range(5000)), "entries"),
    "many small mappings": (
        "".join(f"s{j}:\n" + "".join(f"  k{i}: [1, 2]\n" for i in range(1000)) for j in range(5)),
        "values in one file",
    ),
    "alias": ("a: &a [1]\nb: *a\n", "anchors and aliases"),
}


@pytest.fixture
def events(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts the events the guarded loader hands to the composer."""
    seen = [0]
    original = yamlio._GuardedLoader.get_event

    def counting(self: yamlio._GuardedLoader) -> yaml.Event:
        seen[0] += 1
        return original(self)

    monkeypatch.setattr(yamlio._GuardedLoader, "get_event", counting)
    return seen


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_shape_is_refused_early(name: str, events: list[int]) -> None:
    text, fragment = HOSTILE[name]
    assert len(text.encode()) <= yamlio.MAX_FILE_BYTES, "the case must pass the size check"
    with pytest.raises(ScenarioError) as info:
        parse_yaml(text, "hostile.yaml")
    (problem,) = info.value.problems
    assert fragment in problem.message
    assert problem.line is not None and problem.hint
    assert problem.format().startswith("hostile.yaml:")
    # refused once a limit is crossed: never more events than the limits allow (+ stream framing)
    assert events[0] <= 2 * MAX_NODES + MAX_DEPTH + 3  # each collection also ends


def test_upload_path_has_the_same_guard(events: list[int]) -> None:
    with pytest.raises(ScenarioError, match="nested deeper"):
        load_scenario_text("x: " + "[" * 20000 + "]" * 20000, "upload.yaml")
    assert events[0] == 0  # the bracket scan refuses it before the parser starts


def test_the_limits_leave_room_for_every_shipped_yaml_file() -> None:
    files = [*discover_scenarios(SCENARIOS_DIR), *(SCENARIOS_DIR / "parts").glob("*.yaml")]
    files += sorted((SCENARIOS_DIR.parent / "seeds").glob("*.yaml"))
    for file in files:
        text = file.read_text()
        events = list(yaml.parse(text, Loader=yaml.SafeLoader))
        depth = deepest = 0
        for event in events:
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                deepest = max(deepest, depth)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        assert len(text.encode()) * 4 < yamlio.MAX_FILE_BYTES, file
        nodes = sum(isinstance(e, yaml.NodeEvent) for e in events)
        assert deepest * 3 < MAX_DEPTH and nodes * 3 < MAX_NODES, file
        parse_yaml(text, str(file))  # and the guard accepts it


def test_a_list_at_the_item_limit_is_accepted_and_one_more_refused() -> None:
    at_limit = "x: [" + ",".join(["1"] * MAX_ITEMS) + "]\n"
    assert len(parse_yaml(at_limit, "ok.yaml").data["x"]) == MAX_ITEMS
    with pytest.raises(ScenarioError, match="entries"):
        parse_yaml("x: [" + ",".join(["1"] * (MAX_ITEMS + 1)) + "]\n", "over.yaml")


def test_nesting_at_the_depth_limit_is_accepted() -> None:
    # the top-level mapping is one level, so MAX_DEPTH - 1 lists fit inside it
    ok = "x: " + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1)
    parse_yaml(ok, "ok.yaml")
    with pytest.raises(ScenarioError, match="nested deeper"):
        parse_yaml("x: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH, "over.yaml")


def test_cli_refuses_the_issue_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from sim.cli import main

    deep = tmp_path / "d.yaml"
    deep.write_text("x: " + "[" * 20000 + "]" * 20000 + "\n")
    with pytest.raises(SystemExit) as info:
        main(["validate", str(deep)])
    err = capsys.readouterr().err
    assert info.value.code == 2
    assert f"{deep}:1: nested deeper than {MAX_DEPTH} levels" in err and "->" in err
