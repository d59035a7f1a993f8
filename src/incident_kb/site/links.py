"""Links between documents: ``[[ID]]`` rewriting, backlinks and similar incidents.

Links are written as relative paths to the target's Markdown source, so that MkDocs checks
them and turns them into URLs for either ``use_directory_urls`` setting.
"""

from __future__ import annotations

import heapq
import posixpath
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from itertools import combinations
from urllib.parse import quote

from incident_kb.documents.bodytext import LINK_RE, blank_code_spans, fence_states
from incident_kb.documents.model import (
    Document,
    KnowledgeBase,
    Postmortem,
    Runbook,
    Service,
    title_of,
)


@dataclass(frozen=True)
class Target:
    """Where an id points: its source file (relative to docs_dir) and its title."""

    src_uri: str
    title: str


def relative(from_src: str, to_src: str) -> str:
    """A relative link from one Markdown source to another, both relative to docs_dir,
    percent-encoded: a file name is user input too, and a ``)`` or ``<`` in it must not end
    the link. MkDocs decodes the path again when it resolves the link."""
    return quote(posixpath.relpath(to_src, posixpath.dirname(from_src) or "."), safe="/")


def targets(kb: KnowledgeBase, src_uri: Callable[[Document], str]) -> dict[str, Target]:
    """Every linkable id (postmortems, runbooks, services). Ambiguous ids are left out:
    validation reports them, and a link must never guess."""
    table: dict[str, Target] = {}
    ambiguous: set[str] = set()
    docs: list[Postmortem | Runbook | Service] = [
        *kb.postmortem_by_id.values(),
        *kb.runbook_by_id.values(),
        *kb.service_by_id.values(),
    ]
    for doc in docs:
        if doc.id in table:
            ambiguous.add(doc.id)
        table[doc.id] = Target(src_uri(doc), title_of(doc))
    for doc_id in ambiguous:
        del table[doc_id]
    return table


def replace_wikilinks(
    markdown: str,
    from_src: str,
    table: Mapping[str, Target],
    render: Callable[[str, str], str],
) -> str:
    """Replace ``[[ID]]`` in prose with ``render(title, relative_path)``.

    Code (fenced, indented or inline) is left alone, and so is anything inside a raw HTML
    tag or comment: Python-Markdown turns a Markdown link into ``<a href="...">`` before it
    looks at raw HTML, so a link written into ``<a title="[[ID]]">`` would end the attribute
    and leave broken markup. Unknown ids stay as they are (validation has already reported
    them).
    """
    if "[[" not in markdown:
        return markdown
    lines = markdown.split("\n")
    states = fence_states(markdown)
    out: list[str] = []
    index = 0
    while index < len(lines):
        if states[index] or not lines[index].strip():
            out.append(lines[index])
            index += 1
            continue
        # A paragraph: raw HTML may span its lines, never a blank line or code.
        stop = index
        while stop < len(lines) and not states[stop] and lines[stop].strip():
            stop += 1
        block = "\n".join(lines[index:stop])
        if "[[" in block:
            block = _replace_in_prose(block, from_src, table, render)
        out.append(block)
        index = stop
    return "\n".join(out)


def _replace_in_prose(
    block: str,
    from_src: str,
    table: Mapping[str, Target],
    render: Callable[[str, str], str],
) -> str:
    # Inline code blanked to spaces (same length): no link and no tag starts inside it.
    masked = "\n".join(blank_code_spans(line) for line in block.split("\n"))
    tags = html_tag_ranges(masked) if "<" in masked else []
    starts = [start for start, _ in tags]  # sorted, and the ranges do not overlap
    rendered: dict[str, str] = {}  # a page may link one id many times
    pieces: list[str] = []
    last = 0
    for m in LINK_RE.finditer(masked):
        target = table.get(m.group(1))
        if target is None:
            continue
        inside = bisect_right(starts, m.start()) - 1
        if inside >= 0 and m.start() < tags[inside][1]:
            continue
        if (link := rendered.get(m.group(1))) is None:
            link = rendered[m.group(1)] = render(target.title, relative(from_src, target.src_uri))
        pieces.append(block[last : m.start()])
        pieces.append(link)
        last = m.end()
    pieces.append(block[last:])
    return "".join(pieces)


def html_tag_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) of every raw HTML tag, comment, declaration or processing instruction
    in ``text``, read generously: where Python-Markdown and a browser would disagree on
    where a tag ends, the range reaches the later of the two.

    A tag starts at ``<`` followed by a letter, ``/``, ``!`` or ``?`` and needs a ``>``
    (without one, Python-Markdown escapes the ``<`` and shows it as text). It ends at the
    later of the first ``>`` (where Python-Markdown ends it) and the first ``>`` outside
    quotes (where a browser does); a quote left open runs to the end of ``text``. A comment
    ends at ``-->``, or at the end of ``text``.
    """
    ranges: list[tuple[int, int]] = []
    i = text.find("<")
    while i != -1:
        after = text[i + 1 : i + 2]
        end: int | None = None
        if text.startswith("<!--", i):
            close = text.find("-->", i + 4)
            end = len(text) if close == -1 else close + 3
        elif after and after.isascii() and (after.isalpha() or after in "/!?"):
            first = text.find(">", i + 1)
            if first != -1:
                end = max(first + 1, _quoted_tag_end(text, i + 1))
        if end is None:
            i = text.find("<", i + 1)
            continue
        ranges.append((i, end))
        i = text.find("<", end)
    return ranges


def _quoted_tag_end(text: str, start: int) -> int:
    """Just past the first ``>`` outside quotes from ``start``; the end of ``text`` if a
    quote is left open."""
    quote_char = ""
    for offset in range(start, len(text)):
        char = text[offset]
        if quote_char:
            if char == quote_char:
                quote_char = ""
        elif char in "\"'":
            quote_char = char
        elif char == ">":
            return offset + 1
    return len(text)


def referenced_by(pm: Postmortem, kb: KnowledgeBase) -> list[Postmortem]:
    """Later write-ups that name this incident as related or as what they repeat."""
    return sorted(
        (other for other in kb.postmortems_referring_to.get(pm.id, ()) if other.id != pm.id),
        key=lambda p: (p.started_at, p.id),
        reverse=True,
    )


def similar(pm: Postmortem, kb: KnowledgeBase, limit: int = 5) -> list[Postmortem]:
    """Up to ``limit`` incidents sharing a service or a tag: most shared first, then newest.

    A shared service counts twice a shared tag: the same system failing again says more
    than a shared label. Incidents are handled as ranks (their place newest first) in sets,
    so the work is set arithmetic in C: those sharing a service are few and scored one by
    one; those sharing only tags (a tag may be on thousands) are grouped by how many tags
    they share, and only the newest of the groups needed are ever looked at.
    """
    newest = kb.postmortems_newest_first
    by_service, by_tag = kb.rank_sets_by_service, kb.rank_sets_by_tag
    same_id = kb.rank_sets_by_id.get(pm.id, frozenset())  # itself, and any duplicate
    tag_sets = [by_tag.get(tag, frozenset()) for tag in dict.fromkeys(pm.tags)]
    service_sets = [by_service.get(s, frozenset()) for s in dict.fromkeys(pm.services)]
    sharing_service = frozenset().union(*service_sets) - same_id
    scores: Counter[int] = Counter()
    for members in service_sets:
        scores.update(members & sharing_service)
        scores.update(members & sharing_service)
    for members in tag_sets:
        scores.update(members & sharing_service)
    # Tag-only incidents: in at least k of the tag sets, worked out from the most tags down
    # and only as far as needed.
    at_least: dict[int, frozenset[int]] = {}

    def tag_only(k: int) -> frozenset[int]:
        for n in (k, k + 1):
            if n not in at_least and n <= len(tag_sets):
                at_least[n] = _in_at_least(tag_sets, n)
        more = at_least.get(k + 1, frozenset())
        return at_least[k] - more - sharing_service - same_id

    chosen: list[int] = []
    for score in range(max([len(tag_sets), *scores.values()]), 0, -1):
        level = [rank for rank, value in scores.items() if value == score]
        if score <= len(tag_sets):
            level += heapq.nsmallest(limit - len(chosen), tag_only(score))
        chosen.extend(sorted(level)[: limit - len(chosen)])
        if len(chosen) >= limit:
            break
    return [newest[rank] for rank in chosen]


def _in_at_least(groups: list[frozenset[int]], k: int) -> frozenset[int]:
    """Members of at least ``k`` of ``groups``: unions of intersections in C while the
    combinations are few, otherwise counted."""
    if len(groups) <= 6:
        members: set[int] = set()
        for combo in combinations(groups, k):
            members |= frozenset.intersection(*combo)
        return frozenset(members)
    counts = Counter(rank for group in groups for rank in group)
    return frozenset(rank for rank, n in counts.items() if n >= k)
