"""Reading Markdown bodies the way a reader sees them: outside code, with file lines.

``[[ID]]`` links, section headings and blame phrases are only meaningful in prose, so every
scan skips fenced code blocks and inline code spans (a runbook's ``[[ -f x ]]`` in a shell
snippet is not a link).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator

# Fences may sit inside list items, so any indentation opens one (CommonMark allows up to
# three spaces more than the list item's content; runbook steps nest deeper).
_FENCE_RE = re.compile(r"^[ \t]*(`{3,}|~{3,})")
_LIST_ITEM_RE = re.compile(r"^ {0,3}(?:[-+*]|\d{1,9}[.)])(?:[ \t]|$)")
_BACKTICKS_RE = re.compile(r"`+")
_HEADING_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*))?$")
LINK_RE = re.compile(r"\[\[([A-Za-z0-9][A-Za-z0-9_-]*)\]\]")


def _indent(line: str) -> int:
    return len(line.expandtabs(4)) - len(line.expandtabs(4).lstrip(" "))


def fence_states(body: str) -> list[bool]:
    """For each line of ``body``: whether it is code (fenced, fences included, or an
    indented code block outside a list), where ``[[ID]]`` and headings mean nothing."""
    states: list[bool] = []
    fence = ""
    in_list = False
    previous_blank = True
    in_indented_code = False
    for line in body.split("\n"):
        blank = line.strip() == ""
        m = _FENCE_RE.match(line)
        if fence:
            states.append(True)
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = ""
            previous_blank = False
            continue
        if m:
            fence = m.group(1)
            states.append(True)
            previous_blank = False
            continue
        indented = not blank and _indent(line) >= 4
        if indented and not in_list and (previous_blank or in_indented_code):
            in_indented_code = True
            states.append(True)
            previous_blank = False
            continue
        if not blank:
            in_indented_code = False
            if _LIST_ITEM_RE.match(line):
                in_list = True
            elif _indent(line) == 0 and previous_blank:
                in_list = False
        states.append(False)
        previous_blank = blank
    return states


def prose_lines(body: str, first_line: int) -> Iterator[tuple[int, str]]:
    """(file line, text) for every line outside fenced code, inline code blanked out."""
    lines = body.split("\n")
    for offset, (line, in_code) in enumerate(zip(lines, fence_states(body), strict=True)):
        if not in_code:
            yield first_line + offset, blank_code_spans(line)


def code_span_ranges(line: str) -> list[tuple[int, int]]:
    """(start, end) of every inline code span, in O(n log n) whatever the input.

    A span opens with a run of backticks and closes at the next run of the same length
    (CommonMark); a regex with backreferences would take quadratic time on hostile lines.
    """
    if "`" not in line:
        return []
    runs = [(m.start(), m.end()) for m in _BACKTICKS_RE.finditer(line)]
    by_length: dict[int, list[int]] = defaultdict(list)
    for index, (start, end) in enumerate(runs):
        by_length[end - start].append(index)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(runs):
        start, end = runs[i]
        same = by_length[end - start]
        j = bisect_right(same, i)
        if j == len(same):
            i += 1
            continue
        spans.append((start, runs[same[j]][1]))
        i = same[j] + 1
    return spans


def blank_code_spans(line: str) -> str:
    """Replace inline code spans with spaces (same length, so columns stay put)."""
    parts: list[str] = []
    last = 0
    for start, end in code_span_ranges(line):
        parts += (line[last:start], " " * (end - start))
        last = end
    parts.append(line[last:])
    return "".join(parts)


def headings(body: str, first_line: int) -> Iterator[tuple[int, int, str]]:
    """(file line, level, text) of every ATX heading outside code."""
    for number, line in prose_lines(body, first_line):
        if m := _HEADING_RE.match(line):
            yield number, len(m.group(1)), _heading_text(m.group(2) or "")


def _heading_text(rest: str) -> str:
    """Heading text without an optional closing run of #s (linear, no regex backtracking)."""
    text = rest.rstrip(" \t")
    bare = text.rstrip("#")
    if bare != text and (bare == "" or bare[-1] in " \t"):
        text = bare
    return text.strip(" \t")


def links(body: str, first_line: int) -> Iterator[tuple[int, str]]:
    """(file line, id) for every ``[[ID]]`` outside code."""
    if "[[" not in body:
        return
    for number, line in prose_lines(body, first_line):
        for m in LINK_RE.finditer(line):
            yield number, m.group(1)


def split_title(body: str) -> tuple[str, str]:
    """(leading ``# Title`` line, rest): a card goes under the page's own H1, not above it."""
    stripped = body.lstrip("\n")
    first, _, rest = stripped.partition("\n")
    m = _HEADING_RE.match(first)
    if m and len(m.group(1)) == 1:
        return first, rest
    return "", body


def normalise_heading(text: str) -> str:
    """Compare headings loosely: case, surrounding punctuation and spacing do not matter."""
    return re.sub(r"\s+", " ", text).strip(" \t:.").casefold()
