"""Real data: the OpenShift cluster-monitoring rules and runbooks (../shared/fixtures).

The runbooks are imported into a knowledge base in tmp_path, which must validate; then the
rules are checked with the runbooks' published URL template, and every figure is compared
with one computed here, independently, from the YAML read with ``yaml.safe_load_all``.
The fixture files are Apache-2.0 and stay outside this repository: only read, never copied
into it.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from commands import command
from conftest import FIXTURES, run_main

OPENSHIFT = Path(__file__).resolve().parents[2] / "shared" / "fixtures" / "openshift-monitoring"
TEMPLATE = (
    "https://github.com/openshift/runbooks/blob/master/alerts/cluster-monitoring-operator/"
    "{alert}.md"
)
PREFIX, SUFFIX = TEMPLATE.split("{alert}")

pytestmark = pytest.mark.skipif(
    not (OPENSHIFT / "rules").is_dir() or not (OPENSHIFT / "runbooks").is_dir(),
    reason="the OpenShift fixture (../shared/fixtures/openshift-monitoring) is absent",
)

SERVICE = """\
---
id: monitoring
name: Cluster monitoring
owner: team-monitoring
tier: 2
slo:
  availability: 99.9
  window_days: 28
---

# Cluster monitoring
"""


@dataclass(frozen=True)
class Expected:
    rules: int  # alerting rules (recording rules and other resources left out)
    names: frozenset[str]  # distinct alert names
    annotated: int  # alerting rules with a runbook_url
    resolved: int  # ... whose runbook_url names an imported runbook's file
    covered: frozenset[str]  # names with a resolved link or an imported runbook of that name
    broken: int  # runbook_url in the template's shape that names no imported runbook
    orphans: frozenset[str]  # imported runbooks whose alert no rule defines
    duplicates: frozenset[str]  # names defined by more than one rule


def expected_figures(runbook_stems: set[str]) -> Expected:
    """Counted straight from the YAML, without the package."""
    alert_rules = []
    for path in sorted((OPENSHIFT / "rules").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            if not isinstance(doc, dict) or doc.get("kind") != "PrometheusRule":
                continue
            for group in doc["spec"]["groups"]:
                alert_rules += [r for r in group.get("rules") or [] if "alert" in r]
    names = Counter(r["alert"] for r in alert_rules)
    urls = [(r["alert"], (r.get("annotations") or {}).get("runbook_url")) for r in alert_rules]
    annotated = [(name, url) for name, url in urls if url]
    in_shape = [
        (name, url[len(PREFIX) : -len(SUFFIX)])
        for name, url in annotated
        if url.startswith(PREFIX) and url.endswith(SUFFIX)
    ]
    resolved = [(name, stem) for name, stem in in_shape if stem in runbook_stems]
    return Expected(
        rules=len(alert_rules),
        names=frozenset(names),
        annotated=len(annotated),
        resolved=len(resolved),
        covered=frozenset({name for name, _ in resolved} | (set(names) & runbook_stems)),
        broken=len(in_shape) - len(resolved),
        orphans=frozenset(runbook_stems - set(names)),
        duplicates=frozenset(name for name, count in names.items() if count > 1),
    )


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("openshift") / "kb"
    shutil.copytree(FIXTURES / "valid", root)
    (root / "docs" / "services" / "monitoring.md").write_text(SERVICE, encoding="utf-8")
    result = command(
        "--root",
        str(root),
        "import",
        "runbooks",
        str(OPENSHIFT / "runbooks"),
        "--service",
        "monitoring",
        "--owner",
        "team-monitoring",
        "--reviewed",
        "2026-01-01",
        "--url-template",
        TEMPLATE,
        "--as-of",
        "2026-02-01",
    )
    assert result.code == 0, result.out + result.err
    assert f'url_templates = ["{TEMPLATE}"]' in result.out.splitlines()
    return root


def test_import_writes_every_runbook_byte_for_byte(imported: Path) -> None:
    sources = sorted((OPENSHIFT / "runbooks").glob("*.md"))
    written = sorted((imported / "docs" / "runbooks" / "monitoring").glob("*.md"))
    assert len(written) == len(sources) == 34
    for source in sources:
        stem = source.stem
        doc_id = "-".join(w.lower() for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z][a-z0-9]*", stem))
        target = imported / "docs" / "runbooks" / "monitoring" / f"{doc_id}.md"
        data = target.read_bytes()
        head, _, body = data.partition(b"\n---\n\n")
        assert body == source.read_bytes(), target
        front = yaml.safe_load(head.decode("utf-8").removeprefix("---\n"))
        assert front["id"] == doc_id
        assert front["alerts"] == [stem]
        assert front["services"] == ["monitoring"]
        assert front["owner"] == "team-monitoring"
        assert str(front["last_reviewed"]) == "2026-01-01"
        heading = source.read_text(encoding="utf-8").split("\n", 1)[0]
        assert front["title"] == heading.removeprefix("# ").strip()


def test_import_validates(imported: Path) -> None:
    result = run_main("validate", str(imported), "--strict", "--as-of", "2026-02-01")
    assert result.code == 0, result.out
    assert "0 errors, 0 warnings" in result.err


def test_alert_check_figures(imported: Path) -> None:
    stems = {p.stem for p in (OPENSHIFT / "runbooks").glob("*.md")}
    want = expected_figures(stems)
    # What the figures are today (a guard against a silently changed fixture).
    assert (want.rules, len(want.names), want.annotated, want.resolved) == (124, 119, 33, 33)
    assert (len(want.covered), want.broken, len(want.orphans), len(want.duplicates)) == (
        28,
        0,
        6,
        5,
    )

    result = command(
        "--root",
        str(imported),
        "alerts",
        "check",
        str(OPENSHIFT / "rules"),
        "--url-template",
        TEMPLATE,
        "--format",
        "json",
    )
    assert result.code == 0, result.out  # no broken link
    data = json.loads(result.out)
    summary = data["summary"]
    assert summary["alerting_rules"] == want.rules
    assert summary["alerts"] == len(want.names)
    assert summary["covered"] == len(want.covered)
    assert summary["broken_links"] == want.broken
    assert summary["without_runbook"] == len(want.names - want.covered)
    assert summary["coverage_pct"] == round(100 * len(want.covered) / len(want.names), 2)
    assert summary["defined_more_than_once"] == len(want.duplicates)

    links = [link for a in data["alerts"] for link in a["links"]]
    assert len(links) == want.annotated
    assert sum(1 for link in links if link["status"] == "ok") == want.resolved
    assert {a["name"] for a in data["alerts"]} == want.names
    assert {a["name"] for a in data["alerts"] if a["state"] == "covered"} == want.covered
    assert {d["alert"] for d in data["duplicates"]} == want.duplicates
    assert all(not d["same_labels"] for d in data["duplicates"])  # warning and critical
    # Orphans: the imported runbooks whose alert is gone, plus the copied fixture's own.
    monitoring = {
        o["alert"] for o in data["orphans"] if o["path"].startswith("docs/runbooks/monitoring/")
    }
    assert monitoring == want.orphans
    assert {o["alert"] for o in data["orphans"]} - monitoring == {"AuthDBPoolSaturated"}
    assert len(data["rule_files"]) == 12
    webhook = [f for f in data["findings"] if "ValidatingWebhookConfiguration" in f["message"]]
    assert [f["level"] for f in webhook] == ["notice"]

    percent = 100 * len(want.covered) / len(want.names)
    over = command(
        "--root",
        str(imported),
        "alerts",
        "check",
        *(str(p) for p in sorted((OPENSHIFT / "rules").glob("*.yaml"))),
        "--url-template",
        TEMPLATE,
        "--min-coverage",
        f"{percent + 0.1:.1f}",
    )
    assert over.code == 1
    assert over.out.splitlines()[-1] == (
        f"coverage {percent:.1f}% is below --min-coverage {percent + 0.1:.1f}%"
    )
    assert (
        f"alerts: {len(want.covered)} of {len(want.names)} alerts have a working runbook "
        f"({percent:.1f}%)"
    ) in over.out


def test_without_the_template_every_annotation_is_outside(imported: Path) -> None:
    result = command(
        "--root", str(imported), "alerts", "check", str(OPENSHIFT / "rules"), "--format", "json"
    )
    data = json.loads(result.out)
    links = [link for a in data["alerts"] for link in a["links"]]
    assert {link["status"] for link in links} == {"external"}
    # Covered now only through front-matter: the imported runbooks list their alerts.
    stems = {p.stem for p in (OPENSHIFT / "runbooks").glob("*.md")}
    want = expected_figures(stems)
    assert data["summary"]["covered"] == len(want.names & stems)
