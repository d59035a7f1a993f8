"""A team adopting incident-kb, end to end: a wheel built from this checkout, installed (not
editable) into a fresh virtual environment with the site extras, mkdocs-techdocs-core,
pre-commit and check-jsonschema; then ``init``, validate and strict builds, as a plugin in a
plain site, in an existing site and under TechDocs; the pre-commit hook and the schemas
offline. Nothing here uses the test environment's own copy of the package."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import EXAMPLE_EPOCH, REPO, run_main
from htmltree import load

#: The generated pages every knowledge base gets (use_directory_urls).
GENERATED = (
    "postmortems/index.html",
    "runbooks/index.html",
    "runbooks/stale/index.html",
    "services/index.html",
    "action-items/index.html",
    "metrics/index.html",
    "status/index.html",
    "status/feed.xml",
    "alerts/index.html",
    "tags/index.html",
    "api/incidents.json",
    "api/status.json",
    "schemas/postmortem.schema.json",
)
#: Requests anything makes to the network fail at once: "offline" is then checked.
OFFLINE = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}


class Venv:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.bin = path / "bin"

    def run(
        self, *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: int = 600
    ) -> subprocess.CompletedProcess[str]:
        full = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHON"))}
        full.update({"NO_MKDOCS_2_WARNING": "1", "SOURCE_DATE_EPOCH": EXAMPLE_EPOCH})
        full["PATH"] = f"{self.bin}{os.pathsep}{full.get('PATH', '')}"
        full.update(env or {})
        command = [str(self.bin / args[0]), *args[1:]]
        done = subprocess.run(
            command, cwd=cwd, env=full, capture_output=True, text=True, timeout=timeout
        )
        assert "Traceback" not in done.stderr, done.stderr
        return done


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory) -> Venv:
    work = tmp_path_factory.mktemp("adoption")
    wheels = work / "wheels"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(wheels),
            str(REPO),
        ],
        check=True,
        timeout=600,
    )
    (wheel,) = wheels.glob("incident_kb-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True, timeout=120)
    env = Venv(work / "venv")
    subprocess.run(
        [
            str(env.bin / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            f"{wheel}[site,techdocs]",
            "pre-commit>=3,<5",
            "check-jsonschema>=0.28,<1",
        ],
        check=True,
        timeout=900,
    )
    return env


def init(venv: Venv, tmp_path: Path, *extra: str) -> Path:
    root = tmp_path / "kb"
    done = venv.run("incident-kb", "init", str(root), *extra, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    return root


def test_the_installed_package_is_not_this_checkout(venv: Venv, tmp_path: Path) -> None:
    done = venv.run("python", "-c", "import incident_kb; print(incident_kb.__file__)", cwd=tmp_path)
    assert str(venv.path) in done.stdout and str(REPO / "src") not in done.stdout


def test_init_validate_and_a_strict_build(venv: Venv, tmp_path: Path) -> None:
    root = init(venv, tmp_path)
    validated = venv.run("incident-kb", "validate", "--strict", cwd=root)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    built = venv.run("incident-kb", "build", cwd=root, env=OFFLINE)
    assert built.returncode == 0, built.stderr
    site = root / "site"
    for page in (*GENERATED, "services/web/index.html", "pagefind/pagefind.js"):
        assert (site / page).is_file(), page
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis" not in home and "fonts.gstatic" not in home
    assert load(site / "index.html").find("div", "md-search") is not None
    # The workflows install the package, pinned, and never the folder they run in.
    for workflow in sorted((root / ".github" / "workflows").glob("*.yml")):
        text = workflow.read_text(encoding="utf-8")
        assert "pip install -e" not in text and "incident-kb[site]==" in text, workflow
        yaml.safe_load(text)


def test_a_build_without_the_plugin_or_hook_fails(venv: Venv, tmp_path: Path) -> None:
    root = init(venv, tmp_path)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - incident-kb\n", ""), encoding="utf-8")
    built = venv.run("incident-kb", "build", cwd=root)
    assert built.returncode == 1
    assert "neither the incident-kb plugin nor its hook" in built.stderr
    assert "plugins: [incident-kb]" in built.stderr
    assert not (root / "site").exists()


def test_init_refuses_to_write_over_any_file(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    (root / "docs").mkdir(parents=True)
    (root / "mkdocs.yml").write_text("site_name: ours\n", encoding="utf-8")
    (root / "docs" / "index.md").write_text("# Ours\n", encoding="utf-8")
    done = run_main("init", str(root), cwd=tmp_path)
    assert done.code == 1
    assert str(root / "mkdocs.yml") in done.err and str(root / "docs" / "index.md") in done.err
    assert sorted(p.relative_to(root).as_posix() for p in root.rglob("*")) == [
        "docs",
        "docs/index.md",
        "mkdocs.yml",
    ]
    assert (root / "mkdocs.yml").read_text(encoding="utf-8") == "site_name: ours\n"


def test_new_service_and_policy(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    assert run_main("init", str(root), "--no-workflows", cwd=tmp_path).code == 0
    (root / "docs" / "policies" / "severity.md").unlink()
    made = run_main("new", "policy", cwd=root)
    assert made.code == 0, made.err
    assert made.out.strip() == "docs/policies/severity.md"
    again = run_main("new", "policy", cwd=root)
    assert again.code == 2 and "exists" in again.err
    service = run_main(
        "new", "service", "--id", "payments", "--name", "Payments: cards", "--owner", "team-pay",
        "--component", "Checkout", cwd=root,
    )  # fmt: skip
    assert service.code == 0, service.err
    text = (root / "docs" / "services" / "payments.md").read_text(encoding="utf-8")
    assert 'name: "Payments: cards"' in text and "  - Checkout" in text
    assert run_main("new", "service", "--id", "payments", "--name", "x", "--owner", "y",
                    cwd=root).code == 2  # fmt: skip
    assert run_main("validate", "--strict", cwd=root).code == 0


def _existing_site(root: Path) -> None:
    """A team's site before incident-kb: its own nav, search and tags, a header override,
    and a metrics page of its own."""
    (root / "overrides" / "partials").mkdir(parents=True)
    (root / "overrides" / "partials" / "header.html").write_text(
        '<header class="md-header" data-team-header>Team header</header>\n', encoding="utf-8"
    )
    (root / "docs" / "metrics.md").write_text("# Our metrics\n\nOurs.\n", encoding="utf-8")
    (root / "docs" / "index.md").write_text("# Team docs\n\nOur home.\n", encoding="utf-8")
    (root / "docs" / "handbook.md").write_text("# Handbook\n\nHow we work.\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        "site_name: Team docs\n"
        "theme:\n  name: material\n  custom_dir: overrides\n"
        "plugins:\n  - search\n  - tags\n  - incident-kb\n"
        "nav:\n  - Home: index.md\n  - Handbook: handbook.md\n  - Metrics: metrics.md\n"
        "markdown_extensions:\n  - toc:\n      permalink: true\n",
        encoding="utf-8",
    )


def test_an_existing_site_keeps_its_search_and_pages(venv: Venv, tmp_path: Path) -> None:
    root = init(venv, tmp_path)
    _existing_site(root)
    site = tmp_path / "site"
    built = venv.run("mkdocs", "build", "-d", str(site), cwd=root, env=OFFLINE)
    assert built.returncode == 0, built.stderr
    # The site's own search is followed: Material's index, no Pagefind.
    assert (site / "search" / "search_index.json").is_file()
    assert not (site / "pagefind").exists()
    # Their metrics page wins, with a warning naming both; everything else is ours.
    assert "Ours." in (site / "metrics" / "index.html").read_text(encoding="utf-8")
    assert "docs/metrics.md replaces the generated page metrics.md" in built.stderr
    for page in GENERATED:
        if not page.startswith("metrics"):
            assert (site / page).is_file(), page
    assert "data-team-header" in (site / "handbook" / "index.html").read_text(encoding="utf-8")
    strict = venv.run("mkdocs", "build", "--strict", "-d", str(tmp_path / "s2"), cwd=root)
    assert strict.returncode == 1  # the replaced page is a warning


def test_generated_pages_under_a_prefix_leave_the_teams_pages_alone(
    venv: Venv, tmp_path: Path
) -> None:
    root = init(venv, tmp_path)
    _existing_site(root)
    with (root / "incident-kb.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[site]\nprefix = "incident-kb"\n')
    site = tmp_path / "site"
    built = venv.run("mkdocs", "build", "--strict", "-d", str(site), cwd=root, env=OFFLINE)
    assert built.returncode == 0, built.stderr
    assert "replaces the generated" not in built.stderr
    assert "Ours." in (site / "metrics" / "index.html").read_text(encoding="utf-8")
    for page in GENERATED:
        if page.startswith(("postmortems/", "runbooks/", "services/", "schemas/")):
            assert (site / page).is_file(), page
        else:
            assert (site / "incident-kb" / page).is_file(), page
            assert page == "metrics/index.html" or not (site / page).exists(), page
    # MkDocs itself lists the pages its explicit nav leaves out, ours among them, once.
    assert built.stderr.count('not included in the "nav" configuration') == 1
    assert "incident-kb/metrics.md" in built.stderr
    # Links into and out of the prefix resolve: the feed links postmortems from two down.
    feed = (site / "incident-kb" / "status" / "feed.xml").read_text(encoding="utf-8")
    assert 'href="./"' in feed


def test_a_prefix_must_be_a_plain_folder(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    assert run_main("init", str(root), "--no-workflows", cwd=tmp_path).code == 0
    with (root / "incident-kb.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[site]\nprefix = "../out"\n')
    done = run_main("validate", cwd=root)
    assert done.code == 2 and "incident-kb.toml: site.prefix: must be a folder" in done.err


def test_pagefind_with_a_header_override_that_hides_it_is_a_warning(
    venv: Venv, tmp_path: Path
) -> None:
    root = init(venv, tmp_path)
    _existing_site(root)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - search\n", ""), encoding="utf-8")
    built = venv.run("mkdocs", "build", "-d", str(tmp_path / "site"), cwd=root)
    assert built.returncode == 0, built.stderr
    assert "header override leaves out the search box" in built.stderr


def _techdocs(root: Path) -> None:
    (root / "mkdocs.yml").write_text(
        "site_name: Team docs\nplugins:\n  - techdocs-core\n  - incident-kb\n", encoding="utf-8"
    )


def test_techdocs_core_and_the_plugin_without_hooks(venv: Venv, tmp_path: Path) -> None:
    root = init(venv, tmp_path)
    _techdocs(root)
    site = tmp_path / "site"
    built = venv.run("mkdocs", "build", "--strict", "-d", str(site), cwd=root)
    assert built.returncode == 0, built.stderr
    for page in GENERATED:
        if not page.startswith("tags/"):
            assert (site / page).is_file(), page
    # No tags plugin here: no tags page, and a line in the log says why.
    assert not (site / "tags").exists()
    assert "no tags page: the site lists no `tags` plugin" in built.stderr
    assert (site / "techdocs_metadata.json").is_file()  # techdocs-core ran too
    # An invalid postmortem fails the strict build, with its file and line.
    bad = root / "docs" / "postmortems" / "2026" / "2026-01-02-broken.md"
    bad.parent.mkdir(parents=True)
    bad.write_text("---\nid: INC-2026-001\ntitle: Broken\nstatus: nope\n---\n\n# Broken\n")
    failed = venv.run("mkdocs", "build", "--strict", "-d", str(tmp_path / "s2"), cwd=root)
    assert failed.returncode == 1
    assert "docs/postmortems/2026/2026-01-02-broken.md:" in failed.stderr


def _git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.com",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.com",
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def test_pre_commit_try_repo(venv: Venv, tmp_path: Path) -> None:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs git and a git checkout")  # pragma: no cover
    root = init(venv, tmp_path, "--no-workflows", "--no-pre-commit")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "init")
    home = {"PRE_COMMIT_HOME": str(tmp_path / "pre-commit")}
    args = ("pre-commit", "try-repo", str(REPO), "incident-kb-validate", "--all-files")
    passed = venv.run(*args, cwd=root, env=home, timeout=900)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    service = root / "docs" / "services" / "web.md"
    service.write_text(service.read_text().replace("tier: 1", "tier: high"), encoding="utf-8")
    failed = venv.run(*args, cwd=root, env=home, timeout=900)
    assert failed.returncode == 1
    assert "docs/services/web.md" in failed.stdout


def test_check_jsonschema_validates_front_matter_offline(venv: Venv, tmp_path: Path) -> None:
    done = venv.run(
        "python",
        "-c",
        "import importlib.resources as r; "
        "print(r.files('incident_kb.documents').joinpath('schemas'))",
        cwd=tmp_path,
    )
    schemas = Path(done.stdout.strip())
    example = REPO / "docs" / "services" / "payments.md"
    front = yaml.safe_load(example.read_text(encoding="utf-8").split("---\n")[1])
    good = tmp_path / "service.json"
    good.write_text(json.dumps(front), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**front, "tier": "high"}), encoding="utf-8")
    for name, instance, expected in (("service", good, 0), ("service", bad, 1)):
        checked = venv.run(
            "check-jsonschema",
            "--schemafile",
            str(schemas / f"{name}.schema.json"),
            str(instance),
            cwd=tmp_path,
            env=OFFLINE,
        )
        assert checked.returncode == expected, checked.stdout + checked.stderr
    bundled = venv.run("incident-kb", "schema", "postmortem", cwd=tmp_path)
    assert bundled.returncode == 0 and "$ref" not in bundled.stdout
    assert venv.run("incident-kb", "schema", "common", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("value", ["../incident-kb.toml", "/etc/incident-kb.toml", "other.toml"])
def test_the_plugins_config_stays_in_the_repository(venv: Venv, tmp_path: Path, value: str) -> None:
    root = init(venv, tmp_path)
    config = root / "mkdocs.yml"
    config.write_text(
        config.read_text().replace(
            "  - incident-kb\n", f"  - incident-kb:\n      config: {value}\n"
        ),
        encoding="utf-8",
    )
    built = venv.run("mkdocs", "build", "-d", str(tmp_path / "site"), cwd=root)
    assert built.returncode == 1
    assert "plugins: incident-kb: config:" in built.stderr


def test_init_writes_nothing_through_a_symbolic_link(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "kb"
    root.mkdir()
    (root / "docs").symlink_to(outside, target_is_directory=True)
    done = run_main("init", str(root), cwd=tmp_path)
    assert done.code == 2 and "is a symbolic link" in done.err
    assert list(outside.iterdir()) == []
    assert sorted(p.name for p in root.iterdir()) == ["docs"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--service", "index"), "service id 'index'"),
        (("--service", "Web App"), "service id 'Web App'"),
        (("--package", "incident-kb ${{ github.token }}"), "not a pip requirement"),
        (("--site-name", "KB\x85"), "control characters are not allowed"),
    ],
)
def test_init_refuses_values_it_cannot_write_safely(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    done = run_main("init", str(tmp_path / "kb"), *args, cwd=tmp_path)
    assert done.code == 2 and message in done.err, done.err
    assert not (tmp_path / "kb").exists()


def test_a_hostile_service_name_is_escaped_in_the_heading(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    name = "Web *core* [x](javascript:alert(1))"
    assert run_main("init", str(root), "--service-name", name, cwd=tmp_path).code == 0
    assert run_main("validate", "--strict", cwd=root).code == 0


@pytest.mark.parametrize("prefix", ["pagefind", "assets/x", "schemas"])
def test_a_prefix_cannot_take_the_sites_own_folders(tmp_path: Path, prefix: str) -> None:
    root = tmp_path / "kb"
    assert run_main("init", str(root), "--no-workflows", cwd=tmp_path).code == 0
    with (root / "incident-kb.toml").open("a", encoding="utf-8") as toml:
        toml.write(f'\n[site]\nprefix = "{prefix}"\n')
    done = run_main("validate", cwd=root)
    assert done.code == 2 and "where the site keeps its own files" in done.err


def test_a_team_file_at_a_prefixed_api_path_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "kb"
    assert run_main("init", str(root), "--no-workflows", cwd=tmp_path).code == 0
    with (root / "incident-kb.toml").open("a", encoding="utf-8") as toml:
        toml.write('\n[site]\nprefix = "a/b"\n')
    forged = root / "docs" / "a" / "b" / "api" / "incidents.json"
    forged.parent.mkdir(parents=True)
    forged.write_text("{}\n", encoding="utf-8")
    done = run_main("validate", cwd=root)
    assert done.code == 1
    assert "docs/a/b/api/incidents.json:1: (file): " in done.out
    assert "a path the build writes itself" in done.out
