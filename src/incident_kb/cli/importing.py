"""``incident-kb import runbooks``: adopt a folder of Markdown runbooks without front-matter.

One runbook per file goes to ``docs/runbooks/<service>/<id>.md`` with front-matter derived
from the file: the id from the file name (``AlertmanagerFailedReload`` becomes
``alertmanager-failed-reload``), the title from the first heading, the alert from the file
name (or the heading) when it looks like an alert name, ``last_reviewed`` from an option or
the file's last git commit. The body is kept byte for byte after the front-matter. Nothing
is ever overwritten, and no symbolic link is followed, neither in the source folder (a link
is reported and skipped) nor on the way to the file written; no runbook is written as a
folder's index page (``index.md``, ``README.md``). What could not be derived is reported,
and what was written is validated with the rest of the knowledge base.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import re
import stat
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from incident_kb.alerts import resolve
from incident_kb.alerts.rulefiles import AlertRule
from incident_kb.cli import scaffold
from incident_kb.cli.util import UsageError, kb_root
from incident_kb.core.config import CONFIG_NAME, Config, ConfigError
from incident_kb.core.config import load as load_config
from incident_kb.core.findings import Finding, Level
from incident_kb.core.timeutil import parse_date
from incident_kb.core.timeutil import today as resolve_today
from incident_kb.core.urltemplate import UrlTemplate
from incident_kb.documents import schema, yamlsafe
from incident_kb.documents.bodytext import fence_states
from incident_kb.documents.frontmatter import split
from incident_kb.documents.loading import MARKDOWN_EXTENSIONS
from incident_kb.documents.model import KnowledgeBase

MAX_FILE_BYTES = 1024 * 1024
GIT_TIMEOUT_SECONDS = 10
#: Files that are an index of a runbook folder, not a runbook.
INDEX_NAMES = frozenset({"readme", "index", "summary", "_index"})
#: A CamelCase alert name (``KubeAPIDown``, ``TargetDown``): a capital, then at least one
#: more capital after a lower-case letter or digit; letters, digits and underscores only.
_ALERT_RE = re.compile(r"[A-Z][A-Za-z0-9_]*")
_HUMP_RE = re.compile(r"[a-z0-9][A-Z]")
_ATX_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*#*[ \t]*$")
_SETEXT_RE = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_CODE_RE = re.compile(r"`+([^`]*)`+")
_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG_RE = re.compile(r"<[^>]*>")

Status = Literal["written", "skipped", "ignored"]
GitDate = Callable[[Path], date | None]


@dataclass(frozen=True)
class Outcome:
    """What happened to one source file."""

    source: str
    status: Status
    path: str | None = None
    runbook_id: str | None = None
    alerts: tuple[str, ...] = ()
    #: Why it was skipped or ignored, or what could not be derived.
    notes: tuple[str, ...] = ()
    #: Other things worth saying (a byte-order mark dropped).
    info: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportReport:
    outcomes: tuple[Outcome, ...]
    #: Findings of ``validate`` in the files written (should be none).
    findings: tuple[Finding, ...] = ()
    #: The incident-kb.toml line to add for --url-template, and what it would not map.
    template_line: str | None = None
    template_problems: tuple[str, ...] = ()
    template_configured: bool = False

    @property
    def written(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "written")

    @property
    def skipped(self) -> tuple[Outcome, ...]:
        return tuple(o for o in self.outcomes if o.status == "skipped")

    @property
    def failed(self) -> bool:
        """Exit 1: a file was skipped, a written file does not validate, or the URL template
        does not map a written runbook."""
        return bool(
            self.skipped
            or any(f.level is not Level.NOTICE for f in self.findings)
            or self.template_problems
        )


@dataclass(frozen=True)
class Request:
    source_dir: Path
    service: str
    owner: str
    today: date
    reviewed: date | None = None
    severity: str | None = None
    url_template: str | None = None
    git_date: GitDate | None = None
    shown: Callable[[Path], str] = field(default=lambda p: p.as_posix())


# -- deriving front-matter ----------------------------------------------------------------


def camel_words(stem: str) -> list[str]:
    """``KubeAPIDown`` -> ``Kube API Down``; ``node_raid-degraded`` -> ``node raid degraded``."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", stem)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", spaced)
    return [w for w in re.split(r"[\s_.-]+", spaced) if w]


def runbook_id(stem: str) -> str:
    """The id of a runbook imported from ``stem``: CamelCase split, lower-case, hyphens."""
    return scaffold.slugify(" ".join(camel_words(stem)), limit=80)


def looks_like_alert(text: str) -> bool:
    """CamelCase with at least two words: ``TargetDown`` yes, ``Overview``, ``README`` no."""
    return bool(_ALERT_RE.fullmatch(text) and _HUMP_RE.search(text))


def first_heading(text: str) -> str | None:
    """The text of the first heading (ATX or setext) outside fenced code, or None."""
    lines = text.split("\n")
    in_code = fence_states(text)
    for index, line in enumerate(lines):
        if in_code[index]:
            continue
        if m := _ATX_RE.match(line):
            if text_ := (m.group(2) or "").strip():
                return text_
            continue
        nxt = index + 1
        if (
            line.strip()
            and nxt < len(lines)
            and not in_code[nxt]
            and _SETEXT_RE.match(lines[nxt])
            and not _SETEXT_RE.match(line)
        ):
            return line.strip()
    return None


def plain_heading(text: str) -> str:
    """Heading text as plain text: code spans, emphasis, links and tags unwrapped."""
    text = _LINK_RE.sub(r"\1", text)
    text = _CODE_RE.sub(r"\1", text)
    text = _TAG_RE.sub("", text)
    text = re.sub(r"(\*\*|__|\*|_)(\S(?:.*?\S)?)\1", r"\2", text)
    return " ".join(text.split())


def alert_from_heading(heading: str) -> str | None:
    """An alert name in a heading: the whole heading, or the only alert-like code span or
    word in it (``Alert `HighCPU` firing``)."""
    plain = plain_heading(heading)
    if looks_like_alert(plain):
        return plain
    spans: set[str] = {
        str(s).strip() for s in _CODE_RE.findall(heading) if looks_like_alert(str(s).strip())
    }
    if len(spans) == 1:
        return spans.pop()
    words = {w.strip(".,:;()") for w in plain.split()}
    candidates = {w for w in words if looks_like_alert(w)}
    return candidates.pop() if len(candidates) == 1 else None


def git_date(path: Path) -> date | None:
    """The date of the last commit that touched ``path`` (``git log -1 --format=%cs``);
    None outside a repository, without git, for an untracked file, or after a timeout."""
    try:
        proc = subprocess.run(
            [
                "git",
                "-c",
                "core.fsmonitor=false",
                "--no-pager",
                "log",
                "-1",
                "--format=%cs",
                "--",
                path.name,
            ],
            cwd=path.parent,
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_SECONDS,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if proc.returncode != 0:
        return None
    try:
        return parse_date(proc.stdout.strip())
    except ValueError:
        return None


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
SYMLINK_NOTE = "a symbolic link: not followed, nothing copied"


def _read(path: Path) -> bytes | str:
    """The file's bytes, or why it cannot be read. A symbolic link is never followed: it
    could point anywhere (``~/.ssh/id_rsa``), and its target would be copied into docs/."""
    try:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            return SYMLINK_NOTE
        if not stat.S_ISREG(info.st_mode):
            return "not a regular file"
        # O_NOFOLLOW: a file swapped for a link after the check is not followed either;
        # O_NONBLOCK: nor does a file swapped for a FIFO hang the import.
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC)
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                return "not a regular file"
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    if len(raw) > MAX_FILE_BYTES:
        return f"larger than {MAX_FILE_BYTES} bytes"
    return raw


def front_matter(
    *,
    doc_id: str,
    title: str,
    service: str,
    owner: str,
    alerts: Sequence[str],
    last_reviewed: date,
    severity: str | None,
    newline: str = "\n",
) -> str:
    """The front-matter block (with its closing line and one blank line)."""
    y = scaffold._yaml
    lines = [
        "---",
        f"id: {doc_id}",
        f"title: {y(title)}",
        f"services: [{y(service)}]",
        f"owner: {y(owner)}",
    ]
    if alerts:
        lines.append(f"alerts: [{', '.join(y(a) for a in alerts)}]")
    lines.append(f"last_reviewed: {last_reviewed.isoformat()}")
    if severity:
        lines.append(f"severity: {y(severity)}")
    lines += ["---", "", ""]
    return newline.join(lines)


def _schema_problems(text: str) -> list[str]:
    parts = split(text)
    tree, problems = yamlsafe.load(parts.yaml or "", parts.yaml_line)
    messages = [f"{p.path}: {p.message}" for p in problems]
    if not problems:
        messages += [f"{p.field}: {p.message}" for p in schema.validate("runbook", tree)]
    return messages


def _candidates(source_dir: Path) -> list[Path]:
    """The Markdown files of ``source_dir`` (not its subfolders), symbolic links included so
    that they are reported; links are never followed, so a link to a folder is one too."""
    found = []
    for p in source_dir.iterdir():
        if not p.name.endswith(MARKDOWN_EXTENSIONS) or p.name.startswith("."):
            continue
        try:
            mode = p.lstat().st_mode
        except OSError:
            continue
        if stat.S_ISREG(mode) or stat.S_ISLNK(mode):
            found.append(p)
    return sorted(found)


class DestinationError(ConfigError):
    """The runbook folder cannot be written without following a symbolic link."""


def _symlink_on_the_way(config: Config, folder: Path) -> Path | None:
    """The first existing component of ``folder`` below the knowledge base's root (or below
    docs/, when docs/ lies elsewhere) that is a symbolic link, or None."""
    base = config.root if folder.is_relative_to(config.root) else config.docs_dir
    here = base
    for part in folder.relative_to(base).parts:
        here = here / part
        try:
            mode = here.lstat().st_mode
        except FileNotFoundError:
            return None
        if stat.S_ISLNK(mode):
            return here
    return None


def _open_folder(config: Config, folder: Path) -> int:
    """A descriptor of ``folder``, created as needed, reached from the root one component at
    a time without following a symbolic link (``O_NOFOLLOW``): a link swapped in after
    :func:`_symlink_on_the_way` looked is refused too."""
    base = config.root if folder.is_relative_to(config.root) else config.docs_dir
    fd = os.open(base, os.O_RDONLY | _DIRECTORY | _CLOEXEC)
    try:
        here = base
        for part in folder.relative_to(base).parts:
            here = here / part
            with contextlib.suppress(FileExistsError):
                os.mkdir(part, 0o777, dir_fd=fd)
            try:
                inner = os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW | _CLOEXEC, dir_fd=fd)
            except OSError as exc:
                raise DestinationError(
                    f"{config.relative(here)}: not a folder, or a symbolic link "
                    f"({exc.strerror or exc}): nothing written through it"
                ) from None
            os.close(fd)
            fd = inner
    except BaseException:
        os.close(fd)
        raise
    return fd


def _write_exclusive(config: Config, target: Path, data: bytes) -> None:
    """Create ``target`` with ``data``; FileExistsError if anything (a link included) is
    there. Never follows a symbolic link, in the folders on the way or at the file."""
    if not (_NOFOLLOW and _DIRECTORY and os.open in os.supports_dir_fd):
        if (link := _symlink_on_the_way(config, target.parent)) is not None:
            raise DestinationError(f"{config.relative(link)} is a symbolic link")
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("xb") as handle:
            handle.write(data)
        return
    folder_fd = _open_folder(config, target.parent)
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
        fd = os.open(target.name, flags, 0o666, dir_fd=folder_fd)
    finally:
        os.close(folder_fd)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def _derive_one(
    path: Path,
    request: Request,
    taken: dict[str, str],
    folder: Path,
    config: Config,
) -> tuple[Outcome, Path | None, bytes | None]:
    """Decide one file: (outcome, target path, bytes to write) or a skip."""
    shown = request.shown(path)
    stem = path.name.rsplit(".", 1)[0]
    if stem.lower() in INDEX_NAMES:
        return Outcome(shown, "ignored", notes=("an index page, not a runbook",)), None, None
    if path.is_symlink():
        return Outcome(shown, "skipped", notes=(SYMLINK_NOTE,)), None, None
    raw = _read(path)
    if isinstance(raw, str):
        return Outcome(shown, "skipped", notes=(raw,)), None, None
    notes: list[str] = []
    info: tuple[str, ...] = ()
    body = raw
    if body.startswith(b"\xef\xbb\xbf"):
        body = body[3:]
        info = ("the UTF-8 byte-order mark was dropped",)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = body[: exc.start].count(b"\n") + 1
        return (
            Outcome(shown, "skipped", notes=(f"line {line}: not valid UTF-8",)),
            None,
            None,
        )
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    parts = split(normalised)
    if parts.yaml is not None:
        return (
            Outcome(shown, "skipped", notes=("already has front-matter: copy it by hand",)),
            None,
            None,
        )
    if normalised.startswith("---"):
        why = f"starts like front-matter ({parts.problem}): fix or remove the first line"
        return Outcome(shown, "skipped", notes=(why,)), None, None
    if not normalised.strip():
        return Outcome(shown, "skipped", notes=("empty file",)), None, None

    if not camel_words(stem):
        why = f"an id: the file name {stem!r} has no letters or digits; rename the file"
        return Outcome(shown, "skipped", notes=(why,)), None, None
    doc_id = runbook_id(stem)
    if scaffold.is_reserved_stem(doc_id):
        safe = f"{doc_id}-runbook"
        info = (
            *info,
            f"id: {doc_id} would be written as {doc_id}.md, the folder's index page, which "
            f"validation never reads: used {safe}",
        )
        doc_id = safe
    if doc_id in taken:
        return (
            Outcome(
                shown,
                "skipped",
                runbook_id=doc_id,
                notes=(f"id {doc_id} is taken by {taken[doc_id]}",),
            ),
            None,
            None,
        )
    target = folder / f"{doc_id}.md"
    if target.exists() or target.is_symlink():
        return (
            Outcome(
                shown,
                "skipped",
                runbook_id=doc_id,
                notes=(f"{config.relative(target)} exists: nothing overwritten",),
            ),
            None,
            None,
        )

    heading = first_heading(normalised)
    title = plain_heading(heading) if heading else ""
    if not title:
        title = " ".join(camel_words(stem)) or stem
        notes.append(f"title: no heading: derived from the file name ({title})")
    if stem_alert := (stem if looks_like_alert(stem) else None):
        alerts: tuple[str, ...] = (stem_alert,)
    elif heading and (named := alert_from_heading(heading)):
        alerts = (named,)
    else:
        alerts = ()
        notes.append(
            f"alerts: neither the file name ({stem}) nor the first heading names an alert: "
            "add alerts: [...] by hand"
        )
    reviewed = request.reviewed
    if reviewed is None:
        reviewed = (request.git_date or git_date)(path)
    if reviewed is None:
        reviewed = request.today
        notes.append(
            f"last_reviewed: no --reviewed and no git history for the file: set to "
            f"{reviewed.isoformat()} (today); review it"
        )

    newline = "\r\n" if b"\r\n" in body else "\n"
    make = functools.partial(
        front_matter,
        doc_id=doc_id,
        service=request.service,
        owner=request.owner,
        alerts=alerts,
        last_reviewed=reviewed,
        severity=request.severity,
    )
    if _schema_problems(make(title=title) + normalised):
        fallback = " ".join(camel_words(stem)) or doc_id
        notes.append(f"title: the heading is not a plain one-line title: used {fallback}")
        title = fallback
    if problems := _schema_problems(make(title=title) + normalised):
        return Outcome(shown, "skipped", runbook_id=doc_id, notes=tuple(problems)), None, None
    head = make(title=title, newline=newline)
    outcome = Outcome(shown, "written", config.relative(target), doc_id, alerts, tuple(notes), info)
    return outcome, target, head.encode("utf-8") + body


def import_runbooks(config: Config, kb: KnowledgeBase, request: Request) -> ImportReport:
    """Write one runbook per Markdown file of ``request.source_dir``; never overwrites."""
    folder = config.docs_dir / config.runbooks / request.service
    taken: dict[str, str] = {rb.id: rb.source.path for rb in kb.runbooks}
    for doc_id in kb.invalid_ids("runbook"):
        taken.setdefault(doc_id, "a runbook that does not validate")
    if (link := _symlink_on_the_way(config, folder)) is not None:
        raise DestinationError(
            f"{config.relative(link)} is a symbolic link: import never writes through one "
            "(replace it with a folder)"
        )
    outcomes: list[Outcome] = []
    for path in _candidates(request.source_dir):
        outcome, target, data = _derive_one(path, request, taken, folder, config)
        if target is not None and data is not None:
            try:
                _write_exclusive(config, target, data)
            except FileExistsError:
                outcome = Outcome(
                    outcome.source,
                    "skipped",
                    runbook_id=outcome.runbook_id,
                    notes=(f"{outcome.path} exists: nothing overwritten",),
                )
            except DestinationError as exc:  # a link swapped in while importing
                outcome = Outcome(
                    outcome.source, "skipped", runbook_id=outcome.runbook_id, notes=(str(exc),)
                )
            else:
                taken[outcome.runbook_id or ""] = outcome.path or ""
        outcomes.append(outcome)
    return ImportReport(tuple(outcomes))


def check_template(
    template: UrlTemplate,
    written: Sequence[tuple[Outcome, str]],
    kb: KnowledgeBase,
    config: Config,
) -> list[str]:
    """For each written runbook (with its source file's stem), the URL where the source was
    published must map to it through ``template``; returns what does not."""
    resolver = resolve.Resolver(kb, config, (template,), None)
    problems = []
    for outcome, stem in written:
        url = template.expand(alert=stem, doc_id=outcome.runbook_id or "")
        rule = AlertRule(stem, outcome.source, 1, "(import)")
        link = resolver.resolve(rule, "runbook_url", url)
        if link.status != "ok" or outcome.runbook_id not in {rb.id for rb in link.runbooks}:
            why = (
                f"it maps to {', '.join(rb.id for rb in link.runbooks)}"
                if link.runbooks
                else f"no runbook lists the alert {stem}"
                if "alert" in template.placeholders
                else link.message
            )
            problems.append(
                f"{outcome.source}: {url} (where it was published) does not map to runbook "
                f"{outcome.runbook_id}: {why}"
            )
    return problems


def toml_line(templates: Sequence[str]) -> str:
    """``url_templates = [...]`` as TOML (JSON strings are TOML basic strings)."""
    return (
        "url_templates = [" + ", ".join(json.dumps(t, ensure_ascii=False) for t in templates) + "]"
    )


def run_import(config: Config, request: Request) -> ImportReport:
    """Import, then validate the knowledge base and check the URL template."""
    from incident_kb.checks.validate import (
        check,  # validate imports rules; keep this module light to import
    )

    template = (
        resolve.parse_templates([request.url_template], "--url-template")[0]
        if request.url_template
        else None
    )
    before = check(config, request.today)
    if request.service not in before.kb.service_by_id:
        known = ", ".join(sorted(before.kb.service_by_id)) or "none defined yet"
        raise ConfigError(f"--service: unknown service '{request.service}' (known: {known})")
    if request.severity is not None and (
        before.kb.policy is None or request.severity not in before.kb.policy.by_id
    ):
        known = ", ".join(before.kb.policy.by_id) if before.kb.policy else "no policy"
        raise ConfigError(f"--severity: unknown severity '{request.severity}' (known: {known})")
    result = import_runbooks(config, before.kb, request)
    after = check(config, request.today)
    written_paths = {o.path for o in result.written}
    findings = tuple(f for f in after.findings if f.path in written_paths)
    template_line = None
    template_problems: list[str] = []
    configured = False
    if template is not None:
        configured = template.text in config.url_templates
        template_line = toml_line([*config.url_templates, *([] if configured else [template.text])])
        stems = {
            request.shown(p): p.name.rsplit(".", 1)[0] for p in _candidates(request.source_dir)
        }
        written = [(o, stems[o.source]) for o in result.written]
        template_problems = check_template(template, written, after.kb, config)
    return ImportReport(
        result.outcomes, findings, template_line, tuple(template_problems), configured
    )


def format_report(result: ImportReport) -> str:
    out: list[str] = []
    for o in result.outcomes:
        if o.status == "written":
            alerts = ", ".join(o.alerts) or "none"
            out.append(f"wrote {o.path} from {o.source} (alerts: {alerts})")
            out += [f"{o.source}: could not derive {note}" for note in o.notes]
            out += [f"{o.source}: {note}" for note in o.info]
        elif o.status == "skipped":
            out.append(f"{o.source}: skipped: {'; '.join(o.notes)}")
        else:
            out.append(f"{o.source}: ignored: {'; '.join(o.notes)}")
    out += [f.format() for f in result.findings]
    if result.template_line is not None:
        if result.template_configured:
            out.append(f"{CONFIG_NAME} already lists the URL template")
        else:
            out.append(f"add to {CONFIG_NAME} so that alerts check maps these URLs:")
            out.append("[alerts]")
            out.append(result.template_line)
        out += [f"url-template: {p}" for p in result.template_problems]
    derived_gaps = sum(len(o.notes) for o in result.written)
    out.append(
        f"imported {len(result.written)} of {len(result.outcomes)} files: "
        f"{len(result.skipped)} skipped, "
        f"{sum(1 for o in result.outcomes if o.status == 'ignored')} ignored, "
        f"{derived_gaps} fields not derived"
    )
    return "\n".join(out) + "\n"


# -- the command -------------------------------------------------------------------------


def _date(text: str) -> date:
    try:
        return parse_date(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_parsers(subparsers: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    """``incident-kb import runbooks``: register the parser, with :func:`run` as its handler
    (cli.py calls this)."""
    imp = subparsers.add_parser("import", help="adopt existing documents")
    kinds = imp.add_subparsers(dest="import_kind", required=True, metavar="KIND")
    rb = kinds.add_parser(
        "runbooks",
        help="one runbook per Markdown file of a folder, front-matter derived, never overwriting",
        parents=list(parents),
    )
    rb.add_argument("source_dir", type=Path, metavar="DIR", help="the folder of Markdown runbooks")
    rb.add_argument("--service", required=True, help="the service id they belong to")
    rb.add_argument("--owner", required=True, help="the owning team or person")
    rb.add_argument(
        "--url-template",
        metavar="TEMPLATE",
        help="where these runbooks were published, e.g. https://host/runbooks/{alert}.md: "
        "prints the incident-kb.toml line and checks that it maps each runbook",
    )
    rb.add_argument(
        "--reviewed",
        type=_date,
        metavar="YYYY-MM-DD",
        help="last_reviewed for every file (default: the file's last git commit date)",
    )
    rb.add_argument("--severity", help="the usual severity, a level id from the policy")
    rb.add_argument("--as-of", metavar="YYYY-MM-DD", help="the date to treat as today")
    rb.set_defaults(handler=run)


def run(args: argparse.Namespace, git: GitDate | None = None) -> int:
    """0 every file imported; 1 a file skipped, or what was written does not validate, or
    the URL template does not map it; 2 usage or configuration (raised as UsageError or
    ConfigError, for cli.main to report)."""
    root = kb_root(args)
    source: Path = args.source_dir
    if not source.is_dir():
        raise UsageError(f"{source}: no such folder")
    if not _candidates(source):
        raise UsageError(f"{source}: no Markdown files")
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._@+-]*", args.owner):
        raise UsageError(f"--owner {args.owner!r}: must be a handle such as team-identity")
    try:
        today = resolve_today(args.as_of)
    except ValueError as exc:
        raise UsageError(f"--as-of: {exc}") from None
    config = load_config(root)
    result = run_import(
        config,
        Request(
            source_dir=source,
            service=args.service,
            owner=args.owner,
            today=today,
            reviewed=args.reviewed,
            severity=args.severity,
            url_template=args.url_template,
            git_date=git,
            shown=config.relative,
        ),
    )
    sys.stdout.write(format_report(result))
    return 1 if result.failed else 0


__all__ = [
    "ImportReport",
    "Outcome",
    "Request",
    "add_parsers",
    "alert_from_heading",
    "first_heading",
    "git_date",
    "import_runbooks",
    "looks_like_alert",
    "run",
    "run_import",
    "runbook_id",
]
