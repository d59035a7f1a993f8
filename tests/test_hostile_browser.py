"""Hostile content in the built site: nothing from docs/ runs in a reader's browser.

``tests/fixtures/hostile`` is ``tests/fixtures/valid`` plus one payload per file: script,
event handlers, script URLs and active SVG in runbook bodies (Markdown, raw HTML, attribute
lists, admonitions, fences that are not fences), in ordinary pages, in their front-matter
(description, tags, title), in 404.md and in a README.md; Pagefind attributes that would
steer the search; files of types a browser runs (HTML, SVG, JavaScript); and files in place
of the site's own script and style sheet. Symbolic links out of docs/ (``/etc/passwd``,
``../.git/config``, ``/proc/self/environ``) are added at test time in tmp_path.

The corpus is built once with the repository's mkdocs.yml and hooks, without ``--strict`` so
that the site is written, next to a baseline build of ``tests/fixtures/valid`` that shows
what the theme itself emits. Then:

* the build log names every hostile file as ``docs/<path>:<line>:`` on an ERROR line, and a
  ``--strict`` build fails;
* the written HTML, parsed with tests/htmltree.py (no browser needed), has no script the
  theme does not write, no ``on*`` attribute, no javascript:/vbscript:/data: URL (data:
  images excepted), no SVG beyond plain drawing, no ``data-pagefind-*`` attribute and no
  iframe/object/embed/form/base/meta/link/style from content;
* refused files and links are not published, our assets are ours, ``incident-kb validate``
  reports the links and refused files, and an alias bomb in front-matter is refused quickly;
* in headless Chromium (``browser`` mark) every page from the corpus is opened, every element
  of its article hovered, every link clicked (navigation away is held back), every input
  focused and every ``<details>`` toggled: no dialog opens, no wrapped function (alert,
  confirm, prompt, print, eval, Function) is called and no request leaves 127.0.0.1.

The checks are tested too: the static ones find markup planted in a baseline page and
nothing in the baseline itself; the browser probe catches script planted straight into a
built page, by mouse and by script, and records nothing on the baseline site.
"""

from __future__ import annotations

import gzip
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from browserkit import CHROMIUM_ARGS, chromium_path, is_local, serve, start_playwright
from conftest import EXAMPLE_EPOCH, EXAMPLE_TODAY, FIXTURES, REPO, run_cli, site_project
from htmltree import Node as Element
from htmltree import fold, parse
from pagefind_index import fragments

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ConsoleMessage, Dialog, Frame, Page, Request, Route

HOSTILE = FIXTURES / "hostile"
VALID = FIXTURES / "valid"
PACKAGE_ASSETS = REPO / "src" / "incident_kb" / "site"
#: The repository's mkdocs.yml site_description.
SITE_DESCRIPTION = (
    "Postmortems, runbooks, services and the severity policy of our production systems."
)

# -- the corpus ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One payload in one file under docs/; ``finding``: the build must report the file."""

    id: str
    rel: str
    finding: bool = True

    @property
    def html(self) -> str:
        """The built page, relative to the site (directory URLs, MkDocs' default)."""
        stem = self.rel.removesuffix(".md")
        folder, _, name = stem.rpartition("/")
        if name in ("index", "README"):
            return f"{folder}/index.html" if folder else "index.html"
        return f"{stem}/index.html"

    @property
    def url(self) -> str:
        return self.html.removesuffix("index.html")


#: Runbook bodies: docs/runbooks/api/<id>.md, valid front-matter, the payload as the last
#: block of the body. The payloads are OWASP's filter-evasion forms and the ways Markdown and
#: its extensions (attr_list, admonition, md_in_html, superfences) let HTML through.
RUNBOOK_CASES = (
    "img-newline-onerror",  # <img src="https://x.invalid/a.png"\nonerror="...">
    "svg-slash-onload",  # <svg/onload=...> (unquoted: the probe is alert(document.title))
    "details-ontoggle",  # <details/open/ontoggle=...>
    "attr-list-image",  # ![i](...){: title="}" onerror="..."}
    "attr-list-heading",  # ## H {: title="}" onmouseover="..." }
    "attr-list-block",  # a paragraph, then {: onmouseover="..." }
    "attr-list-href",  # [x](https://...){: href="javascript:..." }
    "reference-javascript",  # [click][r] with [r]: javascript:...
    "md-link-javascript",  # [click](<javascript:...>)
    "md-autolink-javascript",  # <javascript:...>
    "entity-javascript",  # <a href="&#106;avascript:...">
    "svg-animate-href",  # <svg><a><animate attributeName="href" values="javascript:...">
    "indented-in-div",  # an indented <img onerror> inside a raw <div> block
    "tilde-not-fence",  # ~~~ not a fence! then a raw <img onerror>
    "unclosed-fence",  # an unclosed ``` fence, then a raw <img onerror>
    "pagefind-body",  # <div data-pagefind-body>
    "pagefind-meta",  # <span data-pagefind-meta="title:Spoofed">
    "admonition-title",  # !!! note "<img src=x onerror=...>"
    "script",  # <script>...</script>
    "svg-script",  # <svg><script>...</script></svg>
    "iframe-srcdoc",  # <iframe srcdoc="<script>...</script>">
    "a-javascript",  # <a href="javascript:...">
    "a-tab-javascript",  # <a href="jav&#x09;ascript:...">
    "a-newline-javascript",  # <a href="jav\nascript:...">
    "a-leading-space",  # <a href="  javascript:...">
    "a-null-byte",  # <a href="java\0script:...">
    "a-entity-padded",  # <a href="&#0000106&#0000097...">, no semicolons
    "a-entity-hex",  # <a href="&#x6A&#x61...">, no semicolons
    "a-vbscript",  # <a href="vbscript:...">
    "a-data-html",  # <a href="data:text/html;base64,...">
    "mxss-math",  # <math><mtext><table><mglyph><style><img src=x onerror=...>
    "mxss-noscript",  # <noscript><p title="</noscript><img src=x onerror=...>">
    "comment-breakout",  # <!--><img src=x onerror=...>-->
    "form-formaction",  # <form><button formaction="javascript:...">
    "object-data",  # <object data="javascript:...">
    "embed-svg",  # <embed src="data:image/svg+xml;base64,...">
    "input-autofocus",  # <input autofocus onfocus=...>
    "body-onload",  # <body onload=...>
    "video-source-onerror",  # <video><source onerror="...">
    "marquee-onstart",  # <marquee onstart=...>
    "style-import",  # <style>@import 'https://x.invalid/x.css'</style>
    "style-attr-url",  # <div style="background-image:url(https://x.invalid/...)">
    "link-stylesheet",  # <link rel="stylesheet" href="https://x.invalid/x.css">
    "meta-refresh",  # <meta http-equiv="refresh" content="0;url=javascript:...">
    "base-href",  # <base href="javascript:...//">
    "img-case-javascript",  # <IMG SRC=JaVaScRiPt:...>
    "a-case-javascript",  # <A HREF="JaVaScRiPt:...">
    "img-backtick",  # <IMG SRC=`javascript:...`>
    "img-quotes-script",  # <IMG """><SCRIPT>...</SCRIPT>">
)
#: Ordinary pages (not one of our document kinds), their body and their front-matter.
#: Front-matter values are shown as text (or refused): they need no finding.
PAGE_CASES = (
    Case("page-body-img", "pages/body-img.md"),
    Case("page-body-svg", "pages/body-svg.md"),
    Case("page-body-link", "pages/body-link.md"),
    Case("fm-description", "pages/fm-description.md", finding=False),
    Case("fm-tags", "pages/fm-tags.md", finding=False),
    Case("fm-title", "pages/fm-title.md", finding=False),
    Case("404", "404.md"),
    Case("postmortems-readme", "postmortems/2026/README.md"),
)
#: Markdown itself makes these harmless before any HTML is seen, so that nothing is left
#: to remove or report: the backticks of <IMG SRC=`javascript:...`> are a code span, and
#: what remains is <img src="&lt;code"> and text.
INERT_AFTER_MARKDOWN = frozenset({"img-backtick"})
CASES = (
    *(Case(id, f"runbooks/api/{id}.md", id not in INERT_AFTER_MARKDOWN) for id in RUNBOOK_CASES),
    *PAGE_CASES,
)
CASE_BY_ID = {case.id: case for case in CASES}
#: Front-matter payloads, as the reader must see them (or not at all).
FRONT_MATTER = {
    "fm-description": "\"><script>alert('fm-description')</script>",
    "fm-tags": "<img src=x onerror=alert('fm-tags')>",
    "fm-title": "<img src=x onerror=alert('fm-title')>",
}
#: Files of types a browser runs on the site's origin: never published.
REFUSED = ("evil.html", "evil.svg", "x.js")
#: The site's own assets, each shadowed by a file of the same path in the corpus.
OWN_ASSETS = ("assets/incident-kb-search.js", "assets/incident-kb.css")
#: A harmless file of an allowed type, linked from the home page: still published.
ALLOWED = ("img/diagram.png",)
#: Symbolic links added in tmp_path (never committed): docs path -> target.
SYMLINKS = {
    "passwd.txt": "/etc/passwd",
    "environ.png": "/proc/self/environ",
    "pages/git-config.md": "../../.git/config",
    "runbooks/api/passwd.md": "/etc/passwd",
}
GIT_MARKER = "hostile-git-config-marker-5d1c"
ENV_NAME, ENV_MARKER = "IKB_HOSTILE_ENVIRON_MARKER", "hostile-environ-marker-9b2e"
HOSTILE_FILES = (
    *(case.rel for case in CASES if case.finding),
    *REFUSED,
    *OWN_ASSETS,
    *SYMLINKS,
)
#: Environment handed to the builds: enough to run, and nothing of this machine's to leak
#: through /proc/self/environ but the marker.
KEPT_ENV = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "PYTHONPATH")
BUILD_TIMEOUT_S = 600


# -- the builds ------------------------------------------------------------------------------


@dataclass(repr=False)
class Built:
    root: Path
    site: Path
    code: int
    log: str
    seconds: float
    pages: dict[str, Element] = field(default_factory=dict)
    raw: dict[str, str] = field(default_factory=dict)

    def page(self, rel: str) -> Element:
        assert rel in self.pages, f"{rel} was not built; built: {sorted(self.pages)}"
        return self.pages[rel]


def build(
    root: Path,
    site: Path,
    *,
    strict: bool,
    timeout: float = BUILD_TIMEOUT_S,
    memory_bytes: int | None = None,
) -> Built:
    """``mkdocs build`` of a project, strict or not, in a bare environment; never raises on
    a failed build. ``memory_bytes`` caps the build's address space, so that a build that
    would exhaust memory fails fast with MemoryError instead of taking the machine down."""
    env = {name: os.environ[name] for name in KEPT_ENV if name in os.environ}
    env.update(NO_MKDOCS_2_WARNING="1", SOURCE_DATE_EPOCH=EXAMPLE_EPOCH)
    env[ENV_NAME] = ENV_MARKER
    argv = ["mkdocs", "build", "-f", str(root / "mkdocs.yml"), "--site-dir", str(site)]
    if strict:
        argv.append("--strict")
    limit = ""
    if memory_bytes is not None:
        limit = f"resource.setrlimit(resource.RLIMIT_AS, ({memory_bytes}, {memory_bytes})); "
    script = (
        f"import resource, runpy, sys; {limit}sys.argv = {argv!r}; "
        "runpy.run_module('mkdocs', run_name='__main__')"
    )
    start = time.monotonic()
    try:
        proc = subprocess.run(
            [sys.executable, "-c", script],
            cwd=root,
            capture_output=True,
            text=True,
            env=env,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"mkdocs build of {root} did not finish in {timeout:g} s", pytrace=False)
    return Built(root, site, proc.returncode, proc.stderr, time.monotonic() - start)


def parse_site(built: Built) -> Built:
    for path in sorted(built.site.rglob("*.html")):
        if path.is_file() and not path.is_symlink():
            rel = path.relative_to(built.site).as_posix()
            built.raw[rel] = path.read_text(encoding="utf-8", errors="replace")
            built.pages[rel] = parse(built.raw[rel])
    assert built.pages, f"no HTML in {built.site}:\n{built.log}"
    return built


def plant_links(root: Path) -> None:
    """The symbolic links of SYMLINKS, and the checkout's .git/config one of them reads."""
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text(f"[core]\n\t{GIT_MARKER} = true\n", encoding="utf-8")
    for rel, target in SYMLINKS.items():
        link = root / "docs" / rel
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """tests/fixtures/valid, built strictly: what the theme emits by itself."""
    work = tmp_path_factory.mktemp("baseline")
    root = site_project(work, VALID / "docs", VALID / "incident-kb.toml")
    built = build(root, work / "site", strict=True)
    assert built.code == 0, built.log
    assert "WARNING" not in built.log and "ERROR" not in built.log, built.log
    return parse_site(built)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The corpus with its links, built without --strict: findings logged, site written."""
    work = tmp_path_factory.mktemp("hostile")
    root = site_project(work, HOSTILE / "docs", HOSTILE / "incident-kb.toml")
    plant_links(root)
    built = build(root, work / "site", strict=False)
    assert "Traceback" not in built.log, built.log
    assert built.code == 0, f"a build without --strict still writes the site:\n{built.log}"
    return parse_site(built)


def error_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if line.startswith("ERROR")]


def reported_lines(log: str, rel: str) -> list[int]:
    """Line numbers of ERROR log lines that locate a finding in ``docs/<rel>``."""
    pattern = re.compile(rf"(?:^|[\s'\"(]){re.escape(f'docs/{rel}')}:(\d+): ")
    return [int(m.group(1)) for line in error_lines(log) if (m := pattern.search(line))]


# -- the corpus itself -----------------------------------------------------------------------


def test_corpus_is_the_case_list() -> None:
    """Every file of the fixture is a case, a refused file, a shadowed asset, an allowed file
    or one of tests/fixtures/valid; every runbook case says which case it is."""
    docs = HOSTILE / "docs"
    assert not [p for p in docs.rglob("*") if p.is_symlink()], "links are made at test time"
    files = {p.relative_to(docs).as_posix() for p in docs.rglob("*") if p.is_file()}
    base = {p.relative_to(VALID / "docs").as_posix() for p in (VALID / "docs").rglob("*.md")}
    expected = {c.rel for c in CASES} | set(REFUSED) | set(OWN_ASSETS) | set(ALLOWED)
    assert files == expected | base, sorted(files ^ (expected | base))
    for id in RUNBOOK_CASES:
        text = (docs / CASE_BY_ID[id].rel).read_text(encoding="utf-8")
        assert f"\nid: {id}\n" in text, id
    assert not set(SYMLINKS) & files


def test_corpus_front_matter_is_valid() -> None:
    """The runbooks are hostile in their bodies only: validate finds nothing else in them,
    and nothing at all in the files of tests/fixtures/valid."""
    result = run_cli("validate", "--as-of", EXAMPLE_TODAY.isoformat(), str(HOSTILE))
    base = {
        f"docs/{p.relative_to(VALID / 'docs').as_posix()}" for p in (VALID / "docs").rglob("*.md")
    }
    runbooks = {f"docs/{CASE_BY_ID[id].rel}" for id in RUNBOOK_CASES}
    wrong = []
    for line in result.out.splitlines():
        path, _, rest = line.partition(":")
        field_name = rest.split(": ")[1] if rest.count(": ") >= 1 else ""
        if path in base or (path in runbooks and field_name != "body"):
            wrong.append(line)
    assert not wrong, "\n".join(wrong)


# -- (1) the build reports every hostile file --------------------------------------------------


@pytest.mark.parametrize("rel", HOSTILE_FILES)
def test_build_reports_the_hostile_file(hostile: Built, rel: str) -> None:
    lines = reported_lines(hostile.log, rel)
    errors = "\n".join(error_lines(hostile.log)[:40]) or "(no ERROR line at all)"
    assert lines, f"no ERROR line names docs/{rel}:<line>: in the build log; its errors:\n{errors}"
    source = hostile.root / "docs" / rel
    if source.is_file() and not source.is_symlink():
        last = max(1, len(source.read_text(encoding="utf-8").splitlines()))
        assert all(1 <= n <= last for n in lines), f"docs/{rel} has {last} lines: {lines}"


def test_strict_build_fails(hostile: Built, tmp_path: Path) -> None:
    strict = build(hostile.root, tmp_path / "site", strict=True)
    assert "Traceback" not in strict.log, strict.log
    assert strict.code != 0, f"--strict passed a hostile corpus:\n{strict.log[-3000:]}"


# -- (2) the written HTML ----------------------------------------------------------------------

URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}
    | {"cite", "longdesc", "lowsrc", "dynsrc", "ping", "srcset", "codebase", "archive"}
    | {"manifest", "icon", "values", "from", "to", "by"}
)
BAD_SCHEMES = ("javascript:", "vbscript:", "data:")
#: Elements that load a document, a plug-in, a style sheet or a form, or change how the
#: page is read: only in the shapes the theme writes them, and never inside the article.
FORBIDDEN = frozenset(
    {"iframe", "frame", "frameset", "object", "embed", "applet", "form", "base", "meta"}
    | {"link", "style", "noscript", "template", "portal"}
)
#: What an inline SVG may hold: shapes, text and their grouping, nothing that animates,
#: links, embeds or runs.
DRAWING = frozenset(
    {"svg", "g", "path", "circle", "ellipse", "line", "polyline", "polygon", "rect", "text"}
    | {"tspan", "title", "desc", "defs", "lineargradient", "radialgradient", "stop"}
)
#: Comment ends a browser honours and html.parser (before Python 3.13) does not: after
#: ``<!-->``, ``<!--->`` or ``--!>`` the rest is markup to a browser, a comment to the parser.
_ABRUPT_COMMENT_RE = re.compile(r"<!---?>|--!>")
#: Style that loads something or runs script (old engines): url(), @import, expression().
_ACTIVE_STYLE_RE = re.compile(r"url\s*\(|@import|expression\s*\(|javascript:", re.IGNORECASE)
_BASE_RE = re.compile(r'"base": "(?:\.|\.\.(?:/\.\.)*)"')
_UP_RE = re.compile(r'(?<=")(?:\.\./)+')

Script = tuple[str, str, str]
Shape = tuple[str, tuple[str, ...], str]


def scripts(page: Element) -> set[Script]:
    """(kind, type, normalised src or text) of every script element on a page."""
    found = set()
    for script in page.find_all("script"):
        kind = script.attr("type") or ""
        src = script.attr("src")
        if src is not None:
            found.add(("src", kind, re.sub(r"^(?:\.\./)+|^\./", "", src.strip())))
        else:
            text = _UP_RE.sub("", _BASE_RE.sub('"base": "<base>"', script.raw_text().strip()))
            found.add(("inline", kind, text))
    return found


def shape(element: Element) -> Shape:
    names = tuple(sorted({name.lower() for name, _ in element.attrs}))
    key = next(
        (
            element.attr(name) or ""
            for name in ("name", "http-equiv", "rel", "property", "class")
            if element.attr(name) is not None
        ),
        "",
    )
    return (element.tag, names, key.lower())


def pagefind_attributes(page: Element) -> set[tuple[str, str, str]]:
    return {
        (element.tag, name.lower(), value or "")
        for element in page.iter()
        for name, value in element.attrs
        if name.lower().startswith("data-pagefind")
    }


@dataclass(frozen=True)
class Theme:
    """What the baseline site has: the only scripts, shapes and Pagefind attributes allowed."""

    scripts: frozenset[Script]
    shapes: frozenset[Shape]
    pagefind: frozenset[tuple[str, str, str]]


@pytest.fixture(scope="module")
def theme(baseline: Built) -> Theme:
    pages = baseline.pages.values()
    found = Theme(
        frozenset(s for page in pages for s in scripts(page)),
        frozenset(shape(e) for page in pages for e in page.iter() if e.tag in FORBIDDEN),
        frozenset(a for page in pages for a in pagefind_attributes(page)),
    )
    assert any(kind == "src" for kind, _, _ in found.scripts), "the baseline has no scripts"
    return found


def in_article(element: Element) -> bool:
    node: Element | None = element.parent
    while node is not None:
        if node.tag == "article":
            return True
        node = node.parent
    return False


def describe(element: Element) -> str:
    attrs = "".join(f" {name}={value!r}" for name, value in element.attrs)
    text = f"<{element.tag}{attrs}>"
    return text if len(text) <= 160 else text[:157] + "..."


def url_problem(tag: str, name: str, value: str) -> str | None:
    """The scheme of a URL that runs script or carries a document, as a browser reads it."""
    for part in value.split(",") if name == "srcset" else [value]:
        squeezed = re.sub(r"[\x00-\x20\x7f]", "", part).lower()
        if not squeezed.startswith(BAD_SCHEMES):
            continue
        if tag == "img" and name == "src" and squeezed.startswith("data:image/"):
            continue  # a data: image cannot run script
        return squeezed[:60]
    return None


def inert_problems(page: Element, theme: Theme, raw: str = "") -> list[str]:
    """Everything on a page (parsed, and ``raw`` as written) that could run script, load
    something or steer the search, and the theme does not write."""
    found = [f"script the theme does not write: {s}" for s in sorted(scripts(page) - theme.scripts)]
    found += [
        f"abrupt comment end {m.group(0)!r}: {raw[max(0, m.start() - 40) : m.end() + 60]!r}"
        for m in _ABRUPT_COMMENT_RE.finditer(raw)
    ]
    for element in page.iter():
        if element.tag == "#document":
            continue
        for name, value in element.attrs:
            low = name.lower()
            if low.startswith("on"):
                found.append(f"event handler {name}: {describe(element)}")
            elif low == "srcdoc":
                found.append(f"srcdoc: {describe(element)}")
            elif low == "style" and value and _ACTIVE_STYLE_RE.search(value):
                found.append(f"active style: {describe(element)}")
            elif low in URL_ATTRIBUTES and value and (bad := url_problem(element.tag, low, value)):
                found.append(f"{bad!r} in {name}: {describe(element)}")
            elif low.startswith("data-pagefind") and (
                (element.tag, low, value or "") not in theme.pagefind
            ):
                found.append(f"Pagefind attribute from content: {describe(element)}")
        if element.tag in FORBIDDEN and (shape(element) not in theme.shapes or in_article(element)):
            found.append(f"<{element.tag}> from content: {describe(element)}")
        if element.tag == "svg":
            active = sorted({d.tag for d in element.find_all() if d.tag not in DRAWING})
            if active:
                found.append(f"<svg> holding {active}: {describe(element)}")
    return found


def test_baseline_is_inert(baseline: Built, theme: Theme) -> None:
    """The static checks find nothing in what the theme and our templates write."""
    found = {
        rel: inert_problems(page, theme, baseline.raw[rel]) for rel, page in baseline.pages.items()
    }
    assert not {rel: p for rel, p in found.items() if p}


PLANTED_MARKUP = {
    "script": "<script>alert('planted')</script>",
    "onerror": '<img src="x" onerror="alert(1)">',
    "'javascript:": '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "['animate']": '<svg><animate attributeName="href" values="https://a.invalid/"/></svg>',
    "Pagefind": '<span data-pagefind-meta="title:Spoofed">x</span>',
    "<iframe>": '<iframe src="about:blank"></iframe>',
    "<meta>": '<meta http-equiv="refresh" content="0">',
    "<style>": "<style>p { color: red }</style>",
    "srcdoc": '<div srcdoc="x"></div>',
    "abrupt comment": "<!--><b>x</b>-->",
    "active style": '<div style="background: url(https://a.invalid/x.png)">x</div>',
}


@pytest.mark.parametrize("kind", list(PLANTED_MARKUP))
def test_static_checks_find_planted_markup(baseline: Built, theme: Theme, kind: str) -> None:
    page = "runbooks/auth/auth-db-pool/index.html"
    html = (baseline.site / page).read_text(encoding="utf-8")
    opening = '<article class="md-content__inner md-typeset">'
    assert html.count(opening) == 1
    planted = html.replace(opening, opening + PLANTED_MARKUP[kind])
    found = inert_problems(parse(planted), theme, planted)
    assert found and all(kind in problem for problem in found), found


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_case_page_is_inert(hostile: Built, theme: Theme, case: Case) -> None:
    found = inert_problems(hostile.page(case.html), theme, hostile.raw[case.html])
    assert not found, f"{case.html} (from docs/{case.rel}):\n" + "\n".join(found)


def test_every_page_is_inert(hostile: Built, theme: Theme) -> None:
    """Titles, descriptions and tags reach other pages too: tags, indexes, navigation."""
    found = [
        f"{rel}: {problem}"
        for rel, page in hostile.pages.items()
        for problem in inert_problems(page, theme, hostile.raw[rel])
    ]
    assert not found, f"{len(found)} problems:\n" + "\n".join(found[:80])


def test_description_stays_in_its_meta(hostile: Built) -> None:
    case = CASE_BY_ID["fm-description"]
    page = hostile.page(case.html)
    metas = [m for m in page.find_all("meta") if m.attr("name") == "description"]
    assert len(metas) == 1, [describe(m) for m in metas]
    content = metas[0].attr("content")
    payload = FRONT_MATTER[case.id]
    if content != payload:  # refused: the site's description, and a finding says why
        assert content == SITE_DESCRIPTION, f"the description left its <meta>: {content!r}"
        assert reported_lines(hostile.log, case.rel), "refused without a finding"
    head = page.find("head")
    assert head is not None and not [s for s in head.find_all("script") if "alert(" in s.text()]


def test_tags_are_text(hostile: Built) -> None:
    case = CASE_BY_ID["fm-tags"]
    payload = FRONT_MATTER[case.id]
    for rel in (case.html, "tags/index.html"):
        page = hostile.page(rel)
        tags = [fold(t.raw_text()) for t in page.iter() if "md-tag" in t.classes]
        if payload not in tags:  # refused: then the build says why
            assert reported_lines(hostile.log, case.rel), f"{rel}: tags {tags}, no finding"
        assert not [
            e for e in page.iter() if "md-tag" in e.classes and e.find("img") is not None
        ], rel


def test_title_is_text(hostile: Built) -> None:
    case = CASE_BY_ID["fm-title"]
    payload = FRONT_MATTER[case.id]
    page = hostile.page(case.html)
    title = page.find("title")
    heading = page.find("h1")
    shown = [fold(e.raw_text()) for e in (title, heading) if e is not None]
    if not any(payload in text for text in shown):
        assert reported_lines(hostile.log, case.rel), f"title shown as {shown}, no finding"
    for element in (title, heading):
        assert element is None or element.find("img") is None, describe(element)


def test_search_index_is_not_steered(hostile: Built) -> None:
    """A data-pagefind-body on one page would drop every other page from the search; a
    data-pagefind-meta would retitle a result."""
    found = fragments(hostile.site)
    urls = {fragment["url"] for fragment in found}
    missing = sorted(
        f"/{c.url}" for c in CASES if c.rel.startswith("runbooks/") and f"/{c.url}" not in urls
    )
    assert not missing, f"pages left out of the search index: {missing}"
    spoofed = [f["url"] for f in found if "Spoofed" in str(f.get("meta", {}))]
    assert not spoofed, f"results retitled from content: {spoofed}"


# -- (3) files that are not pages --------------------------------------------------------------


def site_files(site: Path) -> Iterator[tuple[str, bytes]]:
    """Every published file's bytes, the search index's fragments decompressed."""
    for path in sorted(site.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".pf_fragment":
                data = gzip.decompress(data)
            yield path.relative_to(site).as_posix(), data


def published_with(site: Path, marker: str) -> list[str]:
    needle = marker.encode()
    return [rel for rel, data in site_files(site) if needle in data]


@pytest.mark.parametrize("rel", REFUSED)
def test_refused_file_types_are_not_published(hostile: Built, rel: str) -> None:
    assert not os.path.lexists(hostile.site / rel), f"docs/{rel} was published"
    leaked = published_with(hostile.site, f"HOSTILE-FILE-MARKER {rel}")
    assert not leaked, f"docs/{rel} is in {leaked}"


@pytest.mark.parametrize("rel", ALLOWED)
def test_allowed_files_are_still_published(hostile: Built, rel: str) -> None:
    published = hostile.site / rel
    assert published.is_file(), f"docs/{rel} was not published"
    assert published.read_bytes() == (HOSTILE / "docs" / rel).read_bytes()


@pytest.mark.parametrize("rel", OWN_ASSETS)
def test_own_assets_cannot_be_replaced(hostile: Built, rel: str) -> None:
    published = hostile.site / rel
    assert published.is_file(), f"{rel} is missing from the site"
    ours = (PACKAGE_ASSETS / rel).read_bytes()
    assert published.read_bytes() == ours, f"{rel} is docs/{rel}, not the package's"


@pytest.mark.parametrize("rel", list(SYMLINKS))
def test_symbolic_links_are_not_published(hostile: Built, rel: str) -> None:
    dest = rel.removesuffix(".md") + "/index.html" if rel.endswith(".md") else rel
    assert not os.path.lexists(hostile.site / dest), f"docs/{rel} was published as {dest}"


def test_nothing_behind_the_links_is_published(hostile: Built) -> None:
    markers = {"../.git/config": GIT_MARKER, "/proc/self/environ": ENV_MARKER}
    passwd = Path("/etc/passwd")
    if passwd.is_file() and (first := passwd.read_text(errors="replace").partition("\n")[0]):
        markers["/etc/passwd"] = first
    leaked = {target: published_with(hostile.site, m) for target, m in markers.items()}
    assert not {target: where for target, where in leaked.items() if where}


def test_validate_reports_links_and_refused_files(hostile: Built) -> None:
    result = run_cli("validate", "--as-of", EXAMPLE_TODAY.isoformat(), str(hostile.root))
    assert result.code == 1, result.out + result.err
    finding = re.compile(r"(docs/[^:]+):(\d+): ([^:]+): (.+)")
    lines = result.out.splitlines()
    assert lines and all(finding.fullmatch(line) for line in lines), result.out
    named = {m.group(1) for line in lines if (m := finding.fullmatch(line))}
    missing = [
        f"docs/{rel}" for rel in (*SYMLINKS, *REFUSED, *OWN_ASSETS) if f"docs/{rel}" not in named
    ]
    assert not missing, f"not reported: {missing}\n{result.out}"


def test_alias_bomb_in_front_matter_is_refused_quickly(tmp_path: Path) -> None:
    """Nine levels of nine aliases: 9^9 strings if anything expands them. The build runs
    with its address space capped at 2 GiB and must finish in 30 s (about six times an
    ordinary build of this tree), with a finding and without MemoryError."""
    root = site_project(tmp_path, VALID / "docs", VALID / "incident-kb.toml")
    (root / "docs" / "pages").mkdir()
    shutil.copy(HOSTILE / "billion-laughs.md", root / "docs" / "pages" / "billion-laughs.md")
    built = build(root, tmp_path / "site", strict=False, timeout=30, memory_bytes=2 << 30)
    assert "MemoryError" not in built.log, "out of memory (2 GiB):\n" + built.log[-1500:]
    assert "Traceback" not in built.log, built.log[-2000:]
    assert reported_lines(built.log, "pages/billion-laughs.md"), built.log


# -- (4) the browser ---------------------------------------------------------------------------

#: Marks the test's own scripts: Playwright's evaluate runs them through the page's eval.
OWN = "/*ikb-sweep*/"
#: Wraps what a payload would call, in every frame, before any of the page's scripts run.
#: Each call is pushed to window.__probe and reported to the test at once; eval of the
#: test's own scripts and of Playwright's bindings is not a payload's.
PROBE_SCRIPT = """(() => {
  const report = (kind, args) => {
    let text;
    try { text = Array.from(args, (a) => String(a)).join(' ').slice(0, 200); }
    catch (e) { text = '?'; }
    const entry = `${kind}(${text}) at ${location.href}`;
    try { (window.__probe = window.__probe || []).push(entry); } catch (e) {}
    try { window.__ikbProbeReport(entry); } catch (e) {}
  };
  for (const name of ['alert', 'confirm', 'prompt', 'print']) {
    const original = window[name];
    window[name] = function (...args) {
      report(name, args);
      return name === 'print' ? undefined : original.apply(this, args);
    };
  }
  const own = (source) => typeof source === 'string'
    && (source.includes('OWN') || source.includes('__playwright__'));
  const originalEval = window.eval;
  window.eval = function (source) {
    if (!own(source)) report('eval', [source]);
    return originalEval(source);
  };
  const OriginalFunction = window.Function;
  const WrappedFunction = function (...args) {
    report('Function', args);
    return OriginalFunction(...args);
  };
  WrappedFunction.prototype = OriginalFunction.prototype;
  window.Function = WrappedFunction;
  // A followed http(s) link would only be held back (204): skip the round trip. Handlers on
  // the link still run; javascript: links, SVG links and forms are left alone.
  addEventListener('click', (event) => {
    const link = event.target instanceof Element ? event.target.closest('a[href]') : null;
    if (link instanceof HTMLAnchorElement && /^https?:$/.test(link.protocol)) {
      event.preventDefault();
    }
  }, true);
})();""".replace("OWN", OWN)
ARTICLE = "article.md-content__inner"
CLICKABLE = "a, area, button, input, select, textarea, summary, label, [onclick], [tabindex]"
#: With the viewport as tall as the page: one point for each element of the article that
#: the pointer lands on at the centre of some element's box (pointer events bubble from it
#: to every ancestor).
HOVER_SCRIPT = """/*ikb-sweep*/ (root) => {
  window.scrollTo(0, 0);
  const scope = document.querySelector(root) || document.body;
  const reached = new Set();
  const points = [];
  for (const el of scope.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    const x = r.left + r.width / 2, y = r.top + r.height / 2;
    if (r.width < 1 || r.height < 1 || x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) {
      continue;
    }
    const hit = document.elementFromPoint(x, y);
    if (hit && !reached.has(hit)) {
      reached.add(hit);
      points.push({x, y});
    }
  }
  return points;
}"""
#: Element i of a list, in view: the centre of its box when the pointer there reaches it,
#: else null (hidden, empty, or covered by another element). Asked again before each click,
#: since a click can move what follows (a <details> opens).
POINT_SCRIPT = """/*ikb-sweep*/ ([root, selector, i]) => {
  const el = (document.querySelector(root) || document.body).querySelectorAll(selector)[i];
  if (!el) return null;
  el.scrollIntoView({block: 'nearest', inline: 'nearest', behavior: 'instant'});
  const r = el.getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  if (r.width < 1 || r.height < 1 || x < 0 || y < 0 || x >= innerWidth || y >= innerHeight) {
    return null;
  }
  const hit = document.elementFromPoint(x, y);
  return hit && (hit === el || el.contains(hit)) ? {x, y} : null;
}"""
HEIGHT_SCRIPT = "/*ikb-sweep*/ () => document.documentElement.scrollHeight"
COUNT_SCRIPT = """/*ikb-sweep*/ ([root, selector]) =>
  (document.querySelector(root) || document.body).querySelectorAll(selector).length"""
#: Element i of a list clicked from script; an SVG element has no click(): a click event.
CLICK_SCRIPT = """/*ikb-sweep*/ ([root, selector, i]) => {
  const el = (document.querySelector(root) || document.body).querySelectorAll(selector)[i];
  if (!el) return;
  if (typeof el.click === 'function') el.click();
  else el.dispatchEvent(new MouseEvent('click', {bubbles: true, cancelable: true, view: window}));
}"""
#: Every pointer, focus and key event on every element of the article (handlers that the
#: mouse cannot reach: hidden, covered or empty elements), focus() on each that takes it,
#: and each <details> toggled open and back.
EVENTS_SCRIPT = """/*ikb-sweep*/ async (root) => {
  const scope = document.querySelector(root) || document.body;
  const all = [...scope.querySelectorAll('*')];
  const kinds = {
    pointerover: PointerEvent, pointerenter: PointerEvent, pointerdown: PointerEvent,
    mouseover: MouseEvent, mouseenter: MouseEvent, mousemove: MouseEvent,
    mousedown: MouseEvent, mouseup: MouseEvent, mouseout: MouseEvent, mouseleave: MouseEvent,
    focus: FocusEvent, focusin: FocusEvent, blur: FocusEvent, focusout: FocusEvent,
    keydown: KeyboardEvent, keyup: KeyboardEvent, wheel: WheelEvent,
  };
  const focusable = 'a, area, button, input, select, textarea, summary, iframe, [tabindex]';
  for (const el of all) {
    for (const [type, Kind] of Object.entries(kinds)) {
      try { el.dispatchEvent(new Kind(type, {bubbles: true, cancelable: true})); } catch (e) {}
    }
    if (el.matches(focusable)) el.focus({preventScroll: true});
  }
  const details = [...scope.querySelectorAll('details')];
  for (const d of details) d.open = !d.open;
  await new Promise((done) => setTimeout(done, 50));
  for (const d of details) d.open = !d.open;
  await new Promise((done) => setTimeout(done, 50));
  return all.length;
}"""
COLLECT_SCRIPT = "/*ikb-sweep*/ () => window.__probe || []"
#: Lets the page run what a click queued (a javascript: URL, a toggle event): it returns
#: once those tasks ran and any dialog they opened was dismissed, so that the next input
#: does not arrive while a dialog is open (Chromium drops it then).
FLUSH_SCRIPT = """/*ikb-sweep*/ async () => {
  for (let i = 0; i < 2; i++) await new Promise((done) => setTimeout(done, 0));
}"""
SWEEP_SCRIPTS = (
    HOVER_SCRIPT,
    POINT_SCRIPT,
    HEIGHT_SCRIPT,
    COUNT_SCRIPT,
    CLICK_SCRIPT,
    EVENTS_SCRIPT,
)
assert all(s.startswith(OWN) for s in (*SWEEP_SCRIPTS, COLLECT_SCRIPT, FLUSH_SCRIPT))
SETTLE_MS = 50
INTERACTION_TIMEOUT_MS = 5_000
WIDTH, HEIGHT, MAX_HEIGHT = 1280, 900, 16_000
#: Input events wait for a frame; without the frame-rate limit a pointer move takes a few
#: milliseconds instead of one frame (16 ms), which is what keeps the sweep short.
SWEEP_ARGS = [*CHROMIUM_ARGS, "--disable-frame-rate-limit", "--disable-gpu-vsync"]


@dataclass
class Probe:
    """What the pages of one sweep did: the executions, requests off the local server, and
    for the record the navigations held back, popups, errors and console output."""

    base_url: str
    hold: bool = False
    dialogs: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    offsite: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    popups: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)

    @property
    def executions(self) -> list[str]:
        return [f"dialog {d}" for d in self.dialogs] + sorted(set(self.calls))

    def report(self) -> str:
        parts = [
            ("dialogs", self.dialogs),
            ("wrapped calls", sorted(set(self.calls))),
            ("requests off the local server", self.offsite),
            ("navigations held back", self.held),
            ("popups", self.popups),
            ("page errors", self.errors),
            ("console", self.console),
        ]
        return "\n".join(f"{name}: {items}" for name, items in parts if items)


@dataclass
class Tab:
    """A browser context and its first page, watched by ``probe`` (replaced per sweep)."""

    page: Page
    probe: Probe


def main_frame_navigation(request: Request) -> bool:
    from playwright.sync_api import Error as PlaywrightError

    if not request.is_navigation_request():
        return False
    try:
        return request.frame.parent_frame is None
    except PlaywrightError:  # a popup's first request: no frame yet
        return True


@contextmanager
def probing(browser: Browser, base_url: str) -> Iterator[Tab]:
    """A fresh context whose pages report to ``tab.probe``. Requests off ``base_url`` are
    recorded and refused; once ``probe.hold`` is set, a top-level navigation is answered
    with 204 No Content, so that the page stays where it is."""
    context = browser.new_context(
        viewport={"width": WIDTH, "height": HEIGHT}, service_workers="block"
    )
    context.set_default_timeout(INTERACTION_TIMEOUT_MS)
    try:
        tab = Tab(context.new_page(), Probe(base_url))

        def route(route: Route, request: Request) -> None:
            url = request.url
            if tab.probe.hold and main_frame_navigation(request):  # a link followed: stay
                tab.probe.held.append(url)
                route.fulfill(status=204)
            elif not is_local(url, base_url):
                tab.probe.offsite.append(f"{request.resource_type} {url}")
                route.abort()
            else:
                route.continue_()

        def watch(page: Page) -> None:
            def on_dialog(dialog: Dialog) -> None:
                tab.probe.dialogs.append(f"{dialog.type} {dialog.message!r} at {page.url}")
                dialog.dismiss()

            def on_console(message: ConsoleMessage) -> None:
                if message.type in ("error", "warning"):
                    tab.probe.console.append(f"{message.type}: {message.text[:200]}")

            page.on("dialog", on_dialog)
            page.on("console", on_console)
            page.on("pageerror", lambda error: tab.probe.errors.append(str(error)[:200]))

        def on_page(page: Page) -> None:
            tab.probe.popups.append(page.url)
            watch(page)

        def on_report(entry: str) -> None:
            tab.probe.calls.append(entry)

        context.expose_function("__ikbProbeReport", on_report)
        context.add_init_script(PROBE_SCRIPT)
        context.route("**/*", route)
        watch(tab.page)
        context.on("page", on_page)
        yield tab
    finally:
        context.close()


def collect(page: Page, probe: Probe) -> None:
    """window.__probe of every frame, in case a report did not reach the test."""
    from playwright.sync_api import Error as PlaywrightError

    frames: list[Frame] = list(page.frames)
    for frame in frames:
        try:
            entries: list[str] = frame.evaluate(COLLECT_SCRIPT)
        except PlaywrightError:  # detached, or a frame that refuses evaluation
            continue
        probe.calls.extend(entries)


def sweep(tab: Tab, url: str, *, mouse: bool = True, events: bool = True) -> Probe:
    """Open ``url`` in a fresh probe, then hover, click, focus and toggle what its article
    holds; the probe says what happened. ``mouse``: the real pointer over every element and
    on every link, control and summary; ``events``: the same by script (events dispatched
    to every element, and every clickable clicked from script when the mouse does not)."""
    page = tab.page
    probe = tab.probe = Probe(tab.probe.base_url)
    page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: {response and response.status}"
    probe.hold = True
    page.wait_for_timeout(SETTLE_MS)
    if events:
        page.evaluate(EVENTS_SCRIPT, ARTICLE)
    if mouse:
        height = min(MAX_HEIGHT, max(HEIGHT, int(page.evaluate(HEIGHT_SCRIPT))))
        page.set_viewport_size({"width": WIDTH, "height": height})
        for point in page.evaluate(HOVER_SCRIPT, ARTICLE):
            page.mouse.move(point["x"], point["y"])
    for i in range(int(page.evaluate(COUNT_SCRIPT, [ARTICLE, CLICKABLE]))):
        point = page.evaluate(POINT_SCRIPT, [ARTICLE, CLICKABLE, i]) if mouse else None
        if point:
            page.mouse.click(point["x"], point["y"])
        elif events:
            page.evaluate(CLICK_SCRIPT, [ARTICLE, CLICKABLE, i])
        page.evaluate(FLUSH_SCRIPT)
        if page.url.split("#")[0] != url.split("#")[0]:  # left anyway: come back
            probe.held.append(f"left for {page.url}")
            probe.hold = False
            page.goto(url, wait_until="load")
            probe.hold = True
    page.wait_for_timeout(SETTLE_MS)
    page.evaluate(FLUSH_SCRIPT)
    for other in page.context.pages:
        collect(other, probe)
        if other is not page:
            other.close()
    probe.hold = False
    return probe


@pytest.fixture(scope="module")
def chromium() -> str:
    return chromium_path()


@pytest.fixture(scope="module")
def chromium_browser(chromium: str) -> Iterator[Browser]:
    with start_playwright() as pw:
        launched = pw.chromium.launch(executable_path=chromium, args=SWEEP_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="module")
def baseline_url(chromium_browser: Browser, baseline: Built) -> Iterator[str]:
    with serve(baseline.site) as url:
        yield url


@pytest.fixture(scope="module")
def hostile_tab(chromium_browser: Browser, hostile: Built) -> Iterator[Tab]:
    """The corpus served, and one tab for all its pages: each sweep opens its page anew."""
    with serve(hostile.site) as url, probing(chromium_browser, url) as tab:
        yield tab


#: Planted straight into a built baseline page: each must be caught, or the probe is blind.
PLANTED_SCRIPT = """
<script>alert('planted-script')</script>
<p><span onmouseover="alert('planted-hover')">hover here</span></p>
<p><a href="javascript:alert('planted-click')">click here</a></p>
<details ontoggle="alert('planted-toggle')"><summary>open here</summary>inside</details>
<p><input onfocus="alert('planted-focus')" value="focus here"></p>
<p><button onclick="eval('1 + 1')">evaluate here</button></p>
<p><a href="https://x.invalid/away" onclick="alert('planted-link')">a link</a></p>
<p><img src="https://x.invalid/planted.png" alt=""></p>
<svg width="0" height="0"><a href="javascript:alert('planted-svg-link')"></a></svg>
"""
PLANTED_DIALOGS = (
    "planted-script",
    "planted-hover",
    "planted-click",
    "planted-toggle",
    "planted-focus",
    "planted-link",
)
#: Only script reaches an element without a box: an empty SVG link.
PLANTED_BY_SCRIPT = ("planted-svg-link",)


@pytest.mark.browser
@pytest.mark.parametrize("by", ["mouse", "script"])
def test_probe_catches_planted_script(
    chromium_browser: Browser, baseline: Built, tmp_path: Path, by: str
) -> None:
    site = tmp_path / "site"
    shutil.copytree(baseline.site, site)
    page_file = site / "runbooks" / "auth" / "auth-db-pool" / "index.html"
    html = page_file.read_text(encoding="utf-8")
    opening = '<article class="md-content__inner md-typeset">'
    assert html.count(opening) == 1
    page_file.write_text(html.replace(opening, opening + PLANTED_SCRIPT), encoding="utf-8")
    with serve(site) as base_url, probing(chromium_browser, base_url) as tab:
        url = base_url + "runbooks/auth/auth-db-pool/"
        probe = sweep(tab, url, mouse=by == "mouse", events=by == "script")
    dialogs = " ".join(probe.dialogs)
    expected = (*PLANTED_DIALOGS, *(PLANTED_BY_SCRIPT if by == "script" else ()))
    missing = [name for name in expected if name not in dialogs]
    assert not missing, f"not caught: {missing}\n{probe.report()}"
    calls = " ".join(probe.calls)
    assert "alert(planted-script)" in calls and "eval(1 + 1)" in calls, probe.report()
    assert [r for r in probe.offsite if "x.invalid/planted.png" in r], probe.report()
    assert not [h for h in probe.held if "x.invalid/away" in h], "an http(s) link was followed"


BASELINE_PAGES = (
    "",
    "runbooks/auth/auth-db-pool/",
    "postmortems/2025/2025-03-01-login-errors-after-deploy/",
    "services/auth/",
    "policies/severity/",
    "tags/",
    "404.html",
)


@pytest.mark.browser
def test_probe_records_nothing_on_the_baseline(
    chromium_browser: Browser, baseline_url: str
) -> None:
    """No false alarm: the theme, our search script and charts call nothing the probe wraps
    and load nothing from elsewhere, under the same hovering and clicking."""
    found = []
    with probing(chromium_browser, baseline_url) as tab:
        for path in BASELINE_PAGES:
            probe = sweep(tab, baseline_url + path)
            if probe.executions or probe.offsite or probe.errors:
                found.append(f"/{path}:\n{probe.report()}")
    assert not found, "\n".join(found)


#: The corpus's pages, and those that list or frame them (the theme's 404.html included).
BROWSER_PAGES = tuple(dict.fromkeys([*(c.url for c in CASES), "", "tags/", "404.html"]))


@pytest.mark.browser
@pytest.mark.parametrize("path", BROWSER_PAGES, ids=[p or "home" for p in BROWSER_PAGES])
def test_corpus_page_runs_nothing(hostile_tab: Tab, path: str) -> None:
    probe = sweep(hostile_tab, hostile_tab.probe.base_url + path)
    assert not (probe.executions or probe.offsite), f"/{path}:\n{probe.report()}"
