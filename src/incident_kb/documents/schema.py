"""JSON Schema validation of front-matter, with messages a contributor can act on.

The schemas in ``schemas/`` are the contract; this module compiles each once, checks
``date`` and ``date-time`` formats with our own parsers (so ``2025-02-30`` and timestamps
without a timezone fail with a reason), and turns jsonschema errors into findings located
at the line of the offending key.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import urljoin

import jsonschema
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from incident_kb.core.timeutil import parse_date, parse_timestamp
from incident_kb.documents.yamlsafe import YamlMap, YamlSeq

KIND_SCHEMAS = {
    "postmortem": "postmortem.schema.json",
    "runbook": "runbook.schema.json",
    "service": "service.schema.json",
    "severity-policy": "severity-policy.schema.json",
}


#: Where the schemas are registered for resolving their references. The files carry no
#: ``$id``: a ``$ref`` such as ``common.schema.json#/$defs/date`` resolves against wherever a
#: file is read from (a local path, /schemas/ on the site), so no tool goes online for it.
BASE = "file:///incident-kb/schemas/"


def bundled(name: str) -> dict[str, Any]:
    """A schema with every reference to another file inlined: one file, valid on its own."""
    inlined: dict[str, Any] = _inline(load_schema(name), BASE + name)
    return inlined


def schema_names() -> list[str]:
    """Every schema file shipped with the package."""
    return sorted(
        p.name
        for p in resources.files("incident_kb.documents").joinpath("schemas").iterdir()
        if p.name.endswith(".schema.json")
    )


@cache
def load_schema(name: str) -> dict[str, Any]:
    text = (
        resources.files("incident_kb.documents")
        .joinpath("schemas", name)
        .read_text(encoding="utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data


@cache
def _registry() -> Registry:
    registry: Registry = Registry()
    for name in schema_names():
        schema = load_schema(name)
        registry = registry.with_resource(BASE + name, Resource.from_contents(schema))
    return registry


_FORMATS = FormatChecker(formats=())


@_FORMATS.checks("date", raises=ValueError)
def _is_date(value: object) -> bool:
    if isinstance(value, str):
        parse_date(value)
    return True


@_FORMATS.checks("date-time", raises=ValueError)
def _is_timestamp(value: object) -> bool:
    if isinstance(value, str):
        parse_timestamp(value)
    return True


#: Keywords that only describe: merged beside an inlined ``$ref`` without changing its meaning.
_ANNOTATIONS = frozenset({"description", "title", "examples", "default", "$comment", "x-error"})


def _inline(node: Any, base: str, seen: tuple[str, ...] = ()) -> Any:
    """``node`` with every ``$ref`` replaced by what it points at.

    jsonschema resolves a ``$ref`` through the registry each time an instance reaches it,
    and that lookup was most of the time spent validating a large knowledge base. Our
    schemas refer to shared definitions only, never to themselves, so they can be inlined
    once; a reference cycle is left as a ``$ref`` for the registry to follow.
    """
    if isinstance(node, list):
        return [_inline(item, base, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        resolved = _registry().resolver(base_uri=base).lookup(ref)
        document = ref.partition("#")[0]
        target_base = urljoin(base, document) if document else base
        key = f"{target_base}#{ref.partition('#')[2]}"
        if key in seen:
            return node
        target = _inline(resolved.contents, target_base, (*seen, key))
        siblings = {k: _inline(v, base, seen) for k, v in node.items() if k != "$ref"}
        if isinstance(target, dict) and not (set(siblings) - _ANNOTATIONS) & set(target):
            return {**target, **siblings}
        return {"allOf": [target], **siblings}
    return {key: _inline(value, base, seen) for key, value in node.items()}


@cache
def validator(kind: str) -> Draft202012Validator:
    """The compiled validator for a document kind (compiled once per process), over the
    schema with its references inlined."""
    schema = load_schema(KIND_SCHEMAS[kind])
    inlined = _inline(schema, BASE + KIND_SCHEMAS[kind])
    return Draft202012Validator(inlined, registry=_registry(), format_checker=_FORMATS)


@dataclass(frozen=True)
class SchemaProblem:
    """A schema violation: dotted field path, file line and message."""

    field: str
    line: int
    message: str
    suggests: str | None = None  # for an unknown key: the field it is probably a typo of


def field_path(parts: Sequence[str | int]) -> str:
    """``['action_items', 0, 'due']`` -> ``action_items[0].due``."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def line_of(tree: Any, parts: Sequence[str | int], default: int) -> int:
    """The line of the deepest key or item along ``parts`` that exists in ``tree``."""
    line = default
    node = tree
    for part in parts:
        if isinstance(node, YamlMap) and isinstance(part, str) and part in node:
            line = node.key_lines.get(part, line)
            node = node[part]
        elif isinstance(node, YamlSeq) and isinstance(part, int) and part < len(node):
            line = node.item_lines[part]
            node = node[part]
        else:
            break
    return line


def _typename(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "list"
    return "mapping"


_TYPE_WORDS = {
    "object": "a mapping",
    "array": "a list",
    "string": "a string",
    "integer": "a whole number",
    "number": "a number",
    "boolean": "true or false",
}


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _hint(value: Any, choices: Sequence[Any]) -> str:
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, [str(c) for c in choices], n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _first_forbidden(pattern: object, instance: object) -> str:
    """Where the first character an ``x-forbidden`` class names sits in ``instance``, such as
    `` (U+202E at character 7)``: an invisible character is hard to find otherwise."""
    if not isinstance(pattern, str) or not isinstance(instance, str):
        return ""
    found = re.search(pattern, instance)
    return f" (U+{ord(found.group()):04X} at character {found.start() + 1})" if found else ""


def _problems(error: ValidationError, tree: Any, top_line: int) -> Iterator[SchemaProblem]:
    parts: list[str | int] = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    validator_name = error.validator
    instance = error.instance

    if validator_name == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(schema.get("properties", {}))
        extras = sorted(set(instance) - set(allowed))
        for key in extras:
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            if key == "<<":
                message = "merge keys (<<) are not allowed"
            else:
                message = f"unknown key '{key}'" + (
                    f" (did you mean '{close[0]}'?)" if close else ""
                )
            yield SchemaProblem(
                field_path([*parts, key]),
                line_of(tree, [*parts, key], top_line),
                message,
                field_path([*parts, close[0]]) if close else None,
            )
        return
    if validator_name == "additionalProperties" or validator_name == "propertyNames":
        pass
    if validator_name == "required":
        missing = str(error.message).split("'")[1] if "'" in str(error.message) else "?"
        line = top_line if not parts else line_of(tree, parts, top_line)
        yield SchemaProblem(field_path([*parts, missing]), line, "missing required field")
        return

    if "x-error" in schema and validator_name in ("pattern", "not"):
        extra = schema.get("x-field")
        target = [*parts, extra] if isinstance(extra, str) else parts
        message = schema["x-error"] + _first_forbidden(schema.get("x-forbidden"), instance)
        yield SchemaProblem(field_path(target), line_of(tree, target, top_line), message)
        return

    line = line_of(tree, parts, top_line)
    path = field_path(parts)
    if validator_name == "type":
        expected = schema.get("type")
        words = (
            " or ".join(_TYPE_WORDS.get(str(t), str(t)) for t in expected)
            if isinstance(expected, list)
            else _TYPE_WORDS.get(str(expected), str(expected))
        )
        message = f"must be {words}, not {_typename(instance)} {_shown(instance)}"
    elif validator_name == "enum":
        choices = schema.get("enum", [])
        message = (
            f"{_shown(instance)} is not one of: {', '.join(str(c) for c in choices)}"
            f"{_hint(instance, choices)}"
        )
    elif validator_name == "format":
        fmt = schema.get("format")
        try:
            (parse_date if fmt == "date" else parse_timestamp)(str(instance))
            message = f"{_shown(instance)} is not a valid {fmt}"
        except ValueError as exc:
            message = str(exc)
    elif validator_name in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        low = schema.get("minimum", schema.get("exclusiveMinimum"))
        high = schema.get("maximum", schema.get("exclusiveMaximum"))
        if low is not None and high is not None:
            message = f"must be between {low} and {high}, not {_shown(instance)}"
        elif low is not None:
            message = f"must be at least {low}, not {_shown(instance)}"
        else:
            message = f"must be at most {high}, not {_shown(instance)}"
        if validator_name.startswith("exclusive"):
            message = message.replace("between", "strictly between").replace(
                "at least", "more than"
            )
    elif validator_name == "minItems":
        message = (
            "must list at least one item" if schema.get("minItems") == 1 else str(error.message)
        )
    elif validator_name == "minProperties":
        message = "must name at least one entry"
    elif validator_name == "minLength":
        message = "must not be empty"
    elif validator_name == "maxLength" and isinstance(instance, str):
        message = f"must be at most {schema.get('maxLength')} characters long, not {len(instance)}"
    elif validator_name == "uniqueItems" and isinstance(instance, list):
        seen: set[str] = set()
        dupes = []
        for item in instance:
            key = json.dumps(item, sort_keys=True)
            if key in seen:
                dupes.append(item)
            seen.add(key)
        message = f"{_shown(dupes[0]) if dupes else 'an item'} is listed more than once"
    elif validator_name == "const":
        message = f"must be {_shown(schema.get('const'))}"
    else:
        message = str(error.message)
    yield SchemaProblem(path, line, message)


def validate(kind: str, tree: Any, top_line: int = 1) -> list[SchemaProblem]:
    """Every schema problem in ``tree``, one per offending field, sorted by line."""
    problems: dict[tuple[str, str], SchemaProblem] = {}
    for error in validator(kind).iter_errors(tree):
        for leaf in _leaves(error):
            for problem in _problems(leaf, tree, top_line):
                problems.setdefault((problem.field, problem.message), problem)
    # A misspelt required key is one problem, not two: keep the "did you mean" finding.
    typos = {p.suggests for p in problems.values() if p.suggests}
    kept = [
        p
        for p in problems.values()
        if not (p.message == "missing required field" and p.field in typos)
    ]
    return sorted(kept, key=lambda p: (p.line, p.field, p.message))


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """Unwrap allOf/if-then wrappers to the errors that say something specific."""
    if error.validator in ("allOf", "anyOf", "oneOf") and error.context:
        for sub in error.context:
            yield from _leaves(sub)
    else:
        yield error


__all__ = ["KIND_SCHEMAS", "SchemaProblem", "field_path", "jsonschema", "line_of", "validate"]
