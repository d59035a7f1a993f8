"""Cross-document rules as pure functions of hand-made models and a fixed "today"."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from factories import (
    CONFIG,
    LINES,
    POLICY,
    TODAY,
    kb,
    level,
    pm,
    status_page,
    ts,
)
from incident_kb.checks import rules
from incident_kb.core.config import Config
from incident_kb.core.findings import Findings, Level
from incident_kb.documents.model import (
    ActionItem,
    ErrorBudgetPolicy,
    Impact,
    KnowledgeBase,
    Runbook,
    Source,
    StatusPage,
    StatusUpdate,
)
from incident_kb.figures import budgets, facts, postmortems


def run(
    rule: Callable[[KnowledgeBase, Config, date, Findings], None],
    base: KnowledgeBase,
    config: Config = CONFIG,
    today: date = TODAY,
) -> list[tuple[int, str, str, Level]]:
    findings = Findings()
    rule(base, config, today, findings)
    return [(f.line, f.field, f.message, f.level) for f in findings]


def figure_findings(
    base: KnowledgeBase, today: date, rule: str
) -> list[tuple[int, str, str, Level]]:
    """The findings the figures make (overdue postmortems, required action items)."""
    found = facts.compute(base, CONFIG, today).findings
    return [(f.line, f.field, f.message, f.level) for f in found if f.rule == rule]


def test_every_rule_has_one_signature_and_a_unique_name() -> None:
    names = [rule.name for rule in rules.RULES]
    assert len(names) == len(set(names))
    for rule in rules.RULES:
        assert run(rule.check, kb()) == [], rule.name


def test_references_resolve_with_did_you_mean() -> None:
    bad = pm(
        services=("auth", "apii"),
        severity="SEV-9",
        runbooks=("nope",),
        related=("INC-2025-011",),
        recurrence_of="INC-2025-099",
    )
    got = run(rules.check_references, kb(bad, pm(id="INC-2025-011")))
    fields = {(line, field) for line, field, _, _ in got}
    assert fields == {
        (5, "severity"),
        (6, "services[1]"),
        (12, "runbooks[0]"),
        (14, "recurrence_of"),
    }
    messages = " ".join(m for _, _, m, _ in got)
    assert "did you mean 'api'?" in messages
    assert "the policy defines SEV-1, SEV-2, SEV-3" in messages


def test_invalid_documents_are_not_reported_twice() -> None:
    base = replace(
        kb(pm(related=("INC-2025-050",))), invalid=frozenset({("postmortem", "INC-2025-050")})
    )
    assert run(rules.check_references, base) == []


def test_self_reference_and_later_recurrence() -> None:
    later = pm(
        id="INC-2025-020",
        started_at=ts("2025-11-20T10:00:00Z"),
        detected_at=ts("2025-11-20T10:00:00Z"),
        resolved_at=None,
    )
    got = run(
        rules.check_references,
        kb(pm(related=("INC-2025-010",), recurrence_of="INC-2025-020"), later),
    )
    assert [f for _, f, _, _ in got] == ["related[0]", "recurrence_of"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"detected_at": ts("2025-11-01T09:00:00Z")}, "detected_at"),
        ({"acknowledged_at": ts("2025-11-01T10:01:00Z")}, "acknowledged_at"),
        ({"mitigated_at": ts("2025-11-01T11:30:00Z")}, "resolved_at"),
        ({"resolved_at": ts("2025-12-05T10:00:00Z")}, "resolved_at"),
    ],
)
def test_time_order_and_future(changes: dict[str, Any], field: str) -> None:
    got = run(rules.check_times, kb(pm(**changes)), today=TODAY)
    assert [f for _, f, _, _ in got] == [field]


def test_offsets_compare_as_instants() -> None:
    # 23:30 at -05:00 is 04:30 UTC the next day, after a 04:00Z start.
    good = pm(
        started_at=ts("2025-11-02T04:00:00Z"),
        detected_at=ts("2025-11-01T23:30:00-05:00"),
        resolved_at=ts("2025-11-02T05:00:00Z"),
    )
    assert run(rules.check_times, kb(good), today=TODAY) == []


def test_published_needs_resolution_sections_and_items() -> None:
    body = "## Summary\n\ntext\n\n## impact:\n\n```\n## Timeline\n```\n"
    base = kb(pm(status="published", severity="SEV-2", resolved_at=None, body=body))
    got = run(rules.check_published, base) + figure_findings(base, TODAY, "published")
    assert sorted((line, f) for line, f, _, _ in got) == [
        (4, "resolved_at"),
        (15, "action_items"),
        (30, "body"),
    ]
    assert "'## Timeline', '## Contributing factors'" in got[1][2]
    assert "needs at least one action item: SEV-2 requires a postmortem" in got[2][2]


def test_budget_consumption_makes_a_postmortem_required() -> None:
    # auth: 28 d x 0.1% = 40.32 min budget; 60 min x 20% = 12 min -> 29.8% > 20%.
    heavy = pm(impact=Impact("Half", 20.0))
    assert budgets.incident_budget_minutes(heavy) == pytest.approx(12.0)
    assert postmortems.postmortem_requirement(heavy, kb(heavy)) == (
        "it consumed 30% of auth's error budget (more than 20%)"
    )
    light = pm(impact=Impact("Few", 20.0, error_budget_minutes=1.0))
    assert postmortems.postmortem_requirement(light, kb(light)) is None


def test_overdue_is_a_notice_from_the_due_date() -> None:
    sev1 = pm(severity="SEV-1", status="in-review")
    on_due_day = figure_findings(kb(sev1), date(2025, 11, 6), "postmortem-overdue")
    assert on_due_day == []
    got = figure_findings(kb(sev1), date(2025, 11, 9), "postmortem-overdue")
    assert got == [
        (
            4,
            "status",
            "postmortem overdue by 3 days: due on 2025-11-06 because "
            "SEV-1 requires a postmortem, still in-review",
            Level.NOTICE,
        )
    ]
    published = kb(replace(sev1, status="published"))
    assert figure_findings(published, TODAY, "postmortem-overdue") == []


def test_status_page_order_resolution_and_cadence() -> None:
    lines = {
        **LINES,
        **{f"status_page.updates[{i}].at": 40 + i for i in range(4)},
        **{f"status_page.updates[{i}].status": 50 + i for i in range(4)},
    }
    page = status_page(
        ("2025-11-01T10:10:00Z", "investigating"),
        ("2025-11-01T10:05:00Z", "identified"),
        ("2025-11-01T14:30:00Z", "monitoring"),
        ("2025-11-01T14:40:00Z", "monitoring"),
    )
    src = Source("docs/postmortems/2025/2025-11-01-outage.md", lines)
    got = run(rules.check_status_page, kb(pm(status_page=page, source=src)), CONFIG)
    assert [(line, lvl) for line, _, _, lvl in got] == [
        (41, Level.ERROR),
        (42, Level.NOTICE),
        (53, Level.ERROR),
    ]
    assert "4 h 25 min without a status update; SEV-3 expects one at least every 4 h" in got[1][2]


def test_resolved_update_without_resolution() -> None:
    page = status_page(("2025-11-01T10:10:00Z", "resolved"))
    got = run(rules.check_status_page, kb(pm(status_page=page, resolved_at=None)), CONFIG)
    assert [m for _, _, m, _ in got] == [
        "the last update says 'resolved' but the incident has no resolved_at"
    ]


def test_components_must_belong_to_the_affected_services() -> None:
    page = StatusPage(
        "t",
        "minor",
        (("REST API", "major_outage"), ("Logn", "partial_outage")),
        (StatusUpdate(ts("2025-11-01T11:00:00Z"), "resolved", "ok"),),
    )
    got = run(rules.check_references, kb(pm(status_page=page)))
    assert sorted(m for _, _, m, _ in got) == [
        "component 'REST API' belongs to service 'api', which is not among this incident's "
        "services",
        "unknown status-page component 'Logn' (did you mean 'Login'?); the affected services "
        "have: Login",
    ]


def test_links_outside_code_only() -> None:
    body = (
        "See [[INC-2025-011]] and [[auth]].\n\n```bash\n[[ -f x ]] && echo [[NOPE]]\n```\n"
        "Inline `[[NOPE]]` is code. [[INC-2025-01]]\n"
    )
    got = run(rules.check_links, kb(pm(body=body), pm(id="INC-2025-011")))
    assert got == [
        (
            35,
            "body",
            "[[INC-2025-01]] links to no document (did you mean 'INC-2025-011'?)",
            Level.ERROR,
        )
    ]


def test_ambiguous_links() -> None:
    clash = Runbook(
        "auth", "Auth", ("auth",), "team", date(2025, 1, 1), Source("docs/runbooks/auth/auth.md")
    )
    got = run(rules.check_links, kb(pm(body="[[auth]]\n"), runbooks=(clash,)))
    assert "ambiguous: a runbook and service share this id" in got[0][2]


def test_blame_language_is_a_warning_outside_code() -> None:
    body = (
        "The operator should have checked.\n`human error` in code is fine.\nHuman\nerror\n"
        "It was a Human   Error.\n"
    )
    got = run(rules.check_blame, kb(pm(body=body)), CONFIG)
    assert [(line, lvl) for line, _, _, lvl in got] == [(30, Level.WARNING), (34, Level.WARNING)]
    quiet = replace(CONFIG, levels={"blame-language": Level.NOTICE})
    assert run(rules.check_blame, kb(pm(body=body)), quiet)[0][3] is Level.NOTICE


def test_layout_of_files() -> None:
    misplaced = pm(source=Source("docs/postmortems/2025/2025-11-02-outage.md", LINES))
    offset = pm(
        started_at=ts("2025-10-31T23:30:00-05:00"),
        detected_at=ts("2025-11-01T05:00:00Z"),
        source=Source("docs/postmortems/2025/2025-10-31-outage.md", LINES),
    )
    got = run(rules.check_paths, kb(misplaced, replace(offset, id="INC-2025-011")), CONFIG)
    assert len(got) == 1 and "postmortems/2025/2025-11-01-<slug>.md" in got[0][2]


def test_policy_sanity() -> None:
    policy = replace(
        POLICY,
        levels=(*POLICY.levels, level("SEV-1", 3, False, 1, 1)),
        error_budget=ErrorBudgetPolicy(120, 100, 20),
    )
    base = replace(kb(), policy=policy)
    assert sorted(f for _, f, _, _ in run(rules.check_policy, base)) == [
        "error_budget.warn_at_pct",
        "levels[3].id",
    ]


def test_action_item_model_helpers() -> None:
    item = ActionItem("t", "bob", date(2025, 1, 1), "wont-do", "process")
    assert item.is_closed


def test_code_spans_and_headings_follow_commonmark() -> None:
    from incident_kb.documents.bodytext import blank_code_spans, headings

    spans = blank_code_spans("a `[[X]]` b ``c`d`` `open")
    assert spans == "a " + " " * 7 + " b " + " " * 7 + " `open"
    assert [t for _, _, t in headings("# Title ##\n## Impact #\n#NotAHeading\n###\n", 1)] == [
        "Title",
        "Impact",
        "",
    ]


def test_hostile_lines_are_scanned_in_linear_time() -> None:
    """A 1 MB line of backticks or blanks must not take quadratic time (a hang)."""
    from incident_kb.documents.bodytext import prose_lines

    hostile = "``" + "a`" * 200_000 + "\n# " + " \t" * 200_000 + "x\n"
    lines = list(prose_lines(hostile, 1))
    assert len(lines) == 3


@pytest.mark.parametrize(
    ("line", "what"),
    [
        ("<script>alert(1)</script>", "a <script> element"),
        ('<img src=x onerror="alert(1)">', "an event handler (onerror)"),
        ('Click here.{: onclick="alert(1)" }', "an event handler (onclick) in an attribute list"),
        ('<a href=" javascript:alert(1)">x</a>', "a javascript: URL"),
        ("[x](javascript:alert(1))", "a javascript: link"),
        ("![x]( data:text/html,<b>)", "a data: link"),
        ("<IFRAME src=x>", "a <iframe> element"),
    ],
)
def test_unsafe_html_in_bodies(line: str, what: str) -> None:
    body = f"## Summary\n\n{line}\n\n```html\n<script>fine in code</script>\n```\n"
    got = run(rules.check_unsafe_html, kb(pm(body=body)), CONFIG)
    assert [(n, f) for n, f, _, _ in got] == [(32, "body")]
    assert got[0][2].startswith(what)


def test_safe_html_and_prose_pass() -> None:
    body = (
        "Latency < 5 ms, <kbd>Ctrl</kbd>, {: .note } and [ok](https://x.example/on=1).\n"
        "The `onload=` handler and `<script>` are named in code.\n"
    )
    assert run(rules.check_unsafe_html, kb(pm(body=body)), CONFIG) == []
