"""Import and link public procurement against the sample district: 100,000 contracts.

    scripts/bench/procurement [--buildings 120000] [--contracts 100000] [--record]

Imports the sample district (about --buildings buildings; generated once, seed 1) into a
fresh database and writes, for its buildings and parcels, --contracts contracts (about three
items each) with their notices and procedure records in the ЕИС's layout, as one zip archive
(scripts/sample_procurement.py; not timed). Then, timed: `citymodel import procurement` of
the archive — parse, check, stage, merge, link by cadastral number, register number and
address. Prints seconds, the peak memory of all its processes (the importer and the
processes reading the archive, summed) and what was linked, against the targets (≤ 60 s,
≤ 1 GiB); --record appends a row to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from datetime import date
from pathlib import Path

import pyogrio

from citymodel.settings import load_settings

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
import sample_procurement  # noqa: E402
from import_parcels import CITYMODEL, district_database, measure_tree, record_row  # noqa: E402

ADDRESS = re.compile(r"ул\. (?P<street>.+), д\. (?P<house>\d+)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--buildings", type=int, default=120_000)
    parser.add_argument("--contracts", type=int, default=100_000)
    parser.add_argument("--record", action="store_true")
    args = parser.parse_args()
    settings = load_settings()
    bench = settings.resolved_state_dir / "bench"
    url, env = district_database(settings, bench, args.buildings, "bench_procurement",
                                 ("parcels.gpkg", "buildings.gpkg"))
    district = bench / f"district-{args.buildings}"
    buildings = pyogrio.read_dataframe(district / "buildings.gpkg", read_geometry=False,
                                       columns=["register_id", "cadastral_number", "address"])
    picked = []
    for row in buildings.itertuples():
        match = ADDRESS.search(row.address or "")
        if match:
            picked.append({"register_id": row.register_id, "cadastral_number": row.cadastral_number,
                           "address": row.address, "street": match["street"], "house": int(match["house"])})
    parcels = pyogrio.read_dataframe(district / "parcels.gpkg", read_geometry=False,
                                     columns=["cadastral_number", "address"]).to_dict("records")[::50]
    archive = bench / f"procurement-{args.contracts}.zip"
    counts = sample_procurement.write(archive, picked[::max(1, len(picked) // args.contracts)], parcels,
                                      args.contracts, seed=1)
    print(f"{archive.name}: {counts['contracts']:,} contracts with {counts['products']:,} items, "
          f"{counts['notices']:,} notices, {counts['procedures']:,} procedure records, "
          f"{archive.stat().st_size / 2**20:.0f} MiB (not timed); {len(buildings):,} buildings")
    seconds, kib = measure_tree([CITYMODEL, "import", "procurement", str(archive)], env)
    print(f"\ncitymodel import procurement: {seconds:.1f} s, peak {kib / 2**20:.2f} GiB of all its processes "
          f"(the importer and its readers; targets: ≤ 60 s, ≤ 1 GiB)")
    if args.record:
        row = (f"| {date.today()} | import procurement | {counts['contracts']:,} contracts, "
               f"{counts['products']:,} items, {counts['notices']:,} notices, {counts['procedures']:,} "
               f"procedures (one zip) against {len(buildings):,} buildings | — (no peer named) | "
               f"citymodel: {seconds:.1f} s, peak {kib / 2**20:.2f} GiB (all processes) | target ≤ 60 s, ≤ 1 GiB | "
               f"{os.cpu_count()} cores |\n")
        record_row(row)
    return 0


if __name__ == "__main__":
    sys.exit(main())
