"""Shared fixtures: a real local PostGIS cluster for the session, fresh databases per test.

Nothing is mocked: tests run against PostgreSQL + PostGIS started by the same code
`citymodel db start` uses. When the tests run as root the server runs as the
`postgres` user, so temporary state directories are made reachable for it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL, Engine

from citymodel import database
from citymodel.cluster import LocalCluster
from citymodel.settings import Settings

DATA = Path(__file__).parent / "data"
KPT_SAMPLE = DATA / "kpt" / "kpt10-26-05-060402.xml"
sys.path.append(str(DATA))  # make_samples: what the sample files were made from


def reachable_tmpdir(prefix: str) -> Path:
    """A temporary directory the unprivileged server user can enter."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Settings come only from what a test sets: not from the developer's shell or cwd."""
    for name in list(os.environ):
        if name.startswith("CITYMODEL_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(scope="session")
def cluster() -> Iterator[LocalCluster]:
    state = reachable_tmpdir("citymodel-test-")
    local = LocalCluster(state)
    local.start()
    yield local
    local.destroy()
    shutil.rmtree(state, ignore_errors=True)


def _new_database(cluster: LocalCluster, template: str | None = None) -> URL:
    name = f"test_{uuid.uuid4().hex[:12]}"
    admin = database.create_engine(cluster.url()).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    admin.dispose()
    return cluster.url().set(database=name)


def _drop_database(cluster: LocalCluster, url: URL) -> None:
    admin = database.create_engine(cluster.url()).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{url.database}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def empty_database(cluster: LocalCluster) -> Iterator[URL]:
    """A new, empty database on the session cluster, dropped afterwards."""
    url = _new_database(cluster)
    yield url
    _drop_database(cluster, url)


@pytest.fixture(scope="session")
def migrated_template(cluster: LocalCluster) -> str:
    """A database migrated to the newest schema, copied for each test that needs one."""
    url = _new_database(cluster)
    engine = database.create_engine(url)
    database.migrate(engine, settings_for(url))
    engine.dispose()
    return url.database


@pytest.fixture
def db(cluster: LocalCluster, migrated_template: str) -> Iterator[URL]:
    """A fresh database with the newest schema (storage EPSG:4326), dropped afterwards."""
    url = _new_database(cluster, template=migrated_template)
    yield url
    _drop_database(cluster, url)


def settings_for(url: URL, **overrides) -> Settings:
    return Settings(database_url=url.render_as_string(hide_password=False), **overrides)


@pytest.fixture
def migrated(db: URL) -> Iterator[Engine]:
    """An engine on a fresh database with the newest schema (storage EPSG:4326)."""
    engine = database.create_engine(db)
    yield engine
    engine.dispose()


def query(url: URL, sql: str, **params) -> list:
    """Rows of one SQL query on the database at ``url``."""
    engine = database.create_engine(url)
    with database.connect(engine) as conn:
        rows = conn.execute(text(sql), params).all()
    engine.dispose()
    return rows


def sample_district(url: URL, directory: Path, buildings: int = 600) -> None:
    """Generate a small sample district and import its parcels, buildings and auctions."""
    from importers.auctions import import_auctions
    from importers.buildings import import_buildings
    from importers.parcels import import_parcels

    generator = Path(__file__).parent.parent / "scripts" / "generate_district.py"
    subprocess.run([sys.executable, str(generator), str(directory), "--buildings", str(buildings)],
                   check=True, capture_output=True)
    settings = settings_for(url)
    import_parcels(url, settings, directory / "parcels.gpkg")
    import_buildings(url, settings, directory / "buildings.gpkg")
    import_auctions(url, settings, directory / "auctions.json")


def run_cli(*args: str, env: dict[str, str] | None = None, input: str | None = None):
    """Run the real `citymodel` command in a subprocess."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CITYMODEL_")}
    full_env.pop("DATABASE_URL", None)
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "citymodel", *args],
        capture_output=True, text=True, env=full_env, input=input, timeout=180,
    )


@pytest.fixture(scope="session")
def api(cluster: LocalCluster, migrated_template: str):
    """A real `citymodel serve` on the sample district, with its rights, auctions, tiles and
    a viewer, an official and an admin (see api_server.py)."""
    import api_server

    url = _new_database(cluster, template=migrated_template)
    directory = reachable_tmpdir("citymodel-api-")
    server, process = api_server.start(url, directory)
    yield server
    process.terminate()
    process.wait(timeout=30)
    _drop_database(cluster, url)
    shutil.rmtree(directory, ignore_errors=True)


# What the shared server holds that tests may add to, children before their parents
# (a scenario's demolitions go with it).
SHARED_TABLES = ("procurement_objects", "scenario_buildings", "scenarios", "lot_objects", "lots",
                 "auction_notices", "rights", "users", "parcels", "buildings", "zones", "services")


@pytest.fixture(scope="module", autouse=True)
def _shared_api_left_as_found(request):
    """A module that uses the shared server (``api``) leaves it as it found it: what its tests
    added (lots, rights, scenarios, users …) is removed when the module is over, and the rows
    that were there before must be unchanged — a test that edits one restores it."""
    if not any("api" in item.fixturenames for item in request.session.items
               if item.module is request.module):
        yield
        return
    shared = request.getfixturevalue("api")

    def rows() -> dict[str, dict[int, str]]:
        return {t: dict(query(shared.db, f"SELECT id, md5(t::text) FROM {t} t WHERE id <= :upto",
                              upto=upto[t])) for t in SHARED_TABLES}

    upto = {t: query(shared.db, f"SELECT coalesce(max(id), 0) FROM {t}")[0][0] for t in SHARED_TABLES}
    before = rows()
    yield
    engine = database.create_engine(shared.db)
    with database.connect(engine) as conn:
        for table in SHARED_TABLES:
            conn.execute(text(f"DELETE FROM {table} WHERE id > :upto"), {"upto": upto[table]})
    engine.dispose()
    after = rows()
    changed = {t: sorted(set(before[t].items()) ^ set(after[t].items()))[:5] for t in SHARED_TABLES
               if before[t] != after[t]}
    assert not changed, f"{request.module.__name__} changed rows of the shared server: {changed}"


@pytest.fixture(scope="module")
def own_api(cluster: LocalCluster, migrated_template: str, tmp_path_factory):
    """`citymodel serve` on a database of this module's own — a small district (parcels,
    buildings, auctions), an official and a planner — for tests whose writes other modules
    must not see. Yields api_server.Server (its ``keys`` by role: official, planner)."""
    import re

    import api_server

    url = _new_database(cluster, template=migrated_template)
    directory = reachable_tmpdir("citymodel-own-")
    sample_district(url, directory / "district", buildings=60)
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYMODEL_")}
    env |= {"DATABASE_URL": url.render_as_string(hide_password=False),
            "CITYMODEL_STATE_DIR": str(directory / "state"), "CITYMODEL_TILES_DIR": str(directory / "tiles")}
    keys = {}
    for role in ("official", "planner"):
        out = api_server.cli(env, "users", "add", f"own-{role}", "--role", role)
        keys[role] = re.search(r"cm_\S+", out)[0]
    base, process = api_server.launch(env, directory / "server.log")
    yield api_server.Server(base, url, keys, directory / "tiles", directory / "state", env,
                            directory / "server.log")
    process.terminate()
    process.wait(timeout=30)
    _drop_database(cluster, url)
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, for a module's browser tests."""
    from browser import ARTIFACTS, CHROMIUM, FLAGS
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()
