"""The project's error type for bad input: one readable problem per fault.

Every loader in ``sim.scenario`` reports faults as :class:`Problem` records (file, line, field
path, what is wrong, what to do) gathered in one :class:`ScenarioError`, so that the CLI and the
app can show all of them at once and never a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    """One fault in an input file.

    Attributes:
        file: The file it was found in (``None`` for text with no file).
        line: 1-based line number, where known.
        path: Dotted field path inside the document, e.g. ``forces.contributors.egypt.troops``.
        message: What is wrong.
        hint: What to do about it.
    """

    file: str | None
    line: int | None
    path: str
    message: str
    hint: str | None = None

    def format(self) -> str:
        """One line: ``file:line: path: message (hint)``."""
        where = self.file or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        field = f" {self.path}:" if self.path else ""
        text = f"{where}:{field} {self.message}"
        if self.hint:
            text += f" -> {self.hint}"
        return text


class ScenarioError(Exception):
    """Raised when an input file (scenario, digest, KTAB table ...) is invalid.

    Attributes:
        problems: Every fault found, in file order where possible.
    """

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self.report())

    def report(self) -> str:
        """All problems, one per line."""
        return "\n".join(p.format() for p in self.problems) or "invalid input"

    @classmethod
    def single(
        cls,
        file: str | Path | None,
        message: str,
        *,
        line: int | None = None,
        path: str = "",
        hint: str | None = None,
    ) -> ScenarioError:
        """An error with one problem."""
        return cls([Problem(str(file) if file is not None else None, line, path, message, hint)])
