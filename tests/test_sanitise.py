"""The sanitiser on its own: hostile HTML in, inert HTML out, and every removal reported.

The published HTML is checked with the standard library's parser, independently of the
inventory the sanitiser uses to report removals, and the rendering path is Python-Markdown
with the extensions the site enables, so that what is tested is what a page would hold.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import REPO, build_site, markdown_html
from incident_kb.site.sanitise import TAGS, clean, locate, sanitise

EXTENSIONS = [
    "admonition",
    "attr_list",
    "tables",
    "md_in_html",
    "toc",
    "pymdownx.details",
    "pymdownx.superfences",
    "footnotes",
    "pymdownx.tasklist",
    "pymdownx.tabbed",
]

PAYLOADS = {
    "img-newline-onerror": '<img src="https://x.invalid/a.png"\nonerror="alert(1)">',
    "svg-slash-onload": "<svg/onload=alert(1)>",
    "details-ontoggle": "<details/open/ontoggle=alert(1)>",
    "attr-list-image": '![i](https://x.invalid/a.png){: title="}" onerror="alert(1)"}',
    "attr-list-heading": '## H {: title="}" onmouseover="alert(1)" }',
    "reference-link": "[click][r]\n\n[r]: javascript:alert(1)",
    "entity-scheme": '<a href="&#106;avascript:alert(1)">x</a>',
    "tab-in-scheme": '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "svg-animate": (
        '<svg><a><animate attributeName="href" values="javascript:alert(1)"/>'
        '<text x="20" y="20">x</text></a></svg>'
    ),
    "indented-in-div": "<div>\n\n    <img src=x onerror=alert(1)>\n\n</div>",
    "tilde-not-fence": "~~~ not a fence!\n<img src=x onerror=alert(1)>",
    "unclosed-fence": "```\ncode\n\n<img src=x onerror=alert(1)>",
    "script": "<script>alert(1)</script>",
    "iframe-srcdoc": '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    "mutation-math": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "form-formaction": '<form><button formaction="javascript:alert(1)">x</button></form>',
    "object-data": '<object data="javascript:alert(1)"></object>',
    "input-autofocus": "<input autofocus onfocus=alert(1)>",
    "style-import": "<style>@import 'https://x.invalid/x.css'</style>",
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base-href": '<base href="javascript:alert(1)//">',
    "case-scheme": "<IMG SRC=JaVaScRiPt:alert(1)>",
    "spaces-scheme": '<a href="  javascript:alert(1)">x</a>',
    "quote-confusion": '<IMG """><SCRIPT>alert(1)</SCRIPT>">',
    "padded-entity": '<a href="&#0000106&#0000097vascript:alert(1)">x</a>',
    "data-html": '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    "data-svg-img": '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "pagefind-body": "<div data-pagefind-body>x</div>",
    "pagefind-meta": '<span data-pagefind-meta="title:Spoofed">x</span>',
    "style-overlay": '<div style="position:fixed;top:0;left:0;width:100%">x</div>',
    "admonition-title": '!!! note "<img src=x onerror=alert(1)>"\n    body',
    "vbscript": '<a href="vbscript:msgbox(1)">x</a>',
    "link-stylesheet": '<link rel="stylesheet" href="https://x.invalid/x.css">',
    "embed": '<embed src="https://x.invalid/x.swf">',
    "remote-image": "![pixel](https://tracker.invalid/p.gif?who=reader)",
    "protocol-relative-image": '<img src="//tracker.invalid/p.gif">',
    "svg-with-link": '<svg><a href="https://x.invalid/"><text>x</text></a></svg>',
}

_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "values", "to"}


class _Audit(HTMLParser):
    """Everything in published HTML that could run script or reach beyond the page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TAGS:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or name.startswith("data-") or name == "srcdoc":
                self.problems.append(f"{tag}[{name}]")
            squashed = re.sub(r"[\x00-\x20]+", "", value).lower()
            if name in _URL_ATTRIBUTES and squashed.startswith(("javascript:", "vbscript:")):
                self.problems.append(f"{tag}[{name}]={value}")
            remote = re.match(r"(//|[a-z][a-z0-9+.-]*:)", squashed) and not squashed.startswith(
                "data:"
            )
            if tag == "img" and name == "src" and remote:
                self.problems.append(f"an image from another host: {value}")
            image = tag == "img" and re.match(r"data:image/(png|gif|jpeg|webp)", squashed)
            if name in _URL_ATTRIBUTES and squashed.startswith("data:") and not image:
                self.problems.append(f"{tag}[{name}]={value}")
            if name == "style" and not re.fullmatch(
                r"(text-align:(left|right|center);?)?", squashed
            ):
                self.problems.append(f"{tag}[style]={value}")


def audit(html: str) -> list[str]:
    parser = _Audit()
    parser.feed(html)
    parser.close()
    return parser.problems


def render(source: str) -> str:
    return markdown_html(source, EXTENSIONS)


@pytest.mark.parametrize("case", sorted(PAYLOADS))
def test_hostile_markdown_is_inert_and_reported(case: str) -> None:
    html = render(PAYLOADS[case])
    result = clean(html)
    assert audit(result.html) == [], (case, html, result.html)
    assert result.removed, f"{case}: nothing reported, yet {html!r} became {result.html!r}"


@pytest.mark.parametrize("case", sorted(PAYLOADS))
def test_raw_payloads_are_inert(case: str) -> None:
    # The same payloads straight into the sanitiser, without Markdown in between.
    assert audit(sanitise(PAYLOADS[case])) == []


def test_raw_html_without_markdown_is_audited_as_unsafe() -> None:
    # The audit itself can fail: raw payloads are full of what it looks for.
    for case in ("script", "img-newline-onerror", "entity-scheme", "pagefind-body"):
        assert audit(PAYLOADS[case]) != [], case


SAFE = """# Title

Some *emphasis*, **strong**, `code`, a [link](https://example.com/a?b=1&c=2), a
[relative link](../x.md#part), an ![image](img/a.png "title"), ~~nothing~~.

| left | centre | right |
|:-----|:------:|------:|
| a    | b      | c     |

!!! warning "Take care"
    Inside an admonition.

??? note "Details"
    Folded.

- [x] done
- [ ] open

```python
print("<script>alert(1)</script>")
```

Footnote[^1].

[^1]: The note.

<div class="grid" markdown>
<span class="badge" title="x" aria-label="y">badge</span>
</div>

<img src="data:image/png;base64,iVBORw0KGgo=" alt="pixel">
<details open><summary>s</summary>text</details>
<kbd>Ctrl</kbd> <mark>m</mark> <abbr title="t">T</abbr> <sub>1</sub><sup>2</sup>
"""


def test_safe_markdown_loses_nothing() -> None:
    html = render(SAFE)
    result = clean(html)
    assert result.removed == ()
    assert audit(result.html) == []
    for kept in ('href="https://example.com/a?b=1&amp;c=2"', 'src="data:image/png;base64,',
                 "text-align:center", 'class="admonition warning"', "<details open",
                 'type="checkbox"', "&lt;script&gt;", 'class="footnote-ref"', "<kbd>"):  # fmt: skip
        assert kept in result.html, kept


def test_removals_are_counted_and_described() -> None:
    result = clean(
        '<p><img src="a.png" onerror="x"><img src="b.png" onerror="y"></p><script>s</script>'
    )
    described = {removal.describe() for removal in result.removed}
    assert described == {"an event handler (onerror) on <img> (2 times)", "a <script> element"}
    assert "<script" not in result.html and "onerror" not in result.html


def test_locate_finds_the_line_or_falls_back() -> None:
    body = "intro\n\n<img src=x\n  ONERROR=y>\n"
    assert locate(body, "onerror", 10) == 13
    assert locate(body, "absent", 10) == 10
    assert locate(body, "", 4) == 4


# -- the example site, before and after -----------------------------------------------------

_CAPTURE = """
import os
from pathlib import Path
from mkdocs.plugins import event_priority

OUT = Path(os.environ["INCIDENT_KB_CAPTURE"]) / "{stage}"


@event_priority({priority})
def on_page_content(html, page, config, files):
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / (page.file.src_uri.replace("/", "__") + ".html")).write_text(html, encoding="utf-8")
    return html
"""


class _Tokens(HTMLParser):
    """A page's content as a browser would see it: elements, sorted attributes, text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tokens: list[tuple[str, ...]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        norm = []
        for name, value in attrs:
            value = value or ""
            if name == "style":  # the sanitiser rewrites "text-align: right;" as "text-align:right"
                value = value.replace(" ", "").rstrip(";")
            norm.append(f"{name}={value}")
        self.tokens.append(("start", tag, *sorted(norm)))

    def handle_endtag(self, tag: str) -> None:
        if tag not in {"img", "br", "hr", "input", "col", "wbr"}:
            self.tokens.append(("end", tag))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.tokens.append(("text", " ".join(data.split())))


def _tokens(html: str) -> list[tuple[str, ...]]:
    parser = _Tokens()
    parser.feed(html)
    parser.close()
    return parser.tokens


def test_the_example_site_is_unchanged_by_the_sanitiser(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(REPO / "docs", root / "docs")
    shutil.copytree(REPO / "alerting", root / "alerting")
    shutil.copy(REPO / "incident-kb.toml", root / "incident-kb.toml")
    hooks = [str(REPO / "hooks" / "incident_kb_site.py")]
    for stage, priority in (("before", 100), ("after", -200)):
        hook = tmp_path / f"capture_{stage}.py"
        hook.write_text(_CAPTURE.format(stage=stage, priority=priority), encoding="utf-8")
        hooks.append(str(hook))
    config = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    config = config.replace("  - hooks/incident_kb_site.py\n", "".join(f"  - {h}\n" for h in hooks))
    (root / "mkdocs.yml").write_text(config, encoding="utf-8")
    capture = tmp_path / "capture"
    proc = build_site(root, tmp_path / "site", env={"INCIDENT_KB_CAPTURE": str(capture)})
    assert proc.returncode == 0, proc.stderr
    assert "unsafe-html" not in proc.stderr and "removed from the published page" not in proc.stderr
    before = sorted((capture / "before").iterdir())
    assert len(before) > 40, before  # every page, generated ones included
    weighted = 0
    for page in before:
        after = capture / "after" / page.name
        original, published = page.read_text("utf-8"), after.read_text("utf-8")
        expected = _tokens(original)
        # The one change: the postmortem card's id gets back its search weight.
        card_id = ("start", "span", "class=ikb-id")
        if page.name.startswith("postmortems__2") and card_id in expected:
            expected[expected.index(card_id)] = (*card_id, "data-pagefind-weight=10")
            weighted += 1
        assert _tokens(published) == expected, page.name
        assert clean(original).removed == (), page.name
    assert weighted == len(list((REPO / "docs" / "postmortems").glob("*/2*.md")))
