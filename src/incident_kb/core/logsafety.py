"""Log lines that cannot forge CI workflow commands.

GitHub Actions reads any output line that starts with ``::`` as a command (``::add-mask::``,
``::warning file=...::``, ``::stop-commands::``), and file names, link targets and YAML
values from a pull request reach the build log in our messages and in MkDocs' own. A filter
on the handlers of the ``mkdocs`` logger (which every record of MkDocs, its plugins and ours
passes through) makes each record one line, with control characters shown escaped, and
breaks every ``::`` so that no part of a message can be read as a command.
"""

from __future__ import annotations

import logging

from incident_kb.core.findings import CONTROL_RE

#: Inserted between the two colons: invisible to a reader, not a command to a runner.
_BREAK = ":\u200b:"
#: The runner's older syntax, ``##[error]...``, is read anywhere in a line.
_LEGACY, _LEGACY_BREAK = "##[", "#\u200b#["


def no_commands(text: str) -> str:
    """``text`` with every ``::`` and ``##[`` broken, so no runner reads a command in it."""
    while "::" in text:
        text = text.replace("::", _BREAK)
    return text.replace(_LEGACY, _LEGACY_BREAK)


def neutral(text: str) -> str:
    """One line with no control characters and no workflow command."""
    return no_commands(CONTROL_RE.sub(lambda m: repr(m.group(0))[1:-1], text))


class NeutralFilter(logging.Filter):
    """Rewrites each record's message before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a record whose arguments do not fit its format
            message = f"{record.msg!r} {record.args!r}"
        cleaned = neutral(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            # A traceback's text comes from the exception: show it as one neutral line too.
            record.msg = f"{record.msg} ({neutral(repr(record.exc_info[1]))})"
            record.exc_info, record.exc_text = None, None
        return True


_FILTER = NeutralFilter()


def install(logger_name: str = "mkdocs") -> None:
    """Add the filter to the logger and to each of its handlers, once.

    A logger's own filters see only records logged to it by name; handlers see every record
    propagated from child loggers (``mkdocs.structure.pages``, ``mkdocs.plugins.*``) too.
    """
    logger = logging.getLogger(logger_name)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
    for handler in (*logger.handlers, *logging.getLogger().handlers):
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
