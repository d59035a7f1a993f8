"""Our copy of Material's ``partials/header.html`` keeps up with the installed Material.

The copy differs from Material's in two places only: its opening comment, and the search
button, which Material shows only with its own search plugin and we always show (Pagefind
replaces that plugin). Every other difference means Material changed its header and the copy
must be brought up to date; each test here says which lines differ.
"""

from __future__ import annotations

import difflib
import importlib.metadata
import importlib.resources
import re

import pytest

from incident_kb.site import search

OURS = search.THEME_DIR / "partials" / "header.html"

#: The search button: Material's lines, then ours in their place.
SEARCH_BUTTON = (
    (
        '    {% if "material/search" in config.plugins %}',
        '      {% set search = config.plugins["material/search"] | attr("config") %}',
        "      {% if search.enabled %}",
        '        <label class="md-header__button md-icon" for="__search">',
        '          {% set icon = config.theme.icon.search or "material/magnify" %}',
        '          {% include ".icons/" ~ icon ~ ".svg" %}',
        "        </label>",
        '        {% include "partials/search.html" %}',
        "      {% endif %}",
        "    {% endif %}",
    ),
    (
        '    <label class="md-header__button md-icon" for="__search">',
        '      {% set icon = config.theme.icon.search or "material/magnify" %}',
        '      {% include ".icons/" ~ icon ~ ".svg" %}',
        "    </label>",
        '    {% include "partials/search.html" %}',
    ),
)
#: Every hunk in which our copy may differ from Material's, past the opening comments.
EXPECTED_HUNKS: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (SEARCH_BUTTON,)

#: A template's opening Jinja comment: Material's says the file is generated, ours where
#: it was copied from.
LEADING_COMMENT = re.compile(r"\A\{#-?\n(?P<text>.*?)\n-?#\}\n", re.DOTALL)
COPIED_FROM = re.compile(r"Copied from Material for MkDocs (?P<version>\d+(?:\.\d+)+)\b")


def upstream_header() -> str:
    """The installed Material's ``partials/header.html``."""
    path = importlib.resources.files("material") / "templates" / "partials" / "header.html"
    return path.read_text(encoding="utf-8")


def split_comment(text: str) -> tuple[str, str]:
    """(the opening comment's text, the template after it); ("", text) without one."""
    match = LEADING_COMMENT.match(text)
    if match is None:
        return "", text
    return match["text"], text[match.end() :]


def drift(upstream: str, ours: str) -> list[str]:
    """Every way ``ours`` departs from ``upstream`` other than EXPECTED_HUNKS (each of
    which must be there once), as messages; [] when the copy is up to date."""
    theirs = split_comment(upstream)[1].splitlines()
    mine = split_comment(ours)[1].splitlines()
    matcher = difflib.SequenceMatcher(None, theirs, mine, autojunk=False)
    problems: list[str] = []
    seen: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        hunk = (tuple(theirs[i1:i2]), tuple(mine[j1:j2]))
        if hunk in EXPECTED_HUNKS and hunk not in seen:
            seen.append(hunk)
            continue
        diff = "\n".join(
            difflib.unified_diff(hunk[0], hunk[1], "material", "ours", lineterm="", n=0)
        )
        problems.append(
            f"unexpected difference at Material's line {i1 + 1} (ours {j1 + 1}):\n{diff}"
        )
    for hunk in EXPECTED_HUNKS:
        if hunk not in seen:
            first = hunk[0][0].strip() if hunk[0] else hunk[1][0].strip()
            problems.append(f"expected change missing: the hunk starting {first!r}")
    return problems


def copied_from(ours: str) -> str | None:
    """The Material version our opening comment says the copy was taken from."""
    match = COPIED_FROM.search(" ".join(split_comment(ours)[0].split()))
    return match["version"] if match else None


# -- the installed Material --------------------------------------------------------------


def test_our_header_differs_from_materials_only_where_expected() -> None:
    problems = drift(upstream_header(), OURS.read_text(encoding="utf-8"))
    assert not problems, (
        "src/incident_kb/site/theme/partials/header.html no longer matches the installed "
        "Material's partials/header.html; copy Material's again, redo the changes in "
        "EXPECTED_HUNKS and update the version in its opening comment:\n\n" + "\n\n".join(problems)
    )


def test_the_copy_names_the_material_major_version_it_follows() -> None:
    # The text comparison above is what catches drift; a newer 9.x release whose header is
    # unchanged needs no new copy, so only the major version has to agree.
    recorded = copied_from(OURS.read_text(encoding="utf-8"))
    installed = importlib.metadata.version("mkdocs-material")
    assert recorded is not None, "header.html's opening comment must say 'Copied from ...'"
    assert recorded.split(".")[0] == installed.split(".")[0], (
        f"header.html was copied from Material {recorded}, but {installed} is installed: "
        "check it against the installed partials/header.html, then update the comment"
    )


def test_materials_header_still_starts_with_its_generated_comment() -> None:
    comment, rest = split_comment(upstream_header())
    assert "automatically generated" in comment
    assert rest.lstrip().startswith("{%")


# -- the comparison itself ---------------------------------------------------------------


@pytest.fixture
def texts() -> tuple[str, str]:
    return upstream_header(), OURS.read_text(encoding="utf-8")


def test_a_change_elsewhere_in_materials_header_is_drift(texts: tuple[str, str]) -> None:
    upstream, ours = texts
    line = '<header class="{{ class }}" data-md-component="header">'
    assert upstream.count(line) == 1
    changed = upstream.replace(line, line.replace("header", "header-v2", 1))
    problems = drift(changed, ours)
    assert len(problems) == 1
    assert problems[0].startswith("unexpected difference at Material's line")
    assert "header-v2" in problems[0]


def test_new_lines_in_materials_header_are_drift(texts: tuple[str, str]) -> None:
    upstream, ours = texts
    changed = upstream.replace(
        "    {% if config.repo_url %}",
        '    {% include "partials/announce.html" %}\n    {% if config.repo_url %}',
        1,
    )
    assert changed != upstream
    problems = drift(changed, ours)
    assert problems and "partials/announce.html" in problems[0]


def test_a_change_to_materials_search_button_is_drift(texts: tuple[str, str]) -> None:
    upstream, ours = texts
    old = '{% set icon = config.theme.icon.search or "material/magnify" %}'
    changed = upstream.replace(old, old.replace("magnify", "search"))
    assert changed != upstream
    problems = drift(changed, ours)
    assert any(p.startswith("unexpected difference") for p in problems)
    assert any(p.startswith("expected change missing") for p in problems)


def test_a_copy_without_our_change_is_drift(texts: tuple[str, str]) -> None:
    upstream, _ours = texts
    assert drift(upstream, upstream) == [
        'expected change missing: the hunk starting \'{% if "material/search" in '
        "config.plugins %}'"
    ]


def test_the_opening_comments_are_not_compared(texts: tuple[str, str]) -> None:
    upstream, ours = texts
    _comment, rest = split_comment(ours)
    assert drift(upstream, "{#-\n  Anything at all.\n-#}\n" + rest) == drift(upstream, ours)


def test_the_recorded_version_is_read_from_the_comment() -> None:
    assert copied_from("{#-\n  Copied from Material for\n  MkDocs 9.1.0: its header\n-#}\n") == (
        "9.1.0"
    )
    assert copied_from("{#-\n  Material's header\n-#}\n") is None
    assert copied_from("{% set class = 'md-header' %}\n") is None
