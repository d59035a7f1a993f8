"""Property: whatever front-matter arrives, the validator never raises, and every finding
names a path and a line inside the file."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import KB
from incident_kb.checks.validate import check
from incident_kb.core.config import load

KEYS = [
    "id",
    "title",
    "status",
    "severity",
    "services",
    "started_at",
    "detected_at",
    "resolved_at",
    "detection",
    "roles",
    "impact",
    "action_items",
    "status_page",
    "alerts",
    "related",
    "recurrence_of",
    "tags",
    "runbooks",
    "x",
    "<<",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 200),
    st.floats(allow_nan=False, width=32),
    st.sampled_from(
        [
            "INC-2025-001",
            "SEV-1",
            "auth",
            "published",
            "2025-02-30",
            "2025-03-01T10:00:00Z",
            "2025-03-01T10:00",
            "no",
            "1:30",
            "0755",
            "<b>x</b>",
            "",
            "[[x]]",
        ]
    ),
    st.text(max_size=12),
)
VALUES = st.recursive(
    SCALARS,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(
            st.sampled_from([*KEYS, "title", "owner", "due", "status", "at"]), children, max_size=5
        ),
    ),
    max_leaves=20,
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=12), st.text(max_size=40))
def test_validator_never_raises_and_locates_every_finding(
    tmp_path_factory: pytest.TempPathFactory, data: dict[str, object], body: str
) -> None:
    root = tmp_path_factory.mktemp("kb")
    kb = KB(root)
    front = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path = kb.write("postmortems/2025/2025-03-01-x.md", "")
    path.write_text(f"---\n{front}---\n{body}", encoding="utf-8")
    file_lines = path.read_text(encoding="utf-8").count("\n") + 1
    result = check(load(root), date(2025, 6, 1))
    for finding in result.findings:
        assert finding.path.startswith("docs/")
        assert finding.field
        limit = file_lines if finding.path.endswith("x.md") else 200
        assert 1 <= finding.line <= limit, finding
