"""The database goes away under load and comes back: the API answers 503 with
Retry-After meanwhile — never a 500, never a hang — and recovers by itself. Also: a 500
(a bug) keeps the client's keep-alive connection.

The server runs on a PostgreSQL cluster of its own, restarted here while 8 clients
request parcel pages, cards and counts without pause."""

from __future__ import annotations

import math
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections import Counter
from contextlib import contextmanager

import httpx
import pytest
import uvicorn
from api_server import launch
from conftest import reachable_tmpdir
from fastapi import FastAPI

from api import errors
from citymodel.cluster import LocalCluster

PATHS = ("/collections/parcels/items?limit=5", "/collections/zones/items?limit=2",
         "/collections/buildings/items?limit=3&bbox=37.5,55.7,37.6,55.8", "/search?q=77")


@contextmanager
def serving(**settings: str):
    """`citymodel serve` on a PostgreSQL cluster of its own (empty, migrated), with these
    settings; yields its URL, the cluster, the log and the environment."""
    directory = reachable_tmpdir("citymodel-outage-")
    cluster = LocalCluster(directory / "state")
    cluster.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYMODEL_") and k != "DATABASE_URL"}
    env |= {"CITYMODEL_STATE_DIR": str(directory / "state"), "CITYMODEL_TILES_DIR": str(directory / "tiles"),
            **settings}
    subprocess.run([sys.executable, "-m", "citymodel", "db", "migrate"], env=env, check=True,
                   capture_output=True, timeout=300)
    url, process = launch(env, directory / "server.log")
    try:
        yield url, cluster, directory / "server.log", env
    finally:
        process.terminate()
        process.wait(timeout=30)
        cluster.destroy()
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def own_server():
    with serving() as (url, cluster, log, _):
        yield url, cluster, log


def test_anonymous_work_is_bounded_and_signed_in_work_is_not(tmp_path):
    """Anonymous requests get their own connections and time limit (here 1 ms: every
    statement past it), answered 503 saying so; an official's requests, on connections of
    their own, are served meanwhile. Filter geometries of anonymous requests are bounded."""
    with serving(CITYMODEL_PUBLIC_STATEMENT_TIMEOUT_MS="1") as (url, _, _log, env):
        added = subprocess.run([sys.executable, "-m", "citymodel", "users", "add", "bounded-official",
                                "--role", "official"], env=env, capture_output=True, text=True, check=True)
        key = re.search(r"cm_\S+", added.stdout)[0]
        square = [[37.5 + 0.01 * math.cos(a), 55.7 + 0.01 * math.sin(a)]
                  for a in (2 * math.pi * k / 300 for k in range(300))]
        polygon = "POLYGON((" + ", ".join(f"{x:.6f} {y:.6f}" for x, y in [*square, square[0]]) + "))"
        slow = "/collections/parcels/items?limit=10000&filter=" + f"S_INTERSECTS(geom, {polygon})"
        with httpx.Client(base_url=url, timeout=30) as anonymous, \
                httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Bearer {key}"}) as official:
            refused = anonymous.get(slow)
            assert refused.status_code == 400 and "300" not in refused.text
            assert "vertices" in refused.json()["description"] and "sign in" in refused.json()["description"]
            timed_out = anonymous.get("/collections/parcels/items?limit=10")
            assert timed_out.status_code == 503 and timed_out.headers["retry-after"]
            assert "anonymous" in timed_out.json()["description"]
            assert official.get(slow).status_code == 200
            assert official.get("/collections/parcels/items?limit=10").status_code == 200


def test_a_database_restart_under_load_gives_503s_with_retry_after_and_no_500(own_server):
    url, cluster, log = own_server
    statuses = Tally()
    without_retry_after = []
    failures = []
    stop = threading.Event()

    def client(k: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as http:
            i = k
            while not stop.is_set():
                path = PATHS[i % len(PATHS)]
                i += 1
                try:
                    response = http.get(path)
                except httpx.HTTPError as exc:  # a hang (timeout) or a dropped connection
                    failures.append(f"{path}: {type(exc).__name__}")
                    continue
                statuses.add(response.status_code)
                if response.status_code == 503 and "retry-after" not in response.headers:
                    without_retry_after.append(path)

    threads = [threading.Thread(target=client, args=(k,)) for k in range(8)]
    for t in threads:
        t.start()
    try:
        statuses.wait_until(lambda c: c[200] > 50, "requests to succeed before the outage")
        cluster.stop()
        statuses.wait_until(lambda c: c[503] > 20, "503s while the database is down")
        cluster.start()
        back = statuses.counts[200]
        statuses.wait_until(lambda c: c[200] > back + 100, "the API to recover by itself")
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    assert failures == []
    assert set(statuses.counts) <= {200, 503}, statuses.counts
    assert without_retry_after == []
    # once back, it stays back: the stale connections were dropped, not handed out
    with httpx.Client(base_url=url, timeout=30) as http:
        assert all(http.get(PATHS[i % len(PATHS)]).status_code == 200 for i in range(40))
    text = log.read_text()
    assert "Traceback" not in text, text[text.find("Traceback") - 300:][:4000]


class Tally:
    """Counts that threads add to, and a wait until they reach a state (woken by each add)."""

    def __init__(self) -> None:
        self.counts: Counter = Counter()
        self.changed = threading.Condition()

    def add(self, key) -> None:
        with self.changed:
            self.counts[key] += 1
            self.changed.notify_all()

    def wait_until(self, reached, what: str, timeout: float = 60) -> None:
        with self.changed:
            if not self.changed.wait_for(lambda: reached(self.counts), timeout=timeout):
                raise AssertionError(f"waited {timeout:.0f} s for {what}: {dict(self.counts)}")


@contextmanager
def in_uvicorn(app):
    """``app`` served by a real uvicorn in a thread, on a socket already listening (a client
    may connect at once: the kernel holds the connection until uvicorn takes it); its port."""
    listening = socket.socket()
    listening.bind(("127.0.0.1", 0))
    listening.listen(64)
    server = uvicorn.Server(uvicorn.Config(app, log_level="critical"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listening]}, daemon=True)
    thread.start()
    try:
        yield listening.getsockname()[1]
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        listening.close()


def test_a_500_keeps_the_connection_alive():
    """An exception no handler takes (a bug) is answered 500 on the same keep-alive
    connection, which then serves the next request — the API's own error handling
    (``api.errors``) in a real uvicorn, with a route that fails."""
    app = FastAPI()
    errors.install(app)
    app.add_middleware(errors.Unexpected)

    @app.get("/boom")
    async def boom():
        raise RuntimeError("a bug")

    @app.get("/fine")
    async def fine():
        return {"fine": True}

    with in_uvicorn(app) as port, socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        answers = []
        for path in ("/boom", "/fine", "/boom", "/fine"):
            s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            answers.append(_read_response(s))
    assert [a.split(b" ", 2)[1] for a in answers] == [b"500", b"200", b"500", b"200"]
    assert b'"code":"ServerError"' in answers[0] and b"a bug" not in answers[0]
    assert b"connection: close" not in answers[0].lower()


def _read_response(s: socket.socket) -> bytes:
    """One HTTP/1.1 response with a Content-Length, read from the socket."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = s.recv(65536)
        assert chunk, f"the server closed the connection: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(next(line.split(b":", 1)[1] for line in head.split(b"\r\n")
                      if line.lower().startswith(b"content-length:")))
    while len(body) < length:
        chunk = s.recv(65536)
        assert chunk, "the server closed the connection mid-body"
        body += chunk
    return head + b"\r\n\r\n" + body


def test_one_anonymous_client_runs_a_bounded_number_of_heavy_requests():
    """The API's ClientLimit in a real uvicorn: with 2 allowed, a third concurrent search of
    the same anonymous client is a 429 with Retry-After; a signed-in one is not counted; once
    one ends, the client may start another."""
    from api.limits import ClientLimit

    app = FastAPI()
    release = threading.Event()
    started = Tally()

    @app.get("/search")
    def slow(k: int = 0):  # runs in a thread: holds its request until released
        started.add("search")
        release.wait(timeout=60)
        return {"k": k}

    app.add_middleware(ClientLimit, per_client=2)
    answers: dict[int, int] = {}
    with in_uvicorn(app) as port:
        base = f"http://127.0.0.1:{port}"

        def ask(k: int, headers=None) -> None:
            answers[k] = httpx.get(f"{base}/search", params={"k": k}, headers=headers, timeout=60).status_code

        try:
            holders = [threading.Thread(target=ask, args=(k,)) for k in (1, 2)]
            for t in holders:
                t.start()
            started.wait_until(lambda c: c["search"] == 2, "two searches in progress")
            third = httpx.get(f"{base}/search", params={"k": 3}, timeout=10)
            assert third.status_code == 429 and third.headers["retry-after"] == "1"
            assert "sign in" in third.json()["description"]
            signed = threading.Thread(target=ask, args=(4, {"Authorization": "Bearer x"}))
            signed.start()
            started.wait_until(lambda c: c["search"] == 3, "the signed-in search to start as well")
            release.set()
            for t in (*holders, signed):
                t.join(timeout=60)
            assert answers == {1: 200, 2: 200, 4: 200}
            assert httpx.get(f"{base}/search", params={"k": 5}, timeout=10).status_code == 200
        finally:
            release.set()
