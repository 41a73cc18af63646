"""Driving Debian's chromium through Playwright against the app served over real HTTP."""

from __future__ import annotations

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
