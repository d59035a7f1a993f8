"""The schemas are valid Draft 2020-12, closed, and document every field."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from incident_kb.documents.schema import load_schema, schema_names


def _properties(node: Any, where: str) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        for name, sub in node.get("properties", {}).items():
            yield f"{where}.{name}", sub
        for key, value in node.items():
            yield from _properties(value, f"{where}/{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _properties(value, f"{where}[{index}]")


@pytest.mark.parametrize("name", schema_names())
def test_schema_is_valid_2020_12(name: str) -> None:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("name", schema_names())
def test_every_property_has_a_description(name: str) -> None:
    missing = [
        where for where, sub in _properties(load_schema(name), name) if "description" not in sub
    ]
    assert missing == []


@pytest.mark.parametrize("name", [n for n in schema_names() if n != "common.schema.json"])
def test_objects_are_closed(name: str) -> None:
    def objects(node: Any) -> Iterator[dict[str, Any]]:
        if isinstance(node, dict):
            if "properties" in node:
                yield node
            for key, value in node.items():
                if key != "if":  # a condition restates properties; it defines none
                    yield from objects(value)
        elif isinstance(node, list):
            for value in node:
                yield from objects(value)

    assert all(o.get("additionalProperties") is False for o in objects(load_schema(name)))
