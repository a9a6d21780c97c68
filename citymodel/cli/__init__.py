"""The `citymodel` command. Each subcommand parses its arguments and calls one function."""

from __future__ import annotations

from importlib import import_module

import click

from citymodel import __version__
from citymodel.errors import CitymodelError

# Each subcommand's module is imported only when that subcommand runs (or --help lists
# them), so `citymodel tiles build` does not pay for loading the importers, and so on.
COMMANDS = {"db": ("citymodel.cli.db", "db"), "import": ("citymodel.cli.imports", "import_"),
            "tiles": ("citymodel.cli.tiles", "tiles"), "serve": ("citymodel.cli.serve", "serve"),
            "users": ("citymodel.cli.users", "users"),
            "scenarios": ("citymodel.cli.scenarios", "scenarios")}


class _Group(click.Group):
    """Loads subcommands lazily, and turns domain errors into a one-line message and
    exit status 1, in one place."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in COMMANDS:
            return None
        module, attribute = COMMANDS[name]
        return getattr(import_module(module), attribute)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CitymodelError as exc:
            raise click.ClickException(str(exc)) from None


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="citymodel")
def cli() -> None:
    """citymodel: a 3D city model of parcels, buildings, rights, auctions, planning zones,
    city services and development scenarios.

    Settings come from CITYMODEL_* environment variables, DATABASE_URL and an
    optional citymodel.toml (or the file named by CITYMODEL_CONFIG). Without
    DATABASE_URL the project runs its own PostGIS under ./.citymodel/.
    """



def main() -> None:
    cli(prog_name="citymodel")
