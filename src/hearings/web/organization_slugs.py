"""The URL segment (slug) that names an organization on its page: the normalized organization
name, dashed, or for a very long one a readable prefix and a hash. Pages, feeds and the JSON API
link with it; `organizations.organization_key_of` reads it back."""

from __future__ import annotations

import hashlib
import re

# A key's slug is the key itself, dashed, up to the longest segment the pages ever accepted, so
# every link that worked keeps working byte for byte. A longer key (a witness's organization is
# untrusted text, 99,000 characters has been seen) gets a readable prefix, a double dash, which no
# dashed key contains, and a hash of the whole key, so two long names sharing a prefix differ.
DIRECT_SLUG_LIMIT = 300
_PREFIX_LENGTH = 100
_HASH_LENGTH = 16
SLUG_PATTERN = re.compile(rf"[a-z0-9]+(-[a-z0-9]+)*(--[0-9a-f]{{{_HASH_LENGTH}}})?")


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:_HASH_LENGTH]


def organization_slug(key: str) -> str:
    """A normalized organization key ("heritage foundation") as a URL segment of at most
    `DIRECT_SLUG_LIMIT` characters."""
    dashed = key.replace(" ", "-")
    if len(dashed) <= DIRECT_SLUG_LIMIT:
        return dashed
    # Cut at a word's end when that keeps most of the prefix, for a segment people can read.
    head = dashed[: _PREFIX_LENGTH + 1]
    prefix = head.rsplit("-", 1)[0] if "-" in head[_PREFIX_LENGTH // 2 :] else head[:-1]
    return f"{prefix}--{_key_hash(key)}"


def organization_path(key: str | None) -> str | None:
    """`/organizations/heritage-foundation`, or None for a witness with no organization."""
    return f"/organizations/{organization_slug(key)}" if key else None
