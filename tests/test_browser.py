"""The built example site in a real headless Chromium: search finds a postmortem by its body
text and the runbook it used, and no page loads anything from outside the local server.

Needs Playwright for Python (the ``test`` extra; its driver ships in the wheel, nothing is
downloaded) and Debian's ``chromium`` at /usr/bin/chromium, or the executable named by
INCIDENT_KB_CHROMIUM. Without them the tests skip with the reason, except in CI (``CI`` set
to anything but empty/0/false/no), where they fail: ``.ci/run`` installs the browser.

Screenshots go to test-artifacts/ in the repository (git-ignored).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pytest

from browserkit import CHROMIUM_ARGS, chromium_path, is_local, serve, start_playwright
from conftest import EXAMPLE_TODAY, REPO, build_site, site_project
from incident_kb.checks.validate import check
from incident_kb.core.config import Config
from incident_kb.core.config import load as load_config
from incident_kb.documents.model import Postmortem, Runbook

if TYPE_CHECKING:
    from playwright.sync_api import BrowserContext, Dialog, Page, Playwright

pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "test-artifacts"
INCIDENT = "INC-2025-042"
QUERY = "connection pool"  # both words in INC-2025-042's body, neither in its title
Scheme = Literal["light", "dark"]
#: prefers-color-scheme -> Material scheme
SCHEMES: dict[Scheme, str] = {"light": "default", "dark": "slate"}
TIMEOUT_MS = 20_000


@pytest.fixture(scope="module")
def chromium() -> str:
    return chromium_path()


@pytest.fixture(scope="module")
def playwright(chromium: str) -> Iterator[Playwright]:
    with start_playwright() as pw:
        yield pw


@dataclass(frozen=True)
class Expected:
    postmortem: Postmortem
    runbooks: tuple[Runbook, ...]
    config: Config

    def path(self, doc: Postmortem | Runbook) -> str:
        """The URL path MkDocs gives a document (directory URLs), e.g. '/runbooks/a/b/'."""
        rel = (self.config.root / doc.source.path).relative_to(self.config.docs_dir)
        parts = rel.with_suffix("").parts
        if parts[-1] == "index":
            parts = parts[:-1]
        return "/" + "".join(f"{p}/" for p in parts)


@pytest.fixture(scope="module")
def expected() -> Expected:
    config = load_config(REPO)
    kb = check(config, EXAMPLE_TODAY).kb
    pm = kb.postmortem_by_id[INCIDENT]
    words = QUERY.split()
    body, title = pm.body.lower(), pm.title.lower()
    assert all(w in body for w in words) and not any(w in title for w in words), (
        f"{INCIDENT} no longer fits the test: {QUERY!r} must match its body, not its title"
    )
    assert pm.runbooks, f"{INCIDENT} no longer names a runbook"
    return Expected(pm, tuple(kb.runbook_by_id[r] for r in pm.runbooks), config)


def built(root: Path, site: Path) -> Path:
    proc = build_site(root, site)
    assert proc.returncode == 0, proc.stderr
    assert "WARNING" not in proc.stderr, proc.stderr
    return site


@pytest.fixture(scope="module")
def base_url(
    chromium: str, playwright: Playwright, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The example site, built once (strict) and served on 127.0.0.1 at a free port."""
    tmp = tmp_path_factory.mktemp("browser")
    with serve(built(site_project(tmp, REPO / "docs"), tmp / "site")) as url:
        yield url


@dataclass
class Session:
    context: BrowserContext
    page: Page
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@contextmanager
def browser(
    playwright: Playwright, chromium: str, base_url: str, tmp: Path, scheme: Scheme
) -> Iterator[Session]:
    """A fresh Chromium profile that records every request of its pages and workers and
    refuses (but still records) anything that is not the local server."""
    context = playwright.chromium.launch_persistent_context(
        str(tmp / f"profile-{scheme}"),
        executable_path=chromium,
        args=CHROMIUM_ARGS,
        headless=True,
        color_scheme=scheme,
        viewport={"width": 1280, "height": 900},
    )
    try:
        context.set_default_timeout(TIMEOUT_MS)
        session = Session(context, context.pages[0] if context.pages else context.new_page())
        context.on("request", lambda request: session.requests.append(request.url))
        context.route(lambda url: not is_local(url, base_url), lambda route: route.abort())
        session.page.on("pageerror", lambda exc: session.errors.append(str(exc)))
        yield session
    finally:
        context.close()
    outside = [url for url in session.requests if not is_local(url, base_url)]
    assert not outside, f"requests outside {base_url}: {outside}"
    assert session.requests, "no requests were recorded at all"
    assert not session.errors, f"JavaScript errors: {session.errors}"


def screenshot(page: Page, name: str, *, full_page: bool = False) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=full_page)
    assert path.stat().st_size > 0
    return path


def assert_scheme(page: Page, scheme: Scheme) -> None:
    page.wait_for_function(
        "want => document.body.getAttribute('data-md-color-scheme') === want",
        arg=SCHEMES[scheme],
    )


def open_search(page: Page) -> None:
    """Focus Material's search box: the header input, or the button that opens it."""
    box = page.locator("input.md-search__input")
    if not box.is_visible():
        page.locator("label.md-header__button[for='__search']").click()
    box.click()
    page.wait_for_function("() => document.activeElement?.matches('input.md-search__input')")


def search_results(page: Page, want: set[str]) -> dict[str, str]:
    """Result documents as {URL path: title}, rendering more batches (Material shows ten at
    a time and adds more on scroll) until every wanted path is listed or none are left."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    items = page.locator(".md-search-result__item")
    items.first.wait_for(state="visible")
    script = """els => Object.fromEntries(els.map(li => {
        const a = li.querySelector(':scope > a.md-search-result__link');
        const h = li.querySelector(':scope > a .md-search-result__article h1');
        return [new URL(a.href).pathname, (h || a).textContent.trim()];
    }))"""
    while True:
        found: dict[str, str] = items.evaluate_all(script)
        count = items.count()
        if want <= found.keys():
            return found
        items.nth(count - 1).scroll_into_view_if_needed()
        try:
            page.wait_for_function(
                "n => document.querySelectorAll('.md-search-result__item').length > n",
                arg=count,
                timeout=3_000,
            )
        except PlaywrightTimeout:  # no further batch: every result is listed
            listed: dict[str, str] = items.evaluate_all(script)
            return listed


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_search_finds_postmortem_by_body_and_its_runbook(
    playwright: Playwright,
    chromium: str,
    base_url: str,
    expected: Expected,
    tmp_path: Path,
    scheme: Scheme,
) -> None:
    want = {expected.path(expected.postmortem)} | {expected.path(r) for r in expected.runbooks}
    with browser(playwright, chromium, base_url, tmp_path, scheme) as session:
        page = session.page
        page.goto(base_url)
        assert_scheme(page, scheme)
        open_search(page)
        page.keyboard.type(QUERY, delay=20)
        page.locator(".md-search-result__meta").filter(has_text="matching").wait_for()
        results = search_results(page, want)
        missing = sorted(want - results.keys())
        assert not missing, f"search for {QUERY!r} did not list {missing}; got {sorted(results)}"
        assert expected.postmortem.title in results[expected.path(expected.postmortem)]
        for runbook in expected.runbooks:
            assert runbook.title in results[expected.path(runbook)]

        # The postmortem's result is on screen (in the artefact) and a link to its page.
        link = page.locator(
            ".md-search-result__item > a.md-search-result__link"
            f"[href*='{expected.path(expected.postmortem).strip('/')}']"
        ).first
        link.scroll_into_view_if_needed()
        assert link.is_visible()
        screenshot(page, f"browser-search-{scheme}.png")
        link.click()
        page.wait_for_url(f"{base_url.rstrip('/')}{expected.path(expected.postmortem)}*")
        assert expected.postmortem.title in page.locator("article h1").first.inner_text()


@pytest.mark.parametrize("scheme", list(SCHEMES))
def test_postmortem_page_loads_only_local_resources(
    playwright: Playwright,
    chromium: str,
    base_url: str,
    expected: Expected,
    tmp_path: Path,
    scheme: Scheme,
) -> None:
    url = base_url.rstrip("/") + expected.path(expected.postmortem)
    with browser(playwright, chromium, base_url, tmp_path, scheme) as session:
        page = session.page
        response = page.goto(url, wait_until="networkidle")
        assert response is not None and response.ok, f"{url}: {response and response.status}"
        assert_scheme(page, scheme)
        assert expected.postmortem.id in page.locator("article").inner_text()
        for runbook in expected.runbooks:
            assert page.locator(f"article a[href*='{expected.path(runbook).strip('/')}']").count()
        screenshot(page, f"browser-postmortem-{scheme}.png", full_page=True)


@pytest.mark.parametrize("scheme", list(SCHEMES))
@pytest.mark.parametrize("path", ["services/payments/", "metrics/", "status/"])
def test_insight_pages_draw_their_charts(
    playwright: Playwright,
    chromium: str,
    base_url: str,
    tmp_path: Path,
    scheme: Scheme,
    path: str,
) -> None:
    """Charts load (the palette's variant is the one shown) and uptime bars are drawn."""
    with browser(playwright, chromium, base_url, tmp_path, scheme) as session:
        page = session.page
        response = page.goto(base_url.rstrip("/") + "/" + path, wait_until="networkidle")
        assert response is not None and response.ok
        assert_scheme(page, scheme)
        if path == "status/":
            bars = page.locator("article .ikb-day")
            assert bars.count() >= 90 and bars.first.is_visible()
        else:
            images = page.locator("article img[src*='charts/']")
            shown = [images.nth(i) for i in range(images.count()) if images.nth(i).is_visible()]
            assert shown, "no chart is visible"
            for image in shown:
                assert image.evaluate("img => img.complete && img.naturalWidth > 0")
                assert f"-{scheme}.svg" in (image.get_attribute("src") or "")
        screenshot(
            page, f"browser-{path.strip('/').replace('/', '-')}-{scheme}.png", full_page=True
        )


def test_search_keyboard_and_a_site_under_a_sub_path(
    playwright: Playwright,
    chromium: str,
    expected: Expected,
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
) -> None:
    """Served under /kb/ (as behind a reverse proxy or on GitHub Pages) and indexed in
    bundles of 7 pages (as a large site is), "/" opens the search, the merged results link
    inside /kb/, Escape closes it and Enter opens the first result."""
    tmp = tmp_path_factory.mktemp("sub-path")
    root = site_project(tmp, REPO / "docs")
    toml = root / "incident-kb.toml"
    text = toml.read_text()
    assert "\npages_per_bundle = 2000\n" in text
    toml.write_text(text.replace("\npages_per_bundle = 2000\n", "\npages_per_bundle = 7\n"))
    built(root, tmp / "host" / "kb")
    assert (tmp / "host" / "kb" / "pagefind" / "3" / "pagefind.js").is_file()
    with serve(tmp / "host") as host:
        base_url = host + "kb/"
        with browser(playwright, chromium, base_url, tmp_path, "light") as session:
            page = session.page
            page.goto(base_url + "metrics/")
            page.keyboard.press("/")
            page.wait_for_function(
                "() => document.activeElement?.matches('input.md-search__input')"
            )
            page.keyboard.type(expected.postmortem.id, delay=20)
            first = page.locator(".md-search-result__item > a.md-search-result__link").first
            first.wait_for()
            href = first.get_attribute("href") or ""
            assert href.startswith("/kb/"), href
            assert expected.path(expected.postmortem).strip("/") in href
            page.keyboard.press("Escape")
            assert not page.locator("#__search").is_checked()
            page.keyboard.press("s")
            assert page.locator("#__search").is_checked()
            page.locator("input.md-search__input").press("Enter")
            page.wait_for_url(f"{base_url}{expected.path(expected.postmortem).lstrip('/')}*")
            assert expected.postmortem.title in page.locator("article h1").first.inner_text()


def test_search_results_show_hostile_titles_as_text(
    playwright: Playwright,
    chromium: str,
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
) -> None:
    """Every document of the hostile corpus is found by its payload and shown as text: no
    element of a title or excerpt reaches the page, and nothing runs."""
    from incident_kb.documents.model import title_of

    xss = REPO / "tests" / "fixtures" / "xss"
    tmp = tmp_path_factory.mktemp("xss-search")
    built(site_project(tmp, xss / "docs", xss / "incident-kb.toml"), tmp / "site")
    config = load_config(tmp / "project")
    kb = check(config, EXAMPLE_TODAY).kb
    docs: list[Postmortem | Runbook] = [*kb.postmortems, *kb.runbooks]
    hostile = [d for d in docs if "alert(" in title_of(d)]
    assert hostile, "the corpus no longer has payload titles"
    want = {Expected(kb.postmortems[0], (), config).path(doc) for doc in hostile}
    with (
        serve(tmp / "site") as base_url,
        browser(playwright, chromium, base_url, tmp_path, "light") as session,
    ):
        page = session.page
        dialogs: list[str] = []

        def on_dialog(dialog: Dialog) -> None:
            dialogs.append(dialog.message)
            dialog.dismiss()

        page.on("dialog", on_dialog)
        page.goto(base_url)
        open_search(page)
        page.keyboard.type("alert", delay=20)
        page.locator(".md-search-result__meta").filter(has_text="matching").wait_for()
        shown = search_results(page, want)
        results = page.locator(".md-search-result__list")
        foreign = results.evaluate(
            """list => [...list.querySelectorAll('*')]
                .filter(e => !['LI', 'A', 'ARTICLE', 'H1', 'P', 'MARK'].includes(e.tagName)
                             || [...e.attributes].some(a => a.name.startsWith('on')))
                .map(e => e.outerHTML.slice(0, 120))"""
        )
        assert not foreign, foreign
        assert want <= shown.keys(), sorted(want - shown.keys())
        for path in want:  # the payload is on screen as text, not as markup
            assert "alert(" in shown[path], shown[path]
        assert not dialogs, dialogs
