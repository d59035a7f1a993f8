"""incident-kb.toml arrives in the same pull request as content: it must not weaken safety.

Security rules cannot be lowered, configured paths stay inside the repository and docs_dir,
alert rule globs are bounded and never read a file outside the repository, and every number
is range-checked. Each problem is a configuration error (exit 2), never a traceback.
"""

from __future__ import annotations

import glob
import textwrap
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import KB, REPO, run_main
from incident_kb.alerts import rulefiles as alertrules
from incident_kb.alerts.rulefiles import AlertRule
from incident_kb.core.config import (
    RULE_LEVELS,
    SECURITY_RULES,
    Config,
    ConfigError,
    load,
)
from incident_kb.core.findings import Findings, Level
from incident_kb.documents.schema import KIND_SCHEMAS, load_schema
from incident_kb.figures import status

RULES = """\
groups:
  - name: {group}
    rules:
      - alert: {alert}
        expr: up == 0
"""


def repo(tmp_path: Path, toml: str = "") -> Path:
    """A repository with docs/ and incident-kb.toml (no mkdocs.yml)."""
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    (root / "incident-kb.toml").write_text(textwrap.dedent(toml), encoding="utf-8")
    return root


def refused(root: Path) -> str:
    with pytest.raises(ConfigError) as info:
        load(root)
    message = str(info.value)
    assert "Traceback" not in message
    return message


def rules_file(path: Path, alert: str, group: str = "g") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(RULES.format(alert=alert, group=group), encoding="utf-8")
    return path


# -- the example and the defaults --------------------------------------------------------


def test_the_example_configuration_still_loads() -> None:
    config = load(REPO)
    assert config.docs_dir == REPO / "docs"
    assert (config.postmortems, config.runbooks, config.services) == (
        "postmortems",
        "runbooks",
        "services",
    )
    assert config.severity_policy == "policies/severity.md"
    assert config.level("unsafe-html") is Level.ERROR
    paths, problems = alertrules.configured_rule_files(config)
    assert paths and not problems


def test_an_empty_configuration_gets_the_defaults(tmp_path: Path) -> None:
    config = load(repo(tmp_path))
    assert config.review_every_days == 90 and config.search_pages_per_bundle == 2000


def test_trailing_slashes_and_dot_parts_are_normalised(tmp_path: Path) -> None:
    root = repo(tmp_path, '[paths]\npostmortems = "./incidents/"\nrunbooks = "ops//runbooks"\n')
    config = load(root)
    assert (config.postmortems, config.runbooks) == ("incidents", "ops/runbooks")


# -- rule levels -------------------------------------------------------------------------


def test_security_rules_are_errors_by_default() -> None:
    assert {"unsafe-html", "unsafe-file", "symlink", "unsafe-name"} <= SECURITY_RULES
    assert all(RULE_LEVELS[rule] is Level.ERROR for rule in SECURITY_RULES)


@pytest.mark.parametrize("level", ["warning", "notice"])
@pytest.mark.parametrize("rule", sorted(SECURITY_RULES))
def test_a_security_rule_cannot_be_lowered(tmp_path: Path, rule: str, level: str) -> None:
    message = refused(repo(tmp_path, f'[levels]\n{rule} = "{level}"\n'))
    assert message == (
        f"incident-kb.toml: levels.{rule}: is a security rule and cannot be set below error, "
        f"not '{level}': what it finds would be published"
    )


@pytest.mark.parametrize("rule", sorted(SECURITY_RULES))
def test_a_security_rule_may_be_named_as_an_error(tmp_path: Path, rule: str) -> None:
    assert load(repo(tmp_path, f'[levels]\n{rule} = "error"\n')).level(rule) is Level.ERROR


def test_level_ignores_a_lowered_security_rule_in_code() -> None:
    config = Config(root=Path("/kb"), docs_dir=Path("/kb/docs"))
    quiet = replace(config, levels={"unsafe-html": Level.NOTICE, "blame-language": Level.NOTICE})
    assert quiet.level("unsafe-html") is Level.ERROR
    assert quiet.level("blame-language") is Level.NOTICE


def test_an_unknown_rule_id_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    message = refused(repo(tmp_path, '[levels]\nunsafe-htm = "notice"\nrunbook-stale = "x"\n'))
    assert message.splitlines() == [
        "incident-kb.toml: levels.unsafe-htm: unknown key (did you mean 'unsafe-html'?)",
        "incident-kb.toml: levels.runbook-stale: must be one of error, warning, notice",
    ]


# -- paths -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('docs_dir = "/etc"', "docs_dir: must be relative to the repository, not the absolute"),
        ('docs_dir = "../docs"', "docs_dir: must stay inside the repository: '../docs' contains"),
        ('docs_dir = ""', "docs_dir: must not be empty"),
        ('docs_dir = "."', "docs_dir: must name something inside the repository, not the"),
        ('[paths]\npostmortems = "/srv/pm"', "paths.postmortems: must be relative to docs_dir"),
        ('[paths]\nrunbooks = "../runbooks"', "paths.runbooks: must stay inside docs_dir"),
        ('[paths]\nservices = "a/../../b"', "paths.services: must stay inside docs_dir"),
        ('[paths]\nservices = " "', "paths.services: must not be empty"),
        ('[paths]\nrunbooks = "./"', "paths.runbooks: must name something inside docs_dir"),
        ('[paths]\nrunbooks = "a\\\\b"', "paths.runbooks: must use / between folders"),
        ('[paths]\nrunbooks = "C:/runbooks"', "paths.runbooks: must be relative to docs_dir"),
        ('[paths]\nrunbooks = "rb\\u0000"', "paths.runbooks: must not contain control"),
        (
            '[paths]\nseverity_policy = "../README.md"',
            "paths.severity_policy: must stay inside docs_dir: '../README.md' contains '..'",
        ),
        (
            '[paths]\nseverity_policy = "/etc/policy.md"',
            "paths.severity_policy: must be relative to docs_dir, not the absolute path",
        ),
    ],
)
def test_paths_stay_inside_the_repository(tmp_path: Path, toml: str, expected: str) -> None:
    assert f"incident-kb.toml: {expected}" in refused(repo(tmp_path, toml + "\n"))


def test_a_folder_linked_outside_docs_dir_is_refused(tmp_path: Path) -> None:
    root = repo(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "docs" / "runbooks").symlink_to(outside, target_is_directory=True)
    (root / "docs" / "policies").symlink_to(root, target_is_directory=True)
    message = refused(root)
    assert "incident-kb.toml: paths.runbooks: must stay inside docs_dir, but 'runbooks' " in (
        message
    )
    assert "(a symbolic link leads out)" in message
    assert "incident-kb.toml: paths.severity_policy: must stay inside docs_dir, but " in message


def test_docs_dir_linked_outside_the_repository_is_refused(tmp_path: Path) -> None:
    root = repo(tmp_path, 'docs_dir = "content"\n')
    (tmp_path / "elsewhere").mkdir()
    (root / "content").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    message = refused(root)
    assert message.startswith(
        "incident-kb.toml: docs_dir: must be a folder inside the repository, but 'content' "
        "resolves to"
    )


def test_docs_dir_from_mkdocs_yml_is_checked_too(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "mkdocs.yml").write_text("site_name: x\ndocs_dir: /etc\n", encoding="utf-8")
    assert "mkdocs.yml: docs_dir: must be relative to the repository" in refused(root)


def test_a_folder_linked_inside_docs_dir_is_accepted(tmp_path: Path) -> None:
    root = repo(tmp_path, '[paths]\nrunbooks = "ops"\n')
    (root / "docs" / "playbooks").mkdir()
    (root / "docs" / "ops").symlink_to(root / "docs" / "playbooks", target_is_directory=True)
    assert load(root).runbooks == "ops"


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (
            'severity_policy = "postmortems/severity.md"',
            "paths.severity_policy: 'postmortems/severity.md' is inside paths.postmortems "
            "'postmortems': the policy must sit outside the document folders",
        ),
        (
            'runbooks = "ops"\nseverity_policy = "ops/x/policy.md"',
            "paths.severity_policy: 'ops/x/policy.md' is inside paths.runbooks 'ops'",
        ),
        (
            'severity_policy = "policies/severity.yaml"',
            "paths.severity_policy: must be a Markdown file (.md), not 'policies/severity.yaml'",
        ),
        (
            'severity_policy = "policies"',
            "paths.severity_policy: must be a Markdown file (.md), not 'policies'",
        ),
        (
            'runbooks = "postmortems/runbooks"',
            "paths.runbooks: 'postmortems/runbooks' overlaps paths.postmortems 'postmortems'",
        ),
        ('services = "runbooks"', "paths.services: 'runbooks' overlaps paths.runbooks"),
        ('postmortems = "docs"\nrunbooks = "docs/rb"', "paths.runbooks: 'docs/rb' overlaps"),
    ],
)
def test_the_policy_and_folders_are_kept_apart(tmp_path: Path, paths: str, expected: str) -> None:
    assert f"incident-kb.toml: {expected}" in refused(repo(tmp_path, f"[paths]\n{paths}\n"))


def test_folders_that_overlap_through_a_link_are_refused(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "docs" / "postmortems").mkdir()
    (root / "docs" / "runbooks").symlink_to(root / "docs" / "postmortems" / "rb")
    (root / "docs" / "policies").symlink_to(root / "docs" / "services")
    (root / "docs" / "services").mkdir()
    message = refused(root)
    assert (
        "incident-kb.toml: paths.runbooks: 'runbooks' overlaps paths.postmortems "
        "'postmortems' once symbolic links are resolved"
    ) in message
    assert (
        "incident-kb.toml: paths.severity_policy: 'policies/severity.md' resolves into "
        "paths.services 'services' (a symbolic link)"
    ) in message


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    toml = """\
        docs_dir = "docs"
        [paths]
        severity_policy = "../README.md"
        postmortems = "/abs"
        [levels]
        unsafe-html = "notice"
        [runbooks]
        review_every_days = 99999999999999999
        [alerts]
        rules = ["/**/*.yaml"]
        """
    lines = refused(repo(tmp_path, toml)).splitlines()
    assert len(lines) == 5
    assert all(line.startswith("incident-kb.toml: ") for line in lines)


def test_a_configuration_linked_from_outside_is_refused(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "incident-kb.toml").unlink()
    (tmp_path / "other.toml").write_text("")
    (root / "incident-kb.toml").symlink_to(tmp_path / "other.toml")
    assert refused(root) == (
        "incident-kb.toml: is a symbolic link that leads out of the repository"
    )


# -- numbers and strings -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            "[runbooks]\nreview_every_days = 99999999999999999",
            "runbooks.review_every_days: must be between 1 and 3650, not 99999999999999999",
        ),
        (
            "[runbooks]\nreview_every_days = 0",
            "runbooks.review_every_days: must be between 1 and 3650, not 0",
        ),
        (
            "[runbooks]\ndue_soon_days = -9223372036854775808",
            "runbooks.due_soon_days: must be between 1 and 3650, not -9223372036854775808",
        ),
        (
            "[action_items]\ndue_soon_days = 3651",
            "action_items.due_soon_days: must be between 1 and 3650, not 3651",
        ),
        (
            "[search]\npages_per_bundle = 10001",
            "search.pages_per_bundle: must be between 1 and 10000, not 10001",
        ),
        (
            "[search]\npages_per_bundle = " + "9" * 40,
            "search.pages_per_bundle: must be between 1 and 10000, not 99999999... (40 digits)",
        ),
        ("[status]\npartial_outage_weight = nan", "status.partial_outage_weight: must be between"),
        ("[status]\npartial_outage_weight = inf", "status.partial_outage_weight: must be between"),
        ("a = " + "9" * 5000, "cannot be read: a number in it is too long"),
        (
            '[postmortems]\nid_prefix = "inc"',
            "postmortems.id_prefix: must be 1 to 10 capital letters and digits",
        ),
        ('[postmortems]\nid_prefix = "ABCDEFGHIJK"', "postmortems.id_prefix: must be 1 to 10"),
        ('[postmortems]\nid_prefix = "INC-"', "postmortems.id_prefix: must be 1 to 10"),
        (
            '[postmortems]\nrequired_sections = ["Summary", " "]',
            "postmortems.required_sections: entry 2 is blank",
        ),
        (
            '[postmortems]\nrequired_sections = ["Sum\\u202emary"]',
            "postmortems.required_sections: entry 1 contains a control character",
        ),
        (
            '[postmortems]\nblame_phrases = ["' + "x" * 101 + '"]',
            "postmortems.blame_phrases: entry 1 is longer than 100 characters",
        ),
        (
            "[postmortems]\nblame_phrases = [" + ", ".join(['"x"'] * 501) + "]",
            "postmortems.blame_phrases: must have at most 500 entries, not 501",
        ),
        (
            '[alerts]\nsite_url = "javascript:alert(1)"',
            "alerts.site_url: must be an http:// or https:// URL, not 'javascript:alert(1)'",
        ),
        ('[alerts]\nsite_url = "https://"', "alerts.site_url: must name a host"),
        ('[alerts]\nsite_url = "https://a b/"', "alerts.site_url: must be a URL without spaces"),
        (
            '[alerts]\nsite_url = "https://u:secret@kb.example.com/"',
            "alerts.site_url: must not contain a user name or password",
        ),
        (
            '[alerts]\nurl_templates = ["ftp://h/{alert}.md"]',
            "alerts.url_templates: must be an http:// or https:// URL, not 'ftp://h/{alert}.md'",
        ),
        (
            '[alerts]\nurl_templates = ["https://h/{name}.md"]',
            "alerts.url_templates: https://h/{name}.md: unknown placeholder {name}",
        ),
        (
            '[alerts]\nannotation_keys = ["runbook url"]',
            "alerts.annotation_keys: 'runbook url' is not an annotation key",
        ),
    ],
)
def test_values_are_range_checked(tmp_path: Path, toml: str, expected: str) -> None:
    assert f"incident-kb.toml: {expected}" in refused(repo(tmp_path, toml + "\n"))


def test_sane_values_are_accepted(tmp_path: Path) -> None:
    toml = """\
        [postmortems]
        id_prefix = "OPS2"
        [runbooks]
        review_every_days = 3650
        [search]
        pages_per_bundle = 4
        [alerts]
        annotation_keys = ["runbook_url", "example.com/runbook"]
        url_templates = ["https://git.example.com/runbooks/{alert}.md"]
        site_url = "http://kb.example.com:8080/"
        """
    config = load(repo(tmp_path, toml))
    assert config.id_prefix == "OPS2" and config.review_every_days == 3650
    assert config.search_pages_per_bundle == 4


def test_runbook_review_interval_has_a_maximum_in_the_schema() -> None:
    """A runbook's own review_every_days is bounded as the configured one is."""
    interval = load_schema(KIND_SCHEMAS["runbook"])["properties"]["review_every_days"]
    assert (interval["minimum"], interval["maximum"]) == (1, 3650)


# -- alert rule globs --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("/**/*.yaml", "must be relative to the repository root, not an absolute path"),
        ("/etc/prometheus/*.yml", "must be relative to the repository root"),
        ("C:/rules/*.yaml", "must be relative to the repository root"),
        ("**/*.yaml", "must not start with '**' (the whole repository)"),
        ("./**/alerts.yaml", "must not start with '**'"),
        ("**", "must not start with '**'"),
        ("../x/*.yaml", "must not contain '..': rule files are read from inside the repository"),
        ("alerting/../../x.yaml", "must not contain '..'"),
        ("alerting\\*.yaml", "must use / between folders"),
        ("./", "names no file"),
    ],
)
def test_disallowed_globs_are_configuration_errors(
    tmp_path: Path, pattern: str, expected: str
) -> None:
    message = refused(repo(tmp_path, f"[alerts]\nrules = ['{pattern}']\n"))
    assert message.startswith(f"incident-kb.toml: alerts.rules: '{pattern}': {expected}")
    assert len(message.splitlines()) == 1


def tree(root: Path) -> None:
    """Rule files at several depths, a hidden folder and file, and other files."""
    rules_file(root / "alerting" / "a.yaml", "A")
    rules_file(root / "alerting" / "team" / "b.yaml", "B")
    rules_file(root / "alerting" / "team" / "deep" / "c.yml", "C")
    rules_file(root / "alerting" / ".hidden" / "d.yaml", "D")
    rules_file(root / "alerting" / ".e.yaml", "E")
    (root / "alerting" / "notes.txt").write_text("x")


@pytest.mark.parametrize(
    "pattern",
    [
        "alerting/*.yaml",
        "alerting/**/*.yaml",
        "alerting/**/*.y*ml",
        "alerting/**",
        "alerting/**/**/*.yml",
        "alerting/*/b.yaml",
        "./alerting/team/*.yaml",
        "alerting/[at]*",
        "alerting/.hidden/*.yaml",
        "alerting/.*.yaml",
        "alerting/team/deep/c.yml",
        "alerting/nope/*.yaml",
    ],
)
def test_globs_match_what_glob_matches(tmp_path: Path, pattern: str) -> None:
    root = repo(tmp_path, f"[alerts]\nrules = ['{pattern}']\n")
    tree(root)
    config = load(root)
    paths, problems = alertrules.configured_rule_files(config)
    expected = sorted(  # glob repeats a match of "**/**"; a set does not
        {
            m
            for m in glob.glob(pattern, root_dir=root, recursive=True)  # noqa: PTH207
            if (root / m).is_file()
        }
    )
    assert [p.relative_to(root).as_posix() for p in paths] == [Path(m).as_posix() for m in expected]
    assert bool(problems) is (not expected)


def test_too_many_matched_files_is_a_configuration_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(alertrules, "MAX_RULE_FILES", 3)
    root = repo(tmp_path, "[alerts]\nrules = ['alerting/a*.yaml', 'alerting/b*.yaml']\n")
    for name in ("a1", "a2", "b1", "b2"):
        rules_file(root / "alerting" / f"{name}.yaml", name.upper())
    config = load(root)
    with pytest.raises(ConfigError) as info:
        alertrules.configured_rule_files(config)
    assert str(info.value) == (
        "incident-kb.toml: alerts.rules: 'alerting/b*.yaml' matches more than 3 rule files "
        "(counting the patterns before it): name fewer files"
    )
    monkeypatch.setattr(alertrules, "MAX_RULE_FILES", 4)
    assert len(alertrules.configured_rule_files(config)[0]) == 4


def test_a_large_tree_stops_the_walk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(alertrules, "MAX_GLOB_ENTRIES", 20)
    root = repo(tmp_path, "[alerts]\nrules = ['alerting/**/*.yaml']\n")
    for index in range(25):
        (root / "alerting" / f"d{index}").mkdir(parents=True)
    with pytest.raises(ConfigError, match=r"'alerting/\*\*/\*\.yaml' looks at more than 20 "):
        alertrules.configured_rule_files(load(root))


def test_the_default_caps() -> None:
    assert alertrules.MAX_RULE_FILES == 1_000
    assert alertrules.MAX_GLOB_ENTRIES == 50_000


def test_a_rule_file_linked_outside_the_repository_is_never_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = rules_file(tmp_path / "outside" / "secret.yaml", "SecretAlert")
    root = repo(tmp_path, "[alerts]\nrules = ['alerting/*.yaml']\n")
    rules_file(root / "alerting" / "ok.yaml", "Fine")
    (root / "alerting" / "z.yaml").symlink_to(secret)
    opened: list[Path] = []
    real_read = alertrules.read_rule_file

    def recording_read(path: Path, shown: str, findings: Findings) -> list[AlertRule]:
        opened.append(path)
        return real_read(path, shown, findings)

    monkeypatch.setattr(alertrules, "read_rule_file", recording_read)
    config = load(root)
    for call in (alertrules.configured_rule_files, alertrules.defined_alerts):
        with pytest.raises(ConfigError) as info:
            call(config)
        assert str(info.value) == (
            "incident-kb.toml: alerts.rules: 'alerting/*.yaml': 'alerting/z.yaml' is a symbolic "
            "link that leads out of the repository: refused, not read"
        )
    assert opened == []


def test_a_folder_linked_outside_is_not_walked(tmp_path: Path) -> None:
    rules_file(tmp_path / "outside" / "secret.yaml", "SecretAlert")
    root = repo(tmp_path, "[alerts]\nrules = ['alerting/**/*.yaml']\n")
    rules_file(root / "alerting" / "ok.yaml", "Fine")
    (root / "alerting" / "ext").symlink_to(tmp_path / "outside", target_is_directory=True)
    (root / "alerting" / "loop").symlink_to(root, target_is_directory=True)
    config = load(root)
    paths, problems = alertrules.configured_rule_files(config)
    assert [p.name for p in paths] == ["ok.yaml"] and not problems
    assert alertrules.defined_alerts(config) == frozenset({"Fine"})
    named = replace(config, alert_rules=("alerting/ext/*.yaml",))
    with pytest.raises(ConfigError, match="'alerting/ext' is a symbolic link that leads out"):
        alertrules.configured_rule_files(named)


def test_a_link_inside_the_repository_is_followed(tmp_path: Path) -> None:
    root = repo(tmp_path, "[alerts]\nrules = ['alerting/*.yaml']\n")
    shared = rules_file(root / "shared" / "base.yaml", "Shared")
    (root / "alerting").mkdir()
    (root / "alerting" / "base.yaml").symlink_to(shared)
    paths, _ = alertrules.configured_rule_files(load(root))
    assert [p.relative_to(root).as_posix() for p in paths] == ["alerting/base.yaml"]


def test_a_glob_built_in_code_is_checked_too(tmp_path: Path) -> None:
    config = replace(load(repo(tmp_path)), alert_rules=("/**/*.yaml",))
    with pytest.raises(ConfigError, match="must be relative to the repository root"):
        alertrules.configured_rule_files(config)


# -- the command -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        (
            '[levels]\nunsafe-html = "notice"\n',
            "incident-kb: incident-kb.toml: levels.unsafe-html: is a security rule and cannot "
            "be set below error, not 'notice'",
        ),
        (
            '[paths]\nseverity_policy = "../README.md"\n',
            "incident-kb: incident-kb.toml: paths.severity_policy: must stay inside docs_dir",
        ),
        (
            '[alerts]\nrules = ["/**/*.yaml"]\n',
            "incident-kb: incident-kb.toml: alerts.rules: '/**/*.yaml': must be relative",
        ),
        (
            "[runbooks]\nreview_every_days = 99999999999999999\n",
            "incident-kb: incident-kb.toml: runbooks.review_every_days: must be between 1 and 3650",
        ),
    ],
)
def test_validate_exits_2_without_a_traceback(kb: KB, toml: str, expected: str) -> None:
    (kb.root / "incident-kb.toml").write_text(toml, encoding="utf-8")
    result = run_main("validate", str(kb.root))
    assert result.code == 2
    assert expected in result.err
    assert result.out == ""


def test_alerts_check_refuses_a_link_out_of_the_repository(
    kb: KB, tmp_path_factory: pytest.TempPathFactory
) -> None:
    secret = rules_file(tmp_path_factory.mktemp("outside") / "secret.yaml", "SecretAlert")
    (kb.root / "incident-kb.toml").write_text("[alerts]\nrules = ['alerting/*.yaml']\n")
    (kb.root / "alerting").mkdir()
    (kb.root / "alerting" / "rules.yaml").symlink_to(secret)
    for args in (("validate", str(kb.root)), ("alerts", "check", "--root", str(kb.root))):
        result = run_main(*args)
        assert result.code == 2
        assert "'alerting/rules.yaml' is a symbolic link that leads out of the repository" in (
            result.err
        )
        assert "SecretAlert" not in result.out + result.err


def test_types_and_hostile_keys_give_one_line_each(tmp_path: Path) -> None:
    toml = '[runbooks]\nreview_every_days = "90"\n[levels]\n"x\\nincident-kb: ok" = "error"\n'
    assert refused(repo(tmp_path, toml)).splitlines() == [
        "incident-kb.toml: levels.x?incident-kb: ok: unknown key",
        "incident-kb.toml: runbooks.review_every_days: must be a whole number",
    ]


# -- defaults, written once --------------------------------------------------------------


def test_load_without_settings_gives_exactly_the_field_defaults(tmp_path: Path) -> None:
    root = repo(tmp_path)
    assert load(root) == Config(root=root.resolve(), docs_dir=root.resolve() / "docs")


def test_every_setting_reaches_its_config_field(tmp_path: Path) -> None:
    import incident_kb.core.config as config_module

    toml = """\
        [paths]
        postmortems = "incidents"
        runbooks = "ops"
        services = "catalogue"
        severity_policy = "rules/severity.md"
        [postmortems]
        id_prefix = "OPS"
        required_sections = ["Summary"]
        blame_phrases = ["oops"]
        [runbooks]
        review_every_days = 30
        due_soon_days = 3
        [action_items]
        due_soon_days = 5
        [status]
        partial_outage_weight = 1
        [alerts]
        rules = ["alerting/*.yaml"]
        annotation_keys = ["playbook"]
        url_templates = ["https://git.example.com/{alert}.md"]
        site_url = "https://kb.example.com/"
        [search]
        engine = "material"
        pages_per_bundle = 7
        [site]
        prefix = "kb/generated"
        [levels]
        runbook-stale = "warning"
        """
    config = load(repo(tmp_path, toml))
    defaults = Config(root=config.root, docs_dir=config.docs_dir)
    settable = {
        (table, key)
        for table, keys in config_module._SCHEMA.items()
        for key in keys
        if table not in ("", "paths", "levels")
    }
    assert settable == set(config_module._FIELDS)
    for name in [*config_module._FIELDS.values(), "postmortems", "runbooks", "services"]:
        assert getattr(config, name) != getattr(defaults, name), name
    assert config.severity_policy == "rules/severity.md"
    assert config.partial_outage_weight == 1.0 and isinstance(config.partial_outage_weight, float)
    assert config.required_sections == ("Summary",) and config.alert_rules == ("alerting/*.yaml",)
    assert config.level("runbook-stale") is Level.WARNING
    assert config.level("blame-language") is RULE_LEVELS["blame-language"]


def test_code_defaults_are_the_configured_defaults() -> None:
    from incident_kb.core.config import FIELD_DEFAULTS
    from incident_kb.figures import actions
    from incident_kb.site import search

    assert actions.DUE_SOON_DAYS == FIELD_DEFAULTS["action_items_due_soon_days"] == 14
    assert status.Weights().partial_outage == FIELD_DEFAULTS["partial_outage_weight"] == 0.3
    assert FIELD_DEFAULTS["review_every_days"] == 90 and FIELD_DEFAULTS["due_soon_days"] == 14
    index_site = search.index_site.__kwdefaults__ or {}
    assert index_site["pages_per_bundle"] == FIELD_DEFAULTS["search_pages_per_bundle"] == 2000


def test_uptime_uses_the_configured_partial_outage_weight() -> None:
    """An hour of partial outage costs 30 weighted minutes at a configured 0.5, 18 at the
    default 0.3: the status figures read the weight from the configuration."""
    from datetime import date

    from factories import AUTH, POLICY, pm, ts
    from incident_kb.documents.model import KnowledgeBase, StatusPage, StatusUpdate

    page = StatusPage(
        "Login slow",
        "minor",
        (("Login", "partial_outage"),),
        (StatusUpdate(ts("2025-11-30T10:00:00Z"), "resolved", "Fixed"),),
    )
    incident = pm(
        started_at=ts("2025-11-30T09:00:00Z"),
        detected_at=ts("2025-11-30T09:00:00Z"),
        resolved_at=ts("2025-11-30T10:00:00Z"),
        status_page=page,
    )
    kb = KnowledgeBase(postmortems=(incident,), services=(AUTH,), policy=POLICY)
    today = date(2025, 12, 1)
    for weight, expected in ((0.5, 30.0), (None, 18.0)):
        config = load(REPO) if weight is None else replace(load(REPO), partial_outage_weight=weight)
        (login,) = [c for c in status.status(kb, config, today).components if c.name == "Login"]
        day = next(d for d in login.days if d.date == date(2025, 11, 30))
        assert day.outage_minutes == pytest.approx(expected)


# -- rule ids ----------------------------------------------------------------------------


def test_an_unknown_rule_id_in_levels_exits_2(kb: KB) -> None:
    (kb.root / "incident-kb.toml").write_text('[levels]\nblame-languag = "notice"\n', "utf-8")
    result = run_main("validate", str(kb.root))
    assert result.code == 2
    assert "levels.blame-languag: unknown key (did you mean 'blame-language'?)" in result.err
    assert "Traceback" not in result.err


def test_level_refuses_an_unknown_rule_id_in_code() -> None:
    config = Config(root=Path("/kb"), docs_dir=Path("/kb/docs"))
    with pytest.raises(KeyError, match="unknown rule id 'unsafe-htm'"):
        config.level("unsafe-htm")
    partial = replace(config, levels={"blame-language": Level.NOTICE})
    assert partial.level("runbook-stale") is RULE_LEVELS["runbook-stale"]
    assert all(config.level(rule) is level for rule, level in RULE_LEVELS.items())


def test_every_rule_id_given_to_level_in_the_source_is_known() -> None:
    import re

    package = Path(alertrules.__file__).parent.parent
    named = {
        match
        for path in sorted(package.rglob("*.py"))
        for match in re.findall(r"""\.level\(\s*["']([^"']+)["']""", path.read_text("utf-8"))
    }
    assert named and named <= set(RULE_LEVELS)
    # docstree passes its rule ids on: _finding(..., "symlink", ...) and return "unsafe-file", ...
    docstree = (package / "documents" / "docstree.py").read_text("utf-8")
    passed = set(re.findall(r"""_finding\([^)"']*["']([a-z-]+)["']""", docstree))
    passed |= set(re.findall(r"""return\s*\(?\s*["']([a-z-]+)["'],""", docstree))
    assert passed == {"unsafe-file", "unsafe-name", "symlink"}
