"""The site: the MkDocs adapter and everything it publishes (pages, charts, API, search)."""

from incident_kb.site.adapter import Site

__all__ = ["Site"]
