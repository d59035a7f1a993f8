"""Reading Markdown bodies the way a reader sees them: outside code, with file lines.

``[[ID]]`` links, section headings and blame phrases are only meaningful in prose, so every
scan skips fenced code blocks and inline code spans (a runbook's ``[[ -f x ]]`` in a shell
snippet is not a link).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_INLINE_CODE_RE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_HEADING_RE = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
LINK_RE = re.compile(r"\[\[([A-Za-z0-9][A-Za-z0-9_-]*)\]\]")


def prose_lines(body: str, first_line: int) -> Iterator[tuple[int, str]]:
    """(file line, text) for every line outside fenced code, inline code blanked out."""
    fence = ""
    for offset, line in enumerate(body.split("\n")):
        m = _FENCE_RE.match(line)
        if fence:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = ""
            continue
        if m:
            fence = m.group(1)
            continue
        yield first_line + offset, _INLINE_CODE_RE.sub(lambda c: " " * len(c.group(0)), line)


def headings(body: str, first_line: int) -> Iterator[tuple[int, int, str]]:
    """(file line, level, text) of every ATX heading outside code."""
    for number, line in prose_lines(body, first_line):
        if m := _HEADING_RE.match(line):
            yield number, len(m.group(1)), m.group(2).strip()


def links(body: str, first_line: int) -> Iterator[tuple[int, str]]:
    """(file line, id) for every ``[[ID]]`` outside code."""
    for number, line in prose_lines(body, first_line):
        for m in LINK_RE.finditer(line):
            yield number, m.group(1)


def normalise_heading(text: str) -> str:
    """Compare headings loosely: case, surrounding punctuation and spacing do not matter."""
    return re.sub(r"\s+", " ", text).strip(" \t:.").casefold()
