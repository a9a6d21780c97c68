"""The `citymodel` command. Each subcommand parses its arguments and calls one function.

The core's own commands (`db`, `users`, `scenarios`) live here. The packages above the
core add theirs through the ``citymodel.commands`` entry points (pyproject.toml):
`import` from ``importers.cli``, `tiles` from ``tiles.cli``, `serve` from ``api.cli`` —
so the core imports nothing above it, and each package owns its command line.
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import entry_points

import click

from citymodel import __version__
from citymodel.errors import CitymodelError

PLUGINS = "citymodel.commands"
# Each subcommand's module is imported only when that subcommand runs (or --help lists
# them), so `citymodel tiles build` does not pay for loading the importers, and so on.
CORE = {"db": "citymodel.cli.db:db", "users": "citymodel.cli.users:users",
        "export": "citymodel.cli.export:export",
        "scenarios": "citymodel.cli.scenarios:scenarios"}


def commands() -> dict[str, str]:
    """Every subcommand's name and ``module:attribute``: the core's and the plugged-in."""
    return {**{ep.name: ep.value for ep in entry_points(group=PLUGINS)}, **CORE}


class _Group(click.Group):
    """Loads subcommands lazily, and turns domain errors into a one-line message and
    exit status 1, in one place."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(commands())

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = commands().get(name)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
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
