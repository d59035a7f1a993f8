"""The site: the MkDocs adapter and everything it publishes (pages, charts, API, search).

``Site`` is imported on first use, so that a command that needs one module of the site
(the Jinja environment, the search index) does not load MkDocs and the chart library.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from incident_kb.site.adapter import Site

__all__ = ["Site"]


def __getattr__(name: str) -> Any:
    if name == "Site":
        from incident_kb.site.adapter import Site

        return Site
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
