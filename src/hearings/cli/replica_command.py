"""`hearings replica`: run the offline replica of the Congress.gov API in the foreground."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from hearings.cli import app
from hearings.cli.text_values import utf8_text
from hearings.congresses import describe_congresses
from hearings.errors import UsageError
from hearings.replica import BUNDLED_CORPUS_DIR
from hearings.replica.server import build_replica

err_console = Console(stderr=True)


@app.command()
def replica(
    corpus: Annotated[
        list[Path] | None,
        typer.Option(
            "--corpus",
            metavar="DIR",
            exists=True,
            file_okay=False,
            dir_okay=True,
            help=(
                "Corpus folder (committee-meeting/, hearing/, committee/, member/), or a folder "
                "of such folders (congress-118/, congress-119/); repeat it to serve several. "
                "Default: the bundled 118th and 119th Congresses."
            ),
        ),
    ] = None,
    port: Annotated[
        int, typer.Option("--port", min=0, max=65535, help="0 picks a free port.")
    ] = 8765,
    host: Annotated[str, typer.Option("--host", parser=utf8_text)] = "127.0.0.1",
    latency_ms: Annotated[float, typer.Option("--latency-ms", min=0)] = 0.0,
    fault_rate: Annotated[
        float, typer.Option("--fault-rate", min=0.0, max=1.0, help="Share of failed answers.")
    ] = 0.0,
    rate_limit: Annotated[
        int | None, typer.Option("--rate-limit", min=1, help="Requests per hour before 429s.")
    ] = None,
    scale: Annotated[
        int | None, typer.Option("--scale", min=0, help="Serve exactly N meetings (clones).")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for random faults.")] = 0,
    retry_after: Annotated[
        int, typer.Option("--retry-after", min=0, help="Seconds a 429 asks the client to wait.")
    ] = 1,
    burst_429: Annotated[
        float | None,
        typer.Option(
            "--burst-429", min=0.1, help="Answer every request with 429 for this many seconds."
        ),
    ] = None,
    burst_after: Annotated[
        int, typer.Option("--burst-after", min=0, help="Requests served before the 429 burst.")
    ] = 0,
) -> None:
    """Serve the offline replica of the Congress.gov API until Ctrl-C; prints its base URL.

    The corpus is read when the replica starts: after editing its files, restart it, or ask it
    to read them again with `curl -X POST http://HOST:PORT/_replica/reload`."""
    try:
        server = build_replica(
            corpus or BUNDLED_CORPUS_DIR,
            host=host,
            port=port,
            latency_ms=latency_ms,
            fault_rate=fault_rate,
            rate_limit=rate_limit,
            scale=scale,
            seed=seed,
            retry_after=retry_after,
            burst_429_seconds=burst_429,
            burst_after_requests=burst_after,
        )
    except ValueError as exc:  # a corpus folder that holds no corpus, or a file that is no record
        raise UsageError(f"The replica cannot serve this corpus: {exc}.") from None
    try:
        base_url = server.start()
    except OSError as exc:
        raise UsageError(f"The replica cannot listen on {host}:{port}: {exc.strerror}.") from None
    typer.echo(base_url)
    err_console.print(
        f"Replica of the Congress.gov API serving {server.corpus.count('meeting')} meetings "
        f"(Congress {describe_congresses(server.corpus.congresses())}). "
        f"Use CONGRESS_API_BASE_URL={base_url} and any CONGRESS_API_KEY (DEMO_KEY works). "
        "Ctrl-C stops it.",
        highlight=False,
    )
    server.serve_until_interrupted()
    err_console.print("Replica stopped.")
