"""Every file under docs/, not only our four kinds: what may be published, and what not.

MkDocs publishes whatever it finds in docs_dir and follows symbolic links, so a pull request
could publish ``/etc/passwd``, the checkout's ``.git/config`` or the build's environment, an
HTML or SVG page that runs script on the site's origin, or a script in place of ours. The
scan here walks docs_dir without following links and sorts each file into a document, an
ordinary Markdown page, a published file of an allowed type, or a refusal with a finding.
The build drops every refused file from MkDocs' file list; ``validate`` reports the same.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from incident_kb.core.config import Config, listed_theme_files, read_mkdocs
from incident_kb.core.findings import CONTROL_CHARACTERS, Findings, printable
from incident_kb.documents.loading import MARKDOWN_EXTENSIONS, kind_of

#: File types published as they are: images, documents and data that no browser runs as a
#: page. HTML, SVG, XML, scripts and style sheets are not among them: on the site's origin
#: they could run script. A style sheet or script listed in mkdocs.yml's extra_css or
#: extra_javascript is the team's theme, and is published.
PUBLISHED_TYPES = frozenset(
    {
        ".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".ico", ".bmp",
        ".pdf", ".txt", ".log", ".csv", ".tsv", ".json", ".yaml", ".yml", ".toml",
        ".woff", ".woff2", ".ttf", ".otf",
        ".mp4", ".webm", ".mp3", ".ogg", ".wav",
    }
)  # fmt: skip
#: Types published only when mkdocs.yml names the file (extra_css, extra_javascript).
THEME_TYPES = frozenset({".css", ".js", ".mjs"})
#: Paths the build writes itself: a file of the team's there would replace ours.
RESERVED_FILES = frozenset(
    {
        "assets/incident-kb.css",
        "assets/status.css",
        "assets/incident-kb-search.js",
        "status/feed.xml",
    }
)
RESERVED_FOLDERS = ("api/", "charts/", "pagefind/", "schemas/")
#: Characters that must never be part of a file name: C0 and C1 controls, DEL, line and
#: paragraph separators, the bidirectional overrides that make a name read as another, bytes
#: that are not UTF-8 (surrogate escapes), and HTML and path syntax: a page without a title
#: is titled by its file name, which the theme prints into the page.
_UNSAFE_NAME_RE = re.compile(f"[{CONTROL_CHARACTERS}\ud800-\udfff<>\"'`&\\\\]")


@dataclass(frozen=True)
class Tree:
    """What docs_dir holds, relative to it with slashes, each list sorted."""

    #: Ordinary Markdown pages: not one of our document kinds, but published all the same.
    pages: tuple[str, ...]
    #: Other files that are published as they are.
    files: tuple[str, ...]
    #: Everything that must not be published (findings say why).
    refused: frozenset[str]


def _finding(
    findings: Findings, config: Config, rel: str, rule: str, message: str, field: str = "(file)"
) -> None:
    shown = printable(config.relative(config.docs_dir / rel))
    findings.add(shown, 1, field, message, level=config.level(rule), rule=rule)


def _reserved(rel: str, prefix: str = "") -> bool:
    """Ours: a file of the team's here would replace one the build writes. The status feed
    and the api/ and charts/ folders move under ``[site] prefix``."""
    if rel in RESERVED_FILES or rel.startswith(RESERVED_FOLDERS):
        return True
    pre = prefix.strip("/")
    if pre and rel.startswith(pre + "/"):
        rest = rel[len(pre) + 1 :]
        return rest == "status/feed.xml" or rest.startswith(("api/", "charts/"))
    return False


def scan(config: Config, findings: Findings, theme_files: Iterable[str] = ()) -> Tree:
    """Walk docs_dir once, never through a link, in sorted order; report what is refused.

    ``theme_files`` are the paths (relative to docs_dir) that mkdocs.yml lists as extra
    style sheets and scripts.
    """
    named = {name.strip("/") for name in theme_files}
    docs = config.docs_dir
    pages: list[str] = []
    files: list[str] = []
    refused: set[str] = set()
    for folder, dirnames, filenames in os.walk(docs, followlinks=False):
        base = Path(folder)
        prefix = base.relative_to(docs).as_posix()
        prefix = "" if prefix == "." else prefix + "/"
        kept: list[str] = []
        for name in sorted(dirnames):
            rel = prefix + name
            if name.startswith("."):
                continue  # MkDocs publishes no dot-folder
            if _UNSAFE_NAME_RE.search(name):
                _finding(findings, config, rel, "unsafe-name", _name_message(name))
                refused.add(rel)
            elif (base / name).is_symlink():
                _finding(findings, config, rel, "symlink", _link_message(base / name))
                refused.add(rel)
            else:
                kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            rel = prefix + name
            if name.startswith("."):
                continue
            path = base / name
            reason = _refusal(path, rel, name, config, named)
            if reason is not None:
                rule, message = reason
                _finding(findings, config, rel, rule, message)
                refused.add(rel)
            elif rel.endswith(MARKDOWN_EXTENSIONS):
                if kind_of(rel, config) is None:
                    pages.append(rel)
            else:
                files.append(rel)
    return Tree(tuple(sorted(pages)), tuple(sorted(files)), frozenset(refused))


def _refusal(
    path: Path, rel: str, name: str, config: Config, named: set[str]
) -> tuple[str, str] | None:
    if _UNSAFE_NAME_RE.search(name):
        return "unsafe-name", _name_message(name)
    try:
        info = path.lstat()
    except OSError as exc:
        return "unsafe-file", f"cannot be read: {exc.strerror or exc}"
    if stat.S_ISLNK(info.st_mode):
        return "symlink", _link_message(path)
    if not stat.S_ISREG(info.st_mode):
        return "unsafe-file", "not a regular file (a device, socket or pipe): not published"
    if _reserved(rel, config.site_prefix):
        return "unsafe-file", (
            f"'{rel}' is a path the build writes itself; a file there would replace the "
            "site's own: rename or move it"
        )
    suffix = Path(name).suffix.lower()
    if rel.endswith(MARKDOWN_EXTENSIONS) or suffix in PUBLISHED_TYPES:
        return None
    if suffix in THEME_TYPES:
        if rel in named:
            return None
        return "unsafe-file", (
            f"a {suffix} file is published only when mkdocs.yml lists it under "
            f"{'extra_css' if suffix == '.css' else 'extra_javascript'}"
        )
    kind = f"'{suffix}'" if suffix else "no extension"
    return "unsafe-file", (
        f"files of type {kind} are not published (they could run script on the site): "
        f"allowed are Markdown pages and {', '.join(sorted(PUBLISHED_TYPES))}"
    )


def _name_message(name: str) -> str:
    return (
        f"the name {printable(name)!r} holds a control or direction-changing character, a "
        "byte that is not UTF-8, or one of < > \" ' ` & \\: rename it (such names can forge "
        "log lines, mislead readers or become markup in the page)"
    )


def _link_message(path: Path) -> str:
    try:
        target = str(path.readlink())
    except OSError:
        target = "?"
    return (
        f"a symbolic link (to {printable(target)!r}): links are not followed or published, "
        "since they can publish files from outside the repository; copy the file instead"
    )


def mkdocs_theme_files(root: Path) -> tuple[str, ...]:
    """The style sheets and scripts mkdocs.yml lists (extra_css, extra_javascript), which
    are published from docs/ like any theme file; none without mkdocs.yml."""
    return listed_theme_files(read_mkdocs(root))
