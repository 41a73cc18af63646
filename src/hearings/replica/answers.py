"""What the replica sends back: bodies serialized like the API's, and the error bodies of the
gateway in front of it, byte for byte."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

# Error bodies exactly as api.data.gov (the gateway in front of Congress.gov) writes them.
KEY_MISSING_BODY = b"""{
  "error": {
    "code": "API_KEY_MISSING",
    "message": "No api_key was supplied. Get one at https://api.congress.gov:443"
  }
}"""
KEY_INVALID_BODY = b"""{
  "error": {
    "code": "API_KEY_INVALID",
    "message": "An invalid api_key was supplied. Get one at https://api.congress.gov:443"
  }
}"""
OVER_RATE_LIMIT_BODY = b"""{
  "error": {
    "code": "OVER_RATE_LIMIT",
    "message": "You have exceeded your rate limit. Try again later or contact us at https://api.congress.gov:443/contact/ for assistance"
  }
}"""  # noqa: E501
XML_BODY = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b"<api-root><request><contentType>application/xml</contentType><format>xml</format>"
    b"</request><note>This replica serves JSON only: add format=json.</note></api-root>"
)


def api_json(obj: object) -> bytes:
    """Serialize like the real API: sorted keys, 4-space indent, literal UTF-8, no newline."""
    return utf8_json(json.dumps(obj, indent=4, sort_keys=True, ensure_ascii=False))


def utf8_json(text: str) -> bytes:
    """JSON text as UTF-8. A lone surrogate, which UTF-8 cannot carry, can only sit inside a JSON
    string, so it goes out as its escape (`\\udcff`), as the API sends one."""
    return text.encode("utf-8", errors="backslashreplace")


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


def not_found(path: str) -> Answer:
    resource = path.removeprefix("/").removeprefix("v3/")
    return Answer(404, api_json({"error": f"Unknown resource: {resource}"}))
