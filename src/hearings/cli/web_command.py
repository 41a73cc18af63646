"""`hearings serve`: the web app and JSON API over DATABASE_URL."""

from __future__ import annotations

from typing import Annotated

import typer

from hearings.cli import app
from hearings.cli.data_commands import current_settings


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")
    ] = 8000,
) -> None:
    """Serve the web app and the JSON API (pages at /hearings, API docs at /api)."""
    import uvicorn

    from hearings.web.app import create_app

    settings = current_settings()
    web_app = create_app(settings)
    typer.echo(f"Serving {settings.database_url} at http://{host}:{port}/hearings", err=True)
    uvicorn.run(web_app, host=host, port=port, log_level="info", proxy_headers=False)
