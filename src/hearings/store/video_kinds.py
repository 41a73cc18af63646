"""What a meeting's video is (youtube, senate, congress.gov or other), by its URL's host."""

from __future__ import annotations

from urllib.parse import urlsplit

# A video's kind by its URL's host, or a subdomain of one: a match anywhere in the URL called
# `https://notyoutube.com/?youtube.com` a YouTube video.
_VIDEO_PLACES = (
    ("youtube", ("youtube.com", "youtu.be", "youtube-nocookie.com")),
    ("senate", ("senate.gov",)),
    ("congress.gov", ("congress.gov",)),
)
_SUBDOMAINS = tuple(
    (kind, domains, tuple("." + d for d in domains)) for kind, domains in _VIDEO_PLACES
)


def video_kind(url: str) -> str:
    host = _host(url)
    for kind, domains, subdomains in _SUBDOMAINS:
        if host in domains or host.endswith(subdomains):
            return kind
    return "other"


def _host(url: str) -> str:
    """`urlsplit(url).hostname`, at a tenth of its cost for the plain URLs videos have (on the
    path of every import and rebuild); anything less plain takes `urlsplit` itself."""
    scheme, found, rest = url.strip().partition("://")
    if not found:
        return ""
    end = len(rest)
    for mark in "/?#":
        at = rest.find(mark, 0, end)
        if at != -1:
            end = at
    place = rest[:end]
    if place.isascii() and place.replace(".", "").replace("-", "").isalnum():
        return place.lower()  # no user, port, bracket or odd character to read
    try:
        return urlsplit(url.strip()).hostname or ""
    except ValueError:  # a host urlsplit cannot read ("http://[::1")
        return ""
