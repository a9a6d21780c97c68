"""The coordinate reference systems the API speaks (OGC API – Features Part 2).

CRSs are named by URI. CRS84 (longitude, latitude) is the default; EPSG:4326 is the
same datum with latitude first, as its definition says, so coordinates and ``bbox``
values in it are flipped. The storage CRS is offered too when it has an EPSG code.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from api.errors import BadRequest

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG = "http://www.opengis.net/def/crs/EPSG/0/{code}"


@dataclass(frozen=True)
class Crs:
    uri: str
    srid: int
    lat_first: bool = False  # axis order latitude, longitude (EPSG:4326)
    geographic: bool = True

    @property
    def digits(self) -> int:
        """Decimal places that keep about a centimetre."""
        return 7 if self.geographic else 3


def supported(storage_srid: int) -> dict[str, Crs]:
    """Every CRS the API serves, by URI; the default (CRS84) first."""
    crss = [
        Crs(CRS84, 4326),
        Crs(EPSG.format(code=4326), 4326, lat_first=True),
        Crs(EPSG.format(code=3857), 3857, geographic=False),
        Crs(EPSG.format(code=32637), 32637, geographic=False),
    ]
    if storage_srid < 900000 and all(c.srid != storage_srid for c in crss):
        crss.append(Crs(EPSG.format(code=storage_srid), storage_srid, geographic=False))
    return {c.uri: c for c in crss}


def storage_uri(storage_srid: int) -> str:
    """The storage CRS as published: CRS84 stands for EPSG:4326 stored longitude first."""
    return CRS84 if storage_srid == 4326 else EPSG.format(code=storage_srid)


def parse(value: str | None, crss: dict[str, Crs], parameter: str) -> Crs:
    if value is None:
        return crss[CRS84]
    value = value.strip()
    if value.startswith("[") and value.endswith("]"):  # safe CURIE form: [EPSG:4326]
        authority, _, code = value[1:-1].partition(":")
        value = CRS84 if (authority, code) == ("OGC", "CRS84") else EPSG.format(code=code)
    if value not in crss:
        raise BadRequest(f"{parameter}: unsupported CRS {value!r}; use one of: {', '.join(crss)}")
    return crss[value]


@functools.lru_cache(maxsize=32)
def domain(srid: int) -> tuple[float, float, float, float] | None:
    """Where coordinates of a CRS make sense, in its own units, longitude/easting first:
    its area of use, generously widened (projections are defined beyond it, but not to
    infinity). None when PROJ does not say."""
    import pyproj

    try:
        crs = pyproj.CRS.from_epsg(srid)
    except pyproj.exceptions.CRSError:
        return None
    area = crs.area_of_use
    if area is None:
        return None
    if crs.is_geographic:
        return -180.0, -90.0, 180.0, 90.0
    transformer = pyproj.Transformer.from_crs(4326, crs, always_xy=True)
    west, south, east, north = transformer.transform_bounds(
        max(-180, area.west - 10), max(-85, area.south - 10), min(180, area.east + 10),
        min(85, area.north + 10), densify_pts=21)
    return west, south, east, north


def check_within(crs: Crs, coordinates, parameter: str) -> None:
    """A 400 when coordinates (x, y pairs, in the CRS's x-first order) lie outside the
    CRS's domain: there PROJ cannot place them, and PostGIS would fail."""
    bounds = domain(crs.srid)
    for x, y in coordinates:
        if not (math.isfinite(x) and math.isfinite(y)):
            raise BadRequest(f"{parameter}: coordinates must be finite numbers")
        if bounds and not (bounds[0] <= x <= bounds[2] and bounds[1] <= y <= bounds[3]):
            raise BadRequest(f"{parameter}: ({x:g}, {y:g}) lies outside where {crs.uri} is defined "
                             f"(x {bounds[0]:.6g}…{bounds[2]:.6g}, y {bounds[1]:.6g}…{bounds[3]:.6g})")
