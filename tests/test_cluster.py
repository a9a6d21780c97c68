"""The local cluster's lifecycle and DATABASE_URL, through the real `citymodel` command."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess

import psycopg
import pytest
from conftest import reachable_tmpdir, run_cli

from citymodel.cluster import LocalCluster, port_is_free


@pytest.fixture
def state_dir():
    path = reachable_tmpdir("citymodel-lifecycle-")
    yield path
    LocalCluster(path).destroy()
    shutil.rmtree(path, ignore_errors=True)


def _ok(result, *needles: str) -> str:
    assert result.returncode == 0, result.stderr
    for needle in needles:
        assert needle in result.stdout
    return result.stdout


def _connect(state_dir):
    info = json.loads((state_dir / "cluster.json").read_text())
    return psycopg.connect(
        host="127.0.0.1", port=info["port"], user=info["user"],
        password=info["password"], dbname=info["database"], connect_timeout=5,
    )


def _count_parcels(state_dir) -> int:
    with _connect(state_dir) as conn:
        return conn.execute("SELECT count(*) FROM parcels").fetchone()[0]


def test_lifecycle(state_dir):
    env = {"CITYMODEL_STATE_DIR": str(state_dir)}
    cli = lambda *args: run_cli(*args, env=env)

    status = cli("db", "status")
    assert status.returncode == 3 and "not created yet" in status.stdout

    _ok(cli("db", "start"), "created and started on 127.0.0.1:")
    cluster = LocalCluster(state_dir)
    first = cluster.status()
    assert first.running and first.port
    data_dir_mode = (state_dir / "postgres" / "data").stat().st_mode & 0o777
    assert data_dir_mode == 0o700
    assert (state_dir / "cluster.json").stat().st_mode & 0o777 == 0o600

    # A second start while running is harmless.
    _ok(cli("db", "start"), "already running")
    assert cluster.status().pid == first.pid

    # Listening on loopback only, with PostGIS, and no Unix socket.
    with _connect(state_dir) as conn:
        settings = dict(conn.execute(
            "SELECT name, setting FROM pg_settings WHERE name IN "
            "('listen_addresses', 'unix_socket_directories')"
        ).fetchall())
        assert settings == {"listen_addresses": "127.0.0.1", "unix_socket_directories": ""}
        assert conn.execute("SELECT postgis_lib_version()").fetchone()[0].startswith("3.")

    _ok(cli("db", "migrate"), "schema at revision")
    _ok(cli("db", "status"), "running", "up to date", "PostGIS 3.")
    url = _ok(cli("db", "url"))
    assert url.startswith("postgresql+psycopg://citymodel:***@127.0.0.1:")
    assert json.loads((state_dir / "cluster.json").read_text())["password"] not in url

    with _connect(state_dir) as conn:
        conn.execute(
            "INSERT INTO parcels (cadastral_number, cadastral_key, source) "
            "VALUES ('77:01:0001013:4915', '77:1:1013:4915', 'test')"
        )

    _ok(cli("db", "stop"), "stopped")
    status = cli("db", "status")
    assert status.returncode == 3 and "stopped" in status.stdout
    _ok(cli("db", "stop"), "not running")

    # Start again: the data is kept.
    _ok(cli("db", "start"), "started")
    assert _count_parcels(state_dir) == 1

    # A crash leaves a pid file behind, naming a process that is no server of ours.
    _ok(cli("db", "stop"))
    pid_file = state_dir / "postgres" / "data" / "postmaster.pid"
    sleeper = subprocess.Popen(["sleep", "60"])
    try:
        pid_file.write_text(f"{sleeper.pid}\n{state_dir}/postgres/data\n")
        _ok(cli("db", "start"), "started")
        assert cluster.status().pid not in (None, sleeper.pid)
    finally:
        sleeper.kill()
    assert _count_parcels(state_dir) == 1

    # Another program took the port while the server was stopped: a new one is chosen.
    _ok(cli("db", "stop"))
    taken = cluster.status().port
    with socket.socket() as squatter:
        # SO_REUSEADDR: the stopped server's connections may still be in TIME_WAIT.
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", taken))
        squatter.listen()
        _ok(cli("db", "start"), "started")
        assert cluster.status().port != taken
        assert _count_parcels(state_dir) == 1

    # Reset: asks first, then an empty, migrated database.
    refused = run_cli("db", "reset", env=env, input="n\n")
    assert refused.returncode != 0 and _count_parcels(state_dir) == 1
    _ok(cli("db", "reset", "--yes"), "schema at revision")
    assert _count_parcels(state_dir) == 0

    _ok(cli("db", "stop"))
    assert not cluster.status().running


def test_port_is_free_like_postgresql_sees_it():
    """A port left in TIME_WAIT by a stopped server is free; one a program listens on is not."""
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as PostgreSQL's listener
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    client = socket.create_connection(("127.0.0.1", port))
    accepted, _ = server.accept()
    accepted.close()  # the server's side closes first: its address stays in TIME_WAIT
    server.close()
    client.close()
    with socket.socket() as plain, pytest.raises(OSError):
        plain.bind(("127.0.0.1", port))  # what the old check did, and why it moved ports
    assert port_is_free(port)

    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", port))
        squatter.listen()
        assert not port_is_free(port)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://planner:s3cret-pw@no-such-host.invalid:5432/city", "no-such-host.invalid"),
        ("postgresql://planner:s3cret-pw@127.0.0.1:1/city", "127.0.0.1:1/city"),
        ("mysql://planner:s3cret-pw@db.example/city", "PostgreSQL"),
        ("not a url at all", "not a database URL"),
    ],
)
def test_bad_database_url_is_a_clear_error(state_dir, url, expected):
    for command in (("db", "status"), ("db", "start"), ("db", "migrate")):
        result = run_cli(*command, env={"DATABASE_URL": url, "CITYMODEL_STATE_DIR": str(state_dir)})
        assert result.returncode == 1, result
        assert expected in result.stderr
        assert "Traceback" not in result.stderr
        assert "s3cret-pw" not in result.stderr + result.stdout
    assert not (state_dir / "postgres").exists()  # no local server was started instead


def test_database_url_is_used_and_no_local_server_starts(state_dir, empty_database):
    env = {
        "DATABASE_URL": empty_database.render_as_string(hide_password=False),
        "CITYMODEL_STATE_DIR": str(state_dir),
    }
    _ok(run_cli("db", "start", env=env), "using DATABASE_URL", "no local server started")
    _ok(run_cli("db", "migrate", env=env), "schema at revision")
    _ok(run_cli("db", "status", env=env), empty_database.database, "up to date")
    _ok(run_cli("db", "stop", env=env), "no local server")
    _ok(run_cli("db", "reset", "--yes", env=env), "schema at revision")
    assert not (state_dir / "postgres").exists()
    assert not (state_dir / "cluster.json").exists()


def test_unreachable_state_dir_is_explained(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("only root hands the cluster to another user")
    hidden = tmp_path / "private"
    hidden.mkdir()
    tmp_path.chmod(0o700)
    result = run_cli("db", "start", env={"CITYMODEL_STATE_DIR": str(hidden / "state")})
    assert result.returncode == 1
    assert "runs as 'postgres'" in result.stderr and "CITYMODEL_STATE_DIR" in result.stderr
    assert "Traceback" not in result.stderr
