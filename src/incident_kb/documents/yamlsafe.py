"""A strict, bounded YAML reader for front-matter that arrives in pull requests.

It walks libyaml's event stream instead of constructing Python objects, so that:

* tags, anchors, aliases, merge keys and directives are refused before anything is built
  (no alias bomb can expand, no constructor can run);
* duplicate keys are errors naming both lines;
* plain scalars resolve by a small JSON-like schema: ``null``, ``true``/``false``, decimal
  integers and floats. Everything else, dates and timestamps included, stays a string, so
  YAML 1.1 surprises (``no`` as false, ``1:30`` as 90, ``0755`` as octal) never reach the model;
* every mapping and sequence remembers the line of each key and item;
* size and depth are capped, and flow nesting is measured before libyaml sees the text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import yaml

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - pure-Python fallback, same events
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_DEPTH = 20
MAX_NUMBER_CHARS = 32
MAX_FRONT_MATTER_BYTES = 64 * 1024

_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_INT_RE = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_FLOAT_RE = re.compile(
    r"[-+]?(?:0|[1-9][0-9]*)?\.[0-9]+(?:[eE][-+]?[0-9]+)?"  # 1.5, .5, 1.5e3
    r"|[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?[eE][-+]?[0-9]+"  # 1e3, 1.e3
    r"|[-+]?(?:0|[1-9][0-9]*)\."  # 1.
)


class YamlMap(dict[str, Any]):
    """A mapping that remembers its own line and the line of each key."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}


class YamlSeq(list[Any]):
    """A sequence that remembers its own line and the line of each item."""

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


@dataclass(frozen=True)
class YamlProblem:
    """A problem found while reading; ``path`` is the dotted field it concerns."""

    line: int
    path: str
    message: str


def resolve_plain(value: str) -> Any:
    """Resolve an unquoted scalar: null, bool, int and float; anything else stays a string."""
    if value in _NULL:
        return None
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    if len(value) > MAX_NUMBER_CHARS:
        return value  # int() refuses >4300 digits; no field needs more than a few
    if _INT_RE.fullmatch(value):
        return int(value)
    if _FLOAT_RE.fullmatch(value):
        number = float(value)
        return number if math.isfinite(number) else value
    return value


def flow_depth(text: str) -> tuple[int, int]:
    """The deepest nesting of flow brackets and its line, measured without parsing.

    Quoted strings and comments are skipped, roughly as YAML does; the point is a cheap
    upper bound that keeps pathological input away from the C parser.
    """
    if "[" not in text and "{" not in text:
        return 0, 1  # no flow collection at all: the usual front-matter, told in C
    depth = deepest = 0
    deepest_line = line = 1
    quote = ""
    prev = "\n"
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\n":
            line += 1
        if quote:
            if ch == "\\" and quote == '"':
                i += 2
                continue
            if ch == quote:
                if quote == "'" and i + 1 < n and text[i + 1] == "'":
                    i += 2
                    continue
                quote = ""
        elif ch == "#" and prev in " \t\n":
            nl = text.find("\n", i)
            i = n if nl < 0 else nl
            continue
        elif ch in "'\"" and (prev in " \t\n[{,:-" or depth):
            quote = ch
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest, deepest_line = depth, line
        elif ch in "]}" and depth:
            depth -= 1
        prev = ch
        i += 1
    return deepest, deepest_line


class _FatalError(Exception):
    pass


def load(text: str, first_line: int) -> tuple[Any, list[YamlProblem]]:
    """Read one YAML document. Returns (value, problems); value is None if unusable.

    ``first_line`` is the file line on which ``text`` starts, so that every line reported
    is a line of the user's file.
    """
    problems: list[YamlProblem] = []
    size = len(text.encode("utf-8"))
    if size > MAX_FRONT_MATTER_BYTES:
        problems.append(
            YamlProblem(
                first_line,
                "",
                f"front-matter is {size} bytes; the limit is {MAX_FRONT_MATTER_BYTES} bytes",
            )
        )
        return None, problems
    depth, depth_line = flow_depth(text)
    if depth > MAX_DEPTH:
        problems.append(
            YamlProblem(
                depth_line + first_line - 1,
                "",
                f"nesting is deeper than {MAX_DEPTH} levels",
            )
        )
        return None, problems
    try:
        value = _Walker(text, first_line, problems).run()
    except _FatalError:
        return None, problems
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = (mark.line if mark else 0) + first_line
        what = exc.problem or exc.context or "invalid YAML"
        problems.append(YamlProblem(line, "", f"invalid YAML: {what}"))
        return None, problems
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + first_line
        char = exc.character if isinstance(exc.character, int) else ord(exc.character)
        problems.append(
            YamlProblem(line, "", f"invalid YAML: character U+{char:04X} is not allowed")
        )
        return None, problems
    except yaml.YAMLError as exc:
        problems.append(YamlProblem(first_line, "", f"invalid YAML: {exc}"))
        return None, problems
    return value, problems


class _Walker:
    """Builds YamlMap/YamlSeq/scalars from the event stream, refusing what we forbid."""

    def __init__(self, text: str, first_line: int, problems: list[YamlProblem]) -> None:
        self.events = yaml.parse(text, Loader=_Loader)
        self.offset = first_line
        self.problems = problems

    def _line(self, event: Any) -> int:
        return int(event.start_mark.line) + self.offset

    def _fatal(self, event: Any, path: str, message: str) -> _FatalError:
        self.problems.append(YamlProblem(self._line(event), path, message))
        return _FatalError()

    def run(self) -> Any:
        value: Any = None
        documents = 0
        for event in self.events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise self._fatal(event, "", "front-matter holds more than one YAML document")
                if event.version or event.tags:
                    raise self._fatal(event, "", "YAML directives (%YAML, %TAG) are not allowed")
            elif isinstance(
                event, (yaml.StreamStartEvent | yaml.StreamEndEvent, yaml.DocumentEndEvent)
            ):
                continue
            else:
                value = self._node(event, "", 1)
        return value

    def _check(self, event: Any, path: str) -> None:
        if isinstance(event, yaml.AliasEvent):
            raise self._fatal(event, path, f"aliases (*{event.anchor}) are not allowed")
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            raise self._fatal(event, path, f"anchors (&{anchor}) are not allowed")
        tag = getattr(event, "tag", None)
        if tag is not None:
            shown = tag.replace("tag:yaml.org,2002:", "!!", 1)
            raise self._fatal(event, path, f"YAML tags ({shown}) are not allowed")

    def _node(self, event: Any, path: str, depth: int) -> Any:
        self._check(event, path)
        if depth > MAX_DEPTH:
            raise self._fatal(event, path, f"nesting is deeper than {MAX_DEPTH} levels")
        if isinstance(event, yaml.ScalarEvent):
            if event.style is None or event.style == "":
                return resolve_plain(event.value)
            return event.value
        if isinstance(event, yaml.SequenceStartEvent):
            seq = YamlSeq(self._line(event))
            for item in self.events:
                if isinstance(item, yaml.SequenceEndEvent):
                    return seq
                index = len(seq)
                seq.item_lines.append(self._line(item))
                seq.append(self._node(item, f"{path}[{index}]", depth + 1))
        if isinstance(event, yaml.MappingStartEvent):
            mapping = YamlMap(self._line(event))
            for key_event in self.events:
                if isinstance(key_event, yaml.MappingEndEvent):
                    return mapping
                self._check(key_event, path)
                if not isinstance(key_event, yaml.ScalarEvent):
                    raise self._fatal(key_event, path, "keys must be plain strings")
                key = key_event.value
                key_line = self._line(key_event)
                child = f"{path}.{key}" if path else key
                if key == "<<" and not key_event.style:
                    raise self._fatal(key_event, child, "merge keys (<<) are not allowed")
                value = self._node(next(self.events), child, depth + 1)
                if key in mapping:
                    first = mapping.key_lines[key]
                    self.problems.append(
                        YamlProblem(
                            key_line,
                            child,
                            f"duplicate key '{key}': first defined on line {first}",
                        )
                    )
                    continue
                mapping[key] = value
                mapping.key_lines[key] = key_line
        raise self._fatal(event, path, "unexpected YAML structure")  # pragma: no cover


def plain(value: Any) -> Any:
    """Strip line bookkeeping: plain dicts and lists, for JSON output and comparisons."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value
