"""``site.pages.generate``: every generated page and file from (facts, templates, links),
without MkDocs; checked against the model and the facts it was given."""

from __future__ import annotations

import json

import pytest

from conftest import EXAMPLE_TODAY, REPO
from incident_kb.checks.validate import Result, check
from incident_kb.core.config import load
from incident_kb.documents.model import Document, Postmortem, Runbook, Service
from incident_kb.figures.facts import Facts, configured
from incident_kb.site import api
from incident_kb.site.pages import Links, Output, generate
from incident_kb.site.render import environment


@pytest.fixture(scope="module")
def example() -> tuple[Result, Facts]:
    config = load(REPO)
    result = check(config, EXAMPLE_TODAY)
    return result, configured(result.kb, config, EXAMPLE_TODAY)


def _src(doc: Document) -> str:
    return doc.source.path.removeprefix("docs/")


def _url(doc: Document) -> str:
    return _src(doc).removesuffix(".md") + "/"


def _generate(result: Result, facts: Facts) -> Output:
    documents = {_src(d): d for d in result.kb.identified()}
    bodies = {src: doc.body for src, doc in documents.items()}
    bodies["index.md"] = f"# Home\n\nSee [[{result.kb.postmortems[0].id}]].\n"
    return generate(facts, environment(None), Links(_src, _url), bodies, documents, "KB")


@pytest.fixture(scope="module")
def output(example: tuple[Result, Facts]) -> Output:
    return _generate(*example)


def test_generate_is_a_pure_function(example: tuple[Result, Facts], output: Output) -> None:
    assert _generate(*example) == output
    assert sorted(output.pages) == [
        "action-items.md",
        "alerts/index.md",
        "metrics.md",
        "postmortems/index.md",
        "runbooks/index.md",
        "runbooks/stale.md",
        "services/index.md",
        "status/index.md",
        "tags.md",
    ]


def test_every_page_source_gets_its_additions(
    example: tuple[Result, Facts], output: Output
) -> None:
    result, facts = example
    out = output
    kb = result.kb
    assert set(out.sources) == {_src(d) for d in kb.identified()} | {"index.md"}
    for pm in kb.postmortems:
        source = out.sources[_src(pm)]
        assert '<span class="ikb-id">' in source and pm.id in source, pm.id
    banners = {
        "stale": '!!! danger "Stale',
        "due-soon": '!!! warning "Review due soon',
        "fresh": '!!! success "Fresh',
    }
    for rb in kb.runbooks:
        assert banners[facts.freshness_of(rb).state] in out.sources[_src(rb)], rb.id
    for service in kb.services:
        source = out.sources[_src(service)]
        assert "## Incident trend" in source and "## Error budget" in source, service.id
    # [[ID]] in an ordinary page is a relative link to the document's Markdown file.
    target = kb.postmortems[0]
    assert f"]({_src(target)})" in out.sources["index.md"]


def test_files_are_the_api_charts_and_feed_of_these_facts(
    example: tuple[Result, Facts], output: Output
) -> None:
    result, facts = example
    out = output
    for name, build in api.BUILDERS.items():
        assert out.files[f"api/{name}"] == api.dump(build(facts, _url))
    incidents = json.loads(out.files["api/incidents.json"])["incidents"]
    assert {i["url"] for i in incidents} == {_url(pm) for pm in result.kb.postmortems}
    charts = sorted(uri for uri in out.files if uri.startswith("charts/"))
    services = [d for d in result.kb.identified() if isinstance(d, Service)]
    # A trend and a budget gauge per service, three on /metrics/, each light and dark.
    assert len(charts) == 2 * (2 * len(services) + 3)
    feed = out.files["status/feed.xml"]
    published = [pm for pm in result.kb.postmortems if pm.status_page and pm.status == "published"]
    assert published and all(f'href="../{_url(pm)}"' in feed for pm in published)


def test_a_document_without_a_page_is_left_out_of_the_sources(
    example: tuple[Result, Facts],
) -> None:
    result, facts = example
    documents = {_src(d): d for d in result.kb.identified()}
    only = {src: d.body for src, d in documents.items() if isinstance(d, (Postmortem, Runbook))}
    out = generate(facts, environment(None), Links(_src, _url), only, documents, "KB")
    assert set(out.sources) == set(only)
    assert not any(uri.startswith("charts/service-") for uri in out.files)
