"""Serve the same database with TiPg and with citymodel, load both alike, compare.

    scripts/bench/api [--buildings 100000] [--connections 32] [--seconds 15]
                      [--workers 2] [--record]

Imports the sample district (about --buildings buildings and their parcels) into a
fresh database on the project's PostGIS, installs TiPg (the FastAPI + PostGIS peer,
from PyPI) into its own virtual environment, and starts both servers on that database
with the same number of worker processes. `wrk` (Debian's package) then drives each
with the same requests at --connections concurrent connections for --seconds, after a
3-second warm-up and once the database has no query left running from the other:

- one parcel by id: ``/collections/{parcels}/items/{id}``, random ids;
- a bbox page of 100 parcels: ``/collections/{parcels}/items?bbox=…&limit=100``,
  each box the extent of the 150 parcels nearest a random point;
- one MVT tile of parcels at zoom 15 over the district.

Prints requests/s, p50 and p99 latency for each, and the ratio; --record appends the
figures to docs/benchmarks.md. Responses other than 2xx are counted and reported.
citymodel keeps vector tiles and features' GeoJSON by data version (api/routes/
vector_tiles.py, api/feature_cache.py); the 400 tiles and 200 boxes here repeat within a
run, as a map's tiles and views do between its users. So the bbox pages are measured a
second time from a third server that keeps no features (CITYMODEL_FEATURE_CACHE_MIB=0):
every feature's GeoJSON written by PostgreSQL for every page, as TiPg does.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import re
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx
from sqlalchemy import text

from citymodel import database
from citymodel.settings import load_settings

sys.path.insert(0, str(Path(__file__).parent))
from import_parcels import CITYMODEL, district_database, peer_venv, record_row  # noqa: E402

TIPG_VERSION = "1.6.1"  # the newest release (PyPI, 2026-12): compare with the newest peer
TIPG = f"tipg=={TIPG_VERSION}"
LUA = """
local paths = {}
for line in io.lines(os.getenv("WRK_PATHS")) do paths[#paths + 1] = line end
local i = math.random(#paths)
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def load_options(description: str) -> argparse.Namespace:
    """The options of a benchmark that loads a server with wrk."""
    parser = argparse.ArgumentParser(description=description.split("\n\n")[0])
    parser.add_argument("--buildings", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--record", action="store_true")
    return parser.parse_args()


def main() -> int:
    args = load_options(__doc__)
    settings = load_settings()
    bench = settings.resolved_state_dir / "bench"
    peer = peer_venv(bench, f"tipg-{TIPG_VERSION}-venv", "uvicorn", TIPG, "uvicorn")
    url, env = district_database(settings, bench, args.buildings, "bench_api",
                                 ("parcels.gpkg", "buildings.gpkg", "auctions.json"))
    engine = database.create_engine(url)
    with database.connect(engine) as conn:
        conn.execute(text("ANALYZE"))
        ids = conn.execute(text("SELECT id FROM parcels WHERE geom IS NOT NULL")).scalars().all()
        w, s, e, n = conn.execute(text(
            "SELECT ST_XMin(x), ST_YMin(x), ST_XMax(x), ST_YMax(x) FROM "
            "(SELECT ST_Extent(geom) x FROM parcels) t")).one()
        boxes = []
        rng = random.Random(1)
        for _ in range(200):  # the extent of the 150 parcels nearest a random point: a full page
            x, y = rng.uniform(w, e), rng.uniform(s, n)
            boxes.append(conn.execute(text(
                "SELECT ST_XMin(b), ST_YMin(b), ST_XMax(b), ST_YMax(b) FROM (SELECT ST_Extent(geom) b "
                "FROM (SELECT geom FROM parcels WHERE geom IS NOT NULL ORDER BY geom <-> "
                "ST_SetSRID(ST_MakePoint(:x, :y), 4326) LIMIT 150) k) t"), {"x": x, "y": y}).one())
    engine.dispose()
    rng = random.Random(2)
    picks = [rng.choice(ids) for _ in range(2000)]
    tiles = sorted({_tile(rng.uniform(w, e), rng.uniform(s, n), 15) for _ in range(400)})

    servers = {}
    cm_port, tipg_port = _free_port(), _free_port()
    tipg_env = {**env, "DATABASE_URL": url.set(drivername="postgresql").render_as_string(hide_password=False),
                "TIPG_DB_SCHEMAS": '["public"]',
                "TIPG_MAX_FEATURES_PER_QUERY": "10000"}
    servers["TiPg"] = subprocess.Popen(
        [str(peer / "bin" / "uvicorn"), "tipg.main:app", "--port", str(tipg_port), "--workers",
         str(args.workers), "--log-level", "warning", "--no-access-log"], env=tipg_env,
        start_new_session=True)
    servers["citymodel"] = subprocess.Popen(
        [CITYMODEL, "serve", "--port", str(cm_port), "--workers", str(args.workers)], env=env,
        start_new_session=True)
    uncached_port = _free_port()
    servers["citymodel, no features kept"] = subprocess.Popen(
        [CITYMODEL, "serve", "--port", str(uncached_port), "--workers", str(args.workers)],
        env={**env, "CITYMODEL_FEATURE_CACHE_MIB": "0"}, start_new_session=True)
    try:
        for port in (tipg_port, cm_port, uncached_port):
            _wait(f"http://127.0.0.1:{port}/collections")
        workloads = {
            "one parcel by id": (
                [f"/collections/public.parcels/items/{i}" for i in picks],
                [f"/collections/parcels/items/{i}" for i in picks]),
            "bbox page of 100 parcels": (
                [f"/collections/public.parcels/items?bbox={_box(b)}&limit=100" for b in boxes],
                [f"/collections/parcels/items?bbox={_box(b)}&limit=100" for b in boxes]),
            "one MVT tile (z15)": (
                [f"/collections/public.parcels/tiles/WebMercatorQuad/{z}/{x}/{y}" for z, x, y in tiles],
                [f"/tiles/parcels/{z}/{x}/{y}.mvt" for z, x, y in tiles]),
        }
        results = []
        for name, (peer_paths, our_paths) in workloads.items():
            measured = {}
            for server, port, paths in (("TiPg", tipg_port, peer_paths), ("citymodel", cm_port, our_paths)):
                base = f"http://127.0.0.1:{port}"
                _check(base, paths[:5])
                _idle(url)  # the other server's last queries must not run into this one's
                _wrk(base, paths, args, bench, seconds=3)  # warm up: connections, caches
                _idle(url)
                measured[server] = _wrk(base, paths, args, bench)
            results.append((name, measured["TiPg"], measured["citymodel"]))
            if name.startswith("bbox page"):  # again, with no features kept
                base = f"http://127.0.0.1:{uncached_port}"
                _check(base, our_paths[:5])
                _idle(url)
                _wrk(base, our_paths, args, bench, seconds=3)
                _idle(url)
                results.append((f"{name}, none kept", measured["TiPg"], _wrk(base, our_paths, args, bench)))
    finally:
        for process in servers.values():
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)

    print(f"\nTiPg {TIPG_VERSION}; {len(ids):,} parcels; {args.connections} connections, {args.seconds} s each, "
          f"{args.workers} workers per server; requests/s, p50 / p99 latency (ms):")
    for name, peer_result, ours in results:
        print(f"  {name:36} TiPg {peer_result['rps']:8,.0f}/s {peer_result['p50']:6.1f} / "
              f"{peer_result['p99']:6.1f}   citymodel {ours['rps']:8,.0f}/s {ours['p50']:6.1f} / "
              f"{ours['p99']:6.1f}   ratio {ours['rps'] / peer_result['rps']:.2f}"
              + (f"   non-2xx: TiPg {peer_result['errors']}, citymodel {ours['errors']}"
                 if peer_result["errors"] or ours["errors"] else ""))
    if args.record:
        for name, peer_result, ours in results:
            record_row(f"| {date.today()} | api: {name} | {len(ids):,} parcels, {args.connections} "
                       f"connections, {args.workers} workers | TiPg {TIPG_VERSION}: {peer_result['rps']:,.0f}/s, "
                       f"p50 {peer_result['p50']:.1f} ms, p99 {peer_result['p99']:.1f} ms | citymodel: "
                       f"{ours['rps']:,.0f}/s, p50 {ours['p50']:.1f} ms, p99 {ours['p99']:.1f} ms | "
                       f"**{ours['rps'] / peer_result['rps']:.2f}×** the requests/s | {os.cpu_count()} cores |\n")
    return 0


def _box(b) -> str:
    return ",".join(f"{v:.6f}" for v in b)


def _tile(lon: float, lat: float, z: int) -> tuple[int, int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return z, x, y


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up")


def _check(base: str, paths: list[str]) -> None:
    for path in paths:
        response = httpx.get(base + path, timeout=30)
        if response.status_code != 200:
            raise RuntimeError(f"{base}{path}: {response.status_code} {response.text[:300]}")


def _idle(url) -> None:
    """Wait until no query of the benchmark database is running."""
    engine = database.create_engine(url)
    try:
        for _ in range(600):
            with database.connect(engine) as conn:
                busy = conn.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND state = 'active' AND pid <> pg_backend_pid()")).scalar()
            if not busy:
                return
            time.sleep(0.5)
    finally:
        engine.dispose()


def _wrk(base: str, paths: list[str], args, bench: Path, seconds: int | None = None,
         headers: dict[str, str] | None = None) -> dict:
    listing = bench / "wrk-paths.txt"
    listing.write_text("\n".join(paths) + "\n")
    script = bench / "wrk-paths.lua"
    script.write_text(LUA)
    header_args = [a for k, v in (headers or {}).items() for a in ("-H", f"{k}: {v}")]
    out = subprocess.run(["wrk", "-t2", f"-c{args.connections}", f"-d{seconds or args.seconds}s", "--latency",
                          *header_args, "-s", str(script), base], capture_output=True, text=True, check=True,
                         env={**os.environ, "WRK_PATHS": str(listing)}).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": rps, "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", out)[1]),
            "p99": _ms(re.search(r"99%\s+([\d.]+\w+)", out)[1]),
            "errors": int(errors[1]) if errors else 0}


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


if __name__ == "__main__":
    sys.exit(main())
