"""A meeting whose date upstream removed: every page that shows it says so without an empty
`<time datetime="">`, which is not valid HTML."""

from __future__ import annotations

import re

from hearings.replica import Corpus
from tests.web.conftest import Scratch
from tests.web.test_history_section import EVENT, remove_the_date_and_accept


def test_no_page_shows_an_empty_time_element(scratch: Scratch, packaged_corpus: Corpus) -> None:
    client = remove_the_date_and_accept(scratch, packaged_corpus)
    meeting = client.get(f"/api/hearings/{EVENT}").json()
    assert meeting["start"] is None
    title_word = max(re.findall(r"[A-Za-z]+", meeting["title"]), key=len)
    witness = meeting["witnesses"][0]["witness_id"]
    code = meeting["committees"][0]["system_code"]
    page = client.get(f"/hearings/{EVENT}").text
    assert "<dd>Date not announced</dd>" in page
    pages = {
        f"/hearings/{EVENT}": page,
        "search": client.get(f"/hearings?q={title_word}&sort=newest&per_page=100").text,
        "committee": client.get(f"/committees/{code}").text,
        "witness": client.get(f"/witnesses/{witness}").text,
    }
    for name, html in pages.items():
        assert f'href="/hearings/{EVENT}"' in html or name == f"/hearings/{EVENT}", name
        assert 'datetime=""' not in html, name
        assert all(
            re.fullmatch(r'datetime="[^"]+"', t) for t in re.findall(r'datetime="[^"]*"', html)
        )
