"""In Debian's chromium: a hearing page whose documents, videos and transcripts carry
`javascript:`, `data:` and `vbscript:` URLs has no clickable link to any of them in the rendered
DOM; the addresses are shown as text, and the http(s) ones stay links."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext

from hearings.web.app import create_app
from tests.web.conftest import FIXED_NOW, Scratch
from tests.web.live import live_server
from tests.web.test_hostile_data import SAFE_URL, _plant_links

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

pytestmark = pytest.mark.browser


# SQLite alone: the subject is what chromium makes of the page's links. The same planted links
# render to the same HTML on PostgreSQL, which test_hostile_data checks on both backends.
@pytest.mark.parametrize("web_database", ["sqlite"], indirect=True)
def test_no_javascript_or_data_url_is_a_clickable_link(
    scratch: Scratch, browser: BrowserContext
) -> None:
    planted = _plant_links(scratch)
    app = create_app(scratch.engine, settings=scratch.database.settings(), clock=lambda: FIXED_NOW)
    dialogs: list[str] = []
    with live_server(app) as base:
        page = browser.new_page()
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        page.goto(f"{base}/hearings/{planted.event_id}")
        # What the browser made of every link, after its own URL parsing.
        links = page.eval_on_selector_all(
            "a[href]", "links => links.map(a => [a.protocol, a.href, a.textContent])"
        )
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "hearing-hostile-links.png"), full_page=True)
        protocols = {protocol for protocol, _, _ in links}
        assert protocols <= {"http:", "https:"}, links
        assert sum(1 for _, href, _ in links if href == SAFE_URL) == 4
        shown = page.locator("span.unlinked")
        assert shown.count() >= 4 * 7  # seven hostile URLs in four places
        body = page.locator("main").inner_text()
        assert "not linked: javascript:alert(1)" in body
        assert "not linked: vbscript:msgbox(1)" in body
        # Clicking what is shown does nothing: it is text.
        shown.first.click()
        page.wait_for_timeout(200)
        assert page.url == f"{base}/hearings/{planted.event_id}"
    assert dialogs == []
