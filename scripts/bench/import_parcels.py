"""Load the same parcels GeoPackage with ogr2ogr (GDAL's loader) and with citymodel.

    scripts/bench/import_parcels [--parcels 1000000] [--record]

Both load into fresh databases on the same PostGIS (the project's local cluster,
or DATABASE_URL's server: it must allow CREATE DATABASE), reprojecting the
МСК-77 file to the storage CRS (EPSG:4326) and building a GiST index; citymodel
also validates every parcel (cadastral number, geometry, area of use), computes
areas and keeps its lookup indexes. Prints both times, peak memory, and the
ratio; --record appends the result to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pyogrio
from sqlalchemy import text

from citymodel import database
from citymodel.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]
CITYMODEL = str(ROOT / ".venv" / "bin" / "citymodel")
MEASURE = (  # runs a command and prints its peak resident memory in KiB
    "import resource, subprocess, sys;"
    "code = subprocess.run(sys.argv[1:]).returncode;"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr);"
    "sys.exit(code)"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parcels", type=int, default=1_000_000)
    parser.add_argument("--record", action="store_true", help="append the result to docs/benchmarks.md")
    args = parser.parse_args()

    settings = load_settings()
    bench_dir = settings.resolved_state_dir / "bench"
    gpkg = bench_dir / f"parcels-{args.parcels}.gpkg"
    if not gpkg.exists() or pyogrio.read_info(gpkg)["features"] != args.parcels:
        print(f"generating {gpkg} …", flush=True)
        subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_district.py"), str(bench_dir / "tmp"),
                        "--parcels", str(args.parcels), "--only", "parcels", "--seed", "1"], check=True)
        (bench_dir / "tmp" / "parcels.gpkg").rename(gpkg)
    server = database.database_url(settings)

    ogr_url = fresh_database(server, "bench_ogr2ogr")
    ogr_seconds, ogr_kib = measure([
        "ogr2ogr", "-f", "PostgreSQL", pg_connection(ogr_url), str(gpkg), "parcels",
        "-nln", "parcels", "-nlt", "MULTIPOLYGON", "-t_srs", "EPSG:4326",
        "-lco", "GEOMETRY_NAME=geom", "-lco", "SPATIAL_INDEX=GIST", "--config", "PG_USE_COPY", "YES",
    ])
    ours_url = fresh_database(server, "bench_citymodel")
    database.migrate(database.create_engine(ours_url), settings)
    env = {**os.environ, "DATABASE_URL": ours_url.render_as_string(hide_password=False)}
    our_seconds, our_kib = measure([str(ROOT / ".venv" / "bin" / "citymodel"), "import", "parcels", str(gpkg)], env)

    counts = [count(ogr_url), count(ours_url)]
    if counts != [args.parcels] * 2:
        raise SystemExit(f"row counts differ or fall short: ogr2ogr {counts[0]}, citymodel {counts[1]}")
    ratio = our_seconds / ogr_seconds
    print(f"\n{counts[0]:,} parcels from {gpkg.name} ({gpkg.stat().st_size / 2**20:.0f} MiB)")
    print(f"ogr2ogr          {ogr_seconds:8.1f} s   peak {ogr_kib / 2**20:5.2f} GiB")
    print(f"citymodel import {our_seconds:8.1f} s   peak {our_kib / 2**20:5.2f} GiB")
    print(f"ratio citymodel / ogr2ogr: {ratio:.2f}  (target ≤ 1.5; memory target ≤ 2 GiB)")
    if args.record:
        record(counts[0], ogr_seconds, our_seconds, ratio, ogr_kib, our_kib)
    return 0


def fresh_database(server, name: str):
    admin = database.create_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = server.set(database=name)
    engine = database.create_engine(url)
    with database.connect(engine) as conn:
        conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis"))
    engine.dispose()
    return url


def peer_venv(bench: Path, name: str, command: str, *requirements: str) -> Path:
    """A virtual environment of the peer under the bench directory, made once."""
    peer = bench / name
    if not (peer / "bin" / command).exists():
        subprocess.run([sys.executable, "-m", "venv", str(peer)], check=True)
        subprocess.run([str(peer / "bin" / "pip"), "install", "-q", *requirements], check=True)
    return peer


def district_database(settings, bench: Path, buildings: int, name: str, files: tuple[str, ...]):
    """The sample district (generated once, seed 1) imported into a fresh, migrated
    database ``name``; returns its URL and the environment that points citymodel at it."""
    district = bench / f"district-{buildings}"
    if not all((district / f).exists() for f in ("buildings.gpkg", *files)):
        subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_district.py"), str(district),
                        "--buildings", str(buildings), "--seed", "1"], check=True)
    url = fresh_database(database.database_url(settings), name)
    engine = database.create_engine(url)
    database.migrate(engine, settings)
    engine.dispose()
    env = {**os.environ, "DATABASE_URL": url.render_as_string(hide_password=False),
           "CITYMODEL_STATE_DIR": str(bench / f"{name}-state")}
    for file in files:
        kind = {"parcels.gpkg": "parcels", "buildings.gpkg": "buildings", "zones.gpkg": "zones",
                "services.json": "services", "terrain.tif": "terrain"}.get(file, "auctions")
        subprocess.run([CITYMODEL, "import", kind, str(district / file)], env=env, check=True)
    return url, env


def pg_connection(url) -> str:
    return (f"PG:host={url.host} port={url.port} user={url.username} password={url.password} "
            f"dbname={url.database}")


def measure(command: list[str], env: dict | None = None) -> tuple[float, int]:
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-c", MEASURE, *command], env=env,
                            stderr=subprocess.PIPE, text=True)
    seconds = time.monotonic() - started
    if result.returncode != 0:
        raise SystemExit(f"{command[0]} failed:\n{result.stderr}")
    return seconds, int(result.stderr.strip().splitlines()[-1])


def measure_tree(command: list[str], env: dict | None = None) -> tuple[float, int]:
    """Seconds, and the peak of the memory of a command and every process it starts, summed
    (proportional set sizes, sampled every 0.2 s: worker processes count, pages they share
    once), in KiB."""
    import psutil  # with Dask distributed

    started = time.monotonic()
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True)
    root, peak = psutil.Process(process.pid), 0
    while process.poll() is None:
        total = 0
        for p in [root, *root.children(recursive=True)]:
            try:
                total += p.memory_full_info().pss
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        peak = max(peak, total)
        time.sleep(0.2)
    seconds = time.monotonic() - started
    if process.returncode != 0:
        raise SystemExit(f"{command[0]} failed:\n{process.stderr.read()}")
    return seconds, peak // 1024


def count(url) -> int:
    engine = database.create_engine(url)
    with database.connect(engine) as conn:
        rows = conn.execute(text("SELECT count(*) FROM parcels")).scalar_one()
    engine.dispose()
    return rows


def record(parcels, ogr_seconds, our_seconds, ratio, ogr_kib, our_kib) -> None:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    gdal = subprocess.run(["ogr2ogr", "--version"], capture_output=True, text=True).stdout.split(",")[0]
    row = (f"| {date.today()} | import parcels | {parcels:,} parcels (GeoPackage, МСК-77 → EPSG:4326) | "
           f"{gdal} ogr2ogr: {ogr_seconds:.1f} s, {ogr_kib / 2**20:.2f} GiB | "
           f"citymodel: {our_seconds:.1f} s, {our_kib / 2**20:.2f} GiB | **{ratio:.2f}** of the time | "
           f"{os.cpu_count()} × {cpu}, {memory:.0f} GiB |\n")
    record_row(row)


def record_row(row: str) -> None:
    """Add a row at the end of the results table of docs/benchmarks.md."""
    path = ROOT / "docs" / "benchmarks.md"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    last = max(i for i, line in enumerate(lines) if line.startswith("|"))
    lines.insert(last + 1, row)
    path.write_text("".join(lines), encoding="utf-8")
    print(f"recorded in {path}")


if __name__ == "__main__":
    sys.exit(main())
