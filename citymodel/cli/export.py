"""`citymodel export …`: the city's data in open formats."""

from __future__ import annotations

from pathlib import Path

import click

from citymodel import database
from citymodel.cli.options import lonlat_box
from citymodel.settings import load_settings


@click.group()
def export() -> None:
    """Write the city's data in open formats."""


@export.command("cityjson")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--bbox", callback=lonlat_box, metavar="W,S,E,N", help="Only buildings in this lon/lat box.")
@click.option("--crs", "crs_name", metavar="CRS",
              help="A projected CRS to write in (default: the UTM zone of the buildings).")
def cityjson(out: Path, bbox, crs_name: str | None) -> None:
    """Write the buildings to OUT as CityJSON 2.0 (a CityJSONSeq stream when OUT ends in
    .jsonl): modelled buildings as imported, extruded ones as LoD1 solids, with their
    attributes and the parcels they stand on. Written aside and renamed into place."""
    from citymodel.cityjson import export as write

    settings = load_settings()
    click.echo(write(database.migrated_url(settings), out, bbox=bbox, crs_name=crs_name))
