"""The `/v3` resources the replica serves from its corpus: one item or one list page, with any
overrides applied, shaped and serialized as the API's."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hearings.replica.answers import Answer, api_json, not_found, utf8_json
from hearings.replica.corpus import Corpus
from hearings.replica.faults import RequestStats
from hearings.replica.overrides import Overrides, Status, encode
from hearings.replica.records import ITEM_KEY, LIST_KEY
from hearings.replica.routes import Route, instant, page_link, request_block, route_path

DEFAULT_LIMIT = 20
MAX_LIMIT = 250


def resource_answer(
    target: Route,
    query: Mapping[str, str],
    path: str,
    base: str,
    *,
    corpus: Corpus,
    overrides: Overrides,
    stats: RequestStats,
) -> Answer:
    """The answer to a routed `/v3` request; `base` is the `/v3` URL its links start from."""
    if target.resource is None:
        return not_found(path)
    if target.ident is not None:
        return _item(target, path, corpus, overrides)
    return _list(target, query, base, corpus, overrides, stats)


def _item(target: Route, path: str, corpus: Corpus, overrides: Overrides) -> Answer:
    assert target.resource is not None and target.ident is not None
    overridden = _overridden_item(target, corpus, overrides)
    if overridden is not None:
        return overridden
    record = corpus.record(target.resource, target.ident, target.congress)
    if record is None or (target.chamber is not None and record.chamber != target.chamber):
        return not_found(path)
    # Equal to api_json({key: record, "request": ...}): the record text is cached, and the
    # keys are already in sorted order ("request" sorts after every record key).
    request_text = api_json(request_block(target)).decode("utf-8").replace("\n", "\n    ")
    key = ITEM_KEY[target.resource]
    text = f'{{\n    "{key}": {corpus.item_text(record)},\n    "request": {request_text}\n}}'
    return Answer(200, utf8_json(text))


def _overridden_item(target: Route, corpus: Corpus, overrides: Overrides) -> Answer | None:
    assert target.resource is not None and target.ident is not None
    body = overrides.item_body(target.resource, target.ident, target.congress)
    if body is not None:
        return Answer(200, body)
    if not overrides.has_item(target.resource, target.ident, target.congress):
        return None
    record = corpus.record(target.resource, target.ident, target.congress)
    default = None if record is None else corpus.get(target.resource, target.ident, target.congress)
    served = overrides.item(target.resource, target.ident, default, target.congress)
    envelope = {ITEM_KEY[target.resource]: served, "request": request_block(target)}
    return Answer(200, encode(envelope, api_json))


def _list(
    target: Route,
    query: Mapping[str, str],
    base: str,
    corpus: Corpus,
    overrides: Overrides,
    stats: RequestStats,
) -> Answer:
    assert target.resource is not None
    try:
        offset = max(0, int(query.get("offset") or 0))
        limit = min(MAX_LIMIT, max(1, int(query.get("limit") or DEFAULT_LIMIT)))
        since = instant(query.get("fromDateTime"))
        until = instant(query.get("toDateTime"))
    except ValueError as exc:
        body = {"error": f"Invalid parameter: {exc}", "request": request_block(target)}
        return Answer(400, api_json(body))
    records, count = corpus.list_records(
        target.resource,
        congress=target.congress,
        chamber=target.chamber,
        offset=offset,
        limit=limit,
        since=since,
        until=until,
    )
    pagination: dict[str, Any] = {"count": count}
    list_path = "/".join(route_path(target))
    stats.list_page_served(list_path)
    page_url = f"{base}/{list_path}"
    kept = {k: query[k] for k in ("fromDateTime", "toDateTime") if query.get(k)}
    if offset + limit < count:
        pagination["next"] = page_link(page_url, kept, offset + limit, limit)
    if offset > 0:
        pagination["prev"] = page_link(page_url, kept, max(0, offset - limit), limit)
    entries = [
        overrides.list_entry(r.kind, r.ident, corpus.summary(r, base), r.filed_under)
        for r in records
    ]
    envelope = {
        LIST_KEY[target.resource]: entries,
        "pagination": pagination,
        "request": request_block(target),
    }
    if not overrides:
        return Answer(200, api_json(envelope))
    served = overrides.list_page(list_path, offset, envelope)
    if isinstance(served, Status):
        error = {
            "error": f"replica override: status {served.code}",
            "request": request_block(target),
        }
        return Answer(served.code, api_json(error))
    return Answer(200, encode(served, api_json))
