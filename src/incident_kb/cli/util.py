"""What every ``incident-kb`` command shares: finding the knowledge base and failing.

A command raises :class:`UsageError` for bad arguments or environment; ``cli.main`` turns it
(and configuration errors) into :func:`fail`'s one form: ``incident-kb: message`` on stderr,
exit 2. Kept apart from ``cli`` so that the modules ``cli`` dispatches to can use it too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from incident_kb.core import logsafety
from incident_kb.core.config import find_root

#: The exit status of a usage, configuration or internal error.
USAGE_EXIT = 2


class UsageError(Exception):
    """Bad arguments or environment: exit 2."""


def fail(message: str) -> int:
    """Print ``message`` as the command's error, each line prefixed and unable to forge a CI
    workflow command; returns the exit status for it."""
    for line in message.splitlines() or [""]:
        print(f"incident-kb: {logsafety.no_commands(line)}", file=sys.stderr)
    return USAGE_EXIT


def kb_root(args: argparse.Namespace) -> Path:
    """The knowledge base's folder: ``--root``, else the nearest folder with incident-kb.toml
    or mkdocs.yml from the command's first PATH (if it takes any) or the current folder."""
    root_arg = getattr(args, "root", None)
    if root_arg is not None:
        if not Path(root_arg).is_dir():
            raise UsageError(f"--root {root_arg}: no such folder")
        return Path(root_arg)
    paths = getattr(args, "paths", None) or []
    start = Path(paths[0]) if paths else Path.cwd()
    if not start.exists():
        raise UsageError(f"{start}: no such file or folder")
    root = find_root(start if start.is_dir() else start.parent)
    if root is None:
        raise UsageError(
            "no knowledge base here: no incident-kb.toml or mkdocs.yml in this folder or above "
            "(use --root)"
        )
    return root


__all__ = ["USAGE_EXIT", "UsageError", "fail", "kb_root"]
