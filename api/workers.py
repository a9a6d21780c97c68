"""`citymodel serve --workers N`: N server processes, each with a listening socket of its own.

uvicorn's own workers share one listening socket, and the first of them to wake accepts
every connection waiting: 32 connections opened at once can land 31 on one worker and 1
on the other, which then serve their shares at very different speeds while a core idles.
Here each worker binds the address itself with ``SO_REUSEPORT`` (as nginx's ``reuseport``
does), and the kernel spreads new connections over the workers' sockets by their
addresses, whatever the workers happen to be doing.

The supervisor (this process) refuses an address already in use (``SO_REUSEPORT`` would
otherwise let a second server quietly share the port with the first), restarts a worker
that dies, and stops them all on SIGINT or SIGTERM.
"""

from __future__ import annotations

import multiprocessing
import signal
import socket
import sys
from multiprocessing.connection import wait

STARTUP_FAILURE = 3  # uvicorn's exit code for an application that failed to start
BACKLOG = 2048  # uvicorn's default


def run(host: str, port: int, workers: int, **options) -> None:
    """Serve ``api.main:app`` with ``workers`` processes until SIGINT or SIGTERM; ``options``
    are uvicorn's (``log_level``, ``access_log`` …)."""
    _check_free(host, port)
    context = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing inherited
    stopping = []

    def stop(signum, _frame) -> None:
        stopping.append(signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGINT, signal.SIGTERM)}

    def start():
        process = context.Process(target=_worker, args=(host, port, options), daemon=False)
        process.start()
        return process

    processes = [start() for _ in range(workers)]
    try:
        while not stopping:
            wait([p.sentinel for p in processes], timeout=0.5)
            for i, process in enumerate(processes):
                if process.is_alive() or stopping:
                    continue
                if process.exitcode == STARTUP_FAILURE:
                    raise SystemExit(STARTUP_FAILURE)  # the application cannot start: stop
                print(f"citymodel serve: worker {process.pid} ended (exit code {process.exitcode}); "
                      "starting another", file=sys.stderr, flush=True)
                processes[i] = start()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()  # SIGTERM: uvicorn finishes the requests in progress
        for process in processes:
            process.join(30)
            if process.is_alive():
                process.kill()
                process.join()
        for s, handler in previous.items():
            signal.signal(s, handler)


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _check_free(host: str, port: int) -> None:
    """Exit saying so when something listens on the address already (bound here without
    ``SO_REUSEPORT``, the address is refused if any socket holds it)."""
    with socket.socket(_family(host), socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # past connections' TIME_WAIT
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise SystemExit(f"citymodel serve: cannot listen on {host}:{port}: {exc.strerror}") from None


def _worker(host: str, port: int, options: dict) -> None:
    """One server process: its own socket on the shared address, then uvicorn on it."""
    import uvicorn

    sock = socket.socket(_family(host), socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:  # taken since the supervisor looked: no use starting it again
        print(f"citymodel serve: cannot listen on {host}:{port}: {exc.strerror}", file=sys.stderr)
        sys.exit(STARTUP_FAILURE)
    sock.listen(BACKLOG)
    # Ctrl-C reaches every process of the terminal's group: uvicorn shuts down gracefully on
    # it, then raises it again, which would end the worker in a KeyboardInterrupt traceback
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    config = uvicorn.Config("api.main:app", host=host, port=port, **options)
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    if not server.started:
        sys.exit(STARTUP_FAILURE)
