"""The project's own PostgreSQL + PostGIS cluster, kept under the state directory.

Layout of the state directory::

    cluster.json        port and generated password (readable by the owner only)
    cluster.lock        serialises start / stop / reset
    postgres/           owned by the user the server runs as
        data/           the cluster (PGDATA)
        server.log

The server listens on 127.0.0.1 only, on a free port chosen at creation (and
chosen again if another program has taken it since), with no Unix socket, and
password (SCRAM) authentication. PostgreSQL refuses to run as root: when this
runs as root, the server runs as the unprivileged ``postgres`` user.
"""

from __future__ import annotations

import fcntl
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg
from sqlalchemy.engine import URL

from citymodel.errors import ClusterError

SUPERUSER = "citymodel"
DATABASE = "citymodel"
SERVER_USER_WHEN_ROOT = "postgres"
PG_MAJOR_VERSIONS = ("15", "16", "17")  # the first one installed is used
SETUP_HINT = "run scripts/setup (it installs postgresql-15 and postgresql-15-postgis-3)"
START_TIMEOUT_S = 60


@dataclass(frozen=True)
class ClusterStatus:
    initialized: bool
    running: bool
    pid: int | None
    port: int | None
    data_dir: Path


class LocalCluster:
    """A private PostgreSQL cluster under ``state_dir``."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = Path(state_dir).resolve()
        self.root = self.state_dir / "postgres"
        self.data_dir = self.root / "data"
        self.log_file = self.root / "server.log"
        self.info_file = self.state_dir / "cluster.json"
        self.server_user = SERVER_USER_WHEN_ROOT if os.geteuid() == 0 else None

    # -- queries -----------------------------------------------------------------

    @property
    def initialized(self) -> bool:
        return (self.data_dir / "PG_VERSION").exists() and self.info_file.exists()

    def status(self) -> ClusterStatus:
        pid = self._server_pid()
        info = self._read_info() if self.info_file.exists() else {}
        return ClusterStatus(
            initialized=self.initialized,
            running=pid is not None,
            pid=pid,
            port=info.get("port"),
            data_dir=self.data_dir,
        )

    def url(self) -> URL:
        """The SQLAlchemy URL of the cluster's database (the cluster must exist)."""
        if not self.initialized:
            raise ClusterError(
                f"there is no local database in {self.state_dir}: run `citymodel db start`"
            )
        info = self._read_info()
        return URL.create(
            "postgresql+psycopg",
            username=info["user"],
            password=info["password"],
            host="127.0.0.1",
            port=info["port"],
            database=info["database"],
        )

    # -- lifecycle ---------------------------------------------------------------

    def start(self) -> str:
        """Create the cluster if needed and start it; harmless when it is running."""
        with self._lock():
            if self._server_pid() is not None:
                return f"local PostGIS already running on 127.0.0.1:{self._read_info()['port']}"
            created = False
            if not self.initialized:
                self._create()
                created = True
            self._remove_stale_pid_file()
            port = self._choose_port()
            self._write_server_config(port)
            self._pg_ctl(
                "start", "-w", "-t", str(START_TIMEOUT_S), "-l", str(self.log_file),
                failure="the local PostgreSQL server did not start",
            )
            if created:
                self._create_database()
            return f"local PostGIS {'created and ' if created else ''}started on 127.0.0.1:{port}"

    def stop(self) -> str:
        with self._lock():
            if self._server_pid() is None:
                return "local PostGIS is not running"
            self._pg_ctl("stop", "-w", "-m", "fast", failure="the local PostgreSQL server did not stop")
            return "local PostGIS stopped"

    def destroy(self) -> None:
        """Stop the server and delete the cluster and its data."""
        with self._lock():
            if self._server_pid() is not None:
                self._pg_ctl("stop", "-w", "-m", "immediate", failure="cannot stop the server")
            shutil.rmtree(self.root, ignore_errors=True)
            self.info_file.unlink(missing_ok=True)

    # -- creation ----------------------------------------------------------------

    def _create(self) -> None:
        bindir = find_bindir()
        shutil.rmtree(self.root, ignore_errors=True)  # a half-made cluster from a failed attempt
        self.root.mkdir(parents=True)
        self._hand_to_server_user(self.root)
        password = secrets.token_urlsafe(24)
        pwfile = self.root / "initdb.pw"
        pwfile.write_text(password)
        pwfile.chmod(0o600)
        self._hand_to_server_user(pwfile)
        try:
            self._run(
                [
                    str(bindir / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER,
                    f"--pwfile={pwfile}", "--auth=scram-sha-256", "--encoding=UTF8",
                    "--locale=C.UTF-8", "--no-instructions",
                ],
                failure=f"initdb failed to create a cluster in {self.data_dir}",
            )
        finally:
            pwfile.unlink(missing_ok=True)
        conf = self.data_dir / "postgresql.conf"
        with conf.open("a") as f:
            f.write("\n# Written by citymodel: the settings that make this a private server.\n")
            f.write("include_if_exists = 'citymodel.conf'\n")
        self._write_info(
            {"user": SUPERUSER, "password": password, "database": DATABASE, "port": free_port()}
        )

    def _create_database(self) -> None:
        info = self._read_info()
        params = dict(
            host="127.0.0.1", port=info["port"], user=info["user"], password=info["password"]
        )
        try:
            with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
                conn.execute(f'CREATE DATABASE "{info["database"]}"')
            with psycopg.connect(dbname=info["database"], autocommit=True, **params) as conn:
                conn.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        except psycopg.Error as exc:
            raise ClusterError(
                f"the local cluster started but its database could not be set up: "
                f"{str(exc).strip()}; {SETUP_HINT}"
            ) from None

    # -- helpers -----------------------------------------------------------------

    def _write_server_config(self, port: int) -> None:
        path = self.data_dir / "citymodel.conf"
        path.write_text(
            "# Managed by citymodel; rewritten at every start.\n"
            "listen_addresses = '127.0.0.1'\n"
            f"port = {port}\n"
            "unix_socket_directories = ''\n"
            "logging_collector = off\n"
        )
        self._hand_to_server_user(path)

    def _choose_port(self) -> int:
        info = self._read_info()
        if not port_is_free(info["port"]):
            info["port"] = free_port()
            self._write_info(info)
        return info["port"]

    def _server_pid(self) -> int | None:
        """The pid of the server running this cluster, from its pid file, if it is ours."""
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None
        try:
            cwd = Path(os.readlink(f"/proc/{pid}/cwd"))
            command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0", 1)[0]
        except OSError:
            return None
        if cwd == self.data_dir and command.endswith(b"postgres"):
            return pid
        return None

    def _remove_stale_pid_file(self) -> None:
        """A pid file left by a crash (its process gone or another program) blocks a start."""
        pid_file = self.data_dir / "postmaster.pid"
        if pid_file.exists() and self._server_pid() is None:
            pid_file.unlink()

    def _pg_ctl(self, *args: str, failure: str) -> None:
        self._run([str(find_bindir() / "pg_ctl"), "-D", str(self.data_dir), *args], failure=failure)

    def _run(self, command: Sequence[str], *, failure: str) -> None:
        if self.server_user is not None:
            command = ["runuser", "-u", self.server_user, "--", *command]
        result = subprocess.run(
            command, capture_output=True, text=True, cwd="/", stdin=subprocess.DEVNULL
        )
        if result.returncode != 0:
            output = (result.stderr or result.stdout).strip()
            raise ClusterError(f"{failure}: {output}{self._log_tail()}")

    def _log_tail(self, lines: int = 8) -> str:
        try:
            tail = self.log_file.read_text(errors="replace").strip().splitlines()[-lines:]
        except OSError:
            return ""
        return f"\nlast lines of {self.log_file}:\n  " + "\n  ".join(tail) if tail else ""

    def _hand_to_server_user(self, path: Path) -> None:
        """When root, give ``path`` to the server's user and check it can get there."""
        if self.server_user is None:
            return
        try:
            user = pwd.getpwnam(self.server_user)
        except KeyError:
            raise ClusterError(
                f"PostgreSQL will not run as root and there is no '{self.server_user}' user "
                f"to run it as; {SETUP_HINT}"
            ) from None
        os.chown(path, user.pw_uid, user.pw_gid)
        check = subprocess.run(["runuser", "-u", self.server_user, "--", "test", "-w", str(path)])
        if check.returncode != 0:
            raise ClusterError(
                f"the PostgreSQL server runs as '{self.server_user}' (not as root), and that "
                f"user cannot reach {path}: make its parent directories searchable "
                f"(chmod o+x) or set CITYMODEL_STATE_DIR to a directory it can reach"
            )

    def _read_info(self) -> dict:
        try:
            return json.loads(self.info_file.read_text())
        except (OSError, ValueError) as exc:
            raise ClusterError(f"cannot read {self.info_file}: {exc}; `citymodel db reset` recreates it") from None

    def _write_info(self, info: dict) -> None:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        tmp = self.info_file.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(info, f)
        os.replace(tmp, self.info_file)

    @contextmanager
    def _lock(self) -> Iterator[None]:
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with open(self.state_dir / "cluster.lock", "w") as f:
            fcntl.flock(f, fcntl.LOCK_EX)
            yield


def find_bindir() -> Path:
    """The bin directory of the newest supported PostgreSQL that has PostGIS installed."""
    override = os.environ.get("CITYMODEL_PG_BINDIR")
    candidates = [Path(override)] if override else [
        Path(f"/usr/lib/postgresql/{major}/bin") for major in PG_MAJOR_VERSIONS
    ]
    for bindir in candidates:
        if (bindir / "initdb").exists() and (bindir / "pg_ctl").exists():
            return bindir
    raise ClusterError(f"PostgreSQL server programs not found in {', '.join(map(str, candidates))}: {SETUP_HINT}")


def port_is_free(port: int) -> bool:
    """Whether PostgreSQL could listen on this port of 127.0.0.1 now.

    Like PostgreSQL, bind with SO_REUSEADDR: a port whose last connections are
    still in TIME_WAIT (right after a stop) is free; one another program
    listens on is not.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]

