"""Checks of single setting values, with the sentence for a value that fails: URLs, proxy
addresses, database URLs, and text that is not UTF-8. `config.Settings` applies them; `serve`
and `migrate-db` apply the same checks to their options."""

from __future__ import annotations

import ipaddress
import os
from urllib.parse import urlsplit


def http_url(value: str, name: str, example: str) -> str:
    """`value` without its trailing slash when it is an absolute http(s) URL with a host."""
    try:
        parts = urlsplit(value)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        host = None
        parts = None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not host
        or not _resolvable_name(host)
        or any(c.isspace() or ord(c) < 32 for c in value)
    ):
        shown = value if len(value) <= 80 else value[:79] + "…"
        raise ValueError(f"{name} {shown!r} is not an http(s) URL; use one like {example}")
    return value.rstrip("/")


def _resolvable_name(host: str) -> bool:
    """Whether the resolver can be asked for `host`: it encodes a name with the IDNA codec,
    which refuses an empty label (`a..b`) or one longer than 63 characters, so such a name would
    fail every request instead of the configuration."""
    try:
        host.encode("idna")
    except UnicodeError:
        return False
    return True


def proxy_addresses_problem(value: str) -> str | None:
    """Why `value` names proxies that uvicorn's ProxyHeadersMiddleware would never match, or None
    for `*` alone or comma-separated IP addresses and networks. The middleware keeps anything
    else as a literal that no TCP client's address equals, so a typo would silently trust no
    proxy; here it is a sentence instead."""
    if value.strip() == "*":
        return None
    entries = [entry.strip() for entry in value.split(",")]
    for entry in entries:
        if entry == "*":
            return "'*' (every address) must stand alone, not among other entries"
        if not entry:
            continue  # "127.0.0.1," is harmless: the middleware ignores an empty entry too
        try:
            # Networks are read as the middleware reads them: strictly, so host bits are an error.
            ipaddress.ip_network(entry) if "/" in entry else ipaddress.ip_address(entry)
        except ValueError:
            return _not_a_proxy(entry)
    if not any(entries):
        return f"{quoted_setting(value)} names no address; {_PROXY_EXAMPLE}"
    return None


_PROXY_EXAMPLE = "give '*' or comma-separated addresses and networks, e.g. 127.0.0.1,10.0.0.0/8"


def _not_a_proxy(entry: str) -> str:
    try:
        network = ipaddress.ip_network(entry, strict=False)
    except ValueError:
        return f"{quoted_setting(entry)} is not an IP address or network; {_PROXY_EXAMPLE}"
    return (
        f"{quoted_setting(entry)} is not a network, as its host bits are set; use {str(network)!r}"
    )


def quoted_setting(text: str) -> str:
    """`text` quoted, cut to about 80 characters."""
    return repr(text if len(text) <= 80 else text[:79] + "…")


def is_utf8_text(value: str) -> bool:
    """Whether `value` can be written as UTF-8: false for a string Python decoded from bytes
    that are not UTF-8 (an argument or environment variable), which holds lone surrogates."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def not_utf8_sentence(name: str) -> str:
    """Why a value is refused that holds bytes no UTF-8 text has; it is never quoted (it may be
    a key, a token or a password, and a terminal cannot show it anyway)."""
    return f"{name} holds bytes that are not UTF-8 text; give it again in UTF-8"


def nul_sentence(name: str) -> str:
    """Why a value holding a NUL character is refused; never quoted, as `not_utf8_sentence`."""
    return (
        f"{name} holds a NUL character (\\x00), which no file name, URL or header can carry; "
        "remove it (check the .env file)"
    )


def unparsable_database_url(database_url: str, name: str) -> str | None:
    """The sentence for a database URL that cannot be parsed (a port that is not a number, no
    scheme, bytes that are not UTF-8), naming `name` and quoting the URL without its password;
    None for a parsable one."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    if not is_utf8_text(database_url):
        return not_utf8_sentence(name)
    try:
        url = make_url(database_url)
    except (ArgumentError, ValueError):
        return (
            f"{name} {without_password(database_url)!r} is not a database URL; use "
            "sqlite:///path/to/hearings.db or postgresql+psycopg://user@host/dbname"
        )
    if url.host and "@" in url.host:
        # `user:pa@ss@host` parses as password `pa` and host `ss@host`: the host would be
        # looked up and named in the error, with the end of the password.
        return (
            f"{name} {without_password(database_url)!r} has an '@' in its password or host; "
            "percent-encode '@' in the password as %40 (':' as %3A, '/' as %2F, '%' as %25)"
        )
    return None


def sqlite_query_problem(database_url: str, name: str) -> str | None:
    """The sentence for a SQLite URL a user gave with query arguments: the driver ignores them
    with a warning (so `?mode=ro` writes all the same), and with `uri=true` it opened a new,
    empty file named `hearings.db?mode=ro`, even for a read. (The store builds such URLs for
    itself, to open a file read-only; a user's URL names the file alone.)"""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(database_url)
    except (ArgumentError, ValueError):
        return None  # `unparsable_database_url` says why
    if url.get_backend_name() != "sqlite" or not url.query:
        return None
    return (
        f"{name} {database_url.strip()!r} carries query arguments "
        f"({', '.join(sorted(url.query))}), which hearings does not pass to SQLite; "
        "name the file alone, e.g. sqlite:///hearings.db"
    )


def shown_database_url(database_url: str) -> str:
    """`database_url` as messages show it: the password replaced by ***, whether it comes in
    the user information or as libpq's `password` query parameter (`?password=...`)."""
    from sqlalchemy.engine import make_url

    url = make_url(database_url)
    shown = url.difference_update_query(["password"]).render_as_string(hide_password=True)
    if "password" not in url.query:
        return shown
    return f"{shown}{'&' if '?' in shown else '?'}password=***"


def without_password(database_url: str) -> str:
    """`database_url` with whatever stands between the user name and the host replaced by ***,
    for URLs too malformed for SQLAlchemy to hide the password itself."""
    if "@" not in database_url:
        return database_url
    head, _, host = database_url.rpartition("@")
    scheme, slashes, userinfo = head.partition("//")
    if not slashes:
        return f"***@{host}"
    user = userinfo.split(":", 1)[0]
    return f"{scheme}//{user}:***@{host}"


def in_memory_sqlite(database_url: str) -> bool:
    """Whether a SQLite URL names no file: `sqlite://`, `:memory:` or `mode=memory`."""
    scheme, sep, rest = database_url.strip().partition("://")
    if not sep or scheme.split("+")[0].lower() != "sqlite":
        return False
    path, _, query = rest.removeprefix("/").partition("?")
    return (
        not path
        or path == ":memory:"
        or path.startswith("file::memory:")
        or "mode=memory" in query.split("&")
    )


def folder_setting(value: str, name: str, default: str) -> str:
    """A folder's setting (BACKUP_DIR, LOG_DIR) as given, with a leading `~` read as a shell
    reads it; an empty one is refused: as a path it is the working folder, which no one means
    by leaving the value out (an unset variable in `BACKUP_DIR=$DIR`, a line half edited)."""
    if not value.strip():
        raise ValueError(
            f"{name} is empty, which would mean the working folder; name a folder, e.g. "
            f"{default} (the default), or leave {name} unset"
        )
    return home_expanded(value, name)


def home_expanded(path: str, name: str) -> str:
    """`path` with a leading `~` or `~user` replaced by that home folder, as a shell would; a
    `.env` file and a quoted value are not expanded by anyone else, and each made a folder
    literally named `~` in the working folder."""
    if not path.startswith("~"):
        return path
    expanded = os.path.expanduser(path)
    if expanded.startswith("~"):
        user = path[1:].split("/", 1)[0]
        whose = (
            f"the home folder of {user!r}, a user this system does not know"
            if user
            else ("your home folder, which this process cannot find (HOME is not set)")
        )
        raise ValueError(
            f"{name} {quoted_setting(path)} starts with ~, {whose}; give the full path"
        )
    return expanded


def sqlite_home_expanded(database_url: str, name: str = "DATABASE_URL's file") -> str:
    """A SQLite URL whose file starts with `~` (`sqlite:///~/hearings.db`) with that home folder
    in its place, as `home_expanded` reads a folder setting; any other URL as it is (one that
    does not parse too: whoever opens it says so)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(database_url)
    except (ArgumentError, ValueError):  # ValueError: a port that is not a number
        return database_url
    if url.get_backend_name() != "sqlite" or not (url.database or "").startswith("~"):
        return database_url
    expanded = home_expanded(url.database or "", name)
    return url.set(database=expanded).render_as_string(hide_password=False)
