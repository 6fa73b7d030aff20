"""Safe YAML reading that remembers where every value came from.

Scenario files are edited by hand, so faults must point at a file and a line. This reader:

* refuses files that are missing, too large, binary or not UTF-8;
* refuses hostile shapes before building anything: nesting deeper than ``MAX_DEPTH`` (a linear
  scan of the brackets first, then the parser's event stream, which is lazy, so a file of 20,000
  nested ``[`` is refused after a few dozen events instead of minutes of parsing), more than
  ``MAX_ITEMS`` entries in one collection or ``MAX_NODES`` values in all;
* parses with PyYAML's safe machinery only (no object construction from tags);
* refuses anchors and aliases, which is what makes "billion laughs" alias bombs impossible;
* refuses duplicate keys, which plain YAML silently lets the last one win;
* returns the data together with a map from each field path to its line.
"""

from __future__ import annotations

import copy
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from sim.scenario.errors import Problem, ScenarioError

# Limits on what a hand-written file may be. The largest shipped YAML file (seeds/facts.yaml) is
# 22 KB with 1,738 parser events and nests 7 levels deep, so these leave ample room while keeping
# the worst case (pure-Python parsing of a file at the limits) well under a second.
MAX_FILE_BYTES = 128_000
MAX_DEPTH = 32
MAX_ITEMS = 2_000
MAX_NODES = 8_000

PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")

type FieldPath = tuple[str | int, ...]


@dataclass
class LoadedYaml:
    """Parsed YAML with the line of each field path (1-based)."""

    data: Any
    file: str
    lines: dict[FieldPath, int] = field(default_factory=dict)

    def line_of(self, path: FieldPath) -> int | None:
        """The line of ``path`` or of its nearest ancestor that has one."""
        for cut in range(len(path), -1, -1):
            line = self.lines.get(tuple(path[:cut]))
            if line is not None:
                return line
        return None


def read_text(path: Path, *, max_bytes: int = MAX_FILE_BYTES) -> str:
    """Read a small UTF-8 text file, or raise ``ScenarioError`` saying why not."""
    name = str(path)
    if not path.exists():
        raise ScenarioError.single(name, "file not found", hint="check the path")
    if not path.is_file():
        raise ScenarioError.single(name, "not a regular file", hint="give a .yaml file")
    size = path.stat().st_size
    if size > max_bytes:
        raise ScenarioError.single(
            name,
            f"file is {size:,} bytes, over the {max_bytes:,}-byte limit",
            hint="scenario files are small text files; split or trim it",
        )
    raw = path.read_bytes()
    return decode_text(raw, name)


def decode_text(raw: bytes, name: str) -> str:
    """Decode bytes as UTF-8 text, refusing binary content."""
    if b"\x00" in raw:
        raise ScenarioError.single(
            name, "binary file (contains NUL bytes)", hint="give a YAML text file"
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError.single(
            name, "not valid UTF-8 text", line=line, hint="save the file as UTF-8"
        ) from None


def parse_yaml(text: str, name: str) -> LoadedYaml:
    """Parse YAML text safely into plain data plus a line map.

    Args:
        text: The document.
        name: File name used in messages.

    Returns:
        The data and where each field was written.

    Raises:
        ScenarioError: On syntax errors, aliases, duplicate keys, unsafe tags or deep nesting.
    """
    cached = _parse_cached(text, name)
    return LoadedYaml(copy.deepcopy(cached.data), cached.file, dict(cached.lines))


@functools.lru_cache(maxsize=128)
def _parse_cached(text: str, name: str) -> LoadedYaml:
    """Parse once per distinct text: pure-Python YAML is slow and base files are read often.

    Callers get a deep copy (the loader edits the data it merges); failures are not cached.
    """
    _refuse_deep_brackets(text, name)
    try:
        node = _compose(text, name)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise ScenarioError.single(
            name,
            f"YAML syntax error: {exc.problem or exc.context}",
            line=line,
            hint="check indentation, colons and quotes on this line or the one before",
        ) from None
    except yaml.YAMLError as exc:
        raise ScenarioError.single(name, f"YAML error: {exc}") from None
    except RecursionError:
        raise ScenarioError.single(name, "YAML nested too deeply") from None
    loaded = LoadedYaml(data=None, file=name)
    if node is None:
        return loaded
    builder = _Builder(loaded)
    loaded.data = builder.build(node, (), 0)
    if builder.problems:
        raise ScenarioError(builder.problems)
    return loaded


def load_yaml(path: Path) -> LoadedYaml:
    """Read and parse a YAML file safely (see :func:`parse_yaml`)."""
    return parse_yaml(read_text(path), str(path))


def _refuse_deep_brackets(text: str, name: str) -> None:
    """Refuse flow nesting deeper than ``MAX_DEPTH`` with one linear scan of the brackets.

    Quotes and comments are not tracked, so this over-counts only when a text contains more than
    ``MAX_DEPTH`` unbalanced opening brackets inside strings, which no scenario does.
    """
    depth = 0
    for match in _BRACKETS.finditer(text):
        depth = depth + 1 if match.group() in "[{" else max(depth - 1, 0)
        if depth > MAX_DEPTH:
            line = text.count("\n", 0, match.start()) + 1
            raise _too_deep(name, line)


_BRACKETS = re.compile(r"[\[\]{}]")


def _too_deep(name: str, line: int | None) -> ScenarioError:
    return ScenarioError.single(
        name,
        f"nested deeper than {MAX_DEPTH} levels (scenario files nest about 7)",
        line=line,
        hint="flatten the structure; this is not a scenario file",
    )


def _compose(text: str, name: str) -> yaml.Node | None:
    """Compose the single document of ``text`` through the guard (one lazy pass)."""
    loader = _GuardedLoader(text, name)
    try:
        node: yaml.Node | None = loader.get_single_node()
        return node
    finally:
        loader.dispose()


class _GuardedLoader(yaml.SafeLoader):
    """PyYAML's safe loader with a check on every event it hands to the composer.

    Events are produced lazily, so a hostile file is refused as soon as a limit is crossed,
    without scanning the rest of it: aliases and anchors, nesting deeper than ``MAX_DEPTH``, more
    than ``MAX_ITEMS`` entries in one collection or ``MAX_NODES`` values in all.
    """

    def __init__(self, text: str, name: str) -> None:
        super().__init__(text)
        self.file_name = name
        self.open_items: list[int] = []  # nodes seen so far in each open collection
        self.per_entry: list[int] = []  # nodes per entry: 2 in a mapping, 1 in a list
        self.nodes = 0

    def get_event(self) -> yaml.Event:
        """The next event, after checking it against the limits."""
        event = super().get_event()
        self._check(event)
        return event

    def _check(self, event: yaml.Event) -> None:
        line = event.start_mark.line + 1 if event.start_mark else None
        anchor = getattr(event, "anchor", None)
        if anchor is not None or isinstance(event, yaml.AliasEvent):
            raise ScenarioError.single(
                self.file_name,
                f"YAML anchors and aliases ('&{anchor}', '*{anchor}') are not allowed",
                line=line,
                hint="write the values out, or use 'extends:' to share a base scenario",
            )
        if isinstance(event, yaml.CollectionEndEvent):
            self.open_items.pop()
            self.per_entry.pop()
            return
        if not isinstance(event, yaml.NodeEvent):
            return
        self.nodes += 1
        entries = 0
        if self.open_items:
            self.open_items[-1] += 1
            entries = self.open_items[-1] // self.per_entry[-1]
        _check_sizes(self.file_name, line, self.nodes, entries)
        if isinstance(event, yaml.CollectionStartEvent):
            self.open_items.append(0)
            self.per_entry.append(2 if isinstance(event, yaml.MappingStartEvent) else 1)
            if len(self.open_items) > MAX_DEPTH:
                raise _too_deep(self.file_name, line)


def _check_sizes(name: str, line: int | None, nodes: int, entries: int) -> None:
    if nodes > MAX_NODES:
        raise ScenarioError.single(
            name,
            f"more than {MAX_NODES:,} values in one file",
            line=line,
            hint="scenario files hold a few hundred values; split or trim it",
        )
    if entries > MAX_ITEMS:
        raise ScenarioError.single(
            name,
            f"a list or mapping with more than {MAX_ITEMS:,} entries",
            line=line,
            hint="scenario lists hold a few dozen entries; trim it",
        )


class _Builder:
    """Turns a composed node tree into plain dicts/lists/scalars, recording lines."""

    def __init__(self, loaded: LoadedYaml) -> None:
        self.loaded = loaded
        self.problems: list[Problem] = []
        self.constructor = yaml.SafeLoader("")

    def problem(self, node: yaml.Node, path: FieldPath, message: str, hint: str) -> None:
        self.problems.append(
            Problem(self.loaded.file, node.start_mark.line + 1, _dotted(path), message, hint)
        )

    def build(self, node: yaml.Node, path: FieldPath, depth: int) -> Any:
        self.loaded.lines.setdefault(path, node.start_mark.line + 1)
        if depth > MAX_DEPTH:  # the event guard refuses this first; kept as a second line
            self.problem(node, path, f"nested deeper than {MAX_DEPTH} levels", "flatten the file")
            return None
        if isinstance(node, yaml.MappingNode | yaml.SequenceNode) and node.tag not in PLAIN_TAGS:
            self.problem(node, path, f"unsupported YAML tag: {node.tag}", "remove the '!' tag")
            return None
        if isinstance(node, yaml.MappingNode):
            return self.build_mapping(node, path, depth)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self.build_scalar(node, path)

    def build_mapping(self, node: yaml.MappingNode, path: FieldPath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                self.problem(
                    key_node, path, "YAML merge keys ('<<') are not allowed", "use extends:"
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                self.problem(key_node, path, "mapping keys must be plain text", "use a simple key")
                continue
            key = str(key_node.value)
            child = (*path, key)
            if key in result:
                self.problem(key_node, child, f"duplicate key '{key}'", "keep only one of them")
                continue
            self.loaded.lines[child] = key_node.start_mark.line + 1
            result[key] = self.build(value_node, child, depth + 1)
        return result

    def build_scalar(self, node: yaml.Node, path: FieldPath) -> Any:
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # keep dates as ISO text; pydantic parses them where a date is wanted
        try:
            return self.constructor.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as exc:
            self.problem(node, path, f"unsupported YAML tag: {exc.problem}", "remove the '!' tag")
        except ValueError:  # e.g. an integer of thousands of digits
            self.problem(
                node,
                path,
                f"cannot read the value {_clip(str(node.value))!r}",
                "write an ordinary number or quote it as text",
            )
        return None


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _dotted(path: FieldPath) -> str:
    return ".".join(str(p) for p in path)


def dotted(path: FieldPath) -> str:
    """A field path written with dots, e.g. ``forces.contributors.egypt``."""
    return _dotted(path)
