"""Links between documents: ``[[ID]]`` rewriting, backlinks and similar incidents.

Links are written as relative paths to the target's Markdown source, so that MkDocs checks
them and turns them into URLs for either ``use_directory_urls`` setting.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from .bodytext import LINK_RE, code_span_ranges, fence_states
from .model import Document, KnowledgeBase, Postmortem, Runbook, Service, title_of


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
    """Replace ``[[ID]]`` outside code with ``render(title, relative_path)``.

    Unknown ids stay as they are (validation has already reported them).
    """
    if "[[" not in markdown:
        return markdown
    out: list[str] = []
    for line, in_code in zip(markdown.split("\n"), fence_states(markdown), strict=True):
        if in_code or "[[" not in line:
            out.append(line)
            continue
        code = code_span_ranges(line)
        pieces: list[str] = []
        last = 0
        for m in LINK_RE.finditer(line):
            target = table.get(m.group(1))
            if target is None or any(s <= m.start() < e for s, e in code):
                continue
            pieces.append(line[last : m.start()])
            pieces.append(render(target.title, relative(from_src, target.src_uri)))
            last = m.end()
        pieces.append(line[last:])
        out.append("".join(pieces))
    return "\n".join(out)


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
    than a shared label. Only incidents that share something are scored (through the
    knowledge base's indexes, counted in C by ``Counter.update``), and only those scoring
    at least the ``limit``-th best are ordered: a page costs what it shares, not a pass
    over every postmortem.
    """
    scores: Counter[int] = Counter()
    for service in dict.fromkeys(pm.services):
        found = kb.postmortems_by_service.get(service, ())
        scores.update(map(id, found))
        scores.update(map(id, found))
    for tag in dict.fromkeys(pm.tags):
        scores.update(map(id, kb.postmortems_by_tag.get(tag, ())))
    by_key = kb.postmortem_by_object_id
    ranked = [(key, score) for key, score in scores.most_common() if by_key[key].id != pm.id]
    if not ranked:
        return []
    cutoff = ranked[min(limit, len(ranked)) - 1][1]
    best = [by_key[key] for key, score in ranked if score >= cutoff]
    score_of = dict(ranked)
    best.sort(key=lambda other: (-score_of[id(other)], -other.started_at.timestamp(), other.id))
    return best[:limit]
