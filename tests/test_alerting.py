"""``incident-kb alerts check``: reading rule files, resolving runbook links, coverage,
formats and exit codes."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from commands import command
from conftest import KB, REPO
from incident_kb.alerts import coverage as alerting
from incident_kb.alerts import resolve
from incident_kb.alerts import rulefiles as alertrules
from incident_kb.core.config import Config, ConfigError
from incident_kb.core.config import load as load_config
from incident_kb.core.escaping import Md
from incident_kb.core.findings import Findings, Level
from incident_kb.core.urltemplate import UrlTemplate
from incident_kb.documents.loading import load_knowledge_base
from incident_kb.documents.model import KnowledgeBase
from incident_kb.site.render import coverage_page, environment

SITE = "https://kb.example.com/"

RUNBOOK = """\
---
id: {id}
title: {title}
services: [{service}]
owner: team-x
alerts: [{alerts}]
last_reviewed: 2025-01-01
---

# {title}

## Symptoms / alert meaning

Text.

## Mitigation

Steps.

## Mitigation

Repeated heading.

## Escalation {{#who-to-call}}

```bash
# not a heading
```
"""


def runbook(kb: KB, doc_id: str, alerts: str, service: str = "auth") -> None:
    kb.write(
        f"runbooks/{service}/{doc_id}.md",
        RUNBOOK.format(id=doc_id, title=doc_id.replace("-", " "), service=service, alerts=alerts),
    )


def config_toml(kb: KB, text: str) -> None:
    (kb.root / "incident-kb.toml").write_text(textwrap.dedent(text), encoding="utf-8")


def rules_file(kb: KB, rel: str, text: str) -> Path:
    path = kb.root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def parse(text: str, path: str = "r.yaml") -> tuple[list[alertrules.AlertRule], Findings]:
    findings = Findings()
    return alertrules.parse_rules(textwrap.dedent(text), path, findings), findings


def loaded(kb: KB) -> tuple[KnowledgeBase, Config]:
    config = load_config(kb.root)
    findings = Findings()
    model, _ = load_knowledge_base(config, findings)
    assert [f.format() for f in findings] == []
    return model, config


# -- reading rule files ------------------------------------------------------------------


def test_plain_rule_file_with_lines_and_recording_rules_skipped() -> None:
    rules, findings = parse(
        """\
        groups:
          - name: auth
            rules:
              - record: job:x:rate5m
                expr: sum(rate(x[5m]))
              - alert: AuthDown
                expr: up{job="auth"} == 0
                labels:
                  severity: critical
                annotations:
                  summary: down
                  runbook_url: https://kb.example.com/runbooks/auth/a/
        """
    )
    assert list(findings) == []
    assert [(r.name, r.line, r.field, r.group) for r in rules] == [
        ("AuthDown", 6, "groups[0].rules[1]", "auth")
    ]
    assert rules[0].severity == "critical"
    assert rules[0].annotation("runbook_url") == "https://kb.example.com/runbooks/auth/a/"
    assert rules[0].annotation_line("runbook_url") == 12


def test_prometheus_rule_manifests_several_documents_and_lists() -> None:
    rules, findings = parse(
        """\
        apiVersion: monitoring.coreos.com/v1
        kind: PrometheusRule
        spec:
          groups:
            - name: a
              rules:
                - alert: One
                  expr: vector(1)
        ---
        apiVersion: v1
        kind: ConfigMap
        data: {}
        ---
        apiVersion: v1
        kind: List
        items:
          - kind: PrometheusRule
            spec:
              groups:
                - name: b
                  rules:
                    - alert: Two
                      expr: vector(1)
        ---
        """
    )
    assert [(r.name, r.line, r.field) for r in rules] == [
        ("One", 7, "spec.groups[0].rules[0]"),
        ("Two", 22, "items[0].spec.groups[0].rules[0]"),
    ]
    assert [(f.line, f.level, f.message) for f in findings] == [
        (11, Level.NOTICE, "a ConfigMap, not a PrometheusRule: ignored")
    ]


def test_anchors_aliases_and_merge_keys_are_read_without_expansion() -> None:
    rules, findings = parse(
        """\
        common: &common
          severity: warning
          team: t
        groups:
          - name: g
            rules:
              - alert: A
                expr: vector(1)
                labels:
                  <<: *common
                  severity: critical
                annotations: &ann
                  runbook_url: https://kb.example.com/runbooks/auth/a/
              - alert: B
                expr: vector(1)
                labels: *common
                annotations: *ann
        """
    )
    assert list(findings) == [] or all(f.level is not Level.ERROR for f in findings)
    assert [(r.name, dict(r.labels)) for r in rules] == [
        ("A", {"severity": "critical", "team": "t"}),
        ("B", {"severity": "warning", "team": "t"}),
    ]
    assert rules[1].annotation("runbook_url") == rules[0].annotation("runbook_url")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("groups:\n  - name: g\n    rules: [\n", 4, "invalid YAML"),
        ("groups: 3\n", 1, "must be a list"),
        ("groups:\n  - 3\n", 2, "a group must be a mapping"),
        ("groups:\n  - name: g\n    rules:\n      - expr: x\n", 4, "needs 'alert' or 'record'"),
        ("groups:\n  - name: g\n    rules:\n      - alert: A\n", 4, "has no expr"),
        (
            "groups:\n  - name: g\n    rules:\n      - {alert: A, record: b, expr: x}\n",
            4,
            "not both",
        ),
        ("groups:\n  - name: g\n    rules:\n      - {alert: '', expr: x}\n", 4, "non-empty"),
        (
            "groups:\n  - name: g\n    rules:\n      - {alert: A, expr: x, labels: [a]}\n",
            4,
            "mapping",
        ),
        ("groups:\n  - name: g\n    rules: {}\n", 3, "must be a list"),
        ("groups: []\ngroups: []\n", 2, "duplicate key 'groups'"),
        ("- 1\n", 1, "a list, not a rule file"),
        ("kind: PrometheusRule\nspec: {}\n", 2, "without spec.groups"),
        ("groups:\n  - name: g\n    rules:\n      - alert: *nope\n", 4, "unknown alias *nope"),
        ("x: " + "[" * 200 + "]" * 200 + "\n", 1, "nesting is deeper"),
        ("a: \x01\n", 1, "invalid YAML"),
    ],
)
def test_broken_rule_files_are_findings_not_tracebacks(text: str, line: int, message: str) -> None:
    _, findings = parse(text)
    found = [(f.line, f.message) for f in findings]
    assert any(f_line == line and message in f_msg for f_line, f_msg in found), found


def test_files_that_are_not_rule_files_are_warnings() -> None:
    _, findings = parse("foo: bar\n")
    assert [(f.level, f.message[:24]) for f in findings] == [
        (Level.WARNING, "neither a Prometheus rul")
    ]


def test_unreadable_files(tmp_path: Path) -> None:
    binary = tmp_path / "bin.yaml"
    binary.write_bytes(b"groups: []\n\xff\n")
    folder = tmp_path / "dir.yaml"
    folder.mkdir()
    rule_set = alertrules.load_rules([binary, folder], lambda p: p.name)
    assert not rule_set.readable
    assert [(f.path, f.line, f.message) for f in rule_set.problems] == [
        ("bin.yaml", 2, "not valid UTF-8 at offset 11"),
        ("dir.yaml", 1, "not a regular file"),
    ]


def test_work_is_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "groups:\n  - name: g\n    rules:\n" + "".join(
        f"      - {{alert: A{i}, expr: x}}\n" for i in range(5)
    )
    findings = Findings()
    rules = alertrules.parse_rules(text, "r.yaml", findings, limit=4)  # the group and 3 rules
    assert len(rules) == 3
    assert [f.message for f in findings] == [
        "more than 4 groups and rules in this file: the rest are not read"
    ]
    monkeypatch.setattr(alertrules, "MAX_MERGED_KEYS", 5)
    _, findings = parse(
        """\
        a: &a {k1: 1, k2: 2, k3: 3}
        b: {<<: [*a, *a]}
        groups: []
        """
    )
    assert [f.message for f in findings] == ["merge keys copy more than 5 keys"]


# -- URL templates and anchors -----------------------------------------------------------


def test_url_templates() -> None:
    t = UrlTemplate.parse("https://git.example.com/runbooks/{alert}.md")
    assert t.match("https://git.example.com/runbooks/HighCPU.md#steps") == {"alert": "HighCPU"}
    assert t.match("https://git.example.com/runbooks/a/HighCPU.md") is None
    assert t.match("https://git.example.com/runbooks/High%20CPU.md") == {"alert": "High CPU"}
    assert t.expand(alert="X") == "https://git.example.com/runbooks/X.md"
    both = UrlTemplate.parse("https://h/{id}/{alert}/{id}")
    assert both.match("https://h/a/B/a") == {"id": "a", "alert": "B"}
    assert both.match("https://h/a/B/c") is None
    for bad in ("https://h/{name}.md", "https://h/static.md", "https://h/{alert}}.md"):
        with pytest.raises(ValueError, match="https://h/"):
            UrlTemplate.parse(bad)
    with pytest.raises(ConfigError, match="--url-template"):
        resolve.parse_templates(["https://h/x"], "--url-template")


def test_page_anchors_follow_mkdocs_toc() -> None:
    body = RUNBOOK.format(id="x", title="Café & co", service="auth", alerts="A").split("---\n")[2]
    anchors = resolve.page_anchors(body)
    assert {"cafe-co", "symptoms-alert-meaning", "mitigation", "mitigation_1", "who-to-call"} <= (
        anchors
    )
    assert "not-a-heading" not in anchors
    assert "symptoms--alert-meaning" in resolve.github_anchors(body)


# -- resolution and coverage -------------------------------------------------------------


@pytest.fixture
def linked(kb: KB) -> KB:
    runbook(kb, "auth-errors", "AuthErrors, AuthSlow")
    runbook(kb, "api-down", "ApiDown, GoneAlert", service="api")
    kb.write("runbooks/auth/broken.md", "---\nid: broken\n---\n")
    config_toml(
        kb,
        f"""\
        [alerts]
        rules = ["alerting/*.yaml"]
        site_url = "{SITE}"
        url_templates = ["https://git.example.com/runbooks/{{alert}}.md"]
        """,
    )
    return kb


def _resolve(kb: KB, url: str, site: str | None = SITE) -> resolve.Link:
    model, config = loaded_allowing_invalid(kb)
    templates = resolve.parse_templates(config.url_templates, "t")
    resolver = resolve.Resolver(model, config, templates, site)
    return resolver.resolve(
        alertrules.AlertRule("AuthErrors", "r.yaml", 3, "groups[0].rules[0]"), "runbook_url", url
    )


def loaded_allowing_invalid(kb: KB) -> tuple[KnowledgeBase, Config]:
    config = load_config(kb.root)
    model, _ = load_knowledge_base(config, Findings())
    return model, config


@pytest.mark.parametrize(
    ("url", "status", "runbook"),
    [
        ("https://kb.example.com/runbooks/auth/auth-errors/", "ok", "auth-errors"),
        ("https://kb.example.com/runbooks/auth/auth-errors", "ok", "auth-errors"),
        ("https://kb.example.com/runbooks/auth/auth-errors.html", "ok", "auth-errors"),
        ("https://kb.example.com/runbooks/auth/auth-errors/index.html", "ok", "auth-errors"),
        ("http://KB.example.com/runbooks/auth/auth-errors/", "ok", "auth-errors"),
        ("https://kb.example.com/runbooks/auth/auth-errors/#mitigation_1", "ok", "auth-errors"),
        ("https://kb.example.com/runbooks/auth/auth-errors/#who-to-call", "ok", "auth-errors"),
        ("https://kb.example.com/runbooks/auth/auth-errors/#nope", "broken-anchor", "auth-errors"),
        ("https://kb.example.com/runbooks/auth/auth-error/", "no-page", None),
        ("https://kb.example.com/services/auth/", "not-runbook", None),
        ("https://kb.example.com/runbooks/auth/broken/", "not-runbook", None),
        ("https://kb.example.com/", "no-page", None),
        ("https://kb.example.com//etc/passwd", "no-page", None),
        ("https://kb.example.com/runbooks/../services/auth/", "no-page", None),
        ("https://git.example.com/runbooks/AuthSlow.md", "ok", "auth-errors"),
        (
            "https://git.example.com/runbooks/AuthSlow.md#symptoms--alert-meaning",
            "ok",
            "auth-errors",
        ),
        ("https://git.example.com/runbooks/AuthSlow.md#nope", "broken-anchor", "auth-errors"),
        ("https://git.example.com/runbooks/Unknown.md", "no-page", None),
        ("https://wiki.example.com/AuthErrors", "external", None),
        ("see the wiki", "external", None),
    ],
)
def test_resolution(linked: KB, url: str, status: str, runbook: str | None) -> None:
    link = _resolve(linked, url)
    assert link.status == status, link.message
    assert [rb.id for rb in link.runbooks] == ([runbook] if runbook else [])
    assert (link.line, link.field) == (3, "groups[0].rules[0].annotations.runbook_url")


def test_messages_say_what_is_wrong(linked: KB) -> None:
    assert (
        "did you mean #mitigation?"
        in _resolve(linked, SITE + "runbooks/auth/auth-errors/#mitigaton").message
    )
    assert (
        "did you mean https://kb.example.com/runbooks/auth/auth-errors/?"
        in _resolve(linked, SITE + "runbooks/auth/auth-error/").message
    )
    assert "not a valid runbook" in _resolve(linked, SITE + "runbooks/auth/broken/").message
    assert (
        "no runbook has alert Unknown"
        in _resolve(linked, "https://git.example.com/runbooks/Unknown.md").message
    )


def test_site_under_a_sub_path(linked: KB) -> None:
    base = "https://example.com/kb"
    assert (
        _resolve(linked, "https://example.com/kb/runbooks/auth/auth-errors/", base).status == "ok"
    )
    assert _resolve(linked, "https://example.com/runbooks/auth/auth-errors/", base).status == (
        "external"
    )
    assert _resolve(linked, "https://example.com/kbx/runbooks/auth/auth-errors/", base).status == (
        "external"
    )


RULES = """\
groups:
  - name: g
    rules:
      - alert: AuthErrors
        expr: x
        labels: {severity: critical}
        annotations:
          runbook_url: https://kb.example.com/runbooks/auth/auth-errors/#mitigation
      - alert: AuthSlow
        expr: x
      - alert: ApiDown
        expr: x
        annotations:
          runbook_url: https://kb.example.com/runbooks/api/api-down/#missing
      - alert: Lonely
        expr: x
        labels: {severity: warning}
      - alert: Lonely
        expr: x
        labels: {severity: critical}
      - alert: Twice
        expr: x
        annotations:
          runbook_url: https://wiki.example.com/Twice
      - alert: Twice
        expr: x
"""


def test_coverage(linked: KB) -> None:
    path = rules_file(linked, "alerting/rules.yaml", RULES)
    model, config = loaded_allowing_invalid(linked)
    rule_set = alertrules.load_rules([path], config.relative)
    coverage = alerting.compute(rule_set, model, config, site_url=SITE)
    states = {a.name: a.state for a in coverage.alerts}
    assert states == {
        "ApiDown": "broken",
        "AuthErrors": "covered",
        "AuthSlow": "covered",  # no annotation: the runbook lists it
        "Lonely": "missing",
        "Twice": "external",
    }
    assert (coverage.total, coverage.covered, coverage.rule_count) == (5, 2, 7)
    assert coverage.percent_text == "40.0%"
    assert [a.name for a in coverage.without_runbook] == ["Lonely", "Twice"]
    assert [link.alert for link in coverage.broken_links] == ["ApiDown"]
    assert [(o.runbook.id, o.alert, o.line) for o in coverage.orphans] == [
        ("api-down", "GoneAlert", 6)
    ]
    assert [(d.name, d.same_labels, d.differing) for d in coverage.duplicates] == [
        ("Lonely", False, (("severity", ("critical", "warning")),)),
        ("Twice", True, ()),
    ]
    by_rule = {(f.path, f.line, f.level.value, f.rule) for f in coverage.findings}
    assert by_rule == {
        ("alerting/rules.yaml", 14, "error", "alert-link"),
        ("alerting/rules.yaml", 15, "warning", "alert-no-runbook"),
        ("alerting/rules.yaml", 18, "notice", "alert-duplicate"),
        ("alerting/rules.yaml", 24, "notice", "alert-link"),
        ("alerting/rules.yaml", 21, "warning", "alert-no-runbook"),
        ("alerting/rules.yaml", 25, "warning", "alert-duplicate"),
        ("docs/runbooks/api/api-down.md", 6, "warning", "alert-orphan"),
    }
    assert coverage.failed()
    assert not coverage.below(40) and coverage.below(40.1)


def test_runbook_not_listing_the_alert_is_a_notice(linked: KB) -> None:
    path = rules_file(
        linked,
        "alerting/rules.yaml",
        """\
        groups:
          - name: g
            rules:
              - alert: Other
                expr: x
                annotations: {runbook_url: "https://kb.example.com/runbooks/auth/auth-errors/"}
        """,
    )
    model, config = loaded_allowing_invalid(linked)
    coverage = alerting.compute(
        alertrules.load_rules([path], config.relative), model, config, site_url=SITE
    )
    assert coverage.covered == 1
    assert [f.message for f in coverage.findings if f.rule == "alert-link"] == [
        "Other: the runbook auth-errors does not list Other in its alerts "
        "(docs/runbooks/auth/auth-errors.md:6)"
    ]


def test_defined_alerts(linked: KB) -> None:
    config = load_config(linked.root)
    assert alertrules.defined_alerts(config) is None  # the pattern matches no file yet
    rules_file(linked, "alerting/rules.yaml", RULES)
    assert alertrules.defined_alerts(load_config(linked.root)) == frozenset(
        {"AuthErrors", "AuthSlow", "ApiDown", "Lonely", "Twice"}
    )
    rules_file(linked, "alerting/zz-broken.yaml", "groups: [\n")
    assert alertrules.defined_alerts(load_config(linked.root)) is None
    config_toml(linked, "")
    assert alertrules.defined_alerts(load_config(linked.root)) is None


# -- the command -------------------------------------------------------------------------


def test_command_exit_codes_and_text(linked: KB) -> None:
    root = str(linked.root)
    result = command("--root", root, "alerts", "check")
    assert result.code == 1  # the configured pattern matches no file
    assert "alerting/*.yaml' matches no file" in result.out
    rules_file(linked, "alerting/rules.yaml", RULES)
    result = command("--root", root, "alerts", "check")
    assert result.code == 1  # ApiDown's anchor is broken
    assert (
        "alerting/rules.yaml:14: groups[0].rules[2].annotations.runbook_url: ApiDown: "
        "#missing is not an anchor on runbook api-down (docs/runbooks/api/api-down.md)"
    ) in result.out.splitlines()
    assert result.out.splitlines()[-1].startswith(
        "alerts: 2 of 5 alerts have a working runbook (40.0%); 2 without a runbook, "
        "1 broken link, 1 runbook alert defined by no rule, 2 defined more than once "
        "(7 alerting rules in 1 file)"
    )

    good = str(rules_file(linked, "elsewhere/good.yaml", RULES.replace("#missing", "#mitigation")))
    check = ("alerts", "check", good, "--root", root)
    assert command(*check).code == 0
    assert command(*check, "--min-coverage", "60.1").code == 1
    assert command(*check, "--min-coverage", "61%").code == 1
    assert command(*check, "--min-coverage", "60").code == 0
    assert command("alerts", "check", str(Path(good).parent), "--root", root, "--strict").code == 1
    result = command(*check, "--annotation-key", "nope")
    assert result.code == 0
    assert "alerts: 3 of 5" in result.out  # through front-matter only


def test_command_usage_errors(linked: KB) -> None:
    root = str(linked.root)
    result = command("alerts", "check", str(linked.root / "missing.yaml"), "--root", root)
    assert result.code == 2
    assert "missing.yaml: no such file or folder" in result.err
    result = command("alerts", "check", "--root", root, "--url-template", "https://h/x")
    assert result.code == 2
    assert "--url-template: https://h/x: needs {alert} or {id}" in result.err
    assert command("alerts", "check", "--root", str(linked.root / "nope")).code == 2
    assert command("alerts", "check", "--root", root, "--min-coverage", "120").code == 2
    assert command("alerts", "check", "--root", root, "--format", "xml").code == 2
    config_toml(linked, "")
    result = command("alerts", "check", "--root", root)
    assert result.code == 2
    assert "no rule files" in result.err


def test_formats(linked: KB) -> None:
    path = rules_file(linked, "alerting/rules.yaml", RULES)
    check = ("alerts", "check", str(path), "--root", str(linked.root))
    result = command(*check, "--format", "json")
    assert result.code == 1
    data = json.loads(result.out)
    assert list(data) == [
        "version",
        "rule_files",
        "summary",
        "alerts",
        "orphans",
        "duplicates",
        "findings",
    ]
    assert data["summary"] == {
        "alerts": 5,
        "alerting_rules": 7,
        "covered": 2,
        "coverage_pct": 40.0,
        "without_runbook": 2,
        "broken_links": 1,
        "orphan_runbook_alerts": 1,
        "defined_more_than_once": 2,
        "min_coverage_pct": None,
        "failed": True,
    }
    api = next(a for a in data["alerts"] if a["name"] == "ApiDown")
    assert api["state"] == "broken"
    assert api["links"][0]["status"] == "broken-anchor"
    assert data["orphans"] == [
        {
            "runbook": "api-down",
            "path": "docs/runbooks/api/api-down.md",
            "line": 6,
            "alert": "GoneAlert",
        }
    ]
    assert {f["rule"] for f in data["findings"]} == {
        "alert-link",
        "alert-no-runbook",
        "alert-duplicate",
        "alert-orphan",
    }

    result = command(*check, "--format", "github")
    assert result.code == 1
    lines = result.out.splitlines()
    assert lines[0].startswith(
        "::error file=alerting/rules.yaml,line=14,"
        "title=groups[0].rules[2].annotations.runbook_url::ApiDown: #missing"
    )
    assert lines[-1].startswith("::notice title=Alert coverage::alerts: 2 of 5")

    result = command(*check, "--format", "markdown", "--min-coverage", "50")
    assert result.code == 1
    page = result.out
    assert page.startswith("# Alert coverage\n\n**2 of 5 alerts (40.0%)**")
    for heading in (
        "## Alerts without a runbook",
        "## Broken runbook links",
        "## Runbook alerts defined by no rule",
        "## Alerts defined more than once",
        "## Every alert",
    ):
        assert heading in page
    assert "below the required 50%" in page
    assert "coverage 40.0% is below --min-coverage 50%" in result.err


def test_coverage_page_escapes_everything(kb: KB) -> None:
    runbook(kb, "a", "A")
    path = rules_file(
        kb,
        "r.yaml",
        """\
        groups:
          - name: g
            rules:
              - alert: "<img src=x onerror=alert(1)>"
                expr: x
                labels: {severity: "*bold* [x](javascript:alert(1))"}
                annotations:
                  runbook_url: "https://kb.example.com/runbooks/<script>/"
              - alert: A
                expr: x
        """,
    )
    model, config = loaded(kb)
    coverage = alerting.compute(
        alertrules.load_rules([path], config.relative), model, config, site_url=SITE
    )
    page = coverage_page(coverage, lambda rb: Md(f"[{rb.id}](../{rb.id}.md)"), environment(None))
    assert "<img" not in page and "<script>" not in page and "](javascript" not in page
    assert "&#60;img src&#61;x onerror&#61;alert&#40;1&#41;&#62;" in page
    assert "[a](../a.md)" in page


def test_example_knowledge_base() -> None:
    """The example ships alerting/rules.yaml: no broken link, some alerts uncovered, and
    one runbook alert that no rule defines any more."""
    config = load_config(REPO)
    model, _ = load_knowledge_base(config, Findings())
    rules = alertrules.configured_rules(config)
    assert rules is not None
    coverage = alerting.coverage_of(rules, model, config)
    assert coverage.broken_links == ()
    assert not coverage.failed()
    assert [a.name for a in coverage.without_runbook] == [
        "APIGatewayRateLimitRejectionsHigh",
        "NotificationsSMSProviderErrorRateHigh",
        "StorefrontLatencyP99High",
    ]
    assert [(o.runbook.id, o.alert) for o in coverage.orphans] == [
        ("edge-certificate-renewal", "TLSCertificateExpired")
    ]
    anchored = [
        link for a in coverage.alerts for link in a.links if "#" in link.url and link.status == "ok"
    ]
    assert len(anchored) >= 3
    assert alertrules.defined_alerts(config) == frozenset(a.name for a in coverage.alerts)
    assert (coverage.covered, coverage.total) == (17, 20)


def test_example_command_exits_0_and_reports() -> None:
    result = command("--root", str(REPO), "alerts", "check")
    assert result.code == 0, result.out + result.err
    lines = result.out.splitlines()
    assert lines[-1].startswith("alerts: 17 of 20 alerts have a working runbook (85.0%)")
    assert sum(" has no runbook: " in line for line in lines) == 3
    assert (
        "docs/runbooks/edge/edge-certificate-renewal.md:6: alerts[1]: warning: "
        "TLSCertificateExpired is defined by no rule in the 1 checked rule file: the runbook is "
        "stale for it"
    ) in lines
    assert command("--root", str(REPO), "alerts", "check", "--strict").code == 1


def test_index_suffixes_default_ports_and_merged_rules(linked: KB) -> None:
    kb = linked
    runbook(kb, "search-rebuild-index", "AuthErrors")
    for url in (
        "https://kb.example.com/runbooks/auth/search-rebuild-index.html",
        "https://kb.example.com:443/runbooks/auth/search-rebuild-index/",
    ):
        link = _resolve(kb, url)
        assert (link.status, [r.id for r in link.runbooks]) == ("ok", ["search-rebuild-index"])
    rules, _findings = parse(
        """\
        base: &base
          alert: Twice
          expr: vector(1)
        groups:
          - name: g
            rules:
              - *base
              - <<: *base
                labels: {severity: critical}
        """
    )
    # An alias is the anchored rule itself (line 2); a merge is a rule of its own (line 8).
    assert [r.line for r in rules] == [2, 8]
