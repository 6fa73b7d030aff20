"""Write constraints.txt: the exact versions, in this environment, of what the project needs.

    python scripts/lock_deps.py [OUTPUT]        (bash scripts/setup.sh lock runs it)

Walks the requirements of pyproject.toml (with the dev extra) through the installed packages'
own requirements, extras and markers included, and pins every package reached to the version
installed here. The project itself, pip, setuptools and wheel are left out.
"""

from __future__ import annotations

import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
SKIP = {"pip", "setuptools", "wheel", "isf-lab"}


def _requirements_of(name: str, extras: set[str]) -> list[Requirement]:
    found = []
    for text in metadata.requires(name) or []:
        requirement = Requirement(text)
        marker = requirement.marker
        if marker is None or any(marker.evaluate({"extra": e}) for e in extras or {""}):
            requirement.marker = None  # evaluated here, with the extras that apply
            found.append(requirement)
    return found


def pinned() -> dict[str, str]:
    """Installed name -> version for everything pyproject.toml's requirements reach."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    queue = [Requirement(r) for r in project["dependencies"]]
    queue += [Requirement(r) for r in project["optional-dependencies"]["dev"]]
    seen: dict[str, set[str]] = {}
    versions: dict[str, str] = {}
    while queue:
        requirement = queue.pop()
        if requirement.marker is not None and not requirement.marker.evaluate({"extra": ""}):
            continue
        name = canonicalize_name(requirement.name)
        extras = set(requirement.extras)
        if name in SKIP or (name in seen and extras <= seen[name]):
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            sys.exit(f"lock: {name} is required but not installed; run bash scripts/setup.sh first")
        seen[name] = seen.get(name, set()) | extras
        versions[name] = dist.version
        queue += _requirements_of(name, seen[name])
    return versions


def main() -> None:
    """Write the constraints file."""
    output = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "constraints.txt"
    lines = [f"{name}=={version}" for name, version in sorted(pinned().items())]
    header = (
        "# The tested dependency set: scripts/setup.sh installs with -c constraints.txt.\n"
        "# Refresh with: bash scripts/setup.sh lock  (then run the tests and commit it).\n"
        f"# Python {sys.version_info.major}.{sys.version_info.minor}\n"
    )
    output.write_text(header + "\n".join(lines) + "\n")
    print(f"lock: wrote {len(lines)} pins to {output}", file=sys.stderr)


if __name__ == "__main__":
    main()
