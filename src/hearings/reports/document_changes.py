"""How a meeting's documents changed between two versions, as history says it: "Documents: +3 −1".

A document is known by its URL when it has one (the store keeps one document a URL, the first),
otherwise by what it has: its type, name and description (the store keeps every URL-less one,
so two alike are two). A document that only gained or lost its URL is neither added nor removed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ListedDocument:
    """One entry of a payload's meetingDocuments or witnessDocuments, its text collapsed."""

    url: str | None
    document_type: str | None
    name: str | None
    description: str | None

    @property
    def identity(self) -> tuple[str | None, ...]:
        return ("url", self.url) if self.url else ("described", *self.described_as)

    @property
    def described_as(self) -> tuple[str | None, ...]:
        return (self.document_type, self.name, self.description)


@dataclass(frozen=True, slots=True)
class DocumentDelta:
    added: int
    removed: int
    links_added: int  # documents that were there without a URL and now have one
    links_removed: int  # documents that lost their URL


def document_delta(
    before: Iterable[ListedDocument], after: Iterable[ListedDocument]
) -> DocumentDelta:
    """The documents only `after` has, only `before` has, and those that only gained or lost a
    URL, counted as the store keeps them (compared as multisets; order is no change)."""
    old, new = _as_stored(before), _as_stored(after)
    added, removed = _missing_from(new, old), _missing_from(old, new)
    links_added = _pair_off(linked=added, unlinked=removed)
    links_removed = _pair_off(linked=removed, unlinked=added)
    return DocumentDelta(len(added), len(removed), links_added, links_removed)


def document_sentence(delta: DocumentDelta) -> str | None:
    """`Documents: +3 −1`, `Documents: +1, 1 link added`; None when nothing changed."""
    counts = ([f"+{delta.added}"] if delta.added else []) + (
        [f"−{delta.removed}"] if delta.removed else []
    )
    clauses = [" ".join(counts)] if counts else []
    clauses += [_links(delta.links_added, "added")] if delta.links_added else []
    clauses += [_links(delta.links_removed, "removed")] if delta.links_removed else []
    return "Documents: " + ", ".join(clauses) if clauses else None


def _links(count: int, verb: str) -> str:
    return f"{count} link{'' if count == 1 else 's'} {verb}"


def _as_stored(documents: Iterable[ListedDocument]) -> list[ListedDocument]:
    """One document a URL, the first; every document without one."""
    seen: set[str] = set()
    kept = []
    for document in documents:
        if document.url:
            if document.url in seen:
                continue
            seen.add(document.url)
        kept.append(document)
    return kept


def _missing_from(
    these: Sequence[ListedDocument], others: Sequence[ListedDocument]
) -> list[ListedDocument]:
    """The documents of `these` left over once each is matched with one alike in `others`."""
    unmatched = Counter(d.identity for d in others)
    missing = []
    for document in these:
        if unmatched[document.identity]:
            unmatched[document.identity] -= 1
        else:
            missing.append(document)
    return missing


def _pair_off(*, linked: list[ListedDocument], unlinked: list[ListedDocument]) -> int:
    """Take out of both lists each document of `linked` that has a URL and one of `unlinked`
    without one, described the same: one document that gained (or lost) its URL. The pairs."""
    pairs = 0
    for document in [d for d in linked if d.url]:
        alike = next(
            (d for d in unlinked if not d.url and d.described_as == document.described_as), None
        )
        if alike is not None:
            unlinked.remove(alike)
            linked.remove(document)
            pairs += 1
    return pairs
