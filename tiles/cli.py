"""`citymodel tiles …`: build the 3D Tiles tileset of the buildings.

Plugged into the command line through the ``citymodel.commands`` entry point.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from citymodel import database
from citymodel.cli.options import lonlat_box
from citymodel.settings import load_settings


@click.group()
def tiles() -> None:
    """Build the OGC 3D Tiles 1.1 tileset of the buildings."""


@tiles.command()
@click.option("--out", type=click.Path(path_type=Path),
              help="Where the tileset goes (a link to the current build); default <state>/tiles.")
@click.option("--bbox", callback=lonlat_box, metavar="W,S,E,N", help="Only buildings in this lon/lat box.")
@click.option("--where", metavar="SQL", help="Only buildings matching this SQL condition on `b`, "
                                            "e.g. \"b.use = 'residential'\".")
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes (default: every core).")
@click.option("--scheduler", metavar="ADDRESS",
              help="Build the tiles on a Dask distributed cluster, e.g. tcp://10.0.0.5:8786.")
@click.option("--incremental", is_flag=True,
              help="Rebuild only the tiles whose buildings changed since the last build.")
def build(out: Path | None, bbox, where: str | None, jobs: int | None, scheduler: str | None,
          incremental: bool) -> None:
    """Extrude the buildings into a 3D Tiles 1.1 tileset (glTF with per-building metadata).

    The new tileset is written beside the old one and switched in atomically: a
    failed or killed build leaves the previous tileset in place.
    """
    from tiles.build import Heights, build_tileset

    settings = load_settings()
    url = database.migrated_url(settings)
    with Progress(TextColumn("building tiles"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  transient=True, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("tiles", total=None)

        def progress(done: int, total: int | None = None) -> None:
            bar.update(task, advance=done, **({"total": total} if total is not None else {}))

        report = build_tileset(url, out or settings.resolved_tiles_dir, bbox=bbox, where=where,
                               jobs=jobs, scheduler=scheduler, incremental=incremental,
                               heights=Heights(settings.height_datum, settings.geoid_grid),
                               progress=progress)
    click.echo(report)
