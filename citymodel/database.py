"""Which database to use, connections that fail with clear messages, and migrations.

With ``DATABASE_URL`` set, that server is used and no local one is ever started.
Without it, the project's own cluster under the state directory is used (and
started when a command needs it).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING

import psycopg
import sqlalchemy
from sqlalchemy import Connection, Engine, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

if TYPE_CHECKING:
    from alembic.config import Config

from citymodel import crs, migrations
from citymodel.cluster import LocalCluster
from citymodel.errors import ConfigurationError, DatabaseUnavailable
from citymodel.settings import Settings

CONNECT_TIMEOUT_S = 10


def database_url(settings: Settings, *, start_local: bool = True) -> URL:
    """The URL to use: ``DATABASE_URL``, else the local cluster (started if asked)."""
    if settings.database_url:
        return parse_url(settings.database_url)
    cluster = LocalCluster(settings.resolved_state_dir)
    if start_local:
        cluster.start()
    return cluster.url()


def parse_url(raw: str) -> URL:
    """A PostgreSQL URL for SQLAlchemy + psycopg 3; the password never appears in errors."""
    try:
        url = make_url(raw)
    except ArgumentError:
        scheme = raw.split("://", 1)[0] if "://" in raw else raw[:20]
        raise ConfigurationError(
            f"DATABASE_URL is not a database URL (scheme {scheme!r}); expected "
            "postgresql://user:password@host:port/database"
        ) from None
    backend = url.drivername.split("+", 1)[0]
    if backend not in ("postgresql", "postgres", "postgis"):
        raise ConfigurationError(
            f"DATABASE_URL must point to PostgreSQL with PostGIS, not {backend!r}: "
            "postgresql://user:password@host:port/database"
        )
    return url.set(drivername="postgresql+psycopg")


def describe(url: URL) -> str:
    """``host:port/database`` — where a URL points, without credentials."""
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


def create_engine(url: URL) -> Engine:
    return sqlalchemy.create_engine(
        url,
        pool_pre_ping=True,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S, "application_name": "citymodel"},
    )


@contextmanager
def connect(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction, committed on success; unreachable servers explained."""
    try:
        connection = engine.connect()
    except DBAPIError as exc:
        raise DatabaseUnavailable(
            f"cannot connect to PostGIS at {describe(engine.url)}: {_reason(exc)}"
        ) from None
    with connection, connection.begin():
        yield connection


@contextmanager
def raw_connect(url: URL, *, autocommit: bool = False,
                application_name: str = "citymodel") -> Iterator[psycopg.Connection]:
    """A plain psycopg connection (COPY, binary fetches); unreachable servers explained."""
    try:
        conn = psycopg.connect(
            host=url.host, port=url.port, user=url.username, password=url.password,
            dbname=url.database, autocommit=autocommit, connect_timeout=CONNECT_TIMEOUT_S,
            application_name=application_name,
        )
    except psycopg.OperationalError as exc:
        raise DatabaseUnavailable(
            f"cannot connect to PostGIS at {describe(url)}: {' '.join(str(exc).split())}"
        ) from None
    with conn:
        yield conn


@dataclass(frozen=True)
class ServerInfo:
    postgres: str
    postgis: str | None
    revision: str | None
    head: str
    storage_srid: int | None

    @property
    def up_to_date(self) -> bool:
        return self.revision == self.head


def server_info(engine: Engine) -> ServerInfo:
    with connect(engine) as conn:
        postgres = conn.execute(text("SHOW server_version")).scalar_one()
        postgis = conn.execute(
            text("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
        ).scalar_one_or_none()
        revision = current_revision(conn)
        srid = storage_srid(conn) if revision else None
    return ServerInfo(postgres, postgis, revision, migrations.HEAD, srid)


def current_revision(connection: Connection) -> str | None:
    """The schema's Alembic revision, read without loading Alembic (commands start faster)."""
    if connection.execute(text("SELECT to_regclass('alembic_version')")).scalar_one() is None:
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()


def require_schema(engine: Engine) -> None:
    """Refuse to work on a database whose schema is missing or older than the code."""
    info = server_info(engine)
    if not info.up_to_date:
        have = f"is at revision {info.revision}" if info.revision else "has no citymodel schema"
        raise DatabaseUnavailable(
            f"the database at {describe(engine.url)} {have}; this version needs revision "
            f"{info.head}: run `citymodel db migrate`"
        )


def migrated_url(settings: Settings) -> URL:
    """The database to work on (started if it is the local one), its schema checked."""
    url = database_url(settings)
    engine = create_engine(url)
    try:
        require_schema(engine)
    finally:
        engine.dispose()
    return url


STORAGE_SRID_SQL = ("SELECT srid FROM geometry_columns WHERE f_table_schema = current_schema() "
                    "AND f_table_name = 'parcels' AND f_geometry_column = 'geom'")


def storage_srid(connection: Connection) -> int | None:
    """The SRID the schema stores geometries in, or None before the schema exists."""
    return connection.execute(text(STORAGE_SRID_SQL)).scalar_one_or_none()


def migrate(engine: Engine, settings: Settings, revision: str = "head") -> str | None:
    """Upgrade the schema to ``revision`` in one transaction; returns the new revision."""
    storage = crs.resolve(settings.storage_crs, settings.crs_overrides)
    if storage.srid is None:
        raise ConfigurationError(
            f"storage_crs {settings.storage_crs!r} has no SRID PostGIS knows: "
            "use an EPSG code or a catalogue name"
        )
    with connect(engine) as conn:
        _ensure_extensions(conn, engine.url)
        existing = storage_srid(conn)
        if existing is not None and existing != storage.srid:
            raise ConfigurationError(
                f"the database at {describe(engine.url)} stores geometries in SRID {existing}, "
                f"but storage_crs is {settings.storage_crs} (SRID {storage.srid}); the storage "
                "CRS is fixed when the schema is created"
            )
        from alembic import command

        command.upgrade(_alembic_config(conn, settings, storage.srid), revision)
        # Keep the catalogue in PostGIS in step with the code and crs_overrides.
        crs.register_in_postgis(conn, settings.crs_overrides)
        return current_revision(conn)


def downgrade(engine: Engine, settings: Settings, revision: str) -> str | None:
    """Downgrade the schema to ``revision`` (``base`` removes it all); one transaction."""
    from alembic import command

    with connect(engine) as conn:
        command.downgrade(_alembic_config(conn, settings, storage_srid(conn)), revision)
        return current_revision(conn)


def head_revision() -> str:
    """The newest migration, as Alembic finds it (``migrations.HEAD`` must agree: tested)."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config(None, None, None)).get_current_head()


def _alembic_config(
    connection: Connection | None, settings: Settings | None, srid: int | None
) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resources.files("citymodel") / "migrations"))
    config.attributes.update(
        connection=connection,
        storage_srid=srid,
        crs_overrides=settings.crs_overrides if settings else {},
    )
    return config


def _ensure_extensions(conn: Connection, url: URL) -> None:
    for extension in ("postgis", "pg_trgm"):
        try:
            with conn.begin_nested():
                conn.execute(text(f"CREATE EXTENSION IF NOT EXISTS {extension}"))
        except DBAPIError as exc:
            raise DatabaseUnavailable(
                f"the database at {describe(url)} cannot enable the {extension} extension: "
                f"{_reason(exc)}"
            ) from None


def _reason(exc: DBAPIError) -> str:
    """The driver's message on one line."""
    message = str(exc.orig) if exc.orig is not None else str(exc)
    return re.sub(r"\s+", " ", message).strip()
