"""Small text helpers shared by every page: names, dates, durations, templates."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime

_SLUG_RE = re.compile(r"[^a-z0-9]+")


def fill(template: str, slots: Mapping[str, str]) -> str:
    """A vocabulary template with its ``{slot}`` names replaced."""
    return template.format_map(slots)


def with_article(noun: str) -> str:
    """``a`` or ``an`` before a noun phrase, by its first letter (good enough for names)."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def camel(service_id: str) -> str:
    """``mobile-gateway`` -> ``MobileGateway``, for alert names."""
    return "".join(part.capitalize() for part in service_id.split("-"))


def slugify(title: str, limit: int = 72) -> str:
    """A lower-case file-name slug, cut at a word boundary."""
    slug = _SLUG_RE.sub("-", title.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug or "incident"


def uncap(text: str) -> str:
    """Lower-case the first letter for use mid-sentence, keeping acronyms (``API``)."""
    return text if text[1:2].isupper() else text[:1].lower() + text[1:]


def cap(text: str) -> str:
    """Upper-case the first letter, for a template that starts with a lower-case slot."""
    return text[:1].upper() + text[1:]


def timestamp(moment: datetime) -> str:
    """RFC 3339 in UTC with a ``Z``, as front-matter and log lines write it."""
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def hm(moment: datetime) -> str:
    return moment.strftime("%H:%M")


def long_date(day: date) -> str:
    """``3 December 2024``: dates in prose."""
    return f"{day.day} {day.strftime('%B')} {day.year}"


def duration_text(minutes: int) -> str:
    """``45 minutes``, ``2 hours``, ``1 hour 5 minutes``."""
    if minutes < 60:
        return f"{minutes} minutes"
    hours, rest = divmod(minutes, 60)
    hours_text = f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{hours_text} {rest} minutes" if rest else hours_text


def thousands(value: int) -> str:
    return f"{value:,}"


def minutes_between(first: datetime, last: datetime) -> int:
    """Whole minutes from first to last (rounded down)."""
    return int((last - first).total_seconds() // 60)


def bullets(items: list[str]) -> str:
    """A Markdown bullet list."""
    return "\n".join(f"- {item}" for item in items)


def and_list(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) < 2:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
