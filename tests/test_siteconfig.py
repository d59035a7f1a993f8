"""mkdocs.yml arrives in pull requests: it must not run code or switch the site's safety off.

Each check is exercised in process on a repository in tmp_path, and the file is never
loaded with a loader that constructs anything: a hostile mkdocs.yml is read, not run.
"""

from __future__ import annotations

import os
import subprocess
import textwrap
import time
import uuid
from pathlib import Path

import pytest
import yaml

from conftest import REPO
from incident_kb.checks.siteconfig import (
    MAX_MKDOCS_BYTES,
    PYTHON_NAMES,
    _Checker,
    _NodeLoader,
    check_mkdocs_yml,
)
from incident_kb.core.findings import Findings, Level

#: What every test file starts from: the hook, and Material without Google Fonts.
BASE = """\
site_name: KB
theme:
  name: material
  font: false
hooks:
  - hooks/incident_kb_site.py
"""
HOOK_MISSING = (
    "the incident-kb hook (or plugin) is not in mkdocs.yml: the site would be built "
    "without validation or sanitising"
)
SNIPPETS_WHY = (
    'snippets can include any file (--8<-- ".git/config") into the published site: set '
    "base_path to folders of snippets inside the repository"
)
LOG_WHY = (
    "MkDocs logs configuration values before incident-kb installs its log filter, so this "
    "could forge log lines"
)
FONT = (
    "notice: asks for web fonts, which incident-kb switches off so that the site loads nothing "
    "from the internet (Google Fonts); the plugin's external_fonts: true keeps them"
)


def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / ".git").mkdir(exist_ok=True)
    return root


def findings_of(root: Path) -> Findings:
    findings = Findings()
    check_mkdocs_yml(root, root / "docs", findings)
    assert all(f.rule == "site-config" for f in findings)
    return findings


def check(tmp_path: Path, text: str, base: str = BASE) -> list[str]:
    """The formatted findings for ``base`` followed by ``text`` (dedented)."""
    root = repo(tmp_path)
    (root / "mkdocs.yml").write_text(base + textwrap.dedent(text), encoding="utf-8")
    return [finding.format() for finding in findings_of(root)]


def base_line(extra: int) -> int:
    """The file line of line ``extra`` (1-based) of the text after BASE."""
    return BASE.count("\n") + extra


# -- the repository, and files that are no configuration at all --------------------------


def test_the_repositorys_own_mkdocs_yml_has_no_findings() -> None:
    findings = Findings()
    check_mkdocs_yml(REPO, REPO / "docs", findings)
    assert [f.format() for f in findings] == []


def test_the_base_of_these_tests_has_no_findings(tmp_path: Path) -> None:
    assert check(tmp_path, "") == []


def test_without_mkdocs_yml_there_is_nothing_to_check(tmp_path: Path) -> None:
    assert len(findings_of(repo(tmp_path))) == 0


def test_malformed_yaml_is_one_finding_not_a_traceback(tmp_path: Path) -> None:
    assert check(tmp_path, "site_name: KB\n  nav: x\n", base="") == [
        "mkdocs.yml:2: (document): is not valid YAML: mapping values are not allowed here"
    ]
    assert check(tmp_path, "nav: [a, b\n", base="") == [
        "mkdocs.yml:2: (document): is not valid YAML: expected ',' or ']', but got "
        "'<stream end>' (while parsing a flow sequence)"
    ]


@pytest.mark.parametrize(
    "raw",
    [
        b"site_name: \xff\xfe\xfa\n",  # not UTF-8
        b"site_name: a\x07b\n",  # a raw control character: YAML refuses it
        b"a: 1\n---\nb: 2\n",  # two documents
        b"a: *nowhere\n",  # an alias of no anchor
        b"[" * 5000,  # nested past what the parser's recursion allows
    ],
)
def test_unreadable_yaml_is_one_finding(tmp_path: Path, raw: bytes) -> None:
    root = repo(tmp_path)
    (root / "mkdocs.yml").write_bytes(raw)
    findings = list(findings_of(root))
    assert len(findings) == 1
    assert findings[0].level is Level.ERROR
    assert findings[0].field == "(document)"


def test_a_file_over_the_size_limit_is_refused_quickly(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "mkdocs.yml").write_text("nav:\n" + "  - a.md\n" * (2 * 1024 * 1024 // 9))
    assert (root / "mkdocs.yml").stat().st_size > 2 * 1024 * 1024 - 100
    start = time.monotonic()
    findings = [f.format() for f in findings_of(root)]
    assert time.monotonic() - start < 0.5
    assert findings == [
        f"mkdocs.yml:1: (document): is larger than {MAX_MKDOCS_BYTES} bytes; it is not read "
        "(a real one is a few kilobytes)"
    ]


def test_a_top_level_that_is_not_a_mapping_is_an_error(tmp_path: Path) -> None:
    assert check(tmp_path, "- a\n- b\n", base="") == [
        "mkdocs.yml:1: (document): must be a mapping of settings (key: value lines)"
    ]


def test_an_empty_file_lacks_the_hook(tmp_path: Path) -> None:
    assert check(tmp_path, "", base="") == [f"mkdocs.yml:1: hooks: {HOOK_MISSING}"]


# -- 1. Python tags ------------------------------------------------------------------------


def test_os_system_is_reported_and_never_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = Path(f"/tmp/pwned-{uuid.uuid4().hex}")
    ran: list[object] = []

    def refuse(*args: object, **kwargs: object) -> int:
        ran.append(args)
        return 1

    monkeypatch.setattr(os, "system", refuse)
    monkeypatch.setattr(subprocess, "Popen", refuse)
    text = f'extra:\n  x: !!python/object/apply:os.system ["touch {marker}"]\n'
    assert check(tmp_path, text) == [
        f"mkdocs.yml:{base_line(2)}: extra.x: !!python/object/apply:os.system: MkDocs reads "
        "mkdocs.yml with a loader that builds Python objects, so this tag imports or runs code "
        "(a shell command, say) on every build: remove it"
    ]
    assert not marker.exists()
    assert ran == []


def test_the_node_loader_refuses_to_construct_anything(tmp_path: Path) -> None:
    marker = tmp_path / f"pwned-{uuid.uuid4().hex}"
    text = f'x: !!python/object/apply:os.system ["touch {marker}"]\ny: plain\n'
    assert yaml.compose(text, Loader=_NodeLoader) is not None  # composing is fine
    with pytest.raises(TypeError, match="nothing is constructed"):
        yaml.load(text, Loader=_NodeLoader)  # the loader constructs nothing
    with pytest.raises(TypeError):
        yaml.load("y: plain\n", Loader=_NodeLoader)  # not even a str
    assert not marker.exists()


@pytest.mark.parametrize(
    "value",
    [
        "!!python/object/new:os.system [ls]",
        "!!python/object:builtins.object {}",
        "!!python/module:os ''",
        "!!python/name:os.system ''",
        "!!python/name:material.extensions.emoji ''",  # a module, not one of the functions
        "!!python/tuple [1, 2]",
        "!<tag:yaml.org,2002:python/object/apply:os.system> [ls]",  # the verbatim form
        "!<tag:yaml.org,2002:%70ython/object/apply:os.system> [ls]",  # percent-encoded
        "!!python/object/apply:pymdownx.slugs.slugify [ls]",  # positional: not the options
        "!!python/object/apply:pymdownx.slugs.slugify {kwds: {case: lower}, state: {a: 1}}",
        "!!python/object/apply:pymdownx.slugs.slugify {kwds: {case: [!!python/name:os.system '']}}",
    ],
)
def test_python_tags_that_import_or_run_code_are_errors(tmp_path: Path, value: str) -> None:
    findings = check(tmp_path, f"extra:\n  x: {value}\n")
    assert findings
    assert all(f.startswith(f"mkdocs.yml:{base_line(2)}: extra.x") for f in findings)


def test_a_tag_directive_cannot_hide_a_python_tag(tmp_path: Path) -> None:
    text = (
        "%TAG !p! tag:yaml.org,2002:python/\n---\n" + BASE + "x: !p!object/apply:os.system [ls]\n"
    )
    findings = check(tmp_path, text, base="")
    assert len(findings) == 1
    assert findings[0].startswith("mkdocs.yml:9: x: !!python/object/apply:os.system: ")


def test_a_python_tag_on_a_key_is_an_error(tmp_path: Path) -> None:
    findings = check(tmp_path, "extra:\n  ? !!python/object/apply:os.system [ls]\n  : 1\n")
    assert len(findings) == 1
    assert "!!python/object/apply:os.system" in findings[0]


def test_a_python_name_out_of_the_allowlist_names_the_allowed_ones(tmp_path: Path) -> None:
    (finding,) = check(tmp_path, "extra:\n  x: !!python/name:os.system\n")
    assert finding.startswith(
        f"mkdocs.yml:{base_line(2)}: extra.x: !!python/name:os.system imports Python code "
        "when MkDocs reads mkdocs.yml; only these names are allowed: "
    )
    assert "material.extensions.emoji.twemoji" in finding


def test_what_material_documents_is_allowed(tmp_path: Path) -> None:
    text = """\
    markdown_extensions:
      - pymdownx.emoji:
          emoji_index: !!python/name:material.extensions.emoji.twemoji
          emoji_generator: !!python/name:material.extensions.emoji.to_svg
      - pymdownx.superfences:
          custom_fences:
            - name: mermaid
              class: mermaid
              format: !!python/name:pymdownx.superfences.fence_code_format
            - name: math
              class: arithmatex
              format: !!python/object/apply:pymdownx.arithmatex.arithmatex_fenced_format
                kwds:
                  mode: generic
                  tag: pre
      - toc:
          slugify: !!python/object/apply:pymdownx.slugs.slugify
            kwds:
              case: lower
      - pymdownx.tabbed:
          slugify: !!python/object/apply:pymdownx.slugs.slugify {kwds: {case: lower}}
    extra:
      analytics_key: !ENV [ANALYTICS_KEY, ""]
    """
    assert check(tmp_path, text) == []


def test_every_allowed_python_name_exists() -> None:
    """The allowlist names functions of the installed Material and PyMdown Extensions."""
    import importlib

    for name in sorted(PYTHON_NAMES):
        module, _, attribute = name.rpartition(".")
        assert callable(getattr(importlib.import_module(module), attribute)), name


def test_an_alias_bomb_is_walked_once_per_node(tmp_path: Path) -> None:
    lines = ["a0: &a0 !!python/object/apply:os.system [ls]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    start = time.monotonic()
    findings = check(tmp_path, "\n".join(lines) + "\n")
    assert time.monotonic() - start < 2
    assert len(findings) == 1  # the tag once, not 9**9 times
    assert findings[0].startswith(f"mkdocs.yml:{base_line(1)}: a0: ")


# -- 2. the incident-kb hook or plugin ------------------------------------------------------


def test_without_the_hook_the_site_is_unvalidated(tmp_path: Path) -> None:
    assert check(tmp_path, "site_name: KB\nplugins: [tags]\n", base="") == [
        f"mkdocs.yml:2: hooks: {HOOK_MISSING}"
    ]
    assert check(tmp_path, "site_name: KB\nhooks: [hooks/other.py]\n", base="") == [
        f"mkdocs.yml:2: hooks: {HOOK_MISSING}"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "hooks: [ci/incident_kb_site.py]\n",
        "hooks: [incident_kb_site.py, hooks/other.py]\n",
        "plugins: [search, incident-kb]\n",
        "plugins:\n  - incident-kb:\n      enabled: true\n",
        "plugins:\n  tags: {}\n  incident-kb: {}\n",
    ],
)
def test_the_hook_in_any_folder_or_the_plugin_will_do(tmp_path: Path, text: str) -> None:
    assert check(tmp_path, "site_name: KB\n" + text, base="") == []


@pytest.mark.parametrize(
    "text",
    [
        "plugins:\n  - incident-kb:\n      enabled: false\n",
        "plugins:\n  - incident-kb:\n      enabled: !ENV [KB, false]\n",
        "plugins:\n  incident-kb-extra: {}\n",
        "hooks: !ENV [HOOKS, hooks/incident_kb_site.py]\n",
        "hooks: [!ENV HOOK]\n",
    ],
)
def test_a_disabled_or_computed_hook_does_not_count(tmp_path: Path, text: str) -> None:
    findings = check(tmp_path, "site_name: KB\n" + text, base="")
    assert findings == [f"mkdocs.yml:2: hooks: {HOOK_MISSING}"]


def test_a_later_duplicate_key_wins_and_is_reported(tmp_path: Path) -> None:
    assert check(tmp_path, "hooks: []\n") == [
        f"mkdocs.yml:{base_line(1)}: hooks: is set again (first on line 5): MkDocs uses this "
        "last value, which a reader of the first may not see",
        f"mkdocs.yml:{base_line(1)}: hooks: {HOOK_MISSING}",
    ]


def test_merge_keys_are_read_as_mkdocs_reads_them(tmp_path: Path) -> None:
    text = textwrap.dedent(
        """\
        site_name: KB
        x-theme: &theme {name: material, font: false}
        x-hooks: &hooks {hooks: [hooks/incident_kb_site.py]}
        theme:
          <<: *theme
        <<: *hooks
        """
    )
    assert check(tmp_path, text, base="") == []
    overridden = text + "theme:\n  <<: *theme\n  font: {text: Roboto}\n"
    findings = check(tmp_path, overridden, base="")
    assert f"mkdocs.yml:9: theme.font: {FONT}" in findings


def test_effective_mappings_agree_with_pyyaml() -> None:
    """Merges and duplicates resolve as the loader MkDocs uses resolves them."""
    text = textwrap.dedent(
        """\
        a: &a {x: 1, y: 1}
        b: &b {y: 2, z: 2}
        c:
          <<: [*a, *b]
          z: 3
          w: 4
          w: 5
        """
    )
    node = yaml.compose(text, Loader=_NodeLoader)
    checker = _Checker(Path(), Path(), Findings())
    c = checker.value(node, "c")
    assert c is not None
    ours = {key: value.value for key, (_, value) in checker.mapping(c[1]).items()}
    theirs = yaml.safe_load(text)["c"]
    assert ours == {key: str(value) for key, value in theirs.items()}


def test_inherit_is_an_error(tmp_path: Path) -> None:
    assert check(tmp_path, "INHERIT: base.yml\n") == [
        f"mkdocs.yml:{base_line(1)}: INHERIT: reads settings from another file, which is "
        "loaded with the same code-running loader but not checked: keep the whole "
        "configuration in mkdocs.yml"
    ]


# -- 3. snippets ----------------------------------------------------------------------------


def snippets(options: str) -> str:
    return "markdown_extensions:\n  - pymdownx.snippets:\n" + textwrap.indent(
        textwrap.dedent(options), "      "
    )


def test_snippets_without_base_path_read_the_whole_repository(tmp_path: Path) -> None:
    assert check(tmp_path, "markdown_extensions:\n  - pymdownx.snippets\n") == [
        f"mkdocs.yml:{base_line(2)}: markdown_extensions.pymdownx.snippets: sets no base_path, "
        f"so it reads from the repository root: {SNIPPETS_WHY}"
    ]
    assert len(check(tmp_path, snippets("check_paths: true\n"))) == 1


@pytest.mark.parametrize(
    ("base_path", "problem"),
    [
        ("'.'", "'.' is the repository root"),
        ("''", "'' is the repository root"),
        ("'./'", "'./' is the repository root"),
        (".git", "'.git' is git's own folder"),
        (".git/hooks", "'.git/hooks' is git's own folder"),
        ("../elsewhere", "'../elsewhere' is outside the repository"),
        ("/etc", "'/etc' is outside the repository"),
        ("docs/../..", "'docs/../..' is outside the repository"),
        ("!relative $config_dir", "'$config_dir' is the repository root"),
    ],
)
def test_snippets_base_path_must_be_a_folder_of_snippets(
    tmp_path: Path, base_path: str, problem: str
) -> None:
    assert check(tmp_path, snippets(f"base_path: {base_path}\n")) == [
        f"mkdocs.yml:{base_line(3)}: markdown_extensions.pymdownx.snippets.base_path: "
        f"{problem}: {SNIPPETS_WHY}"
    ]


@pytest.mark.parametrize(
    "base_path",
    [
        "snippets",
        "[snippets, docs/includes]",
        "docs",
        "!relative $config_dir/snippets",
        "!relative $docs_dir",
        "!relative",
    ],
)
def test_snippets_fenced_into_folders_are_fine(tmp_path: Path, base_path: str) -> None:
    text = snippets(f"base_path: {base_path}\nrestrict_base_path: true\nurl_download: false\n")
    assert check(tmp_path, text) == []


def test_snippets_base_path_problems_one_per_entry(tmp_path: Path) -> None:
    findings = check(tmp_path, snippets("base_path: [snippets, ., .git, !ENV SNIPPETS]\n"))
    assert len(findings) == 3
    assert findings[-1].endswith(
        f"must be a folder written out, not a computed value: {SNIPPETS_WHY}"
    )
    assert len(check(tmp_path, snippets("base_path: []\n"))) == 1


def test_snippets_base_path_through_a_link_out_is_outside(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "snippets").symlink_to(tmp_path)
    (root / "mkdocs.yml").write_text(BASE + snippets("base_path: snippets\n"), encoding="utf-8")
    assert [f.format() for f in findings_of(root)] == [
        f"mkdocs.yml:{base_line(3)}: markdown_extensions.pymdownx.snippets.base_path: "
        f"'snippets' is outside the repository: {SNIPPETS_WHY}"
    ]


def test_snippets_must_keep_restrict_base_path_and_no_downloads(tmp_path: Path) -> None:
    text = snippets("base_path: snippets\nrestrict_base_path: false\nurl_download: true\n")
    assert check(tmp_path, text) == [
        f"mkdocs.yml:{base_line(4)}: markdown_extensions.pymdownx.snippets.restrict_base_path: "
        f"must not be turned off (it keeps '..' inside base_path): {SNIPPETS_WHY}",
        f"mkdocs.yml:{base_line(5)}: markdown_extensions.pymdownx.snippets.url_download: "
        "must not be turned on: it includes whatever a URL returns into the site, and the "
        "site loads nothing from outside",
    ]
    computed = snippets("base_path: snippets\nrestrict_base_path: !ENV [R, false]\n")
    assert len(check(tmp_path, computed)) == 1


def test_snippets_in_a_mapping_of_extensions_is_checked_too(tmp_path: Path) -> None:
    findings = check(tmp_path, "markdown_extensions:\n  pymdownx.snippets: {base_path: .}\n")
    assert len(findings) == 1
    assert "is the repository root" in findings[0]


# -- 4. extra_css and extra_javascript -----------------------------------------------------


def test_scripts_and_styles_from_other_hosts_are_errors(tmp_path: Path) -> None:
    text = """\
    extra_javascript:
      - js/ok.js
      - https://cdn.example.com/x.js
      - //cdn.example.com/x.js
      - path: http://cdn.example.com/x.mjs
        type: module
      - path: js/ok.mjs
        type: module
      - /js/x.js
      - ../x.js
      - data:text/javascript,alert(1)
    extra_css:
      - css/ok.css
      - HTTPS://fonts.example.com/x.css
      - C:\\\\x.css
      - css/../../x.css
    """
    line = base_line
    assert check(tmp_path, text) == [
        f"mkdocs.yml:{line(3)}: extra_javascript[1]: 'https://cdn.example.com/x.js' is a URL: "
        "the site loads nothing from outside itself; copy the file into docs_dir",
        f"mkdocs.yml:{line(4)}: extra_javascript[2]: '//cdn.example.com/x.js' loads a file "
        "from another host: the site loads nothing from outside itself",
        f"mkdocs.yml:{line(5)}: extra_javascript[3].path: 'http://cdn.example.com/x.mjs' is a "
        "URL: the site loads nothing from outside itself; copy the file into docs_dir",
        f"mkdocs.yml:{line(9)}: extra_javascript[5]: '/js/x.js' is an absolute path: name a "
        "file inside docs_dir",
        f"mkdocs.yml:{line(10)}: extra_javascript[6]: '../x.js' leads out of docs_dir with "
        "'..': name a file inside docs_dir",
        f"mkdocs.yml:{line(11)}: extra_javascript[7]: 'data:text/javascript,alert(1)' is a URL: "
        "the site loads nothing from outside itself; copy the file into docs_dir",
        f"mkdocs.yml:{line(14)}: extra_css[1]: 'HTTPS://fonts.example.com/x.css' is a URL: "
        "the site loads nothing from outside itself; copy the file into docs_dir",
        f"mkdocs.yml:{line(15)}: extra_css[2]: 'C:\\\\x.css' is an absolute path: name a file "
        "inside docs_dir",
        f"mkdocs.yml:{line(16)}: extra_css[3]: 'css/../../x.css' leads out of docs_dir with "
        "'..': name a file inside docs_dir",
    ]


def test_a_computed_script_is_an_error(tmp_path: Path) -> None:
    assert check(tmp_path, "extra_javascript:\n  - !ENV SCRIPT\n") == [
        f"mkdocs.yml:{base_line(2)}: extra_javascript[0]: must be a file name written out, "
        "not a computed value"
    ]


# -- 5. theme.custom_dir -------------------------------------------------------------------


def custom_dir(value: str) -> str:
    return f"site_name: KB\ntheme:\n  name: material\n  font: false\n  custom_dir: {value}\n" + (
        "hooks: [hooks/incident_kb_site.py]\n"
    )


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("/srv/theme", "'/srv/theme' is an absolute path: name a folder of the repository"),
        ("../theme", "'../theme' leads out of the repository with '..'"),
        ("docs", "'docs' is inside docs_dir: its templates would be published as files"),
        ("docs/overrides", "'docs/overrides' is inside docs_dir: its templates would be"),
        ("./docs/", "'./docs/' is inside docs_dir"),
        (".", "'.' is the repository root: every file in it would be published"),
        (".git", "'.git' is git's own folder"),
        ("!ENV THEME", "must be a folder written out, not a computed value"),
    ],
)
def test_custom_dir_must_be_a_folder_of_its_own(tmp_path: Path, value: str, problem: str) -> None:
    (finding,) = check(tmp_path, custom_dir(value), base="")
    assert finding.startswith(f"mkdocs.yml:5: theme.custom_dir: {problem}")


def test_custom_dir_holding_docs_dir_or_linked_out_is_an_error(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "site-src" / "docs").mkdir(parents=True)
    (root / "linked").symlink_to(tmp_path)
    (root / "mkdocs.yml").write_text(custom_dir("site-src"), encoding="utf-8")
    findings = Findings()
    check_mkdocs_yml(root, root / "site-src" / "docs", findings)
    assert [f.format() for f in findings] == [
        "mkdocs.yml:5: theme.custom_dir: 'site-src' holds docs_dir: its files would be "
        "published again as theme files, past incident-kb's checks; keep the theme in a "
        "folder of its own"
    ]
    (root / "mkdocs.yml").write_text(custom_dir("linked"), encoding="utf-8")
    assert [f.format() for f in findings_of(root)] == [
        "mkdocs.yml:5: theme.custom_dir: 'linked' resolves outside the repository (a symbolic link)"
    ]


def test_custom_dir_of_its_own_is_fine(tmp_path: Path) -> None:
    assert check(tmp_path, custom_dir("overrides"), base="") == []


# -- 6 and 7. control characters -----------------------------------------------------------


def test_docs_dir_and_site_dir_with_line_breaks_are_errors(tmp_path: Path) -> None:
    text = 'docs_dir: "docs\\nINFO    -  Documentation built"\nsite_dir: |\n  site\n  x\n'
    assert check(tmp_path, text) == [
        f"mkdocs.yml:{base_line(1)}: docs_dir: the path contains a control character or line "
        f"break; {LOG_WHY}",
        f"mkdocs.yml:{base_line(2)}: site_dir: the path contains a control character or line "
        f"break; {LOG_WHY}",
    ]


def test_control_characters_in_keys_and_values_are_errors(tmp_path: Path) -> None:
    text = """\
    extra:
      "note\\x1b[2J": 1
      colour: "red\\x1b[31m"
      nested:
        - "a\\u202eb"
        - 'one

          two'
      ok: |
        a block scalar
        holds line breaks by design
    """
    assert check(tmp_path, text) == [
        f"mkdocs.yml:{base_line(2)}: extra.note\\x1b[2J: the key contains a control character; "
        f"{LOG_WHY}",
        f"mkdocs.yml:{base_line(3)}: extra.colour: the value contains a control character; "
        f"{LOG_WHY}",
        f"mkdocs.yml:{base_line(5)}: extra.nested[0]: the value contains a control character; "
        f"{LOG_WHY}",
        f"mkdocs.yml:{base_line(6)}: extra.nested[1]: the value contains a control character; "
        f"{LOG_WHY}",
    ]


# -- 8. fonts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("theme", "line"),
    [
        ("theme:\n  name: material\n  font: true\n", 3),
        ("theme:\n  name: material\n  font:\n    text: Roboto\n", 3),
        ("theme:\n  name: material\n  font: !ENV [FONT, false]\n", 3),
    ],
)
def test_asking_for_web_fonts_is_a_notice(tmp_path: Path, theme: str, line: int) -> None:
    """The build switches web fonts off whatever mkdocs.yml says (unless the plugin's
    external_fonts is set), so asking for them is a notice, not a failing warning."""
    text = "hooks: [hooks/incident_kb_site.py]\n" + theme
    findings = check(tmp_path, text, base="")
    assert findings == [f"mkdocs.yml:{line + 1}: theme.font: {FONT}"]
    root = tmp_path / "repo"
    assert findings_of(root).count(Level.NOTICE) == 1
    assert findings_of(root).count(Level.WARNING) == 0


@pytest.mark.parametrize("theme", ["theme: material\n", "theme:\n  name: material\n"])
def test_no_font_setting_is_no_finding(tmp_path: Path, theme: str) -> None:
    assert check(tmp_path, "hooks: [hooks/incident_kb_site.py]\n" + theme, base="") == []


def test_other_themes_have_no_font_warning(tmp_path: Path) -> None:
    text = "hooks: [hooks/incident_kb_site.py]\ntheme:\n  name: mkdocs\n"
    assert check(tmp_path, text, base="") == []
