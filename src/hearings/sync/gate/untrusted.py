"""Untrusted text and shapes: making strings storable, naming a record from whatever a list entry
offers, and phrasing failures as one sentence."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import ValidationError

from hearings.errors import HearingsError, validation_problem
from hearings.sync.gate.verdicts import Entity, Refused, Request

MAX_TEXT = 100_000
# The repairing walk goes this deep at most (the JSON decoder reads about 1,000 levels).
MAX_DEPTH = 100
ID_KEYS: dict[Entity, str] = {
    "meeting": "eventId",
    "printed_hearing": "jacketNumber",
    "committee": "systemCode",
    "member": "bioguideId",
}
# An API URL names its record: /committee-meeting/119/house/115538, /hearing/119/house/59334,
# /committee/house/hsag00, /member/L000174.
_URL_IDS: dict[Entity, re.Pattern[str]] = {
    "meeting": re.compile(r"/committee-meeting/(\d+)/([a-z]+)/([A-Za-z0-9_-]+)"),
    "printed_hearing": re.compile(r"/hearing/(\d+)/([a-z]+)/(\d+)"),
    "committee": re.compile(r"/committee/()([a-z]+)/([A-Za-z0-9]+)"),
    "member": re.compile(r"/member/()()([A-Za-z0-9]+)"),
}

# The shape of the ids that a quarantine entry is retried by: a printed hearing's retry fetches
# its jacket number, and a member comes back only in a member list, under its bioguideId. An
# entry whose id has another shape names no record: quarantined under it, it could never be
# retried nor closed.
_ID_SHAPES: dict[Entity, re.Pattern[str]] = {
    "printed_hearing": re.compile(r"[0-9]{1,10}"),
    "member": re.compile(r"[A-Z][0-9]{6}"),
}

_SURROGATES = re.compile("[\ud800-\udfff]")
_ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
# Built once: `json.dumps` with options builds an encoder on every call.
_JSON = json.JSONEncoder(ensure_ascii=False)


def storable(value: Any, redact: Callable[[str], str] = str, *, encoded: str | None = None) -> Any:
    """`value` if every backend can store it as it is, else a repaired copy, or `Refused` for
    what no record legitimately holds. `redact` removes the API key should upstream echo it.
    `encoded` is `value` as Python's JSON encoder wrote it without ASCII escapes, where the
    caller has that text already (a rebuild's archived payloads, as `store.archive.pack` wrote
    them): the checks then read it instead of encoding `value` again."""
    # Nearly every record needs nothing: one pass of the C encoder tells, without a walk. Given
    # text passes the same checks as ours (separators aside, which only shorten it), except that
    # a lone surrogate could hide in it as an escape: such text is not trusted.
    text = encoded if encoded is not None and not _ESCAPED_SURROGATE.search(encoded) else None
    if text is None:
        try:
            text = _JSON.encode(value)
        except (RecursionError, ValueError, TypeError):
            return _repaired(value, 0, redact)
    if len(text) <= MAX_TEXT and "\\u0000" not in text and redact(text) == text:
        try:
            text.encode("utf-8")  # a lone surrogate cannot be encoded
        except UnicodeEncodeError:
            return _repaired(value, 0, redact)
        return value
    return _repaired(value, 0, redact)


def _repaired(value: Any, depth: int, redact: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise Refused(f"a text field is {len(value):,} characters long (at most {MAX_TEXT:,})")
        if "\x00" in value:
            value = value.replace("\x00", "")
        if not value.isascii() and _SURROGATES.search(value):
            value = _SURROGATES.sub("\ufffd", value)
        return redact(value)
    if depth >= MAX_DEPTH and isinstance(value, dict | list):
        raise Refused(f"the record is nested more than {MAX_DEPTH} levels deep")
    if isinstance(value, dict):
        return {
            _repaired(str(k), depth + 1, redact): _repaired(v, depth + 1, redact)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_repaired(v, depth + 1, redact) for v in value]
    return value


def name_of(entity: Entity, entry: object) -> str | None:
    """The record's identifier: the one its API `url` names, else its own id field."""
    if not isinstance(entry, Mapping):
        return None
    return url_parts(entity, entry)[2] or field_id(entity, entry)


def field_id(entity: Entity, entry: Mapping[str, Any]) -> str | None:
    """The entry's own id field, normalized, when it is usable as an identifier at all."""
    raw = entry.get(ID_KEYS[entity])
    if isinstance(raw, str | int) and not isinstance(raw, bool):
        return _normalized_id(entity, str(raw))
    return None


def url_parts(entity: Entity, entry: object) -> tuple[int | None, str | None, str | None]:
    """(congress, path chamber, identifier) named by the entry's API `url`, where it has one."""
    url = entry.get("url") if isinstance(entry, Mapping) else None
    match = _URL_IDS[entity].search(url) if isinstance(url, str) else None
    if match is None:
        return None, None, None
    congress, chamber, ident = match.groups()
    return (int(congress) if congress else None), (chamber or None), _normalized_id(entity, ident)


def parts_in_text(entity: Entity, text: str) -> tuple[int | None, str | None, str | None]:
    """(congress, path chamber, identifier) named by the `url` of an entry whose JSON does not
    decode: its own, at the top level of its object. Never the url of an object inside it: a
    committee entry's `parent` and `subcommittees` come first and name other committees."""
    return url_parts(entity, {"url": _top_level_text(text, "url")})


# One JSON string (escapes included), or one structural character.
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{},:]')


def _top_level_text(text: str, key: str) -> str | None:
    """The text value of `key` in the outermost object of JSON that does not decode as a whole,
    found from its tokens (strings skipped, brackets counted), or None."""
    wanted = json.dumps(key)
    depth = 0
    previous: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match.group()
        if depth == 1 and previous == [wanted, ":"] and token.startswith('"'):
            try:
                value = json.loads(token)
            except ValueError:
                return None
            return value if isinstance(value, str) else None
        if token in ("[", "{"):
            depth += 1
        elif token in ("]", "}"):
            depth -= 1
        previous = [*previous[-1:], token]
    return None


def _normalized_id(entity: Entity, text: str) -> str | None:
    text = text.strip()
    text = text.lower() if entity == "committee" else text
    text = text.upper() if entity == "member" else text
    if not (text and len(text) <= 32 and text.isascii() and text.isprintable()):
        return None
    shape = _ID_SHAPES.get(entity)
    return text if shape is None or shape.fullmatch(text) else None


def locator_from_url(request: Request, entry: object) -> dict[str, Any]:
    """Where to fetch a refused entry's record next run: its `url` knows even when its fields
    are wrong (a chamber of "Hosue")."""
    locator = request.locator
    congress, chamber, ident = url_parts(request.entity, entry)
    if ident is not None and ident == request.identifier:
        if congress is not None:
            locator["congress"] = congress
        if chamber is not None:
            locator["chamber"] = chamber
    if request.entity == "meeting":
        locator["event_id"] = request.identifier
    return locator


def unnamed_reason(entity: Entity, entry: object) -> str:
    if not isinstance(entry, Mapping):
        return f"the entry is {type(entry).__name__}, not an object"
    if len(entry) == 1:
        ((wrapper, inner),) = entry.items()
        if isinstance(inner, Mapping) and (ID_KEYS[entity] in inner or "url" in inner):
            # `{"member": {...}}`: the lists' shape before 2023, whose keys are one level down.
            return (
                f"the entry holds its record inside {cut(wrapper)} instead of at its top level "
                "(an older shape of the API's lists), so it names no record"
            )
    return f"the entry has no usable {ID_KEYS[entity]} and no API url naming its record"


def sentence(exc: BaseException) -> str:
    """One sentence for a failure the models did not phrase themselves."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "(record)"
        return f"field {where!r}: {validation_problem(first)}"
    if isinstance(exc, RecursionError):
        return "the record is nested too deeply to read"
    if isinstance(exc, HearingsError) and str(exc):
        return cut(str(exc), 300)  # our own errors are sentences already
    text = str(exc) or type(exc).__name__
    return cut(f"{type(exc).__name__}: {text}", 300)


def cut(value: object, limit: int = 40) -> str:
    text = repr(value) if not isinstance(value, str) or limit <= 40 else value
    return text if len(text) <= limit else text[: limit - 1] + "…"
