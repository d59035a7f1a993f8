"""Listings for the follow-through commands: action items and stale runbooks, as text,
JSON, Markdown (for issues and pages) or CSV (for spreadsheets)."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from incident_kb.core.escaping import md_text
from incident_kb.documents.model import Runbook
from incident_kb.figures.actions import Item, state_words
from incident_kb.figures.freshness import Freshness

ITEM_FORMATS = ("text", "json", "markdown", "csv")
STALE_FORMATS = ("text", "json", "markdown")

#: What a spreadsheet may read as the start of a formula, after NFKC normalisation (which
#: folds the fullwidth ＝ ＋ － ＠ and the small ﹦ ﹢ ﹣ ﹫ into these).
_FORMULA_STARTS = frozenset("=+-@")
#: Unicode categories a spreadsheet may skip before it looks for a formula: controls,
#: format characters (zero-width and bidirectional marks) and spaces of every width.
_SKIPPED = frozenset({"Cc", "Cf", "Zs", "Zl", "Zp"})


def _cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run: text that could start a formula gets a quote.

    That is text starting with a tab or a line break, and text whose first character after
    any whitespace, controls and invisible marks is ``= + - @`` or a fullwidth or small form
    of one of them.
    """
    if not isinstance(value, str) or not value:
        return value
    if value[0] in "\t\r\n":
        return "'" + value
    for char in value:
        if char.isspace() or unicodedata.category(char) in _SKIPPED:
            continue
        if unicodedata.normalize("NFKC", char)[:1] in _FORMULA_STARTS:
            return "'" + value
        break
    return value


def _row(item: Item) -> dict[str, object]:
    return {
        "incident": item.postmortem.id,
        "index": item.item.index,
        "title": item.item.title,
        "owner": item.item.owner,
        "due": item.item.due.isoformat(),
        "status": item.item.status,
        "state": item.state,
        "days_overdue": item.days_overdue,
        "kind": item.item.kind,
        "completed_on": item.item.completed_on.isoformat() if item.item.completed_on else None,
        "tracker": item.item.tracker,
        "services": list(item.postmortem.services),
        "path": item.postmortem.source.path,
        "line": item.postmortem.source.line(f"action_items[{item.item.index}]"),
    }


def items(fmt: str, entries: Sequence[Item], today: date) -> str:
    """Action items in one of ITEM_FORMATS."""
    if fmt == "json":
        data = {
            "version": 1,
            "as_of": today.isoformat(),
            "count": len(entries),
            "overdue": sum(1 for e in entries if e.state == "overdue"),
            "items": [_row(e) for e in entries],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        fields = [
            "incident",
            "title",
            "owner",
            "due",
            "status",
            "state",
            "days_overdue",
            "kind",
            "completed_on",
            "tracker",
            "services",
        ]
        writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        for entry in entries:
            row = _row(entry)
            row["services"] = " ".join(entry.postmortem.services)
            writer.writerow({key: _cell(value) for key, value in row.items()})
        return out.getvalue()
    if fmt == "markdown":
        lines = [
            f"{len(entries)} action items as of {today.isoformat()}.",
            "",
            "| Due | State | Owner | Incident | Action |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {e.item.due.isoformat()} | {md_text(state_words(e))} | {md_text(e.item.owner)} | "
            f"{md_text(e.postmortem.id)} | {md_text(e.item.title)} |"
            for e in entries
        ]
        return "\n".join(lines) + "\n"
    width = max((len(e.item.owner) for e in entries), default=5)
    lines = [
        f"{e.item.due.isoformat()}  {state_words(e):<14} {e.item.owner:<{width}}  "
        f"{e.postmortem.id:<14} {' '.join(e.item.title.split())}"
        for e in entries
    ]
    lines.append(
        f"{len(entries)} action items, {sum(1 for e in entries if e.state == 'overdue')} overdue"
        f" (as of {today.isoformat()})"
    )
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class RunbookState:
    runbook: Runbook
    freshness: Freshness


def stale(fmt: str, entries: Sequence[RunbookState], today: date) -> str:
    """Stale and due-soon runbooks in one of STALE_FORMATS."""
    stale_ones = [e for e in entries if e.freshness.state == "stale"]
    soon = [e for e in entries if e.freshness.state == "due-soon"]
    if fmt == "json":
        data = {
            "version": 1,
            "as_of": today.isoformat(),
            "stale": [
                {
                    "id": e.runbook.id,
                    "title": e.runbook.title,
                    "owner": e.runbook.owner,
                    "path": e.runbook.source.path,
                    "last_reviewed": e.runbook.last_reviewed.isoformat(),
                    "next_review": e.freshness.next_review.isoformat(),
                    "reasons": [
                        {
                            "kind": r.kind,
                            "message": r.message,
                            "incident": r.incident,
                            "alert": r.alert,
                        }
                        for r in e.freshness.reasons
                    ],
                }
                for e in stale_ones
            ],
            "due_soon": [
                {
                    "id": e.runbook.id,
                    "owner": e.runbook.owner,
                    "next_review": e.freshness.next_review.isoformat(),
                }
                for e in soon
            ],
        }
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        lines = [f"{len(stale_ones)} stale runbooks as of {today.isoformat()}."]
        if stale_ones:
            lines += ["", "| Runbook | Owner | Last reviewed | Why |", "|---|---|---|---|"]
            for e in stale_ones:
                why = "; ".join(r.message for r in e.freshness.reasons)
                lines.append(
                    f"| {md_text(e.runbook.title)} (`{e.runbook.id}`) | "
                    f"{md_text(e.runbook.owner)} | {e.runbook.last_reviewed.isoformat()} | "
                    f"{md_text(why)} |"
                )
        if soon:
            lines += [
                "",
                "Due for review within the next days: "
                + ", ".join(f"`{e.runbook.id}` by {e.freshness.next_review}" for e in soon),
            ]
        return "\n".join(lines) + "\n"
    lines = []
    for e in stale_ones:
        for reason in e.freshness.reasons:
            lines.append(
                f"{e.runbook.source.path}:{e.runbook.source.line('last_reviewed')}: "
                f"{e.runbook.id}: {reason.message}"
            )
    for e in soon:
        lines.append(
            f"{e.runbook.source.path}:{e.runbook.source.line('last_reviewed')}: "
            f"{e.runbook.id}: review due by {e.freshness.next_review.isoformat()}"
        )
    lines.append(f"{len(stale_ones)} stale, {len(soon)} due soon (as of {today.isoformat()})")
    return "\n".join(lines) + "\n"
