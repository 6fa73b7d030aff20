"""scripts/find_python.sh and scripts/build_python.sh: which interpreter the set-up takes.

The optimised build itself takes ~20 minutes on two cores and is not made here; what is tested
is the choice (an optimised build, when present, comes first after ``ISF_PYTHON``), where the
build goes, and that a source whose SHA-256 does not match installs nothing.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def _run(script: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if k not in ("ISF_PYTHON", "ISF_PYTHON_HOME")
    }
    return subprocess.run(
        ["bash", str(SCRIPTS / script), *args],
        capture_output=True,
        text=True,
        env={**environment, **env},
        timeout=120,
    )


def _fake_build(root: Path) -> Path:
    """An "optimised build" at ``root``: this test's own interpreter (>= 3.12), linked."""
    (root / "bin").mkdir(parents=True)
    python = root / "bin" / "python3"
    python.symlink_to(sys.executable)
    return python


def test_the_optimised_build_is_taken_first_when_it_is_there(tmp_path: Path) -> None:
    python = _fake_build(tmp_path / "pgo")
    found = _run("find_python.sh", ISF_PYTHON_HOME=str(tmp_path / "pgo"))
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == str(python)
    # absent: another interpreter (>= 3.12) is found as before
    other = _run("find_python.sh", ISF_PYTHON_HOME=str(tmp_path / "none"))
    assert other.returncode == 0 and other.stdout.strip() != str(python)
    # an explicit choice still wins
    chosen = _run(
        "find_python.sh", ISF_PYTHON=sys.executable, ISF_PYTHON_HOME=str(tmp_path / "pgo")
    )
    assert chosen.stdout.strip() != str(python)


def test_the_build_goes_where_it_says_and_refuses_a_source_that_does_not_match(
    tmp_path: Path,
) -> None:
    home = tmp_path / "home"
    where = _run("build_python.sh", "--where", ISF_PYTHON_HOME=str(home))
    assert where.stdout.strip() == str(home / "bin" / "python3")
    default = _run("build_python.sh", "--where")
    assert default.stdout.strip().endswith(".python/cpython-3.13.5-pgo/bin/python3")
    source = tmp_path / "python.tar.xz"
    source.write_bytes(b"not the CPython source")
    built = _run("build_python.sh", ISF_PYTHON_HOME=str(home), ISF_PYTHON_SOURCE=source.as_uri())
    assert built.returncode == 1
    assert "does not match its SHA-256; nothing was installed" in built.stderr
    assert not home.exists()


def test_an_existing_build_is_reused_without_a_download(tmp_path: Path) -> None:
    python = _fake_build(tmp_path / "pgo")
    # a source that cannot be fetched: the build is there, so nothing is fetched
    reused = _run(
        "build_python.sh",
        ISF_PYTHON_HOME=str(tmp_path / "pgo"),
        ISF_PYTHON_SOURCE="file:///nonexistent/python.tar.xz",
    )
    assert reused.returncode == 0, reused.stderr
    assert reused.stdout.strip() == str(python)
