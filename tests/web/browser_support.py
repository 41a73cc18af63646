"""Driving Debian's chromium through Playwright against the app served over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, sync_playwright

from tests.web.live import live_server

# The app over real HTTP, for the browser to load.
serve = live_server
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@contextmanager
def chromium(profile: Path, **options: Any) -> Iterator[BrowserContext]:
    """Headless Debian chromium with its own profile folder; `options` go to Playwright's
    `launch_persistent_context` (a viewport, downloads)."""
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile), executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, **options
        )
        yield context
        context.close()
