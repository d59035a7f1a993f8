"""Findings: what a validation run has to say, collected in one place.

Every check appends to a :class:`Findings` collection instead of raising, so that a single
run reports every problem at once, and reporters (text, json, github) stay separate from
the checks that produce them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum


class Level(StrEnum):
    """How much a finding matters: errors fail a run, warnings fail a strict run."""

    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem, located as ``path:line: field: message``."""

    path: str
    line: int
    field: str
    message: str
    level: Level = Level.ERROR
    rule: str = "schema"

    def format(self) -> str:
        prefix = "" if self.level is Level.ERROR else f"{self.level.value}: "
        return f"{self.path}:{self.line}: {self.field}: {prefix}{self.message}"


@dataclass
class Findings:
    """A mutable collection of findings for one run, sorted on output."""

    items: list[Finding] = field(default_factory=list)

    def add(
        self,
        path: str,
        line: int,
        field_: str,
        message: str,
        level: Level = Level.ERROR,
        rule: str = "schema",
    ) -> None:
        self.items.append(Finding(path, max(1, line), field_ or "(document)", message, level, rule))

    def extend(self, other: Iterable[Finding]) -> None:
        self.items.extend(other)

    def sorted(self) -> list[Finding]:
        return sorted(set(self.items), key=lambda f: (f.path, f.line, f.field, f.message))

    def count(self, level: Level) -> int:
        return sum(1 for f in set(self.items) if f.level is level)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.sorted())

    def __len__(self) -> int:
        return len(set(self.items))
