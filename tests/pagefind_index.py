"""Read the Pagefind index a build wrote: one fragment per indexed page, as the browser gets it."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

_SIGNATURE = b"pagefind_dcd"


def fragments(site: Path) -> list[dict[str, Any]]:
    """Every page's fragment (url, content, meta.title ...), sorted by URL."""
    found = []
    for path in sorted((site / "pagefind" / "fragment").glob("*.pf_fragment")):
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(_SIGNATURE), path
        found.append(json.loads(data[len(_SIGNATURE) :]))
    return sorted(found, key=lambda fragment: fragment["url"])


def entry(site: Path) -> dict[str, Any]:
    """pagefind-entry.json: the version and, per language, the page count."""
    result: dict[str, Any] = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    return result
