"""The city's buildings as CityJSON 2.0: a whole document, or a CityJSONSeq stream.

What is written, for every building with a footprint:

- a **modelled** building (imported from CityJSON or CityGML) as it was imported: its
  surfaces as a ``MultiSurface`` of its LoD, with their semantic types where the source
  gave them (types the importer told by orientation are not written: a reader tells them
  again);
- a building imported without geometry of its own, made of modelled parts, without
  geometry (its parts are ``BuildingPart``s with theirs);
- an **extruded** building as a LoD1 ``Solid`` (a ``CompositeSolid`` when its footprint has
  several parts) from its ground elevation plus ``min_height`` to its ground elevation
  plus ``height``, with roof, wall and ground surfaces; a building without a ground
  elevation stands at 0;
- its attributes: the source's own, and ``function`` (its use), ``yearOfConstruction``,
  ``storeysAboveGround``, ``measuredHeight``, its own ``cadastral_number`` and the
  ``parcel`` it stands on (a cadastral number) where known; its address as the address;
- its id: ``register_id`` (a CityJSON or CityGML object's id, a city register's number),
  else ``osm-<type>-<id>``, else the cadastral number; a building part is a
  ``BuildingPart`` of the building it belongs to (``part_of``, or for an OpenStreetMap
  part the building whose outline holds it).

Coordinates are written in a projected CRS (the caller's; by default a UTM zone), x and
y reprojected from the storage CRS and heights kept as stored (in the ``height_datum``
setting), as integers of millimetres through the ``transform``.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson
import pyproj
import shapely

from citymodel import crs as crs_
from citymodel import database
from citymodel.errors import CitymodelError

VERSION = "2.0"
MEDIA_TYPE = "application/city+json"
SEQ_MEDIA_TYPE = "application/city+json-seq"
SCALE = 0.001  # metres per integer step of the vertices
UTM_MARGIN = 1.0  # degrees beyond its zone a default UTM export may reach (as imports check)
KEY_SQL = "COALESCE({t}.register_id, 'osm-' || {t}.osm_type || '-' || {t}.osm_id, {t}.cadastral_key, 'citymodel-' || {t}.id)"
SELECT = f"""
SELECT b.id, {KEY_SQL.format(t='b')} AS key, b.kind, ST_AsBinary(b.footprint) AS footprint,
       ST_AsBinary(b.model) AS model, b.model_surfaces, b.model_semantics, b.model_lod,
       b.attributes, b.height, b.min_height, b.ground_elevation, b.floors, b.use, b.year_built,
       b.address, b.cadastral_number, p.cadastral_number AS parcel,
       CASE WHEN b.kind = 'part' THEN COALESCE(b.part_of, (
           SELECT {KEY_SQL.format(t='o')} FROM buildings o
           WHERE o.kind = 'building' AND o.footprint && b.footprint
             AND ST_Contains(o.footprint, ST_PointOnSurface(b.footprint)) ORDER BY o.id LIMIT 1))
       END AS parent,
       b.model IS NULL AND EXISTS (SELECT 1 FROM buildings q WHERE q.part_of = b.register_id
                                   AND q.model IS NOT NULL) AS of_parts
FROM buildings b LEFT JOIN parcels p ON p.id = b.parcel_id
WHERE b.footprint IS NOT NULL {{where}}
ORDER BY b.id
"""
# A building with its parts after it: the order of a CityJSONSeq stream's features
BY_FAMILY = "SELECT * FROM ({select}) t ORDER BY coalesce(t.parent, t.key), t.parent IS NOT NULL, t.id"
COLUMNS = ("id", "key", "kind", "footprint", "model", "model_surfaces", "model_semantics",
           "model_lod", "attributes", "height", "min_height", "ground_elevation", "floors", "use",
           "year_built", "address", "cadastral_number", "parcel", "parent", "of_parts")


def utm(lon: float, lat: float) -> pyproj.CRS:
    """The WGS 84 UTM zone of a point: the default CRS of an export."""
    zone = int((lon + 180) // 6) % 60 + 1
    return pyproj.CRS.from_epsg((32600 if lat >= 0 else 32700) + zone)


@dataclass
class Writer:
    """Encodes rows of :data:`SELECT` (dicts) in ``target``, from the storage CRS ``storage``."""

    storage: pyproj.CRS
    target: pyproj.CRS
    origin: tuple[float, float, float] = (0.0, 0.0, 0.0)  # the transform's translate

    def __post_init__(self) -> None:
        self._to_target = (None if self.storage.equals(self.target)
                           else pyproj.Transformer.from_crs(self.storage, self.target, always_xy=True))

    @property
    def epsg(self) -> int | None:
        return self.target.to_epsg()

    def header(self) -> dict:
        document = {"type": "CityJSON", "version": VERSION,
                    "transform": {"scale": [SCALE] * 3, "translate": list(self.origin)},
                    "CityObjects": {}, "vertices": []}
        if self.epsg:
            document["metadata"] = {"referenceSystem": f"https://www.opengis.net/def/crs/EPSG/0/{self.epsg}"}
        return document

    def document(self, rows: Iterable[dict]) -> dict:
        """One CityJSON document of every row (parts listed as children of their buildings)."""
        document = self.header()
        vertices = []
        count = 0
        for row in rows:
            key, obj, points = self._object(row)
            for geometry in obj.get("geometry", []):
                geometry["boundaries"] = _shift(geometry["boundaries"], count)
            document["CityObjects"][key] = obj
            vertices.append(points)
            count += len(points)
        for key, obj in document["CityObjects"].items():
            for parent in obj.get("parents", []):
                if parent in document["CityObjects"]:
                    document["CityObjects"][parent].setdefault("children", []).append(key)
        document["vertices"] = np.concatenate(vertices).tolist() if vertices else []
        return document

    def features(self, rows: Iterable[dict]) -> Iterator[dict]:
        """CityJSONFeatures (a CityJSONSeq stream's lines after the header): a building with
        the parts that follow it (rows in :data:`BY_FAMILY` order) in one feature; a part
        whose building is not there, in one of its own."""
        family: list[tuple[str, dict, np.ndarray]] = []
        for row in rows:
            key, obj, points = self._object(row)
            if family and obj.get("parents", [None])[0] != family[0][0]:
                yield _feature(family)
                family = []
            family.append((key, obj, points))
        if family:
            yield _feature(family)

    def _object(self, row: dict) -> tuple[str, dict, np.ndarray]:
        kind = "BuildingPart" if row["kind"] == "part" and row["parent"] else "Building"
        obj: dict = {"type": kind}
        if kind == "BuildingPart":
            obj["parents"] = [row["parent"]]
        attributes = dict(row["attributes"] or {})
        for name, value in (("function", row["use"]), ("yearOfConstruction", row["year_built"]),
                            ("storeysAboveGround", row["floors"]),
                            ("cadastral_number", row["cadastral_number"]), ("parcel", row["parcel"])):
            if value is not None:
                attributes.setdefault(name, value)
        if row["model"] is None:
            attributes.setdefault("measuredHeight", round(float(row["height"]), 3))
        if attributes:
            obj["attributes"] = attributes
        if row["address"]:
            obj["address"] = [{"ThoroughfareName": row["address"]}]
        if row["model"] is not None:
            geometry, points = self._surfaces(row)
        elif row["of_parts"]:  # drawn by its parts' models, as it was imported
            geometry, points = None, np.zeros((0, 3), dtype=np.int64)
        else:
            geometry, points = self._extruded(row)
        if geometry is not None:
            obj["geometry"] = [geometry]
        return row["key"], obj, points

    def _xy(self, coords: np.ndarray) -> np.ndarray:
        if self._to_target is not None:
            coords = coords.copy()
            coords[:, 0], coords[:, 1] = self._to_target.transform(coords[:, 0], coords[:, 1])
        return coords

    def _integers(self, coords: np.ndarray) -> np.ndarray:
        return np.rint((coords - self.origin) / SCALE).astype(np.int64)

    def _surfaces(self, row: dict) -> tuple[dict, np.ndarray]:
        polygons = shapely.get_parts(shapely.from_wkb(bytes(row["model"])))
        rings = [[np.asarray(p.exterior.coords)[:-1], *(np.asarray(r.coords)[:-1] for r in p.interiors)]
                 for p in polygons]
        flat = np.concatenate([r for surface in rings for r in surface])
        points, inverse = np.unique(self._integers(self._xy(flat)), axis=0, return_inverse=True)
        boundaries, at = [], 0
        for surface in rings:
            entry = []
            for ring in surface:
                entry.append(inverse[at:at + len(ring)].ravel().tolist())
                at += len(ring)
            boundaries.append(entry)
        geometry = {"type": "MultiSurface", "lod": row["model_lod"], "boundaries": boundaries}
        if row["model_semantics"] == "source":
            kinds = sorted(set(row["model_surfaces"]))
            geometry["semantics"] = {"surfaces": [{"type": k} for k in kinds],
                                     "values": [kinds.index(t) for t in row["model_surfaces"]]}
        return geometry, points

    def _extruded(self, row: dict) -> tuple[dict | None, np.ndarray]:
        footprint = shapely.orient_polygons(shapely.from_wkb(bytes(row["footprint"])))
        ground = row["ground_elevation"] or 0.0
        low, high = ground + (row["min_height"] or 0.0), ground + row["height"]
        if not high > low:
            return None, np.zeros((0, 3), dtype=np.int64)
        shells, all_points = [], []
        for polygon in shapely.get_parts(footprint):
            rings = [np.asarray(polygon.exterior.coords)[:-1], *(np.asarray(r.coords)[:-1] for r in polygon.interiors)]
            shells.append(rings)
            all_points.extend(rings)
        flat = self._xy(np.column_stack([np.concatenate(all_points), np.zeros(sum(map(len, all_points)))]))
        points, boundaries, values, at = [], [], [], 0
        index: dict[tuple, int] = {}

        def vertex(x: float, y: float, z: float) -> int:
            key = tuple(self._integers(np.array([[x, y, z]]))[0])
            if key not in index:
                index[key] = len(points)
                points.append(key)
            return index[key]

        for rings in shells:
            placed = []
            for ring in rings:
                placed.append(flat[at:at + len(ring), :2])
                at += len(ring)
            bottom = [[vertex(x, y, low) for x, y in ring[::-1]] for ring in placed]  # facing down
            top = [[vertex(x, y, high) for x, y in ring] for ring in placed]
            shell, kinds = [bottom, top], [2, 0]
            for ring in placed:
                for (x0, y0), (x1, y1) in zip(ring, np.roll(ring, -1, axis=0), strict=True):
                    if x0 == x1 and y0 == y1:
                        continue
                    shell.append([[vertex(x0, y0, low), vertex(x1, y1, low), vertex(x1, y1, high),
                                   vertex(x0, y0, high)]])
                    kinds.append(1)
            boundaries.append([shell])
            values.append([kinds])
        surfaces = [{"type": "RoofSurface"}, {"type": "WallSurface"}, {"type": "GroundSurface"}]
        if len(boundaries) == 1:
            geometry = {"type": "Solid", "lod": "1", "boundaries": boundaries[0],
                        "semantics": {"surfaces": surfaces, "values": values[0]}}
        else:
            geometry = {"type": "CompositeSolid", "lod": "1", "boundaries": boundaries,
                        "semantics": {"surfaces": surfaces, "values": values}}
        return geometry, np.array(points, dtype=np.int64).reshape(-1, 3)


def _feature(family: list[tuple[str, dict, np.ndarray]]) -> dict:
    objects, vertices, count = {}, [], 0
    for key, obj, points in family:
        for geometry in obj.get("geometry", []):
            geometry["boundaries"] = _shift(geometry["boundaries"], count)
        objects[key] = obj
        vertices.append(points)
        count += len(points)
    root = family[0][0]
    children = [key for key, obj, _ in family[1:] if obj.get("parents") == [root]]
    if children:
        objects[root]["children"] = children
    return {"type": "CityJSONFeature", "id": root, "CityObjects": objects,
            "vertices": np.concatenate(vertices).tolist()}


def _shift(boundaries, offset: int):
    if isinstance(boundaries, list):
        return [_shift(b, offset) for b in boundaries]
    return boundaries + offset


@dataclass
class Exported:
    buildings: int
    path: Path
    crs: str

    def __str__(self) -> str:
        return f"exported {self.buildings} buildings as CityJSON {VERSION} ({self.crs}) → {self.path}"


def export(url, out, *, bbox: tuple[float, float, float, float] | None = None,
           crs_name: str | None = None) -> Exported:
    """Write the buildings (those in the lon/lat ``bbox``) to ``out``: a CityJSON document, or a
    CityJSONSeq stream when ``out`` ends in ``.jsonl``; written aside, then renamed into place."""
    out = Path(out)
    where, params = "", {}
    if bbox is not None:
        envelope = "ST_Transform(ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 4326), ST_SRID(b.footprint))"
        where = f"AND b.footprint && {envelope} AND ST_Intersects(b.footprint, {envelope})"
        params = dict(zip("wsen", bbox, strict=True))
    with database.raw_connect(url, application_name="citymodel export") as conn:
        storage = pyproj.CRS.from_wkt(conn.execute(crs_.STORAGE_WKT_SQL).fetchone()[0])
        box = conn.execute(
            f"SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT ST_Transform(ST_SetSRID("
            f"ST_Extent(b.footprint)::geometry, ST_SRID(min(b.footprint))), 4326) e FROM buildings b "
            f"WHERE b.footprint IS NOT NULL {where}) t", params).fetchone()
        if box[0] is None:
            raise CitymodelError("no buildings with footprints to export (import some, or widen --bbox)")
        centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        if crs_name:
            target = crs_.resolve(crs_name).crs
            if not target.is_projected:
                raise CitymodelError(f"--crs {crs_name}: CityJSON wants a projected CRS in metres")
        else:
            target = utm(*centre)
            area = target.area_of_use
            if box[0] < area.west - UTM_MARGIN or box[2] > area.east + UTM_MARGIN:
                raise CitymodelError(
                    f"the buildings span longitudes {box[0]:.2f}…{box[2]:.2f}, wider than one UTM zone "
                    f"({target.name}: {area.west:g}…{area.east:g}): choose a projected CRS that holds "
                    "them all with --crs, or fewer buildings with --bbox")
        x, y = pyproj.Transformer.from_crs(4326, target, always_xy=True).transform(*centre)
        writer = Writer(storage, target, (round(x), round(y), 0.0))
        cursor = conn.cursor(name="cityjson", binary=True)
        cursor.execute(BY_FAMILY.format(select=SELECT.format(where=where).replace("ORDER BY b.id", "")),
                       params)

        def rows():
            while chunk := cursor.fetchmany(5_000):
                for values in chunk:
                    yield dict(zip(COLUMNS, values, strict=True))

        out.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.")
        count = 0
        try:
            with os.fdopen(handle, "wb") as f:
                if out.name.endswith(".jsonl"):
                    f.write(orjson.dumps(writer.header()) + b"\n")
                    for feature in writer.features(rows()):
                        f.write(orjson.dumps(feature) + b"\n")
                        count += len(feature["CityObjects"])
                else:
                    document = writer.document(rows())
                    count = len(document["CityObjects"])
                    f.write(orjson.dumps(document))
            os.chmod(temporary, 0o644)
            os.replace(temporary, out)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
    return Exported(count, out, f"EPSG:{target.to_epsg()}" if target.to_epsg() else target.name)
