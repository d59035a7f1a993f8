"""Findings: what a validation run has to say, collected in one place.

Every check appends to a :class:`Findings` collection instead of raising, so that a single
run reports every problem at once, and reporters (text, json, github) stay separate from
the checks that produce them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

#: At most this many findings of one rule in one file; the rest are summed up in one line,
#: so that a hostile or broken file cannot flood a report.
PER_FILE_RULE_LIMIT = 25

#: Characters no one-line text from a pull request may hold, wherever it lands (a value, a
#: file name, a log line): C0 and C1 controls, DEL, the invisible direction marks, the line
#: and paragraph separators, and the bidirectional overrides and isolates. A character class
#: body, for modules that add to it.
CONTROL_CHARACTERS = "\x00-\x1f\x7f-\x9f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
CONTROL_RE = re.compile(f"[{CONTROL_CHARACTERS}]")
#: Controls, and lone surrogates (a file name that is not UTF-8), which no terminal can print.
_CONTROL_RE = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")


def printable(text: str) -> str:
    """Control characters (a newline in a YAML key, say) shown escaped: one finding, one line;
    and the CI runner's legacy ``##[command]`` syntax broken, since it is read mid-line."""
    return _CONTROL_RE.sub(lambda m: repr(m.group(0))[1:-1], text).replace("##[", "#\u200b#[")


class Level(StrEnum):
    """How much a finding matters: errors fail a run, warnings fail a strict run."""

    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"


_SEVERITY = {Level.NOTICE: 0, Level.WARNING: 1, Level.ERROR: 2}


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
        return printable(f"{self.path}:{self.line}: {self.field}: {prefix}{self.message}")


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
        """Unique findings in (path, line, field, message) order, floods summed up."""
        ordered = sorted(set(self.items), key=lambda f: (f.path, f.line, f.field, f.message))
        groups: dict[tuple[str, str], list[Finding]] = defaultdict(list)
        for finding in ordered:
            groups[(finding.path, finding.rule)].append(finding)
        kept: list[Finding] = []
        for (path, rule), group in groups.items():
            kept.extend(group[:PER_FILE_RULE_LIMIT])
            if len(group) > PER_FILE_RULE_LIMIT:
                rest = group[PER_FILE_RULE_LIMIT:]
                kept.append(
                    Finding(
                        path,
                        rest[0].line,
                        rest[0].field,
                        f"... and {len(rest)} more '{rule}' findings in this file",
                        max(rest, key=lambda f: _SEVERITY[f.level]).level,
                        rule,
                    )
                )
        return sorted(kept, key=lambda f: (f.path, f.line, f.field, f.message))

    def count(self, level: Level) -> int:
        return sum(1 for f in set(self.items) if f.level is level)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.sorted())

    def __len__(self) -> int:
        return len(set(self.items))
