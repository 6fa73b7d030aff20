"""Time how long hostile YAML files take to be refused (goal: well under a second each).

    PYTHONPATH=$PWD .venv/bin/python bench/hostile_yaml.py

Prints one line per case: seconds, size and the first problem reported. Cases are the ones
tests/test_hostile_yaml.py checks, plus large but shallow files at the size limit.
"""

from __future__ import annotations

import time

from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario_text
from sim.scenario.yamlio import MAX_FILE_BYTES
from tests.test_hostile_yaml import HOSTILE

AT_SIZE_LIMIT = {
    "one long quoted string": 'x: "' + "a" * (MAX_FILE_BYTES - 10) + '"\n',
    "one long plain line": "x: " + "a " * (MAX_FILE_BYTES // 2 - 4) + "\n",
    "comments only": "# c\n" * (MAX_FILE_BYTES // 4 - 2),
}


def main() -> None:
    """Time every case and print the slowest."""
    worst = 0.0
    for name, text in {**{k: v[0] for k, v in HOSTILE.items()}, **AT_SIZE_LIMIT}.items():
        start = time.perf_counter()
        try:
            load_scenario_text(text, "hostile.yaml")
            outcome = "ACCEPTED"
        except ScenarioError as exc:
            outcome = exc.problems[0].format()[:90]
        seconds = time.perf_counter() - start
        worst = max(worst, seconds)
        print(f"{seconds:7.3f} s  {len(text.encode()):>7,} B  {name:<40} {outcome}")
    print(f"slowest: {worst:.3f} s")


if __name__ == "__main__":
    main()
