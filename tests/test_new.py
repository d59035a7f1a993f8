"""``incident-kb new``: what it writes validates, and it never overwrites."""

from __future__ import annotations

from conftest import KB, run_main


def test_new_postmortem_round_trip(kb: KB) -> None:
    kb.postmortem(id="INC-2025-041", rel="postmortems/2025/2025-03-01-old.md")
    args = [
        "--root",
        str(kb.root),
        "new",
        "postmortem",
        "--title",
        'Checkout: 502s "again"',
        "--severity",
        "SEV-2",
        "--service",
        "auth",
        "--service",
        "api",
        "--commander",
        "alice",
        "--started-at",
        "2025-06-01T23:30:00-05:00",
    ]
    first = run_main(*args)
    assert first.code == 0, first.err
    assert first.out.strip() == "docs/postmortems/2025/2025-06-02-checkout-502s-again.md"
    text = (kb.root / first.out.strip()).read_text(encoding="utf-8")
    assert "id: INC-2025-042\n" in text
    assert 'title: "Checkout: 502s \\"again\\""\n' in text
    assert "## Contributing factors" in text
    check = run_main("validate", str(kb.root), "--strict")
    assert (check.code, check.out) == (0, ""), check.out

    second = run_main(*args)
    assert second.code == 0
    assert second.out.strip() == "docs/postmortems/2025/2025-06-02-checkout-502s-again-2.md"
    assert (kb.root / first.out.strip()).read_text(encoding="utf-8") == text
    assert "id: INC-2025-043\n" in (kb.root / second.out.strip()).read_text(encoding="utf-8")
    assert run_main("validate", str(kb.root), "--strict").code == 0


def test_new_postmortem_defaults_to_today(kb: KB) -> None:
    result = run_main(
        "--root",
        str(kb.root),
        "new",
        "postmortem",
        "--title",
        "Disk full",
        "--severity",
        "SEV-3",
        "--service",
        "api",
        "--commander",
        "bob",
        env={"SOURCE_DATE_EPOCH": "1767225600"},
    )  # 2026-01-01T00:00:00Z
    assert result.out.strip() == "docs/postmortems/2026/2026-01-01-disk-full.md"
    text = (kb.root / result.out.strip()).read_text(encoding="utf-8")
    assert "id: INC-2026-001\n" in text and "started_at: 2026-01-01T00:00:00Z\n" in text


def test_new_rejects_unknown_references_and_writes_nothing(kb: KB) -> None:
    before = sorted(p for p in kb.docs.rglob("*"))
    result = run_main(
        "--root",
        str(kb.root),
        "new",
        "postmortem",
        "--title",
        "X",
        "--severity",
        "SEV-9",
        "--service",
        "auth",
        "--commander",
        "a",
    )
    assert result.code == 2 and "unknown severity 'SEV-9'" in result.err
    bad_title = run_main(
        "--root",
        str(kb.root),
        "new",
        "postmortem",
        "--title",
        "<script>",
        "--severity",
        "SEV-3",
        "--service",
        "auth",
        "--commander",
        "a",
    )
    assert bad_title.code == 2 and "title: must be plain text" in bad_title.err
    assert sorted(p for p in kb.docs.rglob("*")) == before


def test_new_runbook_round_trip(kb: KB) -> None:
    args = [
        "--root",
        str(kb.root),
        "new",
        "runbook",
        "--title",
        "Login latency high",
        "--service",
        "auth",
        "--owner",
        "team-identity",
        "--alert",
        "AuthLatencyHigh",
        "--as-of",
        "2025-05-01",
    ]
    first = run_main(*args)
    assert first.out.strip() == "docs/runbooks/auth/login-latency-high.md"
    text = (kb.root / first.out.strip()).read_text(encoding="utf-8")
    assert "last_reviewed: 2025-05-01\n" in text and "alerts: [AuthLatencyHigh]\n" in text
    second = run_main(*args)
    assert second.out.strip() == "docs/runbooks/auth/login-latency-high-2.md"
    assert "id: login-latency-high-2\n" in (kb.root / second.out.strip()).read_text()
    assert (kb.root / first.out.strip()).read_text(encoding="utf-8") == text
    check = run_main("validate", str(kb.root), "--strict", "--as-of", "2025-05-02")
    assert (check.code, check.out) == (0, "")
    taken = run_main(*args, "--id", "login-latency-high")
    assert taken.code == 2 and "is taken" in taken.err
