"""``incident-kb alerts check``: alert coverage on the command line, in four formats."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from incident_kb.alerts.coverage import Coverage, compute
from incident_kb.alerts.resolve import parse_templates
from incident_kb.alerts.rulefiles import (
    AlertRule,
    configured_rule_files,
    expand_rule_paths,
    load_rules,
)
from incident_kb.checks import reporters
from incident_kb.cli.util import UsageError, kb_root
from incident_kb.core.config import load as load_config
from incident_kb.core.escaping import Md, md_text
from incident_kb.core.findings import Findings
from incident_kb.documents.loading import load_knowledge_base
from incident_kb.documents.model import Runbook
from incident_kb.site.render import coverage_page, environment

FORMATS = ("text", "json", "markdown", "github")


# -- output ------------------------------------------------------------------------------


def summary(coverage: Coverage, min_percent: float | None = None) -> str:
    def plural(n: int, word: str, plural_word: str | None = None) -> str:
        return f"{n} {word if n == 1 else plural_word or word + 's'}"

    text = (
        f"alerts: {coverage.covered} of {plural(coverage.total, 'alert')} have a working "
        f"runbook ({coverage.percent_text}); {len(coverage.without_runbook)} without a "
        f"runbook, {plural(len(coverage.broken_links), 'broken link')}, "
        f"{plural(len(coverage.orphans), 'runbook alert')} defined by no rule, "
        f"{len(coverage.duplicates)} defined more than once "
        f"({plural(coverage.rule_count, 'alerting rule')} in "
        f"{plural(len(coverage.files), 'file')})"
    )
    if coverage.below(min_percent):
        text += f"\ncoverage {coverage.percent_text} is below --min-coverage {min_percent:g}%"
    return text


def _rule_json(rule: AlertRule) -> dict[str, Any]:
    return {
        "path": rule.path,
        "line": rule.line,
        "group": rule.group,
        "labels": dict(rule.labels),
    }


def _runbook_json(rb: Runbook) -> dict[str, Any]:
    return {"id": rb.id, "path": rb.source.path, "title": rb.title}


def as_json(coverage: Coverage, min_percent: float | None = None, strict: bool = False) -> str:
    ratio = coverage.ratio
    data = {
        "version": 1,
        "rule_files": list(coverage.files),
        "summary": {
            "alerts": coverage.total,
            "alerting_rules": coverage.rule_count,
            "covered": coverage.covered,
            "coverage_pct": None if ratio is None else round(ratio * 100, 2),
            "without_runbook": len(coverage.without_runbook),
            "broken_links": len(coverage.broken_links),
            "orphan_runbook_alerts": len(coverage.orphans),
            "defined_more_than_once": len(coverage.duplicates),
            "min_coverage_pct": min_percent,
            "failed": coverage.failed(strict=strict, min_percent=min_percent),
        },
        "alerts": [
            {
                "name": a.name,
                "state": a.state,
                "definitions": [_rule_json(r) for r in a.rules],
                "runbooks": [_runbook_json(rb) for rb in a.runbooks],
                "links": [
                    {
                        "path": link.path,
                        "line": link.line,
                        "field": link.field,
                        "url": link.url,
                        "status": link.status,
                        "runbooks": [rb.id for rb in link.runbooks],
                        "message": link.message,
                    }
                    for link in a.links
                ],
            }
            for a in coverage.alerts
        ],
        "orphans": [
            {
                "runbook": o.runbook.id,
                "path": o.runbook.source.path,
                "line": o.line,
                "alert": o.alert,
            }
            for o in coverage.orphans
        ],
        "duplicates": [
            {
                "alert": d.name,
                "same_labels": d.same_labels,
                "definitions": [_rule_json(r) for r in d.rules],
            }
            for d in coverage.duplicates
        ],
        "findings": json.loads(reporters.as_json(list(coverage.findings), len(coverage.files)))[
            "findings"
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def as_markdown(coverage: Coverage, min_percent: float | None = None) -> str:
    """A Markdown report (for a job summary or a pull-request comment)."""

    page = coverage_page(
        coverage,
        lambda rb: Md(f"{md_text(rb.id)} ({md_text(rb.source.path)})"),
        environment(None),
    )
    if coverage.below(min_percent):
        page += (
            f"\n**Coverage {md_text(coverage.percent_text)} is below the required "
            f"{md_text(f'{min_percent:g}%')}.**\n"
        )
    return page


def render_report(fmt: str, coverage: Coverage, min_percent: float | None, strict: bool) -> str:
    if fmt == "json":
        return as_json(coverage, min_percent, strict)
    if fmt == "markdown":
        return as_markdown(coverage, min_percent)
    if fmt == "github":
        text = reporters.github(list(coverage.findings))
        data = summary(coverage, min_percent)
        data = data.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        return f"{text}::notice title=Alert coverage::{data}\n"
    return reporters.text(list(coverage.findings)) + summary(coverage, min_percent) + "\n"


# -- the command -------------------------------------------------------------------------


def _percentage(text: str) -> float:
    try:
        value = float(text.strip().removesuffix("%"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a percentage") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError("must be between 0 and 100")
    return value


def add_parsers(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """``incident-kb alerts check``: register the parser, with :func:`run` as its handler
    (cli.py calls this)."""
    alerts = subparsers.add_parser("alerts", help="check alert rules against the runbooks")
    actions = alerts.add_subparsers(dest="alerts_action", required=True, metavar="ACTION")
    check = actions.add_parser(
        "check",
        help="which alerting rules lead to a runbook: coverage, broken links, orphans",
        parents=list(parents),
    )
    check.add_argument(
        "rules",
        nargs="*",
        type=Path,
        metavar="RULES",
        help="rule files or folders (default: [alerts] rules in incident-kb.toml)",
    )
    check.add_argument("--format", choices=FORMATS, default="text")
    check.add_argument(
        "--min-coverage",
        type=_percentage,
        metavar="PERCENT",
        help="exit 1 when fewer alerts than this have a working runbook",
    )
    check.add_argument(
        "--url-template",
        action="append",
        default=[],
        dest="url_templates",
        metavar="TEMPLATE",
        help="another place runbooks are published ({alert} or {id}); adds to the configured",
    )
    check.add_argument("--site-url", help="where the site is served (default: configured)")
    check.add_argument(
        "--annotation-key",
        action="append",
        dest="annotation_keys",
        metavar="KEY",
        help="annotation holding the runbook URL (repeat; default: configured, runbook_url)",
    )
    check.add_argument("--strict", action="store_true", help="warnings fail the run too")
    check.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    """Run ``alerts check``: 0 clean; 1 broken links, unreadable rules or coverage below
    --min-coverage (warnings too with --strict); 2 usage or configuration (raised as
    UsageError or ConfigError, for cli.main to report)."""
    config = load_config(kb_root(args))
    templates = parse_templates(config.url_templates, "incident-kb.toml: alerts.url_templates")
    templates += parse_templates(args.url_templates, "--url-template")
    if args.rules:
        try:
            paths = expand_rule_paths(args.rules)
        except FileNotFoundError as exc:
            raise UsageError(str(exc)) from None
        rule_set = load_rules(paths, config.relative)
    elif config.alert_rules:
        paths, problems = configured_rule_files(config)
        rule_set = load_rules(paths, config.relative, problems)
    else:
        raise UsageError("no rule files: give RULES or set [alerts] rules in incident-kb.toml")
    kb, _count = load_knowledge_base(config, Findings())
    coverage = compute(
        rule_set,
        kb,
        config,
        templates=templates,
        annotation_keys=args.annotation_keys,
        site_url=args.site_url or config.site_url,
    )
    sys.stdout.write(render_report(args.format, coverage, args.min_coverage, args.strict))
    if args.format in ("json", "markdown") and coverage.below(args.min_coverage):
        print(summary(coverage, args.min_coverage).splitlines()[-1], file=sys.stderr)
    return 1 if coverage.failed(strict=args.strict, min_percent=args.min_coverage) else 0
