"""`hearings serve` as a real process behind a TLS-terminating proxy: with `--proxy-headers` (or
FORWARDED_ALLOW_IPS set) the admin cookie is Secure when the proxy says https; without it the
same headers are ignored. PUBLIC_BASE_URL shapes the feeds the served app writes."""

from __future__ import annotations

import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from tests.store.conftest import Site, imported_database, site

__all__ = ["imported_database", "site"]  # the fixtures, shared with tests/store

TOKEN = "serve-admin-token-51"
FROM_TLS_PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_serve(
    site: Site, *options: str, stdout: Any = subprocess.DEVNULL, **env: str
) -> tuple[subprocess.Popen[bytes], int, bytes]:
    """`hearings serve` listening on a free port: the process, its port and what it printed on
    stderr until uvicorn said it was listening (the rest is the caller's to read). The port is
    found free and bound by the process a second later; another process (another xdist worker's
    server or client) can take it in between, so another is tried then. Waiting for uvicorn's own
    word also ensures that what answers on the port is this process, not another one."""
    for attempt in range(1, 4):
        port = _free_port()
        process = subprocess.Popen(
            [sys.executable, "-m", "hearings", "serve", "--port", str(port), *options],
            env=site.env(**env),
            cwd=site.folder,
            stdout=stdout,
            stderr=subprocess.PIPE,
            bufsize=0,  # read unbuffered: the caller reads the rest of the pipe itself
        )
        assert process.stderr is not None
        said = b""
        deadline = time.monotonic() + 60
        while b"Uvicorn running on" not in said:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([process.stderr], [], [], left)[0]:
                process.kill()
                process.wait()
                raise AssertionError(f"hearings serve did not start in 60 s: {said.decode()}")
            read = os.read(process.stderr.fileno(), 4096)
            if not read:
                break
            said += read
        if b"Uvicorn running on" in said:
            return process, port, said
        process.wait(timeout=30)
        if b"Address already in use" not in said or attempt == 3:
            raise AssertionError(f"hearings serve did not start: {said.decode()}")
    raise AssertionError("unreachable")


@contextmanager
def serving(
    site: Site, *options: str, stdout: Any = subprocess.DEVNULL, **env: str
) -> Iterator[str]:
    """`hearings serve` on a free port, its address while it runs; `stdout` takes its access
    log."""
    process, port, _ = start_serve(site, *options, stdout=stdout, ADMIN_TOKEN=TOKEN, **env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/api/update-status", timeout=10).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert process.poll() is None, process.stderr.read() if process.stderr else ""
            assert time.monotonic() < deadline, "hearings serve did not start"
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


def _cookie_flags(base: str) -> list[str]:
    answer = httpx.post(
        f"{base}/admin/login", data={"token": TOKEN}, headers=FROM_TLS_PROXY, timeout=60
    )
    assert answer.status_code == 303
    return [part.strip().lower() for part in answer.headers["set-cookie"].split(";")]


@pytest.mark.parametrize(
    ("options", "env"),
    [(("--proxy-headers",), {}), ((), {"FORWARDED_ALLOW_IPS": "127.0.0.1"})],
    ids=["--proxy-headers", "FORWARDED_ALLOW_IPS"],
)
def test_behind_a_trusted_proxy_the_admin_cookie_is_secure(
    site: Site, options: tuple[str, ...], env: dict[str, str]
) -> None:
    with serving(site, *options, **env) as base:
        flags = _cookie_flags(base)
    assert "secure" in flags and "httponly" in flags and "samesite=strict" in flags


def test_without_trusted_proxies_forwarded_headers_are_ignored(site: Site) -> None:
    with serving(site) as base:
        assert "secure" not in _cookie_flags(base)
    with serving(site, "--no-proxy-headers", FORWARDED_ALLOW_IPS="127.0.0.1") as base:
        assert "secure" not in _cookie_flags(base)


def test_served_feeds_use_public_base_url(site: Site) -> None:
    with serving(site, PUBLIC_BASE_URL="https://hearings.example.org") as base:
        atom = httpx.get(
            f"{base}/feeds/hearings.atom", headers={"Host": "evil.example"}, timeout=60
        )
    assert atom.status_code == 200
    assert "evil.example" not in atom.text
    assert 'href="https://hearings.example.org/feeds/hearings.atom"' in atom.text


def test_an_invalid_public_base_url_stops_serve_in_one_sentence(site: Site) -> None:
    # A process of its own: a `serve` that failed to refuse would serve on, until the timeout.
    result = site.cli(
        "serve", "--port", "1", own_process=True, PUBLIC_BASE_URL="javascript:alert(1)"
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "PUBLIC_BASE_URL 'javascript:alert(1)' is not an http(s) URL" in result.stderr


def test_a_trusted_network_among_addresses_is_matched(site: Site) -> None:
    with serving(site, "--forwarded-allow-ips", "192.0.2.1, 127.0.0.0/8, ::1") as base:
        assert "secure" in _cookie_flags(base)


@pytest.mark.parametrize(
    ("options", "env", "says"),
    [
        (
            ("--forwarded-allow-ips", "notanip"),
            {},
            "Invalid value for '--forwarded-allow-ips': 'notanip' is not an IP address",
        ),
        (
            (),
            {"FORWARDED_ALLOW_IPS": "999.1.1.1/99"},
            "FORWARDED_ALLOW_IPS: '999.1.1.1/99' is not an IP address or network",
        ),
    ],
    ids=["--forwarded-allow-ips", "FORWARDED_ALLOW_IPS"],
)
def test_a_proxy_address_that_is_not_one_stops_serve_in_one_sentence(
    site: Site, options: tuple[str, ...], env: dict[str, str], says: str
) -> None:
    # A process of its own: a `serve` that failed to refuse would serve on, until the timeout.
    result = site.cli("serve", "--port", "1", *options, own_process=True, timeout=60, **env)
    assert result.returncode == 2
    assert says in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "Serving" not in result.stderr
