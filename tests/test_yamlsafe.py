"""The strict YAML reader: refuses what can hurt, keeps strings as strings, knows its lines."""

from __future__ import annotations

import pytest

from incident_kb.documents.yamlsafe import MAX_DEPTH, YamlMap, YamlSeq, flow_depth, load


def ok(text: str) -> object:
    value, problems = load(text, 2)
    assert problems == []
    return value


def problem(text: str) -> tuple[int, str, str]:
    value, problems = load(text, 2)
    assert value is None or problems, (value, problems)
    assert problems
    first = problems[0]
    return first.line, first.path, first.message


def test_scalars_resolve_like_json_and_nothing_else() -> None:
    value = ok(
        "a: no\nb: 1:30\nc: 0755\nd: 2025-11-15\ne: 2025-11-15T14:18:00Z\n"
        "f: 15\ng: 1.5\nh: true\ni: null\nj: '15'\nk: ~\nl: .inf\nm: 0x1F\nn: 1e3\n"
    )
    assert value == {
        "a": "no",
        "b": "1:30",
        "c": "0755",
        "d": "2025-11-15",
        "e": "2025-11-15T14:18:00Z",
        "f": 15,
        "g": 1.5,
        "h": True,
        "i": None,
        "j": "15",
        "k": None,
        "l": ".inf",
        "m": "0x1F",
        "n": 1000.0,
    }


def test_lines_of_keys_and_items() -> None:
    value = ok("id: x\nlist:\n  - a\n  - b: 1\n    c: 2\n")
    assert isinstance(value, YamlMap)
    assert value.key_lines == {"id": 2, "list": 3}
    items = value["list"]
    assert isinstance(items, YamlSeq)
    assert items.item_lines == [4, 5]
    assert items[1].key_lines == {"b": 5, "c": 6}


@pytest.mark.parametrize(
    ("text", "line", "path", "fragment"),
    [
        ("a: 1\nb: &anchor 2\n", 3, "b", "anchors (&anchor)"),
        ("a: 1\nb: *x\n", 3, "b", "aliases (*x)"),
        ("a: !!python/object:os.system 1\n", 2, "a", "tags (!!python/object:os.system)"),
        ("a: !!str 1\n", 2, "a", "tags (!!str)"),
        ("a: !custom {}\n", 2, "a", "tags (!custom)"),
        ("<<: {a: 1}\n", 2, "<<", "merge keys"),
        ("%YAML 1.1\n---\na: 1\n", 2, "", "directives"),
        ("a: [1\n", 3, "", "invalid YAML"),
    ],
)
def test_refused_constructs(text: str, line: int, path: str, fragment: str) -> None:
    got_line, got_path, message = problem(text)
    assert (got_line, got_path) == (line, path)
    assert fragment in message


def test_duplicate_keys_name_both_lines() -> None:
    value, problems = load("a: 1\nb:\n  c: 1\n  c: 2\n", 2)
    assert [(p.line, p.path, p.message) for p in problems] == [
        (5, "b.c", "duplicate key 'c': first defined on line 4")
    ]
    assert value == {"a": 1, "b": {"c": 1}}


def test_alias_bomb_is_refused_without_expanding() -> None:
    bomb = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
        for i in range(9)
    )
    line, _path, message = problem(bomb)
    assert (line, message) == (2, "anchors (&a) are not allowed")  # refused at the first


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 30_000])
def test_deep_flow_nesting_is_refused_before_parsing(depth: int) -> None:
    text = "x: " + "[" * depth + "]" * depth + "\n"
    assert flow_depth(text)[0] == depth
    _line, _path, message = problem(text)
    assert "deeper than 20" in message


def test_deep_block_nesting_is_refused() -> None:
    text = "x:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 30))
    _line, _path, message = problem(text)
    assert "deeper than 20" in message


def test_brackets_in_quotes_and_comments_do_not_count() -> None:
    assert flow_depth("a: '[[[['\nb: \"{{{{\" # [[[[\n")[0] == 0


def test_size_cap() -> None:
    _line, _path, message = problem("a: " + "x" * 70_000 + "\n")
    assert "limit is 65536 bytes" in message


def test_keys_must_be_scalars() -> None:
    _line, _path, message = problem("? [a, b]\n: 1\n")
    assert "keys must be plain strings" in message
