"""Run ``incident-kb alerts ...`` and ``incident-kb import ...`` as a user would.

In-process, through the command's own parser and dispatch (``conftest.run_main``); a test
may inject a fake git date into the import.
"""

from __future__ import annotations

import functools

from conftest import Run, run_main
from incident_kb.cli import importing


def command(*argv: str, git: importing.GitDate | None = None) -> Run:
    """The command's exit status and output; ``git`` replaces ``git log`` for the import."""
    if git is None:
        return run_main(*argv)
    assert "import" in argv, "only the import takes a fake git date"
    return run_main(*argv, handler=functools.partial(importing.run, git=git))
