"""The app over real HTTP: uvicorn on a free loopback port in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
from fastapi import FastAPI


@contextmanager
def live_server(app: FastAPI) -> Iterator[str]:
    """Serve `app` until the block ends; yields its base URL."""
    # The socket is bound here and handed to uvicorn: a port found free, closed, then bound by
    # uvicorn could be taken in between by another process (another xdist worker's server).
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = int(listener.getsockname()[1])
    runner = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False)
    )
    thread = threading.Thread(target=runner.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    # Generous: the first answer reads the database (PostgreSQL's too) on a loaded machine.
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/api/update-status", timeout=10).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the web app did not start")
        time.sleep(0.05)
    try:
        yield base
    finally:
        runner.should_exit = True
        thread.join(timeout=10)
        listener.close()
