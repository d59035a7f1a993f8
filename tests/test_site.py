"""Real strict builds of the example knowledge base, parsed as HTML and checked against the
model (never against hard-coded lists)."""

from __future__ import annotations

import posixpath
from datetime import date
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from conftest import EXAMPLE_TODAY, REPO, SCHEMA_FILES, build_site, site_project
from htmltree import Node, fold, load
from incident_kb.checks.validate import check
from incident_kb.core.config import load as load_config
from incident_kb.core.findings import Level
from incident_kb.documents.model import Document, KnowledgeBase
from incident_kb.figures import response, status
from incident_kb.figures.facts import Facts, configured, recurrences
from incident_kb.figures.freshness import used_in
from incident_kb.site import links
from pagefind_index import fragments, page_count


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    result = check(load_config(REPO), EXAMPLE_TODAY)
    errors = [f.format() for f in result.findings if f.level is Level.ERROR]
    assert result.count(Level.ERROR) == 0, errors
    return result.kb


_FACTS: dict[int, Facts] = {}


def example_facts(kb: KnowledgeBase) -> Facts:
    """The example's facts, computed once per model (the model fixture is per module)."""
    if id(kb) not in _FACTS:
        _FACTS[id(kb)] = configured(kb, load_config(REPO), EXAMPLE_TODAY)
    return _FACTS[id(kb)]


def _build(tmp: Path, directory_urls: bool) -> Path:
    root = site_project(tmp, REPO / "docs")
    if not directory_urls:
        config = root / "mkdocs.yml"
        config.write_text(config.read_text() + "use_directory_urls: false\n")
    site = tmp / "site"
    proc = build_site(root, site)
    assert proc.returncode == 0, proc.stderr
    assert "WARNING" not in proc.stderr and "ERROR" not in proc.stderr, proc.stderr
    return site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _build(tmp_path_factory.mktemp("example"), directory_urls=True)


def page_of(site: Path, doc: Document) -> Path:
    rel = Path(doc.source.path).relative_to("docs").with_suffix("")
    return site / rel / "index.html"


def resolve(site: Path, page: Path, href: str) -> Path | None:
    """The built file an internal link reaches, or None for external and in-page links."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    if parts.path.startswith("/"):  # 404.html links from the site root
        target = posixpath.normpath(unquote(parts.path).lstrip("/") or ".")
    else:
        base = page.parent.relative_to(site).as_posix()
        target = posixpath.normpath(posixpath.join(base, unquote(parts.path)))
    path = site / target
    return path / "index.html" if path.is_dir() or href.split("#")[0].endswith("/") else path


def policy_page(site: Path) -> Path:
    return site / "policies" / "severity" / "index.html"


def card_links(site: Path, page: Path) -> set[Path]:
    tree = load(page)
    card = tree.find("div", "ikb-card")
    assert card is not None, page
    return {p for a in card.find_all("a") if (p := resolve(site, page, a.attr("href") or ""))}


def section_after(tree: Node, heading_id: str) -> list[Node]:
    """The elements after the h2 with this id, up to the next h2."""
    article = tree.find("article")
    assert article is not None
    out: list[Node] = []
    seen = False
    for child in article.children:
        if not isinstance(child, Node):
            continue
        if child.tag == "h2":
            if seen:
                break
            seen = child.attr("id") == heading_id
            continue
        if seen and child.find("h2") is not None:  # a generated section of its own
            break
        if seen:
            out.append(child)
    return out


def hrefs_in(site: Path, page: Path, nodes: list[Node]) -> list[Path]:
    """Links to documents (severity badges link to the policy and are left out)."""
    return [
        p
        for n in nodes
        for a in n.find_all("a")
        if (p := resolve(site, page, a.attr("href") or "")) and p != policy_page(site)
    ]


def test_every_internal_link_and_asset_resolves(site: Path) -> None:
    for page in site.rglob("*.html"):
        tree = load(page)
        for node in tree.iter():
            for attr in ("href", "src"):
                value = node.attr(attr)
                if not value or (node.tag == "a" and value.startswith(("mailto:",))):
                    continue
                if node.tag in ("script", "link", "img") and urlsplit(value).netloc:
                    pytest.fail(f"{page}: loads {value} from outside the site")
                target = resolve(site, page, value)
                if target is not None:
                    assert target.exists(), f"{page.relative_to(site)}: {value}"


def test_links_work_without_directory_urls(tmp_path: Path) -> None:
    site = _build(tmp_path, directory_urls=False)
    checked = 0
    for page in site.rglob("*.html"):
        for a in load(page).find_all("a"):
            target = resolve(site, page, a.attr("href") or "")
            if target is not None:
                assert target.exists(), f"{page.relative_to(site)}: {a.attr('href')}"
                checked += 1
    assert checked > 1000


def test_the_pages_spec_lists_exist(site: Path, kb: KnowledgeBase) -> None:
    for path in ("postmortems", "runbooks", "runbooks/stale", "services", "tags", "action-items"):
        assert (site / path / "index.html").is_file(), path
    for doc in kb.identified():
        assert page_of(site, doc).is_file(), doc.source.path
    assert sorted(p.name for p in (site / "schemas").glob("*.json")) == SCHEMA_FILES


def test_postmortem_cards_footers_and_backlinks(site: Path, kb: KnowledgeBase) -> None:
    for pm in kb.postmortems:
        page = page_of(site, pm)
        expected = {page_of(site, kb.service_by_id[s]) for s in pm.services}
        expected |= {page_of(site, kb.runbook_by_id[r]) for r in pm.runbooks}
        expected |= {page_of(site, kb.postmortem_by_id[r]) for r in pm.related}
        if pm.recurrence_of:
            expected.add(page_of(site, kb.postmortem_by_id[pm.recurrence_of]))
        expected |= {page_of(site, other) for other in links.referenced_by(pm, kb)}
        expected.add(policy_page(site))  # the severity badge
        assert card_links(site, page) == expected, pm.id

        tree = load(page)
        badge = tree.find("span", "ikb-sev")
        assert badge is not None and badge.text() == pm.severity
        tracker = section_after(tree, "action-item-tracker")
        rows = [r for t in tracker for r in t.find_all("tr")][1:]
        assert len(rows) == len(pm.action_items), pm.id
        overdue = [r for r in rows if r.find("span", "ikb-overdue")]
        assert len(overdue) == sum(
            1 for i in pm.action_items if not i.is_closed and i.due < EXAMPLE_TODAY
        )
        similar = hrefs_in(site, page, section_after(tree, "similar-incidents"))
        assert similar == [page_of(site, p) for p in links.similar(pm, kb)], pm.id


def test_runbook_banners_and_usage(site: Path, kb: KnowledgeBase) -> None:
    kinds = {"stale": "danger", "due-soon": "warning", "fresh": "success"}
    seen = set()
    for rb in kb.runbooks:
        page = page_of(site, rb)
        tree = load(page)
        freshness = example_facts(kb).freshness_of(rb)
        seen.add(freshness.state)
        banner = tree.find("div", "admonition")
        assert banner is not None and kinds[freshness.state] in banner.classes, rb.id
        assert len(banner.find_all("li")) == len(freshness.reasons)
        used = hrefs_in(site, page, section_after(tree, "used-in-incidents"))
        assert used == [page_of(site, p) for p in used_in(rb.id, kb)], rb.id
    assert seen == {"stale", "due-soon", "fresh"}


def test_service_pages(site: Path, kb: KnowledgeBase) -> None:
    for service in kb.services:
        page = page_of(site, service)
        tree = load(page)
        incidents = [p for p in kb.postmortems if service.id in p.services]
        rows = [r for t in section_after(tree, "incidents") for r in t.find_all("tr")][1:]
        assert len(rows) == len(incidents), service.id
        runbooks = hrefs_in(site, page, section_after(tree, "runbooks"))
        assert runbooks == [page_of(site, r) for r in kb.runbooks if service.id in r.services]
        open_items = [i for p in incidents for i in p.action_items if not i.is_closed]
        rows = [r for t in section_after(tree, "open-action-items") for r in t.find_all("tr")]
        assert len(rows[1:]) == len(open_items), service.id


def test_index_pages_list_every_document(site: Path, kb: KnowledgeBase) -> None:
    index = site / "postmortems" / "index.html"
    listed = {p for p in card_or_page_links(site, index)}
    assert {page_of(site, pm) for pm in kb.postmortems} <= listed
    years = [h.text().rstrip(" ¶") for h in load(index).find_all("h2")]
    assert years == sorted({str(p.started_at.year) for p in kb.postmortems}, reverse=True)
    runbooks = card_or_page_links(site, site / "runbooks" / "index.html")
    assert {page_of(site, rb) for rb in kb.runbooks} <= runbooks
    services = card_or_page_links(site, site / "services" / "index.html")
    assert {page_of(site, s) for s in kb.services} <= services


def card_or_page_links(site: Path, page: Path) -> set[Path]:
    article = load(page).find("article")
    assert article is not None
    return {p for a in article.find_all("a") if (p := resolve(site, page, a.attr("href") or ""))}


def test_documents_stay_out_of_the_navigation(site: Path, kb: KnowledgeBase) -> None:
    home = site / "index.html"
    nav = load(home).find("nav", "md-nav--primary")
    assert nav is not None
    targets = {p for a in nav.find_all("a") if (p := resolve(site, home, a.attr("href") or ""))}
    assert not targets & {page_of(site, d) for d in kb.identified()}
    sizes = [page_of(site, pm).stat().st_size for pm in kb.postmortems]
    assert max(sizes) < 60_000


def test_search_indexes_generated_pages_and_bodies(site: Path, kb: KnowledgeBase) -> None:
    found = {fragment["url"]: fragment for fragment in fragments(site)}
    for generated in ("postmortems/", "runbooks/", "services/", "tags/", "action-items/"):
        assert f"/{generated}" in found
    pm = kb.postmortem_by_id["INC-2025-042"]
    url = "/" + Path(pm.source.path).relative_to("docs").with_suffix("").as_posix() + "/"
    assert fold(pm.title) == found[url]["meta"]["title"]
    # The body is indexed, not the header, navigation or footer every page repeats.
    assert "connection pool" in found[url]["content"].lower()
    assert "Severity policy" not in found[url]["content"]
    html_pages = {p for p in site.rglob("*.html") if "pagefind" not in p.parts}
    assert page_count(site) == len(found) == len(html_pages)
    # Material's own index is not built: the browser never downloads it.
    assert not (site / "search" / "search_index.json").exists()
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "assets/incident-kb-search.js" in home and 'data-bundle="pagefind/"' in home


def test_no_build_date_leaks_into_pages(site: Path) -> None:
    assert date.today().isoformat() not in (site / "index.html").read_text(encoding="utf-8") or (
        date.today() == EXAMPLE_TODAY
    )


def test_action_items_page_matches_the_model(site: Path, kb: KnowledgeBase) -> None:
    from incident_kb.figures import actions

    page = site / "action-items" / "index.html"
    tree = load(page)
    entries = actions.all_items(kb, EXAMPLE_TODAY)
    overdue_rows = [r for t in section_after(tree, "overdue") for r in t.find_all("tr")][1:]
    expected = actions.overdue_first(entries)
    assert [r.find_all("td")[0].text() for r in overdue_rows] == [
        e.item.due.isoformat() for e in expected
    ]
    assert [hrefs_in(site, page, [r])[0] for r in overdue_rows] == [
        page_of(site, e.postmortem) for e in expected
    ]
    soon_rows = [r for t in section_after(tree, "due-within-14-days") for r in t.find_all("tr")]
    assert len(soon_rows[1:]) == len(actions.due_soon(entries))
    again = hrefs_in(site, page, section_after(tree, "open-when-it-happened-again"))
    for r in recurrences(kb):
        assert page_of(site, r.postmortem) in again and page_of(site, r.earlier) in again
    assert any(r.open_items for r in recurrences(kb))  # the example has one with open items
    owners = [
        r.find_all("td")[0].text()
        for t in section_after(tree, "by-owner")
        for r in t.find_all("tr")[1:]
    ]
    assert owners == sorted({e.item.owner for e in entries})


def test_recurrence_shows_open_items_on_both_postmortems(site: Path, kb: KnowledgeBase) -> None:
    for r in recurrences(kb):
        later_text = load(page_of(site, r.postmortem)).text()
        earlier_text = load(page_of(site, r.earlier)).text()
        for item in r.open_items:
            assert " ".join(item.title.split()) in later_text
            assert " ".join(item.title.split()) in earlier_text
        assert f"It happened again: {r.postmortem.id}" in earlier_text


def test_stale_page_lists_exactly_the_stale_runbooks(site: Path, kb: KnowledgeBase) -> None:
    page = site / "runbooks" / "stale" / "index.html"
    tree = load(page)
    article = tree.find("article")
    assert article is not None
    listed = [
        h.text().rstrip(" ¶")
        for h in article.find_all("h2")
        if not h.text().startswith("Due for review")
    ]
    stale = [rb for rb in kb.runbooks if example_facts(kb).freshness_of(rb).state == "stale"]
    assert listed == [rb.title for rb in stale]
    for rb in stale:
        reasons = example_facts(kb).freshness_of(rb).reasons
        items = section_after(tree, load_id(tree, rb.title))
        assert sum(len(n.find_all("li")) for n in items) == len(reasons), rb.id
    assert {r.kind for rb in stale for r in example_facts(kb).freshness_of(rb).reasons} >= {
        "review-overdue",
        "used-after-review",
    }


def load_id(tree: Node, title: str) -> str:
    for h in tree.find_all("h2"):
        if h.text().rstrip(" ¶") == title:
            return h.attr("id") or ""
    raise AssertionError(title)


def test_alert_coverage_page_matches_the_model(site: Path, kb: KnowledgeBase) -> None:
    coverage = example_facts(kb).coverage
    assert coverage is not None
    tree = load(site / "alerts" / "index.html")
    article = tree.find("article")
    assert article is not None
    assert f"{coverage.covered} of {coverage.total} alerts" in article.text()

    def first_column(section: str) -> list[str]:
        rows = [r for t in section_after(tree, section) for r in t.find_all("tr")[1:]]
        return [r.find_all("td")[0].text() for r in rows]

    assert first_column("alerts-without-a-runbook") == [a.name for a in coverage.without_runbook]
    assert first_column("every-alert") == [a.name for a in coverage.alerts]
    assert len(first_column("runbook-alerts-defined-by-no-rule")) == len(coverage.orphans)
    assert coverage.orphans and coverage.without_runbook  # the example shows both


def test_status_page_and_feed(site: Path, kb: KnowledgeBase) -> None:
    import xml.etree.ElementTree as ET

    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.parse(site / "status" / "feed.xml").getroot()
    assert feed.tag == f"{atom}feed"
    for required in ("id", "title", "updated"):
        assert len(feed.findall(f"{atom}{required}")) == 1, required
    entries = feed.findall(f"{atom}entry")
    public = [pm for pm in kb.postmortems if pm.status_page is not None]
    assert len(entries) == len(public)
    for entry in entries:
        for required in ("id", "title", "updated"):
            assert entry.find(f"{atom}{required}") is not None
    updated = [e.findtext(f"{atom}updated") or "" for e in entries]
    assert updated == sorted(updated, reverse=True)
    assert len({e.findtext(f"{atom}id") for e in entries}) == len(entries)

    tree = load(site / "status" / "index.html")
    rows = [r for t in section_after(tree, "components") for r in t.find_all("tr")[1:]]
    components = [c for s in kb.services for c in s.components]
    assert len(rows) == len(components)
    assert all(len(status.component_days(kb, c, EXAMPLE_TODAY)) == 90 for c in components)
    bars = tree.find_all("span", "ikb-day")
    assert len(bars) == 90 * len(components)


def test_metrics_page_matches_the_analytics(site: Path, kb: KnowledgeBase) -> None:

    tree = load(site / "metrics" / "index.html")
    rows = [r for t in section_after(tree, "response-times")[:1] for r in t.find_all("tr")[1:]]
    counted = [int(r.find_all("td")[1].text()) for r in rows]
    assert counted == [response.response_stats(kb, m).count for m in response.TIME_METRICS]
    means = [r.find_all("td")[2].text() for r in rows]
    assert means == [f"{response.response_stats(kb, m).mean:.1f}" for m in response.TIME_METRICS]
    images = [img.attr("src") or "" for img in tree.find_all("img")]
    assert images and all(
        (site / "metrics" / src.split("#")[0]).resolve().is_file() for src in images
    )


def test_service_pages_show_budget_and_response_figures(site: Path, kb: KnowledgeBase) -> None:
    from incident_kb.figures import budgets

    statuses = set()
    for service in kb.services:
        text = load(page_of(site, service)).text()
        window = budgets.current_window(kb, service, EXAMPLE_TODAY)
        statuses.add(window.status)
        assert f"status {window.status}" in text, service.id
        for heading in ("Incident trend", "Response times", "Error budget"):
            assert heading in text, (service.id, heading)
        ttd = response.response_stats_by_service(kb, "ttd").get(service.id)
        if ttd is not None and ttd.mean is not None:
            assert f"{ttd.mean:.1f}" in text, service.id
    assert {"warning", "freeze"} <= statuses  # the example shows both
