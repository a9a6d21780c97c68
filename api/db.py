"""The connection pool of the API: set up at start, closed at shutdown, and a few helpers.

Queries build their JSON in PostGIS (``ST_AsGeoJSON``, ``json_build_object``) and come
back as text, so the API mostly passes bytes through. Every statement runs with a
time limit, so a costly request fails with 503 instead of holding a connection.

When the database goes away (a restart, a crash, the network), requests are answered
503 with ``Retry-After`` at once, not after waiting for a connection: the first failure
marks the database down, and until a probe connects again every request is refused
without touching the pool. The probe then has the pool discard its stale connections
(``check``), so none of them reaches a request; a query of the helpers that meets a
connection broken all the same is retried once on a fresh one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import psycopg
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from sqlalchemy.engine import URL

from api.errors import ApiError
from citymodel.database import STORAGE_SRID_SQL

STATEMENT_TIMEOUT_MS = 15_000  # signed-in users' statements
# set by api.auth for each request: whether its caller signed in (their own connections)
SIGNED_IN: ContextVar[bool] = ContextVar("signed_in", default=False)
COUNT_TIMEOUT_MS = 200  # counts that would take longer are left out of responses
# connections for anonymous requests in each server process (signed-in users and counts have
# half as many each): a few per core serve a CPU-bound database best: with 16 a process,
# 32 bbox pages at once ran 10 % slower and waited longer at the 99th percentile than with
# 8 (scripts/bench/api, 2 processes on 2 cores); the rest wait for a connection in the pool
POOL_SIZE = 8
POOL_WAIT_S = 5.0  # the longest a request waits for a free connection under load
RETRY_AFTER_S = 2  # what 503s tell clients
PROBE_EVERY_S = 0.25  # how often a database marked down is tried again
log = logging.getLogger("citymodel.api")
# the pool warns of every failed reconnection, many a second during an outage; the API
# says once that the database is down and once that it is back
logging.getLogger("psycopg.pool").setLevel(logging.ERROR)


class Busy(ApiError):
    status = 503
    code = "ServiceUnavailable"

    def __init__(self, description: str) -> None:
        super().__init__(description, headers={"Retry-After": str(RETRY_AFTER_S)})


class Unavailable(Busy):
    def __init__(self) -> None:
        super().__init__("the database is unavailable; try again shortly")


class Database:
    """Three pools: one for anonymous requests, whose statements get the public time limit;
    one for signed-in users (officials' work is never queued behind anonymous load); one for
    counting matches under a short time limit. All autocommit: a read is one round trip;
    writes open their own transaction."""

    def __init__(self, url: URL, *, min_size: int = 2, max_size: int = POOL_SIZE,
                 public_timeout_ms: int = 5_000) -> None:
        self.url = url
        self.public_timeout_ms = public_timeout_ms
        self.public = self._pool(url, public_timeout_ms, min_size, max_size)
        self.signed_in = self._pool(url, STATEMENT_TIMEOUT_MS, 1, max(2, max_size // 2))
        self.counting = self._pool(url, COUNT_TIMEOUT_MS, 1, max(2, max_size // 2))
        self.storage_srid: int = 4326
        self.down_since: float | None = None  # monotonic time the database was found down
        self._probe: asyncio.Task | None = None

    @staticmethod
    def _pool(url: URL, timeout_ms: int, min_size: int, max_size: int) -> AsyncConnectionPool:
        return AsyncConnectionPool(
            kwargs={"host": url.host, "port": url.port, "user": url.username,
                    "password": url.password, "dbname": url.database, "autocommit": True,
                    "application_name": "citymodel api",
                    "options": f"-c statement_timeout={timeout_ms} -c jit=off"},
            min_size=min_size, max_size=max_size, open=False, timeout=POOL_WAIT_S,
        )

    @property
    def pools(self) -> tuple[AsyncConnectionPool, ...]:
        return (self.public, self.signed_in, self.counting)

    @property
    def pool(self) -> AsyncConnectionPool:
        """The pool of this request's caller."""
        return self.signed_in if SIGNED_IN.get() else self.public

    async def count(self, query: str, params: Any = None) -> int | None:
        """The count a query returns, or None when it takes longer than the count limit."""
        self._refuse_if_down()
        try:
            async with self.counting.connection() as conn:
                cursor = await conn.execute(query, params)
                return (await cursor.fetchone())[0]
        except psycopg.errors.QueryCanceled:
            return None
        except psycopg.OperationalError as exc:
            raise self._failed(exc) from None

    # --- the database going away and coming back ------------------------------------------------

    def _refuse_if_down(self) -> None:
        if self.down_since is not None:
            raise Unavailable()

    def _failed(self, exc: Exception) -> Busy:
        """The 503 for a failure; a connection-level one marks the database down."""
        if isinstance(exc, psycopg.errors.QueryCanceled):
            if not SIGNED_IN.get():
                return Busy(f"the request took longer than the {self.public_timeout_ms / 1000:g} s a "
                            "database statement may run for anonymous users; narrow it (a smaller "
                            "bbox, a simpler filter, a lower limit) or sign in")
            return Busy("the database took too long to answer; narrow the request")
        if isinstance(exc, PoolTimeout) and self.down_since is None:
            # every connection busy, or none can be made: a probe tells which
            self._mark_down(probe_only=True)
            return Busy("the database is busy; try again shortly")
        self._mark_down()
        return Unavailable()

    def _mark_down(self, probe_only: bool = False) -> None:
        if not probe_only and self.down_since is None:
            self.down_since = time.monotonic()
            log.warning("the database is unavailable: answering 503 until it is back")
        if self._probe is None or self._probe.done():
            self._probe = asyncio.get_running_loop().create_task(self._wait_for_database())

    async def _wait_for_database(self) -> None:
        url = self.url
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(
                    host=url.host, port=url.port, user=url.username, password=url.password,
                    dbname=url.database, connect_timeout=2, autocommit=True,
                    application_name="citymodel api probe")
                async with conn:
                    await conn.execute("SELECT 1")
            except (psycopg.OperationalError, OSError):
                self._mark_down()
                await asyncio.sleep(PROBE_EVERY_S)
                continue
            break
        # back: the connections made before the outage are dead; drop them before any
        # request gets one
        for pool in self.pools:
            try:
                await pool.check()
            except Exception as exc:  # noqa: BLE001 - a check that fails leaves the pool as it is
                log.warning("checking the pool after an outage failed: %s", type(exc).__name__)
        if self.down_since is not None:
            log.warning("the database is back after %.1f s", time.monotonic() - self.down_since)
        self.down_since = None

    async def open(self) -> None:
        await self.public.open(wait=True, timeout=30)
        await self.signed_in.open(wait=True, timeout=30)
        await self.counting.open(wait=True, timeout=30)
        row = await self.one(STORAGE_SRID_SQL)
        if row is not None:
            self.storage_srid = row[0]

    async def close(self) -> None:
        if self._probe is not None:
            self._probe.cancel()
        await self.public.close()
        await self.signed_in.close()
        await self.counting.close()

    @asynccontextmanager
    async def connection(self):
        self._refuse_if_down()
        try:
            async with self.pool.connection() as conn:
                yield conn
        except psycopg.OperationalError as exc:  # QueryCanceled, AdminShutdown, PoolTimeout …
            raise self._failed(exc) from None

    async def _query(self, query: str, params: Any, fetch):
        """Run a query (the helpers read; writes go through ``connection`` in a
        transaction); once more on a fresh connection if the one it got turns out broken
        (made before the database restarted)."""
        self._refuse_if_down()
        for attempt in (1, 2):
            try:
                async with self.pool.connection() as conn:
                    try:
                        cursor = await conn.execute(query, params)
                        return await fetch(cursor)
                    except psycopg.OperationalError:
                        if attempt == 2 or not conn.broken:
                            raise
                # a stale connection: the pool drops it on its return; take another
            except psycopg.OperationalError as exc:
                raise self._failed(exc) from None
        raise Unavailable()

    async def all(self, query: str, params: Any = None) -> list[tuple]:
        return await self._query(query, params, lambda cursor: cursor.fetchall())

    async def one(self, query: str, params: Any = None) -> tuple | None:
        return await self._query(query, params, lambda cursor: cursor.fetchone())

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
