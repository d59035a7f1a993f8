"""``incident-kb build``: build the site into a temporary folder and swap it in on success.

A failed build (a content error, a warning under --strict) leaves the previous site exactly
as it was, so a static host never serves half a site. MkDocs runs as a child process with
its normal output; ``-q`` is never used, because a quiet strict build can exit 0 on warnings.
On Linux the swap is one atomic exchange (renameat2); elsewhere it is two renames, undone
if the second fails.

The staging folder ``.<site>-new-XXXXXXXX`` beside the site holds a marker file, locked
(``flock``) for as long as its build runs, and the new site in a subfolder, so the marker is
never published. A build killed with ``kill -9`` leaves its staging folder behind; the next
build of the same site removes every such folder whose marker names that site and is not
locked, and nothing else.
"""

from __future__ import annotations

import contextlib
import ctypes
import importlib.util
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from incident_kb.checks import siteconfig
from incident_kb.core.findings import Findings

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
#: The marker file in a staging folder: ``{"staging_for": "<site folder name>"}``.
STAGING_MARKER = ".incident-kb-staging"
_MARKER_KEY = "staging_for"
_MARKER_LIMIT = 4096


#: A file every build with the plugin or the hook writes (our style sheet).
BUILT_BY_US = "assets/incident-kb.css"


class BuildError(Exception):
    """The site could not be built or swapped in; the previous site is untouched."""


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False where the system cannot."""
    try:
        renameat2 = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return bool(done == 0)


def _swap_in(staging: Path, site_dir: Path) -> None:
    """Put ``staging`` at ``site_dir``; the old site ends up in ``staging`` (to be removed)."""
    if not site_dir.exists():
        staging.rename(site_dir)
        staging.mkdir()
        return
    if _exchange(staging, site_dir):
        return
    old = staging.with_name(staging.name + "-old")
    site_dir.rename(old)
    try:
        staging.rename(site_dir)
    except OSError:
        old.rename(site_dir)
        raise
    old.rename(staging)


def staging_prefix(site_dir: Path) -> str:
    """The name every staging folder of ``site_dir`` starts with, beside it."""
    return f".{site_dir.name}-new-"


@contextlib.contextmanager
def _staging(site_dir: Path) -> Iterator[Path]:
    """A new staging folder beside ``site_dir``, marked and locked while in use, removed
    afterwards; yields the (empty) folder to build the site into."""
    folder = Path(tempfile.mkdtemp(prefix=staging_prefix(site_dir), dir=site_dir.parent))
    try:
        flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        fd = os.open(folder / STAGING_MARKER, flags, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as marker:
            if fcntl is not None:
                fcntl.flock(marker.fileno(), fcntl.LOCK_EX)  # new: nobody else holds it
            marker.write(json.dumps({_MARKER_KEY: site_dir.name}) + "\n")
            marker.flush()
            site = folder / site_dir.name
            site.mkdir()
            yield site
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _marked_for(folder: Path, site_dir: Path) -> int | None:
    """An open descriptor of ``folder``'s marker when it marks a staging folder of
    ``site_dir``; None for anything else (no marker, a link, another site's, unreadable)."""
    try:
        # Read-write: flock emulated over NFS wants a descriptor open for writing.
        fd = os.open(
            folder / STAGING_MARKER, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK
        )
    except OSError:
        return None
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):
            data = json.loads(os.read(fd, _MARKER_LIMIT).decode("utf-8"))
            if isinstance(data, dict) and data.get(_MARKER_KEY) == site_dir.name:
                return fd
    except (OSError, ValueError):
        pass
    os.close(fd)
    return None


def remove_leftovers(site_dir: Path) -> list[Path]:
    """Remove the staging folders of ``site_dir`` that earlier builds left behind (a build
    killed before it could clean up); returns them.

    A folder goes only if it is a real folder (not a link) named like a staging folder of
    this site, its marker file names this site, and no running build holds the marker's
    lock. Without ``flock`` (Windows) nothing is removed: there is no safe way to tell.
    """
    if fcntl is None:  # pragma: no cover - Windows
        return []
    prefix = staging_prefix(site_dir)
    removed: list[Path] = []
    try:
        entries = sorted(site_dir.parent.iterdir())
    except OSError:
        return []
    for folder in entries:
        if not folder.name.startswith(prefix):
            continue
        try:
            if not stat.S_ISDIR(folder.lstat().st_mode):
                continue
        except OSError:
            continue
        fd = _marked_for(folder, site_dir)
        if fd is None:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # a build is using it
        try:
            shutil.rmtree(folder, ignore_errors=True)
            removed.append(folder)
        finally:
            os.close(fd)
    return removed


_NOT_LISTED = (
    "{config} has neither the incident-kb plugin nor its hook, so nothing would be validated "
    "or generated: add `plugins: [incident-kb]` (after your other plugins) to it; "
    "{site_dir} is unchanged"
)


#: What a build needs beyond the core: the modules of the ``site`` extras.
SITE_MODULES = ("mkdocs", "material", "matplotlib", "nh3", "pagefind")


def missing_site_extras() -> list[str]:
    """The modules of the site extras that are not installed."""
    return [name for name in SITE_MODULES if importlib.util.find_spec(name) is None]


def build(root: Path, site_dir: Path, *, strict: bool = True) -> None:
    """Build ``root/mkdocs.yml`` into ``site_dir``, replacing it only on success.

    A ``site_dir`` that is a symbolic link is followed: the folder it points at is replaced.
    """
    if missing := missing_site_extras():
        raise BuildError(
            f"building the site needs the site extras ({', '.join(missing)} missing): "
            "pip install 'incident-kb[site]'"
        )
    root = root.resolve()
    config = root / "mkdocs.yml"
    if not config.is_file():
        raise BuildError(f"no mkdocs.yml in {root}")
    # The check validate runs: the build refuses a mkdocs.yml that runs nothing of ours.
    if siteconfig.check_mkdocs_yml(root, root / "docs", Findings()) is False:
        raise BuildError(_NOT_LISTED.format(config=config, site_dir=site_dir))
    site_dir = site_dir if site_dir.is_absolute() else root / site_dir
    if site_dir.is_symlink():
        site_dir = site_dir.resolve()
    if site_dir.exists() and not site_dir.is_dir():
        raise BuildError(f"{site_dir} exists and is not a folder")
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    remove_leftovers(site_dir)
    with _staging(site_dir) as staging:
        env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
        args = [
            sys.executable,
            "-m",
            "mkdocs",
            "build",
            "--clean",
            "-f",
            str(config),
            "--site-dir",
            str(staging),
        ]
        if strict:
            args.append("--strict")
        done = subprocess.run(args, cwd=root, env=env, check=False)
        if done.returncode != 0:
            raise BuildError(
                f"mkdocs build failed (exit {done.returncode}); {site_dir} is unchanged"
            )
        if not (staging / BUILT_BY_US).is_file():  # a plugin that failed to load, say
            raise BuildError(_NOT_LISTED.format(config=config, site_dir=site_dir))
        # The staging folder is private (mkdtemp); the site in it must be readable by a web
        # server whatever mkdocs did to its permissions.
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)
        try:
            _swap_in(staging, site_dir)
        except OSError as exc:
            raise BuildError(
                f"could not swap the new site in ({exc}); {site_dir} is unchanged"
            ) from exc
