"""``python -m incident_kb``: the same as the ``incident-kb`` command."""

from .cli import entry

entry()
