"""The misbehaving loopback server, started per test by `serve(answer)` and stopped after it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.congress_api.misbehaving_server import Answer, MisbehavingServer, Serve


@pytest.fixture
def serve() -> Iterator[Serve]:
    started: list[MisbehavingServer] = []

    def start(answer: Answer) -> MisbehavingServer:
        started.append(MisbehavingServer(answer))
        return started[-1]

    yield start
    for server in started:
        server.httpd.shutdown()
        server.httpd.server_close()
