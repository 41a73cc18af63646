"""Every address that answers GET answers HEAD too (HTTP requires it: link checkers, feed readers
and `curl -I` ask with HEAD), with the GET's status and headers and no body; a method an address
does not take is a 405 that says in one sentence which methods it does take, with `Allow`."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from tests.web.live import live_server

EVENT = "118365"
GET_ADDRESSES = [
    "/hearings",
    f"/hearings/{EVENT}",
    "/hearings.csv?chamber=house",
    "/hearings.json?chamber=house",
    "/witnesses",
    "/committees/hsag00",
    "/members",
    "/calendar",
    "/api",
    "/api/hearings",
    f"/api/hearings/{EVENT}",
    "/api/committees",
    "/feeds/hearings.atom",
    "/feeds/hearings.ics",
    "/feeds/committee/hsag00.ics",
    "/openapi.json",
    "/static/style.css",
]


@pytest.fixture(scope="module")
def base(app: FastAPI) -> Iterator[str]:
    with live_server(app) as url:
        yield url


@pytest.mark.parametrize("address", GET_ADDRESSES)
def test_head_answers_like_get_without_a_body(base: str, address: str) -> None:
    got = httpx.get(base + address, timeout=60)
    head = httpx.head(base + address, timeout=60)
    assert got.status_code == 200
    assert head.status_code == 200, head.text
    assert head.headers["content-type"] == got.headers["content-type"]
    assert head.content == b""
    if "content-length" in head.headers and "content-length" in got.headers:
        assert head.headers["content-length"] == got.headers["content-length"]


def test_head_of_a_missing_record_is_404(base: str) -> None:
    assert httpx.head(f"{base}/api/hearings/nope", timeout=60).status_code == 404
    assert httpx.head(f"{base}/hearings/nope", timeout=60).status_code == 404


@pytest.mark.parametrize(
    ("method", "address", "allowed"),
    [
        ("POST", "/api/hearings", "GET, HEAD"),
        ("DELETE", f"/hearings/{EVENT}", "GET, HEAD"),
        ("OPTIONS", "/feeds/hearings.atom", "GET, HEAD"),
        ("PUT", "/hearings", "GET, HEAD"),
        ("GET", "/admin/logout", "POST"),
    ],
)
def test_a_method_an_address_does_not_take_is_one_sentence_with_allow(
    base: str, method: str, address: str, allowed: str
) -> None:
    answer = httpx.request(
        method, base + address, headers={"Accept": "application/json"}, timeout=60
    )
    assert answer.status_code == 405
    assert answer.headers["allow"] == allowed
    message = answer.json()["error"]["message"]
    assert message == f"This address does not take {method} requests; it takes {allowed}."


@pytest.mark.parametrize(
    ("address", "target"),
    [
        ("/hearings/?q=budget", "/hearings?q=budget"),
        ("/api/hearings//", "/api/hearings"),
        (f"/hearings/{EVENT}/", f"/hearings/{EVENT}"),
        ("/feeds/hearings.atom/", "/feeds/hearings.atom"),
    ],
)
def test_a_trailing_slash_goes_to_the_address_without_it_on_this_site(
    base: str, address: str, target: str
) -> None:
    """Starlette's redirect wrote an absolute `Location` from the `Host` header, which any
    client sets: a cache in front of the app would keep `Location: http://evil.example/…`."""
    for method in ("GET", "HEAD"):
        answer = httpx.request(method, base + address, headers={"Host": "evil.example"}, timeout=60)
        assert answer.status_code == 307
        assert answer.headers["location"] == target
