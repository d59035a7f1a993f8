"""Cross-document rules ("Rules beyond the schemas"), run on the finished model.

Each rule is a function of (model, config, today) that adds findings; none reads files or
the clock, so every rule is tested with hand-made models.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache

from incident_kb.core.config import Config
from incident_kb.core.findings import Findings, Level
from incident_kb.core.timeutil import format_duration, minutes, utc_day
from incident_kb.documents.bodytext import headings, links, normalise_heading, prose_lines
from incident_kb.documents.model import Document, Kind, KnowledgeBase, Postmortem, Runbook, Service

_POSTMORTEM_NAME_RE = re.compile(r"(\d{4})/(\d{4}-\d{2}-\d{2})-[a-z0-9][a-z0-9-]*\.md")


def _did_you_mean(value: str, known: Iterable[str]) -> str:
    return _suggest(value, tuple(sorted(known)))


@lru_cache(maxsize=4096)
def _suggest(value: str, known: tuple[str, ...]) -> str:
    """Cached: a body may repeat one unknown id thousands of times."""
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _when(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _layout_problem(
    doc: Postmortem | Runbook | Service, inside: str, config: Config
) -> tuple[str, str] | None:
    """(field, message) when a document is not where its id and dates say it lives."""
    if isinstance(doc, Postmortem):
        expected = doc.started_at.astimezone(UTC).date().isoformat()
        dates = {expected, doc.started_at.date().isoformat()}  # UTC or the written offset
        m = _POSTMORTEM_NAME_RE.fullmatch(inside)
        if m and m.group(2) in dates and m.group(1) == m.group(2)[:4]:
            return None
        return "started_at", (
            f"a postmortem lives at {config.postmortems}/{expected[:4]}/{expected}-<slug>.md "
            "(its started_at date, a lower-case slug)"
        )
    if isinstance(doc, Runbook):
        folder, _, name = inside.rpartition("/")
        if folder in doc.services and name == f"{doc.id}.md":
            return None
        return "id", (
            f"a runbook lives at {config.runbooks}/<one of its services>/<id>.md, "
            f"here {config.runbooks}/{doc.services[0]}/{doc.id}.md"
        )
    if inside == f"{doc.id}.md":
        return None
    return "id", f"a service lives at {config.services}/<id>.md, here {config.services}/{doc.id}.md"


def check_paths(kb: KnowledgeBase, config: Config, today: date, findings: Findings) -> None:
    """File names follow the layout, so URLs are predictable and ids findable."""
    docs_prefix = config.relative(config.docs_dir).rstrip("/") + "/"
    folders = {
        "postmortem": config.postmortems,
        "runbook": config.runbooks,
        "service": config.services,
    }
    # A duplicated id is reported once, by check_duplicate_ids; the file name follows the id,
    # so asking for a rename here as well would be the same problem twice.
    counts = Counter((d.kind, d.id) for d in kb.identified())
    for doc in kb.identified():
        if counts[(doc.kind, doc.id)] > 1:
            continue
        path = doc.source.path
        rel = path[len(docs_prefix) :] if path.startswith(docs_prefix) else path
        problem = _layout_problem(doc, rel[len(folders[doc.kind]) + 1 :], config)
        if problem is not None:
            field_name, message = problem
            findings.add(path, doc.source.line(field_name), "(file)", message, rule="layout")


def _check_ids(
    doc: Postmortem | Runbook,
    field_name: str,
    values: tuple[str, ...],
    known: Collection[str],
    what: Kind,
    kb: KnowledgeBase,
    findings: Findings,
    *,
    besides: str | None = None,
) -> None:
    """Each of ``values`` is in ``known`` (a dict or set: one lookup each); ``besides`` is
    left out of the "did you mean" candidates."""
    for index, value in enumerate(values):
        if value in known or kb.is_invalid(what, value):
            continue
        what_word = "incident" if what == "postmortem" else what
        field_path = f"{field_name}[{index}]"
        candidates = [k for k in known if k != besides]
        findings.add(
            doc.source.path,
            doc.source.line(field_path),
            field_path,
            f"unknown {what_word} '{value}'{_did_you_mean(value, candidates)}",
            rule="reference",
        )


def _check_severity(
    doc: Postmortem | Runbook, severity: str | None, levels: list[str] | None, findings: Findings
) -> None:
    """The severity names a level of the policy (unchecked while the policy is unusable)."""
    if levels is None or severity is None or severity in levels:
        return
    findings.add(
        doc.source.path,
        doc.source.line("severity"),
        "severity",
        f"unknown severity '{severity}': the policy defines "
        f"{', '.join(levels)}{_did_you_mean(severity, levels)}",
        rule="reference",
    )


def _other_ids(kb: KnowledgeBase, pm: Postmortem) -> list[str]:
    return [i for i in kb.postmortem_by_id if i != pm.id]


def check_references(kb: KnowledgeBase, config: Config, today: date, findings: Findings) -> None:
    """Every id a document names exists: services, levels, runbooks, incidents, components."""
    levels = list(kb.policy.by_id) if kb.policy else None
    services = kb.service_by_id
    for pm in kb.postmortems:
        src = pm.source
        _check_severity(pm, pm.severity, levels, findings)
        _check_ids(pm, "services", pm.services, services, "service", kb, findings)
        _check_ids(pm, "runbooks", pm.runbooks, kb.runbook_by_id, "runbook", kb, findings)
        for index, rel_id in enumerate(pm.related):
            if rel_id == pm.id:
                findings.add(
                    src.path,
                    src.line(f"related[{index}]"),
                    f"related[{index}]",
                    "an incident cannot be related to itself",
                    rule="reference",
                )
        _check_ids(
            pm,
            "related",
            tuple(r for r in pm.related if r != pm.id),
            kb.postmortem_by_id,
            "postmortem",
            kb,
            findings,
            besides=pm.id,
        )
        if pm.recurrence_of is not None:
            earlier = kb.postmortem_by_id.get(pm.recurrence_of)
            message = None
            if pm.recurrence_of == pm.id:
                message = "an incident cannot be a recurrence of itself"
            elif earlier is None and not kb.is_invalid("postmortem", pm.recurrence_of):
                message = (
                    f"unknown incident '{pm.recurrence_of}'"
                    f"{_did_you_mean(pm.recurrence_of, _other_ids(kb, pm))}"
                )
            elif earlier is not None and earlier.started_at >= pm.started_at:
                message = (
                    f"'{pm.recurrence_of}' started at {_when(earlier.started_at)}, not before "
                    "this incident: recurrence_of names an earlier incident"
                )
            if message:
                findings.add(
                    src.path,
                    src.line("recurrence_of"),
                    "recurrence_of",
                    message,
                    rule="reference",
                )
        if pm.status_page:
            affected = set(pm.services)
            for name, _state in pm.status_page.components:
                owner = kb.component_owner.get(name)
                field_path = f"status_page.components.{name}"
                if owner is None:
                    own = sorted(
                        c
                        for s in pm.services
                        if s in kb.service_by_id
                        for c in kb.service_by_id[s].components
                    )
                    findings.add(
                        src.path,
                        src.line(field_path),
                        field_path,
                        f"unknown status-page component '{name}'"
                        f"{_did_you_mean(name, kb.component_owner)}"
                        + (f"; the affected services have: {', '.join(own)}" if own else ""),
                        rule="reference",
                    )
                elif owner not in affected:
                    findings.add(
                        src.path,
                        src.line(field_path),
                        field_path,
                        f"component '{name}' belongs to service '{owner}', which is not among "
                        "this incident's services",
                        rule="reference",
                    )
    for rb in kb.runbooks:
        _check_ids(rb, "services", rb.services, services, "service", kb, findings)
        _check_severity(rb, rb.severity, levels, findings)


_TIME_FIELDS = ("started_at", "detected_at", "acknowledged_at", "mitigated_at", "resolved_at")


def check_times(kb: KnowledgeBase, config: Config, today: date, findings: Findings) -> None:
    """started <= detected <= acknowledged <= mitigated <= resolved, none in the future."""
    for pm in kb.postmortems:
        previous: tuple[str, datetime] | None = None
        for name in _TIME_FIELDS:
            moment: datetime | None = getattr(pm, name)
            if moment is None:
                continue
            if previous is not None and moment < previous[1]:
                findings.add(
                    pm.source.path,
                    pm.source.line(name),
                    name,
                    f"{_when(moment)} is before {previous[0]} ({_when(previous[1])}): "
                    f"the order is {' <= '.join(_TIME_FIELDS)}",
                    rule="time-order",
                )
            elif utc_day(moment) > today:
                findings.add(
                    pm.source.path,
                    pm.source.line(name),
                    name,
                    f"{_when(moment)} is in the future (today is {today.isoformat()})",
                    rule="time-order",
                )
            previous = (name, moment) if previous is None or moment >= previous[1] else previous


def check_published(kb: KnowledgeBase, config: Config, today: date, findings: Findings) -> None:
    """A published postmortem is resolved and has every required section (whether it needs
    action items depends on the figures: ``figures.facts``)."""
    for pm in kb.postmortems:
        if pm.status != "published":
            continue
        src = pm.source
        if pm.resolved_at is None:
            findings.add(
                src.path,
                src.line("status"),
                "resolved_at",
                "a published postmortem needs resolved_at (the incident must be resolved)",
                rule="published",
            )
        if not pm.body.strip():
            findings.add(
                src.path,
                src.body_line,
                "body",
                "a published postmortem needs a body with the sections: "
                + ", ".join(config.required_sections),
                rule="published",
            )
        else:
            present = {normalise_heading(text) for _, _, text in headings(pm.body, src.body_line)}
            missing = [s for s in config.required_sections if normalise_heading(s) not in present]
            if missing:
                findings.add(
                    src.path,
                    src.body_line,
                    "body",
                    "a published postmortem needs the section"
                    + ("s " if len(missing) > 1 else " ")
                    + ", ".join(f"'## {s}'" for s in missing),
                    rule="published",
                )


def check_status_page(kb: KnowledgeBase, config: Config, today: date, findings: Findings) -> None:
    """Updates in time order, the last resolved exactly when the incident is, cadence kept."""
    for pm in kb.postmortems:
        sp = pm.status_page
        if sp is None:
            continue
        src = pm.source
        level = kb.level(pm.severity)
        updates = sp.updates
        for index, update in enumerate(updates):
            field_path = f"status_page.updates[{index}].at"
            if index == 0 and update.at < pm.started_at:
                findings.add(
                    src.path,
                    src.line(field_path),
                    field_path,
                    f"{_when(update.at)} is before the incident started ({_when(pm.started_at)})",
                    rule="status-page",
                )
            if index == 0:
                continue
            before = updates[index - 1].at
            if update.at < before:
                findings.add(
                    src.path,
                    src.line(field_path),
                    field_path,
                    f"{_when(update.at)} is before the previous update ({_when(before)}): "
                    "updates are in time order",
                    rule="status-page",
                )
            elif level is not None and minutes(update.at - before) > level.status_update_minutes:
                findings.add(
                    src.path,
                    src.line(field_path),
                    field_path,
                    f"{format_duration(minutes(update.at - before))} without a status update; "
                    f"{level.id} expects one at least every "
                    f"{format_duration(level.status_update_minutes)}",
                    level=config.level("status-update-gap"),
                    rule="status-update-gap",
                )
        last = len(updates) - 1
        last_status = f"status_page.updates[{last}].status"
        if pm.resolved_at is not None and updates[last].status != "resolved":
            findings.add(
                src.path,
                src.line(last_status),
                last_status,
                f"the incident is resolved, so the last update must be 'resolved', "
                f"not '{updates[last].status}'",
                rule="status-page",
            )
        elif pm.resolved_at is None and updates[last].status == "resolved":
            findings.add(
                src.path,
                src.line(last_status),
                last_status,
                "the last update says 'resolved' but the incident has no resolved_at",
                rule="status-page",
            )
        for index, update in enumerate(updates[:-1]):
            if update.status == "resolved":
                path = f"status_page.updates[{index}].status"
                findings.add(
                    src.path,
                    src.line(path),
                    path,
                    "only the last update may be 'resolved'",
                    rule="status-page",
                )


def _bodies(kb: KnowledgeBase) -> list[Document]:
    docs: list[Document] = [*kb.postmortems, *kb.runbooks, *kb.services]
    if kb.policy is not None:
        docs.append(kb.policy)
    return docs


def check_links(kb: KnowledgeBase, config: Config, today: date, findings: Findings) -> None:
    """``[[ID]]`` in any body names exactly one existing document."""
    known = [*kb.postmortem_by_id, *kb.runbook_by_id, *kb.service_by_id]
    for doc in _bodies(kb):
        for line, target in links(doc.body, doc.source.body_line):
            found = kb.document(target)
            if len(found) == 1 or (not found and kb.is_invalid(None, target)):
                continue
            if found:
                kinds = " and ".join(sorted(d.kind for d in found))
                message = f"[[{target}]] is ambiguous: a {kinds} share this id"
            else:
                message = f"[[{target}]] links to no document{_did_you_mean(target, known)}"
            findings.add(doc.source.path, line, "body", message, rule="link")


def blame_pattern(phrases: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({p.strip().casefold() for p in phrases if p.strip()}, key=len, reverse=True)
    if not words:
        return None
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
    return re.compile(rf"(?<![\w])(?:{alternatives})(?![\w])", re.IGNORECASE)


def check_blame(kb: KnowledgeBase, config: Config, today: date, findings: Findings) -> None:
    """Blame language in postmortem prose is a warning: describe systems, not culprits."""
    pattern = blame_pattern(config.blame_phrases)
    if pattern is None:
        return
    # A phrase can only match where its first word occurs: a substring test per word
    # skips most bodies long before the regex would.
    firsts = {p.strip().casefold().split()[0] for p in config.blame_phrases if p.strip()}
    for pm in kb.postmortems:
        folded = pm.body.casefold()
        if not any(word in folded for word in firsts) or not pattern.search(pm.body):
            continue
        for line, text in prose_lines(pm.body, pm.source.body_line):
            for m in pattern.finditer(text):
                findings.add(
                    pm.source.path,
                    line,
                    "body",
                    f'blame language "{m.group(0)}": describe what the system and the '
                    "process allowed, not who slipped",
                    level=config.level("blame-language"),
                    rule="blame-language",
                )


def check_duplicate_ids(kb: KnowledgeBase, config: Config, today: date, findings: Findings) -> None:
    """Ids are unique per kind: every later file (by path) names the first."""
    groups: dict[tuple[str, str], list[Postmortem | Runbook | Service]] = defaultdict(list)
    for doc in kb.identified():
        groups[(doc.kind, doc.id)].append(doc)
    for (kind, doc_id), docs in sorted(groups.items()):
        first, *others = sorted(docs, key=lambda d: d.source.path)
        for doc in others:
            findings.add(
                doc.source.path,
                doc.source.line("id"),
                "id",
                f"duplicate {kind} id '{doc_id}': also defined in "
                f"{first.source.path}:{first.source.line('id')}",
                rule="duplicate-id",
            )


_UNSAFE = (
    (
        re.compile(
            r"<\s*(script|iframe|frame|object|embed|applet|base|meta|link|style|form)\b",
            re.IGNORECASE,
        ),
        "a <{0}> element",
    ),
    (
        re.compile(
            r"(?:href|src|action|formaction|xlink:href)\s*=\s*[\"']?\s*"
            r"(javascript|vbscript|data)\s*:",
            re.IGNORECASE,
        ),
        "a {0}: URL",
    ),
    (re.compile(r"\]\(\s*<?\s*(javascript|vbscript|data)\s*:", re.IGNORECASE), "a {0}: link"),
    (re.compile(r"<\s*(javascript|vbscript)\s*:", re.IGNORECASE), "a {0}: link"),
)
#: An event handler's name and its ``=``; whether it sits in a tag or an attribute list is
#: decided by looking back a bounded distance, so that the scan stays linear in the body.
_HANDLER_RE = re.compile(r"(?<![\w-])(on[a-z]+)\s*=", re.IGNORECASE)
_OPENERS = (
    ("<", ">", "an event handler ({0})"),
    ("{", "}", "an event handler ({0}) in an attribute list"),
)
_LOOK_BACK = 300
MAX_REFERENCE = 2000
_LONG_REFERENCE_RE = re.compile(
    r"^ {0,3}\[[^\]\n]{1,999}\]:[ \t]*<?(\S{" + str(MAX_REFERENCE + 1) + ",})", re.MULTILINE
)
_QUOTED_RE = re.compile(r"\"[^\"]*\"|'[^']*'")
_UNSAFE_ANYWHERE = re.compile(
    "|".join([*(f"(?:{pattern.pattern})" for pattern, _ in _UNSAFE), _HANDLER_RE.pattern]),
    re.IGNORECASE,
)


def _handler(text: str) -> tuple[str, str] | None:
    """An ``on...=`` inside a tag (``<img/onerror=``) or an attribute list (``{: onclick=``)."""
    for m in _HANDLER_RE.finditer(text):
        window = text[max(0, m.start() - _LOOK_BACK) : m.start()]
        for opener, closer, what in _OPENERS:
            at = window.rfind(opener)
            # A closer inside a quoted value ({: title="}" onclick=...}) does not close.
            opens = at >= 0 and (opener == "{" or window[at + 1 : at + 2].isalpha())
            if opens and closer not in _QUOTED_RE.sub("", window[at:]):
                return what, m.group(1)
    return None


def _unsafe_in(text: str) -> tuple[str, str] | None:
    for pattern, what in _UNSAFE:
        if m := pattern.search(text):
            return what, m.group(1)
    return _handler(text)


def check_unsafe_body(
    path: str, body: str, body_line: int, config: Config, findings: Findings
) -> None:
    """An early word to the author: HTML in prose that could run script in a reader's
    browser. The site's sanitiser removes it whatever this recognises; this says so sooner
    and on the right line."""
    long_target = "]:" in body and bool(_LONG_REFERENCE_RE.search(body))
    if not long_target and not _UNSAFE_ANYWHERE.search(body):
        return  # nothing anywhere in the body, code included: one scan, not six
    for line, text in prose_lines(body, body_line):
        if long_target and (m := _LONG_REFERENCE_RE.match(text)):
            findings.add(
                path,
                line,
                "body",
                f"a link reference of {len(m.group(1))} characters; the limit is "
                f"{MAX_REFERENCE} (each use copies it into the page: a long one used often "
                "makes a page of hundreds of megabytes)",
                rule="oversized",
            )
        if found := _unsafe_in(text):
            what, name = found
            findings.add(
                path,
                line,
                "body",
                f"{what.format(name.lower())} can run script in a reader's "
                "browser: not allowed in a document (put examples in code blocks)",
                level=config.level("unsafe-html"),
                rule="unsafe-html",
            )


def check_unsafe_html(kb: KnowledgeBase, config: Config, today: date, findings: Findings) -> None:
    """Bodies arrive in pull requests and MkDocs passes raw HTML through."""
    for doc in _bodies(kb):
        check_unsafe_body(doc.source.path, doc.body, doc.source.body_line, config, findings)


def check_policy(kb: KnowledgeBase, config: Config, today: date, findings: Findings) -> None:
    """Level ids are unique; warning comes no later than freeze."""
    policy = kb.policy
    if policy is None:
        return
    seen: dict[str, int] = {}
    for index, level in enumerate(policy.levels):
        field_path = f"levels[{index}].id"
        if level.id in seen:
            findings.add(
                policy.source.path,
                policy.source.line(field_path),
                field_path,
                f"duplicate level id '{level.id}': also levels[{seen[level.id]}]",
                rule="duplicate-id",
            )
        seen.setdefault(level.id, index)
    budget = policy.error_budget
    if budget.warn_at_pct > budget.freeze_at_pct:
        findings.add(
            policy.source.path,
            policy.source.line("error_budget.warn_at_pct"),
            "error_budget.warn_at_pct",
            f"warning ({budget.warn_at_pct:g}%) must not come after the freeze "
            f"({budget.freeze_at_pct:g}%)",
            rule="policy",
        )


def check_services(kb: KnowledgeBase, config: Config, today: date, findings: Findings) -> None:
    """A status-page component belongs to one service only."""
    owner: dict[str, Service] = {}
    for svc in kb.services:
        for index, name in enumerate(svc.components):
            first = owner.setdefault(name, svc)
            if first is not svc:
                path = f"components[{index}]"
                findings.add(
                    svc.source.path,
                    svc.source.line(path),
                    path,
                    f"component '{name}' already belongs to service '{first.id}'",
                    rule="duplicate-id",
                )


@dataclass(frozen=True)
class Rule:
    """A rule across documents: its name and its check, all with one signature."""

    name: str
    check: Callable[[KnowledgeBase, Config, date, Findings], None]


#: Every rule, in the order they run. A rule's findings carry their own rule ids (one check
#: may report several, e.g. ``reference`` and ``duplicate-id``); configurable levels are in
#: ``core.config.RULE_LEVELS``.
RULES: tuple[Rule, ...] = (
    Rule("duplicate-ids", check_duplicate_ids),
    Rule("paths", check_paths),
    Rule("references", check_references),
    Rule("times", check_times),
    Rule("published", check_published),
    Rule("status-page", check_status_page),
    Rule("links", check_links),
    Rule("blame-language", check_blame),
    Rule("unsafe-html", check_unsafe_html),
    Rule("policy", check_policy),
    Rule("services", check_services),
)


def run_all(kb: KnowledgeBase, config: Config, today: date, findings: Findings) -> None:
    """Every rule, in a fixed order, adding to one collection."""
    for rule in RULES:
        rule.check(kb, config, today, findings)


__all__ = ["Level", "run_all"]
