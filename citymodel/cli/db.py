"""`citymodel db …`: the local cluster and the schema."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from citymodel import database
from citymodel.cluster import LocalCluster
from citymodel.settings import load_settings


@click.group()
def db() -> None:
    """Run the local PostGIS, or check DATABASE_URL's, and migrate the schema."""


def _local_cluster_or_none() -> LocalCluster | None:
    settings = load_settings()
    if settings.database_url:
        return None
    return LocalCluster(settings.resolved_state_dir)


@db.command()
def start() -> None:
    """Create (first time) and start the local PostGIS; harmless when it runs.

    With DATABASE_URL set, only checks that server can be reached.
    """
    cluster = _local_cluster_or_none()
    if cluster is None:
        url = database.database_url(load_settings())
        database.server_info(database.create_engine(url))
        click.echo(f"using DATABASE_URL ({database.describe(url)}); no local server started")
        return
    click.echo(cluster.start())


@db.command()
def stop() -> None:
    """Stop the local PostGIS (its data is kept)."""
    cluster = _local_cluster_or_none()
    if cluster is None:
        click.echo("using DATABASE_URL; there is no local server to stop")
        return
    click.echo(cluster.stop())


@db.command()
def status() -> None:
    """Show where the database is, whether it runs, and the schema's revision.

    Exits with status 3 when the local server is not running.
    """
    settings = load_settings()
    cluster = _local_cluster_or_none()
    if cluster is not None:
        state = cluster.status()
        if not state.initialized:
            click.echo(f"local PostGIS: not created yet in {cluster.state_dir} (run `citymodel db start`)")
            sys.exit(3)
        if not state.running:
            click.echo(f"local PostGIS: stopped (data in {state.data_dir})")
            sys.exit(3)
        click.echo(f"local PostGIS: running, pid {state.pid}, data in {state.data_dir}")
    url = database.database_url(settings, start_local=False)
    info = database.server_info(database.create_engine(url))
    click.echo(f"database: {database.describe(url)}")
    click.echo(f"server: PostgreSQL {info.postgres}, PostGIS {info.postgis or 'not installed'}")
    if info.revision is None:
        click.echo(f"schema: empty (run `citymodel db migrate` to create revision {info.head})")
    else:
        state_text = "up to date" if info.up_to_date else f"behind {info.head}: run `citymodel db migrate`"
        click.echo(f"schema: revision {info.revision} ({state_text}), storage SRID {info.storage_srid}")


@db.command()
@click.option("--show-password", is_flag=True, help="Print the password instead of ***.")
def url(show_password: bool) -> None:
    """Print the database URL (for psql, QGIS, ogr2ogr: drop the +psycopg)."""
    address = database.database_url(load_settings(), start_local=False)
    click.echo(address.render_as_string(hide_password=not show_password))


@db.command()
@click.argument("revision", default="head")
def migrate(revision: str) -> None:
    """Create or upgrade the schema to REVISION (default: the newest)."""
    settings = load_settings()
    engine = database.create_engine(database.database_url(settings))
    click.echo(f"schema at revision {database.migrate(engine, settings, revision)}")


@db.command()
@click.argument("revision")
def downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION; `base` removes every citymodel table."""
    settings = load_settings()
    engine = database.create_engine(database.database_url(settings))
    click.echo(f"schema at revision {database.downgrade(engine, settings, revision) or 'base (empty)'}")


@db.command()
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def reset(yes: bool) -> None:
    """Delete all data and recreate an empty, migrated database.

    Locally this deletes the cluster and creates a new one; with DATABASE_URL it
    drops the citymodel schema (downgrade to base) and migrates it again.
    """
    settings = load_settings()
    cluster = _local_cluster_or_none()
    where = str(cluster.state_dir) if cluster else database.describe(database.parse_url(settings.database_url))
    if not yes:
        click.confirm(f"delete every parcel, building, right and auction in {where}?", abort=True)
    if cluster is not None:
        cluster.destroy()
        click.echo(cluster.start())
        engine = database.create_engine(cluster.url())
    else:
        engine = database.create_engine(database.parse_url(settings.database_url))
        database.downgrade(engine, settings, "base")
    click.echo(f"schema at revision {database.migrate(engine, settings)}")


@db.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def backup(file: Path) -> None:
    """Write a backup of the database to FILE (pg_dump, custom format).

    The local PostGIS, or DATABASE_URL's database. FILE appears only once complete.
    """
    from citymodel import backup as backups

    settings = load_settings()
    url = database.database_url(settings)
    size = backups.backup(url, file)
    click.echo(f"backed up {database.describe(url)} to {file} ({size / 2**20:.1f} MiB)")


@db.command()
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore(file: Path, yes: bool) -> None:
    """Replace the database's contents with the backup in FILE, all or nothing.

    Stop `citymodel serve` first or expect its requests to wait; data versions come
    back with the data, so tiles and caches follow.
    """
    from citymodel import backup as backups

    settings = load_settings()
    url = database.database_url(settings)
    if not yes:
        click.confirm(f"replace everything in {database.describe(url)} with {file}?", abort=True)
    backups.restore(url, file)
    click.echo(f"restored {file} into {database.describe(url)}")
