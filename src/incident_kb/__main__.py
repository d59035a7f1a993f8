"""``python -m incident_kb``: the same as the ``incident-kb`` command."""

from incident_kb.cli.main import entry

entry()
