"""CityGML 2.0 (and 1.0) files → batches of buildings with their real surfaces, streamed.

The file is read building by building (lxml's hardened streaming parser: no DTD, no
entities, nothing fetched; a DOCTYPE refuses the file), so memory holds one batch
whatever the file's size. For every ``bldg:Building`` and each of its
``bldg:BuildingPart``s (a part is a row of its own, ``part_of`` its building):

- **surfaces**: the geometry of its highest level of detail. Where the object has a
  ``lodNSolid`` or ``lodNMultiSurface`` at that LoD, its polygons are the surfaces
  (``xlink:href`` references resolved to the polygons they name within the building, as
  the German state models and most exporters write them); else the polygons of its
  thematic surfaces at that LoD. A polygon's type is that of the thematic surface
  (``bldg:boundedBy``) holding it — ``RoofSurface``, ``WallSurface``, ``GroundSurface``,
  ``ClosureSurface``, ``OuterCeilingSurface``, ``OuterFloorSurface``, and windows and
  doors; an Application Domain Extension's subtype (``…RoofSurface``) counts as its
  base type — else it is told by its orientation;
- **attributes**: the building's CityGML properties (``class``, ``function``, ``usage``,
  ``yearOfConstruction``, ``roofType``, ``measuredHeight``, ``storeysAboveGround`` …),
  its generic attributes (``gen:*Attribute``, typed) and ``gml:name``, by their names, as
  CityJSON names them; the first address (xAL: street, number, postcode, locality).
  Nothing of an Application Domain Extension is read but its surfaces' geometry.

Then the rules every modelled building follows (``importers.sources.models3d``). The CRS is
the file's first ``srsName`` (``EPSG:25832``, ``urn:ogc:def:crs,crs:EPSG::25832,…``, the
German ``urn:adv:crs:ETRS89_UTM32*…``: the horizontal part; heights are kept) or
``--crs``; a file that names none is refused without ``--crs``. An object without a
``gml:id`` is refused (the id identifies the building); a part without one is named
after its building.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
from lxml import etree

from citymodel import crs, surfaces
from citymodel.crs import ResolvedCrs
from citymodel.errors import UnknownCrs
from importers.core import FileRejected
from importers.loading import Batch
from importers.sources import models3d, safexml
from importers.sources.models3d import Row, Shape

BUILDING_NS = ("http://www.opengis.net/citygml/building/2.0", "http://www.opengis.net/citygml/building/1.0")
GML = "http://www.opengis.net/gml"
XLINK = "http://www.w3.org/1999/xlink"
SUFFIXES = (".gml", ".citygml", ".xml")
KIND = "CityGML"
BATCH_SIZE = 2_000
PROPERTIES = ("class", "function", "usage", "yearOfConstruction", "yearOfDemolition", "roofType",
              "measuredHeight", "storeysAboveGround", "storeysBelowGround",
              "storeyHeightsAboveGround", "storeyHeightsBelowGround")
NUMBERS = {"yearOfConstruction", "yearOfDemolition", "measuredHeight", "storeysAboveGround",
           "storeysBelowGround", "storeyHeightsAboveGround", "storeyHeightsBelowGround"}
_LOD = re.compile(r"lod(\d)(Solid|MultiSurface|CompositeSurface|MultiSolid)$")
_SURFACE_LOD = re.compile(r"lod(\d)MultiSurface$")
_EPSG = re.compile(r"EPSG:(?:[\d.]*:)*:?(\d+)", re.IGNORECASE)
_ADV_UTM = re.compile(r"ETRS89_UTM(\d\d)", re.IGNORECASE)
_ID = f"{{{GML}}}id"
_HREF = f"{{{XLINK}}}href"
_TOP = [f"{{{ns}}}Building" for ns in BUILDING_NS]


def is_citygml(path: Path) -> bool:
    """A CityGML file, by its root element (``CityModel``); refuses a DOCTYPE."""
    if not path.name.lower().endswith(SUFFIXES):
        return False
    first = safexml.root(path, KIND)
    return first is not None and etree.QName(first).localname == "CityModel"


class GeometryProblem(ValueError):
    pass


class CityGmlSource:
    """The buildings of one CityGML file."""

    def __init__(self, path: Path, *, crs_override: str | None, overrides: Mapping[str, str]):
        self.path = path
        self.skipped: Counter[str] = Counter()
        root = safexml.root(path, KIND)
        namespace = etree.QName(root).namespace or ""
        self.version = namespace.rsplit("/", 1)[-1] if namespace.startswith("http://www.opengis.net/citygml/") else "?"
        self.format = f"CityGML {self.version}"
        self.crs = self._resolve_crs(crs_override, overrides)
        self.total = None

    def _resolve_crs(self, override: str | None, overrides: Mapping[str, str]) -> ResolvedCrs:
        declared = None
        if not override:
            try:
                for _, elem in safexml.parser(self.path, events=("start",)):
                    declared = elem.get("srsName")
                    if declared:
                        break
            except etree.XMLSyntaxError as exc:
                raise FileRejected(f"{self.path}: not well-formed XML (line {exc.lineno}): {exc.msg}") from None
        try:
            if override:
                return crs.horizontal(crs.resolve(override, overrides))
            if not declared:
                raise FileRejected(f"{self.path}: names no coordinate system (srsName): give it with --crs")
            return crs.horizontal(crs.resolve(_srs(declared), overrides))
        except UnknownCrs as exc:
            raise FileRejected(f"{self.path}: {exc}") from None

    def batches(self, size: int = BATCH_SIZE) -> Iterator[Batch]:
        rows: list[Row] = []
        try:
            for _, elem in safexml.elements(self.path, _TOP, KIND):
                if _local(elem.getparent()) == "consistsOfBuildingPart":
                    continue  # a part: read with its building
                rows.extend(self._rows(elem))
                safexml.release(elem)
                if len(rows) >= size:
                    yield models3d.batch(rows)
                    rows = []
        except etree.XMLSyntaxError as exc:
            raise FileRejected(f"{self.path}: not well-formed XML (line {exc.lineno}): {exc.msg}") from None
        if rows:
            yield models3d.batch(rows)

    def _rows(self, building) -> list[Row]:
        polygons = {p.get(_ID): p for p in building.iter(f"{{{GML}}}Polygon") if p.get(_ID)}
        rows = []
        key = building.get(_ID)
        top = self._row(building, key, "building", None, polygons)
        rows.append(top)
        parts = []
        for n, part in enumerate(_own(building, "BuildingPart"), start=1):
            part_key = part.get(_ID) or f"{key}-part-{n}"
            row = self._row(part, part_key, "part", key, polygons)
            rows.append(row)
            parts.append(row)
        if top.shape is None:
            top.parts = parts
        return rows

    def _row(self, obj, key: str | None, kind: str, part_of: str | None, polygons: dict) -> Row:
        name = "Building" if kind == "building" else "BuildingPart"
        row = Row(id=key or "", kind=kind, part_of=part_of,
                  locator=f"{name} {key!r} (line {obj.sourceline})" if key else f"{name} at line {obj.sourceline}",
                  attributes=_attributes(obj), address=_address(obj))
        if not key:
            row.problem = ("gml:id", "a value is required: it identifies the building")
            return row
        try:
            row.shape = _shape(obj, polygons)
        except GeometryProblem as exc:
            row.problem = ("geometry", str(exc))
        return row


def _srs(name: str) -> str:
    """An srsName as the CRS catalogue takes it: the first EPSG code, an ADV UTM zone."""
    match = _EPSG.search(name)
    if match:
        return f"EPSG:{match[1]}"
    match = _ADV_UTM.search(name)
    if match:
        return f"EPSG:258{match[1]}"  # ETRS89 / UTM zone N
    return name


def _local(elem) -> str:
    return etree.QName(elem).localname if elem is not None and isinstance(elem.tag, str) else ""


def _own(obj, localname: str | None = None):
    """The object's descendants, leaving out those of its building parts."""
    stack = list(obj)
    while stack:
        elem = stack.pop(0)
        if not isinstance(elem.tag, str):
            continue
        name = _local(elem)
        if name == "consistsOfBuildingPart":
            if localname == "BuildingPart":
                yield from (p for p in elem if _local(p) == "BuildingPart")
            continue
        if localname is None or name == localname:
            yield elem
        stack[0:0] = list(elem)


def _surface_type(name: str) -> str | None:
    for kind in surfaces.SURFACE_TYPES:  # an ADE's subtype (IndustrialBuildingRoofSurface) too
        if name == kind or name.endswith(kind):
            return kind
    return None


def _shape(obj, polygons: dict) -> Shape | None:
    own = list(_own(obj))
    direct: dict[int, list] = {}  # LoD → polygon elements of the object's own geometry
    thematic: dict[int, list] = {}  # LoD → (type, polygon) of its thematic surfaces
    typed: dict[str, str] = {}  # polygon id → type
    for elem in own:
        name = _local(elem)
        match = _LOD.match(name)
        parent = _local(elem.getparent())
        kind = _surface_type(parent)
        if match and kind is not None and _SURFACE_LOD.match(name):
            for polygon in _polygons(elem, polygons):
                thematic.setdefault(int(match[1]), []).append((kind, polygon))
                if polygon.get(_ID):
                    typed[polygon.get(_ID)] = kind
        elif match and kind is None and parent in ("Building", "BuildingPart"):
            direct.setdefault(int(match[1]), []).extend(_polygons(elem, polygons))
    lods = set(direct) | set(thematic)
    if not lods:
        return None
    lod = max(lods)
    if direct.get(lod):
        chosen = [(typed.get(p.get(_ID)), p) for p in direct[lod]]
    else:
        chosen = thematic[lod]
    coords, ring_sizes, surface_rings, types = [], [], [], []
    for kind, polygon in chosen:
        rings = _rings(polygon)
        for ring in rings:
            coords.append(ring)
            ring_sizes.append(len(ring))
        surface_rings.append(len(rings))
        types.append(kind)
    return Shape(np.concatenate(coords), ring_sizes, surface_rings, types, str(lod))


def _polygons(geometry, polygons: dict) -> list:
    """The polygons of a geometry property, ``xlink:href`` references resolved."""
    found = []
    for elem in geometry.iter():
        if not isinstance(elem.tag, str):
            continue
        href = elem.get(_HREF)
        if href:
            target = polygons.get(href.lstrip("#"))
            if target is None:
                raise GeometryProblem(f"{_local(elem)} refers to {href!r}, which is not a polygon "
                                      "of this building")
            found.append(target)
        elif _local(elem) == "Polygon":
            found.append(elem)
    return found


def _rings(polygon) -> list[np.ndarray]:
    rings = []
    for boundary in polygon:
        if _local(boundary) not in ("exterior", "interior", "outerBoundaryIs", "innerBoundaryIs"):
            continue
        ring = next((r for r in boundary if _local(r) == "LinearRing"), None)
        if ring is None:
            raise GeometryProblem(f"polygon {polygon.get(_ID) or ''} (line {polygon.sourceline}): "
                                  "a boundary that is not a LinearRing")
        points = _points(ring)
        if len(points) < 4 or not np.array_equal(points[0], points[-1]):
            raise GeometryProblem(f"polygon {polygon.get(_ID) or ''} (line {polygon.sourceline}): a ring "
                                  "must have at least 4 points, the last the same as the first")
        if _local(boundary) in ("exterior", "outerBoundaryIs"):
            rings.insert(0, points)
        else:
            rings.append(points)
    if not rings:
        raise GeometryProblem(f"polygon {polygon.get(_ID) or ''} (line {polygon.sourceline}) has no exterior")
    return rings


def _points(ring) -> np.ndarray:
    where = f"line {ring.sourceline}"
    pos_list = next((e for e in ring if _local(e) == "posList"), None)
    if pos_list is not None:
        values = _numbers(pos_list.text, where)
        dimension = int(pos_list.get("srsDimension") or _dimension(ring) or 3)
    else:
        values = []
        for pos in (e for e in ring if _local(e) == "pos"):
            values += _numbers(pos.text, where)
        dimension = 3
    if dimension != 3 or len(values) % 3:
        raise GeometryProblem(f"{where}: coordinates must be x y z triples")
    return np.array(values, dtype=float).reshape(-1, 3)


def _dimension(elem) -> str | None:
    while elem is not None:
        if elem.get("srsDimension"):
            return elem.get("srsDimension")
        elem = elem.getparent()
    return None


def _numbers(text: str | None, where: str) -> list[float]:
    try:
        values = [float(v) for v in (text or "").split()]
    except ValueError:
        raise GeometryProblem(f"{where}: coordinates that are not numbers") from None
    if not all(math.isfinite(v) for v in values):
        raise GeometryProblem(f"{where}: coordinates that are not finite")
    return values


def _attributes(obj) -> dict:
    attributes: dict = {}
    for elem in obj:
        if not isinstance(elem.tag, str):
            continue
        name, namespace = _local(elem), etree.QName(elem).namespace
        text = (elem.text or "").strip()
        if namespace == GML and name == "name" and text:
            attributes.setdefault("name", text)
        elif namespace in BUILDING_NS and name in PROPERTIES and text:
            attributes[name] = _number(text) if name in NUMBERS else text
        elif name.endswith("Attribute") and elem.get("name"):
            value = next((v for v in elem if _local(v) == "value"), None)
            if value is not None and value.text is not None:
                raw = value.text.strip()
                attributes[elem.get("name")] = (_number(raw) if name in ("intAttribute", "doubleAttribute",
                                                                         "measureAttribute") else raw)
    return attributes


def _number(text: str):
    try:
        value = float(text)
    except ValueError:
        return text  # kept as written; the column's parser says what is wrong with it
    return int(value) if value.is_integer() and "." not in text else value


def _address(obj) -> dict | None:
    for prop in obj:
        if _local(prop) != "address":
            continue
        found = {}
        for elem in prop.iter():
            name = _local(elem)
            if name in ("ThoroughfareName", "ThoroughfareNumber", "LocalityName") and elem.text:
                found.setdefault(name, elem.text.strip())
            elif name == "PostalCodeNumber" and elem.text:
                found.setdefault("PostalCode", elem.text.strip())
        if found:
            return found
    return None
