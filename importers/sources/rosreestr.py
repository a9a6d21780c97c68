"""Rosreestr XML: KPT v10 (кадастровый план территории) and the newer
``extract_cadastral_plan_territory``, read as a stream with a hardened parser.

Both give parcels and the buildings and constructions of a cadastral quarter.
Coordinates are in a local system named in the file (X is northing, Y easting —
never guessed from magnitudes). A contour's first ring is its outer boundary, the
others are holes; a circle (TypeUnit="Окружность", or an ordinate with a radius)
becomes a polygon. Parcels whose boundaries are not established have no
coordinates: they are read as records without geometry.

XML with a DOCTYPE is refused wherever it stands (Rosreestr files have none, and
entity declarations are how entity-expansion bombs work): the parser reads up to the
root element and asks the document whether it has one; entities are never resolved,
no DTD is loaded and nothing is fetched from the network.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from lxml import etree

from citymodel.planning import register_zone_kind
from importers.core import FileRejected
from importers.sources import safexml

KPT10 = "KPT v10 XML"
EXTRACT = "extract_cadastral_plan_territory XML"
CIRCLE_SEGMENTS = 16  # per quarter circle
KIND = "Rosreestr"  # for the DOCTYPE refusal

# Purpose of buildings (AssignationBuilding / purpose), from the register's classifier.
BUILDING_USE = {
    "204001000000": "non-residential",
    "204002000000": "residential",
    "204003000000": "apartments",
    "204004000000": "garage",
    "204005000000": "residential",  # жилое строение
    "204006000000": "residential",  # садовый дом
}


@dataclass
class RegisterObject:
    """A parcel, building or construction as the file describes it."""

    kind: str  # parcel | building | construction | zone
    cadastral_number: str  # a zone's registry number (AccountNumber)
    attrs: dict[str, Any]
    geometry: shapely.Geometry | None = None  # (Multi)Polygon in the file's CRS, x = easting
    lines: shapely.Geometry | None = None  # MultiLineString: open polylines of constructions
    points: shapely.Geometry | None = None  # MultiPoint: single points
    crs_name: str | None = None  # the coordinate system it names
    problems: list[str] = field(default_factory=list)  # geometry that cannot be built

    @property
    def locator(self) -> str:
        return f"{self.kind} {self.cadastral_number}"


def sniff(path: Path) -> str | None:
    """KPT10, EXTRACT or None, from the root element, parsed (not guessed from the first
    bytes); refuses a DOCTYPE wherever it stands before the root, however padded."""
    first = safexml.root(path, KIND)
    if first is None:
        return None
    name = etree.QName(first).localname
    if name == "extract_cadastral_plan_territory":
        return EXTRACT
    if name == "KPT":
        return KPT10
    return None


def read(path: Path, fmt: str) -> Iterator[RegisterObject]:
    """Every parcel, building and construction in the file, in file order."""
    try:
        if fmt == KPT10:
            yield from _read_kpt10(path)
        else:
            yield from _read_extract(path)
    except etree.XMLSyntaxError as exc:
        raise FileRejected(f"{path}: not well-formed XML (line {exc.lineno}): {exc.msg}") from None


def coordinate_systems(path: Path, fmt: str) -> set[str]:
    """The names of the coordinate systems the file uses, from a quick scan."""
    try:
        if fmt == KPT10:
            return {name for name in _kpt_systems(path).values() if name}
        return {el.text.strip() for _, el in _iterparse(path, "sk_id") if el.text and el.text.strip()}
    except etree.XMLSyntaxError as exc:
        raise FileRejected(f"{path}: not well-formed XML (line {exc.lineno}): {exc.msg}") from None


def _kpt_systems(path: Path) -> dict[str | None, str | None]:
    return {el.get("CsId"): el.get("Name") for _, el in _iterparse(path, "{*}CoordSystem")}


def _iterparse(path: Path, tags):
    return safexml.elements(path, tags, KIND)


_release = safexml.release


# -- KPT v10 -----------------------------------------------------------------------


def _read_kpt10(path: Path) -> Iterator[RegisterObject]:
    """Parcels, buildings, constructions and zones. The certification of the extract
    (``CertificationDoc``, which names the official who certified it) is not read."""
    systems = _kpt_systems(path)
    for _, elem in _iterparse(path, ("{*}Parcel", "{*}ObjectRealty", "{*}Zone")):
        name = etree.QName(elem).localname
        if name == "Parcel":
            yield _kpt_parcel(elem, systems)
        elif name == "Zone":
            yield _kpt_zone(elem, systems)
        else:
            for child in elem:
                kind = etree.QName(child).localname
                if kind in ("Building", "Construction", "Uncompleted"):
                    yield _kpt_building(child, kind, systems)
        _release(elem)


def _kpt_zone(elem, systems: dict) -> RegisterObject:
    """``Zones/Zone``: a zone with special conditions of use (``SpecialZone``) or a
    territorial zone (``TerritorialZone``), by its registry number (``AccountNumber``)."""
    territorial = elem.find("{*}TerritorialZone")
    uses = [u.findtext("{*}LandUse") for u in elem.iterfind("{*}TerritorialZone/{*}PermittedUses/{*}PermittedUse")]
    documents = [
        {key: doc.findtext(f"{{*}}{tag}") for key, tag in (
            ("code", "CodeDocument"), ("name", "Name"), ("series", "Series"), ("number", "Number"),
            ("date", "Date"), ("issuer", "IssueOrgan"), ("note", "Desc")) if doc.findtext(f"{{*}}{tag}")}
        for doc in elem.iterfind("{*}Documents/{*}Document")
    ]
    restrictions = elem.findtext("{*}SpecialZone/{*}ContentRestrictions")
    description = _one_line(elem.findtext("{*}Description"))
    obj = RegisterObject(
        kind="zone",
        cadastral_number=(elem.findtext("{*}AccountNumber") or "").strip(),
        attrs={
            "zone_kind": register_zone_kind(None, description, territorial is not None),
            "description": description,
            "restrictions": restrictions.strip() if restrictions else None,
            "permitted_uses": [u for u in uses if u] or None,
            "documents": [d for d in documents if d],
        },
    )
    spatials = [(None, es) for es in elem.findall("{*}EntitySpatial")]
    _attach_geometry(obj, spatials, systems, _kpt_rings, polygon_required=False)
    return _area_only(obj)


def _kpt_parcel(elem, systems: dict) -> RegisterObject:
    utilization = elem.find("{*}Utilization")
    area_unit = elem.findtext("{*}Area/{*}Unit")
    obj = RegisterObject(
        kind="parcel",
        cadastral_number=elem.get("CadastralNumber", ""),
        attrs={
            "state": elem.get("State"),
            "registered_on": elem.get("DateCreated"),
            "declared_area_m2": _area_m2(elem.findtext("{*}Area/{*}Area"), area_unit),
            "parcel_type": elem.findtext("{*}Name"),
            "address": _kpt_address(elem.find("{*}Location/{*}Address")),
            "land_category": elem.findtext("{*}Category"),
            "permitted_use": utilization.get("Utilization") if utilization is not None else None,
            "permitted_use_text": utilization.get("ByDoc") if utilization is not None else None,
            "cadastral_value": _attr(elem.find("{*}CadastralCost"), "Value"),
        },
    )
    spatials = [(None, es) for es in elem.findall("{*}EntitySpatial")]
    spatials += [
        (contour.get("NumberRecord"), contour.find("{*}EntitySpatial"))
        for contour in elem.findall("{*}Contours/{*}Contour")
    ]
    _attach_geometry(obj, [(n, es) for n, es in spatials if es is not None], systems, _kpt_rings,
                     polygon_required=True)
    return obj


def _kpt_building(elem, kind: str, systems: dict) -> RegisterObject:
    obj = RegisterObject(
        kind="building" if kind == "Building" else "construction",
        cadastral_number=elem.get("CadastralNumber", ""),
        attrs={
            "use": BUILDING_USE.get(elem.findtext("{*}AssignationBuilding") or "")
            or _one_line(elem.findtext("{*}AssignationName")),
            "address": _kpt_address(elem.find("{*}Address")),
            "levels": elem.findtext(".//{*}Floors"),
            "year_built": elem.findtext(".//{*}YearBuilt"),
        },
    )
    spatials = [(None, es) for es in elem.findall("{*}EntitySpatial")]
    spatials += [(part.get("CadastralNumber"), es)  # parts of a linear construction
                 for part in elem.findall("{*}ConditionalPartLinear")
                 for es in part.findall("{*}EntitySpatial")]
    _attach_geometry(obj, spatials, systems, _kpt_rings, polygon_required=False)
    return obj


def _kpt_rings(entity_spatial) -> list[list[tuple[float, float]] | shapely.Geometry]:
    rings = []
    for element in entity_spatial.iterfind("{*}SpatialElement"):
        units = element.findall("{*}SpelementUnit")
        if len(units) == 1 and units[0].get("TypeUnit") == "Окружность":
            ordinate = units[0].find("{*}Ordinate")
            radius = units[0].findtext("{*}R")
            rings.append(_circle(ordinate.get("X"), ordinate.get("Y"), radius))
            continue
        rings.append([
            (float(o.get("Y")), float(o.get("X")))  # X is northing, Y is easting
            for unit in units for o in unit.iterfind("{*}Ordinate")
        ])
    return rings


def _kpt_address(address) -> str | None:
    if address is None:
        return None
    note = address.findtext("{*}Note")
    if note:
        return " ".join(note.split())
    parts = []
    for child in address:
        name = etree.QName(child).localname
        if name in ("OKATO", "KLADR", "OKTMO", "PostalCode", "Region"):
            continue
        value = child.get("Name") or child.get("Value") or (child.text or "").strip()
        if value:
            parts.append(f"{child.get('Type', '')} {value}".strip())
    return ", ".join(parts) or None


# -- extract_cadastral_plan_territory --------------------------------------------


def _read_extract(path: Path) -> Iterator[RegisterObject]:
    records = ("land_record", "build_record", "construction_record", "zones_and_territories_record")
    for _, elem in _iterparse(path, records):
        if elem.tag == "zones_and_territories_record":
            yield _extract_zone(elem)
            _release(elem)
            continue
        kind = {"land_record": "parcel", "build_record": "building"}.get(elem.tag, "construction")
        number = elem.findtext("object/common_data/cad_number") or ""
        if kind == "parcel":
            attrs = {
                "registered_on": elem.findtext("record_info/registration_date"),
                "declared_area_m2": elem.findtext("params/area/value"),
                "parcel_type": elem.findtext("object/subtype/code"),
                "address": _extract_address(elem),
                "land_category": elem.findtext("params/category/type/code"),
                "permitted_use": elem.findtext(
                    "params/permitted_use/permitted_use_established/land_use/code"),
                "permitted_use_text": elem.findtext(
                    "params/permitted_use/permitted_use_established/by_document"),
                "cadastral_value": elem.findtext("cost/value"),
            }
        else:
            attrs = {
                "use": BUILDING_USE.get(elem.findtext("params/purpose/code") or ""),
                "address": _extract_address(elem),
                "levels": elem.findtext("params/floors"),
                "year_built": elem.findtext("params/year_built"),
            }
        obj = RegisterObject(kind=kind, cadastral_number=number, attrs=attrs)
        spatials = [
            (contour.findtext("number_pp"), contour.find("entity_spatial"))
            for contour in elem.findall("contours_location/contours/contour")
        ]
        _attach_geometry(obj, [(n, es) for n, es in spatials if es is not None], None,
                         _extract_rings, polygon_required=kind == "parcel")
        yield obj
        _release(elem)


def _extract_zone(elem) -> RegisterObject:
    """``zones_and_territories_record``: a zone by its registry number, its kind from the
    zone type classifier (``type_zone/code``)."""
    head = "b_object_zones_and_territories/"
    type_name = _one_line(elem.findtext(head + "type_zone/value"))
    description = _one_line(elem.findtext(head + "description")) or type_name
    obj = RegisterObject(
        kind="zone",
        cadastral_number=(elem.findtext(head + "b_object/reg_numb_border") or "").strip(),
        attrs={
            "zone_kind": register_zone_kind(elem.findtext(head + "type_zone/code"), description),
            "description": description,
            "restrictions": _one_line(elem.findtext(head + "content_restrict_encumbrances")),
            "permitted_uses": None,
            "documents": [],
        },
    )
    spatials = [(contour.findtext("number_pp"), contour.find("entity_spatial"))
                for contour in elem.findall("b_contours_location/contours/contour")]
    _attach_geometry(obj, [(n, es) for n, es in spatials if es is not None], None,
                     _extract_rings, polygon_required=False)
    return _area_only(obj)


def _extract_rings(entity_spatial) -> list:
    rings = []
    for element in entity_spatial.iterfind("spatials_elements/spatial_element"):
        ordinates = element.findall("ordinates/ordinate")
        if len(ordinates) == 1 and ordinates[0].findtext("r"):
            o = ordinates[0]
            rings.append(_circle(o.findtext("x"), o.findtext("y"), o.findtext("r")))
            continue
        rings.append([(float(o.findtext("y")), float(o.findtext("x"))) for o in ordinates])
    return rings


def _extract_address(elem) -> str | None:
    text = elem.findtext("address_location/address/readable_address")
    return " ".join(text.split()) if text else None


# -- shared ------------------------------------------------------------------------


def _attach_geometry(obj: RegisterObject, spatials, systems, rings_of, *, polygon_required: bool):
    """Build the object's geometry; problems are kept on the object, not raised.

    A parcel's contour is a polygon: its first ring the outer boundary, the others holes;
    a ring that is not closed is a problem. A building's or construction's spatial
    elements are taken one by one, as the file gives them: closed rings make polygons (a
    ring inside the one before is its hole), open polylines make lines, single points
    make points — a construction is never refused for being linear.
    """
    polygons, lines, points = [], [], []
    for contour, entity_spatial in spatials:
        name = (systems or {}).get(entity_spatial.get("EntSys")) if systems is not None \
            else entity_spatial.findtext("sk_id")
        if name:
            obj.crs_name = name
        elif systems is not None and entity_spatial.get("EntSys"):
            obj.problems.append(f"coordinate system {entity_spatial.get('EntSys')!r} is not described in the file")
        where = f"contour {contour}" if contour else "boundary"
        try:
            rings = rings_of(entity_spatial)
        except (TypeError, ValueError):
            obj.problems.append(f"{where}: a coordinate is missing or not a number")
            continue
        if not rings:
            continue
        if polygon_required:
            polygon = _parcel_polygon(rings, where, obj.problems)
            if polygon is not None:
                polygons.append(polygon)
        else:
            _object_parts(rings, polygons, lines, points)
    if polygons:
        obj.geometry = polygons[0] if len(polygons) == 1 else shapely.MultiPolygon(
            [p for polygon in polygons for p in shapely.get_parts(polygon)])
    if lines:
        obj.lines = shapely.MultiLineString(lines)
    if points:
        obj.points = shapely.MultiPoint(points)


def _parcel_polygon(rings, where: str, problems: list[str]) -> shapely.Geometry | None:
    shell, *holes = rings
    if isinstance(shell, shapely.Geometry):  # a circle
        return shell
    if len(shell) < 2 or shell[0] != shell[-1]:
        problems.append(f"{where}: the outer ring is not closed (first point ≠ last)")
        return None
    if len(shell) < 4 or any(not isinstance(h, shapely.Geometry) and len(h) < 4 for h in holes):
        problems.append(f"{where}: a ring has fewer than 4 points")
        return None
    hole_rings = [shapely.get_coordinates(h.exterior) if isinstance(h, shapely.Geometry) else h
                  for h in holes]
    return shapely.Polygon(shell, hole_rings)


def _object_parts(rings, polygons: list, lines: list, points: list) -> None:
    """Sort one EntitySpatial's elements of a building or construction into parts."""
    shell, holes = None, []

    def close_polygon():
        if shell is not None:
            polygons.append(shapely.Polygon(shell, holes))

    for ring in rings:
        if isinstance(ring, shapely.Geometry):  # a circle: a polygon of its own
            polygons.append(ring)
            continue
        distinct = list(dict.fromkeys(ring))
        if len(distinct) == 1:
            points.append(distinct[0])
        elif len(ring) >= 4 and ring[0] == ring[-1] and len(distinct) >= 3:
            candidate = shapely.Polygon(ring)
            if shell is not None and shapely.contains(shapely.Polygon(shell), candidate):
                holes.append(ring)
            else:
                close_polygon()
                shell, holes = ring, []
        else:  # an open polyline (or a closed one too thin to enclose anything)
            lines.append(ring)
    close_polygon()


def _area_only(zone: RegisterObject) -> RegisterObject:
    """A zone is an area: an open line or a lone point in its boundary is a problem."""
    if zone.lines is not None or zone.points is not None:
        zone.problems.append("boundary: a ring is not closed (first point ≠ last): a zone is an area")
        zone.lines = zone.points = None
    return zone


def _circle(x: str | None, y: str | None, radius: str | None) -> shapely.Geometry:
    return shapely.Point(float(y), float(x)).buffer(float(radius), quad_segs=CIRCLE_SEGMENTS)


def _area_m2(value: str | None, unit: str | None) -> str | None:
    if value is None or unit in (None, "055"):  # 055: m²
        return value
    factors = {"059": 10_000, "061": 1_000_000}  # 059: hectare, 061: km²
    if unit in factors:
        return str(float(value.replace(",", ".")) * factors[unit])
    return value


def _one_line(value: str | None) -> str | None:
    return " ".join(value.split()) or None if value else None


def _attr(elem, name: str) -> str | None:
    return elem.get(name) if elem is not None else None
