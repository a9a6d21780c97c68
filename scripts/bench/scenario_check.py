"""A 25-storey residential proposal checked in the large sample district, and the same
sunlight rays cast by Embree (ours) and by trimesh's pure-numpy ray–triangle intersector.

    scripts/bench/scenario_check [--buildings 120000] [--rays 20000] [--repeat 3] [--record]

Imports the sample district (generated once, seed 1: parcels, buildings, zones, services)
into a fresh database, proposes a 25-storey block (30 × 20 m) on the parcel nearest the
district's centre, and times every check of the scenario — loading its context from
PostGIS, all rules, the report — as the API runs them (the best and median of --repeat
runs after a warm-up), with the process's peak memory. Then it takes --rays of the
sunlight rules' rays (the "after" scene) and casts them with both engines, printing how
many answers agree and the speed ratio. Targets (issue 12): all checks ≤ 2 s on 2 cores,
≤ 1 GiB; agreement ≥ 99.9 %.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parent))
from import_parcels import district_database, record_row  # noqa: E402

from citymodel import database  # noqa: E402
from citymodel.planning import insolation_norm  # noqa: E402
from citymodel.scenarios import insolation, load  # noqa: E402
from citymodel.scenarios.rules import insolation as sunlight_rule  # noqa: E402
from citymodel.settings import load_settings  # noqa: E402

FILES = ("parcels.gpkg", "buildings.gpkg", "zones.gpkg", "services.json")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buildings", type=int, default=120_000)
    parser.add_argument("--rays", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--record", action="store_true", help="append the result to docs/benchmarks.md")
    args = parser.parse_args()
    settings = load_settings()
    bench = settings.resolved_state_dir / "bench"
    bench.mkdir(parents=True, exist_ok=True)
    url, _ = district_database(settings, bench, args.buildings, "bench_scenarios", FILES)

    with database.raw_connect(url, application_name="bench scenarios") as conn:
        buildings = conn.execute("SELECT count(*) FROM buildings").fetchone()[0]
        sid = propose(conn)
        fetch = load.sync_fetch(conn)
        asyncio.run(load.checked(fetch, sid))  # warm-up: imports, caches
        seconds = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            report = asyncio.run(load.checked(fetch, sid))
            seconds.append(time.perf_counter() - started)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # GiB
        ctx = asyncio.run(load.load(fetch, sid))
    summary = next(f for f in reversed(report["findings"]) if f["rule"] == "insolation")
    print(f"{buildings:,} buildings; checks: best {min(seconds):.2f} s, median "
          f"{statistics.median(seconds):.2f} s, peak {peak:.2f} GiB; status {report['status']}; "
          f"sunlight: {summary['message']}")

    ours_s, reference_s, agree, rays = compare_engines(ctx, args.rays)
    ratio = reference_s / ours_s
    print(f"rays: {rays:,} of the sunlight rule's; Embree {ours_s:.3f} s, trimesh ray_triangle "
          f"{reference_s:.2f} s: {ratio:.0f}× faster; agreement {agree:.4%}")
    if args.record:
        cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                    if line.startswith("model name")), platform.processor())
        import trimesh
        record_row(
            f"| {date.today()} | scenario checks | 25-storey proposal, {buildings:,} sample-district "
            f"buildings; {rays:,} sunlight rays | trimesh {trimesh.__version__} ray_triangle: "
            f"{reference_s:.2f} s for the rays | citymodel: all checks {statistics.median(seconds):.2f} s "
            f"(median of {args.repeat}), peak {peak:.2f} GiB; Embree {ours_s:.3f} s for the rays, "
            f"{agree:.3%} agree | **{ratio:.0f}×** the ray speed | {os.cpu_count()} × {cpu} |\n")
    return 0


def propose(conn) -> int:
    """A planner, a scenario and a 25-storey 30 × 20 m block on the parcel nearest the centre."""
    conn.execute("INSERT INTO users (name, role, api_key_hash) VALUES ('bench-planner', 'planner', "
                 "'bench') ON CONFLICT DO NOTHING")
    conn.execute("DELETE FROM scenarios WHERE owner = 'bench-planner'")
    sid = conn.execute("INSERT INTO scenarios (name, owner) VALUES ('bench', 'bench-planner') "
                       "RETURNING id").fetchone()[0]
    lon, lat = conn.execute("""
        WITH c AS (SELECT ST_SetSRID(ST_Centroid(ST_Extent(geom)), Find_SRID('public', 'parcels', 'geom')) AS c
                   FROM parcels)
        SELECT ST_X(ST_Centroid(p.geom)), ST_Y(ST_Centroid(p.geom)) FROM parcels p, c
        ORDER BY p.geom <-> c.c LIMIT 1""").fetchone()
    dx, dy = 15 / (111_320 * np.cos(np.radians(lat))), 10 / 111_320
    footprint = shapely.box(lon - dx, lat - dy, lon + dx, lat + dy)
    srid = conn.execute(database.STORAGE_SRID_SQL).fetchone()[0]
    conn.execute(f"INSERT INTO scenario_buildings (scenario_id, footprint, height, floors, use) VALUES "
                 f"(%s, ST_Multi(ST_Transform(ST_SetSRID(ST_GeomFromWKB(%s), 4326), {srid})), 75, 25, "
                 "'residential')", [sid, footprint.wkb])
    conn.commit()
    return sid


def compare_engines(ctx, count: int) -> tuple[float, float, float, int]:
    """The sunlight rule's rays (after the proposal), cast by Embree and by trimesh's
    ray_triangle: (our seconds, reference seconds, agreement, rays)."""
    from trimesh.ray.ray_triangle import RayMeshIntersector as Reference

    norm = insolation_norm(ctx.frame.lat)
    sun = insolation.sun_positions(ctx.frame.lon, ctx.frame.lat, date(date.today().year, norm.month,
                                   norm.day), ctx.timezone)
    around = shapely.union_all([p.footprint for p in ctx.proposals]).buffer(sunlight_rule.reach(ctx))
    neighbours = [b for b in ctx.buildings if b.use in ("residential", "apartments")
                  and b.footprint is not None and b.footprint.intersects(around)]
    points, normals = zip(*(insolation.facade_points(b.footprint) for b in neighbours), strict=True)
    points, normals = np.concatenate(points), np.concatenate(normals)
    mesh = insolation.scene([(b.footprint, b.min_height, b.height) for b in ctx.remaining()]
                            + [(p.footprint, p.min_height, p.height) for p in ctx.proposals])
    horizontal = sun.vectors[:, :2] / np.linalg.norm(sun.vectors[:, :2], axis=1, keepdims=True)
    which = np.argwhere(normals[:, :2] @ horizontal.T >= np.cos(np.radians(insolation.LIGHT_ANGLE_DEG)))
    rng = np.random.default_rng(1)
    chosen = which[rng.choice(len(which), size=min(count, len(which)), replace=False)]
    origins, directions = points[chosen[:, 0]], sun.vectors[chosen[:, 1]]
    insolation._intersects_any(mesh, origins[:10], directions[:10])  # build the hierarchy first
    started = time.perf_counter()
    ours = insolation._intersects_any(mesh, origins, directions)
    ours_s = time.perf_counter() - started
    started = time.perf_counter()
    reference = Reference(mesh).intersects_any(origins, directions)
    reference_s = time.perf_counter() - started
    return ours_s, reference_s, float((ours == reference).mean()), len(origins)


if __name__ == "__main__":
    sys.exit(main())
