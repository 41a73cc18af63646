"""Reading corpus folders into a `Corpus`: one folder, a folder of corpus folders (named
`congress-NNN`, say), or a list of folders. A committee or member found in several folders is
one record that serves every folder's Congresses, with the body whose `updateDate` is newest."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hearings.congress_api.models import parse_api_datetime
from hearings.replica.record_intake import FilePlace
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
    holds. Each is filed where its file sits and served as the file has it; a file that holds
    no JSON object, or sits where no record can, is a `ValueError` naming it."""
    congresses = folder_congresses(folder)
    loaded_at = time.time()
    for path in sorted(folder.glob("committee-meeting/*/*/*.json")):
        with _naming(path):
            place = _place(path, loaded_at, filed=True)
            _refuse_a_second_congress(corpus, place)
            corpus.put_file("meeting", read_json(path), place)
    for path in sorted(folder.glob("hearing/*/*/*.json")):
        with _naming(path):
            corpus.put_file("hearing", read_json(path), _place(path, loaded_at, filed=True))
    shared: tuple[tuple[Kind, str], ...] = (
        ("committee", "committee/*/*.json"),
        ("member", "member/*.json"),
    )
    for kind, pattern in shared:
        for path in sorted(folder.glob(pattern)):
            with _naming(path):
                place = _place(path, loaded_at, filed=False, chamber=kind == "committee")
                raw = _unwrapped(read_json(path), kind)
                chosen = _merged(corpus, kind, place.ident, raw, congresses)
                if chosen is not None:
                    corpus.put_file(kind, chosen[0], place, chosen[1])


def _place(path: Path, loaded_at: float, *, filed: bool, chamber: bool = True) -> FilePlace:
    """Where the file sits: `committee-meeting/{congress}/{chamber}/{id}.json` and the like."""
    congress = None
    if filed:
        folder = path.parent.parent.name
        if not folder.isdecimal() or not 0 < int(folder) < 1000:
            raise ValueError(f"its folder {folder!r} names no Congress")
        congress = int(folder)
    return FilePlace(path.stem, path.parent.name if chamber else "", congress, loaded_at)


def _refuse_a_second_congress(corpus: Corpus, place: FilePlace) -> None:
    # Event ids are unique across Congresses upstream, and the corpus keys meetings by them: a
    # second copy in another Congress would silently replace the first.
    held = corpus.record("meeting", place.ident)
    if held is not None and place.congress != held.congresses[0]:
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
    corpus: Corpus, kind: Kind, ident: str, raw: dict[str, Any], congresses: list[int] | None
) -> tuple[dict[str, Any], list[int] | None] | None:
    """The body to store and its Congresses, or None to keep the stored body as it is."""
    own = _own_congresses(kind, raw, congresses)
    existing = corpus.record(kind, ident)
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
    terms = raw.get("terms") if kind == "member" else None
    if isinstance(terms, list):
        # A term's Congress as a number only: the file may hold anything there.
        from_terms = [
            int(t["congress"])
            for t in terms
            if isinstance(t, dict) and str(t.get("congress")).isdecimal()
        ]
        if from_terms:
            return from_terms
    return congresses


def _instant(text: object) -> float:
    try:
        moment = parse_api_datetime(text) if isinstance(text, str) else None
    except ValueError:
        moment = None
    return moment.timestamp() if moment is not None else float("-inf")
