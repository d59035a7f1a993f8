"""Ordinary pages (any Markdown under docs/ that is not one of our document kinds): their
front-matter read by the strict loader, and only keys the theme knows passed on, escaped.

MkDocs would parse these blocks itself (aliases and custom tags included) and Material
prints ``description``, ``tags`` and ``title`` into the page without escaping; so the build
hands MkDocs a front-matter block written here instead, and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from incident_kb.core.escaping import html_text
from incident_kb.core.findings import CONTROL_CHARACTERS, Findings, Level
from incident_kb.documents import yamlsafe
from incident_kb.documents.frontmatter import split
from incident_kb.documents.loading import read_text
from incident_kb.documents.yamlsafe import YamlMap

#: Material's ``hide`` values.
HIDE_VALUES = frozenset({"navigation", "toc", "footer", "feedback", "tags", "path"})
_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_/-]*$")
#: Tabs and newlines are folded into spaces in these values; other controls are refused.
_CONTROL_RE = re.compile(f"(?![\t\n])[{CONTROL_CHARACTERS}]")
MAX_TEXT = 1000
MAX_TAGS = 50
#: The keys passed to the theme, and what each holds.
#: (``template`` and ``icon`` are not among them: a name the theme lacks stops the build.)
KNOWN_KEYS = ("title", "description", "subtitle", "tags", "hide", "search", "status")


@dataclass(frozen=True)
class OrdinaryPage:
    """An ordinary page as the build hands it to MkDocs: checked front-matter and body."""

    body: str
    body_line: int = 1
    meta: dict[str, Any] = field(default_factory=dict)


def read_page(path: Path, shown: str, findings: Findings) -> OrdinaryPage | None:
    """Read one ordinary page; None when it cannot be read at all (a finding says why)."""
    text = read_text(path, shown, findings)
    if text is None:
        return None
    parts = split(text)
    if parts.yaml is None:
        return OrdinaryPage(parts.body, parts.body_line)  # a page needs no front-matter
    tree, problems = yamlsafe.load(parts.yaml, parts.yaml_line)
    for problem in problems:
        findings.add(shown, problem.line, problem.path or "(front-matter)", problem.message)
    if problems:
        return OrdinaryPage(parts.body, parts.body_line)
    if tree is not None and not isinstance(tree, YamlMap):
        findings.add(shown, 2, "(front-matter)", "front-matter must be a mapping of keys")
        return OrdinaryPage(parts.body, parts.body_line)
    meta = theme_meta(tree or YamlMap(2), shown, findings)
    return OrdinaryPage(parts.body, parts.body_line, meta)


def _text(value: Any, key: str, line: int, shown: str, findings: Findings) -> str | None:
    if not isinstance(value, str) or not value.strip():
        findings.add(shown, line, key, "must be a non-empty string", rule="page-meta")
        return None
    if _CONTROL_RE.search(value):
        findings.add(shown, line, key, "must not contain control characters", rule="page-meta")
        return None
    if len(value) > MAX_TEXT:
        findings.add(shown, line, key, f"must be at most {MAX_TEXT} characters", rule="page-meta")
        return None
    return html_text(" ".join(value.split()))


def theme_meta(tree: YamlMap, shown: str, findings: Findings) -> dict[str, Any]:
    """The keys the theme may see, each value checked and escaped for HTML."""
    meta: dict[str, Any] = {}
    for key, value in tree.items():
        line = tree.key_lines.get(key, tree.line)
        if key in ("title", "description", "subtitle"):
            if (text := _text(value, key, line, shown, findings)) is not None:
                meta[key] = text
        elif key == "tags":
            tags = _list(value, key, line, shown, findings)
            if tags is not None:
                escaped = [_text(tag, f"{key}[{i}]", line, shown, findings) for i, tag in tags]
                meta[key] = sorted({tag for tag in escaped if tag is not None})
        elif key == "hide":
            hide = _list(value, key, line, shown, findings)
            if hide is not None:
                kept = []
                for index, item in hide:
                    if isinstance(item, str) and item in HIDE_VALUES:
                        kept.append(item)
                    else:
                        findings.add(
                            shown,
                            line,
                            f"hide[{index}]",
                            f"must be one of {', '.join(sorted(HIDE_VALUES))}",
                            rule="page-meta",
                        )
                meta[key] = kept
        elif key == "search":
            if (search := _search(value, line, shown, findings)) is not None:
                meta[key] = search
        elif key == "status":
            if isinstance(value, str) and _NAME_RE.match(value) and len(value) <= 100:
                meta[key] = value
            else:
                findings.add(
                    shown,
                    line,
                    key,
                    "must be a name of lower-case letters, digits, '-', '_' and '/'",
                    rule="page-meta",
                )
        else:
            findings.add(
                shown,
                line,
                str(key),
                f"not passed to the theme: pages may set {', '.join(KNOWN_KEYS)}",
                level=Level.WARNING,
                rule="page-meta",
            )
    return meta


def _list(
    value: Any, key: str, line: int, shown: str, findings: Findings
) -> list[tuple[int, Any]] | None:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or len(value) > MAX_TAGS:
        findings.add(
            shown, line, key, f"must be a list of at most {MAX_TAGS} strings", rule="page-meta"
        )
        return None
    return list(enumerate(value))


def _search(value: Any, line: int, shown: str, findings: Findings) -> dict[str, Any] | None:
    if not isinstance(value, dict):
        findings.add(shown, line, "search", "must be a mapping", rule="page-meta")
        return None
    kept: dict[str, Any] = {}
    for key, item in value.items():
        if (key == "exclude" and isinstance(item, bool)) or (
            key == "boost"
            and isinstance(item, int | float)
            and not isinstance(item, bool)
            and 0 <= item <= 10
        ):
            kept[key] = item
        else:
            findings.add(
                shown,
                line,
                f"search.{key}",
                "search may set exclude (true or false) and boost (0 to 10)",
                rule="page-meta",
            )
    return kept
