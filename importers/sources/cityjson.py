"""CityJSON (1.0, 1.1, 2.0) files and CityJSONSeq streams → batches of buildings with their
real surfaces.

A CityJSON file is one JSON document whose objects share one vertex list: it is read
whole (orjson; about ten times the file's size in memory at the peak). A CityJSONSeq
stream (``.city.jsonl``: a CityJSON header line, then one ``CityJSONFeature`` a line, each
with its own vertices) is read line by line: memory holds one batch, whatever its length.

What is taken: every ``Building`` and ``BuildingPart`` (other city objects are counted and
left), each with the geometry of its highest level of detail — ``Solid``, ``MultiSolid``,
``CompositeSolid``, ``MultiSurface`` or ``CompositeSurface``, its vertices through the
file's ``transform`` —, one polygon per surface (holes kept) and the surface's semantic
type where the file gives one (else :func:`citymodel.surfaces.by_orientation` tells it).
Footprints, grounds, heights and attributes then follow the rules every modelled building
follows (``importers.sources.models3d``); the file's heights are taken as in the
``height_datum`` setting. The address is the first of CityJSON 2.0's ``address`` objects
(or 1.x ``address`` attributes).

The CRS is the file's ``metadata.referenceSystem`` (a compound CRS such as EPSG:7415, RD New
+ NAP height, gives its horizontal part; heights are kept as they are) or ``--crs``; a file
that declares none is refused without ``--crs``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import orjson

from citymodel import crs, surfaces
from citymodel.crs import ResolvedCrs
from citymodel.errors import UnknownCrs
from importers.core import FileRejected
from importers.loading import Batch
from importers.sources import models3d
from importers.sources.models3d import Row, Shape

KINDS = {"Building": "building", "BuildingPart": "part"}
VERSIONS = ("1.0", "1.1", "2.0")
GEOMETRY_TYPES = ("Solid", "MultiSolid", "CompositeSolid", "MultiSurface", "CompositeSurface")
SUFFIXES = (".city.json", ".city.jsonl", ".jsonl")
BATCH_SIZE = 2_000  # buildings a batch
_EPSG = re.compile(r"EPSG(?:/\d+/|:+)(\d+)\s*$", re.IGNORECASE)
_CITYJSON = re.compile(rb'"type"\s*:\s*"CityJSON"')


def is_cityjson(path: Path) -> bool:
    """A CityJSON file or CityJSONSeq stream: by its name, or a ``.json`` by its first bytes."""
    name = path.name.lower()
    if name.endswith(SUFFIXES):
        return True
    if not name.endswith(".json"):
        return False
    try:
        with path.open("rb") as f:
            head = f.read(4096)
    except OSError:
        return False
    return bool(_CITYJSON.search(head))


class GeometryProblem(ValueError):
    """An object's geometry cannot be read; the message says where in it."""


@dataclass
class Feature:
    """A top-level city object with its parts, and the vertices they index."""

    id: str
    objects: Mapping[str, dict]
    vertices: np.ndarray  # (n, 3), real coordinates
    where: str  # "line 12, " in a CityJSONSeq stream, "" in a file


class CityJsonSource:
    """The buildings of one CityJSON file or CityJSONSeq stream."""

    def __init__(self, path: Path, *, crs_override: str | None, overrides: Mapping[str, str]):
        self.path = path
        self.skipped: Counter[str] = Counter()  # city objects of other types, by type
        try:
            self._file = path.open("rb")
        except OSError as exc:
            raise FileRejected(f"{path}: cannot be read: {exc.strerror or exc}") from None
        self.sequence = self._sniff_sequence()
        if self.sequence:
            header = self._line(self._file.readline(), 1)
            self._document = None
        else:
            try:
                header = orjson.loads(self._file.read())
            except orjson.JSONDecodeError as exc:
                raise FileRejected(f"{path}: is not valid JSON: {exc}") from None
            self._file.close()
            self._document = header
        if not isinstance(header, dict) or header.get("type") != "CityJSON":
            raise FileRejected(f"{path}: is not CityJSON (its \"type\" must be \"CityJSON\")")
        version = str(header.get("version", ""))
        if version not in VERSIONS:
            raise FileRejected(f"{path}: CityJSON version {version!r} is not supported "
                               f"(supported: {', '.join(VERSIONS)})")
        self.version = version
        self.format = f"CityJSONSeq {version}" if self.sequence else f"CityJSON {version}"
        self.scale, self.translate = _transform(header, path)
        self.crs = self._resolve_crs(header, crs_override, overrides)
        self.total = None
        if self._document is not None:
            objects = self._objects(self._document, "")
            self.total = sum(o.get("type") in KINDS for o in objects.values())

    def _sniff_sequence(self) -> bool:
        head = self._file.read(1 << 16)
        self._file.seek(0)
        if self.path.name.lower().endswith(".jsonl"):
            return True
        first = head.split(b"\n", 1)[0]
        try:  # a first line that is a whole CityJSON object, followed by more lines
            return b"\n" in head.strip() and orjson.loads(first).get("type") == "CityJSON"
        except (orjson.JSONDecodeError, AttributeError):
            return False

    def _line(self, raw: bytes, number: int) -> dict:
        try:
            value = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise FileRejected(f"{self.path}: line {number} is not valid JSON: {exc}") from None
        if not isinstance(value, dict):
            raise FileRejected(f"{self.path}: line {number} is not a JSON object")
        return value

    def _objects(self, document: dict, where: str) -> dict:
        objects = document.get("CityObjects")
        if not isinstance(objects, dict):
            raise FileRejected(f"{self.path}: {where}has no \"CityObjects\" object")
        return objects

    def _vertices(self, document: dict, where: str) -> np.ndarray:
        raw = document.get("vertices")
        if not isinstance(raw, list):
            raise FileRejected(f"{self.path}: {where}has no \"vertices\" array")
        if not raw:
            return np.zeros((0, 3))
        try:
            array = np.array(raw, dtype=float)
        except (TypeError, ValueError):
            array = None
        if array is None or array.ndim != 2 or array.shape[1] != 3 or not np.isfinite(array).all():
            raise FileRejected(f"{self.path}: {where}\"vertices\" must be a list of [x, y, z] numbers")
        return array * self.scale + self.translate

    def _resolve_crs(self, header: dict, override: str | None,
                     overrides: Mapping[str, str]) -> ResolvedCrs:
        declared = (header.get("metadata") or {}).get("referenceSystem") if isinstance(
            header.get("metadata"), dict) else None
        try:
            if override:
                resolved = crs.resolve(override, overrides)
            elif declared:
                match = _EPSG.search(str(declared))
                resolved = crs.resolve(f"EPSG:{match[1]}" if match else str(declared), overrides)
            else:
                raise FileRejected(
                    f"{self.path}: declares no coordinate system (metadata.referenceSystem): "
                    "give it with --crs (EPSG:7415 for Dutch RD New + NAP, for example)")
        except UnknownCrs as exc:
            raise FileRejected(f"{self.path}: {exc}") from None
        return crs.horizontal(resolved)

    def features(self) -> Iterator[Feature]:
        """Top-level objects with their parts, in the order of the file."""
        if self._document is not None:
            objects = self._objects(self._document, "")
            vertices = self._vertices(self._document, "")
            self._document = None  # what is left is referenced by the objects only
            done: set[str] = set()
            for key, obj in objects.items():
                parents = obj.get("parents") if isinstance(obj, dict) else None
                if key in done or (parents and any(p in objects for p in parents)):
                    continue
                family = _family(objects, key)
                done.update(family)
                yield Feature(key, {k: objects[k] for k in family}, vertices, "")
            return
        with self._file:
            for number, raw in enumerate(self._file, start=2):
                if not raw.strip():
                    continue
                line = self._line(raw, number)
                where = f"line {number}, "
                if line.get("type") != "CityJSONFeature":
                    raise FileRejected(f"{self.path}: line {number} is not a CityJSONFeature")
                objects = self._objects(line, where)
                vertices = self._vertices(line, where)
                key = str(line.get("id") or next(iter(objects), ""))
                yield Feature(key, objects, vertices, where)

    def batches(self, size: int = BATCH_SIZE) -> Iterator[Batch]:
        rows: list[Row] = []
        for feature in self.features():
            rows.extend(self._rows(feature))
            if len(rows) >= size:
                yield models3d.batch(rows)
                rows = []
        if rows:
            yield models3d.batch(rows)

    def _rows(self, feature: Feature) -> list[Row]:
        rows, by_id = [], {}
        for key, obj in feature.objects.items():
            kind = KINDS.get(obj.get("type")) if isinstance(obj, dict) else None
            if kind is None:
                self.skipped[str(obj.get("type") if isinstance(obj, dict) else "not an object")] += 1
                continue
            attributes = obj.get("attributes") if isinstance(obj.get("attributes"), dict) else {}
            row = Row(id=key, kind=kind, locator=f"{feature.where}CityObject {key!r}",
                      attributes=attributes, address=_address(obj.get("address"), attributes))
            try:
                row.shape = _shape(obj.get("geometry"), feature.vertices)
            except GeometryProblem as exc:
                row.problem = ("geometry", str(exc))
            parents = [p for p in obj.get("parents") or () if isinstance(p, str)]
            row.part_of = parents[0] if kind == "part" and parents else None  # here or elsewhere
            rows.append(row)
            by_id[key] = row
        for row in rows:  # a building without geometry of its own is made of its parts
            if row.shape is None:
                children = feature.objects[row.id].get("children") or ()
                row.parts = [by_id[c] for c in children if isinstance(c, str) and c in by_id]
        return rows


def _transform(header: dict, path: Path) -> tuple[np.ndarray, np.ndarray]:
    transform = header.get("transform")
    if transform is None:
        return np.ones(3), np.zeros(3)
    try:
        scale = np.array(transform["scale"], dtype=float)
        translate = np.array(transform["translate"], dtype=float)
        if scale.shape != (3,) or translate.shape != (3,):
            raise ValueError
    except (KeyError, TypeError, ValueError):
        raise FileRejected(f"{path}: \"transform\" must have a \"scale\" and a \"translate\" "
                           "of three numbers each") from None
    return scale, translate


def _family(objects: Mapping[str, dict], key: str) -> list[str]:
    family, queue = [], [key]
    while queue:
        k = queue.pop(0)
        if k in family or k not in objects:
            continue
        family.append(k)
        children = objects[k].get("children") if isinstance(objects[k], dict) else None
        queue.extend(c for c in children or () if isinstance(c, str))
    return family


def _lod(geometry: dict) -> float:
    try:
        return float(geometry.get("lod", 0))
    except (TypeError, ValueError):
        return 0.0


def _shape(geometries, vertices: np.ndarray) -> Shape | None:
    """The surfaces of the highest-LoD geometry of a type this reader takes, or None."""
    if geometries is None:
        return None
    if not isinstance(geometries, list):
        raise GeometryProblem("must be a list of geometry objects")
    usable = [(i, g) for i, g in enumerate(geometries)
              if isinstance(g, dict) and g.get("type") in GEOMETRY_TYPES]
    if not usable:
        return None
    vertex_count = len(vertices)
    index, geometry = max(usable, key=lambda item: _lod(item[1]))
    where = f"geometry {index} ({geometry['type']}, LoD {geometry.get('lod')})"
    depth = {"MultiSurface": 0, "CompositeSurface": 0, "Solid": 1,
             "MultiSolid": 2, "CompositeSolid": 2}[geometry["type"]]
    boundaries = geometry.get("boundaries")
    semantics = geometry.get("semantics") if isinstance(geometry.get("semantics"), dict) else {}
    values = semantics.get("values")
    kinds = semantics.get("surfaces") if isinstance(semantics.get("surfaces"), list) else []
    pairs = list(_walk(boundaries, values, depth, where))
    rings, counts, types = [], [], []
    for s, (surface, value) in enumerate(pairs):
        if not isinstance(surface, list) or not surface:
            raise GeometryProblem(f"{where}: surface {s} must be a list of rings")
        for r, ring in enumerate(surface):
            if (not isinstance(ring, list) or len(ring) < 3
                    or not all(type(v) is int and 0 <= v < vertex_count for v in ring)):
                raise GeometryProblem(
                    f"{where}: ring {r} of surface {s} must list at least 3 vertex indices "
                    f"between 0 and {vertex_count - 1}")
            rings.append([*ring, ring[0]])
        counts.append(len(surface))
        kind = None
        if type(value) is int and 0 <= value < len(kinds) and isinstance(kinds[value], dict):
            kind = kinds[value].get("type")
        types.append(kind if kind in surfaces.SURFACE_TYPES else None)
    if not rings:
        return None
    coords = vertices[np.fromiter((v for ring in rings for v in ring), dtype=np.int64)]
    return Shape(coords, [len(r) for r in rings], counts, types, str(geometry.get("lod")))


def _walk(boundaries, values, depth: int, where: str):
    """(surface, semantic value) pairs of a boundaries array ``depth`` levels above its
    surfaces, with its semantics values array alongside (null at any level: no types)."""
    if not isinstance(boundaries, list):
        kind = ["MultiSurface", "Solid", "MultiSolid"][min(depth, 2)]
        raise GeometryProblem(f"{where}: boundaries are not nested as a {kind}'s")
    if values is not None and (not isinstance(values, list) or len(values) != len(boundaries)):
        values = None  # values that do not follow the boundaries say nothing
    for k, item in enumerate(boundaries):
        value = values[k] if values is not None else None
        if depth == 0:
            yield item, value
        else:
            yield from _walk(item, value if isinstance(value, list) else None, depth - 1, where)




def _address(address, attributes: dict) -> dict | None:
    """The object's first address: a CityJSON 2.0 address object, or 1.x attributes."""
    first = address[0] if isinstance(address, list) and address else address
    if isinstance(first, dict):
        return first
    found = {k: attributes[k] for k in ("ThoroughfareName", "ThoroughfareNumber",
                                        "PostalCode", "LocalityName") if k in attributes}
    return found or None
