"""A mutation corpus built from the shipped scenario files, and a check of every message.

Each mutation edits one shipped file's text in place (a value replaced, a key misspelt, the file
cut short ...) inside a copy of the scenarios folder, so ``extends`` still resolves. A rejection is
*handled* when every problem it reports reads ``file:line: field.path: what is wrong -> what to
do`` (the field path may be empty only for faults of the whole file, such as a syntax error).

    PYTHONPATH=$PWD .venv/bin/python -m tests.scenario_mutations        # the whole corpus

prints the counts; tests/test_messages.py checks a fixed sample.
"""

from __future__ import annotations

import random
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import SCENARIOS_DIR, load_scenario

BAD_VALUES = ("true", "no", '"abc"', "-1", "1e12", "null", "[1, 2]", "{a: 1}", ".nan", "''")
# faults of the whole file, which have a line but no field path
FILE_LEVEL = (
    "YAML syntax error",
    "must be a mapping",
    "YAML error",
    "anchors and aliases",
    "nested deeper",
    "entries",
    "values in one file",
)


@dataclass(frozen=True)
class Mutation:
    """One edited copy of a shipped file."""

    name: str
    file: str  # relative to the scenarios folder
    text: str


def _leaves(text: str) -> list[tuple[yaml.Node, yaml.Node]]:
    """(key node, value node) of every scalar value in a mapping, in file order."""
    found: list[tuple[yaml.Node, yaml.Node]] = []

    def walk(node: yaml.Node) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(value, yaml.ScalarNode):
                    found.append((key, value))
                else:
                    walk(value)
        elif isinstance(node, yaml.SequenceNode):
            for item in node.value:
                walk(item)

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if root is not None:
        walk(root)
    return found


def _splice(text: str, node: yaml.Node, new: str) -> str:
    return text[: node.start_mark.index] + new + text[node.end_mark.index :]


def mutations_of(relative: str, text: str, rng: random.Random, per_file: int) -> list[Mutation]:
    """Up to ``per_file`` value and key mutations of one file, plus whole-file ones."""
    cases: list[Mutation] = []
    for key, value in _leaves(text):
        where = f"{relative}:{value.start_mark.line + 1}:{key.value}"
        for bad in BAD_VALUES:
            cases.append(Mutation(f"{where}={bad}", relative, _splice(text, value, bad)))
        cases.append(Mutation(f"{where}:typo", relative, _splice(text, key, key.value + "x")))
    chosen = rng.sample(cases, min(per_file, len(cases)))
    lines = text.splitlines(keepends=True)
    for share in (0.3, 0.6, 0.9):
        cut = "".join(lines[: int(len(lines) * share)])
        chosen.append(Mutation(f"{relative}:truncated-{share}", relative, cut))
    chosen.append(Mutation(f"{relative}:extra-section", relative, text + "\nzz_extra: 1\n"))
    chosen.append(Mutation(f"{relative}:tabs", relative, text.replace("  ", "\t", 3)))
    chosen.append(Mutation(f"{relative}:list", relative, "- " + text.replace("\n", "\n  ")))
    chosen.append(Mutation(f"{relative}:empty", relative, ""))
    return chosen


def corpus(per_file: int = 60, seed: int = 13) -> list[Mutation]:
    """The mutation corpus over every shipped scenario file (fragments included)."""
    rng = random.Random(seed)
    cases: list[Mutation] = []
    for path in sorted(SCENARIOS_DIR.rglob("*.yaml")):
        relative = str(path.relative_to(SCENARIOS_DIR))
        cases += mutations_of(relative, path.read_text(), rng, per_file)
    return cases


def is_well_formed(problem: Problem) -> bool:
    """``file:line: field.path: what -> what to do`` (path optional for whole-file faults)."""
    whole_file = any(marker in problem.message for marker in FILE_LEVEL)
    return bool(
        problem.file
        and problem.line is not None
        and problem.message
        and problem.hint
        and (problem.path or whole_file)
    )


@dataclass
class Outcome:
    """What one mutation did."""

    mutation: Mutation
    verdict: str  # "accepted", "handled", "unhandled" or "crashed"
    detail: str = ""


def check(mutations: list[Mutation]) -> Iterator[Outcome]:
    """Load each mutation in a fresh copy of the scenarios folder and judge its messages."""
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "scenarios"
        shutil.copytree(SCENARIOS_DIR, tree)
        for mutation in mutations:
            target = tree / mutation.file
            original = target.read_text()
            target.write_text(mutation.text)
            try:
                yield _judge(mutation, target, tree)
            finally:
                target.write_text(original)


def _judge(mutation: Mutation, target: Path, tree: Path) -> Outcome:
    loaded = [target]
    if target.parent.name == "parts":  # a fragment: load the scenarios that use it
        loaded = [p for p in tree.glob("*.yaml") if target.name in p.read_text()][:2]
    try:
        for path in loaded:
            load_scenario(path, roots=[tree])
    except ScenarioError as exc:
        bad = [p.format() for p in exc.problems if not is_well_formed(p)]
        if bad or not exc.problems:
            return Outcome(mutation, "unhandled", bad[0] if bad else "no problems listed")
        if str(tree.parent) not in exc.problems[0].format():
            return Outcome(mutation, "unhandled", "message does not name the file")
        return Outcome(mutation, "handled", exc.problems[0].format())
    except Exception as exc:  # any other exception is a crash: what the corpus looks for
        return Outcome(mutation, "crashed", repr(exc))
    return Outcome(mutation, "accepted")


def main() -> None:
    """Run the whole corpus and print the counts and every unhandled case."""
    outcomes = list(check(corpus(per_file=int(sys.argv[1]) if len(sys.argv) > 1 else 60)))
    counts = Counter(o.verdict for o in outcomes)
    rejected = counts["handled"] + counts["unhandled"] + counts["crashed"]
    for outcome in outcomes:
        if outcome.verdict in ("unhandled", "crashed"):
            print(f"{outcome.verdict}: {outcome.mutation.name}: {outcome.detail}")
    print(
        f"{len(outcomes)} mutations: {counts['accepted']} accepted, {rejected} rejected, "
        f"{counts['handled']} of {rejected} rejections well formed "
        f"(file:line: field: what -> what to do), {counts['crashed']} crashed"
    )


if __name__ == "__main__":
    main()
