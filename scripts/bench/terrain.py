"""Terrain tiles served: quantized-mesh tiles per second from `citymodel serve`.

    scripts/bench/terrain [--buildings 100000] [--connections 32] [--seconds 15]
                          [--workers 2] [--record]

Imports the sample district's buildings and its DEM (`terrain.tif`, 5 m cells, about
--buildings buildings across) into a fresh database, starts `citymodel serve`, lists every
tile of the three deepest levels from `/terrain/layer.json` and drives the server with
`wrk` (gzip accepted, as CesiumJS asks) at --connections: first a warm-up pass until every
worker has made every tile once (tiles are made on first request and then served from
each worker's cache), then --seconds measured. Prints tiles/s, p50 and p99 latency, and
the cold cost of making one tile; --record appends the figures to docs/benchmarks.md.
There is no peer here: the figure is checked against the target (500 tiles/s).
"""

from __future__ import annotations

import importlib.util
import os
import random
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import httpx

from citymodel.settings import load_settings

sys.path.insert(0, str(Path(__file__).parent))
from import_parcels import CITYMODEL, district_database, record_row  # noqa: E402

# the API benchmark's server and wrk helpers (by path: `api` is also the project's package)
_spec = importlib.util.spec_from_file_location("bench_api", Path(__file__).with_name("api.py"))
bench_api = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_api)

TARGET = 500  # tiles/s (issue 14)
LEVELS = 3  # the deepest levels, where a viewer close to the ground asks for tiles


def main() -> int:
    args = bench_api.load_options(__doc__)
    settings = load_settings()
    bench = settings.resolved_state_dir / "bench"
    started = time.monotonic()
    url, env = district_database(settings, bench, args.buildings, "bench_terrain",
                                 ("buildings.gpkg", "terrain.tif"))
    print(f"imported in {time.monotonic() - started:.1f} s")
    port = bench_api._free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen([CITYMODEL, "serve", "--port", str(port), "--workers", str(args.workers)],
                              env=env, start_new_session=True)
    try:
        bench_api._wait(f"{base}/terrain/layer.json")
        layer = httpx.get(f"{base}/terrain/layer.json").json()
        deepest = layer["maxzoom"]
        paths = []
        for z in range(deepest - LEVELS + 1, deepest + 1):
            r = layer["available"][z][0]
            paths += [f"/terrain/{layer['tiles'][0].format(z=z, x=x, y=y)}"
                      for x in range(r["startX"], r["endX"] + 1) for y in range(r["startY"], r["endY"] + 1)]
        random.Random(1).shuffle(paths)
        cold = []
        with httpx.Client(base_url=base, headers={"Accept-Encoding": "gzip"}) as client:
            for path in paths[:50]:
                t0 = time.perf_counter()
                response = client.get(path)
                response.raise_for_status()
                cold.append(time.perf_counter() - t0)
        cold_ms = sorted(cold)[len(cold) // 2] * 1000
        # warm up: enough passes that each worker has made each tile
        warm_seconds = max(5, int(len(paths) * args.workers * cold_ms / 1000 / 2) + 5)
        bench_api._wrk(base, paths, args, bench, seconds=warm_seconds, headers={"Accept-Encoding": "gzip"})
        result = bench_api._wrk(base, paths, args, bench, headers={"Accept-Encoding": "gzip"})
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    print(f"\n{len(paths):,} tiles (levels {deepest - LEVELS + 1}–{deepest}); {args.connections} connections, "
          f"{args.seconds} s, {args.workers} workers: {result['rps']:,.0f} tiles/s, p50 {result['p50']:.1f} ms, "
          f"p99 {result['p99']:.1f} ms, non-2xx {result['errors']}; a tile made cold: {cold_ms:.1f} ms "
          f"(median); target {TARGET}/s: {'met' if result['rps'] >= TARGET else 'NOT met'} "
          f"({result['rps'] / TARGET:.2f}×)")
    if args.record:
        record_row(f"| {date.today()} | terrain tiles (quantized-mesh) | {args.buildings:,}-building district, "
                   f"{len(paths):,} tiles of levels {deepest - LEVELS + 1}–{deepest}, {args.connections} connections, "
                   f"{args.workers} workers | target: {TARGET} tiles/s | citymodel: {result['rps']:,.0f} tiles/s, "
                   f"p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms; cold {cold_ms:.1f} ms a tile | "
                   f"**{result['rps'] / TARGET:.2f}×** the target | {os.cpu_count()} cores |\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
