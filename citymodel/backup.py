"""Backups of the database: ``pg_dump`` in its custom format, restored by ``pg_restore``.

A backup is written beside its target and renamed into place when complete, so a failed
or interrupted backup never leaves a half-written file under the name asked for. A
restore runs in one transaction (``--single-transaction``): it replaces every object of
the backup (``--clean``) or, failing, changes nothing. After it, every data version is
set past both the backup's and the one before the restore, so no cache (vector tiles,
ETags) keyed by a version could serve what it held for that number before. Passwords
travel in the environment of the child process, never on its command line.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from sqlalchemy.engine import URL

from citymodel import database
from citymodel.cluster import find_bindir
from citymodel.errors import CitymodelError


class BackupFailed(CitymodelError):
    """pg_dump or pg_restore failed; what they said is in the message."""


def _connection(url: URL) -> tuple[list[str], dict[str, str]]:
    args = ["--host", url.host or "127.0.0.1", "--port", str(url.port or 5432),
            "--username", url.username or "postgres", "--dbname", url.database or "postgres"]
    env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        said = " ".join(result.stderr.split())[:2000] or f"exit status {result.returncode}"
        raise BackupFailed(f"{what} failed: {said}")


def backup(url: URL, target: Path) -> int:
    """Dump the database at ``url`` to ``target``; its size in bytes."""
    target = Path(target)
    if target.is_dir():
        raise BackupFailed(f"{target} is a directory: name the backup file")
    if not target.parent.is_dir():
        raise BackupFailed(f"{target.parent} does not exist")
    part = target.with_name(f".{target.name}.part-{os.getpid()}")
    args, env = _connection(url)
    try:
        _run([str(find_bindir() / "pg_dump"), *args, "--format=custom", "--no-owner",
              "--no-privileges", "--file", str(part)], env, "pg_dump")
        os.replace(part, target)
    finally:
        part.unlink(missing_ok=True)
    return target.stat().st_size


def restore(url: URL, source: Path) -> None:
    """Replace the objects of the database at ``url`` with the backup's, all or nothing."""
    source = Path(source)
    if not source.is_file():
        raise BackupFailed(f"{source}: no such backup file")
    args, env = _connection(url)
    bindir = find_bindir()
    _run([str(bindir / "pg_restore"), "--list", str(source)], env,
         f"reading {source} (is it a backup made by `citymodel db backup`?)")
    before = _versions(url)
    _run([str(bindir / "pg_restore"), *args, "--clean", "--if-exists", "--single-transaction",
          "--exit-on-error", "--no-owner", "--no-privileges", str(source)], env, "pg_restore")
    with database.raw_connect(url, application_name="citymodel restore") as conn, conn.transaction():
        for name, version in before.items():
            conn.execute("UPDATE data_versions SET version = greatest(version, %s) + 1 WHERE name = %s",
                         [version, name])
        conn.execute("UPDATE data_versions SET version = version + 1 WHERE NOT (name = ANY(%s))",
                     [list(before)])


def _versions(url: URL) -> dict[str, int]:
    """The data versions now ({} in a database without citymodel's schema)."""
    with database.raw_connect(url, autocommit=True, application_name="citymodel restore") as conn:
        exists = conn.execute("SELECT to_regclass('data_versions') IS NOT NULL").fetchone()[0]
        if not exists:
            return {}
        return dict(conn.execute("SELECT name, version FROM data_versions").fetchall())
