"""Reading alert rules: Prometheus rule files and Kubernetes PrometheusRule manifests.

Rule files are repository files, but a broken one is a finding, never a traceback: the
reader walks libyaml's events, never expands aliases, and is bounded in size, nesting,
rules visited and keys merged. Recording rules are skipped; every alerting rule keeps the
file and line where it is defined. The configured glob patterns are expanded inside the
repository only, with a cap on the files matched and on the folder entries looked at.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml

from incident_kb.core.config import CONFIG_NAME, Config, ConfigError, glob_problem, quoted
from incident_kb.core.findings import Finding, Findings, Level
from incident_kb.documents.yamlsafe import YamlMap, YamlSeq

try:
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - pure-Python fallback, same events
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_RULE_FILE_BYTES = 16 * 1024 * 1024
#: Rule files nest a handful of levels; deeper nesting is refused as soon as it is met.
MAX_DEPTH = 64
#: At most this many groups and rules are visited per file (aliases can repeat a list).
MAX_RULES_VISITED = 100_000
#: At most this many keys are copied by merge keys (<<) per file.
MAX_MERGED_KEYS = 1_000_000
RULE_EXTENSIONS = (".yaml", ".yml")
#: At most this many files are matched by the ``[alerts] rules`` patterns together.
MAX_RULE_FILES = 1_000
#: At most this many files and folders are looked at while expanding those patterns.
MAX_GLOB_ENTRIES = 50_000
_MAGIC_RE = re.compile(r"[*?[]")
_NULL = {"", "~", "null", "Null", "NULL"}


@dataclass(frozen=True)
class AlertRule:
    """One alerting rule: where it is (file, line, field path) and what it says."""

    name: str
    path: str
    line: int
    field: str
    group: str = ""
    labels: tuple[tuple[str, str], ...] = ()
    annotations: tuple[tuple[str, str], ...] = ()
    annotation_lines: tuple[tuple[str, int], ...] = ()

    def annotation(self, key: str) -> str | None:
        return dict(self.annotations).get(key)

    def annotation_line(self, key: str) -> int:
        return dict(self.annotation_lines).get(key, self.line)

    @property
    def severity(self) -> str:
        return dict(self.labels).get("severity", "")

    @property
    def location(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class RuleSet:
    """Every alerting rule read from a set of files, and what could not be read."""

    files: tuple[str, ...]
    rules: tuple[AlertRule, ...]
    problems: tuple[Finding, ...] = ()

    @cached_property
    def names(self) -> frozenset[str]:
        return frozenset(rule.name for rule in self.rules)

    @property
    def readable(self) -> bool:
        """No file had an error: the rules are all there is (a missing alert is missing)."""
        return not any(p.level is Level.ERROR for p in self.problems)


class _FatalError(Exception):
    pass


class _RuleYaml:
    """Documents of a rule file as YamlMap/YamlSeq/str/None, from libyaml's event stream.

    Unlike front-matter, rule files may use anchors, aliases and merge keys (Prometheus
    accepts them); an alias is the same object, never a copy, so nothing expands. Tags are
    ignored and every scalar stays a string. Nesting is capped; duplicate keys are problems.
    """

    def __init__(self, text: str, path: str, findings: Findings) -> None:
        self.events = yaml.parse(text, Loader=_Loader)
        self.path = path
        self.findings = findings
        self.anchors: dict[str, Any] = {}
        self.merged = 0

    def _line(self, event: Any) -> int:
        return int(event.start_mark.line) + 1

    def _fatal(self, event: Any, field_: str, message: str) -> _FatalError:
        self.findings.add(self.path, self._line(event), field_, message, rule="alert-rules")
        return _FatalError()

    def documents(self) -> Iterator[tuple[int, Any]]:
        """(first line, value) of every document, until the end or the first YAML error."""
        try:
            for event in self.events:
                if isinstance(event, yaml.DocumentStartEvent):
                    line = self._line(event)
                    self.anchors = {}
                    value: Any = None
                    for inner in self.events:
                        if isinstance(inner, yaml.DocumentEndEvent):
                            break
                        value = self._node(inner, "", 1)
                    yield line, value
        except _FatalError:
            return
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            what = exc.problem or exc.context or "invalid YAML"
            self.findings.add(
                self.path,
                (mark.line if mark else 0) + 1,
                "(file)",
                f"invalid YAML: {what}",
                rule="alert-rules",
            )
        except yaml.YAMLError as exc:
            self.findings.add(self.path, 1, "(file)", f"invalid YAML: {exc}", rule="alert-rules")

    def _node(self, event: Any, path: str, depth: int) -> Any:
        if isinstance(event, yaml.AliasEvent):
            if event.anchor not in self.anchors:
                raise self._fatal(event, path or "(file)", f"unknown alias *{event.anchor}")
            return self.anchors[event.anchor]
        if depth > MAX_DEPTH:
            raise self._fatal(event, path or "(file)", f"nesting is deeper than {MAX_DEPTH}")
        anchor = getattr(event, "anchor", None)
        value: Any
        if isinstance(event, yaml.ScalarEvent):
            plain = event.style is None or event.style == ""
            value = None if plain and event.tag is None and event.value in _NULL else event.value
        elif isinstance(event, yaml.SequenceStartEvent):
            value = YamlSeq(self._line(event))
            if anchor is not None:
                self.anchors[anchor] = value
            for item in self.events:
                if isinstance(item, yaml.SequenceEndEvent):
                    break
                value.item_lines.append(self._line(item))
                value.append(self._node(item, f"{path}[{len(value)}]", depth + 1))
        elif isinstance(event, yaml.MappingStartEvent):
            value = self._mapping(event, path, depth, anchor)
        else:  # pragma: no cover - the parser yields nothing else here
            raise self._fatal(event, path or "(file)", "unexpected YAML structure")
        if anchor is not None:
            self.anchors[anchor] = value
        return value

    def _mapping(self, event: Any, path: str, depth: int, anchor: str | None) -> YamlMap:
        mapping = YamlMap(self._line(event))
        if anchor is not None:
            self.anchors[anchor] = mapping
        merged: list[YamlMap] = []
        for key_event in self.events:
            if isinstance(key_event, yaml.MappingEndEvent):
                break
            if not isinstance(key_event, yaml.ScalarEvent):
                raise self._fatal(key_event, path or "(file)", "keys must be plain strings")
            key = key_event.value
            child = f"{path}.{key}" if path else key
            value = self._node(next(self.events), child, depth + 1)
            if key == "<<" and not key_event.style:
                sources = value if isinstance(value, YamlSeq) else [value]
                if not all(isinstance(s, YamlMap) for s in sources):
                    raise self._fatal(key_event, child, "a merge key (<<) needs mappings")
                merged.extend(sources)
                continue
            if key in mapping:
                self.findings.add(
                    self.path,
                    self._line(key_event),
                    child,
                    f"duplicate key '{key}': first defined on line {mapping.key_lines[key]} "
                    "(Prometheus refuses the file)",
                    rule="alert-rules",
                )
                continue
            mapping[key] = value
            mapping.key_lines[key] = self._line(key_event)
        for source in merged:
            self.merged += len(source)
            if self.merged > MAX_MERGED_KEYS:
                raise self._fatal(
                    event, path or "(file)", f"merge keys copy more than {MAX_MERGED_KEYS} keys"
                )
            for key, value in source.items():
                if key not in mapping:
                    mapping[key] = value
                    # A merged key is reported at the rule that merged it, not at the base.
                    mapping.key_lines[key] = mapping.line
        return mapping


def _type_name(value: Any) -> str:
    if isinstance(value, YamlMap):
        return "a mapping"
    if isinstance(value, YamlSeq):
        return "a list"
    return "empty" if value is None else "a scalar"


def _line_of(container: Any, key: str | int, default: int) -> int:
    if isinstance(container, YamlMap) and isinstance(key, str):
        return container.key_lines.get(key, default)
    if isinstance(container, YamlSeq) and isinstance(key, int) and key < len(container):
        return container.item_lines[key]
    return default


def _strings(
    value: Any, where: str, line: int, path: str, findings: Findings
) -> tuple[tuple[tuple[str, str], ...], tuple[tuple[str, int], ...]]:
    """A labels or annotations mapping as (key, value) pairs with their lines."""
    if value is None:
        return (), ()
    if not isinstance(value, YamlMap):
        findings.add(
            path, line, where, f"must be a mapping, not {_type_name(value)}", rule="alert-rules"
        )
        return (), ()
    pairs: list[tuple[str, str]] = []
    lines: list[tuple[str, int]] = []
    for key, item in value.items():
        if isinstance(item, YamlMap | YamlSeq):
            findings.add(
                path,
                value.key_lines.get(key, line),
                f"{where}.{key}",
                f"must be a string, not {_type_name(item)}",
                rule="alert-rules",
            )
            continue
        pairs.append((key, "" if item is None else str(item)))
        lines.append((key, value.key_lines.get(key, line)))
    return tuple(pairs), tuple(lines)


def _groups(
    doc: Any, prefix: str, path: str, line: int, findings: Findings
) -> list[tuple[str, Any, Any]]:
    """The rule groups of one document as (field path, container, groups)."""
    if doc is None:
        return []
    if not isinstance(doc, YamlMap):
        findings.add(
            path,
            line,
            prefix or "(document)",
            f"a YAML document here is {_type_name(doc)}, not a rule file or a PrometheusRule",
            rule="alert-rules",
        )
        return []
    kind = doc.get("kind")
    if kind == "List" and isinstance(doc.get("items"), YamlSeq):
        found = []
        items = doc["items"]
        for index, item in enumerate(items):
            found += _groups(
                item, f"{prefix}items[{index}].", path, items.item_lines[index], findings
            )
        return found
    if kind == "PrometheusRule":
        spec = doc.get("spec")
        if not isinstance(spec, YamlMap) or "groups" not in spec:
            findings.add(
                path,
                _line_of(doc, "spec", doc.line),
                f"{prefix}spec.groups",
                "a PrometheusRule without spec.groups",
                rule="alert-rules",
            )
            return []
        return [(f"{prefix}spec.groups", spec, spec["groups"])]
    if kind is not None:
        findings.add(
            path,
            _line_of(doc, "kind", doc.line),
            f"{prefix}kind",
            f"a {kind if isinstance(kind, str) else 'resource'}, not a PrometheusRule: ignored",
            level=Level.NOTICE,
            rule="alert-rules",
        )
        return []
    if "groups" in doc:
        return [(f"{prefix}groups", doc, doc["groups"])]
    findings.add(
        path,
        doc.line,
        prefix or "(document)",
        "neither a Prometheus rule file (groups:) nor a PrometheusRule manifest: ignored",
        level=Level.WARNING,
        rule="alert-rules",
    )
    return []


def parse_rules(
    text: str, path: str, findings: Findings, limit: int = MAX_RULES_VISITED
) -> list[AlertRule]:
    """Every alerting rule in one file's text; problems go to ``findings`` (never raises).

    Recording rules are skipped. ``path`` is how the file is shown in findings. At most
    ``limit`` groups and rules are visited (aliases could repeat a long list many times).
    """
    rules: list[AlertRule] = []
    visited = 0
    for doc_line, doc in _RuleYaml(text, path, findings).documents():
        for where, container, groups in _groups(doc, "", path, doc_line, findings):
            start = _line_of(container, "groups", doc_line)
            if groups is None:
                continue
            if not isinstance(groups, YamlSeq):
                findings.add(
                    path,
                    start,
                    where,
                    f"must be a list, not {_type_name(groups)}",
                    rule="alert-rules",
                )
                continue
            for gi, group in enumerate(groups):
                gfield = f"{where}[{gi}]"
                gline = groups.item_lines[gi]
                visited += 1
                if visited > limit:
                    findings.add(path, gline, gfield, _too_many(limit), rule="alert-rules")
                    return rules
                if not isinstance(group, YamlMap):
                    findings.add(
                        path,
                        gline,
                        gfield,
                        f"a group must be a mapping, not {_type_name(group)}",
                        rule="alert-rules",
                    )
                    continue
                name = group.get("name")
                if not isinstance(name, str) or not name:
                    findings.add(
                        path, gline, f"{gfield}.name", "a group needs a name", rule="alert-rules"
                    )
                    name = ""
                items = group.get("rules")
                if items is None:
                    continue
                if not isinstance(items, YamlSeq):
                    findings.add(
                        path,
                        _line_of(group, "rules", gline),
                        f"{gfield}.rules",
                        f"must be a list, not {_type_name(items)}",
                        rule="alert-rules",
                    )
                    continue
                for ri, rule in enumerate(items):
                    rfield, rline = f"{gfield}.rules[{ri}]", items.item_lines[ri]
                    visited += 1
                    if visited > limit:
                        findings.add(path, rline, rfield, _too_many(limit), rule="alert-rules")
                        return rules
                    parsed = _rule(rule, rfield, rline, name, path, findings)
                    if parsed is not None:
                        rules.append(parsed)
    return rules


def _too_many(limit: int) -> str:
    return f"more than {limit} groups and rules in this file: the rest are not read"


def _rule(
    rule: Any, rfield: str, rline: int, group: str, path: str, findings: Findings
) -> AlertRule | None:
    if not isinstance(rule, YamlMap):
        findings.add(
            path,
            rline,
            rfield,
            f"a rule must be a mapping, not {_type_name(rule)}",
            rule="alert-rules",
        )
        return None
    alert, record = rule.get("alert"), rule.get("record")
    if alert is not None and record is not None:
        findings.add(
            path,
            rline,
            rfield,
            "a rule is either an alert or a record, not both",
            rule="alert-rules",
        )
        return None
    if record is not None:
        return None
    if alert is None:
        findings.add(path, rline, rfield, "a rule needs 'alert' or 'record'", rule="alert-rules")
        return None
    line = rule.key_lines.get("alert", rline)
    if not isinstance(alert, str) or not alert.strip():
        findings.add(
            path, line, f"{rfield}.alert", "must be a non-empty string", rule="alert-rules"
        )
        return None
    if rule.get("expr") is None:
        findings.add(path, line, f"{rfield}.expr", f"alert {alert} has no expr", rule="alert-rules")
    labels, _ = _strings(rule.get("labels"), f"{rfield}.labels", line, path, findings)
    annotations, lines = _strings(
        rule.get("annotations"), f"{rfield}.annotations", line, path, findings
    )
    return AlertRule(alert, path, line, rfield, group, labels, annotations, lines)


def read_rule_file(path: Path, shown: str, findings: Findings) -> list[AlertRule]:
    """Read one rule file (bounded, UTF-8); problems become findings."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            findings.add(shown, 1, "(file)", "not a regular file", rule="alert-rules")
            return []
        with path.open("rb") as handle:
            raw = handle.read(MAX_RULE_FILE_BYTES + 1)
    except OSError as exc:
        findings.add(
            shown, 1, "(file)", f"cannot read file: {exc.strerror or exc}", rule="alert-rules"
        )
        return []
    if len(raw) > MAX_RULE_FILE_BYTES:
        findings.add(
            shown,
            1,
            "(file)",
            f"file is larger than {MAX_RULE_FILE_BYTES} bytes",
            rule="alert-rules",
        )
        return []
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        findings.add(
            shown, line, "(file)", f"not valid UTF-8 at offset {exc.start}", rule="alert-rules"
        )
        return []
    return parse_rules(text, shown, findings)


def load_rules(
    paths: Sequence[Path], shown: Callable[[Path], str], problems: Iterable[Finding] = ()
) -> RuleSet:
    """Every alerting rule in these files, in file order."""
    findings = Findings()
    findings.extend(problems)
    rules: list[AlertRule] = []
    names = []
    for path in paths:
        name = shown(path)
        names.append(name)
        rules += read_rule_file(path, name, findings)
    return RuleSet(tuple(names), tuple(rules), tuple(findings.sorted()))


def _unique_files(paths: Iterable[Path]) -> list[Path]:
    seen: set[Path] = set()
    unique = []
    for path in paths:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


@dataclass
class _Walk:
    """What the ``[alerts] rules`` patterns have cost so far, together: each folder is
    listed once, and each file is counted once however many patterns match it."""

    entries: int = 0
    listings: dict[Path, list[tuple[str, bool]]] = field(default_factory=dict)
    matched: set[Path] = field(default_factory=set)

    def listing(self, folder: Path, pattern: str) -> list[tuple[str, bool]]:
        """(name, is a folder and not a link) of every entry of ``folder``, counted
        against MAX_GLOB_ENTRIES; nothing for a folder that cannot be listed."""
        if folder in self.listings:
            return self.listings[folder]
        found: list[tuple[str, bool]] = []
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    self.entries += 1
                    if self.entries > MAX_GLOB_ENTRIES:
                        raise ConfigError(
                            f"{CONFIG_NAME}: alerts.rules: {quoted(pattern)} looks at more "
                            f"than {MAX_GLOB_ENTRIES} files and folders: name the folders "
                            "that hold the rule files"
                        )
                    try:
                        is_dir = entry.is_dir(follow_symlinks=False)
                    except OSError:
                        is_dir = False
                    found.append((entry.name, is_dir))
        except OSError:
            pass
        self.listings[folder] = found
        return found

    def match(self, path: Path, pattern: str) -> None:
        if path not in self.matched:
            self.matched.add(path)
            if len(self.matched) > MAX_RULE_FILES:
                raise ConfigError(
                    f"{CONFIG_NAME}: alerts.rules: {quoted(pattern)} matches more than "
                    f"{MAX_RULE_FILES} rule files (counting the patterns before it): name "
                    "fewer files"
                )


def _pattern_names(pattern: str) -> list[str]:
    """A pattern's names, with "." and empty ones dropped, repeated "**" merged, and a
    trailing "**" (every file below) written as "**/*"."""
    names: list[str] = []
    for name in pattern.split("/"):
        if name in ("", ".") or (name == "**" and names[-1:] == ["**"]):
            continue
        names.append(name)
    if names[-1:] == ["**"]:
        names.append("*")
    return names


def _real(path: Path) -> Path | None:
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a loop of symbolic links
        return None


def _expand(pattern: str, root: Path, real_root: Path, walk: _Walk) -> tuple[set[Path], list[str]]:
    """The regular files one pattern matches under ``root``, and why matches were refused.

    Glob semantics (``*``, ``?``, ``[...]``, ``**`` for any folders; a wildcard does not
    match a name starting with '.'), but the walk never leaves the repository: "**" does
    not descend into symbolic links to folders, another link is followed only when it
    resolves inside the repository, and a match that resolves outside it is refused, never
    read. Raises ConfigError past MAX_GLOB_ENTRIES entries or MAX_RULE_FILES files."""
    names = _pattern_names(pattern)
    found: set[Path] = set()
    refused: list[str] = []
    stack: list[tuple[Path, int]] = [(root, 0)] if names else []
    seen: set[tuple[Path, int]] = set()
    while stack:
        state = stack.pop()
        if state in seen:
            continue
        seen.add(state)
        folder, index = state
        name = names[index]
        if name == "**":
            stack.append((folder, index + 1))  # "**" matches no folder at all, too
            stack += [
                (folder / entry, index)
                for entry, is_dir in walk.listing(folder, pattern)
                if is_dir and not entry.startswith(".")
            ]
            continue
        magic = bool(_MAGIC_RE.search(name))
        if magic:
            hidden = name.startswith(".")
            children = [
                folder / entry
                for entry, _ in walk.listing(folder, pattern)
                if (hidden or not entry.startswith(".")) and fnmatchcase(entry, name)
            ]
        else:
            children = [folder / name]
        last = index == len(names) - 1
        for child in children:
            real = _real(child)
            if real is None or not real.is_relative_to(real_root):
                # A folder a wildcard met on the way is skipped; a match, or a folder the
                # pattern names, is refused.
                if last or not magic:
                    shown = child.relative_to(root).as_posix()
                    refused.append(
                        f"{CONFIG_NAME}: alerts.rules: {quoted(pattern)}: {quoted(shown)} is a "
                        "symbolic link that leads out of the repository: refused, not read"
                    )
            elif not last:
                if real.is_dir():
                    stack.append((child, index + 1))
            elif real.is_file():
                walk.match(child, pattern)
                found.add(child)
    return found, refused


def configured_rule_files(config: Config) -> tuple[list[Path], list[Finding]]:
    """The files that ``[alerts] rules`` names (glob patterns under the root), sorted; a
    pattern that matches no file is an error finding.

    Raises ConfigError for a pattern that may not be used (absolute, '..', a leading '**'),
    past MAX_RULE_FILES files or MAX_GLOB_ENTRIES entries looked at, and for a match that
    leads out of the repository through a symbolic link (it is never read)."""
    found: list[Path] = []
    problems: list[Finding] = []
    errors: list[str] = []
    walk = _Walk()
    root = config.root
    real_root = _real(root) or root
    for pattern in config.alert_rules:
        if problem := glob_problem(pattern):
            errors.append(f"{CONFIG_NAME}: alerts.rules: {quoted(pattern)}: {problem}")
            continue
        try:
            matches, refused = _expand(pattern, root, real_root, walk)
        except ConfigError as exc:
            raise ConfigError("\n".join([*errors, str(exc)])) from None
        errors += refused
        if not matches and not refused:
            problems.append(
                Finding(
                    CONFIG_NAME,
                    1,
                    "alerts.rules",
                    f"'{pattern}' matches no file under {config.root}",
                    rule="alert-rules",
                )
            )
        found += sorted(matches)
    if errors:
        raise ConfigError("\n".join(errors))
    return _unique_files(found), problems


def expand_rule_paths(paths: Sequence[Path]) -> list[Path]:
    """Files as given; folders become their .yaml/.yml files (recursively, sorted).
    Raises FileNotFoundError for a path that does not exist."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(
                p for p in path.rglob("*") if p.suffix in RULE_EXTENSIONS and p.is_file()
            )
        elif path.exists():
            files.append(path)
        else:
            raise FileNotFoundError(f"{path}: no such file or folder")
    return _unique_files(files)


def configured_rules(config: Config) -> RuleSet | None:
    """The rules ``[alerts] rules`` names, read once; None when none are configured.
    A pattern that matches no file is a problem of the rule set. Raises ConfigError as
    ``configured_rule_files`` does."""
    if not config.alert_rules:
        return None
    paths, problems = configured_rule_files(config)
    return load_rules(paths, config.relative, problems)


def known_alerts(rules: RuleSet | None) -> frozenset[str] | None:
    """The alert names these rules define, for runbook freshness.

    None when no rules are configured, when a pattern matches no file, or when a file
    cannot be read: then nobody knows which alerts exist, and no runbook is called stale
    for answering a missing one (``incident-kb alerts check`` reports the problem).
    """
    if rules is None or not rules.files or not rules.readable:
        return None
    return rules.names


def defined_alerts(config: Config) -> frozenset[str] | None:
    """``known_alerts`` of the configured rules."""
    return known_alerts(configured_rules(config))
