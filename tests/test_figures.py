"""Response metrics, counts, completions and quartiles with hand-made incidents and a fixed
"today"."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from factories import POLICY, kb, level, pm, ts
from incident_kb.documents.model import (
    ActionItem,
    Impact,
    KnowledgeBase,
    Postmortem,
    SeverityPolicy,
)
from incident_kb.figures import actions, postmortems, response, trends
from incident_kb.figures.response import Stat

TODAY = date(2025, 12, 1)


def timed(
    id_: str,
    start: str,
    detected: str,
    acked: str | None = None,
    mitigated: str | None = None,
    resolved: str | None = None,
    **overrides: object,
) -> Postmortem:
    return pm(
        id=id_,
        started_at=ts(start),
        detected_at=ts(detected),
        acknowledged_at=ts(acked) if acked else None,
        mitigated_at=ts(mitigated) if mitigated else None,
        resolved_at=ts(resolved) if resolved else None,
        **overrides,
    )


FULL = timed(
    "INC-2025-001",
    "2025-11-01T10:00:00Z",
    "2025-11-01T10:05:00Z",
    "2025-11-01T10:08:00Z",
    "2025-11-01T10:35:00Z",
    "2025-11-01T12:05:00Z",
)


# --- per-incident times ----------------------------------------------------------------------


def test_times_of_a_resolved_incident() -> None:
    got = response.incident_times(FULL)
    assert got.minutes == {"ttd": 5.0, "tta": 3.0, "ttm": 30.0, "ttr": 120.0}
    assert got.left_out == {}


def test_open_incident_counts_where_it_can() -> None:
    ongoing = timed(
        "INC-2025-002", "2025-11-30T10:00:00Z", "2025-11-30T10:20:00Z", "2025-11-30T10:21:00Z"
    )
    got = response.incident_times(ongoing)
    assert got.minutes == {"ttd": 20.0, "tta": 1.0, "ttm": None, "ttr": None}
    assert got.left_out == {"ttm": "still open", "ttr": "still open"}


def test_resolved_without_acknowledged_or_mitigated_times() -> None:
    quiet = timed(
        "INC-2025-003",
        "2025-11-01T10:00:00Z",
        "2025-11-01T10:00:00Z",
        resolved="2025-11-01T10:30:00Z",
    )
    got = response.incident_times(quiet)
    assert got.minutes == {"ttd": 0.0, "tta": None, "ttm": None, "ttr": 30.0}
    assert got.left_out == {"tta": "not acknowledged", "ttm": "not mitigated"}


def test_times_out_of_order_are_left_out_not_negative() -> None:
    bad = timed(
        "INC-2025-004",
        "2025-11-01T10:00:00Z",
        "2025-11-01T10:10:00Z",
        "2025-11-01T10:05:00Z",
        resolved="2025-11-01T11:00:00Z",
    )
    got = response.incident_times(bad)
    assert got.minutes["tta"] is None
    assert got.left_out["tta"] == "times out of order"


def test_offsets_do_not_change_durations() -> None:
    # 23:30-05:00 is 04:30Z the next day; durations are the same either way
    east = timed(
        "INC-2025-005",
        "2025-11-01T23:30:00-05:00",
        "2025-11-02T04:40:00Z",
        resolved="2025-11-02T00:40:00-05:00",
    )
    assert response.incident_times(east).minutes["ttd"] == 10.0
    assert response.incident_times(east).minutes["ttr"] == 60.0


# --- aggregates ------------------------------------------------------------------------------


def three_incidents() -> KnowledgeBase:
    # TTR 10, 20, 90 (mean 40, median 20); one open; one resolved without an ack time
    return kb(
        timed(
            "INC-2025-001",
            "2025-07-01T00:00:00Z",
            "2025-07-01T00:02:00Z",
            "2025-07-01T00:04:00Z",
            resolved="2025-07-01T00:12:00Z",
            severity="SEV-1",
            services=("api", "auth"),
        ),
        timed(
            "INC-2025-002",
            "2025-09-30T23:59:00Z",
            "2025-10-01T00:03:00Z",
            "2025-10-01T00:13:00Z",
            resolved="2025-10-01T00:23:00Z",
            severity="SEV-3",
        ),
        timed(
            "INC-2025-003",
            "2025-12-31T23:30:00-05:00",
            "2026-01-01T04:40:00Z",
            resolved="2026-01-01T06:10:00Z",
            severity="SEV-9",
            services=("api",),
        ),
        timed("INC-2025-004", "2025-11-30T10:00:00Z", "2025-11-30T10:06:00Z", severity="SEV-3"),
    )


def test_overall_mean_median_and_what_was_left_out() -> None:
    base = three_incidents()
    assert response.response_stats(base, "ttr") == Stat(3, 40.0, 20.0, {"still open": 1})
    assert response.response_stats(base, "ttd") == Stat(4, 5.5, 5.0, {})
    assert response.response_stats(base, "tta") == Stat(
        2, 6.0, 6.0, {"not acknowledged": 1, "still open": 1}
    )
    assert response.response_stats(kb(), "ttr") == Stat(0, None, None, {})


def test_by_severity_most_severe_first_unknown_last() -> None:
    got = response.response_stats_by_severity(three_incidents(), "ttr")
    assert list(got) == ["SEV-1", "SEV-3", "SEV-9"]
    assert got["SEV-1"] == Stat(1, 10.0, 10.0, {})
    assert got["SEV-3"] == Stat(1, 20.0, 20.0, {"still open": 1})


def test_by_service_counts_an_incident_for_each_service() -> None:
    got = response.response_stats_by_service(three_incidents(), "ttr")
    assert list(got) == ["api", "auth"]
    assert got["api"] == Stat(2, 50.0, 50.0, {})
    assert got["auth"] == Stat(2, 15.0, 15.0, {"still open": 1})


def test_by_quarter_uses_utc_start_and_fills_gaps() -> None:
    got = response.response_stats_by_quarter(three_incidents(), "ttr")
    # 2025-09-30T23:59Z is Q3; 2025-12-31T23:30-05:00 is 2026-01-01T04:30Z, Q1 of 2026
    assert list(got) == ["2025-Q3", "2025-Q4", "2026-Q1"]
    assert got["2025-Q3"] == Stat(2, 15.0, 15.0, {})
    assert got["2025-Q4"] == Stat(0, None, None, {"still open": 1})
    assert got["2026-Q1"] == Stat(1, 90.0, 90.0, {})

    sparse = kb(
        timed("INC-2025-001", "2025-01-05T00:00:00Z", "2025-01-05T00:01:00Z"),
        timed("INC-2025-002", "2025-10-05T00:00:00Z", "2025-10-05T00:03:00Z"),
    )
    quarters = response.response_stats_by_quarter(sparse, "ttd")
    assert list(quarters) == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert quarters["2025-Q2"] == Stat(0, None, None, {})
    assert response.response_stats_by_quarter(kb(), "ttd") == {}


@pytest.mark.parametrize(
    ("stamp", "quarter", "month"),
    [
        ("2025-03-31T23:59:59Z", "2025-Q1", "2025-03"),
        ("2025-04-01T00:00:00Z", "2025-Q2", "2025-04"),
        ("2025-06-30T20:00:00-04:00", "2025-Q3", "2025-07"),  # 00:00Z on 1 July
        ("2025-10-01T01:00:00+02:00", "2025-Q3", "2025-09"),  # 23:00Z on 30 September
        ("2025-12-31T23:30:00-05:00", "2026-Q1", "2026-01"),
    ],
)
def test_quarter_and_month_keys_in_utc(stamp: str, quarter: str, month: str) -> None:
    assert trends.quarter_of(ts(stamp)) == quarter
    assert trends.month_of(ts(stamp)) == month


def test_ranges() -> None:
    assert trends.quarter_range("2024-Q3", "2025-Q2") == [
        "2024-Q3",
        "2024-Q4",
        "2025-Q1",
        "2025-Q2",
    ]
    assert trends.quarter_range("2025-Q2", "2025-Q1") == []
    assert trends.month_range(date(2025, 2, 10), 3) == ["2024-12", "2025-01", "2025-02"]
    assert len(trends.month_range(TODAY, 12)) == 12
    assert trends.quarter_of(date(2025, 12, 1)) == "2025-Q4"


# --- incidents per service per quarter by severity -------------------------------------------


def test_incident_counts_have_no_gaps() -> None:
    base = kb(
        timed(
            "INC-2025-001",
            "2025-02-01T00:00:00Z",
            "2025-02-01T00:01:00Z",
            severity="SEV-1",
            services=("auth", "api"),
        ),
        timed(
            "INC-2025-002", "2025-12-31T23:30:00-05:00", "2026-01-01T04:31:00Z", severity="SEV-2"
        ),
        timed(
            "INC-2025-003",
            "2025-02-02T00:00:00Z",
            "2025-02-02T00:01:00Z",
            severity="SEV-7",
            services=("billing",),
        ),
    )
    got = trends.incidents_per_quarter(base)
    assert list(got) == ["api", "auth", "billing"]
    quarters = ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"]
    assert all(list(per) == quarters for per in got.values())
    assert list(got["auth"]["2025-Q2"]) == ["SEV-1", "SEV-2", "SEV-3", "SEV-7"]
    assert got["auth"]["2025-Q1"] == {"SEV-1": 1, "SEV-2": 0, "SEV-3": 0, "SEV-7": 0}
    assert got["api"]["2025-Q1"]["SEV-1"] == 1
    assert got["auth"]["2025-Q4"]["SEV-2"] == 0
    assert got["auth"]["2026-Q1"]["SEV-2"] == 1  # next UTC day, next quarter
    assert got["billing"]["2025-Q1"]["SEV-7"] == 1
    assert sum(n for per in got["auth"].values() for n in per.values()) == 2


def test_incident_counts_reach_today_when_asked() -> None:
    base = kb(timed("INC-2025-001", "2025-02-01T00:00:00Z", "2025-02-01T00:01:00Z"))
    assert list(trends.incidents_per_quarter(base)["auth"]) == ["2025-Q1"]
    assert list(trends.incidents_per_quarter(base, TODAY)["auth"]) == [
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-Q4",
    ]
    empty = trends.incidents_per_quarter(kb())
    assert empty == {"api": {}, "auth": {}}
    assert list(trends.incidents_per_quarter(kb(), TODAY)["api"]) == ["2025-Q4"]


# --- postmortems -----------------------------------------------------------------------------


def resolved(id_: str, day: str, **overrides: object) -> Postmortem:
    return pm(
        id=id_,
        started_at=ts(f"{day}T10:00:00Z"),
        detected_at=ts(f"{day}T10:05:00Z"),
        resolved_at=ts(f"{day}T11:00:00Z"),
        **overrides,
    )


def required_mix() -> KnowledgeBase:
    heavy = Impact("Everyone", 100.0)  # 60 min at 100% of auth's 40.32-minute budget
    return kb(
        resolved("INC-2025-001", "2025-10-01", severity="SEV-1", status="published"),
        resolved("INC-2025-002", "2025-11-01", severity="SEV-2"),  # due 11-08: overdue
        resolved("INC-2025-003", "2025-11-24", severity="SEV-2"),  # due 12-01 (today): not yet
        resolved("INC-2025-004", "2025-11-28", severity="SEV-1", status="in-review"),  # 12-03
        pm(id="INC-2025-005", severity="SEV-1", resolved_at=None),  # still open
        resolved("INC-2025-006", "2025-10-01"),  # SEV-3, light: not required
        resolved("INC-2025-007", "2025-10-02", impact=heavy),  # SEV-3 but over 20%: due 10-16
        resolved("INC-2025-008", "2025-10-03", severity="SEV-9", impact=heavy),  # no due date
    )


def test_postmortem_completion_counts_only_what_could_be_done() -> None:
    got = postmortems.postmortem_completion(required_mix(), TODAY)
    assert (got.published, got.required) == (1, 3)
    assert got.pct == pytest.approx(100 / 3)
    assert got.not_yet_due == ("INC-2025-003", "INC-2025-004")
    assert got.not_required == 1
    assert got.left_out == {"incident not resolved": 1, "no due date": 1, "not yet due": 2}


def test_postmortem_completion_without_anything_required() -> None:
    got = postmortems.postmortem_completion(kb(pm()), TODAY)
    assert (got.published, got.required, got.not_required, got.pct) == (0, 0, 1, None)


def test_overdue_postmortems_oldest_due_first() -> None:
    got = postmortems.overdue_postmortems(required_mix(), TODAY)
    assert [(o.postmortem.id, o.due, o.days_overdue) for o in got] == [
        ("INC-2025-007", date(2025, 10, 16), 46),
        ("INC-2025-002", date(2025, 11, 8), 23),
    ]
    assert got[0].reason.startswith("it consumed")
    assert got[1].reason == "SEV-2 requires a postmortem"
    # the day after the due date it becomes overdue
    assert [
        o.postmortem.id for o in postmortems.overdue_postmortems(required_mix(), date(2025, 12, 2))
    ] == [
        "INC-2025-007",
        "INC-2025-002",
        "INC-2025-003",
    ]


# --- action items ----------------------------------------------------------------------------


def test_action_item_completion_is_the_actions_rate() -> None:
    def item(index: int, status: str, done: str | None = None) -> ActionItem:
        return ActionItem(
            f"item {index}",
            "bob",
            date(2025, 10, 10),
            status,
            "prevent",
            date.fromisoformat(done) if done else None,
            index=index,
        )

    base = kb(
        resolved(
            "INC-2025-001",
            "2025-10-01",
            action_items=(item(0, "done", "2025-10-20"), item(1, "open"), item(2, "wont-do")),
        ),
        pm(id="INC-2025-002", resolved_at=None, action_items=(item(0, "open"),)),
    )
    got = actions.action_item_completion(base, TODAY)
    assert got == actions.completion_within(actions.all_items(base, TODAY), TODAY)
    assert (got.done, got.total, got.pct) == (1, 2, 50.0)
    assert got.left_out == {"incident not resolved": 1, "won't do": 1}


# --- SEV-1 per month -------------------------------------------------------------------------


def sev1(id_: str, start: str, sev: str = "SEV-1") -> Postmortem:
    return pm(id=id_, severity=sev, started_at=ts(start), detected_at=ts(start), resolved_at=None)


def test_sev1_per_month_flags_months_above_three() -> None:
    base = kb(
        *(sev1(f"INC-2025-1{i:02d}", f"2025-11-0{i + 1}T12:00:00Z") for i in range(4)),
        *(sev1(f"INC-2025-2{i:02d}", f"2025-10-0{i + 1}T12:00:00Z") for i in range(3)),
        sev1("INC-2025-301", "2025-11-30T23:30:00-05:00"),  # 2025-12-01 in UTC
        sev1("INC-2024-001", "2024-12-31T12:00:00Z"),  # before the range
        sev1("INC-2025-401", "2025-11-15T12:00:00Z", "SEV-2"),  # another level
    )
    got = trends.sev1_per_month(base, TODAY)
    assert got.level == "SEV-1"
    assert list(got.counts) == [f"2025-{m:02d}" for m in range(1, 13)]
    assert (got.counts["2025-10"], got.counts["2025-11"], got.counts["2025-12"]) == (3, 4, 1)
    assert got.flagged == ("2025-11",)
    assert got.left_out == {"before 2025-01": 1}

    shorter = trends.sev1_per_month(base, date(2025, 11, 20), months=2)
    assert shorter.counts == {"2025-10": 3, "2025-11": 4}
    assert shorter.left_out == {"after 2025-11": 1, "before 2025-10": 1}
    assert trends.sev1_per_month(base, TODAY, flag_above=2).flagged == ("2025-10", "2025-11")
    with pytest.raises(ValueError, match="at least 1"):
        trends.sev1_per_month(base, TODAY, months=0)


def test_most_severe_level_comes_from_the_policy() -> None:
    policy = SeverityPolicy(
        levels=(level("P2", 1, True, 60, 7), level("P1", 0, True, 30, 5)),
        error_budget=POLICY.error_budget,
        source=POLICY.source,
    )
    base = replace(
        kb(
            sev1("INC-2025-001", "2025-11-02T00:00:00Z", "P1"),
            sev1("INC-2025-002", "2025-11-03T00:00:00Z"),
        ),
        policy=policy,
    )
    assert trends.most_severe_level(base) == "P1"
    assert trends.sev1_per_month(base, TODAY).counts["2025-11"] == 1
    assert trends.severity_order(base, ["SEV-1"]) == ["P1", "P2", "SEV-1"]
    assert trends.most_severe_level(replace(base, policy=None)) == "SEV-1"


# --- quartiles -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("metric", "value", "expected"),
    [
        ("mttd", 0.0, "top"),
        ("mttd", 2.0, "top"),
        ("mttd", 2.5, "above median"),
        ("mttd", 15.0, "above median"),
        ("mttd", 60.0, "below median"),
        ("mttd", 60.1, "bottom"),
        ("mtta", 3.0, "top"),
        ("mtta", 30.0, "below median"),
        ("mttm", 61.0, "below median"),
        ("mttm", 241.0, "bottom"),
        ("mttr", 30.0, "top"),
        ("mttr", 240.0, "above median"),
        ("mttr", 1440.0, "below median"),
        ("mttr", 1441.0, "bottom"),
        ("postmortem_completion", 100.0, "top"),
        ("postmortem_completion", 99.9, "above median"),
        ("postmortem_completion", 60.0, "above median"),
        ("postmortem_completion", 20.0, "below median"),
        ("postmortem_completion", 19.9, "bottom"),
        ("action_item_completion", 90.0, "top"),
        ("action_item_completion", 50.0, "above median"),
        ("action_item_completion", 25.0, "below median"),
        ("action_item_completion", 0.0, "bottom"),
        ("mttr", None, None),
    ],
)
def test_placement(metric: str, value: float | None, expected: str | None) -> None:
    assert response.placement(metric, value) == expected


def test_placement_of_an_unknown_metric_is_a_mistake() -> None:
    with pytest.raises(KeyError):
        response.placement("mttx", 1.0)


def test_benchmarks_place_every_metric() -> None:
    got = {b.metric: b for b in response.benchmarks(three_incidents(), TODAY)}
    assert list(got) == [
        "mttd",
        "mtta",
        "mttm",
        "mttr",
        "postmortem_completion",
        "action_item_completion",
    ]
    assert (got["mttr"].value, got["mttr"].placement, got["mttr"].count) == (
        40.0,
        "above median",
        3,
    )
    assert got["mttr"].left_out == {"still open": 1}
    assert got["mttm"].value is None and got["mttm"].placement is None
    assert got["postmortem_completion"].unit == "%"
    # INC-2025-001 is SEV-1, resolved 2025-07-01 and still a draft: overdue
    assert got["postmortem_completion"].value == 0.0
    assert got["postmortem_completion"].placement == "bottom"
    assert got["action_item_completion"].value is None
