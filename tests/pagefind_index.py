"""Read the Pagefind index a build wrote, as the browser gets it: the bundles listed in
pagefind/bundles.json, and in each one fragment per indexed page."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

_SIGNATURE = b"pagefind_dcd"


def bundles(site: Path) -> list[Path]:
    """The bundle folders, first the one whose script runs the search."""
    manifest = json.loads((site / "pagefind" / "bundles.json").read_text(encoding="utf-8"))
    return [site / path for path in manifest["bundles"]]


def fragments(site: Path) -> list[dict[str, Any]]:
    """Every page's fragment (url, content, meta.title ...) in every bundle, sorted by URL."""
    found = []
    for bundle in bundles(site):
        for path in sorted((bundle / "fragment").glob("*.pf_fragment")):
            data = gzip.decompress(path.read_bytes())
            assert data.startswith(_SIGNATURE), path
            found.append(json.loads(data[len(_SIGNATURE) :]))
    return sorted(found, key=lambda fragment: fragment["url"])


def page_count(site: Path) -> int:
    """Pages indexed, by each bundle's pagefind-entry.json."""
    total = 0
    for bundle in bundles(site):
        entry = json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        total += sum(language["page_count"] for language in entry["languages"].values())
    return total
