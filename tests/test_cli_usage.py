"""Usage errors of every ``isf-lab`` command: short usage + the problem, exit 2, no traceback.

The cases are generated from the commands' own signatures, so a command added later (or an
option given a range) is covered without editing this file.
"""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer

from sim.cli import app, main

ROOT = Path(__file__).resolve().parents[1]
A_FILE = str(ROOT / "scenarios" / "base.yaml")


def _commands() -> dict[str, Callable[..., Any]]:
    commands = {}
    for info in app.registered_commands:
        assert info.callback is not None
        commands[info.name or info.callback.__name__.replace("_", "-")] = info.callback
    return commands


def _params(func: Callable[..., Any]) -> list[tuple[str, type, Any, Any]]:
    """(name, python type, typer info, default) for each parameter of a command."""
    hints = typing.get_type_hints(func, include_extras=True)
    found = []
    for name, parameter in inspect.signature(func).parameters.items():
        annotated = hints[name]
        base, *extras = typing.get_args(annotated)
        info = next(e for e in extras if isinstance(e, typer.models.ParameterInfo))
        options = [t for t in typing.get_args(base) if t is not type(None)] or [base]
        found.append((name, options[0], info, parameter.default))
    return found


def _flag(name: str, info: Any) -> str:
    declared = [d for d in info.param_decls or () if d.startswith("--")]
    return declared[0] if declared else "--" + name.replace("_", "-")


def _required_arguments(func: Callable[..., Any]) -> list[str]:
    return [
        A_FILE
        for name, _, info, default in _params(func)
        if isinstance(info, typer.models.ArgumentInfo) and default is inspect.Parameter.empty
    ]


def _cases() -> list[Any]:
    cases = []
    for command, func in _commands().items():
        required = _required_arguments(func)
        unknown = [command, "--no-such-option"]
        cases.append(pytest.param(unknown, "No such option", id=f"{command}-unknown"))
        if required:
            cases.append(pytest.param([command], "Missing argument", id=f"{command}-missing"))
        for name, kind, info, _ in _params(func):
            if not isinstance(info, typer.models.OptionInfo) or kind not in (int, float):
                continue
            flag = _flag(name, info)
            cases.append(
                pytest.param(
                    [command, *required, flag, "abc"], "Invalid value", id=f"{command}-{name}-type"
                )
            )
            if info.min is not None:
                low = [command, *required, flag, str(info.min - 1)]
                cases.append(pytest.param(low, "Invalid value", id=f"{command}-{name}-below"))
            if info.max is not None:
                high = [command, *required, flag, str(info.max + 1)]
                cases.append(pytest.param(high, "Invalid value", id=f"{command}-{name}-above"))
    return cases


CASES = _cases()


def test_the_generated_cases_cover_every_command_and_kind() -> None:
    ids = [case.id for case in CASES]
    for command in _commands():
        assert f"{command}-unknown" in ids
    for suffix in ("-missing", "-type", "-below", "-above"):
        assert sum(i.endswith(suffix) for i in ids) >= 3, suffix


@pytest.mark.parametrize(("argv", "problem"), CASES)
def test_usage_error(argv: list[str], problem: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    err = capsys.readouterr().err
    assert exit_info.value.code == 2, err
    assert "Traceback" not in err
    assert err.lstrip().startswith("Usage: isf-lab"), err
    errors = [line for line in err.splitlines() if line.startswith("Error: ")]
    assert len(errors) == 1 and problem in errors[0], err


@pytest.mark.parametrize(
    "argv",
    [
        ["run"],
        ["run", A_FILE, "--reps", "abc"],
        ["batch", A_FILE, "--reps", "0"],
        ["nosuchcommand"],
        ["lab", "--server.port", "0"],
    ],
)
def test_installed_entry_point_prints_usage_not_a_traceback(argv: list[str]) -> None:
    """The console script as a fresh install runs it (a separate process, the real argv)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", "from sim.cli import main; main()", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert "Usage: " in done.stderr and "Error: " in done.stderr


def test_lab_accepts_streamlits_port_spelling(monkeypatch: pytest.MonkeyPatch) -> None:
    """``bash scripts/setup.sh run --server.port 8765`` passes the port through to Streamlit."""
    from sim import cli_lab

    seen: list[list[str]] = []

    def fake_execve(path: str, command: list[str], env: dict[str, str]) -> None:
        seen.append(command)
        raise SystemExit(0)

    monkeypatch.setattr(cli_lab.os, "execve", fake_execve)
    with pytest.raises(SystemExit):
        main(["lab", "--server.port", "8765", "--headless"])
    command = seen[0]
    assert command[command.index("--server.port") + 1] == "8765"
