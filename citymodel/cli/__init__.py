"""The `citymodel` command. Each subcommand parses its arguments and calls one function."""

from __future__ import annotations

import click

from citymodel import __version__
from citymodel.cli.db import db
from citymodel.cli.imports import import_
from citymodel.cli.tiles import tiles
from citymodel.errors import CitymodelError


class _Group(click.Group):
    """Turns domain errors into a one-line message and exit status 1, in one place."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CitymodelError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="citymodel")
def cli() -> None:
    """citymodel: a 3D city model of parcels, buildings, rights and auctions.

    Settings come from CITYMODEL_* environment variables, DATABASE_URL and an
    optional citymodel.toml (or the file named by CITYMODEL_CONFIG). Without
    DATABASE_URL the project runs its own PostGIS under ./.citymodel/.
    """


cli.add_command(db)
cli.add_command(import_)
cli.add_command(tiles)


def main() -> None:
    cli(prog_name="citymodel")
