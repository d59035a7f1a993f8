"""Links, backlinks, similarity, escaping and freshness as pure functions."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from conftest import EXAMPLE_TODAY, REPO
from factories import API, AUTH, POLICY, kb, pm, ts
from incident_kb.core.escaping import Md, finalize, md_text, safe_url
from incident_kb.documents.model import (
    Document,
    KnowledgeBase,
    Postmortem,
    Runbook,
    SeverityPolicy,
    Source,
)
from incident_kb.figures.freshness import Freshness, runbook_freshness, used_in
from incident_kb.site import links


def src(doc: Document) -> str:
    assert not isinstance(doc, SeverityPolicy), "the policy is never a link target"
    return {
        "postmortem": "postmortems/2025/{}.md",
        "runbook": "runbooks/auth/{}.md",
        "service": "services/{}.md",
    }[doc.kind].format(doc.id)


RUNBOOK = Runbook(
    "auth-pool",
    "Pool exhausted",
    ("auth",),
    "team",
    date(2025, 10, 1),
    Source("docs/runbooks/auth/auth-pool.md"),
    review_every_days=90,
)


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("postmortems/2025/a.md", "runbooks/auth/b.md", "../../runbooks/auth/b.md"),
        ("index.md", "services/auth.md", "services/auth.md"),
        ("services/auth.md", "services/api.md", "api.md"),
    ],
)
def test_relative_links(source: str, target: str, expected: str) -> None:
    assert links.relative(source, target) == expected


def test_wikilinks_outside_code_become_links() -> None:
    base = KnowledgeBase(
        postmortems=(pm(title="Login *errors* | 5xx"),),
        runbooks=(RUNBOOK,),
        services=(AUTH, API),
        policy=POLICY,
    )
    table = links.targets(base, src)
    markdown = (
        "See [[INC-2025-010]] and [[auth-pool]], not `[[auth]]`.\n"
        "```\n[[auth]]\n```\n[[unknown]] stays; [[api]]."
    )
    out = links.replace_wikilinks(
        markdown, "services/auth.md", table, lambda title, href: f"[{md_text(title)}]({href})"
    )
    assert out.split("\n") == [
        "See [Login &#42;errors&#42; &#124; 5xx](../postmortems/2025/INC-2025-010.md) and "
        "[Pool exhausted](../runbooks/auth/auth-pool.md), not `[[auth]]`.",
        "```",
        "[[auth]]",
        "```",
        "[[unknown]] stays; [API](api.md).",
    ]


def test_ambiguous_ids_are_never_linked() -> None:
    clash = replace(RUNBOOK, id="auth")
    table = links.targets(KnowledgeBase(runbooks=(clash,), services=(AUTH,)), src)
    assert "auth" not in table


def test_backlinks_and_usage_newest_first() -> None:
    first = pm(id="INC-2025-001", started_at=ts("2025-01-01T00:00:00Z"), runbooks=("auth-pool",))
    second = pm(
        id="INC-2025-002",
        started_at=ts("2025-02-01T00:00:00Z"),
        runbooks=("auth-pool",),
        related=("INC-2025-001",),
    )
    third = pm(
        id="INC-2025-003", started_at=ts("2025-03-01T00:00:00Z"), recurrence_of="INC-2025-001"
    )
    base = kb(first, second, third, runbooks=(RUNBOOK,))
    assert [p.id for p in links.referenced_by(first, base)] == ["INC-2025-003", "INC-2025-002"]
    assert links.referenced_by(third, base) == []
    assert [p.id for p in used_in("auth-pool", base)] == ["INC-2025-002", "INC-2025-001"]


def test_similar_prefers_shared_services_then_newest() -> None:
    me = pm(id="INC-2025-100", services=("auth", "api"), tags=("deploy",))
    both = pm(id="INC-2025-101", services=("auth", "api"), started_at=ts("2025-01-01T00:00:00Z"))
    tag_only = pm(id="INC-2025-102", services=("payments",), tags=("deploy",))
    one_old = pm(id="INC-2025-103", services=("api",), started_at=ts("2024-01-01T00:00:00Z"))
    one_new = pm(id="INC-2025-104", services=("api",), started_at=ts("2025-06-01T00:00:00Z"))
    unrelated = pm(id="INC-2025-105", services=("payments",))
    base = kb(me, both, tag_only, one_old, one_new, unrelated)
    assert [p.id for p in links.similar(me, base)] == [
        "INC-2025-101",
        "INC-2025-104",
        "INC-2025-103",
        "INC-2025-102",
    ]
    assert len(links.similar(me, base, limit=2)) == 2


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain words", "plain words"),
        ('"><script>', "&#34;&#62;&#60;script&#62;"),
        ("a | b\n| c |", "a &#124; b &#124; c &#124;"),
        ("{: onclick=x }", "&#123;&#58; onclick&#61;x &#125;"),
        ("[x](javascript:alert(1))", "&#91;x&#93;&#40;javascript&#58;alert&#40;1&#41;&#41;"),
        ("- item", "&#45; item"),
        ("1. first", "1&#46; first"),
        ("well-known 1.5", "well-known 1.5"),
    ],
)
def test_md_text_makes_values_inert(value: str, expected: str) -> None:
    assert md_text(value) == expected


def test_finalize_escapes_unless_marked_safe() -> None:
    assert finalize(Md("[a](b.md)")) == "[a](b.md)"
    assert finalize("*x*") == "&#42;x&#42;"
    assert (finalize(None), finalize(True), finalize(2), finalize(99.5)) == ("", "yes", "2", "99.5")


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://tracker.example.com/OPS-1", "https://tracker.example.com/OPS-1"),
        ("https://x.example/a(b)|c", "https://x.example/a%28b%29%7Cc"),
        ("javascript:alert(1)", None),
        ("JavaScript://x.example/%0aalert(1)", None),
        ("ftp://x.example/", None),
        ("https:///no-host", None),
    ],
)
def test_safe_url(url: str, expected: str | None) -> None:
    assert safe_url(url) == expected


def test_freshness_states_and_reasons() -> None:
    used = pm(runbooks=("auth-pool",), resolved_at=ts("2025-11-01T11:00:00Z"))
    base = kb(used, runbooks=(RUNBOOK,))

    def fresh(rb: Runbook, today: date, alerts: frozenset[str] | None = None) -> Freshness:
        return runbook_freshness(
            rb, base, today, default_every_days=90, due_soon_days=14, known_alerts=alerts
        )

    calm = replace(RUNBOOK, id="calm", last_reviewed=date(2025, 12, 1))
    assert fresh(calm, date(2025, 12, 2)).state == "fresh"
    assert fresh(calm, date(2026, 2, 15)).state == "due-soon"
    on_the_day = fresh(calm, date(2026, 3, 1))
    assert on_the_day.state == "due-soon"
    stale = fresh(RUNBOOK, date(2026, 1, 10), frozenset({"Other"}))
    assert stale.state == "stale"
    assert [(r.kind, r.incident) for r in stale.reasons] == [
        ("review-overdue", None),
        ("used-after-review", "INC-2025-010"),
    ]
    assert stale.reasons[0].message == (
        "review overdue by 11 days: last reviewed 2025-10-01, every 90 days"
    )
    with_alert = replace(RUNBOOK, alerts=("Gone",), last_reviewed=date(2025, 12, 1))
    missing = fresh(with_alert, date(2025, 12, 2), frozenset({"Other"}))
    assert [r.alert for r in missing.reasons] == ["Gone"]


def test_link_destinations_keep_references_literal() -> None:
    from incident_kb.core.escaping import md_link_destination

    assert md_link_destination("https://t.example/a?x=1&y=&quot;") == (
        "https://t.example/a?x=1&amp;y=&amp;quot;"
    )
    assert md_link_destination("javascript:alert(1)") is None


def test_code_in_list_steps_and_indented_blocks_is_not_prose() -> None:
    from incident_kb.documents.bodytext import fence_states

    body = (
        "Intro [[a]]\n\n    [[api]] indented code\n\n1. Step:\n\n    ```toml\n"
        "    [[upstreams]]\n    ```\n\n2. Step [[b]]\n\n    continued [[c]]\n\nBack [[d]]"
    )
    code = [line for line, c in zip(body.split("\n"), fence_states(body), strict=True) if c]
    assert code == ["    [[api]] indented code", "    ```toml", "    [[upstreams]]", "    ```"]


def test_file_names_are_percent_encoded_in_links() -> None:
    assert links.relative("index.md", "runbooks/a) <b>.md") == "runbooks/a%29%20%3Cb%3E.md"


def _similar_by_scanning(
    incident: Postmortem, kb: KnowledgeBase, limit: int = 5
) -> list[Postmortem]:
    """The definition, by brute force: every other incident scored, best then newest first."""
    scored = []
    for other in kb.postmortems:
        if other.id == incident.id:
            continue
        score = 2 * len(set(incident.services) & set(other.services)) + len(
            set(incident.tags) & set(other.tags)
        )
        if score:
            scored.append((-score, -other.started_at.timestamp(), other.id, other))
    scored.sort(key=lambda item: item[:3])
    return [item[3] for item in scored[:limit]]


def test_similar_matches_its_definition_on_a_generated_corpus(tmp_path: Path) -> None:
    """The indexed ranking equals scoring every pair, including every tie at the cut-off."""
    import importlib

    from incident_kb.checks.validate import check
    from incident_kb.core.config import load as load_config

    if str(REPO / "scripts") not in sys.path:
        sys.path.insert(0, str(REPO / "scripts"))
    importlib.import_module("corpusgen").generate(400, 7, tmp_path / "kb")
    kb = check(load_config(tmp_path / "kb"), EXAMPLE_TODAY).kb
    assert len(kb.postmortems) == 400
    for incident in kb.postmortems:
        assert links.similar(incident, kb) == _similar_by_scanning(incident, kb), incident.id
        assert links.similar(incident, kb, limit=1) == _similar_by_scanning(incident, kb, limit=1)
