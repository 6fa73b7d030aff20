"""What produced a result: code version, git commit, package versions, timestamps."""

from __future__ import annotations

import datetime as dt
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

import sim

PACKAGES = (
    "numpy",
    "pandas",
    "pyarrow",
    "scipy",
    "pydantic",
    "mesa",
    "SALib",
    "dask",
    "distributed",
)
REPO_DIR = Path(sim.__file__).resolve().parents[1]


def now_iso() -> str:
    """The current UTC time, ISO 8601."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def git_commit(folder: Path = REPO_DIR) -> dict[str, Any]:
    """The checked-out commit and whether the work tree has changes (``None`` outside git)."""
    try:
        commit = _git(folder, "rev-parse", "HEAD")
        dirty = bool(_git(folder, "status", "--porcelain", "--untracked-files=no"))
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}
    return {"commit": commit, "dirty": dirty}


def _git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=10, check=True
    )
    return done.stdout.strip()


def package_versions() -> dict[str, str | None]:
    """Versions of Python and of the packages that shape results."""
    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def code_version() -> dict[str, Any]:
    """``sim.__version__`` and the git commit."""
    return {"sim_version": sim.__version__, **git_commit()}
