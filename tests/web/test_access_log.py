"""The access log of `hearings serve` never keeps a secret sent in a URL's query: the app refuses
a token there, but the log wrote the whole URL."""

from __future__ import annotations

from pathlib import Path

import httpx
from hypothesis import given
from hypothesis import strategies as st

from hearings.web.access_log import without_secrets
from tests.cli.test_serve_behind_a_proxy import TOKEN, serving
from tests.store.conftest import Site, imported_database, site

__all__ = ["imported_database", "site"]  # the fixtures, shared with tests/store

_SECRET = st.text(st.characters(codec="utf-8", exclude_characters="&#"), min_size=6)


@given(name=st.sampled_from(["token", "TOKEN", "api_key", "key", "password"]), value=_SECRET)
def test_a_secret_in_a_query_is_hidden_and_the_rest_kept(name: str, value: str) -> None:
    path = "/api/hearings?" + httpx.QueryParams({"page": "2", name: value, "q": "a b"}).__str__()
    shown = without_secrets(path)
    assert httpx.QueryParams(shown.split("?", 1)[1]) == httpx.QueryParams(
        {"page": "2", name: "***", "q": "a b"}
    )
    assert httpx.QueryParams(path.split("?", 1)[1])[name] == value  # what was hidden


def test_a_path_without_a_secret_is_logged_as_sent() -> None:
    for path in ("/hearings", "/hearings?q=a%20b&page=2", "/changes?committee=hsgo00&"):
        assert without_secrets(path) == path


def test_serve_logs_requests_without_the_secrets_in_their_urls(site: Site, tmp_path: Path) -> None:
    log = tmp_path / "access.log"
    with log.open("w") as stdout, serving(site, stdout=stdout) as base:
        refused = httpx.get(f"{base}/admin", params={"token": TOKEN}, timeout=60)
        listed = httpx.get(
            f"{base}/api/hearings", params={"api_key": "DEMO-KEY-77", "page": 2}, timeout=60
        )
    assert refused.status_code == 401 and listed.status_code == 200
    written = log.read_text()
    assert "GET /admin?token=*** HTTP/1.1" in written
    assert "GET /api/hearings?api_key=***&page=2 HTTP/1.1" in written
    assert TOKEN not in written and "DEMO-KEY-77" not in written
