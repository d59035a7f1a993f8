"""The output folder: refuse one that is not ours, empty our own, write files in order.

A folder counts as ours only when it holds the marker file a previous run wrote; anything
else that is not empty is left exactly as it was.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MARKER = ".incident-kb-corpus"
MARKER_HEADER = "incident-kb benchmark corpus"


class CorpusError(Exception):
    """The output folder cannot be used; the command exits 1 with this message."""


def marker_text(n: int, seed: int, end: str) -> str:
    return (
        f"{MARKER_HEADER}\n"
        "Written by scripts/generate_corpus.py; running it again with this folder as --out\n"
        "replaces everything here.\n"
        f"n={n} seed={seed} end={end}\n"
    )


def project_files() -> dict[str, str | bytes]:
    """The repository's project files: the same site configuration and build hooks.

    The site publishes the package's JSON Schemas itself, so none are copied into docs/.
    """
    return {
        "incident-kb.toml": project_config(),
        "mkdocs.yml": (REPO / "mkdocs.yml").read_text(encoding="utf-8"),
        "hooks/incident_kb_site.py": (REPO / "hooks" / "incident_kb_site.py").read_bytes(),
    }


def project_config() -> str:
    """The repository's incident-kb.toml without alert rule files (the corpus has none)."""
    text = (REPO / "incident-kb.toml").read_text(encoding="utf-8")
    replaced, count = re.subn(r"(?m)^rules\s*=\s*\[[^\]\n]*\]", "rules = []", text)
    if count == 0 and "[alerts]" in text:
        replaced = text.replace("[alerts]", "[alerts]\nrules = []", 1)
    return replaced


def prepare_output(out: Path) -> None:
    """Create or empty ``out``; refuse anything that is not ours."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise CorpusError(f"{out}: exists and is not a folder; choose another --out")
    if not out.exists():
        out.mkdir(parents=True)
        return
    entries = sorted(out.iterdir())
    if not entries:
        return
    marker = out / MARKER
    if not (marker.is_file() and not marker.is_symlink() and _is_marker(marker)):
        raise CorpusError(
            f"{out}: folder is not empty and was not written by this generator (no {MARKER}); "
            "refusing to overwrite it. Choose an empty or new folder."
        )
    for entry in entries:
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()


def _is_marker(path: Path) -> bool:
    try:
        return path.read_text(encoding="utf-8").startswith(MARKER_HEADER)
    except (OSError, UnicodeDecodeError):
        return False


def write_files(out: Path, files: Mapping[str, str | bytes]) -> int:
    """Write ``files`` (relative path: content) under ``out``, the marker first and the rest
    in sorted order; returns the bytes written."""
    total = 0
    made: set[Path] = set()
    for rel in sorted(files, key=lambda name: (name != MARKER, name)):
        content = files[rel]
        data = content.encode("utf-8") if isinstance(content, str) else content
        path = out / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(data)
        total += len(data)
    return total
