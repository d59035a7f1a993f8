"""The ``incident-kb`` command.

Exit status: 0 clean; 1 findings (warnings only with --strict); 2 usage, configuration or
internal error. No command prints a traceback unless INCIDENT_KB_DEBUG is set.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path

from incident_kb import __version__
from incident_kb.checks import reporters
from incident_kb.checks.validate import Result, check
from incident_kb.cli import alerts as alerts_command
from incident_kb.cli import importing, listings, scaffold
from incident_kb.cli.init import InitError, InitRequest
from incident_kb.cli.init import init as init_kb
from incident_kb.cli.util import UsageError, fail, kb_root
from incident_kb.core import logsafety
from incident_kb.core.config import Config, ConfigError, lexical_absolute
from incident_kb.core.config import load as load_config
from incident_kb.core.findings import Finding
from incident_kb.core.timeutil import now, parse_timestamp
from incident_kb.core.timeutil import today as resolve_today
from incident_kb.documents import schema
from incident_kb.figures.facts import Facts, analyse, every_finding
from incident_kb.site import publish


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="incident-kb",
        description="Validate and grow an incident-response knowledge base kept in git.",
    )
    parser.add_argument("--version", action="version", version=f"incident-kb {__version__}")
    parser.add_argument(
        "--root",
        type=Path,
        help="the knowledge base's folder (default: the nearest folder with incident-kb.toml "
        "or mkdocs.yml, from the first PATH or the current folder)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    # --root is accepted after the command too (``incident-kb validate --root DIR``).
    root_option = argparse.ArgumentParser(add_help=False)
    root_option.add_argument("--root", type=Path, default=argparse.SUPPRESS, help=argparse.SUPPRESS)

    v = sub.add_parser(
        "validate", help="check front-matter, references and rules", parents=[root_option]
    )
    v.add_argument(
        "paths",
        nargs="*",
        type=Path,
        metavar="PATH",
        help="report only on these files or folders (all documents are loaded)",
    )
    v.add_argument("--format", choices=reporters.FORMATS, default="text")
    v.add_argument("--strict", action="store_true", help="warnings fail the run too")
    v.add_argument("--as-of", metavar="YYYY-MM-DD", help="the date to treat as today")
    v.set_defaults(handler=_validate)

    n = sub.add_parser("new", help="start a postmortem, runbook, service or the policy")
    nsub = n.add_subparsers(dest="kind", required=True, metavar="KIND")
    pm = nsub.add_parser(
        "postmortem", help="a draft postmortem with the next free id", parents=[root_option]
    )
    pm.add_argument("--title", required=True)
    pm.add_argument("--severity", required=True, help="a level id from the severity policy")
    pm.add_argument(
        "--service",
        action="append",
        required=True,
        dest="services",
        help="an affected service id (repeat for several)",
    )
    pm.add_argument("--commander", required=True, help="the incident commander's handle")
    pm.add_argument("--started-at", help="RFC 3339 timestamp (default: now)")
    pm.add_argument("--detected-at", help="RFC 3339 timestamp (default: --started-at)")
    pm.add_argument(
        "--detection",
        default="alert",
        choices=["alert", "customer-report", "internal-report", "other"],
    )
    pm.add_argument("--summary", help="one line on the impact (default: the title)")
    pm.add_argument("--users-affected-pct", type=float, default=0.0)
    pm.add_argument("--runbook", action="append", default=[], dest="runbooks")
    pm.add_argument("--tag", action="append", default=[], dest="tags")
    pm.add_argument(
        "--as-of",
        metavar="YYYY-MM-DD",
        help="the date to treat as today (start of day, UTC, unless --started-at)",
    )
    pm.set_defaults(handler=_new)

    rb = nsub.add_parser("runbook", help="a runbook reviewed today", parents=[root_option])
    rb.add_argument("--title", required=True)
    rb.add_argument("--service", action="append", required=True, dest="services")
    rb.add_argument("--owner", required=True, help="the owning team or person")
    rb.add_argument("--alert", action="append", default=[], dest="alerts")
    rb.add_argument("--id", dest="doc_id", help="the runbook id (default: from the title)")
    rb.add_argument("--severity")
    rb.add_argument("--review-every-days", type=_positive)
    rb.add_argument("--as-of", metavar="YYYY-MM-DD", help="the date to treat as today")
    rb.set_defaults(handler=_new)

    sv = nsub.add_parser("service", help="a service document", parents=[root_option])
    sv.add_argument("--id", dest="doc_id", required=True, help="lower-case, names the file")
    sv.add_argument("--name", required=True)
    sv.add_argument("--owner", required=True, help="the owning team")
    sv.add_argument("--tier", type=_positive, default=2)
    sv.add_argument("--availability", type=float, default=99.9, help="SLO, percent")
    sv.add_argument("--window-days", type=_positive, default=30, help="SLO window")
    sv.add_argument(
        "--component",
        action="append",
        default=[],
        dest="components",
        help="a status-page component (repeat; default: the service's name)",
    )
    sv.set_defaults(handler=_new_service)

    pol = nsub.add_parser(
        "policy",
        help="the severity policy: four levels and the error-budget policy",
        parents=[root_option],
    )
    pol.set_defaults(handler=_new_policy)

    ini = sub.add_parser("init", help="write a working knowledge base into a folder")
    ini.add_argument("dir", nargs="?", type=Path, default=Path(), metavar="DIR")
    ini.add_argument("--site-name", default=InitRequest.site_name)
    ini.add_argument("--service", dest="service_id", default=InitRequest.service_id)
    ini.add_argument("--service-name", default=None, help="default: the service id, capitalised")
    ini.add_argument("--owner", default=InitRequest.owner, help="the service's owning team")
    ini.add_argument(
        "--package",
        default=InitRequest.package,
        help=f"what the workflows and the pre-commit hook install (default: {InitRequest.package})",
    )
    ini.add_argument("--no-workflows", dest="workflows", action="store_false")
    ini.add_argument("--no-pre-commit", dest="pre_commit", action="store_false")
    ini.set_defaults(handler=_init)

    ai = sub.add_parser(
        "action-items",
        help="list action items: open, overdue, by owner or service",
        parents=[root_option],
    )
    ai.add_argument("--owner", action="append", default=[], help="only these owners")
    ai.add_argument("--service", action="append", default=[], help="only these services")
    ai.add_argument(
        "--status",
        action="append",
        default=[],
        choices=["open", "in-progress", "done", "wont-do", "all"],
        help="only these statuses (default: open and in-progress)",
    )
    ai.add_argument("--overdue", action="store_true", help="only overdue items")
    ai.add_argument("--format", choices=listings.ITEM_FORMATS, default="text")
    ai.add_argument(
        "--fail-on-overdue", action="store_true", help="exit 1 when any listed item is overdue"
    )
    ai.add_argument("--as-of", metavar="YYYY-MM-DD", help="the date to treat as today")
    ai.set_defaults(handler=_action_items)

    st = sub.add_parser(
        "stale", help="list stale runbooks and why; exit 1 if any", parents=[root_option]
    )
    st.add_argument("--format", choices=listings.STALE_FORMATS, default="text")
    st.add_argument("--as-of", metavar="YYYY-MM-DD", help="the date to treat as today")
    st.set_defaults(handler=_stale)

    b = sub.add_parser(
        "build",
        help="build the site into a temporary folder and swap it in only on success",
        parents=[root_option],
    )
    b.add_argument(
        "--site-dir",
        type=Path,
        default=Path("site"),
        help="where the site goes (default: site/ in the knowledge base)",
    )
    b.add_argument(
        "--no-strict",
        dest="strict",
        action="store_false",
        help="keep warnings from failing the build",
    )
    b.set_defaults(handler=_build)

    s = sub.add_parser(
        "schema", help="print a JSON Schema of the format, one file with no references"
    )
    s.add_argument(
        "kind",
        nargs="?",
        choices=[n.removesuffix(".schema.json") for n in schema.schema_names()],
        metavar="NAME",
        help="postmortem, runbook, service, severity-policy, common or an api-* file; omit to "
        "list the schema files",
    )
    s.set_defaults(handler=_schema)
    alerts_command.add_parsers(sub, [root_option])
    importing.add_parsers(sub, [root_option])
    return parser


def _today(value: str | None) -> date:
    try:
        return resolve_today(value)
    except ValueError as exc:
        where = "--as-of" if value else "SOURCE_DATE_EPOCH"
        raise UsageError(f"{where}: {exc}") from None


def _selected(findings: Sequence[Finding], config: Config, paths: Sequence[Path]) -> list[Finding]:
    if not paths:
        return list(findings)
    wanted = []
    for path in paths:
        if not path.exists():
            raise UsageError(f"{path}: no such file or folder")
        resolved = lexical_absolute(path)
        try:
            resolved.relative_to(config.root)
        except ValueError:
            raise UsageError(f"{path} is outside the knowledge base at {config.root}") from None
        wanted.append(resolved)

    def chosen(finding: Finding) -> bool:
        target = lexical_absolute(config.root / finding.path)
        return any(target == w or w in target.parents for w in wanted)

    return [f for f in findings if chosen(f)]


def _validate(args: argparse.Namespace) -> int:
    config = load_config(kb_root(args))
    result, facts = analyse(config, _today(args.as_of))
    findings = _selected(every_finding(result, facts), config, args.paths)
    sys.stdout.write(reporters.render(args.format, findings, result.documents))
    if args.format == "text":
        print(reporters.summary(findings, result.documents), file=sys.stderr)
    narrowed = Result(result.kb, tuple(findings), result.documents)
    return 1 if narrowed.failed(args.strict) else 0


def _timestamp(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_timestamp(value)
    except ValueError as exc:
        raise UsageError(f"{option}: {exc}") from None


def _new(args: argparse.Namespace) -> int:
    config = load_config(kb_root(args))
    result = check(config, _today(args.as_of))
    if args.kind == "postmortem":
        started = _timestamp(args.started_at, "--started-at")
        if started is None:
            started = (
                datetime.fromisoformat(f"{_today(args.as_of)}T00:00:00+00:00")
                if args.as_of
                else now()
            )
        request = scaffold.NewPostmortem(
            title=args.title,
            severity=args.severity,
            services=args.services,
            commander=args.commander,
            started_at=started,
            detected_at=_timestamp(args.detected_at, "--detected-at"),
            detection=args.detection,
            summary=args.summary,
            users_affected_pct=args.users_affected_pct,
            runbooks=tuple(args.runbooks),
            tags=tuple(args.tags),
        )
        path = scaffold.new_postmortem(config, result.kb, request, _today(args.as_of))
    else:
        path = scaffold.new_runbook(
            config,
            result.kb,
            scaffold.NewRunbook(
                title=args.title,
                services=args.services,
                owner=args.owner,
                alerts=tuple(args.alerts),
                doc_id=args.doc_id,
                severity=args.severity,
                review_every_days=args.review_every_days,
            ),
            _today(args.as_of),
        )
    print(config.relative(path))
    return 0


def _new_service(args: argparse.Namespace) -> int:
    config = load_config(kb_root(args))
    result = check(config, _today(None))
    request = scaffold.NewService(
        doc_id=args.doc_id,
        name=args.name,
        owner=args.owner,
        tier=args.tier,
        availability=args.availability,
        window_days=args.window_days,
        components=tuple(args.components),
    )
    print(config.relative(scaffold.new_service(config, result.kb, request)))
    return 0


def _new_policy(args: argparse.Namespace) -> int:
    config = load_config(kb_root(args))
    result = check(config, _today(None))
    print(config.relative(scaffold.new_policy(config, result.kb)))
    return 0


def _init(args: argparse.Namespace) -> int:
    request = InitRequest(
        site_name=args.site_name,
        service_id=args.service_id,
        service_name=args.service_name or args.service_id.replace("-", " ").capitalize(),
        owner=args.owner,
        package=args.package,
        with_workflows=args.workflows,
        with_pre_commit=args.pre_commit,
    )
    try:
        written = init_kb(args.dir, request)
    except InitError as exc:
        print(f"incident-kb: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(path)
    print(
        f"a knowledge base in {args.dir}: `incident-kb validate --strict` checks it, "
        "`mkdocs serve` previews it",
        file=sys.stderr,
    )
    return 0


class IncompleteError(Exception):
    """Some documents could not be read, so a report would be silently incomplete: exit 2."""


def _checked(args: argparse.Namespace) -> tuple[Result, Facts]:
    """The knowledge base for a report. A report must not pass quietly over documents that
    could not be read (a scheduled job would close an issue over a broken runbook), so any
    such document stops the command with exit 2 and names the files."""
    config = load_config(kb_root(args))
    result, facts = analyse(config, _today(args.as_of))
    kb = result.kb
    modelled = len(kb.postmortems) + len(kb.runbooks) + len(kb.services) + (1 if kb.policy else 0)
    dropped = result.documents - modelled
    if dropped > 0:
        files = sorted({f.path for f in result.findings if f.level.value == "error"})
        raise IncompleteError(
            f"{dropped} document{'s' if dropped != 1 else ''} could not be read, so this report "
            f"would be incomplete: {', '.join(files[:10])}{' ...' if len(files) > 10 else ''} "
            "(run incident-kb validate)"
        )
    return result, facts


def _action_items(args: argparse.Namespace) -> int:
    result, facts = _checked(args)
    unknown = sorted(set(args.service) - set(result.kb.service_by_id))
    if unknown:
        raise UsageError(f"--service: unknown service {', '.join(repr(s) for s in unknown)}")
    everything = facts.items
    owners = {e.item.owner for e in everything}
    for owner in sorted(set(args.owner) - owners):
        print(f"incident-kb: --owner {owner!r} owns no action item", file=sys.stderr)
    statuses = set(args.status) or {"open", "in-progress"}
    entries = [
        e
        for e in everything
        if ("all" in statuses or e.item.status in statuses)
        and (not args.owner or e.item.owner in args.owner)
        and (not args.service or set(args.service) & set(e.postmortem.services))
        and (not args.overdue or e.state == "overdue")
    ]
    entries.sort(key=lambda e: (e.item.due, e.postmortem.id, e.item.index))
    sys.stdout.write(listings.items(args.format, entries, facts.today))
    overdue = any(e.state == "overdue" for e in entries)
    return 1 if args.fail_on_overdue and overdue else 0


def _stale(args: argparse.Namespace) -> int:
    result, facts = _checked(args)
    entries = [listings.RunbookState(rb, facts.freshness_of(rb)) for rb in result.kb.runbooks]
    sys.stdout.write(listings.stale(args.format, entries, facts.today))
    return 1 if any(e.freshness.state == "stale" for e in entries) else 0


def _build(args: argparse.Namespace) -> int:
    root = kb_root(args)
    try:
        publish.build(root, args.site_dir, strict=args.strict)
    except publish.BuildError as exc:
        print(f"incident-kb: {exc}", file=sys.stderr)
        return 1
    print(f"site built in {args.site_dir}", file=sys.stderr)
    return 0


def _schema(args: argparse.Namespace) -> int:
    if args.kind is None:
        for name in schema.schema_names():
            print(name)
        return 0
    print(json.dumps(schema.bundled(f"{args.kind}.schema.json"), indent=2, ensure_ascii=False))
    return 0


#: What a subcommand's parser sets as ``handler``: runs the command, returns the exit status.
Handler = Callable[[argparse.Namespace], int]


def dispatch(args: argparse.Namespace) -> int:
    """Run the parsed command's handler, turning every error into an exit status and a
    message on stderr (never a traceback unless INCIDENT_KB_DEBUG is set)."""
    handler: Handler = args.handler
    try:
        return handler(args)
    except (UsageError, ConfigError, scaffold.ScaffoldError, IncompleteError) as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # the promise: never a traceback, exit 2
        if os.environ.get("INCIDENT_KB_DEBUG"):
            raise
        print(
            f"incident-kb: internal error: {type(exc).__name__}: {logsafety.neutral(str(exc))} "
            "(set INCIDENT_KB_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command; returns the exit status (also used as the process's)."""
    return dispatch(_parser().parse_args(argv))


def entry() -> None:  # pragma: no cover - console script
    sys.exit(main())
