"""incident-kb: a docs-as-code knowledge base for incident response."""

__version__ = "0.1.0"
