"""The splitter agrees with MkDocs on which files carry metadata, and explains near misses."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from mkdocs.utils import meta

from incident_kb.documents.frontmatter import DecodeError, decode, split


def test_yaml_block_and_body_lines() -> None:
    text = "---\nid: x\ntitle: y\n---\n\n\n# Body\n"
    parts = split(text)
    assert parts.yaml == "id: x\ntitle: y\n"
    assert parts.yaml_line == 2
    assert parts.body == "# Body\n"
    assert parts.body_line == 7


def test_dots_terminator_and_trailing_spaces() -> None:
    parts = split("--- \nid: x\n...\t\nbody\n")
    assert parts.yaml == "id: x\n"
    assert parts.body == "body\n"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "file is empty"),
        ("\n\n", "file is empty"),
        ("---\n---\n", "front-matter is empty"),
        ("---\nid: x\n", "never closed"),
        ("---\nid: x\n---", "must be followed by a newline"),
        ("\n---\nid: x\n---\n", "must start on line 1"),
        ("Title: x\nAuthor: y\n\nbody\n", "MultiMarkdown-style"),
        ("# Just a page\n", "no front-matter"),
    ],
)
def test_near_misses_are_explained(text: str, fragment: str) -> None:
    parts = split(text)
    assert parts.yaml is None
    assert parts.problem is not None and fragment in parts.problem


def test_decode_strips_bom_and_normalises_newlines() -> None:
    text, bom = decode(b"\xef\xbb\xbf---\r\nid: x\r---\r\n")
    assert bom
    assert text == "---\nid: x\n---\n"


def test_decode_reports_line_of_bad_byte() -> None:
    with pytest.raises(DecodeError) as info:
        decode(b"---\nid: x\n---\n\nok\n\xff\n")
    assert info.value.line == 6


LINES = st.sampled_from(
    [
        "---",
        "...",
        "",
        " ",
        "id: x",
        "title: y",
        "Title: z",
        "    more",
        "# h",
        "- a",
        "---  ",
        "a:",
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(LINES, max_size=8), st.booleans())
def test_whatever_mkdocs_reads_metadata_from_is_never_skipped(lines: list[str], end: bool) -> None:
    """If MkDocs would take metadata from a file, we read the same YAML or report a problem."""
    text = "\n".join(lines) + ("\n" if end else "")
    _body, data = meta.get_data(text)
    parts = split(text)
    m = meta.YAML_RE.match(text)
    if m:
        assert parts.yaml == m.group(1)
    elif data:
        assert parts.yaml is None and parts.problem
