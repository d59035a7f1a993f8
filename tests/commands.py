"""Run ``incident-kb alerts ...`` and ``incident-kb import ...`` as a user would.

Through the real command (``conftest.run_cli``, a subprocess), except where a test injects a
fake git date into the import: then in-process, through the command's own parser.
"""

from __future__ import annotations

import contextlib
import io

from conftest import Run, run_cli
from incident_kb import importing
from incident_kb.cli import _parser


def command(*argv: str, git: importing.GitDate | None = None) -> Run:
    """The command's exit status and output; ``git`` replaces ``git log`` for the import."""
    if git is None:
        return run_cli(*argv)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            args = _parser().parse_args(argv)
            assert args.command == "import", "only the import takes a fake git date"
            code = importing.run(args, git=git)
        except SystemExit as exc:  # argparse: usage errors exit 2
            code = int(exc.code or 0)
    return Run(code, out.getvalue(), err.getvalue())
