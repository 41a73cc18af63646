"""The admin's list of suspicious changes gives a removed date in Eastern Time, as the page says
all its times are, though a run records it in UTC."""

from __future__ import annotations

import pytest

from hearings.replica import Corpus
from hearings.reports.suspicious_changes import SuspiciousLine
from hearings.web.admin_review import shown_in_eastern
from tests.web.conftest import Scratch
from tests.web.test_history_section import BEARER, EVENT, remove_the_date_and_accept


def test_a_removed_date_is_shown_in_eastern_time(scratch: Scratch, packaged_corpus: Corpus) -> None:
    client = remove_the_date_and_accept(scratch, packaged_corpus)
    page = client.get("/admin", headers=BEARER).text
    flagged = page[page.index('aria-labelledby="flagged-h"') :].split("</table>")[0]
    row = next(r for r in flagged.split("<tr>") if f'href="/hearings/{EVENT}"' in r)
    assert "The date was removed." in row
    assert '<td class="reason">Wednesday, May 21, 2025, 10:30 a.m. ET</td>' in row
    assert "UTC" not in row


@pytest.mark.parametrize(
    ("reason", "before", "shown"),
    [
        ("date_removed", "2025-01-20 21:45 UTC", "Monday, January 20, 2025, 4:45 p.m. ET"),
        ("date_removed", "2025-06-24", "Tuesday, June 24, 2025, time not given"),
        ("date_removed", "sometime", "sometime"),  # not a moment: as recorded
        ("title_placeholder", "2025-01-20 21:45 UTC", "2025-01-20 21:45 UTC"),  # a title
    ],
)
def test_only_a_recorded_moment_of_a_removed_date_is_converted(
    reason: str, before: str, shown: str
) -> None:
    line = SuspiciousLine(1, EVENT, reason, "…", before, "no date", "flagged")
    assert shown_in_eastern(line).before == shown
