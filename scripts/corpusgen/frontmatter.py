"""Front-matter written by PyYAML's emitter, in the shape the project's strict reader wants.

Values are Python values (dates, datetimes, numbers, lists), never pre-quoted text;
quoting, escaping and layout are libyaml's. The output suits ``incident_kb.documents.yamlsafe``,
which keeps every plain scalar that is not null, a boolean or a number as a string:

* a datetime is written plain as RFC 3339 in UTC with ``Z`` (``2025-11-15T14:18:00Z``) and
  a date plain as ``2025-11-15``, both read back as the strings the schemas expect;
* a string that either the strict reader or YAML 1.1 would read as anything but a string
  (``1e3``, ``no``, ``null``, ``12:30``) is quoted;
* lists of plain values are flow lists (``services: [auth, edge]``), mappings are blocks,
  and no value is folded onto a second line;
* there are never anchors or aliases (the strict reader refuses them), even for a value
  that appears twice, such as a resolution time that is also the last status update.

The events go straight to the emitter. ``yaml.dump`` with representers for these rules
writes byte-identical text, but its node graph and serializer cost over three times as
much: half a second per thousand postmortems, about as long as the rest of a run.
"""

from __future__ import annotations

import functools
import math
from datetime import UTC, date, datetime
from typing import Any

import yaml
from yaml.events import (
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from yaml.nodes import ScalarNode

from incident_kb.documents.yamlsafe import resolve_plain

try:
    from yaml import CSafeDumper as _Dumper
except ImportError:  # pragma: no cover - pure-Python fallback, same output
    from yaml import SafeDumper as _Dumper  # type: ignore[assignment]

#: Wide enough that no value is folded onto a second line.
WIDTH = 10_000
_STR_TAG = "tag:yaml.org,2002:str"
_RESOLVER = yaml.resolver.Resolver()
#: A scalar that is not a string: written plain, and read back as what it is.
_TYPED = (True, False)
# The emitter only reads events, so the structural ones are made once.
_MAPPING_START = MappingStartEvent(None, None, True, flow_style=False)
_MAPPING_END = MappingEndEvent()
_FLOW_LIST_START = SequenceStartEvent(None, None, True, flow_style=True)
_BLOCK_LIST_START = SequenceStartEvent(None, None, True, flow_style=False)
_LIST_END = SequenceEndEvent()


def _may_be_plain(text: str) -> bool:
    """True if ``text`` unquoted reads back as this string, by YAML 1.1 and by the strict
    reader alike (the emitter may still quote it, for its own reasons)."""
    resolved = _RESOLVER.resolve(ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
    return resolved == _STR_TAG and isinstance(resolve_plain(text), str)


@functools.lru_cache(maxsize=16384)
def _text_event(text: str) -> ScalarEvent:
    """One event per distinct string (names, states, kinds) serves every document."""
    return ScalarEvent(None, None, (_may_be_plain(text), True), text)


@functools.lru_cache(maxsize=4096)
def _date_event(day: date) -> ScalarEvent:
    return ScalarEvent(None, None, _TYPED, day.isoformat())


def _float_text(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError(f"front-matter numbers are finite: {value!r}")
    text = repr(value)
    # YAML 1.1 reads 1e-05 as a string: it needs a dot (what PyYAML's representer does).
    return text.replace("e", ".0e", 1) if "." not in text and "e" in text else text


def _scalar(value: Any) -> ScalarEvent | None:
    """The event of a plain value, or None for a list or a mapping."""
    if isinstance(value, str):
        return _text_event(value)
    if isinstance(value, bool):
        return ScalarEvent(None, None, _TYPED, "true" if value else "false")
    if isinstance(value, int):
        return ScalarEvent(None, None, _TYPED, str(value))
    if isinstance(value, float):
        return ScalarEvent(None, None, _TYPED, _float_text(value))
    if isinstance(value, datetime):
        if value.utcoffset() != UTC.utcoffset(None):
            raise ValueError(f"front-matter times are in UTC: {value!r}")
        return ScalarEvent(None, None, _TYPED, value.strftime("%Y-%m-%dT%H:%M:%SZ"))
    if isinstance(value, date):
        return _date_event(value)
    return None


def _events(value: Any, out: list[Event]) -> None:
    """Append the events of ``value``; plain children are handled inline (most values are)."""
    if isinstance(value, dict):
        out.append(_MAPPING_START)
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"front-matter keys are strings: {key!r}")
            out.append(_text_event(key))
            event = _scalar(item)
            if event is None:
                _events(item, out)
            else:
                out.append(event)
        out.append(_MAPPING_END)
    elif isinstance(value, list | tuple):
        children = [_scalar(item) for item in value]
        flow = all(event is not None for event in children)
        out.append(_FLOW_LIST_START if flow else _BLOCK_LIST_START)
        for item, event in zip(value, children, strict=True):
            if event is None:
                _events(item, out)
            else:
                out.append(event)
        out.append(_LIST_END)
    elif (event := _scalar(value)) is not None:
        out.append(event)
    else:
        raise TypeError(f"no front-matter form for {type(value).__name__}: {value!r}")


def dump(data: dict[str, Any]) -> str:
    """``data`` as YAML, keys in the order given."""
    events: list[Event] = [StreamStartEvent(), DocumentStartEvent(explicit=False)]
    _events(data, events)
    events += [DocumentEndEvent(explicit=False), StreamEndEvent()]
    text: str = yaml.emit(events, Dumper=_Dumper, width=WIDTH, allow_unicode=True)
    return text


def document(front: dict[str, Any], body: str) -> str:
    """A Markdown document: front-matter between ``---`` fences, a blank line, the body."""
    return f"---\n{dump(front)}---\n\n{body}"


def number(value: float) -> float | int:
    """Whole numbers without ``.0`` (``99``, ``12.5``), as people write them."""
    return int(value) if value.is_integer() else value
