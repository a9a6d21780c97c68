"""Soak: mixed traffic at 32 connections for 10 minutes, PostgreSQL restarted halfway.

    scripts/bench/soak [--seconds 600] [--connections 32] [--buildings 20000]
                       [--workers 2] [--down 5] [--record]

Imports the sample district (parcels, buildings, auctions, rights) into a fresh database
on the project's local PostGIS, adds an official, starts `citymodel serve`, and sends,
from --connections keep-alive connections at once and without pause: parcel cards (40 %),
bbox pages of 100 parcels (20 %), vector tiles (20 %), searches (10 %) and an official's
writes (10 %: a lot put, a right added and removed). Halfway the local PostgreSQL is
stopped (fast shutdown) for --down seconds and started again.

Prints the requests, the responses by status, transport errors (dropped connections,
time-outs), p50 / p99 latency overall and of the 503s, how long after the database came
back the first request succeeded, and the server's resident memory (all its processes)
after the warm-up and at the end. The goal: no response other than 2xx, 4xx and 503, no
transport error, memory flat. --record appends the figures to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path

import httpx
import psutil
from sqlalchemy import text

from citymodel import database
from citymodel.cluster import LocalCluster
from citymodel.settings import load_settings

sys.path.insert(0, str(Path(__file__).parent))
from import_parcels import CITYMODEL, district_database, record_row  # noqa: E402


def _bench_api():
    """scripts/bench/api.py's helpers (its module name would shadow the api package)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("bench_api", Path(__file__).parent / "api.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_free_port, _tile, _wait = (getattr(_bench_api(), name) for name in ("_free_port", "_tile", "_wait"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--buildings", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--down", type=float, default=5.0, help="seconds the database stays down")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    settings = load_settings()
    if settings.database_url:
        raise SystemExit("the soak restarts the local PostGIS: unset DATABASE_URL")
    cluster = LocalCluster(settings.resolved_state_dir)
    bench = settings.resolved_state_dir / "bench"
    bench.mkdir(parents=True, exist_ok=True)
    district = bench / f"district-{args.buildings}"
    url, env = district_database(settings, bench, args.buildings, "bench_soak",
                                 ("parcels.gpkg", "buildings.gpkg", "auctions.json"))
    subprocess.run([CITYMODEL, "import", "rights", str(district / "rights.csv")], env=env, check=True)
    added = subprocess.run([CITYMODEL, "users", "add", "soak-official", "--role", "official"], env=env,
                           check=True, capture_output=True, text=True).stdout
    key = re.search(r"cm_\S+", added)[0]
    engine = database.create_engine(url)
    with database.connect(engine) as conn:
        conn.execute(text("ANALYZE"))
        numbers = conn.execute(text("SELECT cadastral_number FROM parcels WHERE geom IS NOT NULL")).scalars().all()
        w, s, e, n = conn.execute(text("SELECT ST_XMin(x), ST_YMin(x), ST_XMax(x), ST_YMax(x) "
                                       "FROM (SELECT ST_Extent(geom) x FROM parcels) t")).one()
        words = [a.split(",")[-1].split()[-1] for a in conn.execute(text(
            "SELECT address FROM parcels WHERE address IS NOT NULL LIMIT 200")).scalars()]
    engine.dispose()
    rng = random.Random(5)
    traffic = Traffic(numbers, (w, s, e, n), words or ["улица"], rng)

    port = _free_port()
    server = subprocess.Popen([CITYMODEL, "serve", "--port", str(port), "--workers", str(args.workers)],
                              env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(f"{base}/collections")
        result = asyncio.run(soak(base, key, traffic, cluster, server.pid, args))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        if not cluster.status().running:
            cluster.start()
    report(result, args, len(numbers))
    return 0


class Traffic:
    """The next request of the mix: (method, path, body)."""

    def __init__(self, numbers, box, words, rng: random.Random) -> None:
        self.numbers, self.box, self.words, self.rng = numbers, box, words, rng
        self.writes = 0

    def next(self) -> tuple[str, str, dict | None]:
        rng, (w, s, e, n) = self.rng, self.box
        roll = rng.random()
        if roll < 0.4:
            return "GET", f"/parcels/{rng.choice(self.numbers)}", None
        if roll < 0.6:
            x, y = rng.uniform(w, e), rng.uniform(s, n)
            d = (e - w) / 40
            return "GET", f"/collections/parcels/items?bbox={x:.6f},{y:.6f},{x + d:.6f},{y + d:.6f}&limit=100", None
        if roll < 0.8:
            z, tx, ty = _tile(rng.uniform(w, e), rng.uniform(s, n), 15)
            return "GET", f"/tiles/parcels/{z}/{tx}/{ty}.mvt", None
        if roll < 0.9:
            return "GET", f"/search?q={rng.choice(self.words)}", None
        self.writes += 1
        if self.writes % 2:
            lot = {"status": rng.choice(["PUBLISHED", "COMPLETED"]), "deal_type": "lease",
                   "parcels": [rng.choice(self.numbers)], "name": "Аренда (нагрузка)"}
            return "PUT", f"/auctions/SOAK-{self.writes % 50}/1", lot
        right = {"registration_number": f"soak-{self.writes}-{rng.randrange(10**9)}", "type_code": "022006000000",
                 "holder_kind": "legal_entity", "holder_name": "ООО «Нагрузка»", "holder_inn": "7701234567"}
        return "POST", f"/parcels/{rng.choice(self.numbers)}/rights", right


async def soak(base: str, key: str, traffic: Traffic, cluster: LocalCluster, pid: int, args) -> dict:
    statuses: Counter = Counter()
    errors: Counter = Counter()
    latencies: list[float] = []
    unavailable: list[float] = []
    back_at: list[float] = []  # when the database was started again
    first_success_after: list[float] = []
    stop = asyncio.Event()
    headers = {"Authorization": f"Bearer {key}"}

    async def client() -> None:
        async with httpx.AsyncClient(base_url=base, timeout=30, headers=headers,
                                     limits=httpx.Limits(max_connections=1)) as http:
            while not stop.is_set():
                method, path, body = traffic.next()
                started = time.monotonic()
                try:
                    response = await http.request(method, path, json=body)
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] += 1
                    continue
                took = (time.monotonic() - started) * 1000
                statuses[response.status_code] += 1
                latencies.append(took)
                if response.status_code == 503:
                    unavailable.append(took)
                elif back_at and not first_success_after and response.status_code < 300:
                    first_success_after.append(time.monotonic() - back_at[0])
                if method == "POST" and response.status_code == 201:
                    await http.delete(f"/rights/{response.json()['id']}")

    tasks = [asyncio.create_task(client()) for _ in range(args.connections)]
    await asyncio.sleep(min(15, args.seconds / 10))  # warm-up: caches, connections
    memory_start = rss(pid)
    await asyncio.sleep(args.seconds / 2 - min(15, args.seconds / 10))
    await asyncio.to_thread(cluster.stop)
    await asyncio.sleep(args.down)
    await asyncio.to_thread(cluster.start)
    back_at.append(time.monotonic())
    await asyncio.sleep(args.seconds / 2 - args.down)
    memory_end = rss(pid)
    stop.set()
    await asyncio.gather(*tasks)
    return {"statuses": statuses, "errors": errors, "latencies": latencies, "unavailable": unavailable,
            "recovered_s": first_success_after[0] if first_success_after else None,
            "memory": (memory_start, memory_end)}


def rss(pid: int) -> float:
    """Resident memory of the server and its workers, MiB."""
    process = psutil.Process(pid)
    return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)]) / 2**20


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def report(result: dict, args, parcels: int) -> None:
    statuses, errors = result["statuses"], result["errors"]
    total = sum(statuses.values())
    bad = {s: c for s, c in statuses.items() if not (200 <= s < 300 or 400 <= s < 500 or s == 503)}
    start, end = result["memory"]
    print(f"\nsoak: {args.seconds} s, {args.connections} connections, {args.workers} workers, {parcels:,} parcels; "
          f"database down {args.down:.0f} s halfway")
    print(f"  requests {total:,} ({total / args.seconds:,.0f}/s); by status: "
          + ", ".join(f"{s}: {c:,}" for s, c in sorted(statuses.items())))
    print(f"  transport errors: {dict(errors) or 'none'}; responses other than 2xx/4xx/503: {bad or 'none'}")
    print(f"  latency p50 {percentile(result['latencies'], 50):.1f} ms, p99 {percentile(result['latencies'], 99):.1f} ms; "
          f"503s p99 {percentile(result['unavailable'], 99):.1f} ms")
    recovered = result["recovered_s"]
    print(f"  first success {recovered:.2f} s after the database was back" if recovered is not None
          else "  never recovered")
    print(f"  server memory {start:.0f} MiB after warm-up, {end:.0f} MiB at the end")
    if args.record:
        record_row(f"| {date.today()} | soak: mixed traffic, database restarted halfway | {parcels:,} parcels, "
                   f"{args.connections} connections, {args.workers} workers, {args.seconds} s, down "
                   f"{args.down:.0f} s | — | {total:,} requests; "
                   + ", ".join(f"{s}: {c:,}" for s, c in sorted(statuses.items()))
                   + f"; transport errors {sum(errors.values())}; p99 {percentile(result['latencies'], 99):.0f} ms, "
                   f"503 p99 {percentile(result['unavailable'], 99):.0f} ms; recovered "
                   f"{recovered if recovered is not None else float('nan'):.1f} s after; memory "
                   f"{start:.0f} → {end:.0f} MiB | {len(bad)} statuses other than 2xx/4xx/503 | "
                   f"{os.cpu_count()} cores |\n")


if __name__ == "__main__":
    sys.exit(main())
