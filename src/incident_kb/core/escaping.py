"""Escaping front-matter values for where they land in generated Markdown.

Generated pages are Markdown that MkDocs renders with whatever extensions a team enables
(attribute lists, emoji, magic links, math), and Material's templates do not autoescape.
So every value is made inert before it is written: whitespace (newlines included) is folded
so that a table keeps one row per item, and every character that any of those extensions
could read as syntax becomes a numeric character reference, which Markdown passes through
and the browser shows as the character itself.
"""

from __future__ import annotations

import html
from urllib.parse import quote, urlsplit

#: Characters that are syntax anywhere in a line in Markdown or a common extension:
#: emphasis, code, links, attribute lists {: }, tables |, HTML <&>, emoji :x:, math $,
#: magic links @ and #, critic and caret/tilde markup ~ ^ =, and quotes in attributes.
_SPECIAL = frozenset("\\`*_{}[]()#!|<>&:~^=$@\"'")
_URL_SAFE = "-._~:/?#@!$&*+,;=%"


class Md(str):
    """Markdown that is already safe to insert (built by us, never by a contributor)."""

    __slots__ = ()


def md_text(value: object) -> Md:
    """Plain text as inert Markdown on one line."""
    text = " ".join(str(value).split())
    out = "".join(f"&#{ord(c)};" if c in _SPECIAL else c for c in text)
    # A template may put a value at the start of a line: "- x" or "+ x" would start a list,
    # "1. x" or "1) x" an ordered one.
    if out[:1] in ("-", "+"):
        out = f"&#{ord(out[0])};" + out[1:]
    elif out[:1].isdigit():
        head = len(out) - len(out.lstrip("0123456789"))
        if out[head : head + 1] in (".", ")"):
            out = out[:head] + f"&#{ord(out[head])};" + out[head + 1 :]
    return Md(out)


def finalize(value: object) -> object:
    """Jinja's finalize hook: escape every printed value unless it is already Md."""
    if isinstance(value, Md):
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:g}" if isinstance(value, float) else str(value)
    return md_text(value)


def safe_url(url: str) -> str | None:
    """An http(s) URL percent-encoded so that no character can end a Markdown link or an
    HTML attribute; None for any other scheme (``javascript:`` and friends)."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return quote(url.strip(), safe=_URL_SAFE)


def md_link_destination(url: str) -> Md | None:
    """An http(s) URL as a Markdown link destination, or None for any other scheme.

    Python-Markdown copies a destination into ``href`` keeping anything shaped like a
    character reference, which the browser would then decode (``&quot;`` back into a
    quote, ``&#64;`` into a host-changing ``@``); so ``&`` is written as ``&amp;``.
    """
    safe = safe_url(url)
    return Md(safe.replace("&", "&amp;")) if safe is not None else None


def html_text(value: object) -> str:
    """Text for an HTML text or attribute context (quotes included)."""
    return html.escape(str(value), quote=True)
