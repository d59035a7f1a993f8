"""The ``incident-kb`` MkDocs plugin: ``plugins: [incident-kb]`` in any MkDocs or TechDocs
site. It hands each event to the same ``Site`` adapter as the example's ``hooks/`` file.

Options (``mkdocs.yml``)::

    plugins:
      - incident-kb:
          config: incident-kb.toml   # the knowledge base's configuration, relative to mkdocs.yml
          external_fonts: false      # true keeps the theme's web fonts (Google Fonts)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority

from incident_kb.core.config import CONFIG_NAME

SITE_EXTRAS = (
    "incident-kb's MkDocs plugin needs the site extras, which are not installed "
    "({missing}): pip install 'incident-kb[site]'"
)


class PluginConfig(base.Config):  # type: ignore[no-untyped-call]
    config = c.Type(str, default=CONFIG_NAME)
    external_fonts = c.Type(bool, default=False)


class IncidentKbPlugin(BasePlugin[PluginConfig]):  # type: ignore[no-untyped-call]
    """Validation, generated pages, sanitising and search for a knowledge base."""

    supports_multiple_instances = False

    def __init__(self) -> None:
        self.site: Any = None

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        try:
            from incident_kb.site.adapter import Site
        except ImportError as exc:  # mkdocs is here; Material, nh3 or matplotlib is not
            raise PluginError(SITE_EXTRAS.format(missing=exc.name or exc)) from None
        path = Path(self.config.config)
        if path.name != CONFIG_NAME:
            raise PluginError(
                f"plugins: incident-kb: config: {self.config.config!r} must name a file called "
                f"{CONFIG_NAME} (its folder is the knowledge base's root)"
            )
        base = Path(config.config_file_path).parent.resolve()
        inside = not path.is_absolute() and ".." not in path.parts
        if not inside or not (base / path).resolve().is_relative_to(base):
            raise PluginError(
                f"plugins: incident-kb: config: {self.config.config!r} must be a path inside "
                f"the folder of mkdocs.yml ({base}), even after links are followed"
            )
        root = (base / path).parent
        self.site = Site()
        self.site.external_fonts = self.config.external_fonts
        result: MkDocsConfig = self.site.on_config(config, root=root)
        return result

    def on_files(self, files: Any, *, config: MkDocsConfig) -> Any:
        return self.site.on_files(files, config)

    @event_priority(-100)  # last, after every other plugin has changed the page's content
    def on_page_content(self, html: str, *, page: Any, config: MkDocsConfig, files: Any) -> str:
        result: str = self.site.on_page_content(html, page, config)
        return result

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        self.site.on_post_build(config)
