"""Admin sessions over real HTTP: they expire, logout ends them, a new ADMIN_TOKEN ends them all;
every POST made with the session cookie needs its CSRF value (an empty Authorization header
changes nothing); wrong tokens are throttled per client; behind a trusted TLS proxy the cookie
is Secure."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy import select

from hearings.store import schema
from hearings.web.app import create_app
from tests.web.browser_support import CHROMIUM, CHROMIUM_ARGS
from tests.web.conftest import ADMIN_TOKEN, FIXED_NOW, QUARANTINED_ID, Scratch
from tests.web.live import live_server


class Clock:
    """A clock the test moves forward."""

    def __init__(self) -> None:
        self.now = FIXED_NOW

    def __call__(self) -> datetime:
        return self.now


@contextmanager
def admin_site(scratch: Scratch, clock: Callable[[], datetime], **settings: Any) -> Iterator[str]:
    app = create_app(scratch.engine, settings=scratch.database.settings(**settings), clock=clock)
    with live_server(app) as base:
        yield base


def sign_in(base: str, token: str = ADMIN_TOKEN, **headers: str) -> httpx.Client:
    browser = httpx.Client(base_url=base, headers=headers, timeout=60)
    answer = browser.post("/admin/login", data={"token": token})
    assert answer.status_code == 303, answer.text
    return browser


def csrf_of(browser: httpx.Client) -> str:
    page = browser.get("/admin")
    assert page.status_code == 200
    return page.text.split('name="csrf" value="')[1].split('"')[0]


def test_a_session_expires_after_its_lifetime(scratch: Scratch) -> None:
    clock = Clock()
    with admin_site(scratch, clock, admin_session_hours=12) as base:
        browser = sign_in(base)
        cookie = browser.cookies["hearings_admin"]
        assert "max-age=43200" in _set_cookie(base).lower()
        clock.now = FIXED_NOW + timedelta(hours=11, minutes=59)
        assert browser.get("/admin").status_code == 200
        clock.now = FIXED_NOW + timedelta(hours=12)
        ended = browser.get("/admin")
        assert ended.status_code == 401 and "has ended" in ended.text
        # The same cookie sent again, by anyone, stays dead.
        replay = httpx.get(f"{base}/admin", cookies={"hearings_admin": cookie}, timeout=60)
        assert replay.status_code == 401


def test_logout_ends_the_session_even_for_a_copied_cookie(scratch: Scratch) -> None:
    with admin_site(scratch, Clock()) as base:
        browser = sign_in(base)
        stolen = browser.cookies["hearings_admin"]
        out = browser.post("/admin/logout", data={"csrf": csrf_of(browser)})
        assert out.status_code == 303
        assert "hearings_admin" not in browser.cookies
        replay = httpx.get(f"{base}/admin", cookies={"hearings_admin": stolen}, timeout=60)
        assert replay.status_code == 401


def test_a_new_admin_token_ends_every_session(scratch: Scratch) -> None:
    clock = Clock()
    with admin_site(scratch, clock) as base:
        cookie = sign_in(base).cookies["hearings_admin"]
    # The server restarted with a rotated token: the old cookie opens nothing.
    with admin_site(scratch, clock, admin_token="rotated-token-9f2c") as base:
        answer = httpx.get(f"{base}/admin", cookies={"hearings_admin": cookie}, timeout=60)
        assert answer.status_code == 401
        assert sign_in(base, "rotated-token-9f2c").get("/admin").status_code == 200


def test_a_token_changed_in_the_running_app_ends_its_sessions(scratch: Scratch) -> None:
    app = create_app(scratch.engine, settings=scratch.database.settings(), clock=Clock())
    with live_server(app) as base:
        browser = sign_in(base)
        assert browser.get("/admin").status_code == 200
        app.state.settings = scratch.database.settings(admin_token="rotated-in-place")
        assert browser.get("/admin").status_code == 401


def test_every_cookie_post_needs_the_csrf_value(scratch: Scratch) -> None:
    errors = schema.import_errors
    with scratch.engine.connect() as connection:
        error_id = connection.execute(
            select(errors.c.error_id).where(errors.c.identifier == QUARANTINED_ID)
        ).scalar_one()
    with admin_site(scratch, Clock()) as base:
        browser = sign_in(base)
        form = {"error_id": str(error_id)}
        for headers in ({}, {"Authorization": ""}):
            refused = browser.post("/admin/quarantine/retry", data=form, headers=headers)
            assert refused.status_code == 403, headers
            assert "form has expired" in refused.text
        assert browser.post("/admin/logout", data={}).status_code == 403
        assert browser.get("/admin").status_code == 200  # that forged logout ended nothing
        # Another session's CSRF value does not fit this one.
        other = csrf_of(sign_in(base))
        assert (
            browser.post("/admin/quarantine/retry", data={**form, "csrf": other}).status_code == 403
        )
        done = browser.post("/admin/quarantine/retry", data={**form, "csrf": csrf_of(browser)})
        assert done.status_code == 303 and done.headers["location"] == "/admin?retried=1"
        # Scripts with the token in the header need no CSRF value.
        scripted = httpx.post(
            f"{base}/admin/quarantine/retry",
            data=form,
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            timeout=60,
        )
        assert scripted.json() == {"marked_for_retry": 1}


def test_wrong_tokens_are_throttled_per_client(scratch: Scratch) -> None:
    clock = Clock()
    with admin_site(scratch, clock, admin_login_attempts_per_minute=10) as base:
        guesses = [
            httpx.post(f"{base}/admin/login", data={"token": f"guess-{i}"}, timeout=60)
            for i in range(10)
        ]
        assert [g.status_code for g in guesses] == [403] * 10
        blocked = httpx.post(f"{base}/admin/login", data={"token": "guess-10"}, timeout=60)
        assert blocked.status_code == 429
        assert int(blocked.headers["retry-after"]) == 60
        assert "Too many wrong admin tokens from your address" in blocked.text
        # While blocked even the right token is refused, so guessing learns nothing.
        right = httpx.post(f"{base}/admin/login", data={"token": ADMIN_TOKEN}, timeout=60)
        assert right.status_code == 429
        bearer = httpx.get(
            f"{base}/admin", headers={"Authorization": "Bearer another-guess"}, timeout=60
        )
        assert bearer.status_code == 429
        assert bearer.headers["content-type"].startswith("text/html")
        scripted = httpx.get(
            f"{base}/admin",
            headers={"Authorization": "Bearer x", "Accept": "application/json"},
            timeout=60,
        )
        assert scripted.status_code == 429 and "wait" in scripted.json()["error"]["message"]
        clock.now = FIXED_NOW + timedelta(seconds=61)
        assert sign_in(base).get("/admin").status_code == 200


def test_the_cookie_is_secure_behind_a_trusted_tls_proxy(scratch: Scratch) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    with admin_site(scratch, Clock(), proxy_headers=True, forwarded_allow_ips="127.0.0.1") as base:
        cookie = _set_cookie(base, forwarded)
        assert "secure" in [part.strip().lower() for part in cookie.split(";")]
        # The throttle counts the forwarded client, not the proxy.
        for i in range(10):
            httpx.post(
                f"{base}/admin/login", data={"token": f"g{i}"}, headers=forwarded, timeout=60
            )
        assert (
            httpx.post(
                f"{base}/admin/login", data={"token": "g"}, headers=forwarded, timeout=60
            ).status_code
            == 429
        )
        other_client = {**forwarded, "X-Forwarded-For": "198.51.100.2"}
        assert "secure" in _set_cookie(base, other_client).lower()
    # Without PROXY_HEADERS the same headers are ignored: anyone could send them.
    with admin_site(scratch, Clock()) as base:
        cookie = _set_cookie(base, forwarded)
        assert "secure" not in [part.strip().lower() for part in cookie.split(";")]


def test_an_untrusted_proxy_cannot_claim_https(scratch: Scratch) -> None:
    forwarded = {"X-Forwarded-Proto": "https"}
    with admin_site(scratch, Clock(), proxy_headers=True, forwarded_allow_ips="10.9.9.9") as base:
        cookie = _set_cookie(base, forwarded)
        assert "secure" not in [part.strip().lower() for part in cookie.split(";")]


def _set_cookie(base: str, headers: dict[str, str] | None = None) -> str:
    answer = httpx.post(
        f"{base}/admin/login", data={"token": ADMIN_TOKEN}, headers=headers or {}, timeout=60
    )
    assert answer.status_code == 303, answer.text
    return answer.headers["set-cookie"]


@pytest.mark.browser
def test_back_after_sign_out_shows_no_admin_page_from_the_cache(scratch: Scratch) -> None:
    """On a shared computer, Back after Sign out showed the whole admin page (its runs,
    quarantine and form token) from the browser's cache, without asking the server."""
    with admin_site(scratch, Clock()) as base:
        assert "no-store" in httpx.get(f"{base}/admin", timeout=60).headers["cache-control"]
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page()
            page.goto(f"{base}/admin")
            page.fill("#token", ADMIN_TOKEN)
            page.click("form.login button")
            expect(page.locator("form.logout")).to_be_visible()
            page.click("form.logout button")
            page.wait_for_url(f"{base}/hearings")
            page.go_back()
            page.wait_for_url(f"{base}/admin")
            expect(page.locator("form.login")).to_be_visible()
            assert page.locator("form.logout").count() == 0
            assert 'name="csrf"' not in page.content()
            browser.close()
