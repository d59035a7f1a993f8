"""``incident-kb new``: start a postmortem or runbook from a template.

What it writes validates (it is checked before it is written), it takes the next free id,
and it never overwrites a file: creation is exclusive, and a taken name gets a suffix.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import jinja2

from incident_kb.core.config import Config
from incident_kb.core.escaping import md_text
from incident_kb.core.findings import CONTROL_RE
from incident_kb.documents import schema, yamlsafe
from incident_kb.documents.frontmatter import split
from incident_kb.documents.model import Kind, KnowledgeBase

_GUIDANCE = {
    "Summary": "Two or three sentences: what happened, who was affected, how it ended.",
    "Impact": "Who and what was affected, for how long, with numbers.",
    "Timeline": "A table of UTC times and events, from the first signal to resolution.",
    "Contributing factors": "The conditions that made this possible: systems and decisions, "
    "not people.",
    "What went well": "What helped detection and recovery.",
    "Action items": "Why these items, in this order; list them in the front-matter.",
}


class ScaffoldError(Exception):
    """The request cannot be written; nothing was written."""


#: File stems MkDocs serves as a folder's index page (``index.md``, ``README.md``): the
#: loader reads such a file as an ordinary page and never validates it, so no document may
#: be written under one of these names, in any case.
RESERVED_STEMS = frozenset({"index", "readme"})


def is_reserved_stem(stem: str) -> bool:
    """Whether ``stem.md`` would be a folder's index page rather than a document."""
    return stem.casefold() in RESERVED_STEMS


def _yaml(value: object) -> str:
    """A YAML scalar that reads back as exactly this value (JSON strings are YAML). Control
    characters (C0 and C1) are refused: YAML readers disagree about them."""
    if isinstance(value, str) and CONTROL_RE.search(value):
        raise ScaffoldError(f"{json.dumps(value)}: control characters are not allowed")
    if (
        isinstance(value, str)
        and re.fullmatch(r"[A-Za-z][A-Za-z0-9_.@+-]*", value)
        and yamlsafe.resolve_plain(value) == value
    ):
        return value
    return json.dumps(value, ensure_ascii=False)


def environment(config: Config | None) -> jinja2.Environment:
    """The package's templates, each overridable by the repository's ``templates/new/``."""
    loaders: list[jinja2.BaseLoader] = [jinja2.PackageLoader("incident_kb.cli", "templates")]
    if config is not None:
        loaders.insert(0, jinja2.FileSystemLoader(str(config.root / "templates" / "new")))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    env.filters["yaml"] = _yaml
    env.filters["md"] = md_text
    return env


def slugify(text: str, limit: int = 60) -> str:
    """A lower-case, hyphenated ASCII slug of at most ``limit`` characters."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[:limit].rsplit("-", 1)[0]
    return slug or "untitled"


def check_document(kind: Kind, text: str) -> None:
    """Raise ScaffoldError unless ``text`` is a valid document of this kind."""
    parts = split(text)
    tree, problems = yamlsafe.load(parts.yaml or "", parts.yaml_line)
    messages = [f"{p.path}: {p.message}" for p in problems]
    if not problems:
        messages += [f"{p.field}: {p.message}" for p in schema.validate(kind, tree)]
    if messages:
        raise ScaffoldError("; ".join(messages))


def _require(values: list[str], known: list[str], what: str) -> None:
    for value in values:
        if value not in known:
            options = ", ".join(known) if known else "none defined yet"
            raise ScaffoldError(f"unknown {what} '{value}' (known: {options})")


def _write_new(folder: Path, stem: str, text: str) -> Path:
    """Create folder/stem.md exclusively; a taken name gets -2, -3, ... Never overwrites,
    and never writes a folder's index page."""
    if is_reserved_stem(stem):
        raise ScaffoldError(f"{stem}.md would be the folder's index page, not a document")
    folder.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, 1000):
        path = folder / (f"{stem}.md" if attempt == 1 else f"{stem}-{attempt}.md")
        try:
            with path.open("x", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            return path
        except FileExistsError:
            continue
    raise ScaffoldError(f"no free file name for {stem} in {folder}")


@dataclass(frozen=True)
class NewPostmortem:
    title: str
    severity: str
    services: list[str]
    commander: str
    started_at: datetime
    detected_at: datetime | None = None
    detection: str = "alert"
    summary: str | None = None
    users_affected_pct: float = 0
    runbooks: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()


def next_incident_id(kb: KnowledgeBase, prefix: str, year: int) -> str:
    """The next free ``PREFIX-YEAR-NNN`` after every id in use, valid or not."""
    pattern = re.compile(rf"{re.escape(prefix)}-{year}-(\d+)")
    numbers = [
        int(m.group(1))
        for doc_id in (*kb.postmortem_by_id, *kb.invalid_ids("postmortem"))
        if (m := pattern.fullmatch(doc_id))
    ]
    return f"{prefix}-{year}-{max(numbers, default=0) + 1:03d}"


def _ts(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_postmortem(config: Config, kb: KnowledgeBase, request: NewPostmortem, today: date) -> Path:
    """Write a draft postmortem; returns its path."""
    levels = list(kb.policy.by_id) if kb.policy else []
    _require([request.severity], levels, "severity")
    _require(request.services, sorted(kb.service_by_id), "service")
    _require(list(request.runbooks), sorted(kb.runbook_by_id), "runbook")
    detected = request.detected_at or request.started_at
    if detected < request.started_at:
        raise ScaffoldError("--detected-at is before --started-at")
    for option, moment in (("--started-at", request.started_at), ("--detected-at", detected)):
        if moment.date() > today:
            raise ScaffoldError(f"{option} is in the future (today is {today.isoformat()})")
    started_utc = request.started_at.astimezone(UTC)
    doc_id = next_incident_id(kb, config.id_prefix, started_utc.year)
    text = (
        environment(config)
        .get_template("postmortem.md.j2")
        .render(
            id=doc_id,
            title=request.title,
            severity=request.severity,
            services=request.services,
            started_at=_ts(request.started_at),
            detected_at=_ts(detected),
            detection=request.detection,
            commander=request.commander,
            summary=request.summary or request.title,
            users_affected_pct=f"{request.users_affected_pct:g}",
            runbooks=list(request.runbooks),
            tags=list(request.tags),
            sections=config.required_sections,
            guidance=_GUIDANCE,
        )
    )
    check_document("postmortem", text)
    day = started_utc.date().isoformat()
    folder = config.docs_dir / config.postmortems / day[:4]
    return _write_new(folder, f"{day}-{slugify(request.title)}", text)


@dataclass(frozen=True)
class NewRunbook:
    title: str
    services: list[str]
    owner: str
    alerts: tuple[str, ...] = ()
    doc_id: str | None = None
    severity: str | None = None
    review_every_days: int | None = None


def new_runbook(config: Config, kb: KnowledgeBase, request: NewRunbook, today: date) -> Path:
    """Write a runbook reviewed today; returns its path."""
    _require(request.services, sorted(kb.service_by_id), "service")
    if request.severity is not None:
        _require([request.severity], list(kb.policy.by_id) if kb.policy else [], "severity")
    base = request.doc_id or slugify(request.title)
    if is_reserved_stem(base):
        how = "choose another --id" if request.doc_id else "give it an id with --id"
        raise ScaffoldError(
            f"runbook id '{base}' would be written as {base}.md, which the site shows as the "
            f"folder's index page and validation never reads: {how}"
        )
    taken = set(kb.runbook_by_id) | kb.invalid_ids("runbook")
    folder = config.docs_dir / config.runbooks / request.services[0]
    doc_id = base
    suffix = 2
    while doc_id in taken or (folder / f"{doc_id}.md").exists():
        if request.doc_id:
            raise ScaffoldError(f"runbook id '{base}' is taken")
        doc_id = f"{base}-{suffix}"
        suffix += 1
    text = (
        environment(config)
        .get_template("runbook.md.j2")
        .render(
            id=doc_id,
            title=request.title,
            services=request.services,
            owner=request.owner,
            alerts=list(request.alerts),
            today=today.isoformat(),
            review_every_days=request.review_every_days,
            severity=request.severity,
        )
    )
    check_document("runbook", text)
    return _write_new(folder, doc_id, text)


@dataclass(frozen=True)
class NewService:
    doc_id: str
    name: str
    owner: str
    tier: int = 2
    availability: float = 99.9
    window_days: int = 30
    components: tuple[str, ...] = ()


def service_document(config: Config | None, request: NewService) -> str:
    """A service document's text, checked (``new service`` and ``init`` write it)."""
    if is_reserved_stem(request.doc_id) or slugify(request.doc_id) != request.doc_id:
        raise ScaffoldError(
            f"service id '{request.doc_id}': use lower-case letters, digits and hyphens "
            "(it names the file), and not index or readme"
        )
    text = (
        environment(config)
        .get_template("init/service.md.j2")
        .render(
            service_id=request.doc_id,
            service_name=request.name,
            owner=request.owner,
            tier=request.tier,
            availability=request.availability,
            window_days=request.window_days,
            components=list(request.components) or [request.name],
        )
    )
    check_document("service", text)
    return text


def new_service(config: Config, kb: KnowledgeBase, request: NewService) -> Path:
    """Write a service document; its id must be free. Returns its path."""
    if request.doc_id in kb.service_by_id or request.doc_id in kb.invalid_ids("service"):
        raise ScaffoldError(f"service id '{request.doc_id}' is taken")
    text = service_document(config, request)
    folder = config.docs_dir / config.services
    if (folder / f"{request.doc_id}.md").exists():
        raise ScaffoldError(f"{config.relative(folder / request.doc_id)}.md exists")
    return _write_new(folder, request.doc_id, text)


def new_policy(config: Config, kb: KnowledgeBase) -> Path:
    """Write the severity policy (four levels and the error-budget policy) where the
    configuration puts it; refuses when one exists. Returns its path."""
    path = config.docs_dir / config.severity_policy
    if kb.policy is not None or path.exists() or path.is_symlink():
        raise ScaffoldError(f"{config.relative(path)} exists: edit it instead")
    text = environment(config).get_template("init/severity.md.j2").render()
    check_document("severity-policy", text)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("x", encoding="utf-8", newline="\n") as handle:
        handle.write(text)
    return path
