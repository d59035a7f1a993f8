"""MkDocs hooks: hand each build event to incident_kb.site, where all the logic lives.

Declared in mkdocs.yml under ``hooks:``. The file is named apart from the package: a hook
module called ``incident_kb`` would shadow it. MkDocs loads this module once per process,
so the ``Site`` below rebuilds its state on every build (``mkdocs serve`` included).
"""

from __future__ import annotations

from typing import Any

from mkdocs.plugins import event_priority

try:
    from incident_kb.site import Site
except ImportError as exc:  # the core is installed, the site extras are not
    raise SystemExit(
        f"incident-kb: building the site needs the site extras ({exc.name} is missing): "
        "pip install 'incident-kb[site]'"
    ) from None

_site = Site()


def on_config(config: Any) -> Any:
    return _site.on_config(config)


def on_files(files: Any, config: Any) -> Any:
    return _site.on_files(files, config)


@event_priority(-100)  # last, after every other plugin has changed the page's content
def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    return _site.on_page_content(html, page, config)


def on_post_build(config: Any) -> None:
    _site.on_post_build(config)
