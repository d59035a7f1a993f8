"""Split a Markdown document into front-matter and body exactly where MkDocs would.

MkDocs reads files with ``encoding="utf-8-sig"`` and universal newlines, then looks for a
``---`` block (closed by ``---`` or ``...``) or, failing that, MultiMarkdown ``key: value``
lines. Any file MkDocs would take metadata from must reach our validator too, so this module
mirrors ``mkdocs.utils.meta.get_data`` and explains, instead of ignoring, every near miss
(a leading blank line, an unclosed block, MultiMarkdown headers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The same expressions as mkdocs.utils.meta (MkDocs 1.6).
YAML_RE = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.UNICODE | re.DOTALL)
META_RE = re.compile(r"^[ ]{0,3}(?P<key>[A-Za-z0-9_-]+):\s*(?P<value>.*)")
META_MORE_RE = re.compile(r"^([ ]{4}|\t)(\s*)(?P<value>.*)")
_OPENING_RE = re.compile(r"^-{3}[ \t]*(?:\n|$)")
_CLOSING_LINE_RE = re.compile(r"^(?:\.{3}|-{3})[ \t]*$")


class DecodeError(ValueError):
    """The file is not UTF-8; ``line`` is where the first bad byte sits."""

    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line


def decode(raw: bytes) -> tuple[str, bool]:
    """Decode as MkDocs does (UTF-8, optional BOM, universal newlines).

    Returns the text and whether a byte-order mark was stripped.
    """
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DecodeError(
            line, f"not valid UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start}"
        ) from None
    has_bom = raw.startswith(b"\xef\xbb\xbf")
    return text.replace("\r\n", "\n").replace("\r", "\n"), has_bom


@dataclass(frozen=True)
class Split:
    """The result of splitting: YAML text (or None), where it and the body start."""

    yaml: str | None
    yaml_line: int
    body: str
    body_line: int
    problem: str | None = None
    problem_line: int = 1


def _multimarkdown_keys(text: str) -> list[str]:
    """The keys MkDocs would read as MultiMarkdown metadata, in order."""
    keys: list[str] = []
    key = None
    for line in text.split("\n"):
        if line.strip() == "":
            break
        if m := META_RE.match(line):
            key = m.group("key").lower().strip()
            keys.append(key)
        elif META_MORE_RE.match(line) and key:
            continue
        else:
            break
    return keys


def split(text: str) -> Split:
    """Split decoded text. ``problem`` is set when there is no usable front-matter."""
    if m := YAML_RE.match(text):
        rest = text[m.end() :]
        stripped = rest.lstrip("\n")
        body_line = text[: m.end()].count("\n") + (len(rest) - len(stripped)) + 1
        return Split(m.group(1), 2, stripped, body_line)

    if _OPENING_RE.match(text):
        lines = text.split("\n")
        for number, line in enumerate(lines[1:], start=2):
            if _CLOSING_LINE_RE.match(line):
                if number == 2:
                    problem = "front-matter is empty"
                else:
                    problem = (
                        f"the closing '{line.strip()}' on line {number} must be followed by a "
                        "newline (MkDocs ignores this front-matter)"
                    )
                return Split(None, 1, text, 1, problem, 1)
        return Split(
            None, 1, text, 1, "front-matter opened with '---' on line 1 is never closed", 1
        )

    stripped = text.lstrip("\n")
    if stripped != text and _OPENING_RE.match(stripped):
        first = len(text) - len(stripped) + 1
        return Split(
            None,
            1,
            text,
            1,
            f"front-matter must start on line 1, not line {first} "
            "(MkDocs ignores front-matter after a blank line)",
            1,
        )

    if keys := _multimarkdown_keys(text):
        return Split(
            None,
            1,
            text,
            1,
            f"MultiMarkdown-style metadata ('{keys[0]}: ...') is not supported: "
            "put the front-matter between '---' lines",
            1,
        )
    if text.strip() == "":
        return Split(None, 1, text, 1, "file is empty", 1)
    return Split(None, 1, text, 1, "no front-matter: the file must start with a '---' line", 1)
