"""`citymodel serve --workers N`: each worker listens on a socket of its own, so new
connections spread over the workers; a worker that dies is replaced; the address is
refused when in use; SIGTERM stops them all."""

from __future__ import annotations

import signal
import subprocess
import sys
import time

import httpx
import psutil
from api_server import launch


def listening_workers(server: subprocess.Popen, port: int) -> list[psutil.Process]:
    """The server's processes with a socket listening on its port."""
    def listens(process: psutil.Process) -> bool:
        try:
            return any(c.status == psutil.CONN_LISTEN and c.laddr.port == port
                       for c in process.net_connections(kind="tcp"))
        except psutil.Error:  # ended (a worker killed, not yet replaced)
            return False
    return [child for child in psutil.Process(server.pid).children() if listens(child)]


def wait_for(state, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = state()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not reached in {seconds} s: {what}")


def test_workers_share_connections_and_one_that_dies_is_replaced(api, tmp_path):
    url, server = launch(api.env, tmp_path / "server.log", options=("--workers", "2"))
    port = int(url.rsplit(":", 1)[1])
    try:
        workers = wait_for(lambda: len(listening_workers(server, port)) == 2 and listening_workers(server, port),
                           "two workers listening")
        clients = [httpx.Client(base_url=url, timeout=30) for _ in range(32)]
        try:
            for client in clients:  # one keep-alive connection each, held open
                assert client.get("/collections/parcels/items?limit=1").status_code == 200
            held = {w.pid: sum(1 for c in w.net_connections(kind="tcp")
                               if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port)
                    for w in workers}
        finally:
            for client in clients:
                client.close()
        # spread by the kernel over both sockets (fewer than 4 of 32 on one: p ≈ 2e-6);
        # with one shared socket, a burst often went all to one worker
        assert sum(held.values()) == 32 and min(held.values()) >= 4, held

        workers[0].kill()
        def replaced_set() -> set[int] | None:
            pids = {w.pid for w in listening_workers(server, port)}
            return pids if len(pids) == 2 and workers[0].pid not in pids else None

        replaced = wait_for(replaced_set, "a new worker in place of the killed one")
        assert workers[1].pid in replaced  # the other kept on
        for _ in range(10):  # new connections, wherever they land, are served
            assert httpx.get(f"{url}/collections/parcels/items?limit=1", timeout=30).status_code == 200
        assert "ended (exit code -9); starting another" in (tmp_path / "server.log").read_text()

        second = subprocess.run([sys.executable, "-m", "citymodel", "serve", "--port", str(port),
                                 "--workers", "2"], env=api.env, capture_output=True, text=True, timeout=120)
        assert second.returncode != 0 and f"cannot listen on 127.0.0.1:{port}" in second.stderr
        assert httpx.get(f"{url}/conformance", timeout=30).status_code == 200  # still ours alone

        running = [psutil.Process(pid) for pid in replaced]
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        _, alive = psutil.wait_procs(running, timeout=60)  # every worker stopped
        assert not alive, alive
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()
