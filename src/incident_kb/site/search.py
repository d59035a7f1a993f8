"""The site's search: Pagefind's chunked index, written over the built site.

Material's search plugin ships one JSON index of every page, which the browser downloads and
indexes before it shows a result: tens of megabytes for ten thousand postmortems. Pagefind
splits its index into chunks and fragments that the browser fetches by query, so a search
costs a few hundred kilobytes at any size. Its binary comes from the ``pagefind[bin]``
package and runs after MkDocs has written the HTML; the page side is our own small script in
Material's search panel (``theme/partials/search.html``, ``assets/incident-kb-search.js``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from incident_kb.core.config import Config

#: Theme templates put before Material's: the header button and the search panel.
THEME_DIR = Path(__file__).parent / "theme"
SCRIPT_URI = "assets/incident-kb-search.js"
#: Only a page's article is indexed, not the navigation, header and footer of every page.
ROOT_SELECTOR = "article.md-content__inner"
#: Inside the article: permalink marks, the edit button and the "last update" footer.
EXCLUDE_SELECTORS = ".headerlink, .md-content__button, .md-source-file"
#: Where the index goes, under the site folder (and the URL the script loads it from).
BUNDLE_DIR = "pagefind"
#: The bundles to load, first the one whose script runs the search: {"bundles": [...]}.
MANIFEST = "bundles.json"


class SearchError(Exception):
    """The search index could not be written; the build fails with this message."""


def pagefind_command(site_dir: Path, output: Path) -> list[str]:
    """The indexing command: this Python's ``pagefind`` module runs the packaged binary."""
    return [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site_dir),
        "--output-path",
        str(output),
        "--root-selector",
        ROOT_SELECTOR,
        "--exclude-selectors",
        EXCLUDE_SELECTORS,
        "--silent",
    ]


def html_pages(site_dir: Path) -> list[str]:
    """Every HTML page of the site (not the search bundle's own files), sorted."""
    return sorted(
        path.relative_to(site_dir).as_posix()
        for path in site_dir.rglob("*.html")
        if path.is_file() and path.relative_to(site_dir).parts[0] != BUNDLE_DIR
    )


def bundle_path(index: int) -> str:
    """Bundle ``index``'s folder, relative to the site: the first is ``pagefind/``."""
    return f"{BUNDLE_DIR}/" if index == 0 else f"{BUNDLE_DIR}/{index + 1}/"


def index_site(
    site_dir: Path, *, pages_per_bundle: int = Config.search_pages_per_bundle, timeout: float = 1800
) -> list[str]:
    """Index every HTML page under ``site_dir`` into ``pagefind/`` (and, past
    ``pages_per_bundle`` pages, further bundles beside it); return the bundle folders.

    Pages are split in path order, so the same site always gives the same bundles. Each
    bundle is indexed from a folder of links to its pages, so URLs are the site's own.
    """
    if pages_per_bundle < 1:
        raise SearchError("search: pages_per_bundle must be at least 1")
    out = site_dir / BUNDLE_DIR
    if out.is_dir():
        shutil.rmtree(out)  # an earlier index of this build folder (mkdocs serve rebuilds)
    pages = html_pages(site_dir)
    if not pages:
        raise SearchError(f"search: no HTML page in {site_dir} to index")
    groups = [pages[i : i + pages_per_bundle] for i in range(0, len(pages), pages_per_bundle)]
    if len(groups) == 1:
        _run(pagefind_command(site_dir, out), site_dir, timeout)
    else:
        with tempfile.TemporaryDirectory(prefix=".pagefind-", dir=site_dir.parent) as tmp:
            for index, group in enumerate(groups):
                shard = Path(tmp) / str(index)
                for rel in group:
                    _link(site_dir / rel, shard / rel)
                _run(pagefind_command(shard, site_dir / bundle_path(index)), site_dir, timeout)
                shutil.rmtree(shard)
    bundles = [bundle_path(index) for index in range(len(groups))]
    (out / MANIFEST).write_text(json.dumps({"bundles": bundles}) + "\n", encoding="utf-8")
    return bundles


def _link(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links
        shutil.copyfile(source, target)


def _run(command: list[str], site_dir: Path, timeout: float) -> None:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise SearchError(f"search: Pagefind did not finish within {timeout:.0f} s") from None
    if done.returncode == 0:
        return
    lines = (line.rstrip() for line in (done.stderr + "\n" + done.stdout).splitlines())
    output = "\n".join(dict.fromkeys(line for line in lines if line))  # each line once
    if "No module named pagefind" in output or "binary" in output.lower():
        hint = " (is the pagefind[bin] package installed? `pip install 'pagefind[bin]'`)"
    else:
        hint = ""
    tail = "\n".join(output.splitlines()[-15:])
    raise SearchError(
        f"search: Pagefind could not index {site_dir} (exit {done.returncode}){hint}:\n{tail}"
    )


#: The names a site's own search plugin is listed under: MkDocs' and Material's, and the
#: one mkdocs-techdocs-core registers.
SEARCH_PLUGINS = ("search", "material/search", "techdocs-core/search")


def site_search(config: Any) -> str | None:
    """The search plugin the site lists and has not disabled (``enabled: false``); MkDocs adds
    ``search`` when ``plugins`` is absent."""
    for name in config.plugins:
        if name in SEARCH_PLUGINS:
            options = getattr(config.plugins[name], "config", None)
            if getattr(options, "enabled", True) is not False:
                return str(name)
    return None


def configure(config: Any, engine: str) -> tuple[str, list[str]]:
    """Which search the site gets, "pagefind" or "material" (the site's own plugin), and
    warnings to log. "auto" follows the site: its own search plugin where it lists one,
    Pagefind otherwise. Pagefind's panel goes in Material's header; a team's header
    override that leaves it out is a warning. Raises SearchError for settings that cannot
    work together."""
    own = site_search(config)
    if engine == "auto":
        engine = "material" if own else "pagefind"
    if engine == "material":
        if own is None:
            raise SearchError(
                'incident-kb.toml: search.engine is "material" but mkdocs.yml lists no '
                "`search` plugin: add it under plugins, or use the Pagefind search"
            )
        return "material", []
    if own is not None:
        listed = "search" if own == "material/search" else own  # MkDocs' name for it
        raise SearchError(
            f"mkdocs.yml: plugins: remove `{listed}`: incident-kb.toml sets search.engine = "
            '"pagefind"; set engine = "auto" (the default) to keep the site\'s own search '
            "instead"
        )
    if config.theme.name != "material":
        raise SearchError(
            f"incident-kb's search needs the material theme, not {config.theme.name!r}: "
            'set theme.name to material, or incident-kb.toml search.engine = "material"'
        )
    theme_dir = str(THEME_DIR)
    if theme_dir not in config.theme.dirs:  # after the team's custom_dir, before Material
        config.theme.dirs.insert(1 if config.theme.custom_dir else 0, theme_dir)
    if SCRIPT_URI not in [str(script) for script in config.extra_javascript]:
        config.extra_javascript.append(SCRIPT_URI)
    return "pagefind", _header_warnings(config)


def _header_warnings(config: Any) -> list[str]:
    """A team's ``partials/header.html`` replaces ours, which holds the search box."""
    custom = config.theme.custom_dir
    header = Path(custom) / "partials" / "header.html" if custom else None
    if header is None or not header.is_file():
        return []
    text = header.read_text(encoding="utf-8", errors="replace")
    if '"partials/search.html"' in text and '"material/search" in config.plugins' not in text:
        return []
    return [
        f"{header}: this header override leaves out the search box of incident-kb's "
        'Pagefind search: include "partials/search.html" in it without the '
        '`"material/search" in config.plugins` condition (as '
        f"{THEME_DIR / 'partials' / 'header.html'} does), or list `search` under plugins "
        "to use Material's search"
    ]
