"""/api/witnesses and /api/members have documented response schemas in /openapi.json, as
/api/hearings has, and answer over real HTTP with the fields, in the order and the bytes, they
always had."""

from __future__ import annotations

import json
from typing import Any

import httpx
from fastapi import FastAPI

from tests.web.live import live_server

PAGE_FIELDS = ["total", "page", "per_page", "results", "pages", "next", "previous"]
WITNESS_FIELDS = [
    "witness_id",
    "name",
    "organization",
    "organization_url",
    "appearance_count",
    "last_appearance",
    "url",
]
MEMBER_FIELDS = [
    "bioguide_id",
    "name",
    "party",
    "state",
    "district",
    "chamber",
    "update_date",
    "congress_gov_url",
    "witness_appearances",
]
APPEARANCE_FIELDS = [
    "event_id",
    "congress",
    "title",
    "start",
    "status",
    "name",
    "organization",
    "position",
]


def _resolved(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """A schema with its `$ref` (and a list's items' `$ref`) followed."""
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _fields(document: dict[str, Any], path: str) -> tuple[list[str], dict[str, Any]]:
    """The documented fields of `path`'s 200 answer, and the schema of one of its results."""
    answer = document["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    page = _resolved(document, answer["schema"])
    item = _resolved(document, page["properties"]["results"]["items"])
    return list(page["properties"]), item


def test_the_witness_and_member_lists_are_documented(app: FastAPI) -> None:
    with live_server(app) as base:
        document = httpx.get(f"{base}/openapi.json", timeout=60).json()
    fields, witness = _fields(document, "/api/witnesses")
    assert fields == PAGE_FIELDS and list(witness["properties"]) == WITNESS_FIELDS
    assert set(witness["required"]) == set(WITNESS_FIELDS)
    fields, member = _fields(document, "/api/members")
    assert fields == PAGE_FIELDS and list(member["properties"]) == MEMBER_FIELDS
    appearance = _resolved(document, member["properties"]["witness_appearances"]["items"])
    assert list(appearance["properties"]) == APPEARANCE_FIELDS


def test_the_lists_answer_with_the_fields_and_bytes_they_always_had(app: FastAPI) -> None:
    with live_server(app) as base:
        witnesses = httpx.get(f"{base}/api/witnesses", params={"q": "department"}, timeout=60)
        members = httpx.get(
            f"{base}/api/members", params={"per_page": "100", "page": "2"}, timeout=60
        )
    for answer, fields in ((witnesses, WITNESS_FIELDS), (members, MEMBER_FIELDS)):
        body = answer.json()
        assert list(body) == PAGE_FIELDS and body["results"]
        assert all(list(result) == fields for result in body["results"])
        # Compact JSON, text as UTF-8 (not \u escapes): what a dict answer was.
        compact = json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        assert answer.content == compact.encode()
    assert any(not m["name"].isascii() for m in members.json()["results"])
    testimony = [a for m in members.json()["results"] for a in m["witness_appearances"]]
    assert all(list(a) == APPEARANCE_FIELDS for a in testimony)
    assert witnesses.json()["next"] == "/api/witnesses?q=department&page=2"
