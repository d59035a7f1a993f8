"""What the browser tests share: the Chromium to drive, skipping outside CI and failing in
it when the browser or Playwright is missing, and the built site served on 127.0.0.1.

The executable is Debian's ``chromium`` at /usr/bin/chromium, or the one named by
INCIDENT_KB_CHROMIUM. ``CI`` set to anything but empty/0/false/no turns a missing browser or
a missing Playwright into a failure: ``.ci/run`` installs both.
"""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Playwright

CHROMIUM_ENV = "INCIDENT_KB_CHROMIUM"
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def unavailable(reason: str) -> NoReturn:
    """Skip outside CI; in CI a missing browser is a failure, not a silent skip."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
    pytest.skip(reason)


def chromium_path() -> str:
    """The browser to drive, or skip/fail with the reason it cannot be used."""
    configured = os.environ.get(CHROMIUM_ENV)
    candidate = configured or DEFAULT_CHROMIUM
    source = f"{CHROMIUM_ENV}={configured}" if configured else DEFAULT_CHROMIUM
    found = shutil.which(candidate)
    if found is None:
        unavailable(
            f"no Chromium executable at {source}: install Debian's browser with "
            f"`apt-get install chromium` (.ci/run does), or point {CHROMIUM_ENV} at one"
        )
    return found


@contextmanager
def start_playwright() -> Iterator[Playwright]:
    """Playwright's driver, or skip/fail when Playwright for Python is not installed."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable(
            "Playwright for Python is not installed: pip install -e '.[test]' "
            "(never `playwright install`; the tests use the system Chromium)"
        )
    with sync_playwright() as pw:
        yield pw


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """``folder`` served on 127.0.0.1 at a free port, as a static host serves a site."""
    handler = functools.partial(QuietHandler, directory=str(folder))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def is_local(url: str, base_url: str) -> bool:
    return url.startswith(base_url) or urlsplit(url).scheme in {"data", "blob"}
