"""Where a list's next page starts, and whether the list has one: `ListCursor` reads each page's
`pagination` and decides, and says why when a list could not be read to its end.

The API's paging facts (/work/shared/congress-api/API_FACTS.md): `count` is the total, `next`
appears only when more pages exist, and both have been wrong. Offsets are computed from the
entries received, never taken from `next`, whose links have been malformed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# A sentence names this many reasons at most; a list with more holes than that says how many.
SHOWN_REASONS = 3


@dataclass(frozen=True, slots=True)
class ListShortfall:
    """Yielded after a list's last entry when the list could not be read to its end: its URL and
    why, for the run to report and list again."""

    url: str
    reason: str


@dataclass
class ListCursor:
    """The paging of one list, page by page: `offset` is where the next page starts, `done`
    whether there is none, `reasons` why the list is not known to be whole."""

    limit: int
    offset: int = 0
    done: bool = False
    reasons: list[str] = field(default_factory=list)
    # The latest usable `pagination.count`: a list that grows while it is paged is followed to
    # its new end, and a page that lacks the count does not forget what earlier ones said.
    count: int | None = None
    # Whether the page just read had `pagination.next`, and whether it was an unexpected empty
    # page (a hole): two holes in a row end the list.
    last_had_next: bool = False
    last_was_hole: bool = False
    last_entries: int = 0

    def after_page(self, entries: int, pagination: object) -> None:
        """Move past a page of `entries` entries whose `pagination` is as received."""
        count = usable_count(pagination, entries, self.offset)
        if count is not None:
            self.count = count
        follows = has_next(pagination)
        if entries == 0:
            self._after_empty_page(follows)
        else:
            self._after_entries(entries, follows)
        self.last_had_next, self.last_entries = follows, entries

    def _after_entries(self, entries: int, follows: bool) -> None:
        self.offset += entries
        self.last_was_hole = False
        if self.count is not None and self.offset < self.count:
            return  # the count says more; a short page inside a list does not end it (#212)
        if follows:
            return  # the count is stale or unusable, and the API says another page exists
        if self.count is not None and self.offset > self.count and entries >= self.limit:
            return  # more arrived than the count said, on a full page: the count is stale
        if self.count is None and entries >= self.limit:
            return  # nothing says whether a full page was the last: an empty page will
        self.done = True
        if self.count is None:
            self.reasons.append(NO_COUNT)

    def _after_empty_page(self, follows: bool) -> None:
        if follows and not self.last_was_hole and (self.count is None or self.offset >= self.count):
            # Empty, yet `next` names a page after it: the two disagree, and only reading on
            # tells whether entries follow.
            self.reasons.append(
                f"the page at offset {self.offset:,} was empty, but pagination.next named another"
            )
            self._skip_hole()
            return
        if self.count is None:
            self.done = True
            self.reasons.append(NO_COUNT)
            return
        if self.offset >= self.count:
            self.done = True
            return
        if self._past_marked_last() and self.count - self.offset <= 1:
            # The API's own last page said it was the last (short, no `next`), and this page
            # confirms nothing follows: only the count disagrees, by one, as counts off by one
            # do (#183). Flagging that would relist the window every day for nothing.
            self.done = True
            return
        unseen = self.count - self.offset
        self.reasons.append(
            f"pagination.count is {self.count:,}, but the page at offset {self.offset:,} "
            f"was empty, leaving {unseen:,} {'entry' if unseen == 1 else 'entries'} unseen"
        )
        if self.last_was_hole or self.offset + self.limit >= self.count:
            # A second hole in a row: the count is likely wrong by far more than a page, and
            # paging on through it could cost a request per page of a count of a billion.
            self.done = True
            return
        self._skip_hole()

    def _skip_hole(self) -> None:
        # Read on past the hole: the records after it are fetched in this run, not a day late.
        self.offset += self.limit
        self.last_was_hole = True

    def ends_on_failure(self, failure: Exception) -> bool:
        """Whether a page that failed ends the list (rather than failing its reader)."""
        if self.count is not None and self.offset >= self.count:
            # Every counted entry arrived: the page was asked for only on `next`'s word, and
            # losing it loses nothing the API counted.
            self.done = True
            return True
        if self.offset > 0 and (self.last_was_hole or not self.last_had_next):
            # The page was asked for on this cursor's inference (past a hole, or after a page
            # without `next`), not because the API said it exists: keep what was read and say
            # the end could not be checked, rather than fail the stage over a page the API may
            # not have. A page the API announced and then failed is a failure, as before.
            self.done = True
            self.reasons.append(
                f"the page at offset {self.offset:,} failed: {_first_line(failure)}"
            )
            return True
        return False

    def _past_marked_last(self) -> bool:
        """Whether the page before this offset was the list's last by the API's own marks: it
        held entries, fewer than a page, and no `next`."""
        return (
            0 < self.last_entries < self.limit and not self.last_had_next and not self.last_was_hole
        )

    def shortfall(self, url: str) -> ListShortfall | None:
        """Why the list is not known to be whole, or None when it was read to its end."""
        if not self.reasons:
            return None
        shown = self.reasons[:SHOWN_REASONS]
        more = len(self.reasons) - len(shown)
        text = "; ".join(shown) + (f"; and {more:,} more like these" if more else "")
        return ListShortfall(url, text)


NO_COUNT = "no page gave a usable pagination.count to check its end against"


def usable_count(pagination: object, entries: int, offset: int) -> int | None:
    """The page's `pagination.count` when it can be trusted: a whole number that the entries
    received, this page's included, do not exceed (a count of 0 on a full page is wrong)."""
    count = pagination.get("count") if isinstance(pagination, dict) else None
    if isinstance(count, str) and count.strip().isascii() and count.strip().isdigit():
        count = int(count.strip())  # "611" names a count exactly; reading it is no guess
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        return None
    return None if count < offset + entries else count


def has_next(pagination: object) -> bool:
    link = pagination.get("next") if isinstance(pagination, dict) else None
    return isinstance(link, str) and bool(link.strip())


def _first_line(failure: Exception) -> str:
    text = str(failure).strip()
    return (text.splitlines() or [type(failure).__name__])[0].rstrip(".")
