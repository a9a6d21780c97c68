"""The CRS catalogue: EPSG codes, PROJ strings and the named Russian local systems.

Rosreestr files name their coordinate system instead of coding it
(``"МСК-26 от СК-95, зона 1"``, ``"МСК - 66, зона 1"``), and the local systems
(МСК) have no EPSG codes. :func:`resolve` turns any of these into a pyproj CRS and
the SRID PostGIS knows it by; the local systems are registered in PostGIS's
``spatial_ref_sys`` under custom SRIDs (authority ``CITYMODEL``) by
:func:`register_in_postgis`.

A local system is in the catalogue only with a published definition; where the
definition was checked against independent control points, ``checked`` says how.
An unknown name is refused with a message asking for ``--crs`` — a guessed
definition would put parcels, plausibly, in the wrong place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import pyproj
from pyproj.enums import WktVersion
from pyproj.exceptions import CRSError
from sqlalchemy import Connection, text

from citymodel.errors import UnknownCrs

AUTHORITY = "CITYMODEL"

# Pulkovo 1942 → WGS 84, GOST R 51794-2008, as PROJ's own EPSG transformation
# "Pulkovo 1942 to WGS 84 (20)" (rotations in +towgs84's position-vector signs).
_SK42_TOWGS84 = "23.57,-140.95,-79.8,0,0.35,0.79,-0.22"


@dataclass(frozen=True)
class LocalCrs:
    """One local system of the catalogue."""

    name: str
    system: str  # the number after "МСК": "77", "26", "1964"
    zone: int | None  # None for single-zone systems
    srid: int  # custom SRID in PostGIS, in the user range 910000–998999
    proj: str
    bounds: tuple[float, float, float, float]  # lon/lat area of use: west, south, east, north
    source: str
    checked: str = ""  # how the definition was verified against independent points
    datum: str | None = None  # the base system the name may mention: "95" for "от СК-95"
    aliases: tuple[str, ...] = ()


CATALOGUE: tuple[LocalCrs, ...] = (
    LocalCrs(
        name="МСК-77",
        system="77",
        zone=None,
        srid=990770,
        proj=(
            "+proj=tmerc +lat_0=55.66666666667 +lon_0=37.5 +k=1 +x_0=16.098 +y_0=14.512 "
            "+ellps=bessel +towgs84=316.151,78.924,589.650,-1.57273,2.69209,2.34693,8.4507 "
            "+units=m +no_defs"
        ),
        bounds=(36.80, 55.10, 37.97, 56.03),
        source="Moscow city system (МГГТ), definition used by several public tools",
        aliases=("мггт", "московская городская система координат"),
    ),
    LocalCrs(
        name="МСК-26 от СК-95, зона 1",
        system="26",
        zone=1,
        srid=990261,
        proj=(
            "+proj=tmerc +lat_0=0 +lon_0=41.74893333333 +k=1 +x_0=1299908.678 "
            "+y_0=-4512891.651 +ellps=krass +towgs84=24.47,-130.89,-81.56,0,0,-0.13,-0.22 "
            "+units=m +no_defs"
        ),
        bounds=(40.70, 43.60, 43.60, 46.30),
        source=(
            "Stavropol krai, zone 1: axial meridian 41°44'56.16\"; false origin calibrated "
            "together with this TOWGS84 on public cadastral-map (НСПД) contours"
        ),
        checked=(
            "vertices of parcels 26:29:130106:382 and :334 from ЕГРН extracts land within "
            "0.5 m of the same parcels' contours on the public cadastral map (tests/test_crs.py)"
        ),
        datum="95",
    ),
    *(
        LocalCrs(
            name=f"МСК-50, зона {zone}",
            system="50",
            zone=zone,
            srid=990500 + zone,
            proj=(
                f"+proj=tmerc +lat_0=0 +lon_0={lon_0} +k=1 +x_0={x_0} +y_0=-5712900.566 "
                f"+ellps=krass +towgs84={_SK42_TOWGS84} +units=m +no_defs"
            ),
            bounds=bounds,
            source=f"Moscow oblast, zone {zone} (reference parameters; TOWGS84 of Pulkovo 1942)",
        )
        for zone, lon_0, x_0, bounds in (
            (1, "35.48333333333", 1250000, (35.10, 54.20, 37.00, 57.00)),
            (2, "38.48333333333", 2250000, (37.00, 54.20, 40.30, 57.00)),
        )
    ),
    LocalCrs(
        name="МСК-1964",
        system="1964",
        zone=None,
        srid=990780,
        proj=(
            "+proj=tmerc +lat_0=0 +lon_0=30 +k=1 +x_0=95942.17 +y_0=-6552810 "
            f"+ellps=krass +towgs84={_SK42_TOWGS84} +units=m +no_defs"
        ),
        bounds=(29.40, 59.60, 30.80, 60.30),
        source="St Petersburg city system 1964 (reference parameters; TOWGS84 of Pulkovo 1942)",
        aliases=("мск-64 санкт-петербург", "спб-1964"),
    ),
)


@dataclass(frozen=True)
class ResolvedCrs:
    """A CRS ready for use: pyproj's object, a display name and its PostGIS SRID."""

    name: str
    crs: pyproj.CRS
    srid: int | None  # None when PostGIS has no SRID for it (a one-off PROJ string)
    bounds: tuple[float, float, float, float] | None  # lon/lat area of use, when known

    def __str__(self) -> str:
        return self.name


def resolve(spec: str | int, overrides: Mapping[str, str] | None = None) -> ResolvedCrs:
    """Resolve an EPSG code, a catalogue name, a PROJ string or WKT.

    ``overrides`` maps catalogue names to replacement PROJ definitions (the
    ``crs_overrides`` setting), e.g. to use other TOWGS84 parameters.
    """
    if isinstance(spec, int) or (isinstance(spec, str) and spec.strip().isdigit()):
        return _from_epsg(int(spec), str(spec))
    if not isinstance(spec, str) or not spec.strip():
        raise UnknownCrs(f"no coordinate system given ({spec!r}): pass --crs")
    value = spec.strip()
    match = re.fullmatch(r"(?i)epsg\s*:\s*(\d+)", value)
    if match:
        return _from_epsg(int(match[1]), value)

    entry = find_local(value)
    if entry is not None:
        return _from_local(entry, overrides or {})
    if _looks_local(value):
        known = ", ".join(e.name for e in CATALOGUE)
        raise UnknownCrs(
            f"coordinate system {value!r} is not in the catalogue (known local systems: "
            f"{known}); pass --crs with its EPSG code or PROJ definition"
        )
    try:
        crs = pyproj.CRS.from_user_input(value)
    except CRSError:
        raise UnknownCrs(
            f"cannot resolve coordinate system {value!r}: pass --crs with an EPSG code "
            "(EPSG:32637), a catalogue name (МСК-77) or a PROJ definition"
        ) from None
    for entry in CATALOGUE:  # a file written in a catalogue system carries its WKT
        local = _from_local(entry, overrides or {})
        if crs.equals(local.crs, ignore_axis_order=True):
            return local
    code = crs.to_epsg(min_confidence=70)
    if code is not None:
        return _from_epsg(code, value)
    name = crs.name if crs.name and crs.name != "unknown" else value
    return ResolvedCrs(name=name, crs=crs, srid=None, bounds=_area_of_use(crs))


def horizontal(resolved: ResolvedCrs) -> ResolvedCrs:
    """The horizontal part of a compound or 3D CRS (EPSG:7415 → EPSG:28992): heights given in
    it are kept as they are."""
    c = resolved.crs
    if c.is_compound:
        c = c.sub_crs_list[0]
    elif len(c.axis_info) == 3:
        c = c.to_2d()
    else:
        return resolved
    code = c.to_epsg()
    return resolve(f"EPSG:{code}") if code else ResolvedCrs(c.name, c, None, resolved.bounds)


# The storage CRS as PostGIS defines it (its WKT): for reprojecting 3D models' x and y only
STORAGE_WKT_SQL = ("SELECT s.srtext FROM geometry_columns g JOIN spatial_ref_sys s ON s.srid = g.srid "
                   "WHERE g.f_table_name = 'buildings' AND g.f_geometry_column = 'footprint'")


def find_local(name: str) -> LocalCrs | None:
    """The catalogue entry a Rosreestr-style name refers to, whatever its spelling."""
    key = _normalize(name)
    for entry in CATALOGUE:
        if key in (_normalize(a) for a in (entry.name, *entry.aliases)):
            return entry
    parsed = _parse_local_name(key)
    if parsed is None:
        return None
    system, zone, datum = parsed
    for entry in CATALOGUE:
        if entry.system == system and entry.zone == zone and datum in (None, entry.datum):
            return entry
    return None


def register_in_postgis(connection: Connection, overrides: Mapping[str, str] | None = None) -> None:
    """Insert or update every catalogue system in ``spatial_ref_sys`` (idempotent)."""
    statement = text(
        "INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text) "
        "VALUES (:srid, :auth, :srid, :wkt, :proj) "
        "ON CONFLICT (srid) DO UPDATE SET auth_name = EXCLUDED.auth_name, "
        "auth_srid = EXCLUDED.auth_srid, srtext = EXCLUDED.srtext, proj4text = EXCLUDED.proj4text"
    )
    for entry in CATALOGUE:
        definition = _definition(entry, overrides or {})
        resolved = _from_local(entry, overrides or {})
        connection.execute(
            statement,
            {
                "srid": entry.srid,
                "auth": AUTHORITY,
                "wkt": resolved.crs.to_wkt(WktVersion.WKT1_GDAL),
                "proj": definition if definition.lstrip().startswith("+") else "",
            },
        )


def unregister_from_postgis(connection: Connection) -> None:
    """Remove the catalogue's systems from ``spatial_ref_sys``."""
    connection.execute(text("DELETE FROM spatial_ref_sys WHERE auth_name = :auth"), {"auth": AUTHORITY})


def _from_epsg(code: int, spec: str) -> ResolvedCrs:
    try:
        crs = pyproj.CRS.from_epsg(code)
    except CRSError:
        raise UnknownCrs(f"{spec!r} is not a known EPSG code") from None
    return ResolvedCrs(name=f"EPSG:{code}", crs=crs, srid=code, bounds=_area_of_use(crs))


def _definition(entry: LocalCrs, overrides: Mapping[str, str]) -> str:
    """The entry's PROJ definition, or its replacement from ``crs_overrides``."""
    for name, definition in overrides.items():
        if find_local(name) is entry:
            return definition
    return entry.proj


def _from_local(entry: LocalCrs, overrides: Mapping[str, str]) -> ResolvedCrs:
    try:
        crs = pyproj.CRS.from_user_input(_definition(entry, overrides))
    except CRSError as exc:
        raise UnknownCrs(f"the definition of {entry.name} does not parse: {exc}") from None
    return ResolvedCrs(name=entry.name, crs=crs, srid=entry.srid, bounds=entry.bounds)


def _area_of_use(crs: pyproj.CRS) -> tuple[float, float, float, float] | None:
    area = crs.area_of_use
    return None if area is None else (area.west, area.south, area.east, area.north)


# Latin letters that look like Cyrillic ones, as typed into names by hand.
_LOOKALIKES = str.maketrans({"m": "м", "c": "с", "k": "к", "s": "с", "e": "е", "o": "о", "a": "а"})


def _normalize(name: str) -> str:
    lowered = name.lower().replace("\u00a0", " ").replace("ё", "е")
    lowered = re.sub(r"\b(msk|mck)", lambda m: m[0].translate(_LOOKALIKES), lowered)
    lowered = re.sub(r"\bzon[ea]\b", "зона", lowered)
    return re.sub(r"[\s\-–—_,.]+", "", lowered)


def _looks_local(name: str) -> bool:
    return _normalize(name).startswith(("мск", "ск"))


def _parse_local_name(key: str) -> tuple[str, int | None, str | None] | None:
    """``мск26отск95зона1`` → ("26", 1, "95"); None when the name is no МСК name."""
    match = re.fullmatch(
        r"мск(?P<system>\d{1,4})(?:отск(?P<datum>\d{2}))?(?:зон[аы]?№?(?P<zone>\d{1,2}))?",
        key,
    )
    if match is None:
        return None
    zone = int(match["zone"]) if match["zone"] else None
    return str(int(match["system"])), zone, match["datum"]
