"""The one configuration source, ``incident-kb.toml``, read by the CLI and the build hooks.

Everything has a default, so a repository with only ``mkdocs.yml`` and ``docs/`` works; the
file exists to change folder names, the required postmortem sections, the blame-phrase list,
review intervals and how loudly each rule speaks.
"""

from __future__ import annotations

import difflib
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .findings import Level
from .search import PAGES_PER_BUNDLE

CONFIG_NAME = "incident-kb.toml"

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
}


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
    #: The site's search: "pagefind" (a chunked index, fast at any size) or "material"
    #: (Material's own plugin, which downloads the whole index before the first result).
    search_engine: str = "pagefind"
    #: Pages per Pagefind bundle: bounds the indexer's memory on a large site.
    search_pages_per_bundle: int = PAGES_PER_BUNDLE

    def level(self, rule: str) -> Level:
        return self.levels.get(rule, Level.ERROR)

    def relative(self, path: Path) -> str:
        """A path as shown in findings: relative to the repository root, with slashes."""
        absolute = lexical_absolute(path)
        try:
            return absolute.relative_to(self.root).as_posix()
        except ValueError:
            return absolute.as_posix()


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
}

SEARCH_ENGINES = ("pagefind", "material")


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
    hint = difflib.get_close_matches(key, known, n=1)
    suffix = f" (did you mean '{hint[0]}'?)" if hint else ""
    return f"{CONFIG_NAME}: {where}{key}: unknown key{suffix}"


def _check(data: dict[str, Any]) -> list[str]:
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
                    kind = getattr(expected, "__name__", "value")
                    errors.append(f"{CONFIG_NAME}: {key}.{sub}: must be a {kind}")
                elif isinstance(subvalue, list) and not all(
                    isinstance(s, str) and s for s in subvalue
                ):
                    errors.append(f"{CONFIG_NAME}: {key}.{sub}: must be a list of strings")
                elif isinstance(subvalue, int) and subvalue < 1 and key != "status":
                    errors.append(f"{CONFIG_NAME}: {key}.{sub}: must be at least 1")
        elif key in _SCHEMA[""]:
            if not isinstance(value, str):
                errors.append(f"{CONFIG_NAME}: {key}: must be a string")
        else:
            errors.append(_unknown(key, sorted([*tables, *_SCHEMA[""]]), ""))
    status, search = data.get("status"), data.get("search")
    weight = status.get("partial_outage_weight", 0.3) if isinstance(status, dict) else 0.3
    if isinstance(weight, int | float) and not isinstance(weight, bool) and not 0 <= weight <= 1:
        errors.append(f"{CONFIG_NAME}: status.partial_outage_weight: must be between 0 and 1")
    engine = search.get("engine", "pagefind") if isinstance(search, dict) else "pagefind"
    if isinstance(engine, str) and engine not in SEARCH_ENGINES:
        errors.append(f"{CONFIG_NAME}: search.engine: must be one of {', '.join(SEARCH_ENGINES)}")
    levels = data.get("levels")
    for rule, level in sorted(levels.items() if isinstance(levels, dict) else ()):
        if isinstance(level, str) and level not in {lv.value for lv in Level}:
            errors.append(f"{CONFIG_NAME}: levels.{rule}: must be one of error, warning, notice")
    return errors


class _TolerantLoader(yaml.SafeLoader):
    """Reads mkdocs.yml for one key; its !!python/name and !ENV tags become None."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)


def _mkdocs_value(root: Path, key: str) -> str | None:
    """One top-level string from mkdocs.yml, or None (no file, no key)."""
    path = root / "mkdocs.yml"
    if not path.is_file():
        return None
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_TolerantLoader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"mkdocs.yml: cannot be read: {exc}") from None
    value = data.get(key) if isinstance(data, dict) else None
    return str(value) if value else None


def _mkdocs_docs_dir(root: Path) -> str | None:
    """``docs_dir`` from mkdocs.yml (default ``docs``), or None without mkdocs.yml."""
    if not (root / "mkdocs.yml").is_file():
        return None
    return _mkdocs_value(root, "docs_dir") or "docs"


def load(root: Path) -> Config:
    """Read ``root/incident-kb.toml`` if present; defaults otherwise."""
    root = root.resolve()
    path = root / CONFIG_NAME
    data: dict[str, Any] = {}
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{CONFIG_NAME}: {exc}") from None
    if errors := _check(data):
        raise ConfigError("\n".join(errors))
    docs_name = data.get("docs_dir")
    mkdocs_docs = _mkdocs_docs_dir(root)
    if docs_name is None:
        docs_name = mkdocs_docs or "docs"
    elif mkdocs_docs is not None and Path(mkdocs_docs) != Path(docs_name):
        raise ConfigError(
            f"{CONFIG_NAME}: docs_dir: '{docs_name}' differs from mkdocs.yml's docs_dir "
            f"'{mkdocs_docs}': the site would build files that are never validated"
        )
    if not (root / docs_name).is_dir():
        raise ConfigError(f"{CONFIG_NAME}: docs_dir: no folder '{docs_name}' in {root}")
    paths = data.get("paths", {})
    pm = data.get("postmortems", {})
    rb = data.get("runbooks", {})
    alerts = data.get("alerts", {})
    levels = dict(RULE_LEVELS)
    levels.update({k: Level(v) for k, v in data.get("levels", {}).items()})
    docs_dir = root / docs_name
    return Config(
        root=root,
        docs_dir=docs_dir,
        postmortems=paths.get("postmortems", "postmortems").strip("/"),
        runbooks=paths.get("runbooks", "runbooks").strip("/"),
        services=paths.get("services", "services").strip("/"),
        severity_policy=paths.get("severity_policy", "policies/severity.md").strip("/"),
        id_prefix=pm.get("id_prefix", "INC"),
        required_sections=tuple(pm.get("required_sections", DEFAULT_SECTIONS)),
        blame_phrases=tuple(pm.get("blame_phrases", DEFAULT_BLAME_PHRASES)),
        review_every_days=rb.get("review_every_days", 90),
        due_soon_days=rb.get("due_soon_days", 14),
        action_items_due_soon_days=data.get("action_items", {}).get("due_soon_days", 14),
        partial_outage_weight=float(data.get("status", {}).get("partial_outage_weight", 0.3)),
        levels=levels,
        alert_rules=tuple(alerts.get("rules", ())),
        annotation_keys=tuple(alerts.get("annotation_keys", ("runbook_url",))),
        url_templates=tuple(alerts.get("url_templates", ())),
        site_url=alerts.get("site_url") or _mkdocs_value(root, "site_url"),
        search_engine=data.get("search", {}).get("engine", "pagefind"),
        search_pages_per_bundle=data.get("search", {}).get("pages_per_bundle", PAGES_PER_BUNDLE),
    )
