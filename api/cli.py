"""`citymodel serve`: the API and the web viewer.

Plugged into the command line through the ``citymodel.commands`` entry point.
"""

from __future__ import annotations

import click

from citymodel import database
from citymodel.settings import load_settings


@click.command()
@click.option("--host", help="Address to bind (default: the `host` setting, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default: the `port` setting, 8000).")
@click.option("--workers", type=click.IntRange(min=1), default=1, show_default=True,
              help="Server processes, each with its own listening socket (SO_REUSEPORT).")
def serve(host: str | None, port: int | None, workers: int) -> None:
    """Serve OGC API – Features, vector tiles, 3D Tiles, parcel cards, auctions and the viewer.

    Needs a migrated database (`citymodel db migrate`); serves the tileset that
    `citymodel tiles build` last built, switching to a new build without a restart.
    """
    import uvicorn

    settings = load_settings()
    url = database.migrated_url(settings)
    host, port = host or settings.host, port or settings.port
    click.echo(f"serving on http://{host}:{port}/ (database {database.describe(url)})")
    options = {"log_level": "warning", "access_log": False, "proxy_headers": False}
    if workers > 1:  # each its own socket: new connections spread evenly (api.workers)
        from api import workers as worker_processes

        worker_processes.run(host, port, workers, **options)
    else:
        uvicorn.run("api.main:app", host=host, port=port, **options)
