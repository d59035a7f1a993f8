"""The one configuration source, ``incident-kb.toml``, read by the CLI and the build hooks.

Everything has a default, so a repository with only ``mkdocs.yml`` and ``docs/`` works; the
file exists to change folder names, the required postmortem sections, the blame-phrase list,
review intervals and how loudly each rule speaks.

Every default is written once, as the default of its ``Config`` field (and, for the rule
levels, in ``RULE_LEVELS``): ``load`` passes ``Config`` only the settings the file has, and
code elsewhere that needs a default without a loaded configuration reads the field's
default from the class, as in ``Config.due_soon_days``.
"""

from __future__ import annotations

import difflib
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, field, fields
from pathlib import Path, PureWindowsPath
from typing import Any
from urllib.parse import urlsplit

import yaml

from incident_kb.core.findings import CONTROL_RE, Level
from incident_kb.core.urltemplate import UrlTemplate

CONFIG_NAME = "incident-kb.toml"
#: docs_dir without one in incident-kb.toml or mkdocs.yml: MkDocs' own default.
DEFAULT_DOCS_DIR = "docs"

DEFAULT_SECTIONS = (
    "Summary",
    "Impact",
    "Timeline",
    "Contributing factors",
    "What went well",
    "Action items",
)
DEFAULT_BLAME_PHRASES = (
    "human error",
    "should have",
    "should've",
    "careless",
    "carelessness",
    "negligent",
    "negligence",
    "fault of",
    "to blame",
    "blamed",
    "incompetent",
    "sloppy",
    "lazy",
    "stupid",
    "didn't bother",
    "failed to notice",
    "forgot to",
)

#: Rules whose level a team may choose, with their defaults.
RULE_LEVELS: dict[str, Level] = {
    "blame-language": Level.WARNING,
    "status-update-gap": Level.NOTICE,
    "postmortem-overdue": Level.NOTICE,
    # A stale runbook must not block merging an unrelated postmortem: a notice by default;
    # "warning" makes strict builds fail on stale runbooks.
    "runbook-stale": Level.NOTICE,
    # Raw HTML that can run script in a body (a <script>, an onclick=, a javascript: link).
    "unsafe-html": Level.ERROR,
    # Files the site would publish unsafely, symbolic links out of docs_dir and file names
    # that are unsafe in a URL or on disk.
    "unsafe-file": Level.ERROR,
    "symlink": Level.ERROR,
    "unsafe-name": Level.ERROR,
}

#: Rules that guard what the site publishes: always errors. ``[levels]`` may name them, but
#: only as "error"; a lower level is a configuration error, and ``Config.level`` ignores one.
SECURITY_RULES = frozenset({"unsafe-html", "unsafe-file", "symlink", "unsafe-name"})


class ConfigError(Exception):
    """The configuration cannot be used; the CLI exits 2 with this message."""


@dataclass(frozen=True)
class Config:
    """Resolved configuration: absolute paths and validated values."""

    root: Path
    docs_dir: Path
    postmortems: str = "postmortems"
    runbooks: str = "runbooks"
    services: str = "services"
    severity_policy: str = "policies/severity.md"
    id_prefix: str = "INC"
    required_sections: tuple[str, ...] = DEFAULT_SECTIONS
    blame_phrases: tuple[str, ...] = DEFAULT_BLAME_PHRASES
    review_every_days: int = 90
    due_soon_days: int = 14
    #: "Due soon" window for action items (the runbook one is ``due_soon_days``).
    action_items_due_soon_days: int = 14
    #: Share of partial-outage minutes that count as downtime in status-page uptime.
    partial_outage_weight: float = 0.3
    levels: Mapping[str, Level] = field(default_factory=lambda: dict(RULE_LEVELS))
    #: Alert rule files (glob patterns relative to the root) that define the alerts in use.
    alert_rules: tuple[str, ...] = ()
    #: Annotation keys whose value is a runbook URL, tried in order.
    annotation_keys: tuple[str, ...] = ("runbook_url",)
    #: URL templates under which runbooks are also published, e.g.
    #: "https://github.com/org/runbooks/blob/main/alerts/{alert}.md" ({alert} or {id}).
    url_templates: tuple[str, ...] = ()
    #: Where the site is served, so runbook_url annotations under it map to runbook pages
    #: (default: site_url from mkdocs.yml).
    site_url: str | None = None
    #: The style sheets and scripts mkdocs.yml lists (extra_css, extra_javascript): the
    #: team's theme, published from docs/ although other .css and .js files are not.
    theme_files: tuple[str, ...] = ()
    #: The site's search: "auto" (the site's own search plugin where it lists one, otherwise
    #: Pagefind), "pagefind" (a chunked index, fast at any size) or "material" (the site's
    #: own search plugin, which must be listed).
    search_engine: str = "auto"
    #: Pages per Pagefind bundle. Pagefind's indexer keeps what it has read of every page in
    #: memory until it writes the index (0.2-0.45 MB a page here: 4.8 GB for 12,000 pages,
    #: see Pagefind issue #842), so a large site is indexed in bundles of this many pages,
    #: one run each, which the browser merges into one search.
    search_pages_per_bundle: int = 2000
    #: A folder (under docs_dir) for the generated pages and files that belong to no
    #: document folder: action items, metrics, status, alerts, tags, api/, charts/. "" puts
    #: them at the top, as before.
    site_prefix: str = ""

    def docs_relative(self, path: str) -> str:
        """A path as shown in findings (``docs/a/b.md``) made relative to docs_dir
        (``a/b.md``), as MkDocs names the file; other paths are returned as they are."""
        prefix = self.relative(self.docs_dir).rstrip("/") + "/"
        return path[len(prefix) :] if path.startswith(prefix) else path

    def level(self, rule: str) -> Level:
        """How loudly ``rule`` speaks; a security rule is always an error.

        ``rule`` must be one of RULE_LEVELS: a misspelt id in code raises KeyError rather
        than quietly making its findings errors. A rule missing from ``levels`` (a mapping
        built in code) speaks at its default level."""
        if rule in SECURITY_RULES:
            return Level.ERROR
        if rule not in RULE_LEVELS:
            known = ", ".join(sorted(RULE_LEVELS))
            raise KeyError(f"unknown rule id {rule!r}: a rule level is one of {known}")
        return self.levels.get(rule, RULE_LEVELS[rule])

    def relative(self, path: Path) -> str:
        """A path as shown in findings: relative to the repository root, with slashes."""
        absolute = lexical_absolute(path)
        try:
            return absolute.relative_to(self.root).as_posix()
        except ValueError:
            return absolute.as_posix()


#: Every field's default, by name (``levels`` has RULE_LEVELS, through a factory).
FIELD_DEFAULTS: Mapping[str, Any] = {
    f.name: f.default for f in fields(Config) if f.default is not MISSING
}

_SCHEMA: dict[str, dict[str, type | tuple[type, ...]]] = {
    "": {"docs_dir": str},
    "paths": {"postmortems": str, "runbooks": str, "services": str, "severity_policy": str},
    "postmortems": {"id_prefix": str, "required_sections": list, "blame_phrases": list},
    "runbooks": {"review_every_days": int, "due_soon_days": int},
    "levels": {rule: str for rule in RULE_LEVELS},
    "alerts": {"rules": list, "annotation_keys": list, "url_templates": list, "site_url": str},
    "action_items": {"due_soon_days": int},
    "status": {"partial_outage_weight": (int, float)},
    "search": {"engine": str, "pages_per_bundle": int},
    "site": {"prefix": str},
}

SEARCH_ENGINES = ("auto", "pagefind", "material")

#: The largest incident-kb.toml that is read.
MAX_CONFIG_BYTES = 1024 * 1024
#: The Config field each setting of incident-kb.toml sets, by (table, key); the ``[paths]``
#: settings and ``[levels]`` are resolved on their own (normalised; over RULE_LEVELS).
_FIELDS: dict[tuple[str, str], str] = {
    ("postmortems", "id_prefix"): "id_prefix",
    ("postmortems", "required_sections"): "required_sections",
    ("postmortems", "blame_phrases"): "blame_phrases",
    ("runbooks", "review_every_days"): "review_every_days",
    ("runbooks", "due_soon_days"): "due_soon_days",
    ("action_items", "due_soon_days"): "action_items_due_soon_days",
    ("status", "partial_outage_weight"): "partial_outage_weight",
    ("alerts", "rules"): "alert_rules",
    ("alerts", "annotation_keys"): "annotation_keys",
    ("alerts", "url_templates"): "url_templates",
    ("alerts", "site_url"): "site_url",
    ("search", "engine"): "search_engine",
    ("search", "pages_per_bundle"): "search_pages_per_bundle",
    ("site", "prefix"): "site_prefix",
}
#: Inclusive bounds of every integer setting, by (table, key). Ten years is the longest
#: review interval or "due soon" window; a Pagefind bundle of 10,000 pages needs about 4 GB.
INT_RANGES: dict[tuple[str, str], tuple[int, int]] = {
    ("runbooks", "review_every_days"): (1, 3650),
    ("runbooks", "due_soon_days"): (1, 3650),
    ("action_items", "due_soon_days"): (1, 3650),
    ("search", "pages_per_bundle"): (1, 10_000),
}
#: (most entries, longest entry in characters) of every list setting, by (table, key).
LIST_LIMITS: dict[tuple[str, str], tuple[int, int]] = {
    ("postmortems", "required_sections"): (50, 200),
    ("postmortems", "blame_phrases"): (500, 100),
    ("alerts", "rules"): (100, 1024),
    ("alerts", "annotation_keys"): (20, 128),
    ("alerts", "url_templates"): (50, 2048),
}
#: The longest configured path and URL, in characters.
MAX_PATH_CHARS = 1024
MAX_URL_CHARS = 2048
#: The longest file or folder name in a path or an alert rule glob.
MAX_NAME_CHARS = 255
#: A postmortem id prefix: the "INC" of INC-2025-042.
ID_PREFIX_RE = re.compile(r"[A-Z][A-Z0-9]{0,9}")
SITE_PREFIX_RE = re.compile(r"[a-z0-9][a-z0-9-]{0,40}(/[a-z0-9][a-z0-9-]{0,40}){0,3}")
#: An annotation key: a Prometheus name, or a Kubernetes-style dotted/prefixed one.
ANNOTATION_KEY_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]*")
#: Control characters, and the invisible ones that reorder or break displayed text.
_KINDS = {"str": "a string", "int": "a whole number", "list": "a list"}
_FOLDER_KEYS = ("postmortems", "runbooks", "services")
_PATH_KEYS = (*_FOLDER_KEYS, "severity_policy")


def lexical_absolute(path: Path) -> Path:
    """An absolute, normalised path that keeps symbolic links: a file reached through a link
    is shown where it sits in docs/, as MkDocs shows it, not where the link points."""
    return Path(os.path.abspath(path))  # noqa: PTH100 - resolve() would follow links


def find_root(start: Path) -> Path | None:
    """The nearest folder at or above ``start`` with incident-kb.toml or mkdocs.yml."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / CONFIG_NAME).is_file() or (folder / "mkdocs.yml").is_file():
            return folder
    return None


def _unknown(key: str, known: list[str], where: str) -> str:
    key = CONTROL_RE.sub("?", key[:80])
    hint = difflib.get_close_matches(key, known, n=1)
    suffix = f" (did you mean '{hint[0]}'?)" if hint else ""
    return f"{CONFIG_NAME}: {where}{key}: unknown key{suffix}"


def _error(where: str, message: str) -> str:
    return f"{CONFIG_NAME}: {where}: {message}"


def quoted(text: str, limit: int = 80) -> str:
    """A configured string as shown in a message: quoted, shortened, control characters
    replaced, so a hostile value cannot forge further lines of output."""
    short = text if len(text) <= limit else text[: limit - 3] + "..."
    return "'" + CONTROL_RE.sub("?", short) + "'"


def _number(value: int) -> str:
    text = str(value)
    return text if len(text) <= 20 else f"{text[:8]}... ({len(text)} digits)"


def _value(data: Mapping[str, Any], table: str, key: str) -> Any:
    """A setting present with the right type, or None (absent, or a type error reported by
    the type checks). Lists come back only when every entry is a non-empty string."""
    section = data.get(table) if table else data
    if not isinstance(section, dict) or key not in section:
        return None
    value = section[key]
    expected = _SCHEMA[table][key]
    if isinstance(value, bool) or not isinstance(value, expected):
        return None
    if isinstance(value, list) and not all(isinstance(s, str) and s for s in value):
        return None
    return value


def _check_types(data: Mapping[str, Any]) -> list[str]:
    errors: list[str] = []
    tables = [t for t in _SCHEMA if t]
    for key, value in sorted(data.items()):
        if key in tables:
            if not isinstance(value, dict):
                errors.append(f"{CONFIG_NAME}: {key}: must be a table")
                continue
            for sub, subvalue in sorted(value.items()):
                expected = _SCHEMA[key].get(sub)
                if expected is None:
                    errors.append(_unknown(sub, sorted(_SCHEMA[key]), f"{key}."))
                elif not isinstance(subvalue, expected) or isinstance(subvalue, bool):
                    kind = _KINDS.get(getattr(expected, "__name__", ""), "a number")
                    errors.append(f"{CONFIG_NAME}: {key}.{sub}: must be {kind}")
                elif isinstance(subvalue, list) and not all(
                    isinstance(s, str) and s for s in subvalue
                ):
                    errors.append(f"{CONFIG_NAME}: {key}.{sub}: must be a list of strings")
        elif key in _SCHEMA[""]:
            if not isinstance(value, str):
                errors.append(f"{CONFIG_NAME}: {key}: must be a string")
        else:
            errors.append(_unknown(key, sorted([*tables, *_SCHEMA[""]]), ""))
    return errors


def _check_numbers(data: Mapping[str, Any]) -> list[str]:
    errors: list[str] = []
    for (table, key), (low, high) in INT_RANGES.items():
        value = _value(data, table, key)
        if isinstance(value, int) and not low <= value <= high:
            errors.append(
                _error(f"{table}.{key}", f"must be between {low} and {high}, not {_number(value)}")
            )
    weight = _value(data, "status", "partial_outage_weight")
    # "not 0 <= weight <= 1" is also true of nan; inf is outside the range.
    if weight is not None and not 0 <= weight <= 1:
        errors.append(_error("status.partial_outage_weight", "must be between 0 and 1"))
    engine = _value(data, "search", "engine")
    if engine is not None and engine not in SEARCH_ENGINES:
        errors.append(_error("search.engine", f"must be one of {', '.join(SEARCH_ENGINES)}"))
    return errors


def _check_strings(data: Mapping[str, Any]) -> list[str]:
    errors: list[str] = []
    site_prefix = _value(data, "site", "prefix")
    if site_prefix and site_prefix.split("/")[0] in ("assets", "pagefind", "schemas", "search"):
        errors.append(
            _error(
                "site.prefix",
                f"{quoted(site_prefix)} is where the site keeps its own files (assets, "
                "pagefind, schemas, search): choose another folder",
            )
        )
    elif site_prefix and not SITE_PREFIX_RE.fullmatch(site_prefix):
        errors.append(
            _error(
                "site.prefix",
                "must be a folder under docs_dir of lower-case letters, digits and hyphens "
                f"(up to four levels, such as incident-kb), not {quoted(site_prefix)}",
            )
        )
    prefix = _value(data, "postmortems", "id_prefix")
    if prefix is not None and not ID_PREFIX_RE.fullmatch(prefix):
        errors.append(
            _error(
                "postmortems.id_prefix",
                "must be 1 to 10 capital letters and digits starting with a letter, such as "
                f"INC, not {quoted(prefix)}",
            )
        )
    for (table, key), (most, longest) in LIST_LIMITS.items():
        entries = _value(data, table, key)
        if entries is None:
            continue
        where = f"{table}.{key}"
        if len(entries) > most:
            errors.append(_error(where, f"must have at most {most} entries, not {len(entries)}"))
            continue
        for number, entry in enumerate(entries, 1):
            if not entry.strip():
                errors.append(_error(where, f"entry {number} is blank"))
            elif len(entry) > longest:
                errors.append(_error(where, f"entry {number} is longer than {longest} characters"))
            elif CONTROL_RE.search(entry):
                errors.append(_error(where, f"entry {number} contains a control character"))
            elif key == "annotation_keys" and not ANNOTATION_KEY_RE.fullmatch(entry):
                errors.append(
                    _error(
                        where,
                        f"{quoted(entry)} is not an annotation key (letters, digits, _ . / -, "
                        "starting with a letter or _)",
                    )
                )
            elif key == "url_templates" and (problem := _template_problem(entry)):
                errors.append(_error(where, problem))
            elif key == "rules" and (problem := glob_problem(entry)):
                errors.append(_error(where, f"{quoted(entry)}: {problem}"))
    site_url = _value(data, "alerts", "site_url")
    if site_url is not None and (problem := url_problem(site_url)):
        errors.append(_error("alerts.site_url", problem))
    return errors


def url_problem(url: str, shown: str | None = None) -> str | None:
    """Why ``url`` is not an http(s) URL of a host, or None; messages quote ``shown``
    (default ``url``)."""
    text = quoted(url if shown is None else shown)
    if len(url) > MAX_URL_CHARS:
        return f"must be at most {MAX_URL_CHARS} characters"
    if CONTROL_RE.search(url) or any(c.isspace() for c in url):
        return f"must be a URL without spaces or control characters, not {text}"
    try:
        parts = urlsplit(url)
        host = parts.hostname
        has_login = parts.username is not None or parts.password is not None
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        return f"is not a valid URL: {text}"
    if parts.scheme.lower() not in ("http", "https"):
        return f"must be an http:// or https:// URL, not {text}"
    if not host:
        return f"must name a host, as in https://kb.example.com/, not {text}"
    if has_login:
        return "must not contain a user name or password"
    return None


def _template_problem(template: str) -> str | None:
    try:
        UrlTemplate.parse(template)
    except ValueError as exc:
        return CONTROL_RE.sub("?", str(exc))
    # Placeholders stand for a path segment; the URL around them must be http(s).
    return url_problem(template.replace("{alert}", "x").replace("{id}", "x"), template)


def glob_problem(pattern: str) -> str | None:
    """Why an ``[alerts] rules`` pattern may not be used, or None: patterns are relative
    to the repository root and never leave it."""
    if "\\" in pattern:
        return "must use / between folders (a backslash is not a separator)"
    if pattern.startswith("/") or PureWindowsPath(pattern).drive:
        return "must be relative to the repository root, not an absolute path"
    parts = pattern.split("/")
    if ".." in parts:
        return "must not contain '..': rule files are read from inside the repository only"
    names = [p for p in parts if p not in ("", ".")]
    if not names:
        return "names no file"
    if names[0] == "**":
        return (
            "must not start with '**' (the whole repository): name the folder, such as "
            "'alerting/**/*.yaml'"
        )
    if any(len(name) > MAX_NAME_CHARS for name in names):
        return f"a name in it is longer than {MAX_NAME_CHARS} characters"
    return None


def _check_levels(data: Mapping[str, Any]) -> list[str]:
    errors: list[str] = []
    levels = data.get("levels")
    for rule, level in sorted(levels.items() if isinstance(levels, dict) else ()):
        if rule not in RULE_LEVELS or not isinstance(level, str):
            continue  # reported by the type checks
        if level not in {lv.value for lv in Level}:
            errors.append(_error(f"levels.{rule}", "must be one of error, warning, notice"))
        elif rule in SECURITY_RULES and level != Level.ERROR.value:
            errors.append(
                _error(
                    f"levels.{rule}",
                    f"is a security rule and cannot be set below error, not '{level}': what it "
                    "finds would be published",
                )
            )
    return errors


def _check(data: dict[str, Any]) -> list[str]:
    """Every problem in the settings that need no file system, in one list."""
    return [
        *_check_types(data),
        *_check_numbers(data),
        *_check_strings(data),
        *_check_levels(data),
    ]


def relative_path_problem(value: str, base: str) -> tuple[str, str | None]:
    """(the path normalised, with / and no '.' parts; why it may not be used, or None).

    A configured path is relative to ``base`` and lexically stays inside it: not empty, not
    absolute, no '..' part, and not ``base`` itself."""
    if not value.strip():
        return "", "must not be empty"
    if CONTROL_RE.search(value):
        return "", "must not contain control characters"
    if len(value) > MAX_PATH_CHARS:
        return "", f"must be at most {MAX_PATH_CHARS} characters"
    if "\\" in value:
        return "", f"must use / between folders (a backslash is not a separator): {quoted(value)}"
    if value.startswith("/") or PureWindowsPath(value).drive:
        return "", f"must be relative to {base}, not the absolute path {quoted(value)}"
    parts = value.split("/")
    if ".." in parts:
        return "", f"must stay inside {base}: {quoted(value)} contains '..'"
    names = [p for p in parts if p not in ("", ".")]
    if not names:
        return "", f"must name something inside {base}, not {base} itself"
    if any(len(name) > MAX_NAME_CHARS for name in names):
        return "", f"a name in it is longer than {MAX_NAME_CHARS} characters"
    return "/".join(names), None


def _real(path: Path) -> Path | None:
    """``path`` with every symbolic link resolved, or None when that fails (a loop)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return None


def _nested(inner: str, outer: str) -> bool:
    """Whether the relative path ``inner`` is ``outer`` or inside it."""
    return inner == outer or inner.startswith(outer + "/")


def _shown(real: Path, root: Path) -> str:
    try:
        return quoted(real.relative_to(root).as_posix() or ".")
    except ValueError:
        return quoted(real.as_posix())


def _docs_dir(
    root: Path, data: Mapping[str, Any], mkdocs: Mapping[str, Any] | None
) -> tuple[Path | None, list[str]]:
    """docs_dir (absolute, lexical), or None with the reasons it cannot be used."""
    errors: list[str] = []
    docs_name = _value(data, "", "docs_dir")
    where = f"{CONFIG_NAME}: docs_dir"
    mkdocs_docs = _mkdocs_docs_dir(mkdocs)
    if docs_name is None:
        if "docs_dir" in data:
            return None, []  # a type error, reported by the type checks
        docs_name, where = (
            (mkdocs_docs, "mkdocs.yml: docs_dir") if mkdocs_docs else (DEFAULT_DOCS_DIR, where)
        )
    elif mkdocs_docs is not None and Path(mkdocs_docs) != Path(docs_name):
        errors.append(
            f"{where}: {quoted(docs_name)} differs from mkdocs.yml's docs_dir "
            f"{quoted(mkdocs_docs)}: the site would build files that are never validated"
        )
    rel, problem = relative_path_problem(docs_name, "the repository")
    if problem:
        return None, [*errors, f"{where}: {problem}"]
    docs_dir = root / rel
    if not docs_dir.is_dir():
        return None, [*errors, f"{where}: no folder '{docs_name}' in {root}"]
    real = _real(docs_dir)
    if real is None or not real.is_relative_to(root) or real == root:
        shown = "a loop of symbolic links" if real is None else _shown(real, root)
        errors.append(
            f"{where}: must be a folder inside the repository, but {quoted(docs_name)} "
            f"resolves to {shown}"
        )
        return None, errors
    return docs_dir, errors


def _check_paths(
    docs_dir: Path | None, data: Mapping[str, Any]
) -> tuple[dict[str, str], list[str]]:
    """The ``[paths]`` settings, normalised, and every reason they cannot be used: each stays
    inside docs_dir (also after resolving symbolic links), the folders do not overlap, and
    the severity policy is a Markdown file outside them."""
    errors: list[str] = []
    table = data.get("paths")
    given = table if isinstance(table, dict) else {}
    paths: dict[str, str] = {}
    for key in _PATH_KEYS:
        value = given.get(key, FIELD_DEFAULTS[key])
        if not isinstance(value, str):
            continue  # a type error, reported by the type checks
        rel, problem = relative_path_problem(value, "docs_dir")
        if problem:
            errors.append(_error(f"paths.{key}", problem))
        else:
            paths[key] = rel
    policy = paths.get("severity_policy")
    if policy is not None and not policy.endswith(".md"):
        errors.append(
            _error("paths.severity_policy", f"must be a Markdown file (.md), not {quoted(policy)}")
        )
    folders = [(key, paths[key]) for key in _FOLDER_KEYS if key in paths]
    flagged: set[str] = set()
    for index, (key, folder) in enumerate(folders):
        for other, other_folder in folders[:index]:
            if _nested(folder, other_folder) or _nested(other_folder, folder):
                flagged.add(key)
                errors.append(
                    _error(
                        f"paths.{key}",
                        f"{quoted(folder)} overlaps paths.{other} {quoted(other_folder)}: each "
                        "kind of document needs a folder of its own",
                    )
                )
        if policy is not None and _nested(policy, folder):
            flagged.add("severity_policy")
            errors.append(
                _error(
                    "paths.severity_policy",
                    f"{quoted(policy)} is inside paths.{key} {quoted(folder)}: the policy must "
                    "sit outside the document folders",
                )
            )
    if docs_dir is None:
        return paths, errors
    docs_real = _real(docs_dir)
    if docs_real is None:  # pragma: no cover - _docs_dir resolved it already
        return paths, errors
    reals: dict[str, Path] = {}
    for key, rel in paths.items():
        real = _real(docs_dir / rel)
        if real is None or not real.is_relative_to(docs_real):
            shown = "a loop of symbolic links" if real is None else _shown(real, docs_real)
            errors.append(
                _error(
                    f"paths.{key}",
                    f"must stay inside docs_dir, but {quoted(rel)} resolves to {shown} "
                    "(a symbolic link leads out)",
                )
            )
        elif real == docs_real:
            errors.append(
                _error(f"paths.{key}", f"{quoted(rel)} resolves to docs_dir itself (a link)")
            )
        else:
            reals[key] = real
    real_folders = [(key, reals[key]) for key in _FOLDER_KEYS if key in reals]
    for index, (key, real) in enumerate(real_folders):
        for other, other_real in real_folders[:index]:
            if key not in flagged and (
                real.is_relative_to(other_real) or other_real.is_relative_to(real)
            ):
                flagged.add(key)
                errors.append(
                    _error(
                        f"paths.{key}",
                        f"{quoted(paths[key])} overlaps paths.{other} {quoted(paths[other])} "
                        "once symbolic links are resolved",
                    )
                )
        policy_real = reals.get("severity_policy")
        if (
            "severity_policy" not in flagged
            and policy_real is not None
            and policy_real.is_relative_to(real)
        ):
            flagged.add("severity_policy")
            errors.append(
                _error(
                    "paths.severity_policy",
                    f"{quoted(paths['severity_policy'])} resolves into paths.{key} "
                    f"{quoted(paths[key])} (a symbolic link)",
                )
            )
    return paths, errors


class _TolerantLoader(yaml.SafeLoader):
    """Reads mkdocs.yml for one key; its !!python/name and !ENV tags become None."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def read_mkdocs(root: Path) -> dict[str, Any] | None:
    """mkdocs.yml's top level, its tags read as None; None without the file. Read once per
    configuration load: docs_dir, site_url and the theme files all come from it."""
    path = root / "mkdocs.yml"
    if not path.is_file():
        return None
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_TolerantLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"mkdocs.yml: cannot be read: {exc}") from None
    return data if isinstance(data, dict) else {}


def _mkdocs_value(mkdocs: Mapping[str, Any] | None, key: str) -> str | None:
    """One top-level string from mkdocs.yml, or None (no file, no key)."""
    value = mkdocs.get(key) if mkdocs is not None else None
    return str(value) if value else None


def _mkdocs_docs_dir(mkdocs: Mapping[str, Any] | None) -> str | None:
    """``docs_dir`` from mkdocs.yml (default ``docs``), or None without mkdocs.yml."""
    if mkdocs is None:
        return None
    return _mkdocs_value(mkdocs, "docs_dir") or DEFAULT_DOCS_DIR


def listed_theme_files(mkdocs: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The paths mkdocs.yml lists under extra_css and extra_javascript, sorted."""
    names: list[str] = []
    for key in ("extra_css", "extra_javascript"):
        entries = mkdocs.get(key) if mkdocs is not None else None
        for entry in entries if isinstance(entries, list) else ():
            # extra_javascript entries may be mappings: {path: x.js, type: module}
            value = entry.get("path") if isinstance(entry, dict) else entry
            if isinstance(value, str):
                names.append(value)
    return tuple(sorted(names))


def _read(path: Path) -> dict[str, Any]:
    """incident-kb.toml's settings ({} without the file); it must be a file of the
    repository, not a link to one elsewhere."""
    if not path.is_file():
        return {}
    real = _real(path)
    if real is None or not real.is_relative_to(path.parent):
        raise ConfigError(f"{CONFIG_NAME}: is a symbolic link that leads out of the repository")
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_CONFIG_BYTES + 1)
    except OSError as exc:
        raise ConfigError(f"{CONFIG_NAME}: cannot be read: {exc.strerror or exc}") from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise ConfigError(f"{CONFIG_NAME}: is larger than {MAX_CONFIG_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{CONFIG_NAME}: not valid UTF-8 at offset {exc.start}") from None
    try:
        return tomllib.loads(text)
    # TOMLDecodeError is a ValueError; so is an integer of more than 4,300 digits.
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{CONFIG_NAME}: {exc}") from None
    except ValueError:
        raise ConfigError(f"{CONFIG_NAME}: cannot be read: a number in it is too long") from None
    except RecursionError:
        raise ConfigError(f"{CONFIG_NAME}: cannot be read: nested too deeply") from None


def load(root: Path) -> Config:
    """Read ``root/incident-kb.toml`` if present; defaults otherwise.

    Raises ConfigError listing every problem: unknown keys, wrong types, values out of
    range, paths that leave the repository or docs_dir, security rules set below error."""
    root = root.resolve()
    data = _read(root / CONFIG_NAME)
    errors = _check(data)
    mkdocs = read_mkdocs(root)
    docs_dir, docs_errors = _docs_dir(root, data, mkdocs)
    paths, path_errors = _check_paths(docs_dir, data)
    errors += docs_errors + path_errors
    if errors or docs_dir is None:
        raise ConfigError("\n".join(errors))
    # Only what the file sets goes to Config; every other field keeps its default.
    given: dict[str, Any] = dict(paths)
    for (table, key), name in _FIELDS.items():
        value = _value(data, table, key)
        if value is not None:
            given[name] = tuple(value) if isinstance(value, list) else value
    if "partial_outage_weight" in given:
        given["partial_outage_weight"] = float(given["partial_outage_weight"])
    if not given.get("site_url"):
        given.pop("site_url", None)
        mkdocs_site_url = _mkdocs_value(mkdocs, "site_url")
        if mkdocs_site_url is not None:
            given["site_url"] = mkdocs_site_url
    levels = data.get("levels")
    if isinstance(levels, dict) and levels:
        given["levels"] = {**RULE_LEVELS, **{k: Level(v) for k, v in levels.items()}}
    given["theme_files"] = listed_theme_files(mkdocs)
    return Config(root=root, docs_dir=docs_dir, **given)
