"""A setting the program cannot use is one sentence and exit 2 before anything is opened or
written: numbers that are not finite or out of their range, and a database that cannot hold
data between runs."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hearings.config import Settings
from tests.cli_runs import run_hearings


def _status_with(tmp_path: Path, name: str, value: str) -> tuple[int, str, str]:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), name: value}
    result = run_hearings(["status"], env=env, cwd=tmp_path)
    return result.returncode, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("API_TIMEOUT_SECONDS", "inf", "API_TIMEOUT_SECONDS: Input should be a finite number"),
        ("API_TIMEOUT_SECONDS", "nan", "API_TIMEOUT_SECONDS: Input should be a finite number"),
        (
            "API_TIMEOUT_SECONDS",
            "1e300",
            "API_TIMEOUT_SECONDS: expected at most 3,600, got '1e300'",
        ),
        ("API_TIMEOUT_SECONDS", "-1", "API_TIMEOUT_SECONDS: expected more than 0, got '-1'"),
        ("BATCH_PROCESSING_SIZE", " 0 ", "BATCH_PROCESSING_SIZE: expected at least 1, got '0'"),
        (
            "API_RATE_WINDOW_SECONDS",
            "nan",
            "API_RATE_WINDOW_SECONDS: Input should be a finite number",
        ),
        ("ADMIN_SESSION_HOURS", "inf", "ADMIN_SESSION_HOURS: Input should be a finite number"),
        ("ADMIN_SESSION_HOURS", "nan", "ADMIN_SESSION_HOURS: Input should be a finite number"),
        (
            "API_RATE_LIMIT_PER_HOUR",
            "1" + "0" * 30,
            "API_RATE_LIMIT_PER_HOUR: expected at most 1,000,000,000, got '1" + "0" * 30 + "'",
        ),
        (
            "BACKUP_RETENTION_DAYS",
            "99999999999",
            "BACKUP_RETENTION_DAYS: expected at most 36,500, got '99999999999'",
        ),
        ("API_CONCURRENCY", "inf", "API_CONCURRENCY: expected a whole number, got 'inf'"),
    ],
)
def test_a_number_setting_out_of_its_range_is_one_sentence(
    tmp_path: Path, name: str, value: str, says: str
) -> None:
    code, out, err = _status_with(tmp_path, name, value)
    assert code == 2
    assert err.strip() == f"Error: The configuration is not valid: {says}."
    assert "Traceback" not in err + out and "Internal error" not in err
    assert not (tmp_path / "hearings.db").exists()


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        (
            "ENABLE_BATCH_PROCESSING",
            "maybe",
            "ENABLE_BATCH_PROCESSING: expected true or false (also 1/0, yes/no, on/off), "
            "got 'maybe'",
        ),
        (
            "BATCH_PROCESSING_SIZE",
            "abc",
            "BATCH_PROCESSING_SIZE: expected a whole number, got 'abc'",
        ),
        (
            "BATCH_PROCESSING_SIZE",
            "2.5",
            "BATCH_PROCESSING_SIZE: expected a whole number, got '2.5'",
        ),
        ("API_TIMEOUT_SECONDS", "soon", "API_TIMEOUT_SECONDS: expected a number, got 'soon'"),
        (
            "BATCH_PROCESSING_SIZE",
            "x" * 5000,
            f"BATCH_PROCESSING_SIZE: expected a whole number, got '{'x' * 77}…' (5,000 characters)",
        ),
    ],
)
def test_a_setting_that_is_not_a_boolean_or_number_says_what_is_accepted(
    tmp_path: Path, name: str, value: str, says: str
) -> None:
    code, out, err = _status_with(tmp_path, name, value)
    assert code == 2
    assert err.strip() == f"Error: The configuration is not valid: {says}."
    assert "Traceback" not in err + out


@pytest.mark.parametrize(
    ("name", "value", "read"),
    [
        ("ENABLE_BATCH_PROCESSING", " TRUE ", True),
        ("ADAPTIVE_COMMIT_UNITS", "off ", False),
        ("BATCH_PROCESSING_SIZE", " 50\t", 50),
        ("LOG_LEVEL", " info ", "INFO"),
        ("SUSPICIOUS_CHANGES", " hold", "hold"),
    ],
)
def test_spaces_around_a_setting_are_dropped(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, read: object
) -> None:
    """As they always were around a number: ' true ' was refused where ' 50 ' was read as 50."""
    monkeypatch.setenv(name, value)
    assert getattr(Settings(), name.lower()) == read


def test_a_database_url_with_spaces_around_it_opens_its_database(tmp_path: Path) -> None:
    database = tmp_path / "spaced.db"
    code, out, err = _status_with(tmp_path, "DATABASE_URL", f" sqlite:///{database} ")
    assert code != 2 and "not a database URL" not in err
    assert f"There is no database at {database}" in err


def test_a_database_url_scheme_is_read_in_any_case(tmp_path: Path) -> None:
    """RFC 3986: a scheme is case-insensitive. SQLITE:/// was 'uses SQLITE; hearings supports
    sqlite and postgresql', and SQLITE://'s memory database escaped the refusal."""
    database = tmp_path / "upper.db"
    code, out, err = _status_with(tmp_path, "DATABASE_URL", f"SQLITE:///{database}")
    assert f"There is no database at {database}" in err, err
    assert Settings(database_url="PostgreSQL+Psycopg://u@h/db").database_url == (
        "postgresql+psycopg://u@h/db"
    )
    code, out, err = _status_with(tmp_path, "DATABASE_URL", "SQLite://")
    assert code == 2 and "in-memory SQLite database" in err


@pytest.mark.parametrize(
    "url", ["sqlite:///:memory:", "sqlite://", "sqlite:///file::memory:?uri=true"]
)
def test_an_in_memory_database_is_refused_because_it_cannot_hold_data(
    tmp_path: Path, url: str
) -> None:
    code, out, err = _status_with(tmp_path, "DATABASE_URL", url)
    assert code == 2
    assert err.strip() == (
        f"Error: The configuration is not valid: DATABASE_URL {url!r} is an in-memory SQLite "
        "database, which cannot hold data between runs; name a file, e.g. sqlite:///hearings.db."
    )
    assert "Traceback" not in err + out and "Internal error" not in err


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        # SQLAlchemy cannot parse these, so it cannot hide the password itself.
        (
            "postgresql+psycopg://hearings:Pg-s3cret@db.example.org:abc/hearings",
            "postgresql+psycopg://hearings:***@db.example.org:abc/hearings",
        ),
        (
            "postgresql+psycopg//hearings:Pg-s3cret@db.example.org/hearings",
            "postgresql+psycopg//hearings:***@db.example.org/hearings",
        ),
        ("hearings:Pg-s3cret@db.example.org", "***@db.example.org"),
    ],
)
def test_a_database_url_that_cannot_be_parsed_is_one_sentence_without_its_password(
    tmp_path: Path, url: str, shown: str
) -> None:
    code, out, err = _status_with(tmp_path, "DATABASE_URL", url)
    assert code == 2
    assert err.strip() == (
        f"Error: The configuration is not valid: DATABASE_URL {shown!r} is not a database URL; "
        "use sqlite:///path/to/hearings.db or postgresql+psycopg://user@host/dbname."
    )
    assert "Pg-s3cret" not in err + out


@pytest.mark.parametrize("key", ["abc\ndef", "abc\r\nX-Injected: 1", "clé-secrète", "two words"])
def test_an_api_key_no_http_header_can_carry_is_refused_without_quoting_it(
    tmp_path: Path, key: str
) -> None:
    # It used to reach the client, which retried it as a connection error or a codec error.
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "CONGRESS_API_KEY": key}
    result = run_hearings(["update"], env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Error: The configuration is not valid: CONGRESS_API_KEY holds a character an HTTP "
        "header cannot carry (a space, a line break or a letter outside ASCII); copy the key "
        "again from your sign-up email."
    )
    assert key.split()[0] not in result.stdout + result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_blank_api_key_is_no_key(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "CONGRESS_API_KEY": "  "}
    result = run_hearings(["update"], env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("Error: No Congress.gov API key: set CONGRESS_API_KEY")


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("notanip", "'notanip' is not an IP address or network"),
        ("999.1.1.1/99", "'999.1.1.1/99' is not an IP address or network"),
        ("localhost", "'localhost' is not an IP address or network"),
        ("10.0.0.5, 192.168.1.1/24", "'192.168.1.1/24' is not a network"),
        ("10.0.0.5,*", "'*' (every address) must stand alone"),
    ],
)
def test_a_proxy_address_the_middleware_would_never_match_is_one_sentence(
    tmp_path: Path, value: str, says: str
) -> None:
    # uvicorn keeps such an entry as a literal no client address equals: no proxy was trusted,
    # and nothing said so.
    code, out, err = _status_with(tmp_path, "FORWARDED_ALLOW_IPS", value)
    assert code == 2
    assert err.startswith(f"Error: The configuration is not valid: FORWARDED_ALLOW_IPS: {says}")
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err + out
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "value", ["*", "127.0.0.1", "10.0.0.0/8, 192.168.1.7", "::1,2001:db8::/32", "127.0.0.1,"]
)
def test_proxy_addresses_networks_and_a_lone_star_are_trusted(value: str) -> None:
    assert Settings(forwarded_allow_ips=value).trusted_proxies() == value


# Bytes that are not UTF-8, as Python hands them over from the environment: lone surrogates.
NOT_UTF8 = "\udcff"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("ADMIN_TOKEN", f"tok{NOT_UTF8}en"),  # every admin request was a 500
        ("CONGRESS_API_KEY", f"k{NOT_UTF8}ey"),
        ("CONGRESS_API_BASE_URL", f"https://api.congress.gov/v3/{NOT_UTF8}"),
        ("DATABASE_URL", f"postgresql+psycopg://hearings:Pg{NOT_UTF8}s3cret@db.example.org/h"),
        ("BACKUP_DIR", f"backups{NOT_UTF8}"),  # `backup create` was an internal error
        ("LOG_DIR", f"logs{NOT_UTF8}"),
        ("PUBLIC_BASE_URL", f"https://hearings.example.org/{NOT_UTF8}"),
    ],
)
def test_a_setting_that_is_not_utf8_is_one_sentence_that_never_quotes_it(
    tmp_path: Path, name: str, value: str
) -> None:
    code, out, err = _status_with(tmp_path, name, value)
    assert code == 2
    assert err.strip() == (
        f"Error: The configuration is not valid: {name} holds bytes that are not UTF-8 text; "
        "give it again in UTF-8."
    )
    assert NOT_UTF8 not in err + out and "s3cret" not in err + out
    assert list(tmp_path.iterdir()) == []


def test_a_dotenv_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"LOG_LEVEL=INFO\nADMIN_TOKEN=caf\xe9\n")
    code, out, err = _status_with(tmp_path, "HOME", str(tmp_path))
    assert code == 2
    assert err.strip() == (
        f"Error: The configuration is not valid: .env in {tmp_path} is not UTF-8 text "
        "(byte 0xe9 at offset 30); save it as UTF-8."
    )
    assert [p.name for p in tmp_path.iterdir()] == [".env"]


@pytest.mark.parametrize(
    ("base_url", "says"),
    [
        # The resolver's IDNA codec refuses an empty or overlong label: each run failed, after
        # its backup, with "encoding with 'idna' codec failed".
        ("https://api..congress.gov/v3", "is not an http(s) URL"),
        (f"https://{'a' * 64}.example/v3", "is not an http(s) URL"),
        # Every request's path and query were appended after these.
        ("https://api.congress.gov/v3?format=xml", "has a query or fragment"),
        ("https://api.congress.gov/v3#top", "has a query or fragment"),
        # Shown in every error and log line naming a request.
        ("https://proxy-user:Pr0xy-s3cret@api.congress.gov/v3", "holds a user name or password"),
    ],
)
def test_an_api_base_url_no_request_can_be_made_on_is_refused_before_the_run(
    tmp_path: Path, base_url: str, says: str
) -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "CONGRESS_API_KEY": "k",
        "CONGRESS_API_BASE_URL": base_url,
    }
    result = run_hearings(["update"], env=env, cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("Error: The configuration is not valid: CONGRESS_API_BASE_URL")
    assert says in lines[0] and "s3cret" not in result.stderr + result.stdout
    assert list(tmp_path.iterdir()) == []


def test_a_public_base_url_with_a_password_is_refused_as_feeds_would_publish_it() -> None:
    with pytest.raises(ValueError, match="PUBLIC_BASE_URL holds a user name or password"):
        Settings(public_base_url="https://editor:s3cret@hearings.example.org")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LOG_DIR", "lo\x00gs"),  # an update printed a traceback (ValueError: embedded null byte)
        ("BACKUP_DIR", "back\x00ups"),  # status and update were internal errors
        ("DATABASE_URL", "sqlite:///hear\x00ings.db"),
        ("ADMIN_TOKEN", "to\x00ken"),
        ("CONGRESS_API_KEY", "k\x00ey"),
    ],
)
def test_a_setting_holding_a_nul_character_is_one_sentence_that_never_quotes_it(
    tmp_path: Path, name: str, value: str
) -> None:
    # Only a .env file can carry a NUL: the environment cannot.
    (tmp_path / ".env").write_text(f"{name}={value}\n", encoding="utf-8")
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "CONGRESS_API_KEY": "k"}
    env.pop(name, None)
    for command in (["status"], ["update"]):
        result = run_hearings(command, env=env, cwd=tmp_path)
        assert result.returncode == 2, result.stderr
        assert result.stderr.strip() == (
            f"Error: The configuration is not valid: {name} holds a NUL character (\\x00), which "
            "no file name, URL or header can carry; remove it (check the .env file)."
        )
        assert "\x00" not in result.stdout + result.stderr
    assert [p.name for p in tmp_path.iterdir()] == [".env"]
