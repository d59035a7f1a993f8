"""``incident-kb build``: build the site into a temporary folder and swap it in on success.

A failed build (a content error, a warning under --strict) leaves the previous site exactly
as it was, so a static host never serves half a site. MkDocs runs as a child process with
its normal output; ``-q`` is never used, because a quiet strict build can exit 0 on warnings.
On Linux the swap is one atomic exchange (renameat2); elsewhere it is two renames, undone
if the second fails.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


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


def build(root: Path, site_dir: Path, *, strict: bool = True) -> None:
    """Build ``root/mkdocs.yml`` into ``site_dir``, replacing it only on success.

    A ``site_dir`` that is a symbolic link is followed: the folder it points at is replaced.
    """
    config = root / "mkdocs.yml"
    if not config.is_file():
        raise BuildError(f"no mkdocs.yml in {root}")
    site_dir = site_dir if site_dir.is_absolute() else root / site_dir
    if site_dir.is_symlink():
        site_dir = site_dir.resolve()
    if site_dir.exists() and not site_dir.is_dir():
        raise BuildError(f"{site_dir} exists and is not a folder")
    site_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-new-", dir=site_dir.parent))
    try:
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
        # mkdtemp makes the folder private; a web server must be able to read the site.
        umask = os.umask(0)
        os.umask(umask)
        staging.chmod(0o777 & ~umask)
        try:
            _swap_in(staging, site_dir)
        except OSError as exc:
            raise BuildError(
                f"could not swap the new site in ({exc}); {site_dir} is unchanged"
            ) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)
