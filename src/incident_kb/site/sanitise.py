"""The guarantee behind every published page: an allowlist HTML sanitiser (nh3, the Python
binding of Rust's ammonia) applied to each page's content after Markdown.

Pattern checks on Markdown can only recognise what their author thought of; a parser-based
allowlist keeps what it knows to be inert and drops the rest, whatever the spelling. What it
drops is reported (``removed``) so that the author of the page learns why, instead of losing
content silently. The theme's own markup is not sanitised: this runs on the content before
the theme wraps it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser

import nh3

#: Elements Markdown, its common extensions (tables, admonitions, details, tabs, footnotes,
#: task lists, highlighting, emoji icons) and our templates write, and nothing that can load
#: a document, a script, a style sheet or a form.
TAGS = frozenset(
    {
        "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "cite", "code", "col",
        "colgroup", "dd", "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption",
        "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "ins", "kbd",
        "label", "li", "mark", "nav", "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp",
        "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot",
        "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
        # Icons as Material's emoji extension writes them: a bare path drawing, nothing that
        # can hold a link, an animation, a script or foreign content.
        "svg", "path",
    }
)  # fmt: skip
#: Elements dropped with everything inside them, not only their tags.
DROP_CONTENT = frozenset({"script", "style", "template", "noscript", "iframe", "object"})
GENERIC_ATTRIBUTES = frozenset({"class", "id", "title", "lang", "dir", "role", "style"})
ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "name"}),
    "img": frozenset({"src", "alt", "width", "height", "loading"}),
    "td": frozenset({"colspan", "rowspan", "align"}),
    "th": frozenset({"colspan", "rowspan", "align", "scope"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
    "ol": frozenset({"start", "reversed", "type"}),
    "li": frozenset({"value"}),
    "details": frozenset({"open"}),
    "input": frozenset({"checked", "disabled", "name"}),
    "label": frozenset({"for"}),
    "time": frozenset({"datetime"}),
    "abbr": frozenset({"title"}),
    "q": frozenset({"cite"}),
    "blockquote": frozenset({"cite"}),
    "del": frozenset({"cite", "datetime"}),
    "ins": frozenset({"cite", "datetime"}),
    "svg": frozenset({"viewBox", "xmlns", "width", "height", "fill", "focusable"}),
    "path": frozenset({"d", "fill", "fill-rule", "clip-rule"}),
}
#: Attributes with a fixed set of values: task lists and content tabs use check boxes and
#: radio buttons; nothing else an input can be is kept.
ATTRIBUTE_VALUES = {"input": {"type": {"checkbox", "radio"}}}
#: The only CSS a page's content may carry: table column alignment, as Markdown writes it.
STYLE_PROPERTIES = frozenset({"text-align"})
URL_SCHEMES = frozenset({"http", "https", "mailto", "tel", "data"})
#: ``data:`` URLs are kept only as raster images in ``<img src>``, where no script runs.
_DATA_IMAGE_RE = re.compile(r"data:image/(?:png|gif|jpeg|webp|avif);base64,[A-Za-z0-9+/=\s]*\Z")
_URL_ATTRIBUTES = frozenset({"href", "src", "cite", "action", "formaction", "xlink:href"})


@dataclass(frozen=True, order=True)
class Removal:
    """One kind of thing the sanitiser dropped from a page, and how often."""

    what: str
    #: A piece of the source to look for when locating it in the Markdown file (lower case).
    needle: str
    count: int = 1

    def describe(self) -> str:
        times = f" ({self.count} times)" if self.count > 1 else ""
        return f"{self.what}{times}"


@dataclass(frozen=True)
class Cleaned:
    """A page's content as published, and what had to be removed from it."""

    html: str
    removed: tuple[Removal, ...]


#: Ids (and ``name``, ``for``) that Markdown and its extensions write: slugs, footnote ids,
#: no quotes, spaces or markup, since the theme prints them into ``href`` unescaped (the
#: table of contents).
_NOT_IN_ID = r"\s\"'<>&`\\"
_ID_RE = re.compile(f"[^{_NOT_IN_ID}]+\\Z")
_NOT_IN_ID_RE = re.compile(f"[{_NOT_IN_ID}]")
#: Ids starting with ``__`` belong to the theme (``__config``, ``__search``, ``__drawer``):
#: content with such an id would shadow the theme's element for its scripts. These are the
#: extensions' own.
_EXTENSION_ID_PREFIXES = ("__tabbed_", "__codelineno-", "__span-", "__code_")
_ID_ATTRIBUTES = frozenset({"id", "name", "for"})
#: Attributes whose text some scripts (Material's tooltips) insert as HTML.
_TEXT_ATTRIBUTES = frozenset({"title"})


def safe_id(value: str) -> bool:
    """An id content may carry: a slug, and none of the theme's own."""
    return bool(_ID_RE.match(value)) and (
        not value.startswith("__") or value.startswith(_EXTENSION_ID_PREFIXES)
    )


def made_safe_id(value: str) -> str:
    """``value`` as an id :func:`safe_id` accepts, for links to an id the sanitiser drops."""
    return _NOT_IN_ID_RE.sub("-", value).lstrip("_") or "-"


def _keep(tag: str, attribute: str, value: str) -> str | None:
    """nh3's attribute filter: the last word on URLs that passed its scheme check."""
    if attribute in _ID_ATTRIBUTES:
        return value if safe_id(value) else None
    if attribute in _TEXT_ATTRIBUTES and "<" in value:
        return None
    url = value.strip()
    if attribute in _URL_ATTRIBUTES and url[:5].lower() == "data:":
        if tag == "img" and attribute == "src" and _DATA_IMAGE_RE.match(url):
            return value
        return None
    if tag == "img" and attribute == "src" and _remote(url):
        return None  # the site loads nothing from elsewhere: no tracking pixels either
    return value


def _remote(url: str) -> bool:
    """A URL on another host: absolute with a scheme, or protocol-relative (``//host``)."""
    squashed = re.sub(r"[\x00-\x20\\]", "/", url).lower()
    return squashed.startswith("//") or bool(re.match(r"[a-z][a-z0-9+.-]*:", squashed))


#: The elements of an icon: an inline SVG holding anything else is dropped whole.
ICON = frozenset({"svg", "path"})


def _cleaner(inline_svg: bool) -> nh3.Cleaner:
    attributes = {"*": set(GENERIC_ATTRIBUTES), **{k: set(v) for k, v in ATTRIBUTES.items()}}
    if not inline_svg:
        for tag in ICON:
            attributes.pop(tag)
    return nh3.Cleaner(
        tags=set(TAGS if inline_svg else TAGS - ICON),
        clean_content_tags=set(DROP_CONTENT if inline_svg else DROP_CONTENT | {"svg"}),
        attributes=attributes,
        attribute_filter=_keep,
        strip_comments=True,
        link_rel=None,
        generic_attribute_prefixes={"aria-"},
        tag_attribute_values={
            tag: {name: set(values) for name, values in attrs.items()}
            for tag, attrs in ATTRIBUTE_VALUES.items()
        },
        url_schemes=set(URL_SCHEMES),
        filter_style_properties=set(STYLE_PROPERTIES),
    )


_CLEANERS = {True: _cleaner(True), False: _cleaner(False)}


def sanitise(html: str, *, inline_svg: bool = True) -> str:
    """Only what the allowlist keeps; every URL, style and input type checked.

    ``inline_svg=False`` drops every inline SVG with its content.
    """
    return _CLEANERS[inline_svg].clean(html)


class _Inventory(HTMLParser):
    """Every element and attribute of a fragment, as a browser would read them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: Counter[str] = Counter()
        self.attributes: Counter[tuple[str, str, str]] = Counter()
        self._svg_depth = 0
        #: Elements found inside an inline SVG that are not part of an icon.
        self.in_svg: set[str] = set()

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg" and self._svg_depth:
            self._svg_depth -= 1

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        if self._svg_depth and tag not in ICON:
            self.in_svg.add(tag)
        if tag == "svg":
            self._svg_depth += 1
        for name, value in attrs:
            if name == "style":
                # The sanitiser rewrites kept declarations; what counts is which survive.
                for prop in sorted(_style_properties(value or "")):
                    self.attributes[(tag, "style", prop)] += 1
            else:
                self.attributes[(tag, name, " ".join((value or "").split()))] += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)


def _style_properties(style: str) -> set[str]:
    return {
        decl.split(":", 1)[0].strip().lower()
        for decl in style.split(";")
        if ":" in decl and decl.split(":", 1)[0].strip()
    }


def _inventory(html: str) -> _Inventory:
    parser = _Inventory()
    parser.feed(html)
    parser.close()
    return parser


def _describe_attribute(tag: str, name: str, value: str) -> Removal:
    if name.startswith("on"):
        return Removal(f"an event handler ({name}) on <{tag}>", name)
    if name.startswith("data-pagefind"):
        return Removal(f"a search index attribute ({name}) on <{tag}>", name)
    if name in _ID_ATTRIBUTES:
        return Removal(
            f"the {name} '{value[:40]}' on <{tag}> (ids are slugs, not the theme's)", value[:40]
        )
    if name in _TEXT_ATTRIBUTES:
        return Removal(f"a {name} holding markup on <{tag}>", name)
    if name == "style":
        return Removal(f"the CSS property '{value}' in a style attribute on <{tag}>", value)
    if tag == "img" and name == "src" and _remote(value) and not value.startswith("data:"):
        return Removal(
            "an image from another host (the site loads nothing from elsewhere: put the "
            "image under docs/)",
            value[:60],
        )
    if name in _URL_ATTRIBUTES or name.endswith("href"):
        scheme = value.split(":", 1)[0].strip().lower() if ":" in value else ""
        if scheme:
            return Removal(f"a {scheme}: URL in {name} on <{tag}>", scheme)
        return Removal(f"the {name} attribute on <{tag}>", name)
    return Removal(f"the {name} attribute on <{tag}>", name)


def clean(html: str) -> Cleaned:
    """Sanitise a page's content and list what was dropped, most telling first."""
    published = sanitise(html)
    before, after = _inventory(html), _inventory(published)
    removed: list[Removal] = []
    if after.in_svg:
        # An icon is a drawing and nothing else; an SVG that holds links or text goes whole.
        published = sanitise(html, inline_svg=False)
        after = _inventory(published)
        held = ", ".join(f"<{tag}>" for tag in sorted(after.in_svg | before.in_svg))
        removed.append(Removal(f"an inline <svg> holding {held} (only icons are kept)", "<svg"))
    for tag, count in sorted((before.tags - after.tags).items()):
        removed.append(Removal(f"a <{tag}> element", f"<{tag}", count))
    for (tag, name, value), count in sorted((before.attributes - after.attributes).items()):
        if before.tags[tag] > after.tags[tag] and after.tags[tag] == 0:
            continue  # the element went, and is reported as such
        removal = _describe_attribute(tag, name, value)
        removed.append(Removal(removal.what, removal.needle, count))
    merged: dict[str, Removal] = {}
    for item in removed:
        seen = merged.get(item.what)
        merged[item.what] = (
            item if seen is None else Removal(item.what, item.needle, seen.count + item.count)
        )
    return Cleaned(published, tuple(sorted(merged.values())))


def locate(source: str, needle: str, first_line: int = 1) -> int:
    """The first line of ``source`` that holds ``needle`` (case-insensitively), or
    ``first_line`` when the removed markup was assembled by Markdown from several places."""
    if needle:
        lowered = needle.lower()
        for number, line in enumerate(source.splitlines(), start=first_line):
            if lowered in line.lower():
                return number
    return first_line
