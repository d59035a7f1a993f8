"""The API files: pure functions on hand-made models, then a real build validated against
the schemas and checked against the model."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from conftest import EXAMPLE_TODAY, REPO, build_site, site_project
from factories import CONFIG, TODAY, kb, pm, ts
from incident_kb.alerts.rulefiles import defined_alerts
from incident_kb.checks.validate import check
from incident_kb.core.config import load as load_config
from incident_kb.documents.model import (
    ActionItem,
    Document,
    Impact,
    KnowledgeBase,
    Runbook,
    Source,
    StatusPage,
    StatusUpdate,
)
from incident_kb.documents.schema import load_schema
from incident_kb.figures import actions, budgets
from incident_kb.figures.facts import compute, configured
from incident_kb.figures.freshness import freshness_of
from incident_kb.site import api


def url_of(doc: Document) -> str:
    return f"page/{getattr(doc, 'id', 'policy')}/"


def validate(name: str, data: dict[str, Any]) -> None:
    schema = load_schema(api.FILES[name])
    errors = list(Draft202012Validator(schema, format_checker=FormatChecker()).iter_errors(data))
    assert errors == [], [e.message for e in errors]


def _page(impact: str, *components: tuple[str, str]) -> StatusPage:
    return StatusPage(
        "Login errors",
        impact,
        components,
        (
            StatusUpdate(ts("2025-11-30T10:10:00Z"), "investigating", "Looking"),
            StatusUpdate(ts("2025-11-30T10:40:00Z"), "identified", "Found it"),
        ),
    )


OPEN_MAJOR = pm(
    id="INC-2025-020",
    started_at=ts("2025-11-30T10:00:00+02:00"),
    detected_at=ts("2025-11-30T10:05:00+02:00"),
    resolved_at=None,
    status_page=_page("major", ("Login", "partial_outage")),
)
OPEN_MINOR = pm(
    id="INC-2025-021",
    services=("auth", "api"),
    started_at=ts("2025-11-30T11:00:00Z"),
    detected_at=ts("2025-11-30T11:01:00Z"),
    resolved_at=None,
    status_page=_page("minor", ("Login", "degraded_performance"), ("REST API", "major_outage")),
)
ITEMS = (
    ActionItem("Fix", "bob", TODAY - timedelta(days=3), "open", "prevent", index=0),
    ActionItem(
        "Alert", "carol", TODAY - timedelta(days=9), "done", "detect", TODAY - timedelta(9), None, 1
    ),
)
RESOLVED = pm(action_items=ITEMS, runbooks=("auth-pool",), impact=Impact("Slow", 50.0))
RUNBOOK = Runbook(
    "auth-pool",
    "Pool exhausted",
    ("auth",),
    "team-identity",
    date(2025, 10, 1),
    Source("docs/runbooks/auth/auth-pool.md"),
    review_every_days=30,
)


def test_dump_is_stable_indented_and_keeps_unicode() -> None:
    data = {"b": "é", "a": [1]}
    assert api.dump(data) == '{\n  "b": "é",\n  "a": [\n    1\n  ]\n}\n'
    with pytest.raises(ValueError):
        api.dump({"x": float("inf")})


def test_incidents_newest_first_times_in_utc_and_nulls() -> None:
    base = kb(RESOLVED, OPEN_MAJOR, OPEN_MINOR)
    data = api.incidents(compute(base, CONFIG, TODAY), url_of)
    validate("incidents.json", data)
    assert list(data)[:3] == ["version", "generated_for", "count"]
    assert data["generated_for"] == TODAY.isoformat() and data["count"] == 3
    ids = [i["id"] for i in data["incidents"]]
    assert ids == ["INC-2025-021", "INC-2025-020", "INC-2025-010"]
    first_open = data["incidents"][1]
    assert first_open["started_at"] == "2025-11-30T08:00:00Z"
    assert first_open["resolved_at"] is None and first_open["minutes"]["ttr"] is None
    assert first_open["impact"]["error_budget_minutes"] is None
    assert first_open["status_page"]["components"] == [
        {"name": "Login", "status": "partial_outage"}
    ]
    resolved = data["incidents"][2]
    assert resolved["minutes"] == {"ttd": 5.0, "tta": None, "ttm": None, "ttr": 55.0}
    assert resolved["impact"]["error_budget_minutes"] == 30.0  # 60 minutes x 50 %
    assert resolved["action_item_count"] == 2 and resolved["status_page"] is None
    assert resolved["url"] == "page/INC-2025-010/"


def test_action_items_states_and_counts() -> None:
    data = api.action_items(compute(kb(RESOLVED), CONFIG, TODAY), url_of)
    validate("action-items.json", data)
    assert (data["count"], data["open"], data["overdue"]) == (2, 1, 1)
    first, second = data["items"]
    assert list(first)[:5] == ["incident", "index", "title", "owner", "due"]
    assert (first["state"], first["days_overdue"], first["completed_on"]) == ("overdue", 3, None)
    assert (second["state"], second["completed_on"]) == (
        "done-on-time",
        (TODAY - timedelta(9)).isoformat(),
    )
    assert second["url"] == "page/INC-2025-010/" and second["services"] == ["auth"]


def test_runbooks_freshness_reasons_and_usage() -> None:
    base = KnowledgeBase(
        postmortems=(RESOLVED, OPEN_MAJOR),
        runbooks=(RUNBOOK,),
        services=kb().services,
        policy=kb().policy,
    )
    data = api.runbooks(compute(base, CONFIG, TODAY), url_of)
    validate("runbooks.json", data)
    (entry,) = data["runbooks"]
    assert data["stale"] == 1
    assert entry["review_every_days"] == 30 and entry["next_review"] == "2025-10-31"
    assert entry["freshness"]["state"] == "stale"
    assert [(r["kind"], r["incident"]) for r in entry["freshness"]["reasons"]] == [
        ("review-overdue", None),
        ("used-after-review", "INC-2025-010"),
    ]
    assert entry["used_in"] == ["INC-2025-010"]


def test_services_budget_matches_current_window() -> None:
    big = replace(
        RESOLVED,
        started_at=ts("2025-11-20T10:00:00Z"),
        detected_at=ts("2025-11-20T10:05:00Z"),
        resolved_at=ts("2025-11-20T11:00:00Z"),
        impact=Impact("All down", 100.0, error_budget_minutes=45.0),
    )
    base = kb(big, OPEN_MINOR)
    data = api.services(compute(base, CONFIG, TODAY), url_of)
    validate("services.json", data)
    by_id = {s["id"]: s for s in data["services"]}
    assert list(by_id) == ["api", "auth"]
    auth = by_id["auth"]
    window = budgets.current_window(base, base.service_by_id["auth"], TODAY)
    assert auth["error_budget"]["status"] == window.status == "freeze"
    assert auth["error_budget"]["budget_minutes"] == round(window.budget_minutes, 3)
    assert auth["error_budget"]["window_end"] == TODAY.isoformat()
    assert auth["incidents"] == {"total": 2, "unresolved": 1}
    assert auth["open_action_items"] == 1 and by_id["api"]["open_action_items"] == 0


def test_zero_budget_percent_is_null_not_infinity() -> None:
    recent = replace(
        RESOLVED,
        started_at=ts("2025-11-20T10:00:00Z"),
        detected_at=ts("2025-11-20T10:05:00Z"),
        resolved_at=ts("2025-11-20T11:00:00Z"),
        impact=Impact("x", 10.0, error_budget_minutes=5.0),
    )
    base = kb(recent)
    perfect = replace(base.services[1], slo=replace(base.services[1].slo, availability=100.0))
    base = replace(base, services=(base.services[0], perfect))
    data = api.services(compute(base, CONFIG, TODAY), url_of)
    validate("services.json", data)
    assert data["services"][1]["error_budget"]["pct_consumed"] is None
    api.dump(data)


def test_status_worst_impact_and_component_states() -> None:
    data = api.status(compute(kb(RESOLVED, OPEN_MAJOR, OPEN_MINOR), CONFIG, TODAY), url_of)
    validate("status.json", data)
    assert data["indicator"] == "major"
    states = {c["name"]: c["status"] for c in data["components"]}
    assert states == {"REST API": "major_outage", "Login": "partial_outage"}
    assert [i["id"] for i in data["incidents"]] == ["INC-2025-021", "INC-2025-020"]
    assert data["incidents"][0]["latest_update"]["status"] == "identified"


def test_status_all_operational_without_open_public_incidents() -> None:
    quiet = replace(OPEN_MAJOR, status_page=None)
    data = api.status(compute(kb(RESOLVED, quiet), CONFIG, TODAY), url_of)
    validate("status.json", data)
    assert data["indicator"] == "none" and data["incidents"] == []
    assert {c["status"] for c in data["components"]} == {"operational"}


# ------------------------------------------------------------------------------------------
# A real build of the example knowledge base.
# ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example() -> KnowledgeBase:
    return check(load_config(REPO), EXAMPLE_TODAY).kb


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    tmp = tmp_path_factory.mktemp("api")
    root = site_project(tmp, REPO / "docs")
    site = tmp / "site"
    proc = build_site(root, site)
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (site / "api").iterdir()) == sorted(api.FILES)
    return {name: (site / "api" / name).read_text(encoding="utf-8") for name in api.FILES}


def _site_url(doc: Document) -> str:
    rel = Path(doc.source.path).relative_to("docs").with_suffix("")
    return f"{rel.as_posix()}/"


@pytest.mark.parametrize("name", sorted(api.FILES))
def test_built_file_is_valid_and_equals_the_pure_function(
    built: dict[str, str], example: KnowledgeBase, name: str
) -> None:
    text = built[name]
    data = json.loads(text)
    validate(name, data)
    assert text.endswith("}\n")
    expected = api.BUILDERS[name](configured(example, load_config(REPO), EXAMPLE_TODAY), _site_url)
    # Same keys in the same order, byte for byte: the pure function is the file.
    assert text == api.dump(expected)


def test_built_figures_match_the_model(built: dict[str, str], example: KnowledgeBase) -> None:
    config = load_config(REPO)
    incidents = json.loads(built["incidents.json"])
    assert incidents["count"] == len(example.postmortems) == len(incidents["incidents"])
    assert incidents["incidents"][0]["url"].startswith("postmortems/")

    items = json.loads(built["action-items.json"])
    everything = actions.all_items(example, EXAMPLE_TODAY, config.action_items_due_soon_days)
    overdue = [i for i in everything if i.state == "overdue"]
    assert items["count"] == len(everything)
    assert items["overdue"] == len(overdue) > 0
    assert sum(1 for i in items["items"] if i["state"] == "overdue") == len(overdue)

    runbooks = {r["id"]: r for r in json.loads(built["runbooks.json"])["runbooks"]}
    stale = [
        rb
        for rb in example.runbooks
        if freshness_of(rb, example, config, EXAMPLE_TODAY, defined_alerts(config)).state == "stale"
    ]
    assert stale
    for rb in stale:
        fresh = freshness_of(rb, example, config, EXAMPLE_TODAY, defined_alerts(config))
        assert [r["message"] for r in runbooks[rb.id]["freshness"]["reasons"]] == [
            r.message for r in fresh.reasons
        ]

    services = {s["id"]: s for s in json.loads(built["services.json"])["services"]}
    assert set(services) == set(example.service_by_id)
    for service in example.services:
        window = budgets.current_window(example, service, EXAMPLE_TODAY)
        assert services[service.id]["error_budget"]["status"] == window.status
        assert services[service.id]["url"] == f"services/{service.id}/"

    status = json.loads(built["status.json"])
    unresolved = [pm for pm in example.postmortems if not pm.is_resolved and pm.status_page]
    assert [i["id"] for i in status["incidents"]] == sorted(
        (pm.id for pm in unresolved),
        key=lambda i: example.postmortem_by_id[i].started_at,
        reverse=True,
    )
    assert len(status["components"]) == len(example.component_owner)
