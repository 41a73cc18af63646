"""`hearings serve`: the web app and JSON API over DATABASE_URL."""

from __future__ import annotations

import socket
from typing import Annotated, Any

import typer

from hearings.cli import app
from hearings.cli.environment import current_settings, require_existing
from hearings.cli.text_values import utf8_text
from hearings.config import proxy_addresses_problem
from hearings.errors import UsageError


@app.command()
def serve(
    host: Annotated[
        str, typer.Option("--host", parser=utf8_text, help="Address to listen on.")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")
    ] = 8000,
    proxy_headers: Annotated[
        bool | None,
        typer.Option(
            "--proxy-headers/--no-proxy-headers",
            help="Trust the proxy's X-Forwarded-* headers (see above).",
        ),
    ] = None,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            parser=_proxy_addresses,
            help="The proxies to trust (see above).",
        ),
    ] = None,
) -> None:
    """Serve the web app and the JSON API (pages at /hearings, API docs at /api).

    Behind a TLS-terminating proxy, --proxy-headers trusts X-Forwarded-Proto and X-Forwarded-For
    from the addresses in --forwarded-allow-ips: comma-separated addresses or networks, or '*'
    (default: the FORWARDED_ALLOW_IPS setting, else 127.0.0.1); giving it implies
    --proxy-headers. Without either option the PROXY_HEADERS setting decides, else proxy
    headers are trusted exactly when FORWARDED_ALLOW_IPS is set.
    """
    import uvicorn

    from hearings.logs import configure_logging
    from hearings.store.engine import database_label
    from hearings.web.access_log import uvicorn_log_config
    from hearings.web.app import create_app
    from hearings.web.errors import ServerErrorsStayInTheLog

    overrides: dict[str, Any] = {}
    if proxy_headers is not None:
        overrides["proxy_headers"] = proxy_headers
    if forwarded_allow_ips is not None:
        overrides["forwarded_allow_ips"] = forwarded_allow_ips
    settings = current_settings(**overrides)
    # A site over an empty database it just made would only say there is nothing to show.
    require_existing(settings)
    # Errors inside requests: the traceback to the log file, a sentence on the console.
    configure_logging(settings.log_dir, settings.log_level)
    web_app = create_app(settings)
    _require_listenable(host, port)
    shown = f"http://{host}:{port}/hearings"
    if settings.public_base_url:
        shown += f" (public address {settings.public_base_url})"
    typer.echo(f"Serving {database_label(settings.database_url)} at {shown}", err=True)
    proxies = settings.trusted_proxies()
    if proxies is not None:
        typer.echo(f"Trusting X-Forwarded-* headers from {proxies}.", err=True)
    # The app applies proxy headers itself (PROXY_HEADERS), so uvicorn must not do it again.
    uvicorn.run(
        ServerErrorsStayInTheLog(web_app),
        host=host,
        port=port,
        log_level="info",
        log_config=uvicorn_log_config(),
        proxy_headers=False,
    )


def _proxy_addresses(value: str) -> str:
    """A value uvicorn's proxy middleware would never match is a usage error (exit 2), not a
    silently trusted-by-nobody proxy."""
    problem = proxy_addresses_problem(value) if value.strip() else None
    if problem:
        raise typer.BadParameter(problem)
    return value


def _require_listenable(host: str, port: int) -> None:
    """One sentence, before the banner, for an address uvicorn would fail to listen on (it
    prints its own error after "Serving … at" and exits 3)."""
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, protocol) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind(address)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(f"hearings serve cannot listen on {host}:{port}: {reason}.") from None
