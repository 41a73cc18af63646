"""Whatever text the API sends as a URL, the hearing page's link helper makes an `href` only of
an absolute http(s) URL with a host; everything else is escaped text. Hypothesis generates the
variety: scheme look-alikes, control characters, whitespace, case and markup."""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

from hypothesis import example, given
from hypothesis import strategies as st

from hearings.web.templating import external_link

SCHEMES = st.sampled_from(
    ["javascript", "JaVaScRiPt", "data", "vbscript", "http", "https", "HTTPS", "file", "ftp", ""]
)
NOISE = st.text(
    alphabet=st.sampled_from(list(" \t\r\n\x00\x01\x0b\u200b\ufeff:/\\\"'<>&")), max_size=4
)
REST = st.text(max_size=40)


@st.composite
def urls(draw: st.DrawFn) -> str:
    return (
        draw(NOISE)
        + draw(SCHEMES)
        + draw(NOISE)
        + draw(st.sampled_from([":", "://", ":/", ""]))
        + draw(REST)
    )


@given(url=st.one_of(urls(), st.text(max_size=60)), label=st.text(max_size=20))
@example(url=" https://docs.house.gov/a b.pdf ", label="Testimony")
@example(url="java\tscript:alert(1)", label="Testimony")
def test_only_http_urls_become_hrefs(url: str, label: str) -> None:
    rendered = str(external_link(url, label or None))
    hrefs = re.findall(r'href="([^"]*)"', rendered)
    assert len(hrefs) <= 1
    for href in hrefs:
        target = html.unescape(href)
        parts = urlsplit(target)
        assert parts.scheme.lower() in ("http", "https") and parts.hostname
        assert not re.search(r"[\x00-\x1f\x7f]", target)
        assert target == url.strip()
    if not hrefs:
        assert "<a" not in rendered.replace("&lt;a", "")
    # Markup in the label or the URL never reaches the page as markup.
    assert "<script" not in rendered.lower()
