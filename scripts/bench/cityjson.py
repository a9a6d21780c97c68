"""CityJSON → 3D Tiles: citymodel (import, then tiles build) against cjio's own glTF export.

    scripts/bench/cityjson [--buildings 50000] [--peer-timeout 5400] [--skip-peer SECONDS] [--record]

Writes the buildings of the shared Delft sample (160 LoD1 solids, CityJSON 2.0, EPSG:7415)
copied side by side on a grid until there are at least --buildings of them, as one
CityJSON 2.0 file (not timed). Then, timed, in one run on that file: `cjio FILE export glb`
(cjio's newest release, in its own virtual environment under the bench directory) and
citymodel's `import buildings FILE` followed by `tiles build`, into a fresh database.
Prints seconds, buildings per second, peak memory, output bytes and the ratio of
throughputs; --record appends a row to docs/benchmarks.md. cjio is stopped after
--peer-timeout seconds: its time is then a lower bound, and so is the ratio. --skip-peer
SECONDS reuses such a bound from an earlier run on the same file instead of running cjio.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from citymodel import database
from citymodel.settings import load_settings

sys.path.insert(0, str(Path(__file__).parent))
from import_parcels import CITYMODEL, MEASURE, fresh_database, measure, peer_venv, record_row  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent.parent
DELFT = ROOT / "tests" / "data" / "cityjson" / "delft.city.json"
CJIO = ("cjio==0.10.1", "triangle")  # cjio's newest release; triangle: its triangulator
SPACING_M = (600.0, 400.0)  # between copies: the sample is 524 m × 328 m


def replicate(source: Path, target: Path, buildings: int) -> int:
    """The sample's buildings copied on a grid until there are ``buildings``; returns how many."""
    doc = json.loads(source.read_text())
    template = {k: v for k, v in doc["CityObjects"].items() if v["type"] == "Building"}
    used: dict[int, int] = {}

    def renumber(item):  # the sample's vertex indices → those of the vertices its buildings use
        if isinstance(item, list):
            return [renumber(i) for i in item]
        return used.setdefault(item, len(used))

    def shift(item, offset):
        if isinstance(item, list):
            return [shift(i, offset) for i in item]
        return item + offset

    for obj in template.values():
        for g in obj.get("geometry", []):
            g["boundaries"] = renumber(g["boundaries"])
    vertices = [None] * len(used)
    for old, new in used.items():
        vertices[new] = doc["vertices"][old]
    copies = math.ceil(buildings / len(template))
    columns = math.ceil(math.sqrt(copies))
    scale = doc["transform"]["scale"]
    step = [round(SPACING_M[0] / scale[0]), round(SPACING_M[1] / scale[1])]
    objects, all_vertices = {}, []
    for c in range(copies):
        dx, dy = (c % columns) * step[0], (c // columns) * step[1]
        offset = c * len(vertices)
        all_vertices += [[x + dx, y + dy, z] for x, y, z in vertices]
        for key, obj in template.items():
            objects[f"{key}-{c}"] = obj | {"geometry": [g | {"boundaries": shift(g["boundaries"], offset)}
                                                        for g in obj.get("geometry", [])]}
    out = {k: v for k, v in doc.items() if k not in ("CityObjects", "vertices", "extensions")}
    out |= {"CityObjects": objects, "vertices": all_vertices}
    target.write_text(json.dumps(out, separators=(",", ":")))
    return len(objects)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buildings", type=int, default=50_000)
    parser.add_argument("--peer-timeout", type=float, default=5400.0)
    parser.add_argument("--skip-peer", type=float, metavar="SECONDS",
                        help="do not run cjio: it took at least SECONDS on this file before")
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    settings = load_settings()
    bench = settings.resolved_state_dir / "bench"
    bench.mkdir(parents=True, exist_ok=True)
    peer = peer_venv(bench, "cjio-venv", "cjio", *CJIO)
    source = bench / f"delft-{args.buildings}.city.json"
    count = replicate(DELFT, source, args.buildings)
    print(f"{source.name}: {count:,} buildings, {source.stat().st_size / 2**20:.0f} MiB (not timed)")

    out = bench / "cityjson-out"
    subprocess.run(["rm", "-rf", str(out)], check=True)
    out.mkdir()
    bounded = False  # cjio's time is a lower bound (stopped, or reused from a stopped run)
    if args.skip_peer:
        peer_seconds, peer_kib, bounded = args.skip_peer, 0, True
    else:
        peer_seconds, peer_kib, bounded = peer_run([str(peer / "bin" / "cjio"), "--suppress_msg", str(source),
                                                    "export", "glb", str(out / "cjio.glb")], args.peer_timeout)
    url = fresh_database(database.database_url(settings), "bench_cityjson")
    engine = database.create_engine(url)
    database.migrate(engine, settings)
    engine.dispose()
    env = {**os.environ, "DATABASE_URL": url.render_as_string(hide_password=False),
           "CITYMODEL_STATE_DIR": str(bench / "bench_cityjson-state")}
    import_seconds, import_kib = measure([CITYMODEL, "import", "buildings", str(source)], env)
    build_seconds, build_kib = measure([CITYMODEL, "tiles", "build", "--out", str(out / "tiles")], env)

    ours_seconds = import_seconds + build_seconds
    peer_bytes = (out / "cjio.glb").stat().st_size if (out / "cjio.glb").exists() else None
    ours_bytes = sum(p.stat().st_size for p in (out / "tiles").resolve().rglob("*") if p.is_file())
    peer_rate, ours_rate = count / peer_seconds, count / ours_seconds
    ratio = ours_rate / peer_rate
    print(f"\nsame {count:,} buildings, CityJSON → glTF:")
    at_least = "≥ " if bounded else ""
    print(f"  cjio export glb    {at_least}{peer_seconds:7.1f} s  {peer_rate:8,.1f} buildings/s"
          + (" (stopped unfinished)" if bounded else
             f"  {peer_bytes / count:6.0f} bytes/building  peak {peer_kib / 2**20:.2f} GiB"))
    print(f"  citymodel import     {import_seconds:7.1f} s  peak {import_kib / 2**20:.2f} GiB")
    print(f"  citymodel tiles      {build_seconds:7.1f} s  peak {build_kib / 2**20:.2f} GiB")
    print(f"  citymodel together   {ours_seconds:7.1f} s  {ours_rate:8,.0f} buildings/s  "
          f"{ours_bytes / count:6.0f} bytes/building")
    print(f"  ratio of throughput citymodel / cjio: {at_least}{ratio:.1f} (target ≥ 20)")
    if args.record:
        row = (f"| {date.today()} | CityJSON → 3D Tiles | {count:,} Delft LoD1 buildings (sample copied), "
               f"{source.stat().st_size / 2**20:.0f} MiB | cjio 0.10.1 export glb: "
               + (f"not finished in {peer_seconds:.0f} s (stopped), < {peer_rate:,.1f}/s" if bounded else
                  f"{peer_seconds:.1f} s, {peer_rate:,.0f}/s, peak {peer_kib / 2**20:.2f} GiB")
               + " | citymodel import + tiles build: "
               f"{import_seconds:.1f} + {build_seconds:.1f} s, {ours_rate:,.0f}/s, peak "
               f"{max(import_kib, build_kib) / 2**20:.2f} GiB, {ours_bytes / count:.0f} B/building | "
               f"**{at_least}{ratio:.1f}×** the throughput | {os.cpu_count()} cores |\n")
        record_row(row)
    return 0


def peer_run(command: list[str], timeout: float) -> tuple[float, int, bool]:
    """(seconds, peak KiB, stopped): the command in its own process group, stopped (with
    everything it started) after ``timeout`` seconds."""
    started = time.monotonic()
    process = subprocess.Popen([sys.executable, "-c", MEASURE, *command], stderr=subprocess.PIPE,
                               text=True, start_new_session=True)
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return time.monotonic() - started, 0, True
    if process.returncode != 0:
        raise SystemExit(f"{command[0]} failed:\n{err}")
    return time.monotonic() - started, int(err.strip().splitlines()[-1]), False


if __name__ == "__main__":
    sys.exit(main())
