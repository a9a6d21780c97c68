"""OpenStreetMap buildings, city services and streets (.osm.pbf, .osm) through pyosmium, as a stream.

Closed ways and multipolygon relations tagged ``building`` or ``building:part``
are assembled into areas by osmium. Tag values are read leniently, as mappers
write them (``12 m``, ``40'``, ``5;7``): a value that cannot be read is treated as
missing, and the height then comes from the levels or the default.

``building:part`` areas are kept as kind ``part``: they describe the 3D shape of
the building whose outline (kind ``building``) contains them. The tiles builder
shows the parts instead of an outline that has parts (Simple 3D Buildings).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import osmium
import shapely

from citymodel.planning import OSM_KEYS, WALKABLE, ServiceKind, service_kind_of_tags
from importers.core import FileRejected
from importers.loading import Batch

SUFFIXES = (".osm.pbf", ".pbf", ".osm", ".osm.bz2", ".osm.gz")
BATCH_SIZE = 10_000
FEET = 0.3048
_NUMBER = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s*(m|metres|meters|ft|feet|')?\s*$", re.IGNORECASE)
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")


def is_osm(path: Path) -> bool:
    return path.name.lower().endswith(SUFFIXES)


def read(path: Path, batch_size: int = BATCH_SIZE) -> Iterator[Batch]:
    """Batches of building areas with fields named as the buildings loader expects."""
    wkb_factory = osmium.geom.WKBFactory()
    tags = osmium.filter.KeyFilter("building", "building:part")
    rows: list[dict] = []
    try:
        processor = osmium.FileProcessor(str(path)).with_areas(tags).with_filter(tags)
        for obj in processor:
            if not obj.is_area():
                continue
            try:
                wkb = wkb_factory.create_multipolygon(obj)
            except RuntimeError:  # an area osmium could not build (broken relation)
                wkb = None
            rows.append(_row(obj, wkb))
            if len(rows) >= batch_size:
                yield _batch(rows)
                rows = []
    except RuntimeError as exc:
        raise FileRejected(f"{path}: cannot be read as OpenStreetMap data: {exc}") from None
    if rows:
        yield _batch(rows)


def _row(area, wkb: str | None) -> dict:
    t = area.tags
    part = "building:part" in t and t.get("building:part") != "no"
    kind_value = t.get("building:part") if part else t.get("building")
    use = t.get("building:use") or (kind_value if kind_value not in (None, "yes") else None)
    street, number = t.get("addr:street"), t.get("addr:housenumber")
    return {
        "osm_type": "way" if area.from_way() else "relation",
        "osm_id": area.orig_id(),
        "kind": "part" if part else "building",
        "height": _metres(t.get("height")),
        "levels": _number(t.get("building:levels")),
        "min_height": _metres(t.get("min_height")),
        "min_level": _number(t.get("building:min_level")),
        "use": use,
        "year_built": _year(t.get("start_date") or t.get("building:year")),
        "address": f"{street} {number}" if street and number else street,
        "wkb": wkb,
    }


def _batch(rows: list[dict]) -> Batch:
    columns = {name: [r[name] for r in rows] for name in rows[0] if name != "wkb"}
    geometries = shapely.from_wkb(np.array([r["wkb"] for r in rows], dtype=object))
    kinds = columns["osm_type"]
    ids = columns["osm_id"]
    return Batch(size=len(rows), locator=lambda i: f"{kinds[i]} {ids[i]}", columns=columns,
                 geometries=geometries)


def _metres(value: str | None) -> float | None:
    """A length tag in metres; the largest of several (``5;7``); None if unreadable."""
    if not value:
        return None
    readings = []
    for part in value.split(";"):
        match = _NUMBER.match(part)
        if match:
            amount = float(match[1].replace(",", "."))
            readings.append(amount * FEET if (match[2] or "").lower() in ("ft", "feet", "'") else amount)
    return max(readings) if readings and max(readings) >= 0 else None


def _number(value: str | None) -> float | None:
    """A count tag such as building:levels (``5``, ``5;7`` → 7); None if unreadable."""
    readings = []
    for part in (value or "").split(";"):
        match = _NUMBER.match(part)
        if match and not match[2]:
            readings.append(float(match[1].replace(",", ".")))
    return max(readings) if readings and max(readings) >= 0 else None


def _year(value: str | None) -> int | None:
    match = _YEAR.search(value or "")
    return int(match[1]) if match and 1000 <= int(match[1]) <= 2100 else None


# -- city services -----------------------------------------------------------------


def read_services(path: Path, batch_size: int = BATCH_SIZE) -> Iterator[Batch]:
    """Batches of city-service points: tagged nodes, and areas (closed ways, multipolygon
    relations) by their centroid, with the tags of ``citymodel.planning.OSM_TAGS``.

    A way whose area osmium cannot build (in an extract, some of its nodes may lie
    outside) is placed at the centroid of the nodes the file has: it has coordinates, so
    it is not dropped. Columns as the services loader reads them; ``external_id`` is
    ``osm:node/1``, ``osm:way/2`` or ``osm:relation/3``.
    """
    wkb_factory = osmium.geom.WKBFactory()
    keys = osmium.filter.KeyFilter(*OSM_KEYS)
    rows: list[dict] = []
    ways: dict[int, dict] = {}  # service ways not yet placed by their area
    try:
        processor = osmium.FileProcessor(str(path)).with_areas(keys).with_filter(keys)
        for obj in processor:
            kind = service_kind_of_tags(obj.tags)
            if kind is None:
                continue
            if obj.is_node():
                if obj.location.valid():
                    rows.append(_service_row(f"node/{obj.id}", obj.tags, kind,
                                             shapely.Point(obj.location.lon, obj.location.lat)))
            elif obj.is_way():
                known = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
                if known:
                    ways[obj.id] = _service_row(f"way/{obj.id}", obj.tags, kind,
                                                shapely.centroid(shapely.MultiPoint(known)))
            elif obj.is_area():
                try:
                    area = shapely.from_wkb(wkb_factory.create_multipolygon(obj))
                except RuntimeError:  # an area osmium could not build (broken relation)
                    continue
                if obj.from_way():
                    ways.pop(obj.orig_id(), None)
                origin = f"{'way' if obj.from_way() else 'relation'}/{obj.orig_id()}"
                rows.append(_service_row(origin, obj.tags, kind, shapely.centroid(area)))
            if len(rows) >= batch_size:
                yield _service_batch(rows)
                rows = []
    except RuntimeError as exc:
        raise FileRejected(f"{path}: cannot be read as OpenStreetMap data: {exc}") from None
    rows.extend(ways.values())
    for start in range(0, len(rows), batch_size):
        yield _service_batch(rows[start:start + batch_size])


def _service_row(origin: str, t, kind: ServiceKind, point: shapely.Point) -> dict:
    street, number = t.get("addr:street"), t.get("addr:housenumber")
    capacity = _number(t.get("capacity"))
    return {
        "external_id": f"osm:{origin}",
        "kind": kind.kind,
        "name": t.get("name"),
        "address": f"{street} {number}" if street and number else street,
        "capacity": int(capacity) if capacity is not None and capacity < 2**31 else None,
        "opening_hours": t.get("opening_hours"),
        "point": point,
    }


def _service_batch(rows: list[dict]) -> Batch:
    columns = {name: [r[name] for r in rows] for name in rows[0] if name != "point"}
    ids = columns["external_id"]
    return Batch(size=len(rows), locator=lambda i: ids[i].removeprefix("osm:").replace("/", " "),
                 columns=columns, geometries=np.array([r["point"] for r in rows], dtype=object))


# -- streets -------------------------------------------------------------------------


def read_streets(path: Path, batch_size: int = BATCH_SIZE) -> Iterator[Batch]:
    """Batches of walkable ways (``citymodel.planning.WALKABLE``) as lines; a way whose
    nodes the file lacks (cut by an extract's edge) keeps the part it has, if any."""
    keys = osmium.filter.KeyFilter("highway")
    rows: list[dict] = []
    try:
        for obj in osmium.FileProcessor(str(path)).with_locations().with_filter(keys):
            if not obj.is_way() or obj.tags.get("highway") not in WALKABLE:
                continue
            points = [(n.lon, n.lat) for n in obj.nodes if n.location.valid()]
            if len(points) < 2:
                continue
            rows.append({"osm_id": obj.id, "highway": obj.tags.get("highway"),
                         "name": obj.tags.get("name"), "line": shapely.LineString(points)})
            if len(rows) >= batch_size:
                yield _street_batch(rows)
                rows = []
    except RuntimeError as exc:
        raise FileRejected(f"{path}: cannot be read as OpenStreetMap data: {exc}") from None
    if rows:
        yield _street_batch(rows)


def _street_batch(rows: list[dict]) -> Batch:
    columns = {name: [r[name] for r in rows] for name in ("osm_id", "highway", "name")}
    ids = columns["osm_id"]
    return Batch(size=len(rows), locator=lambda i: f"way {ids[i]}", columns=columns,
                 geometries=np.array([r["line"] for r in rows], dtype=object))
