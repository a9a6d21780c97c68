"""The connection pool of the API: set up at start, closed at shutdown, and a few helpers.

Queries build their JSON in PostGIS (``ST_AsGeoJSON``, ``json_build_object``) and come
back as text, so the API mostly passes bytes through. Every statement runs with a
time limit, so a costly request fails with 503 instead of holding a connection.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool
from sqlalchemy.engine import URL

from api.errors import ApiError

STATEMENT_TIMEOUT_MS = 15_000
COUNT_TIMEOUT_MS = 200  # counts that would take longer are left out of responses


class Busy(ApiError):
    status = 503
    code = "ServiceUnavailable"


class Database:
    """Two pools: one for requests (autocommit: a read is one round trip; writes open
    their own transaction), one for counting matches under a short time limit."""

    def __init__(self, url: URL, *, min_size: int = 2, max_size: int = 16) -> None:
        self.url = url
        self.pool = self._pool(url, STATEMENT_TIMEOUT_MS, min_size, max_size)
        self.counting = self._pool(url, COUNT_TIMEOUT_MS, 1, max(2, max_size // 2))
        self.storage_srid: int = 4326

    @staticmethod
    def _pool(url: URL, timeout_ms: int, min_size: int, max_size: int) -> AsyncConnectionPool:
        return AsyncConnectionPool(
            kwargs={"host": url.host, "port": url.port, "user": url.username,
                    "password": url.password, "dbname": url.database, "autocommit": True,
                    "application_name": "citymodel api",
                    "options": f"-c statement_timeout={timeout_ms} -c jit=off"},
            min_size=min_size, max_size=max_size, open=False, timeout=10,
        )

    async def count(self, query: str, params: Any = None) -> int | None:
        """The count a query returns, or None when it takes longer than the count limit."""
        try:
            async with self.counting.connection() as conn:
                cursor = await conn.execute(query, params)
                return (await cursor.fetchone())[0]
        except psycopg.errors.QueryCanceled:
            return None

    async def open(self) -> None:
        await self.pool.open(wait=True, timeout=30)
        await self.counting.open(wait=True, timeout=30)
        row = await self.one("SELECT srid FROM geometry_columns WHERE f_table_schema = "
                             "current_schema() AND f_table_name = 'parcels' AND f_geometry_column = 'geom'")
        if row is not None:
            self.storage_srid = row[0]

    async def close(self) -> None:
        await self.pool.close()
        await self.counting.close()

    @asynccontextmanager
    async def connection(self):
        try:
            async with self.pool.connection() as conn:
                yield conn
        except psycopg.errors.QueryCanceled:
            raise Busy("the database took too long to answer; narrow the request") from None
        except psycopg.OperationalError:
            raise Busy("the database is unavailable; try again shortly") from None

    async def all(self, query: str, params: Any = None) -> list[tuple]:
        async with self.connection() as conn:
            cursor = await conn.execute(query, params)
            return await cursor.fetchall()

    async def one(self, query: str, params: Any = None) -> tuple | None:
        async with self.connection() as conn:
            cursor = await conn.execute(query, params)
            return await cursor.fetchone()

    async def data_versions(self, names: tuple[str, ...]) -> tuple[int, ...]:
        """The versions of these kinds of data (``data_versions``, bumped by triggers in
        every writer's transaction), in the order asked; 0 for one never changed."""
        found = dict(await self.all("SELECT name, version FROM data_versions WHERE name = ANY(%s)",
                                    [list(names)]))
        return tuple(found.get(n, 0) for n in names)


async def fetch_dict(conn, query: str, params: Any = None) -> dict | None:
    """The first row of a query as a dict of column → value, or None."""
    cursor = await conn.execute(query, params)
    row = await cursor.fetchone()
    return dict(zip([c.name for c in cursor.description], row, strict=True)) if row else None
