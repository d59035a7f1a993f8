"""``incident-kb build``: build the site into a temporary folder and swap it in on success.

A failed build (a content error, a warning under --strict) leaves the previous site exactly
as it was, so a static host never serves half a site. MkDocs runs as a child process with
its normal output; ``-q`` is never used, because a quiet strict build can exit 0 on warnings.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


class BuildError(Exception):
    """The site could not be built; the previous site is untouched."""


def build(root: Path, site_dir: Path, *, strict: bool = True) -> None:
    """Build ``root/mkdocs.yml`` into ``site_dir`` atomically (rename on one file system)."""
    config = root / "mkdocs.yml"
    if not config.is_file():
        raise BuildError(f"no mkdocs.yml in {root}")
    site_dir = site_dir if site_dir.is_absolute() else root / site_dir
    parent = site_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-new-", dir=parent))
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
        old = Path(tempfile.mkdtemp(prefix=f".{site_dir.name}-old-", dir=parent))
        old.rmdir()
        if site_dir.exists():
            site_dir.rename(old)
        staging.rename(site_dir)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
