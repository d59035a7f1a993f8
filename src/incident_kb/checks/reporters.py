"""Reporters: the same findings as text, JSON or GitHub workflow annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence

from incident_kb.core.findings import Finding, Level

FORMATS = ("text", "json", "github")


def text(findings: Sequence[Finding]) -> str:
    """``path:line: field: message``, one per line, errors without a level prefix."""
    return "".join(f.format() + "\n" for f in findings)


def as_json(findings: Sequence[Finding], documents: int) -> str:
    """A stable JSON document: findings in order, counts by level."""
    data = {
        "version": 1,
        "documents": documents,
        "summary": {level.value: sum(1 for f in findings if f.level is level) for level in Level},
        "findings": [
            {
                "path": f.path,
                "line": f.line,
                "field": f.field,
                "level": f.level.value,
                "rule": f.rule,
                "message": f.message,
            }
            for f in findings
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: annotations on the pull request's files."""
    out = []
    for f in findings:
        command = {"error": "error", "warning": "warning", "notice": "notice"}[f.level.value]
        out.append(
            f"::{command} file={_escape_property(f.path)},line={f.line},"
            f"title={_escape_property(f.field)}::{_escape_data(f.message)}\n"
        )
    return "".join(out)


def summary(findings: Sequence[Finding], documents: int) -> str:
    counts = {level: sum(1 for f in findings if f.level is level) for level in Level}

    def plural(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    return (
        f"checked {plural(documents, 'document')}: {plural(counts[Level.ERROR], 'error')}, "
        f"{plural(counts[Level.WARNING], 'warning')}, {plural(counts[Level.NOTICE], 'notice')}"
    )


def render(fmt: str, findings: Sequence[Finding], documents: int) -> str:
    if fmt == "json":
        return as_json(findings, documents)
    if fmt == "github":
        return github(findings)
    return text(findings)
