"""The TLS context every HTTP client of a process shares."""

from __future__ import annotations

import functools
import ssl

import httpx


@functools.cache
def tls_context() -> ssl.SSLContext:
    """httpx's own verifying TLS context, built once a process: each build reads the whole CA
    bundle (about 50 ms), and a process may make a client per command."""
    return httpx.create_ssl_context()
