"""Golden files: the generated Markdown of a small knowledge base, byte for byte.

Run ``pytest tests/test_golden.py --update-goldens`` after an intended change, and review
the diff of tests/golden/ like any other change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, REPO
from factories import TODAY
from incident_kb.checks.validate import check
from incident_kb.core.config import load
from incident_kb.documents.model import Document
from incident_kb.figures import facts
from incident_kb.site.render import Renderer, environment

GOLDEN = REPO / "tests" / "golden"


def _outputs() -> dict[str, str]:
    config = load(FIXTURES / "valid")
    result = check(config, TODAY)
    assert not result.findings

    def src(doc: Document) -> str:
        return Path(doc.source.path).relative_to("docs").as_posix()

    renderer = Renderer(facts.configured(result.kb, config, TODAY), src, environment(None))
    kb = result.kb
    out = {
        "postmortems-index.md": renderer.postmortems_index("postmortems/index.md"),
        "runbooks-index.md": renderer.runbooks_index("runbooks/index.md"),
        "services-index.md": renderer.services_index("services/index.md"),
        "tags.md": renderer.tags_page(),
        "action-items.md": renderer.action_items_page("action-items.md"),
        "runbooks-stale.md": renderer.stale_page("runbooks/stale.md"),
    }
    for pm in kb.postmortems:
        out[f"postmortem-{pm.id}.md"] = renderer.postmortem_page(pm, pm.body)
    for rb in kb.runbooks:
        out[f"runbook-{rb.id}.md"] = renderer.runbook_page(rb, rb.body)
    for service in kb.services:
        out[f"service-{service.id}.md"] = renderer.service_page(service, service.body)
    return out


OUTPUTS = _outputs()


@pytest.mark.parametrize("name", sorted(OUTPUTS))
def test_generated_markdown_matches_golden(name: str, request: pytest.FixtureRequest) -> None:
    golden = GOLDEN / name
    if request.config.getoption("--update-goldens"):
        GOLDEN.mkdir(exist_ok=True)
        golden.write_text(OUTPUTS[name], encoding="utf-8", newline="\n")
    assert golden.is_file(), f"{golden} is missing: run pytest --update-goldens"
    assert OUTPUTS[name] == golden.read_text(encoding="utf-8")


def test_no_stray_golden_files() -> None:
    assert sorted(p.name for p in GOLDEN.glob("*.md")) == sorted(OUTPUTS)
