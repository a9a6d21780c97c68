"""A real `citymodel serve` over the sample district, for the API tests and real clients.

The district (parcels, buildings, rights, auctions and results, zones, services and its
linear constructions) is imported into its
own database, its 3D Tiles are built, users of every role (two planners) are added through the CLI, the example scenario is
imported, published and checked, and the
server runs as a subprocess on a free port, exactly as `citymodel serve` runs it.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.engine import URL


@dataclass
class Server:
    url: str
    db: URL
    keys: dict[str, str]  # role → API key
    tiles: Path
    state: Path
    env: dict[str, str]
    log: Path

    def client(self, role: str | None = None, **kwargs) -> httpx.Client:
        headers = {"Authorization": f"Bearer {self.keys[role]}"} if role else {}
        return httpx.Client(base_url=self.url, headers=headers, timeout=60, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run([sys.executable, "-m", "citymodel", *args], env=env,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def start(db: URL, directory: Path, buildings: int = 600) -> tuple[Server, subprocess.Popen]:
    state = directory / "state"
    state.mkdir()
    tiles = directory / "tiles"
    env = environment(db, state, tiles)
    district = directory / "district"
    subprocess.run([sys.executable, str(Path(__file__).parent.parent / "scripts" / "generate_district.py"),
                    str(district), "--buildings", str(buildings), "--seed", "3"],
                   check=True, capture_output=True)
    for kind, name in (("parcels", "parcels.gpkg"), ("buildings", "buildings.gpkg"),
                       ("rights", "rights.csv"), ("auctions", "auctions.json"),
                       ("auctions", "results.csv"), ("zones", "zones.gpkg"),
                       ("services", "services.json"), ("parcels", "constructions.xml"),
                       ("streets", "streets.osm"), ("terrain", "terrain.tif"),
                       ("procurement", "procurement.zip")):
        cli(env, "import", kind, str(district / name))
    cli(env, "tiles", "build", "--jobs", "1")
    keys = {}
    for name, role in (("viewer", "viewer"), ("planner", "planner"), ("planner2", "planner"),
                       ("official", "official"), ("admin", "admin")):
        out = cli(env, "users", "add", f"test-{name}", "--role", role)
        keys[name] = re.search(r"cm_\S+", out)[0]
    example = cli(env, "scenarios", "import", str(district / "scenario.json"), "--owner", "test-planner",
                  "--publish").strip()
    cli(env, "scenarios", "check", example)
    log = directory / "server.log"
    url, process = launch(env, log)
    return Server(url, db, keys, tiles, state, env, log), process


def environment(db: URL, state: Path, tiles: Path) -> dict[str, str]:
    """This process's environment without CITYMODEL_ settings, pointed at a database, a
    state directory and a tiles directory."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CITYMODEL_")}
    return env | {"DATABASE_URL": db.render_as_string(hide_password=False),
                  "CITYMODEL_STATE_DIR": str(state), "CITYMODEL_TILES_DIR": str(tiles)}


@contextmanager
def serving(db: URL, state: Path, tiles: Path, log: Path) -> Iterator[str]:
    """`citymodel serve` of this database, state and tiles while the block runs: its URL."""
    url, server = launch(environment(db, state, tiles), log)
    try:
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def launch(env: dict[str, str], log: Path, command: tuple[str, ...] = (sys.executable, "-m", "citymodel"),
           cwd: Path | None = None, options: tuple[str, ...] = ()) -> tuple[str, subprocess.Popen]:
    """`citymodel serve` (by ``command``, with ``options``) on a free port with this
    environment, once it answers."""
    port = free_port()
    process = subprocess.Popen([*command, "serve", "--port", str(port), *options], env=env, cwd=cwd,
                               stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/conformance", timeout=2).status_code == 200:
                return url, process
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise RuntimeError(f"the server did not start:\n{log.read_text()}")
        time.sleep(0.2)
