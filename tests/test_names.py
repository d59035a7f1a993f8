"""Names and text that end up in file names, pages, charts and spreadsheets.

Ids are short enough for a file name; plain-text fields hold no control characters;
``new`` and ``import`` never write a folder's index page; ``import`` never follows a
symbolic link; ``[[ID]]`` is left alone inside raw HTML tags; a killed build's staging
folder is removed by the next build; and a CSV cell never starts a formula.
"""

from __future__ import annotations

import csv
import fcntl
import io
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from conftest import EXAMPLE_EPOCH, FIXTURES, KB, markdown_html, run_cli, run_main, site_project
from incident_kb.cli import importing
from incident_kb.cli.listings import _cell
from incident_kb.core.config import load as load_config
from incident_kb.core.escaping import md_text
from incident_kb.documents import schema
from incident_kb.documents.yamlsafe import load as load_yaml
from incident_kb.site import links, publish

SERVICE = {
    "id": "auth",
    "name": "Auth",
    "owner": "team-identity",
    "tier": 1,
    "slo": {"availability": 99.9, "window_days": 28},
}
RUNBOOK = {
    "id": "auth-pool",
    "title": "Pool exhausted",
    "services": ["auth"],
    "owner": "team-identity",
    "last_reviewed": "2025-01-01",
}
POSTMORTEM = {
    "id": "INC-2025-001",
    "title": "Outage",
    "status": "draft",
    "severity": "SEV-3",
    "services": ["auth"],
    "started_at": "2025-03-01T10:00:00Z",
    "detected_at": "2025-03-01T10:05:00Z",
    "detection": "alert",
    "roles": {"incident_commander": "alice"},
    "impact": {"summary": "Some logins failed", "users_affected_pct": 5},
}


def problems(kind: str, base: dict[str, Any], **changes: Any) -> list[tuple[str, str]]:
    """(field, message) of every schema problem in ``base`` with ``changes`` applied."""
    text = json.dumps({**base, **changes})  # JSON is YAML; its escapes are YAML's
    tree, yaml_problems = load_yaml(text, 1)
    assert yaml_problems == []
    return [(p.field, p.message) for p in schema.validate(kind, tree)]


# -- 1. ids fit in file names; review intervals fit in a date ------------------------------


@pytest.mark.parametrize(
    ("kind", "base", "value"),
    [
        ("service", SERVICE, "a" * 65),
        ("runbook", RUNBOOK, "b" * 65),
        ("postmortem", POSTMORTEM, "INC-2025-" + "1" * 56),
    ],
)
def test_ids_are_at_most_64_characters(kind: str, base: dict[str, Any], value: str) -> None:
    assert problems(kind, base, id=value) == [("id", "must be at most 64 characters long, not 65")]
    assert problems(kind, base, id=value[:64]) == []


def test_references_to_ids_are_capped_too() -> None:
    assert problems("runbook", RUNBOOK, services=["s" * 65]) == [
        ("services[0]", "must be at most 64 characters long, not 65")
    ]


def test_a_240_character_service_id_is_a_finding_not_a_crash(kb: KB) -> None:
    long_id = "x" * 240
    kb.write(
        f"services/{long_id}.md",
        f"---\nid: {long_id}\nname: Long\nowner: team\ntier: 1\n"
        "slo:\n  availability: 99.9\n  window_days: 28\n---\n\n# Long\n",
    )
    result = run_main("validate", str(kb.root))
    assert result.code == 1
    assert result.out == (
        f"docs/services/{long_id}.md:2: id: must be at most 64 characters long, not 240\n"
    )


def test_ids_with_a_trailing_line_break_are_refused() -> None:
    """A bare ``$`` matches before a final line break in Python's ``re``."""
    assert [f for f, _ in problems("service", SERVICE, id="auth\n")] == ["id"]
    assert [f for f, _ in problems("service", SERVICE, owner="team\n")] == ["owner"]
    assert [f for f, _ in problems("runbook", RUNBOOK, alerts=["HighCPU\n"])] == ["alerts[0]"]
    assert [f for f, _ in problems("postmortem", POSTMORTEM, id="INC-2025-001\n")] == ["id"]
    assert [f for f, _ in problems("postmortem", POSTMORTEM, tags=["db\n"])] == ["tags[0]"]
    assert [f for f, _ in problems("service", SERVICE, name="Auth\n")] == ["name"]


def test_a_huge_review_interval_is_a_finding_not_an_overflow(kb: KB) -> None:
    kb.write(
        "runbooks/auth/pool.md",
        "---\nid: pool\ntitle: Pool exhausted\nservices: [auth]\nowner: team\n"
        "last_reviewed: 2025-01-01\nreview_every_days: 99999999999999999\n---\n\n# Pool\n",
    )
    result = run_main("validate", str(kb.root))
    assert result.code == 1
    assert result.out == (
        "docs/runbooks/auth/pool.md:7: review_every_days: must be between 1 and 3650, "
        "not 99999999999999999\n"
    )
    stale = run_main("--root", str(kb.root), "stale", "--as-of", "2025-06-01")
    assert stale.code == 2 and "internal error" not in stale.err
    assert "docs/runbooks/auth/pool.md" in stale.err


# -- 2. no control characters in plain text ------------------------------------------------

CONTROLS = [
    "\x00",
    "\x07",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x7f",
    "\x80",
    "\x85",
    "\x9f",
    "\u2028",
    "\u2029",
    "\u202a",
    "\u202e",
    "\u2066",
    "\u2069",
]


@pytest.mark.parametrize("char", CONTROLS)
def test_control_characters_are_refused_in_every_plain_text_field(char: str) -> None:
    bad = f"Au{char}th"
    message = f"must not contain control characters (U+{ord(char):04X} at character 3)"
    assert problems("service", SERVICE, name=bad) == [("name", message)]
    assert problems("service", SERVICE, components=["Login", bad]) == [("components[1]", message)]
    assert problems("runbook", RUNBOOK, title=bad) == [("title", message)]
    impact = {"summary": bad, "users_affected_pct": 5}
    assert problems("postmortem", POSTMORTEM, title=bad, impact=impact) == [
        ("impact.summary", message),
        ("title", message),
    ]
    item = {"title": bad, "owner": "bob", "due": "2025-04-01", "status": "open", "kind": "detect"}
    assert problems("postmortem", POSTMORTEM, action_items=[item]) == [
        ("action_items[0].title", message)
    ]
    status_page = {
        "title": bad,
        "impact": "minor",
        "components": {"Login": "partial_outage"},
        "updates": [{"at": "2025-03-01T10:10:00Z", "status": "resolved", "message": bad}],
    }
    assert problems("postmortem", POSTMORTEM, status_page=status_page) == [
        ("status_page.title", message),
        ("status_page.updates[0].message", message),
    ]


def test_tabs_and_line_breaks_only_where_text_may_span_lines() -> None:
    impact = {"summary": "Logins failed:\n\n\tmost of them", "users_affected_pct": 5}
    assert problems("postmortem", POSTMORTEM, impact=impact) == []
    impact = {"summary": "Logins failed\r\n", "users_affected_pct": 5}
    assert problems("postmortem", POSTMORTEM, impact=impact) == [
        ("impact.summary", "must not contain control characters (U+000D at character 14)")
    ]
    assert problems("service", SERVICE, name="Au\tth") == [
        ("name", "must not contain control characters (U+0009 at character 3)")
    ]
    assert problems("service", SERVICE, name="Au\nth") == [
        ("name", "must be plain text on one line: no HTML tags or line breaks")
    ]
    assert problems("service", SERVICE, name="Autorización – ¡sí! 认证 ✓") == []


def test_a_control_character_in_a_service_name_is_reported_where_it_is(kb: KB) -> None:
    kb.write(
        "services/auth.md",
        '---\nid: auth\nname: "Auth \\e[31m"\nowner: team\ntier: 1\n'
        "slo:\n  availability: 99.9\n  window_days: 28\n---\n\n# Auth\n",
    )
    result = run_main("validate", str(kb.root))
    assert result.code == 1
    assert result.out == (
        "docs/services/auth.md:3: name: must not contain control characters "
        "(U+001B at character 6)\n"
    )


# -- 3. no document written as a folder's index page ---------------------------------------


@pytest.mark.parametrize(
    ("option", "value"),
    [("--title", "index"), ("--title", "README"), ("--id", "readme"), ("--id", "index")],
)
def test_new_runbook_never_writes_an_index_page(kb: KB, option: str, value: str) -> None:
    args = ["--root", str(kb.root), "new", "runbook", "--service", "auth", "--owner", "team"]
    title = ["--title", "Index rebuild"] if option == "--id" else []
    result = run_main(*args, *title, option, value)
    assert result.code == 2, result.out
    assert f"would be written as {value.lower()}.md" in result.err
    assert "folder's index page" in result.err
    assert not (kb.docs / "runbooks").exists()


def test_import_picks_another_id_for_an_index_page_and_says_so(kb: KB, tmp_path: Path) -> None:
    source = tmp_path / "incoming"
    source.mkdir()
    (source / "index_.md").write_text("# Search index rebuild\n", encoding="utf-8")
    (source / "README_.md").write_text("# Read the logs\n", encoding="utf-8")
    (source / "index.md").write_text("# Index\n", encoding="utf-8")
    result = run_main(
        *("--root", str(kb.root), "import", "runbooks", str(source)),
        *("--service", "auth", "--owner", "team", "--reviewed", "2025-05-01"),
        *("--as-of", "2025-06-01"),
    )
    assert result.code == 0, result.out
    folder = kb.docs / "runbooks" / "auth"
    assert sorted(p.name for p in folder.iterdir()) == ["index-runbook.md", "readme-runbook.md"]
    assert "id: index-runbook\n" in (folder / "index-runbook.md").read_text(encoding="utf-8")
    assert (
        "incoming/index_.md: id: index would be written as index.md, the folder's index page, "
        "which validation never reads: used index-runbook"
    ) in result.out.splitlines()
    assert "incoming/README_.md: id: readme would be written as readme.md" in result.out
    assert "incoming/index.md: ignored: an index page, not a runbook" in result.out
    check = run_main("validate", str(kb.root), "--strict", "--as-of", "2025-06-01")
    assert (check.code, check.out) == (0, ""), check.out


# -- 4. import never follows a symbolic link -----------------------------------------------


def _import(kb: KB, source: Path, service: str = "auth") -> Any:
    return run_main(
        *("--root", str(kb.root), "import", "runbooks", str(source)),
        *("--service", service, "--owner", "team", "--reviewed", "2025-01-01"),
    )


def test_import_skips_symbolic_links_in_the_source(kb: KB, tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "id_rsa").write_text("# PRIVATE KEY\n", encoding="utf-8")
    source = tmp_path / "incoming"
    source.mkdir()
    (source / "TargetDown.md").write_text("# TargetDown\n", encoding="utf-8")
    (source / "KeyLeak.md").symlink_to(secret / "id_rsa")
    (source / "Folder.md").symlink_to(secret, target_is_directory=True)
    result = _import(kb, source)
    assert result.code == 1, result.out
    lines = result.out.splitlines()
    for name in ("KeyLeak.md", "Folder.md"):
        assert f"incoming/{name}: skipped: a symbolic link: not followed, nothing copied" in lines
    folder = kb.docs / "runbooks" / "auth"
    assert sorted(p.name for p in folder.iterdir()) == ["target-down.md"]
    assert lines[-1] == "imported 1 of 3 files: 2 skipped, 0 ignored, 0 fields not derived"


@pytest.mark.parametrize("link", ["runbooks", "runbooks/auth"])
def test_import_never_writes_through_a_linked_folder(kb: KB, tmp_path: Path, link: str) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (kb.docs / link).parent.mkdir(parents=True, exist_ok=True)
    (kb.docs / link).symlink_to(outside, target_is_directory=True)
    source = tmp_path / "incoming"
    source.mkdir()
    (source / "TargetDown.md").write_text("# TargetDown\n", encoding="utf-8")
    result = _import(kb, source)
    assert result.code == 2
    assert f"docs/{link} is a symbolic link: import never writes through one" in result.err or (
        link == "runbooks" and "a symbolic link leads out" in result.err  # the configuration
    )
    assert list(outside.iterdir()) == []


def test_import_never_writes_through_a_linked_file(kb: KB, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    folder = kb.docs / "runbooks" / "auth"
    folder.mkdir(parents=True)
    (folder / "target-down.md").symlink_to(outside / "created.md")  # dangling
    source = tmp_path / "incoming"
    source.mkdir()
    (source / "TargetDown.md").write_text("# TargetDown\n", encoding="utf-8")
    result = _import(kb, source)
    assert result.code == 1
    assert "skipped: docs/runbooks/auth/target-down.md exists: nothing overwritten" in result.out
    assert list(outside.iterdir()) == []


def test_the_write_itself_follows_no_link(kb: KB, tmp_path: Path) -> None:
    """Even when a link appears after the folder was checked."""
    config = load_config(kb.root)
    outside = tmp_path / "outside"
    outside.mkdir()
    (kb.docs / "runbooks").mkdir()
    (kb.docs / "runbooks" / "auth").symlink_to(outside, target_is_directory=True)
    with pytest.raises(importing.DestinationError, match="docs/runbooks/auth"):
        importing._write_exclusive(config, kb.docs / "runbooks/auth/x.md", b"x")
    (kb.docs / "runbooks" / "auth").unlink()
    (kb.docs / "runbooks" / "auth").mkdir()
    (kb.docs / "runbooks" / "auth" / "x.md").symlink_to(outside / "x.md")
    with pytest.raises(FileExistsError):
        importing._write_exclusive(config, kb.docs / "runbooks/auth/x.md", b"x")
    importing._write_exclusive(config, kb.docs / "runbooks/auth/y.md", b"y")
    assert (kb.docs / "runbooks/auth/y.md").read_bytes() == b"y"
    assert list(outside.iterdir()) == []


# -- 5. [[ID]] is left alone inside raw HTML -----------------------------------------------

TABLE = {
    "INC-2025-001": links.Target("postmortems/2025/2025-03-01-outage.md", 'Login "errors"'),
    "auth": links.Target("services/auth.md", "Auth"),
}


def _wikilinks(text: str) -> str:
    return links.replace_wikilinks(
        text, "index.md", TABLE, lambda title, href: f"[{md_text(title)}]({href})"
    )


@pytest.mark.parametrize(
    "text",
    [
        '<a title="[[INC-2025-001]]">x</a>',
        "<span title='[[auth]]'>x</span>",
        '<span\n  class="x"\n  title="[[auth]]">x</span>',
        '<abbr title="a > [[auth]]">x</abbr>',
        "<img alt=[[auth]] src=x.png>",
        "<!-- [[auth]] -->",
        "<!-- a > [[auth]]\n-->",
        "`[[auth]]`",
        "```\n[[auth]]\n```",
        '<a title="unclosed [[auth]]>x',
    ],
)
def test_wikilinks_inside_tags_comments_and_code_stay(text: str) -> None:
    assert _wikilinks(text) == text


def test_wikilinks_around_and_between_tags_are_replaced() -> None:
    assert _wikilinks('<b title="[[auth]]">[[auth]]</b> and [[auth]]') == (
        '<b title="[[auth]]">[Auth](services/auth.md)</b> and [Auth](services/auth.md)'
    )
    assert _wikilinks("a < b, [[auth]] > c") == "a < b, [Auth](services/auth.md) > c"
    assert _wikilinks("x <b [[auth]] y") == "x <b [Auth](services/auth.md) y"  # not a tag
    assert _wikilinks('`<a title="` [[auth]] `">`') == (
        '`<a title="` [Auth](services/auth.md) `">`'
    )
    assert _wikilinks('<a title="[[auth]]">x</a>\n\n[[auth]]') == (
        '<a title="[[auth]]">x</a>\n\n[Auth](services/auth.md)'
    )


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def test_a_rendered_page_keeps_the_attribute_whole() -> None:
    extensions = ["admonition", "attr_list", "tables", "md_in_html", "pymdownx.superfences"]
    source = '<a title="[[INC-2025-001]]" href="#x">see</a> and [[INC-2025-001]].\n'
    html = markdown_html(_wikilinks(source), extensions)
    parser = _Anchors()
    parser.feed(html)
    assert parser.tags == [
        ("p", {}),
        ("a", {"title": "[[INC-2025-001]]", "href": "#x"}),
        ("a", {"href": "postmortems/2025/2025-03-01-outage.md"}),
    ]


# -- 6. a killed build's staging folder is removed by the next build -----------------------


def _leftover(parent: Path, name: str, site: str | None) -> Path:
    folder = parent / name
    (folder / "site").mkdir(parents=True)
    (folder / "site" / "index.html").write_text("half a site", encoding="utf-8")
    if site is not None:
        marker = json.dumps({"staging_for": site})
        (folder / publish.STAGING_MARKER).write_text(marker, encoding="utf-8")
    return folder


def test_only_unlocked_staging_folders_of_this_site_are_removed(tmp_path: Path) -> None:
    site = tmp_path / "site"
    dead = _leftover(tmp_path, ".site-new-dead", "site")
    unmarked = _leftover(tmp_path, ".site-new-unmarked", None)
    other = _leftover(tmp_path, ".site-new-other", "site-new")  # another site's
    unrelated = _leftover(tmp_path, ".www-new-dead", "www")
    busy = _leftover(tmp_path, ".site-new-busy", "site")
    linked = tmp_path / ".site-new-link"
    linked.symlink_to(_leftover(tmp_path / "elsewhere", "target", "site"))
    bogus = _leftover(tmp_path, ".site-new-bogus", None)
    (bogus / publish.STAGING_MARKER).write_text("not json", encoding="utf-8")
    with (busy / publish.STAGING_MARKER).open("r+", encoding="utf-8") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)  # a build still running
        assert publish.remove_leftovers(site) == [dead]
    assert not dead.exists()
    for kept in (unmarked, other, unrelated, busy, bogus, linked):
        assert (kept / "site" / "index.html").is_file()
    assert publish.remove_leftovers(site) == [busy]


def test_a_build_removes_a_killed_builds_leftovers(tmp_path: Path) -> None:
    project = site_project(tmp_path, FIXTURES / "valid" / "docs")
    dead = _leftover(project, ".site-new-killed", "site")
    unmarked = _leftover(project, ".site-new-mine", None)
    result = run_cli("build", "--root", str(project), env={"SOURCE_DATE_EPOCH": EXAMPLE_EPOCH})
    assert result.code == 0, result.err
    assert not dead.exists()
    assert (unmarked / "site" / "index.html").read_text(encoding="utf-8") == "half a site"
    names = sorted(p.name for p in project.iterdir() if p.name.startswith("."))
    assert names == [".site-new-mine"]
    site = project / "site"
    assert (site / "index.html").is_file()
    assert not (site / publish.STAGING_MARKER).exists()  # the marker is never published
    assert site.stat().st_mode & 0o005 == 0o005


# -- 7. CSV cells never start a formula ----------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "=1+1",
        "+1",
        "-1",
        "@SUM(A1)",
        " =1+1",
        "\t=1+1",
        "\u00a0=1+1",
        "\u2003@SUM(A1)",
        "\u3000+1",
        "\u200b=1+1",
        "\u202e=1+1",
        "\r\n=1+1",
        "\n-1",
        "\uff1d1+1",
        "\uff0b1",
        "\uff0d1",
        "\uff20SUM(A1)",
        " \uff1d1+1",
        "\ufe66 1",
        "\ttext",
        "\rtext",
    ],
)
def test_formula_starts_are_neutralised(value: str) -> None:
    assert _cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Add a canary", "a=b", "email me@x", "", "1-2", 7, None])
def test_ordinary_cells_are_kept(value: object) -> None:
    assert _cell(value) == value


def test_action_items_csv_neutralises_every_form(kb: KB) -> None:
    titles = [" =1+1", "\u00a0=1+1", "\uff1d1+1", "\uff0b1", "\uff0d1", "\uff20SUM(A1)"]
    items = "".join(
        f"\n  - title: {json.dumps(t)}\n    owner: bob\n    due: 2025-03-10\n"
        "    status: open\n    kind: detect"
        for t in titles
    )
    kb.postmortem(action_items=items)
    result = run_main(
        "--root", str(kb.root), "action-items", "--format", "csv", "--as-of", "2025-03-01"
    )
    assert result.code == 0, result.err
    rows = list(csv.DictReader(io.StringIO(result.out)))
    assert [row["title"] for row in rows] == ["'" + t for t in titles]
