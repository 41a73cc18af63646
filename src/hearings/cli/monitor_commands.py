"""Commands registered on the `hearings` app."""

from __future__ import annotations

from hearings.cli import app  # noqa: F401
