"""The site's search: Pagefind's chunked index, written over the built site.

Material's search plugin ships one JSON index of every page, which the browser downloads and
indexes before it shows a result: tens of megabytes for ten thousand postmortems. Pagefind
splits its index into chunks and fragments that the browser fetches by query, so a search
costs a few hundred kilobytes at any size. Its binary comes from the ``pagefind[bin]``
package and runs after MkDocs has written the HTML; the page side is our own small script in
Material's search panel (``theme/partials/search.html``, ``assets/incident-kb-search.js``).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

#: Theme templates put before Material's: the header button and the search panel.
THEME_DIR = Path(__file__).parent / "theme"
SCRIPT_URI = "assets/incident-kb-search.js"
#: Only a page's article is indexed, not the navigation, header and footer of every page.
ROOT_SELECTOR = "article.md-content__inner"
#: Inside the article: permalink marks, the edit button and the "last update" footer.
EXCLUDE_SELECTORS = ".headerlink, .md-content__button, .md-source-file"
#: Where the index goes, under the site folder (and the URL the script loads it from).
BUNDLE_DIR = "pagefind"


class SearchError(Exception):
    """The search index could not be written; the build fails with this message."""


def pagefind_command(site_dir: Path) -> list[str]:
    """The indexing command: this Python's ``pagefind`` module runs the packaged binary."""
    return [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site_dir),
        "--output-subdir",
        BUNDLE_DIR,
        "--root-selector",
        ROOT_SELECTOR,
        "--exclude-selectors",
        EXCLUDE_SELECTORS,
        "--silent",
    ]


def index_site(site_dir: Path, *, timeout: float = 1800) -> None:
    """Write the Pagefind index of every HTML page under ``site_dir`` to ``pagefind/``."""
    try:
        done = subprocess.run(
            pagefind_command(site_dir),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
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
