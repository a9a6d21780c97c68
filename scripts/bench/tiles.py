"""Build 3D Tiles of the same buildings with py3dtiles export and with citymodel.

    scripts/bench/tiles [--buildings 100000] [--peer-buildings N] [--record]

Generates the sample district with about --buildings buildings, imports it into a
fresh database on the project's PostGIS, and prepares for py3dtiles (outside the
timing) the MultiPolygonZ table its `export` needs: each building's roof, floor
and walls, in EPSG:4978. Then, timed, in one run: py3dtiles export and citymodel
tiles build on the first --peer-buildings buildings (default: all of them, so that
start-up does not stand for throughput), and citymodel on all of them. Prints
buildings per second, bytes per building and the ratio;
--record appends them to docs/benchmarks.md. py3dtiles is installed into its own
virtual environment under the state directory.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from sqlalchemy import text

from citymodel import database
from citymodel.settings import load_settings

sys.path.insert(0, str(Path(__file__).parent))
from import_parcels import CITYMODEL, district_database, measure, peer_venv, record_row  # noqa: E402

PY3DTILES = "py3dtiles[postgres]==12.1.1"
PREPARE = """
DROP TABLE IF EXISTS py3dtiles_buildings;
CREATE TABLE py3dtiles_buildings AS
WITH b AS (
    SELECT id, ST_Transform(footprint, 4326) AS fp,
           coalesce(ground_elevation, 0) + min_height AS z0, coalesce(ground_elevation, 0) + height AS z1
    FROM buildings WHERE footprint IS NOT NULL AND id <= :last
), faces AS (
    SELECT id, ST_Translate(ST_Force3DZ(fp), 0, 0, z1) AS face FROM b
    UNION ALL SELECT id, ST_Reverse(ST_Translate(ST_Force3DZ(fp), 0, 0, z0)) FROM b
    UNION ALL
    SELECT b.id, ST_MakePolygon(ST_MakeLine(ARRAY[
        ST_MakePoint(ST_X(ST_StartPoint(s.geom)), ST_Y(ST_StartPoint(s.geom)), b.z0),
        ST_MakePoint(ST_X(ST_EndPoint(s.geom)), ST_Y(ST_EndPoint(s.geom)), b.z0),
        ST_MakePoint(ST_X(ST_EndPoint(s.geom)), ST_Y(ST_EndPoint(s.geom)), b.z1),
        ST_MakePoint(ST_X(ST_StartPoint(s.geom)), ST_Y(ST_StartPoint(s.geom)), b.z1),
        ST_MakePoint(ST_X(ST_StartPoint(s.geom)), ST_Y(ST_StartPoint(s.geom)), b.z0)]))
    FROM b, ST_DumpSegments(b.fp) s
)
SELECT id, ST_Transform(ST_SetSRID(ST_Multi(ST_Collect(ST_SetSRID(face, 4979))), 4979), 4978)::geometry(MultiPolygonZ, 4978) AS geom
FROM (SELECT id, (ST_Dump(face)).geom AS face FROM faces) f GROUP BY id;
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buildings", type=int, default=100_000)
    parser.add_argument("--peer-buildings", type=int, default=None,
                        help="how many buildings both build (default: all)")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    settings = load_settings()
    bench = settings.resolved_state_dir / "bench"
    peer = peer_venv(bench, "py3dtiles-venv", "py3dtiles", PY3DTILES)
    url, env = district_database(settings, bench, args.buildings, "bench_tiles",
                                 ("parcels.gpkg", "buildings.gpkg"))

    engine = database.create_engine(url)
    with database.connect(engine) as conn:
        ids = conn.execute(text("SELECT id FROM buildings WHERE footprint IS NOT NULL ORDER BY id")).scalars().all()
        subset = min(args.peer_buildings or len(ids), len(ids))
        last = ids[subset - 1]
        started = time.monotonic()
        for statement in PREPARE.split(";"):
            if statement.strip():
                conn.execute(text(statement), {"last": last})
        print(f"prepared py3dtiles' MultiPolygonZ table in {time.monotonic() - started:.0f} s (not timed)")
    engine.dispose()
    everything = len(ids)

    out = bench / "tiles-out"
    subprocess.run(["rm", "-rf", str(out)], check=True)
    conninfo = (f"dbname={url.database} host={url.host} port={url.port} user={url.username} "
                f"password={url.password}")
    peer_seconds, peer_kib = measure([str(peer / "bin" / "py3dtiles"), "export", "-D", conninfo,
                                      "-t", "py3dtiles_buildings", "-c", "geom", "-i", "id",
                                      "-s", str(out / "py3dtiles"), "--spec-version", "1.1"])
    ours_seconds, ours_kib = measure([CITYMODEL, "tiles", "build", "--out", str(out / "subset"),
                                      "--where", f"b.id <= {last}"], env)
    all_seconds, all_kib = measure([CITYMODEL, "tiles", "build", "--out", str(out / "all")], env)

    peer_bytes, ours_bytes = size(out / "py3dtiles"), size(out / "subset")
    peer_rate, ours_rate, all_rate = subset / peer_seconds, subset / ours_seconds, everything / all_seconds
    print(f"\nsame {subset:,} buildings:")
    print(f"  py3dtiles export  {peer_seconds:7.1f} s  {peer_rate:9,.0f} buildings/s  "
          f"{peer_bytes / subset:7.0f} bytes/building  peak {peer_kib / 2**20:.2f} GiB")
    print(f"  citymodel tiles   {ours_seconds:7.1f} s  {ours_rate:9,.0f} buildings/s  "
          f"{ours_bytes / subset:7.0f} bytes/building  peak {ours_kib / 2**20:.2f} GiB")
    print(f"  ratio of throughput citymodel / py3dtiles: {ours_rate / peer_rate:.1f} (target ≥ 50)")
    print(f"all {everything:,} buildings: citymodel {all_seconds:.1f} s ({all_rate:,.0f} buildings/s), "
          f"peak {all_kib / 2**20:.2f} GiB")
    if args.record:
        row = (f"| {date.today()} | tiles build | {subset:,} sample-district buildings | "
               f"py3dtiles 12.1.1 export: {peer_seconds:.1f} s, {peer_rate:,.0f}/s, "
               f"{peer_bytes / subset:.0f} B/building | citymodel: {ours_seconds:.1f} s, {ours_rate:,.0f}/s, "
               f"{ours_bytes / subset:.0f} B/building; all {everything:,}: {all_seconds:.1f} s, "
               f"peak {all_kib / 2**20:.2f} GiB | **{ours_rate / peer_rate:.1f}×** the throughput | {os.cpu_count()} cores |\n")
        record_row(row)
    return 0


def size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


if __name__ == "__main__":
    sys.exit(main())
