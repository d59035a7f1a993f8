"""Hostile and awkward input: every case ends in findings or exit 2, never a crash or hang."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import KB, run_main
from incident_kb.core.findings import PER_FILE_RULE_LIMIT

PM = "docs/postmortems/2025/2025-03-01-outage.md"


def lines(out: str) -> list[str]:
    return out.splitlines()


def test_huge_integer_is_a_finding_not_a_crash(kb: KB) -> None:
    kb.write(
        "services/big.md",
        f"---\nid: big\nname: Big\nowner: t\ntier: {'9' * 5000}\n"
        "slo: {availability: 99, window_days: 28}\n---\n",
    )
    result = run_main("validate", str(kb.root))
    assert result.code == 1
    assert lines(result.out)[0].startswith(
        "docs/services/big.md:5: tier: must be a whole number, not string '999"
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("started_at", "0001-01-01T00:00:00+01:00"), ("resolved_at", "9999-12-31T01:00:00Z")],
)
def test_extreme_years_are_findings(kb: KB, field: str, value: str) -> None:
    kb.postmortem(severity="SEV-1", **{field: value})
    result = run_main("validate", str(kb.root))
    assert result.code == 1
    assert f"{field}: '{value}' is outside the years 1970 to 2999" in result.out


def test_policy_numbers_are_bounded(kb: KB) -> None:
    policy = kb.docs / "policies/severity.md"
    policy.write_text(
        policy.read_text().replace("postmortem_due_days: 14", "postmortem_due_days: 3000000")
    )
    result = run_main("validate", str(kb.root))
    assert "postmortem_due_days: must be between 0 and 3650, not 3000000" in result.out


def test_infinite_numbers_are_refused(kb: KB) -> None:
    kb.postmortem(impact="\n  summary: x\n  users_affected_pct: 5\n  error_budget_minutes: 1e400")
    result = run_main("validate", str(kb.root))
    assert "impact.error_budget_minutes: must be a number, not string '1e400'" in result.out


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX special files")
def test_special_files_are_refused_without_reading(kb: KB) -> None:
    (kb.docs / "services/zero.md").symlink_to("/dev/zero")
    os.mkfifo(kb.docs / "services/fifo.md")
    result = run_main("validate", str(kb.root))
    assert sorted(lines(result.out)) == [
        "docs/services/fifo.md:1: (file): not a regular file (a device, socket or pipe): "
        "not published",
        "docs/services/zero.md:1: (file): a symbolic link (to '/dev/zero'): links are not "
        "followed or published, since they can publish files from outside the repository; "
        "copy the file instead",
    ]


def test_floods_are_capped_per_file_and_rule(kb: KB) -> None:
    kb.write(
        "services/auth.md",
        (kb.docs / "services/auth.md").read_text()
        + "[[auth-db-poox]] " * 60_000
        + "\n"
        + "[[nope]]\n" * 100,
    )
    result = run_main("validate", str(kb.root))
    out = lines(result.out)
    assert len(out) == PER_FILE_RULE_LIMIT + 1
    assert out[-1].endswith("... and 76 more 'link' findings in this file")


def test_every_markdown_extension_is_validated_and_symlinked_folders_refused(
    kb: KB, tmp_path: Path
) -> None:
    kb.write("postmortems/2025/2025-03-01-x.markdown", "---\nbogus: &a 1\n---\n")
    outside = tmp_path / "elsewhere" / "2026"
    outside.mkdir(parents=True)
    (outside / "2026-01-01-y.md").write_text("---\nid: 1\n---\n")
    (kb.docs / "postmortems" / "2026").symlink_to(outside, target_is_directory=True)
    (kb.docs / "postmortems" / "loop").symlink_to(kb.docs / "postmortems")
    result = run_main("validate", str(kb.root))
    paths = {line.split(":")[0] for line in lines(result.out)}
    # Links are never followed, so the file behind the link is not read either.
    assert paths == {
        "docs/postmortems/2025/2025-03-01-x.markdown",
        "docs/postmortems/2026",
        "docs/postmortems/loop",
    }


def test_mkdocs_docs_dir_is_honoured(tmp_path: Path) -> None:
    kb = KB(tmp_path)
    (tmp_path / "incident-kb.toml").unlink()
    kb.docs.rename(tmp_path / "content")
    (tmp_path / "mkdocs.yml").write_text(
        "site_name: x\ndocs_dir: content\nhooks: [hooks/incident_kb_site.py]\n"
        "markdown_extensions:\n"
        "  - pymdownx.emoji:\n      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
    )
    result = run_main("validate", str(tmp_path))
    assert (result.code, result.err.strip()) == (
        0,
        "checked 3 documents: 0 errors, 0 warnings, 0 notices",
    )
    (tmp_path / "incident-kb.toml").write_text('docs_dir = "docs"\n')
    mismatch = run_main("validate", str(tmp_path))
    assert mismatch.code == 2 and "differs from mkdocs.yml's docs_dir 'content'" in mismatch.err


def test_missing_docs_dir_is_a_configuration_error(kb: KB) -> None:
    (kb.root / "incident-kb.toml").write_text('docs_dir = "nope"\n')
    result = run_main("validate", str(kb.root))
    assert result.code == 2 and "docs_dir: no folder 'nope'" in result.err


def test_yaml_damage_does_not_cascade_and_ids_are_not_reused(kb: KB) -> None:
    kb.write(
        "runbooks/auth/pool.md",
        "---\nid: pool\ntitle: Pool\nservices: [auth]\n"
        "owner: a\nowner: b\nlast_reviewed: 2025-01-01\n---\n",
    )
    kb.postmortem(runbooks="[pool]", __body__="## Summary\n\nSee [[pool]].\n")
    kb.write("postmortems/2025/2025-03-02-broken.md", "---\nid: INC-2025-013\nx: &a 1\n---\n")
    result = run_main("validate", str(kb.root))
    assert sorted(lines(result.out)) == [
        "docs/postmortems/2025/2025-03-02-broken.md:3: x: anchors (&a) are not allowed",
        "docs/runbooks/auth/pool.md:6: owner: duplicate key 'owner': first defined on line 5",
    ]
    new = run_main(
        "--root",
        str(kb.root),
        "new",
        "postmortem",
        "--title",
        "Next",
        "--severity",
        "SEV-3",
        "--service",
        "auth",
        "--commander",
        "a",
        "--started-at",
        "2025-04-01T00:00:00Z",
        "--as-of",
        "2025-04-02",
    )
    assert new.code == 0, new.err
    assert "id: INC-2025-014\n" in (kb.root / new.out.strip()).read_text()


def test_a_duplicate_keeps_its_other_findings(kb: KB) -> None:
    kb.postmortem()
    kb.postmortem(
        rel="postmortems/2025/2025-03-01-z-copy.md",
        services="[billing]",
        detected_at="2025-03-01T09:00:00Z",
    )
    result = run_main("validate", str(kb.root))
    fields = [line.split(": ")[1] for line in lines(result.out)]
    assert fields == ["id", "services[0]", "detected_at"]


def test_invalid_ids_are_remembered_per_kind(kb: KB) -> None:
    kb.write(
        "runbooks/auth/billing.md",
        "---\nid: billing\ntitle: B\nservices: [auth]\nlast_reviewed: 2025-01-01\n---\n",
    )
    kb.postmortem(services="[billing]")
    result = run_main("validate", str(kb.root))
    assert "services[0]: unknown service 'billing'" in result.out


def test_misspelt_required_key_is_one_finding(kb: KB) -> None:
    kb.postmortem(title="<omit>", titel="Typo")
    result = run_main("validate", str(kb.root))
    assert lines(result.out) == [f"{PM}:14: titel: unknown key 'titel' (did you mean 'title'?)"]


def test_control_characters_are_located_and_escaped(kb: KB) -> None:
    kb.postmortem(detection="alert\x07")
    kb.write("services/evil.md", '---\n"x\\n::error file=README.md,line=1::forged": 1\n---\n')
    result = run_main("validate", str(kb.root))
    out = lines(result.out)
    assert f"{PM}:9: (front-matter): invalid YAML: character U+0007 is not allowed" in out
    assert not any(line.startswith("::error") for line in out)
    assert any("x\\n::error" in line for line in out)


def test_new_refuses_the_future_and_bad_intervals(kb: KB) -> None:
    future = run_main(
        "--root",
        str(kb.root),
        "new",
        "postmortem",
        "--title",
        "T",
        "--severity",
        "SEV-3",
        "--service",
        "auth",
        "--commander",
        "a",
        "--started-at",
        "2030-01-01T00:00:00Z",
        "--as-of",
        "2026-01-01",
    )
    assert future.code == 2 and "--started-at is in the future" in future.err
    zero = run_main("validate", "--root", str(kb.root))
    assert zero.code == 0
    bad = run_main(
        "new",
        "runbook",
        "--root",
        str(kb.root),
        "--title",
        "T",
        "--service",
        "auth",
        "--owner",
        "a",
        "--review-every-days",
        "0",
    )
    assert bad.code == 2 and "must be at least 1" in bad.err
    assert not list((kb.docs / "postmortems").rglob("*.md"))


def test_partial_outage_weight_is_configurable_and_checked(kb: KB) -> None:
    (kb.root / "incident-kb.toml").write_text("[status]\npartial_outage_weight = 1.5\n")
    result = run_main("validate", str(kb.root))
    assert (
        result.code == 2 and "status.partial_outage_weight: must be between 0 and 1" in result.err
    )
    (kb.root / "incident-kb.toml").write_text("[status]\npartial_outage_weight = 0.5\n")
    from incident_kb.core.config import load

    assert load(kb.root).partial_outage_weight == 0.5
