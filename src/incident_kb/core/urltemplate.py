"""URL templates: where a team publishes runbooks, ``https://host/runbooks/{alert}.md``.

Here, below the configuration, so that ``incident-kb.toml`` is checked with the same parser
that alert coverage uses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote

_PLACEHOLDER_RE = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class UrlTemplate:
    """A place runbooks are published: ``https://host/runbooks/{alert}.md`` or ``{id}``."""

    text: str
    pattern: re.Pattern[str]
    placeholders: frozenset[str]

    @classmethod
    def parse(cls, text: str) -> UrlTemplate:
        """Raises ValueError for an unknown placeholder or none at all."""
        parts: list[str] = []
        literals: list[str] = []
        used: set[str] = set()
        last = 0
        for m in _PLACEHOLDER_RE.finditer(text):
            name = m.group(1)
            if name not in ("alert", "id"):
                raise ValueError(f"{text}: unknown placeholder {{{name}}}: use {{alert}} or {{id}}")
            literals.append(text[last : m.start()])
            parts.append(re.escape(literals[-1]))
            parts.append(f"(?P={name})" if name in used else f"(?P<{name}>[^/?#]+)")
            used.add(name)
            last = m.end()
        if not used:
            raise ValueError(f"{text}: needs {{alert}} or {{id}}")
        literals.append(text[last:])
        parts.append(re.escape(literals[-1]))
        if any("{" in lit or "}" in lit for lit in literals):
            raise ValueError(f"{text}: unbalanced braces")
        return cls(text, re.compile("".join(parts)), frozenset(used))

    def match(self, url: str) -> dict[str, str] | None:
        m = self.pattern.fullmatch(url.split("#", 1)[0])
        return {k: unquote(v) for k, v in m.groupdict().items()} if m else None

    def expand(self, *, alert: str = "", doc_id: str = "") -> str:
        return self.text.replace("{alert}", alert).replace("{id}", doc_id)
