"""Alert coverage: which alerting rules lead a responder to a runbook, and which do not.

Every alerting rule is matched with runbooks two ways: its runbook annotation (configurable
keys, the first present one counts), resolved by ``alerts.resolve``; and the ``alerts:``
lists in runbook front-matter. An alert (a name; several rules may define it) has a
working runbook when at least one runbook answers it and none of its annotations is broken.
Coverage is alerts with a working runbook / alerts. ``compute`` is a pure function of (rule
set, model, configuration); rule files are read by ``alerts.rulefiles``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from incident_kb.alerts.resolve import Link, Resolver, parse_templates
from incident_kb.alerts.rulefiles import AlertRule, RuleSet
from incident_kb.core.config import CONFIG_NAME, Config
from incident_kb.core.escaping import Md
from incident_kb.core.findings import Finding, Findings, Level
from incident_kb.core.urltemplate import UrlTemplate
from incident_kb.documents.model import KnowledgeBase, Runbook

State = Literal["covered", "broken", "external", "missing"]


@dataclass(frozen=True)
class AlertCoverage:
    """One alert name: its definitions, its annotation links and the runbooks listing it."""

    name: str
    rules: tuple[AlertRule, ...]
    links: tuple[Link, ...] = ()
    listed_by: tuple[Runbook, ...] = ()

    @property
    def runbooks(self) -> tuple[Runbook, ...]:
        """Every runbook that answers this alert, by id (annotation targets and listings)."""
        found: dict[tuple[str, str], Runbook] = {}
        for link in self.links:
            if link.status == "ok":
                for rb in link.runbooks:
                    found.setdefault((rb.id, rb.source.path), rb)
        for rb in self.listed_by:
            found.setdefault((rb.id, rb.source.path), rb)
        return tuple(found[key] for key in sorted(found))

    @property
    def state(self) -> State:
        if any(link.broken for link in self.links):
            return "broken"
        if self.runbooks:
            return "covered"
        if self.links:
            return "external"
        return "missing"

    @property
    def covered(self) -> bool:
        return self.state == "covered"

    @property
    def severities(self) -> str:
        return ", ".join(sorted({r.severity for r in self.rules if r.severity}))


@dataclass(frozen=True)
class Orphan:
    """A runbook answers an alert that no checked rule defines."""

    runbook: Runbook
    alert: str
    line: int


@dataclass(frozen=True)
class Duplicate:
    """An alert name defined by more than one rule."""

    name: str
    rules: tuple[AlertRule, ...]
    #: Two of the definitions carry the same labels: they are one alert defined twice.
    same_labels: bool
    #: Label keys whose values differ between definitions (``severity`` usually).
    differing: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Coverage:
    """The whole answer of ``alerts check``: a function of (rule files, knowledge base)."""

    rule_set: RuleSet
    alerts: tuple[AlertCoverage, ...]
    orphans: tuple[Orphan, ...]
    duplicates: tuple[Duplicate, ...]
    findings: tuple[Finding, ...]

    @property
    def files(self) -> tuple[str, ...]:
        return self.rule_set.files

    @property
    def total(self) -> int:
        return len(self.alerts)

    @property
    def rule_count(self) -> int:
        return len(self.rule_set.rules)

    @property
    def covered(self) -> int:
        return sum(1 for a in self.alerts if a.covered)

    @property
    def ratio(self) -> float | None:
        return self.covered / self.total if self.total else None

    @property
    def percent_text(self) -> Md:
        """``85.0%`` or ``n/a``: built from numbers, so safe to print as it is."""
        ratio = self.ratio
        return Md("n/a" if ratio is None else f"{ratio * 100:.1f}%")

    @property
    def without_runbook(self) -> tuple[AlertCoverage, ...]:
        return tuple(a for a in self.alerts if a.state in ("missing", "external"))

    @property
    def broken_links(self) -> tuple[Link, ...]:
        return tuple(link for a in self.alerts for link in a.links if link.broken)

    def below(self, min_percent: float | None) -> bool:
        """Coverage is under ``min_percent``; no alert at all counts as below any minimum."""
        if min_percent is None:
            return False
        if not self.total:
            return True
        return self.covered * 100 < min_percent * self.total

    def failed(self, *, strict: bool = False, min_percent: float | None = None) -> bool:
        """Exit 1: an error (a broken link, an unreadable rule file), a warning with
        ``strict``, or coverage below ``min_percent``."""
        levels = {f.level for f in self.findings}
        return (
            Level.ERROR in levels or (strict and Level.WARNING in levels) or self.below(min_percent)
        )


def _in_order(findings: Findings) -> tuple[Finding, ...]:
    """Every finding, sorted, none summed up: the report's point is the full list (rule-file
    problems were already capped per file when read)."""
    return tuple(sorted(set(findings.items), key=lambda f: (f.path, f.line, f.field, f.message)))


def _link_for(rule: AlertRule, keys: Sequence[str], resolver: Resolver) -> Link | None:
    for key in keys:
        value = (rule.annotation(key) or "").strip()
        if value:
            return resolver.resolve(rule, key, value)
    return None


def compute(
    rule_set: RuleSet,
    kb: KnowledgeBase,
    config: Config,
    *,
    templates: Sequence[UrlTemplate] = (),
    annotation_keys: Sequence[str] | None = None,
    site_url: str | None = None,
) -> Coverage:
    """Coverage of these rules by this knowledge base's runbooks (a pure function)."""
    keys = tuple(annotation_keys) if annotation_keys is not None else config.annotation_keys
    resolver = Resolver(kb, config, templates, site_url)
    findings = Findings()
    findings.extend(rule_set.problems)
    by_name: dict[str, list[AlertRule]] = defaultdict(list)
    for rule in rule_set.rules:
        by_name[rule.name].append(rule)

    alerts = []
    for name in sorted(by_name):
        rules = by_name[name]
        links = tuple(link for r in rules if (link := _link_for(r, keys, resolver)) is not None)
        listed = tuple(resolver.by_alert.get(name, ()))
        entry = AlertCoverage(name, tuple(rules), links, listed)
        alerts.append(entry)
        for link in links:
            if link.broken:
                findings.add(
                    link.path, link.line, link.field, f"{name}: {link.message}", rule="alert-link"
                )
            elif link.status == "external":
                findings.add(
                    link.path,
                    link.line,
                    link.field,
                    f"{name}: {link.message}",
                    level=Level.NOTICE,
                    rule="alert-link",
                )
            else:
                for rb in link.runbooks:
                    if name not in rb.alerts:
                        findings.add(
                            link.path,
                            link.line,
                            link.field,
                            f"{name}: the runbook {rb.id} does not list {name} in its alerts "
                            f"({rb.source.path}:{rb.source.line('alerts')})",
                            level=Level.NOTICE,
                            rule="alert-link",
                        )
        if entry.state in ("missing", "external"):
            first = rules[0]
            how = " or ".join(keys) if keys else "runbook"
            why = (
                f"its {how} points outside the knowledge base"
                if entry.state == "external"
                else f"no {how} annotation"
            )
            findings.add(
                first.path,
                first.line,
                f"{first.field}.alert",
                f"{name} has no runbook: {why}, and no runbook lists it in its alerts",
                level=Level.WARNING,
                rule="alert-no-runbook",
            )

    duplicates = []
    for name in sorted(by_name):
        rules = by_name[name]
        if len(rules) < 2:
            continue
        label_sets = [tuple(sorted(r.labels)) for r in rules]
        same = len(set(label_sets)) < len(label_sets)
        keys_all = sorted({k for r in rules for k, _ in r.labels})
        differing = tuple(
            (k, tuple(sorted({dict(r.labels).get(k, "") for r in rules})))
            for k in keys_all
            if len({dict(r.labels).get(k, "") for r in rules}) > 1
        )
        duplicates.append(Duplicate(name, tuple(rules), same, differing))
        for index in range(1, len(rules)):
            other = rules[index]
            twin = next(
                (rules[i] for i in range(index) if label_sets[i] == label_sets[index]), None
            )
            if twin is not None:
                message = f"{name} is also defined at {twin.location} with the same labels"
            else:
                shown = "; ".join(
                    f"{k}: {', '.join(v or '(none)' for v in vals)}" for k, vals in differing
                )
                message = f"{name} is also defined at {rules[0].location} (labels differ: {shown})"
            findings.add(
                other.path,
                other.line,
                f"{other.field}.alert",
                message,
                level=Level.WARNING if twin is not None else Level.NOTICE,
                rule="alert-duplicate",
            )

    files = len(rule_set.files)
    checked = f"{files} checked rule file{'' if files == 1 else 's'}"
    orphans = []
    for rb in kb.runbooks:
        for index, alert in enumerate(rb.alerts):
            if alert not in by_name:
                line = rb.source.line(f"alerts[{index}]")
                orphans.append(Orphan(rb, alert, line))
                findings.add(
                    rb.source.path,
                    line,
                    f"alerts[{index}]",
                    f"{alert} is defined by no rule in the {checked}: the runbook is stale for it",
                    level=Level.WARNING,
                    rule="alert-orphan",
                )
    if not rule_set.rules:
        findings.add(
            rule_set.files[0] if rule_set.files else CONFIG_NAME,
            1,
            "(file)",
            f"no alerting rule in the {checked}",
            level=Level.WARNING,
            rule="alert-rules",
        )
    return Coverage(rule_set, tuple(alerts), tuple(orphans), tuple(duplicates), _in_order(findings))


def coverage_of(rules: RuleSet, kb: KnowledgeBase, config: Config) -> Coverage:
    """Coverage of the configured rules with the configured URL templates and site URL.
    Raises ConfigError for an invalid URL template."""
    templates = parse_templates(config.url_templates, "incident-kb.toml: alerts.url_templates")
    return compute(rules, kb, config, templates=templates, site_url=config.site_url)
