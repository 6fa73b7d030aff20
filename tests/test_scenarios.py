"""The scenario format: shipped files validate; broken files fail with useful messages."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import (
    SCENARIOS_DIR,
    discover_scenarios,
    dump_scenario,
    load_scenario,
    load_scenario_text,
    resolve_file,
    scenario_hash,
    validate_document,
)

CORPUS = Path(__file__).parent / "scenario_corpus"
EXPECTED: dict[str, dict[str, Any]] = yaml.safe_load((CORPUS / "expected.yaml").read_text())
SHIPPED = discover_scenarios(SCENARIOS_DIR)


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
        raise SystemExit(0)
    captured = capsys.readouterr()
    return int(exit_info.value.code or 0), captured.out, captured.err


def test_there_are_shipped_scenarios() -> None:
    names = {p.stem for p in SHIPPED}
    assert "base" in names
    assert len(SHIPPED) >= 7


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_shipped_scenario_validates(path: Path) -> None:
    scenario = load_scenario(path)
    assert scenario.metadata.name
    assert scenario.metadata.follows, "every shipped scenario says which documents it follows"


def test_validate_command_accepts_the_shipped_folder(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["validate", str(SCENARIOS_DIR)], capsys)
    assert code == 0, err
    assert out.count("ok") >= len(SHIPPED)


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=str)
def test_broken_file_gets_its_message(name: str, capsys: pytest.CaptureFixture[str]) -> None:
    expected = EXPECTED[name]
    code, _, err = run_cli(["validate", str(CORPUS / name), "--root", str(SCENARIOS_DIR)], capsys)
    assert code == 2
    assert "Traceback" not in err
    at = (CORPUS / expected.get("file", name)).resolve()
    problems = [line for line in err.splitlines() if line.startswith((str(at), str(CORPUS / name)))]
    problems = [line for line in problems if not line.startswith("invalid")]
    assert problems, err
    first = problems[0]
    shown = str(at) if "file" in expected else str(CORPUS / name)
    location = f"{shown}:{expected['line']}:" if expected["line"] else shown
    assert first.startswith(location), first
    if expected["path"]:
        assert f" {expected['path']}:" in first, first
    assert expected["text"] in err, err


def test_binary_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    binary = tmp_path / "scenario.yaml"
    binary.write_bytes(b"metadata:\x00\x01\x02 name")
    code, _, err = run_cli(["validate", str(binary)], capsys)
    assert code == 2 and "binary" in err


def test_oversized_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("# padding\n" * 200_000)
    code, _, err = run_cli(["validate", str(big)], capsys)
    assert code == 2 and "limit" in err


def test_non_utf8_file_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    latin = tmp_path / "latin.yaml"
    latin.write_bytes("metadata:\n  title: caf\xe9\n".encode("latin-1"))
    code, _, err = run_cli(["validate", str(latin)], capsys)
    assert code == 2 and "UTF-8" in err and ":2:" in err


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    many = tmp_path / "many.yaml"
    many.write_text(
        f"extends: {SCENARIOS_DIR / 'base.yaml'}\n"
        "hamas: {stance: maybe}\n"
        "aid: {trucks_per_day: {value: -5, source: [fact.aid_trucks_reported]}}\n"
        "mandate: {rules_of_engagment: self_defence}\n"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(many, roots=[SCENARIOS_DIR])
    paths = {p.path for p in info.value.problems}
    assert {"hamas.stance", "aid.trucks_per_day.value", "mandate.rules_of_engagment"} <= paths


def test_override_replaces_a_sourced_value_whole(tmp_path: Path) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(
        f"extends: {SCENARIOS_DIR / 'base.yaml'}\n"
        "aid:\n  trucks_per_day: {value: 450, assumption: [90, 600]}\n"
    )
    scenario = load_scenario(child, roots=[SCENARIOS_DIR])
    assert scenario.aid.trucks_per_day.value == 450
    assert scenario.aid.trucks_per_day.source is None  # the parent's source did not leak in


def test_null_removes_an_inherited_entry(tmp_path: Path) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(
        f"extends: {SCENARIOS_DIR / 'base.yaml'}\nforces:\n  contributors:\n    turkey: null\n"
    )
    base = load_scenario(SCENARIOS_DIR / "base.yaml")
    scenario = load_scenario(child, roots=[SCENARIOS_DIR])
    assert "turkey" in base.forces.contributors
    assert "turkey" not in scenario.forces.contributors
    assert set(scenario.forces.contributors) == set(base.forces.contributors) - {"turkey"}


def test_uploaded_text_cannot_reach_outside_the_scenarios_folder() -> None:
    with pytest.raises(ScenarioError, match="outside the scenarios folder"):
        load_scenario_text("extends: ../pyproject.toml\n", "upload.yaml")


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_load_dump_load_round_trips(path: Path) -> None:
    scenario = load_scenario(path)
    again = load_scenario_text(dump_scenario(scenario), f"{path.name} (dumped)")
    assert again == scenario
    assert scenario_hash(again) == scenario_hash(scenario)
    # the fast (libyaml) dumper writes what the pure-Python dumper writes
    data = scenario.model_dump(mode="json", exclude_none=True)
    slow = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    assert dump_scenario(scenario) == slow


def test_hash_is_stable_and_sensitive(tmp_path: Path) -> None:
    base = load_scenario(SCENARIOS_DIR / "base.yaml")
    assert scenario_hash(base) == scenario_hash(load_scenario(SCENARIOS_DIR / "base.yaml"))
    child = tmp_path / "child.yaml"
    child.write_text(
        f"extends: {SCENARIOS_DIR / 'base.yaml'}\naid:\n"
        "  trucks_per_day: {value: 171, source: [fact.aid_trucks_reported]}\n"
    )
    assert scenario_hash(load_scenario(child, roots=[SCENARIOS_DIR])) != scenario_hash(base)


def test_editor_schema_file_is_current() -> None:
    from sim.cli_scenario import scenario_json_schema

    shipped = json.loads((SCENARIOS_DIR / "scenario.schema.json").read_text())
    assert shipped == scenario_json_schema(editor=True), (
        "run: isf-lab schema --editor -o scenarios/scenario.schema.json"
    )


BASE_DATA = resolve_file(SCENARIOS_DIR / "base.yaml")

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=3),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


ALL_PATHS = _paths(BASE_DATA.data)


BASE_SCENARIO = validate_document(copy.deepcopy(BASE_DATA))
BASE_HASH = scenario_hash(BASE_SCENARIO)


def _at(node: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        node = node[part]
    return node


def _same(kept: Any, given: Any) -> bool:
    """Whether the model kept a given scalar: equal, or the number a numeric string spells.

    pydantic's lax mode reads a quoted number ("0") into a number field (booleans are refused
    separately, see below); anything else must come through unchanged.
    """
    if isinstance(given, str) and isinstance(kept, int | float) and not isinstance(kept, bool):
        try:
            return float(given) == kept
        except ValueError:
            return False
    return bool(kept == given)


def _related(problem_path: str, edited: tuple[Any, ...]) -> bool:
    """Whether a problem's field path lies on the edited path (one is a prefix of the other)."""
    parts = problem_path.split(".") if problem_path else []
    edit = [str(part) for part in edited]
    shorter = min(len(parts), len(edit))
    return parts[:shorter] == edit[:shorter]


def _apply(document: Any, edits: list[tuple[Any, str, Any]]) -> list[tuple[Any, ...]]:
    """Apply the edits in place; returns the paths actually changed."""
    changed: list[tuple[Any, ...]] = []
    for path, action, value in edits:
        parent: Any = document.data
        try:
            for part in path[:-1]:
                parent = parent[part]
            key = path[-1]
            if action == "set":
                parent[key] = value
                changed.append(path)
            elif action == "delete" and isinstance(parent, dict):
                parent.pop(key, None)
                changed.append(path)
            elif action == "extra" and isinstance(parent, dict):
                parent["zz_unknown"] = value
                changed.append((*path[:-1], "zz_unknown"))
        except (KeyError, IndexError, TypeError):
            continue  # an earlier edit removed or replaced this branch
    return changed


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    edits=st.lists(
        st.tuples(st.sampled_from(ALL_PATHS), st.sampled_from(["set", "delete", "extra"]), scalars),
        min_size=1,
        max_size=4,
    )
)
def test_an_edited_base_round_trips_or_names_the_edited_field(
    edits: list[tuple[Any, str, Any]],
) -> None:
    """Random edits of base.yaml: accepted documents keep every value and round-trip; rejected
    ones name a file, a line and a field on an edited path (base.yaml itself is valid, so every
    fault comes from an edit)."""
    document = copy.deepcopy(BASE_DATA)
    changed = _apply(document, edits)
    try:
        scenario = validate_document(document)
    except ScenarioError as exc:
        assert exc.problems
        for problem in exc.problems:
            assert problem.message, problem
            assert problem.file in document.chain, problem.format()
            assert problem.line is not None and problem.line >= 1, problem.format()
            assert problem.format().startswith(f"{problem.file}:{problem.line}:")
        named = [p for p in exc.problems if p.path]
        assert any(_related(p.path, path) for p in named for path in changed), (
            changed,
            exc.report(),
        )
        return
    # accepted: nothing silently dropped or coerced, a dump loads back to the same scenario
    dumped = scenario.model_dump(mode="python", by_alias=True)
    for path in _paths(document.data):
        value = _at(document.data, path)
        if not isinstance(value, dict | list):
            assert _same(_at(dumped, path), value), path
    again = load_scenario_text(dump_scenario(scenario), "edited base (dumped)")
    assert again == scenario
    assert scenario_hash(again) == scenario_hash(scenario)
    # the hash changes exactly when the scenario does
    assert (scenario_hash(scenario) == BASE_HASH) == (scenario == BASE_SCENARIO)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("aid", "trucks_per_day", "value"), 171),
        (("metadata", "horizon_days"), 200),
        (("bargaining", "actors", "us", "capability", "value"), 90.0),
    ],
)
def test_changing_one_value_changes_the_hash(path: tuple[str, ...], value: Any) -> None:
    document = copy.deepcopy(BASE_DATA)
    assert _at(document.data, path) != value
    _at(document.data, path[:-1])[path[-1]] = value
    scenario = validate_document(document)
    assert scenario_hash(scenario) != BASE_HASH
    # and changing it back restores the hash
    _at(document.data, path[:-1])[path[-1]] = _at(BASE_DATA.data, path)
    assert scenario_hash(validate_document(document)) == BASE_HASH


BOOLEAN_FOR_NUMBER = [
    # (override written into a child of base.yaml, the field path that must be named)
    (
        "forces: {contributors: {indonesia: {pledged_troops: {value: true, assumption: [0, 9]}}}}",
        "forces.contributors.indonesia.pledged_troops.value",
    ),
    (
        "forces: {contributors: {indonesia: {deployed_share: {value: yes, assumption: [0, 1]}}}}",
        "forces.contributors.indonesia.deployed_share.value",
    ),
    (
        "other_armed_groups: {attack_rate: {value: 0.02, assumption: [no, 0.2]}}",
        "other_armed_groups.attack_rate.assumption",
    ),
    ("bargaining: {settings: {max_rounds: on}}", "bargaining.settings.max_rounds"),
    ("metadata: {horizon_days: true}", "metadata.horizon_days"),
    ("idf: {held_share: {value: .nan, source: [fact.yellow_line_share]}}", "idf.held_share.value"),
]


@pytest.mark.parametrize(("override", "path"), BOOLEAN_FOR_NUMBER)
def test_booleans_and_non_finite_numbers_are_not_numbers(
    override: str, path: str, tmp_path: Path
) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {SCENARIOS_DIR / 'base.yaml'}\n{override}\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(child, roots=[SCENARIOS_DIR])
    problems = [p for p in info.value.problems if p.path == path]
    assert problems, info.value.report()
    assert problems[0].line == 2 and problems[0].hint, problems[0].format()


def test_true_boolean_fields_still_take_booleans(tmp_path: Path) -> None:
    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {SCENARIOS_DIR / 'base.yaml'}\nidf: {{fallback_zone: yes}}\n")
    assert load_scenario(child, roots=[SCENARIOS_DIR]).idf.fallback_zone is True


def test_a_copied_scenario_tree_validates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import shutil

    copy_of = tmp_path / "elsewhere" / "scenarios"
    shutil.copytree(SCENARIOS_DIR, copy_of)
    code, out, err = run_cli(["validate", str(copy_of)], capsys)
    assert code == 0, err
    assert "analogues/kfor-like.yaml" in out and str(SCENARIOS_DIR) not in out


def test_a_copied_tree_does_not_read_the_original(tmp_path: Path) -> None:
    import shutil

    copy_of = tmp_path / "scenarios"
    shutil.copytree(SCENARIOS_DIR, copy_of)
    (copy_of / "base.yaml").write_text((copy_of / "base.yaml").read_text() + "\nzz_marker: 1\n")
    with pytest.raises(ScenarioError, match="zz_marker"):
        load_scenario(copy_of / "analogues" / "kfor-like.yaml")


def test_outside_the_tree_nothing_is_read_or_echoed(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    secret = tmp_path / "secret.yaml"
    secret.write_text("password: hunter2\n")
    (mine / "sibling.yaml").write_text("token: abc123\n")
    for target in ("../secret.yaml", "sibling.yaml", str(secret)):
        child = mine / "child.yaml"
        child.write_text(f"extends: {target}\n")
        with pytest.raises(ScenarioError) as info:
            load_scenario(child)
        report = info.value.report()
        assert "hunter2" not in report and "abc123" not in report and "password" not in report
        assert "->" in report and "--root" in report


def test_user_scenarios_extend_the_shipped_ones_with_root(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    child = mine / "more-aid.yaml"
    child.write_text(
        f"extends: {SCENARIOS_DIR / 'base.yaml'}\nmetadata: {{name: more-aid}}\n"
        "aid: {trucks_per_day: {value: 600, assumption: [90, 600]}}\n"
    )
    code, _, err = run_cli(["validate", str(child)], capsys)
    assert code == 2 and "--root" in err
    code, out, err = run_cli(["validate", str(child), "--root", str(SCENARIOS_DIR)], capsys)
    assert code == 0, err
    assert "more-aid" in out


def test_a_marked_user_folder_is_its_own_tree(tmp_path: Path) -> None:
    (tmp_path / ".isf-scenarios").touch()
    (tmp_path / "parent.yaml").write_text((SCENARIOS_DIR / "base.yaml").read_text())
    for part in (SCENARIOS_DIR / "parts").glob("*.yaml"):
        (tmp_path / "parts").mkdir(exist_ok=True)
        (tmp_path / "parts" / part.name).write_text(part.read_text())
    (tmp_path / "child.yaml").write_text("extends: parent.yaml\nmetadata: {name: child}\n")
    assert load_scenario(tmp_path / "child.yaml").metadata.name == "child"


def test_the_outside_tree_hint_works_for_batch_through_the_environment(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # 'batch' has no --root: the hint must name a way that works for it too.
    child = tmp_path / "heavy.yaml"
    child.write_text(f"extends: {SCENARIOS_DIR / 'base.yaml'}\nmetadata: {{name: heavy}}\n")
    code, _, err = run_cli(
        ["batch", str(child), "--reps", "1", "--out", str(tmp_path / "o")], capsys
    )
    assert code == 2 and "ISF_SCENARIO_ROOTS=DIR (any command" in err
    monkeypatch.setenv("ISF_SCENARIO_ROOTS", str(SCENARIOS_DIR))
    code, _, err = run_cli(["validate", str(child)], capsys)
    assert code == 0, err
