"""Reading corpus folders into a `Corpus`: one folder, a folder of corpus folders (named
`congress-NNN`, say), or a list of folders. A committee or member found in several folders is
one record that serves every folder's Congresses, with the body whose `updateDate` is newest."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hearings.congress_api.models import parse_api_datetime
from hearings.replica.records import Kind

if TYPE_CHECKING:
    from hearings.replica.corpus import Corpus

#: The subfolders that make a folder a corpus folder.
KIND_FOLDERS = ("committee-meeting", "hearing", "committee", "member")
_CONGRESS_FOLDER = re.compile(r"congress-(\d{1,3})")

CorpusSource = Path | str | Sequence[Path | str]


def corpus_folders(source: CorpusSource) -> list[Path]:
    """The corpus folders `source` names, in load order; a folder without any corpus folder in
    it is a `ValueError` naming it."""
    given = [Path(source)] if isinstance(source, str | Path) else [Path(s) for s in source]
    folders: list[Path] = []
    for path in given:
        found = _expand(path)
        if not found:
            raise ValueError(
                f"{path} is not a corpus folder: it holds none of {', '.join(KIND_FOLDERS)}, "
                "and no folder (such as congress-119) that does"
            )
        folders.extend(found)
    return folders


def folder_congress(folder: Path) -> int | None:
    """The Congress a folder named `congress-NNN` holds, else None."""
    matched = _CONGRESS_FOLDER.fullmatch(folder.name)
    return int(matched.group(1)) if matched else None


def folder_congresses(folder: Path) -> list[int] | None:
    """The Congresses a committee or member of `folder` belongs to when its file does not say:
    the folder's own (`congress-NNN`), else every Congress its meetings and printed hearings are
    filed under, else None (the corpus's newest)."""
    named = folder_congress(folder)
    if named is not None:
        return [named]
    filed = {
        int(path.name)
        for kind in ("committee-meeting", "hearing")
        for path in folder.glob(f"{kind}/*")
        if path.is_dir() and path.name.isdigit()
    }
    return sorted(filed) or None


def fill(corpus: Corpus, folder: Path) -> None:
    """Add every record under `folder` to `corpus`, merging committees and members it already
    holds. A file that is not a record is a `ValueError` naming it."""
    congresses = folder_congresses(folder)
    for path in sorted(folder.glob("committee-meeting/*/*/*.json")):
        with _naming(path):
            meeting = read_json(path)
            _refuse_a_second_congress(corpus, meeting)
            corpus.put_meeting(meeting, chamber=path.parent.name)
    for path in sorted(folder.glob("hearing/*/*/*.json")):
        with _naming(path):
            corpus.put_printed_hearing(read_json(path), chamber=path.parent.name)
    for path in sorted(folder.glob("committee/*/*.json")):
        with _naming(path):
            raw = _unwrapped(read_json(path), "committee")
            chosen = _merged(corpus, "committee", "systemCode", raw, congresses)
            if chosen is not None:
                corpus.put_committee(chosen[0], chamber=path.parent.name, congresses=chosen[1])
    for path in sorted(folder.glob("member/*.json")):
        with _naming(path):
            raw = _unwrapped(read_json(path), "member")
            chosen = _merged(corpus, "member", "bioguideId", raw, congresses)
            if chosen is not None:
                corpus.put_member(chosen[0], congresses=chosen[1])


def _refuse_a_second_congress(corpus: Corpus, payload: dict[str, Any]) -> None:
    # Event ids are unique across Congresses upstream, and the corpus keys meetings by them: a
    # second copy in another Congress would silently replace the first.
    meeting = _unwrapped(payload, "committeeMeeting")
    held = corpus.record("meeting", str(meeting.get("eventId") or ""))
    if held is not None and str(meeting.get("congress")) != str(held.congresses[0]):
        raise ValueError(
            f"event id {held.ident} is filed under Congress {held.congresses[0]} already"
        )


def read_json(path: Path) -> dict[str, Any]:
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path} cannot be read as JSON ({exc})") from None
    if not isinstance(loaded, dict):
        raise ValueError(f"{path} holds no JSON object")
    return loaded


@contextmanager
def _naming(path: Path) -> Iterator[None]:
    """Name the file in any error its record causes."""
    try:
        yield
    except ValueError as exc:
        if str(path) in str(exc):
            raise
        raise ValueError(f"{path} is not a corpus record: {exc}") from None
    except (TypeError, AttributeError, KeyError) as exc:
        raise ValueError(f"{path} is not a corpus record ({type(exc).__name__})") from None


def _expand(path: Path) -> list[Path]:
    if not path.is_dir():
        return []
    if _holds_records(path):
        return [path]
    inner = [p for p in path.iterdir() if p.is_dir() and _holds_records(p)]
    # Oldest Congress first, so a later Congress's record wins a tie on updateDate.
    inner.sort(key=lambda p: (folder_congress(p) or 10_000, p.name))
    return inner


def _holds_records(folder: Path) -> bool:
    return any((folder / kind).is_dir() for kind in KIND_FOLDERS)


def _unwrapped(payload: dict[str, Any], kind: str) -> dict[str, Any]:
    inner = payload.get(kind)
    return inner if isinstance(inner, dict) else payload


def _merged(
    corpus: Corpus, kind: Kind, id_field: str, raw: dict[str, Any], congresses: list[int] | None
) -> tuple[dict[str, Any], list[int] | None] | None:
    """The body to store and its Congresses, or None to keep the stored body as it is."""
    own = _own_congresses(kind, raw, congresses)
    existing = corpus.record(kind, str(raw.get(id_field) or ""))
    raw = {k: v for k, v in raw.items() if k != "_congresses"}  # replaced by `own`
    if existing is None:
        return raw, own
    congresses = sorted({*existing.congresses, *(own or ())})
    newer = _instant(raw.get("updateDate")) >= existing.updated
    body = raw if newer else corpus.get(existing.kind, existing.ident) or raw
    if not newer and set(congresses) == set(existing.congresses):
        return None
    return body, congresses


def _own_congresses(
    kind: Kind, raw: dict[str, Any], congresses: list[int] | None
) -> list[int] | None:
    listed = raw.get("_congresses")
    if isinstance(listed, list) and listed:
        return [int(c) for c in listed]
    if kind == "member":
        terms: Iterable[Any] = raw.get("terms") or []
        from_terms = [
            int(t["congress"]) for t in terms if isinstance(t, dict) and t.get("congress")
        ]
        if from_terms:
            return from_terms
    return congresses


def _instant(text: object) -> float:
    moment = parse_api_datetime(str(text or ""))
    return moment.timestamp() if moment is not None else float("-inf")
