#!/usr/bin/env python3
"""Generate a realistic, deterministic sample district of Moscow, as source files.

    python scripts/generate_district.py OUT_DIR [--seed 7] [--buildings 3000]
        [--parcels N] [--crs МСК-77|EPSG:32637] [--only parcels]

A street grid of city blocks (one cadastral quarter each, 77:01:000XXXX), blocks
split into parcels with valid cadastral numbers and addresses, buildings with
varied footprints (rectangles, L-shapes, courtyard blocks with a hole), heights,
floors, uses and years; rights of the city, companies and individuals (with
shares and leases); auctions in every status. Files, in the formats the importers
read:

    parcels.gpkg     parcels (layer "parcels"), in --crs
    buildings.gpkg   buildings (layer "buildings"), in --crs, register_id = UNOM
    rights.csv       rights and encumbrances
    auctions.json    torgi.gov.ru notices (lots in every status but COMPLETED)
    results.csv      completed auctions with final prices, in the CSV form
    zones.gpkg       planning zones (layer "zones"), in --crs: three territorial zones
                     (low-rise residential, mid-rise, business) with their parameters, a
                     cable protection strip along one street, a heritage protection zone
                     around one old building
    constructions.xml  a KPT v10 extract (МСК-77) of the district's linear constructions: the
                     10 kV cable under the first street, a heating main with a chamber, and
                     masts — open lines, a ring and points, as Rosreestr gives them
    streets.osm      the street grid's centre lines as OpenStreetMap (walkable ways meeting at
                     shared nodes), for walking distances
    scenario.json    an example development scenario (the demo publishes it): a 25-storey
                     block in the low-rise zone, across several parcels, casting its
                     shadow on homes to its north, with the buildings under it demolished
    terrain.tif      the ground: a GeoTIFF DEM (5 m cells, in --crs, heights above sea level) of
                     smooth relief at Moscow's heights, 120–166 m, cut by the valley of a
                     stream that crosses the district (in a pipe, as the Presnya is), 600 m
                     beyond the district on every side; the buildings carry no ground
                     elevations: `citymodel import terrain` stands them on it
    procurement.zip  public procurement in the ЕИС's XML layout (scripts/sample_procurement.py):
                     notices, contracts (some in two editions) and procedure records of
                     repairs, construction, design and goods, linked by cadastral number,
                     by address, by register number, or to nothing in the district
                     (--contracts N, default a tenth of the buildings)
    services.json    30–60 schools, kindergartens, clinics, museums and sports grounds
                     with capacities, in the layout of the city's open-data portal
                     (lon/lat; the heads of institutions are named, as there: personal
                     data the importer drops)

The same seed and sizes give byte-identical attribute data. Memory stays flat:
blocks are made and written a chunk at a time, so millions of buildings work.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyproj
import shapely

from citymodel import crs
from citymodel.regions import REGIONS

sys.path.insert(0, str(Path(__file__).parent))
import sample_procurement  # noqa: E402

BLOCK_W, BLOCK_H, STREET = 160.0, 120.0, 24.0  # metres
SETBACK = 5.0  # buildings stand back from their parcel's edges
ROTATION_DEG = 14.0  # Moscow's streets do not run north–south
ORIGIN_LONLAT = (37.530, 55.742)  # Presnensky district, near Moscow-City
BLOCKS_PER_CHUNK = 2_000
SAMPLES_PER_USE = 200  # buildings remembered per use, to place services on
# Territorial zones of the rules (ПЗЗ), west to east: (code, name, limits, permitted uses)
TERRITORIAL = (
    ("Ж-1", "Зона малоэтажной жилой застройки",
     {"max_height_m": 15, "max_floors": 4, "max_coverage_pct": 40, "max_density": 10,
      "min_setback_m": 3}, "2.1; 2.1.1; 2.2; 3.5.1; 5.1.3"),
    ("Ж-2", "Зона среднеэтажной и многоэтажной жилой застройки",
     {"max_height_m": 75, "max_floors": 25, "max_coverage_pct": 60, "max_density": 25,
      "min_setback_m": 3}, "2.5; 2.6; 2.7; 3.5.1; 4.4; 5.1.3"),
    ("ОД-1", "Многофункциональная общественно-деловая зона",
     {"max_height_m": "без ограничений", "max_floors": "не установлен", "max_coverage_pct": 80,
      "max_density": 35, "min_setback_m": 0}, "3.5.1; 4.1; 4.4; 4.6; 4.9; 3.1"),
)
SERVICE_KINDS = (  # kind, name pattern, the building use it stands in, capacity range
    ("school", "ГБОУ Школа № {n}", "school", (600, 1500)),
    ("kindergarten", "Детский сад № {n}", "residential", (80, 250)),
    ("clinic", "ГБУЗ Городская поликлиника № {n}", "hospital", (300, 1200)),
    ("museum", "Музей истории Пресни, филиал № {n}", "old", (50, 400)),
    ("sports_ground", "Спортивная площадка № {n}", None, None),
)
STATUSES = ("PUBLISHED", "APPLICATIONS_SUBMISSION", "DETERMINING_WINNER", "COMPLETED", "CANCELED")
USES = (  # use, share, floors range, storey height
    ("residential", 0.55, (5, 24), 3.0),
    ("office", 0.15, (3, 40), 3.6),
    ("retail", 0.10, (1, 3), 4.5),
    ("industrial", 0.06, (1, 3), 5.0),
    ("school", 0.06, (3, 4), 3.6),
    ("hospital", 0.03, (4, 9), 3.6),
    ("garage", 0.05, (1, 2), 3.0),
)
STREETS_EW = ("Пресненский Вал", "Красная Пресня", "Звенигородская", "Шмитовский проезд",
              "Мантулинская", "Трёхгорный Вал", "Рочдельская", "Дружинниковская",
              "Заморёнова", "Анатолия Живова", "Стрельбищенский переулок", "Сергея Макеева")
STREETS_NS = ("1-я Магистральная", "Улица 1905 года", "Мукомольный проезд", "Столярный переулок",
              "Волков переулок", "Большая Декабрьская", "Пресненская набережная",
              "Камышовая", "Литвина-Седого", "Ермакова Роща")
SURNAMES = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов",
            "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев")
GIVEN = ("Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Михаил", "Ольга",
         "Елена", "Наталья", "Татьяна", "Ирина", "Анна")
COMPANIES = ("Пресня-Девелопмент", "Трёхгорка", "Сити-Плаза", "Москва-Строй", "Краснопресненский",
             "Горизонт", "Меридиан", "Столица-Инвест", "Рассвет", "Северный ветер")


@dataclass
class Totals:
    parcels: int = 0
    buildings: int = 0
    rights: int = 0
    lots: int = 0
    zones: int = 0
    services: int = 0
    contracts: int = 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="directory to write the files into")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--buildings", type=int, default=3000, help="about how many buildings")
    parser.add_argument("--parcels", type=int, help="size the district by parcels instead: exactly N")
    parser.add_argument("--crs", default="МСК-77", help="МСК-77 (default) or EPSG:32637")
    parser.add_argument("--only", choices=("parcels",), help="write only parcels.gpkg")
    parser.add_argument("--contracts", type=int, help="how many procurement contracts (default: a tenth "
                                                      "of the buildings)")
    args = parser.parse_args(argv)
    totals = generate(args.out, seed=args.seed, buildings=args.buildings, parcels=args.parcels,
                      crs_name=args.crs, only=args.only, contracts=args.contracts)
    print(f"wrote {totals.parcels} parcels, {totals.buildings} buildings, {totals.rights} rights, "
          f"{totals.lots} lots, {totals.zones} zones, {totals.services} services, "
          f"{totals.contracts} contracts to {args.out}")
    return 0


def generate(out: Path, *, seed: int, buildings: int, parcels: int | None, crs_name: str,
             only: str | None = None, contracts: int | None = None) -> Totals:
    target = crs.resolve(crs_name)
    if target.srid not in (990770, 32637):
        raise SystemExit("--crs must be МСК-77 or EPSG:32637")
    out.mkdir(parents=True, exist_ok=True)
    for name in ("parcels.gpkg", "buildings.gpkg", "rights.csv", "auctions.json", "results.csv",
                 "zones.gpkg", "services.json", "constructions.xml", "scenario.json",
                 "streets.osm", "terrain.tif", "procurement.zip"):
        (out / name).unlink(missing_ok=True)
    # about 6 parcels and 6 buildings a block (measured: 6.06)
    blocks = max(1, math.ceil((parcels / 6.0) if parcels else buildings / 6.06))
    columns = max(1, round(math.sqrt(blocks * BLOCK_H / BLOCK_W)))
    origin = _origin(target, columns * (BLOCK_W + STREET), math.ceil(blocks / columns) * (BLOCK_H + STREET))
    rng = np.random.default_rng(seed)
    totals = Totals()
    contracts = max(1, buildings // 10) if contracts is None else contracts
    writer = _Writer(out, target, only, pick=min(1.0, contracts / max(1, buildings)), seed=seed)
    first = 0
    while (totals.parcels < parcels) if parcels else (first < blocks):
        last = first + BLOCKS_PER_CHUNK if parcels else min(blocks, first + BLOCKS_PER_CHUNK)
        room = parcels - totals.parcels if parcels else None  # --parcels N means exactly N
        _make_chunk(range(first, last), columns, origin, rng, writer, totals, only, room)
        first = last
    writer.close(rng, totals)
    if not only:
        rows = math.ceil(min(blocks, first) / columns) if not parcels else \
            math.ceil(first / columns)
        _zones_and_services(out, target, origin, columns, rows, writer.samples, seed, totals)
        _example_scenario(out, target, origin, writer.site_candidates)
        _terrain(out, target, origin, columns * (BLOCK_W + STREET), rows * (BLOCK_H + STREET))
        if contracts:
            totals.contracts = sample_procurement.write(out / "procurement.zip", writer.procured,
                                                        writer.for_auction, contracts, seed)["contracts"]
    return totals


def _make_chunk(blocks: range, columns: int, origin, rng, writer: _Writer, totals: Totals,
                only: str | None, room: int | None) -> None:
    """Make the blocks of ``blocks`` (at most ``room`` parcels) and write them."""
    parcel_rows, parcel_geoms, building_rows, building_geoms = [], [], [], []
    for block in blocks:
        if room is not None and len(parcel_rows) >= room:
            break
        row, col = divmod(block, columns)
        x0, y0 = col * (BLOCK_W + STREET), row * (BLOCK_H + STREET)
        quarter = f"77:01:{1001 + block:07d}"
        street = STREETS_EW[row % len(STREETS_EW)] + (f" ({row // len(STREETS_EW) + 1})" if row >= len(STREETS_EW) else "")
        splits = int(rng.integers(2, 5))  # parcels along the block, on each side
        width = BLOCK_W / splits
        number = 0
        for side in range(2):
            for k in range(splits):
                if room is not None and len(parcel_rows) >= room:
                    break
                number += 1
                px0, py0 = x0 + k * width, y0 + side * BLOCK_H / 2
                box = (px0, py0, px0 + width, py0 + BLOCK_H / 2)
                house = (col * splits + k) * 2 + 1 + side
                cadastral = f"{quarter}:{number}"
                vacant = rng.random() < 0.08
                parcel_rows.append({
                    "cadastral_number": cadastral,
                    "address": f"г. Москва, ул. {street}, д. {house}",
                    "declared_area_m2": round(width * BLOCK_H / 2),
                    "land_category": "003002000000",  # земли населённых пунктов
                    "permitted_use": "2.1.1" if not vacant else "12.0.2",
                    "permitted_use_text": "многоэтажная жилая застройка" if not vacant
                    else "земельные участки общего пользования",
                    "cadastral_value": round(float(width * BLOCK_H / 2 * rng.uniform(20_000, 90_000)), 2),
                    "state": "01",
                    "registered_on": str(date(2002, 1, 1) + timedelta(days=int(rng.integers(0, 7000)))),
                    "_vacant": vacant,
                })
                parcel_geoms.append(shapely.box(*box))
                if only or vacant:
                    continue
                for shape in _footprints(box, rng):
                    totals.buildings += 1
                    building_rows.append(_building(totals.buildings, quarter, number, street, house, rng))
                    writer.procure(building_rows[-1], street, house)
                    building_geoms.append(shape)
                    if col == 1 and row >= 1:  # where the example scenario may go
                        writer.site_candidates.setdefault(block, []).append(
                            (side, building_rows[-1], shape, (x0, y0)))
    totals.parcels += len(parcel_rows)
    writer.write_chunk(parcel_rows, _place(parcel_geoms, origin), building_rows,
                       _place(building_geoms, origin), rng, totals)
    for row, shape in zip(building_rows, building_geoms, strict=True):
        key = "old" if row["year_built"] < 1917 else row["use"]
        found = writer.samples.setdefault(key, [])
        if len(found) < SAMPLES_PER_USE:
            found.append((shape, row["address"], row["year_built"]))


def _footprints(box, rng) -> list[shapely.Geometry]:
    x0, y0, x1, y1 = box[0] + SETBACK, box[1] + SETBACK, box[2] - SETBACK, box[3] - SETBACK
    w, h = x1 - x0, y1 - y0
    kind = rng.choice(("rect", "rect", "L", "courtyard", "two"), p=(0.35, 0.15, 0.25, 0.15, 0.10))
    if kind == "courtyard" and w > 30 and h > 30:
        t = float(rng.uniform(10, 14))  # wing depth
        return [shapely.Polygon([(x0, y0), (x1, y0), (x1, y1), (x0, y1)],
                                [[(x0 + t, y0 + t), (x0 + t, y1 - t), (x1 - t, y1 - t), (x1 - t, y0 + t)]])]
    if kind == "L":
        t = float(rng.uniform(10, min(16, w * 0.6, h * 0.6)))
        return [shapely.Polygon([(x0, y0), (x1, y0), (x1, y0 + t), (x0 + t, y0 + t), (x0 + t, y1), (x0, y1)])]
    if kind == "two" and w > 24:
        mid = x0 + w / 2
        return [shapely.box(x0, y0, mid - 3, y0 + h * float(rng.uniform(0.4, 0.9))),
                shapely.box(mid + 3, y0, x1, y0 + h * float(rng.uniform(0.4, 0.9)))]
    fw, fh = w * float(rng.uniform(0.5, 1.0)), h * float(rng.uniform(0.4, 1.0))
    ox, oy = float(rng.uniform(0, w - fw)), float(rng.uniform(0, h - fh))
    return [shapely.box(x0 + ox, y0 + oy, x0 + ox + fw, y0 + oy + fh)]


def _building(n: int, quarter: str, parcel_number: int, street: str, house: int, rng) -> dict:
    shares = np.array([u[1] for u in USES])
    use, _, (low, high), storey = USES[int(rng.choice(len(USES), p=shares / shares.sum()))]
    floors = int(rng.integers(low, high + 1))
    year = int(rng.choice((rng.integers(1880, 1917), rng.integers(1930, 1991), rng.integers(1991, 2025)),
                          p=(0.15, 0.5, 0.35)))
    if year < 1917:
        floors = min(floors, 6)
    known = rng.random()
    return {
        "register_id": str(1_000_000 + n),
        "cadastral_number": f"{quarter}:{1000 + n}",
        "height": round(floors * storey + float(rng.uniform(0.5, 3.0)), 1) if known < 0.6 else None,
        "levels": floors if known < 0.95 else None,
        "use": use,
        "year_built": year,
        "address": f"г. Москва, ул. {street}, д. {house}" + (f", стр. {n % 3 + 1}" if n % 5 == 0 else ""),
    }


def _origin(target, width: float, height: float) -> tuple[float, float]:
    """Where the grid's corner lies, in the target CRS: at ORIGIN_LONLAT; a grid too large to
    stay in Moscow from there (a benchmark's million parcels, some 65 km across) is centred
    on the city instead, so that every parcel lands in region 77, as its number says."""
    to_target = pyproj.Transformer.from_crs(4326, target.crs, always_xy=True)
    to_lonlat = pyproj.Transformer.from_crs(target.crs, 4326, always_xy=True)
    origin = to_target.transform(*ORIGIN_LONLAT)
    moscow = REGIONS["77"]

    def inside(corner) -> bool:
        lon, lat = np.array(to_lonlat.transform(*shapely.get_coordinates(_place([shapely.box(0, 0, width, height)],
                                                                                  corner)[0]).T))
        return bool(moscow.contains(lon, lat).all())

    if inside(origin):
        return origin
    centre = to_target.transform((moscow.west + moscow.east) / 2, (moscow.south + moscow.north) / 2)
    a = math.radians(ROTATION_DEG)
    half = (width / 2 * math.cos(a) - height / 2 * math.sin(a), width / 2 * math.sin(a) + height / 2 * math.cos(a))
    return centre[0] - half[0], centre[1] - half[1]


def _place(geoms: list, origin) -> np.ndarray:
    """Local metres → the target CRS: rotated about the origin, then shifted there."""
    if not geoms:
        return np.array([], dtype=object)
    a = math.radians(ROTATION_DEG)
    cos, sin = math.cos(a), math.sin(a)

    def move(xy: np.ndarray) -> np.ndarray:
        x, y = xy[:, 0], xy[:, 1]
        return np.column_stack([origin[0] + x * cos - y * sin, origin[1] + x * sin + y * cos])

    return shapely.transform(np.array(geoms, dtype=object), move)


class _Writer:
    """Appends chunks to the GeoPackages, collects rights and auctions as it goes."""

    def __init__(self, out: Path, target, only: str | None, pick: float = 0.0, seed: int = 0) -> None:
        self.out, self.target, self.only = out, target, only
        self.pick, self.picks = pick, np.random.default_rng(seed + 1000)  # its own draws: the rest stays as it was
        self.procured: list[dict] = []  # buildings public procurement is about
        self.first = True
        self.rights = None if only else open(out / "rights.csv", "w", newline="", encoding="utf-8")
        self.rights_csv = None
        if self.rights:
            self.rights_csv = csv.writer(self.rights)
            self.rights_csv.writerow(["cadastral_number", "registration_number", "kind", "type_code",
                                      "type_name", "holder_kind", "holder_name", "holder_inn",
                                      "share", "registered_on", "starts_on", "ends_on"])
        self.for_auction: list[dict] = []
        self.samples: dict[str, list] = {}  # use → [(local footprint, address, year)], a few each
        self.site_candidates: dict[int, list] = {}  # block → [(side, building row, footprint, origin)]

    def procure(self, building: dict, street: str, house: int) -> None:
        if not self.only and self.picks.random() < self.pick:
            self.procured.append({"register_id": building["register_id"], "address": building["address"],
                                  "cadastral_number": building["cadastral_number"], "street": street,
                                  "house": house})

    def write_chunk(self, parcels, parcel_geoms, buildings, building_geoms, rng, totals) -> None:
        mode = {} if self.first else {"append": True}
        frame = gpd.GeoDataFrame([{k: v for k, v in p.items() if not k.startswith("_")} for p in parcels],
                                 geometry=parcel_geoms, crs=self.target.crs)
        frame.to_file(self.out / "parcels.gpkg", layer="parcels", engine="pyogrio", **mode)
        if not self.only and buildings:
            frame = gpd.GeoDataFrame(buildings, geometry=building_geoms, crs=self.target.crs)
            frame.to_file(self.out / "buildings.gpkg", layer="buildings", engine="pyogrio", **mode)
        self.first = False
        if self.only:
            return
        for p in parcels:
            totals.rights += self._rights(p, rng)
            if (p["_vacant"] or rng.random() < 0.01) and len(self.for_auction) < 5000:
                self.for_auction.append(p)

    def _rights(self, parcel: dict, rng) -> int:
        cad = parcel["cadastral_number"]
        year = int(parcel["registered_on"][:4])
        serial = [0]

        def reg() -> str:
            serial[0] += 1
            return f"{cad}-77/{int(rng.integers(1, 60)):03d}/{year}-{serial[0]}"

        draw = rng.random()
        written = 0
        if draw < 0.5 or parcel["_vacant"]:
            self.rights_csv.writerow([cad, reg(), "right", "001001000000", "Собственность", "public",
                                      "город Москва", "7710489036", "", parcel["registered_on"], "", ""])
            written += 1
            if not parcel["_vacant"] and rng.random() < 0.3:
                start = date.fromisoformat(parcel["registered_on"]) + timedelta(days=200)
                self.rights_csv.writerow([cad, reg(), "encumbrance", "022006000000", "Аренда",
                                          "legal_entity", f"ООО «{rng.choice(COMPANIES)}»",
                                          _inn(rng, 10), "", str(start), str(start),
                                          str(start + timedelta(days=365 * 49))])
                written += 1
        elif draw < 0.8:
            self.rights_csv.writerow([cad, reg(), "right", "001001000000", "Собственность",
                                      "legal_entity", f"АО «{rng.choice(COMPANIES)}»",
                                      _inn(rng, 10), "", parcel["registered_on"], "", ""])
            written += 1
        else:
            holders = int(rng.integers(1, 4))
            for _ in range(holders):
                name = f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"
                self.rights_csv.writerow([cad, reg(), "right",
                                          "001002000000" if holders > 1 else "001001000000",
                                          "Общая долевая собственность" if holders > 1 else "Собственность",
                                          "individual", name, _inn(rng, 12),
                                          f"1/{holders}" if holders > 1 else "",
                                          parcel["registered_on"], "", ""])
                written += 1
        return written

    def close(self, rng, totals: Totals) -> None:
        if self.only:
            return
        self.rights.close()
        notices, results = [], []
        lots = self.for_auction + [{"cadastral_number": "77:01:0999999:1", "address":
                                    "г. Москва, ул. Неизвестная, д. 1", "declared_area_m2": 900}]
        for i in range(0, len(lots), 3):
            number = f"2100001234{i // 3:010d}"
            group = lots[i:i + 3]
            status = STATUSES[(i // 3) % len(STATUSES)]
            published = date(2025, 1, 15) + timedelta(days=i)
            lease = (i // 3) % 2 == 0
            if status == "COMPLETED":
                for n, p in enumerate(group, start=1):
                    start = round(p["declared_area_m2"] * 1500.0, 2)
                    results.append([number, n, status, "lease" if lease else "sale",
                                    "Аренда и продажа земельных участков", "Электронный аукцион",
                                    "Департамент городского имущества города Москвы", "7705031674",
                                    f"{published}T10:00:00+03:00", f"{published + timedelta(days=5)}T09:00:00+03:00",
                                    f"{published + timedelta(days=35)}T18:00:00+03:00",
                                    f"Земельный участок, {p['address']}", f"Площадь {p['declared_area_m2']} кв. м",
                                    p["address"], "Земельные участки", start, round(start * 0.03, 2),
                                    round(start * 0.2, 2), round(start * float(rng.uniform(1.0, 2.5)), 2), "RUB",
                                    str(published + timedelta(days=40)), p["cadastral_number"],
                                    f"https://torgi.gov.ru/new/public/notices/view/{number}"])
                continue
            notices.append(_notice(number, group, status, published, lease))
        totals.lots = sum(len(n["exportObject"]["structuredObject"]["notice"]["lots"]) for n in notices) + len(results)
        (self.out / "auctions.json").write_text(json.dumps(notices, ensure_ascii=False, indent=1), encoding="utf-8")
        with open(self.out / "results.csv", "w", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            out.writerow(["notice_number", "lot_number", "status", "deal_type", "bidding_type",
                          "bidding_form", "organizer_name", "organizer_inn", "published_at",
                          "bidding_starts_at", "bidding_ends_at", "name", "description", "address",
                          "category", "start_price", "price_step", "deposit", "final_price",
                          "currency", "result_on", "cadastral_numbers", "source_url"])
            out.writerows(results)


def _zones_and_services(out: Path, target, origin, columns: int, rows: int, samples: dict,
                        seed: int, totals: Totals) -> None:
    """zones.gpkg and services.json, from the district's extent and a few of its buildings."""
    rng = np.random.default_rng(seed + 1)  # its own stream: the other files stay as they were
    width, height = columns * (BLOCK_W + STREET), rows * (BLOCK_H + STREET)
    zones, shapes = [], []
    thirds = [0.0, round(width * 0.3 / (BLOCK_W + STREET)) * (BLOCK_W + STREET),
              round(width * 0.65 / (BLOCK_W + STREET)) * (BLOCK_W + STREET), width]
    for n, (code, name, limits, uses) in enumerate(TERRITORIAL):
        x0, x1 = thirds[n] - STREET / 2, thirds[n + 1] - STREET / 2
        if x1 <= x0:
            continue
        zones.append({"zone_code": code, "name": name, "kind": "territorial",
                      **{k: str(v) for k, v in limits.items()}, "permitted_uses": uses,
                      "description": f"Территориальная зона {code} Правил землепользования и "
                                     "застройки города Москвы (120-ПП)",
                      "restrictions": None, "registry_number": f"77:01-7.{101 + n}",
                      "source": "ПЗЗ г. Москвы (образец)"})
        shapes.append(shapely.box(x0, -STREET / 2, x1, height - STREET / 2))
    # a 10 kV cable under the first east–west street: its protection strip reaches 3 m into
    # the parcels on either side
    y = BLOCK_H + STREET / 2
    zones.append({"zone_code": "ОЗ-КЛ", "name": "Охранная зона кабельной линии 10 кВ",
                  "kind": "restriction", "registry_number": "77:01-6.501",
                  "description": "Охранная зона объекта электросетевого хозяйства",
                  "restrictions": "Запрещается размещать здания и сооружения, производить земляные "
                                  "работы глубже 0,3 м без согласования сетевой организации "
                                  "(Постановление Правительства РФ от 24.02.2009 № 160)",
                  "source": "ЕГРН (образец)"})
    shapes.append(shapely.box(0, y - STREET / 2 - 3, width - STREET, y + STREET / 2 + 3))
    old = samples.get("old") or []
    if old:
        footprint, address, year = old[0]
        zones.append({"zone_code": "ЗО-ОКН", "name": f"Зона охраны объекта культурного наследия "
                                                   f"({address}, {year} г.)",
                      "kind": "heritage", "registry_number": "77:01-6.777",
                      "description": "Объединённая зона охраны объектов культурного наследия",
                      "restrictions": "Строительство новых объектов капитального строительства "
                                      "запрещено; высота реконструируемых зданий не выше "
                                      "существующих",
                      "source": "Мосгорнаследие (образец)"})
        shapes.append(footprint.buffer(30, join_style="mitre"))
    frame = gpd.GeoDataFrame(zones, geometry=list(_place(shapes, origin)), crs=target.crs)
    frame.to_file(out / "zones.gpkg", layer="zones", engine="pyogrio")
    totals.zones = len(zones)

    _constructions(out, target, origin, width, height)
    _streets(out, target, origin, columns, rows)
    to_lonlat = pyproj.Transformer.from_crs(target.crs, 4326, always_xy=True)
    wanted = int(np.clip(rows * columns / 3, 30, 60))
    services, n = [], 0
    while len(services) < wanted:
        kind, pattern, use, capacity = SERVICE_KINDS[n % len(SERVICE_KINDS)]
        n += 1
        candidates = samples.get(use) if use else None
        if candidates:
            footprint, address, _ = candidates[int(rng.integers(len(candidates)))]
            point = footprint.centroid
        else:  # a sports ground in a block's yard
            address = None
            point = shapely.Point(rng.uniform(0, width - STREET), rng.uniform(0, height - STREET))
        lon, lat = to_lonlat.transform(*_place([point], origin)[0].coords[0])
        number = int(rng.integers(100, 2000))
        services.append({
            "global_id": 1_700_000 + n, "kind": kind, "Name": pattern.format(n=number),
            "Address": address,
            "geoData": {"type": "Point", "coordinates": [round(lon, 7), round(lat, 7)]},
            **({"Capacity": int(rng.integers(*capacity))} if capacity else {}),
            "WorkingHours": [{"DayWeek": "понедельник-пятница", "WorkHours": "08:00-20:00"}],
            "OrgInfo": [{"INN": _inn(rng, 10),
                         "ChiefName": f"{rng.choice(SURNAMES)} {rng.choice(GIVEN)}"}],
        })
    (out / "services.json").write_text(json.dumps(services, ensure_ascii=False, indent=1),
                                       encoding="utf-8")
    totals.services = len(services)


TERRAIN_CELL, TERRAIN_MARGIN = 5.0, 600.0  # metres


def terrain_height(u: np.ndarray, v: np.ndarray, height: float) -> np.ndarray:
    """The sample district's ground above sea level at local metres (u along the streets
    running east, v across them): gentle hills between 134 and 166 m and the valley of a
    stream meandering across the district's middle, its floor at about 120 m."""
    valley = 0.45 * height + 120 * np.sin(2 * np.pi * u / 1500)
    hills = (7 * np.sin(2 * np.pi * u / 2300 + 0.7) + 5 * np.cos(2 * np.pi * v / 1700 + 1.3)
             + 2 * np.sin(2 * np.pi * (u + v) / 900))
    return 152 + hills - 18 * np.exp(-(((v - valley) / 250) ** 2))


def _terrain(out: Path, target, origin, width: float, height: float) -> None:
    """terrain.tif: the district's DEM, in the target CRS, north up."""
    import rasterio
    from rasterio.transform import from_origin

    m = TERRAIN_MARGIN
    corners = _place([shapely.box(-m, -m, width + m, height + m)], origin)[0]
    x0, y0, x1, y1 = (math.floor(v / TERRAIN_CELL) * TERRAIN_CELL for v in corners.bounds)
    cols, rows = int((x1 - x0) / TERRAIN_CELL) + 1, int((y1 - y0) / TERRAIN_CELL) + 1
    xs = x0 + (np.arange(cols) + 0.5) * TERRAIN_CELL
    ys = y1 + TERRAIN_CELL - (np.arange(rows) + 0.5) * TERRAIN_CELL
    gx, gy = np.meshgrid(xs - origin[0], ys - origin[1])
    a = math.radians(ROTATION_DEG)  # back to local metres: the inverse of _place's rotation
    u, v = gx * math.cos(a) + gy * math.sin(a), -gx * math.sin(a) + gy * math.cos(a)
    heights = terrain_height(u, v, height).astype(np.float32)
    profile = {"driver": "GTiff", "width": cols, "height": rows, "count": 1, "dtype": "float32",
               "crs": target.crs.to_wkt(), "nodata": -9999.0, "compress": "deflate",
               "transform": from_origin(x0, y1 + TERRAIN_CELL, TERRAIN_CELL, TERRAIN_CELL),
               "tiled": True, "blockxsize": 256, "blockysize": 256}
    with rasterio.open(out / "terrain.tif", "w", **profile) as dst:
        dst.write(heights, 1)


def _example_scenario(out: Path, target, origin, candidates: dict[int, list]) -> None:
    """scenario.json: a tower block over the south half of a block of the low-rise zone,
    in front of a residential building of the north half (chosen so that there is one)."""
    block = next((b for b, found in sorted(candidates.items())
                  if any(side == 1 and row["use"] == "residential" for side, row, _, _ in found)), None)
    if block is None:
        return
    found = candidates[block]
    x0, y0 = found[0][3]
    tower = shapely.box(x0 + 20, y0 + 30, x0 + BLOCK_W - 20, y0 + 52)  # 120 × 22 m
    to_lonlat = pyproj.Transformer.from_crs(target.crs, 4326, always_xy=True)
    placed = _place([tower], origin)[0]
    lonlat = shapely.transform(placed, lambda c: np.column_stack(to_lonlat.transform(c[:, 0], c[:, 1])))
    under = [row["register_id"] for side, row, shape, _ in found if side == 0 and shape.intersects(tower)]
    document = {
        "type": "FeatureCollection",
        "name": "Башня на Пресне (пример)",
        "description": "Пример сценария: 25-этажный дом в зоне малоэтажной застройки, через "
                       "границы участков, перед жилым домом с севера; здания под ним сносятся.",
        "demolish": under,
        "features": [{"type": "Feature", "geometry": shapely.geometry.mapping(lonlat),
                      "properties": {"name": "Башня", "height": 78.0, "floors": 25,
                                     "use": "residential", "residential_share": 0.9}}],
    }
    (out / "scenario.json").write_text(json.dumps(document, ensure_ascii=False, indent=1),
                                       encoding="utf-8")


def _streets(out: Path, target, origin, columns: int, rows: int) -> None:
    """streets.osm: the centre lines of the grid's streets, meeting at shared nodes."""
    to_lonlat = pyproj.Transformer.from_crs(target.crs, 4326, always_xy=True)
    xs = [c * (BLOCK_W + STREET) - STREET / 2 for c in range(columns + 1)]
    ys = [r * (BLOCK_H + STREET) - STREET / 2 for r in range(rows + 1)]
    corners = shapely.get_coordinates(_place([shapely.MultiPoint([(x, y) for y in ys for x in xs])], origin)[0])
    lon, lat = to_lonlat.transform(corners[:, 0], corners[:, 1])
    node = lambda r, c: r * (columns + 1) + c + 1  # noqa: E731
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<osm version="0.6" generator="citymodel sample district">']
    lines += [f'<node id="{k + 1}" version="1" lat="{la:.7f}" lon="{lo:.7f}"/>'
              for k, (lo, la) in enumerate(zip(lon, lat, strict=True))]
    ways = [(f"улица {STREETS_EW[r % len(STREETS_EW)]}", [node(r, c) for c in range(columns + 1)])
            for r in range(rows + 1)]
    ways += [(STREETS_NS[c % len(STREETS_NS)], [node(r, c) for r in range(rows + 1)])
             for c in range(columns + 1)]
    for way, (name, refs) in enumerate(ways, start=1):
        nds = "".join(f'<nd ref="{n}"/>' for n in refs)
        lines.append(f'<way id="{way}" version="1">{nds}<tag k="highway" v="residential"/>'
                     f'<tag k="name" v="{name}"/></way>')
    lines.append("</osm>")
    (out / "streets.osm").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _constructions(out: Path, target, origin, width: float, height: float) -> None:
    """constructions.xml: the district's linear constructions as a KPT v10 in МСК-77."""
    to_msk77 = pyproj.Transformer.from_crs(target.crs, crs.resolve("МСК-77").crs, always_xy=True)
    y = BLOCK_H + STREET / 2
    x_main = 2 * (BLOCK_W + STREET) - STREET / 2  # a north–south street
    objects = [  # number, assignment, elements (local metres; closed rings repeat the first)
        (5001, "Кабельная линия 10 кВ", [[(0, y), (width / 2, y), (width - STREET, y)]]),
        (5002, "Тепловая сеть: магистральный трубопровод с камерой",
         [[(x_main - 3, 2), (x_main + 3, 2), (x_main + 3, 8), (x_main - 3, 8), (x_main - 3, 2)],
          [(x_main, 8), (x_main, height / 2), (x_main + 40, height / 2 + 20)]]),
        *((5003 + k, "Опора освещения", [[(x, y + STREET / 2 - 1)]])
          for k, x in enumerate(np.arange(BLOCK_W / 2, width - STREET, BLOCK_W + STREET)[:8])),
    ]

    def units(points) -> str:
        placed = shapely.get_coordinates(_place([shapely.MultiPoint(points)], origin)[0])
        xs, ys = to_msk77.transform(placed[:, 0], placed[:, 1])
        return "".join(f'<ns3:SpelementUnit TypeUnit="Точка" SuNmb="{n}"><ns3:Ordinate '
                       f'X="{north:.2f}" Y="{east:.2f}" OrdNmb="{n}"/></ns3:SpelementUnit>'
                       for n, (east, north) in enumerate(zip(xs, ys, strict=True), start=1))

    realty = "".join(
        f'<ObjectRealty><Construction CadastralNumber="77:01:0001001:{number}"><ObjectType>'
        f"002001004000</ObjectType><AssignationName>{name}</AssignationName><Address>"
        f"<adrOut4:Note>г. Москва, Пресненский район</adrOut4:Note></Address>"
        f'<EntitySpatial EntSys="ID1">'
        + "".join(f"<ns3:SpatialElement>{units(e)}</ns3:SpatialElement>" for e in elements)
        + "</EntitySpatial></Construction></ObjectRealty>"
        for number, name, elements in objects)
    (out / "constructions.xml").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n<KPT xmlns="urn://x-artefacts-rosreestr-ru/outgoing/'
        'kpt/10.0.1" xmlns:adrOut4="urn://x-artefacts-rosreestr-ru/commons/complex-types/'
        'address-output/4.0.1" xmlns:ns3="urn://x-artefacts-rosreestr-ru/commons/complex-types/'
        'entity-spatial/5.0.1"><CadastralBlocks><CadastralBlock CadastralNumber="77:01:0001001">'
        f"<Area><Total>2</Total><Unit>059</Unit></Area><ObjectsRealty>{realty}</ObjectsRealty>"
        '<CoordSystems><ns3:CoordSystem Name="МСК-77" CsId="ID1"/></CoordSystems>'
        "</CadastralBlock></CadastralBlocks></KPT>\n", encoding="utf-8")


def _notice(number: str, parcels: list[dict], status: str, published: date, lease: bool) -> dict:
    lots = []
    for n, p in enumerate(parcels, start=1):
        start = round(p["declared_area_m2"] * (120.0 if lease else 1500.0), 2)
        in_characteristics = n % 2 == 1
        lots.append({
            "lotNumber": n,
            "lotStatus": status,
            "lotName": f"{'Право аренды земельного участка' if lease else 'Земельный участок'}, {p['address']}",
            "lotDescription": (f"Площадь {p['declared_area_m2']} кв. м"
                               + ("" if in_characteristics else f", кадастровый номер {p['cadastral_number']}")),
            "priceMin": start,
            "priceStep": round(start * 0.03, 2),
            "deposit": round(start * 0.2, 2),
            "currency": {"code": "RUB", "name": "Российский рубль"},
            "biddingObjectInfo": {
                "subjectRF": {"code": "77", "name": "г. Москва"},
                "estateAddress": p["address"],
                "category": {"code": "2", "name": "Земельные участки"},
                "characteristics": [
                    {"code": "SquareZU", "name": "Площадь земельного участка",
                     "characteristicValue": p["declared_area_m2"]},
                ] + ([{"code": "CadastralNumber", "name": "Кадастровый номер",
                       "characteristicValue": p["cadastral_number"]}] if in_characteristics else []),
            },
        })
    return {"exportObject": {"structuredObject": {"notice": {
        "commonInfo": {
            "noticeNumber": number,
            "biddType": {"code": "ZK", "name": "Аренда и продажа земельных участков"},
            "biddForm": {"code": "EA", "name": "Электронный аукцион"},
            "publishDate": f"{published}T10:00:00.000Z",
            "href": f"https://torgi.gov.ru/new/public/notices/view/{number}",
        },
        "bidderOrg": {"orgInfo": {"name": "Департамент городского имущества города Москвы",
                                  "INN": "7705031674"}},
        "biddConditions": {
            "biddStartTime": f"{published + timedelta(days=5)}T06:00:00.000Z",
            "biddEndTime": f"{published + timedelta(days=35)}T15:00:00.000Z",
            "biddReviewDate": f"{published + timedelta(days=38)}T09:00:00.000Z",
        },
        "lots": lots,
    }}}}


def _inn(rng, digits: int) -> str:
    return str(int(rng.integers(10 ** (digits - 1), 10 ** digits)))


if __name__ == "__main__":
    sys.exit(main())
