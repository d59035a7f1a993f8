"""Gather: find every document, read it safely once, validate its front-matter against its
schema and build the model. Cross-document rules run afterwards on the finished model.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from incident_kb.core.config import Config
from incident_kb.core.findings import Findings
from incident_kb.core.timeutil import parse_date, parse_timestamp
from incident_kb.documents import schema, yamlsafe
from incident_kb.documents.frontmatter import DecodeError, decode, split
from incident_kb.documents.model import (
    ActionItem,
    Document,
    ErrorBudgetPolicy,
    Impact,
    Kind,
    KnowledgeBase,
    Postmortem,
    Roles,
    Runbook,
    Service,
    SeverityLevel,
    SeverityPolicy,
    Slo,
    Source,
    StatusPage,
    StatusUpdate,
)
from incident_kb.documents.yamlsafe import YamlMap, YamlSeq

MAX_FILE_BYTES = 1024 * 1024
#: The extensions MkDocs builds as Markdown pages (mkdocs.utils.markdown_extensions).
MARKDOWN_EXTENSIONS = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")
_ORDINARY_PAGES = {"index.md", "README.md"}
_ID_LINE_RE = re.compile(r"^id:[ \t]*[\"']?([A-Za-z0-9][A-Za-z0-9_-]*)", re.MULTILINE)


@dataclass(frozen=True)
class PageText:
    """What the site shows for a document file: its body, and its title when one was read.

    Kept for every document, valid or not, so that the build never has to read a file
    twice or hand MkDocs front-matter it has not checked.
    """

    body: str
    title: str | None = None


@dataclass(frozen=True)
class RawDocument:
    """A file whose front-matter parsed: the YAML tree with lines, and the body.

    ``damaged`` is set when the YAML had problems that still left a tree (duplicate keys):
    the tree is schema-checked for more findings, but never becomes a model object.
    """

    kind: Kind
    path: str
    tree: YamlMap
    body: str
    body_line: int
    damaged: bool = False


def read_bounded(path: Path, shown: str, findings: Findings) -> bytes | None:
    """Read a regular file of at most MAX_FILE_BYTES; devices and FIFOs are refused."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            findings.add(shown, 1, "(file)", "not a regular file")
            return None
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        findings.add(shown, 1, "(file)", f"cannot read file: {exc.strerror or exc}")
        return None
    if len(raw) > MAX_FILE_BYTES:
        findings.add(
            shown,
            1,
            "(file)",
            f"file is {max(info.st_size, len(raw))} bytes; the limit is {MAX_FILE_BYTES} bytes",
        )
        return None
    return raw


def read_text(path: Path, shown: str, findings: Findings) -> str | None:
    """A file's text as MkDocs would decode it, or None with a finding saying why not."""
    raw = read_bounded(path, shown, findings)
    if raw is None:
        return None
    try:
        text, _bom = decode(raw)
    except DecodeError as exc:
        findings.add(shown, exc.line, "(file)", str(exc))
        return None
    return text


def sniff_id(text: str) -> str | None:
    """The id of a document whose YAML could not be read, so references to it still count."""
    m = _ID_LINE_RE.search(text)
    return m.group(1) if m else None


def kind_of(rel: str, config: Config) -> Kind | None:
    """The document kind of a path relative to docs_dir, from its folder (configurable)."""
    if not rel.endswith(MARKDOWN_EXTENSIONS):
        return None
    if rel == config.severity_policy:
        return "severity-policy"
    name = rel.rsplit("/", 1)[-1]
    if name in _ORDINARY_PAGES:
        return None
    for prefix, kind in (
        (config.postmortems, "postmortem"),
        (config.runbooks, "runbook"),
        (config.services, "service"),
    ):
        if rel.startswith(prefix + "/"):
            return kind  # type: ignore[return-value]
    return None


def discover(config: Config) -> Iterator[tuple[Path, Kind]]:
    """Every document under docs_dir, in sorted path order, whatever the file system's order."""
    docs = config.docs_dir
    found: list[tuple[str, Path, Kind]] = []
    seen: set[str] = set()
    # Symbolic links are never followed: the docs tree check reports them, and the build
    # does not publish them.
    for folder, dirnames, filenames in os.walk(docs, followlinks=False):
        real = os.path.realpath(folder)
        if real in seen:
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for filename in filenames:
            path = Path(folder) / filename
            if path.is_symlink():
                continue
            rel = path.relative_to(docs).as_posix()
            kind = kind_of(rel, config)
            if kind is not None:
                found.append((rel, path, kind))
    for _rel, path, kind in sorted(found, key=lambda item: item[0]):
        yield path, kind


def read_document(
    path: Path,
    kind: Kind,
    shown: str,
    findings: Findings,
    invalid: set[tuple[str, str]],
    texts: dict[str, PageText] | None = None,
) -> RawDocument | None:
    """Read one file; report every problem and return None if it cannot be used.

    Ids of documents that cannot be used are added to ``invalid``, so that references to
    them are not reported as unknown and ``new`` never reuses them.
    """
    text = read_text(path, shown, findings)
    if text is None:
        return None
    parts = split(text)
    if texts is not None:
        texts[shown] = PageText(parts.body)
    if parts.yaml is None:
        findings.add(
            shown, parts.problem_line, "(front-matter)", parts.problem or "no front-matter"
        )
        return None
    tree, problems = yamlsafe.load(parts.yaml, parts.yaml_line)
    for problem in problems:
        findings.add(shown, problem.line, problem.path or "(front-matter)", problem.message)
    if problems and not isinstance(tree, YamlMap):
        if doc_id := sniff_id(parts.yaml):
            invalid.add((kind, doc_id))
        return None
    if tree is None:
        findings.add(shown, 1, "(front-matter)", "front-matter is empty")
        return None
    if not isinstance(tree, YamlMap):
        findings.add(
            shown, parts.yaml_line, "(front-matter)", "front-matter must be a mapping of keys"
        )
        return None
    if texts is not None:
        title = tree.get("name" if kind == "service" else "title")
        texts[shown] = PageText(parts.body, title if isinstance(title, str) else None)
    return RawDocument(kind, shown, tree, parts.body, parts.body_line, damaged=bool(problems))


def flatten_lines(tree: Any, prefix: str = "") -> dict[str, int]:
    """Every field path in a YAML tree with its line: ``{'action_items[0].due': 31, ...}``."""
    lines: dict[str, int] = {}
    if isinstance(tree, YamlMap):
        for key, value in tree.items():
            path = f"{prefix}.{key}" if prefix else key
            lines[path] = tree.key_lines[key]
            lines.update(flatten_lines(value, path))
    elif isinstance(tree, YamlSeq):
        for index, value in enumerate(tree):
            path = f"{prefix}[{index}]"
            lines[path] = tree.item_lines[index]
            lines.update(flatten_lines(value, path))
    return lines


def _ts(value: Any) -> Any:
    return parse_timestamp(value) if isinstance(value, str) else None


def _tuple(value: Any) -> tuple[Any, ...]:
    return tuple(value) if value else ()


def build(doc: RawDocument) -> Document:
    """Model object for a document whose front-matter passed its schema."""
    t = doc.tree
    source = Source(doc.path, flatten_lines(t), doc.body_line)
    if doc.kind == "postmortem":
        roles = t["roles"]
        impact = t["impact"]
        sp = t.get("status_page")
        return Postmortem(
            id=t["id"],
            title=t["title"],
            status=t["status"],
            severity=t["severity"],
            services=tuple(t["services"]),
            started_at=parse_timestamp(t["started_at"]),
            detected_at=parse_timestamp(t["detected_at"]),
            acknowledged_at=_ts(t.get("acknowledged_at")),
            mitigated_at=_ts(t.get("mitigated_at")),
            resolved_at=_ts(t.get("resolved_at")),
            detection=t["detection"],
            alerts=_tuple(t.get("alerts")),
            roles=Roles(
                incident_commander=roles["incident_commander"],
                scribe=roles.get("scribe"),
                communications_lead=roles.get("communications_lead"),
                subject_matter_experts=_tuple(roles.get("subject_matter_experts")),
            ),
            impact=Impact(
                summary=impact["summary"],
                users_affected_pct=float(impact["users_affected_pct"]),
                error_budget_minutes=(
                    float(impact["error_budget_minutes"])
                    if impact.get("error_budget_minutes") is not None
                    else None
                ),
            ),
            runbooks=_tuple(t.get("runbooks")),
            related=_tuple(t.get("related")),
            recurrence_of=t.get("recurrence_of"),
            tags=_tuple(t.get("tags")),
            action_items=tuple(
                ActionItem(
                    title=item["title"],
                    owner=item["owner"],
                    due=parse_date(item["due"]),
                    status=item["status"],
                    kind=item["kind"],
                    completed_on=(
                        parse_date(item["completed_on"]) if item.get("completed_on") else None
                    ),
                    tracker=item.get("tracker"),
                    index=index,
                )
                for index, item in enumerate(t.get("action_items") or ())
            ),
            status_page=(
                StatusPage(
                    title=sp["title"],
                    impact=sp["impact"],
                    components=tuple(sp["components"].items()),
                    updates=tuple(
                        StatusUpdate(parse_timestamp(u["at"]), u["status"], u["message"])
                        for u in sp["updates"]
                    ),
                )
                if sp
                else None
            ),
            body=doc.body,
            source=source,
        )
    if doc.kind == "runbook":
        return Runbook(
            id=t["id"],
            title=t["title"],
            services=tuple(t["services"]),
            owner=t["owner"],
            alerts=_tuple(t.get("alerts")),
            last_reviewed=parse_date(t["last_reviewed"]),
            review_every_days=t.get("review_every_days"),
            severity=t.get("severity"),
            body=doc.body,
            source=source,
        )
    if doc.kind == "service":
        slo = t["slo"]
        return Service(
            id=t["id"],
            name=t["name"],
            owner=t["owner"],
            tier=t["tier"],
            slo=Slo(float(slo["availability"]), int(slo["window_days"])),
            components=_tuple(t.get("components")),
            body=doc.body,
            source=source,
        )
    budget = t["error_budget"]
    return SeverityPolicy(
        levels=tuple(
            SeverityLevel(
                id=level["id"],
                name=level["name"],
                summary=level["summary"],
                response_minutes=level["response_minutes"],
                status_update_minutes=level["status_update_minutes"],
                postmortem_required=level["postmortem_required"],
                postmortem_due_days=level["postmortem_due_days"],
                page=_tuple(level.get("page")),
                notify=_tuple(level.get("notify")),
                rank=rank,
            )
            for rank, level in enumerate(t["levels"])
        ),
        error_budget=ErrorBudgetPolicy(
            float(budget["warn_at_pct"]),
            float(budget["freeze_at_pct"]),
            float(budget["postmortem_if_consumed_pct"]),
        ),
        body=doc.body,
        source=source,
    )


def load_knowledge_base(
    config: Config,
    findings: Findings,
    texts: dict[str, PageText] | None = None,
    refused: frozenset[str] = frozenset(),
) -> tuple[KnowledgeBase, int]:
    """Read, schema-check and model every document; returns the model and how many files.

    Documents with the same id all stay in the model (so that their other problems are still
    found); the ``duplicate-id`` rule reports them, and lookups by id see the first by path.
    ``refused`` (paths relative to docs_dir) are not read at all.
    """
    postmortems: list[Postmortem] = []
    runbooks: list[Runbook] = []
    services: list[Service] = []
    policy: SeverityPolicy | None = None
    invalid: set[tuple[str, str]] = set()
    count = 0
    for path, kind in discover(config):
        if path.relative_to(config.docs_dir).as_posix() in refused:
            continue  # the docs tree check said why: a link, a pipe, a name with controls
        count += 1
        shown = config.relative(path)
        raw = read_document(path, kind, shown, findings, invalid, texts)
        if raw is None:
            continue
        problems = schema.validate(kind, raw.tree, top_line=1)
        for problem in problems:
            findings.add(shown, problem.line, problem.field, problem.message)
        if problems or raw.damaged:
            doc_id = raw.tree.get("id")
            if isinstance(doc_id, str):
                invalid.add((kind, doc_id))
            continue
        doc = build(raw)
        if isinstance(doc, SeverityPolicy):
            policy = doc
        elif isinstance(doc, Postmortem):
            postmortems.append(doc)
        elif isinstance(doc, Runbook):
            runbooks.append(doc)
        else:
            services.append(doc)

    policy_file = config.docs_dir / config.severity_policy
    if policy is None and not policy_file.is_file():
        findings.add(
            config.relative(policy_file),
            1,
            "(file)",
            "the severity policy is missing: every postmortem's severity refers to it",
            rule="reference",
        )
    kb = KnowledgeBase(
        postmortems=tuple(sorted(postmortems, key=lambda p: (p.started_at, p.id, p.source.path))),
        runbooks=tuple(sorted(runbooks, key=lambda r: (r.id, r.source.path))),
        services=tuple(sorted(services, key=lambda s: (s.id, s.source.path))),
        policy=policy,
        invalid=frozenset(invalid),
    )
    return kb, count
