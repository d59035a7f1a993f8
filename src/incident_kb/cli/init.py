"""``incident-kb init``: a working knowledge base in an empty (or new) folder.

Everything is rendered and checked in memory first; if any file it would write already
exists, it lists them and writes nothing. Each file is then created exclusively, so a file
that appears meanwhile is never overwritten either.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from incident_kb import __version__
from incident_kb.cli.scaffold import (
    NewService,
    ScaffoldError,
    check_document,
    environment,
    service_document,
)
from incident_kb.core.config import CONFIG_NAME, Config

#: A package spec is a pip requirement: no workflow expression, quote or line break in it.
PUNCTUATION_IN_PACKAGE = re.compile(r"\$\{\{|[\"'`\\\r\n\t]")
#: The package the generated workflows and pre-commit hook install: this version, pinned.
PACKAGE = f"incident-kb[site]=={__version__}"


@dataclass(frozen=True)
class InitRequest:
    site_name: str = "Incident knowledge base"
    service_id: str = "web"
    service_name: str = "Web"
    owner: str = "sre"
    tier: int = 1
    availability: float = 99.9
    window_days: int = 30
    components: tuple[str, ...] = ("Website",)
    #: What the workflows install (``pip install`` argument): a version pin by default, or a
    #: git URL (``incident-kb[site] @ git+https://...``) until the package is published.
    package: str = PACKAGE
    with_workflows: bool = True
    with_pre_commit: bool = True


class InitError(Exception):
    """Some files exist already: nothing was written (exit 1)."""

    def __init__(self, existing: list[Path]) -> None:
        self.existing = existing
        names = "\n".join(f"  {path}" for path in existing)
        super().__init__(
            f"incident-kb init writes nothing over existing files; these exist:\n{names}"
        )


def core_package(package: str) -> str:
    """The package without its site extras, for a hook that only validates."""
    return package.replace("[site]", "", 1)


def files(request: InitRequest) -> dict[str, str]:
    """Every file ``init`` writes, by path relative to the folder, rendered and checked."""
    env = environment(None)
    context = {
        "site_name": request.site_name,
        "service_id": request.service_id,
        "package": request.package,
        "package_core": core_package(request.package),
    }
    defaults = Config(root=Path("/"), docs_dir=Path("/docs"))
    layout = {
        "mkdocs.yml": "mkdocs.yml.j2",
        CONFIG_NAME: "incident-kb.toml.j2",
        "docs/index.md": "index.md.j2",
        "docs/writing-postmortems.md": "writing-postmortems.md.j2",
        f"docs/{defaults.severity_policy}": "severity.md.j2",
    }
    if request.with_workflows:
        for name in ("ci", "pages", "stale-runbooks"):
            layout[f".github/workflows/{name}.yml"] = f"github-{name}.yml.j2"
    if request.with_pre_commit:
        layout[".pre-commit-config.yaml"] = "pre-commit-config.yaml.j2"
    out = {
        path: env.get_template(f"init/{name}").render(**context) for path, name in layout.items()
    }
    check_document("severity-policy", out[f"docs/{defaults.severity_policy}"])
    service = NewService(
        doc_id=request.service_id,
        name=request.service_name,
        owner=request.owner,
        tier=request.tier,
        availability=request.availability,
        window_days=request.window_days,
        components=request.components,
    )
    out[f"docs/{defaults.services}/{request.service_id}.md"] = service_document(None, service)
    return out


def _links_on_the_way(target: Path, rel: str) -> Path | None:
    """The first symbolic link among ``target`` and the folders of ``rel`` under it."""
    probe = target
    for part in ("", *Path(rel).parent.parts):
        probe = probe / part if part else probe
        if probe.is_symlink():
            return probe
    return None


def init(target: Path, request: InitRequest) -> list[Path]:
    """Write the knowledge base into ``target`` (created if missing); the paths written.
    Raises InitError, listing them, when any file exists; ScaffoldError for a bad request,
    a symbolic link on the way (nothing is written through one) or a file system error
    (what was written is removed again)."""
    rendered = files(request)
    if PUNCTUATION_IN_PACKAGE.search(request.package):
        raise ScaffoldError(f"--package {request.package!r}: not a pip requirement")
    for part in (target, *target.parents):
        if part.exists() and not part.is_dir():
            raise ScaffoldError(f"{part} exists and is not a folder")
    for rel in rendered:
        if (link := _links_on_the_way(target, rel)) is not None:
            raise ScaffoldError(
                f"{link} is a symbolic link: incident-kb init writes nothing through one"
            )
    paths = {target / rel: text for rel, text in rendered.items()}
    existing = [p for p in paths if p.exists() or p.is_symlink()]
    if existing:
        raise InitError(sorted(existing))
    written: list[Path] = []
    try:
        for path, text in paths.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            written.append(path)
    except OSError as exc:
        for path in written:  # ours, created a moment ago: nothing of the user's
            path.unlink(missing_ok=True)
        raise ScaffoldError(
            f"{exc.filename or target}: {exc.strerror or exc}; nothing written"
        ) from None
    return written
