"""Polygon checks and reprojection, on whole arrays of geometries at once (shapely 2).

For each batch: decode, check the type, repair what ``make_valid`` can repair
without changing the shape (still polygonal, area within ``area_tolerance``),
reject the rest with GEOS's reason, reproject to the storage CRS with pyproj, and
reject geometries far outside the source CRS's area of use — the sign of
coordinates in another CRS than the one declared. A feature whose cadastral (or
registry) number names a region is held to that region's box instead
(``citymodel.regions``), which also catches swapped axes and wrong UTM zones that land
inside a CRS's area of use.

Lines and points (the open polylines and single points of Rosreestr constructions) go
through :meth:`PolygonCleaner.place` only: the same position checks and reprojection.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyproj
import shapely
from shapely import GeometryType

from citymodel import regions as regions_
from citymodel.crs import ResolvedCrs

POLYGONAL = (GeometryType.POLYGON, GeometryType.MULTIPOLYGON)
AREA_OF_USE_MARGIN_DEG = 1.0  # how far outside the area of use still counts as near


@dataclass
class Cleaned:
    """A batch's result: storage-CRS geometries (None where missing or rejected)."""

    geometries: np.ndarray  # object array of shapely geometries or None
    rejects: list[tuple[int, str]]  # (index in batch, reason)
    repaired: int = 0


class PolygonCleaner:
    """Validates and reprojects polygon batches from one source CRS to the storage CRS."""

    def __init__(self, source: ResolvedCrs, storage: ResolvedCrs, *, area_tolerance: float = 0.01):
        self.source = source
        self.storage = storage
        self.area_tolerance = area_tolerance
        self.to_storage = pyproj.Transformer.from_crs(source.crs, storage.crs, always_xy=True)
        self.to_lonlat = pyproj.Transformer.from_crs(source.crs, 4326, always_xy=True)

    def clean(self, geoms: np.ndarray, regions: list | None = None) -> Cleaned:
        """Check, repair and place polygons; ``regions`` are the okrug codes their numbers
        name (``citymodel.regions.region_code``), or None."""
        geoms = np.asarray(geoms, dtype=object).copy()
        rejects: list[tuple[int, str]] = []
        drop = _dropper(geoms, rejects)

        present = ~shapely.is_missing(geoms)
        types = shapely.get_type_id(geoms)
        drop(present & ~np.isin(types, POLYGONAL),
             lambda i: f"expected a Polygon or MultiPolygon, got a {geoms[i].geom_type}")
        present = ~shapely.is_missing(geoms)
        drop(present & shapely.is_empty(geoms), "the geometry is empty")
        drop(_nonfinite(geoms), "the geometry has coordinates that are not finite numbers")

        repaired = 0
        present = ~shapely.is_missing(geoms)
        invalid = present & ~shapely.is_valid(geoms)
        for i in np.flatnonzero(invalid):
            fixed = _polygonal_part(shapely.make_valid(geoms[i]))
            before, after = abs(shapely.area(geoms[i])), shapely.area(fixed) if fixed else 0.0
            if fixed is not None and before > 0 and abs(after - before) <= self.area_tolerance * before:
                geoms[i] = fixed
                repaired += 1
            else:
                rejects.append((int(i), f"invalid polygon: {shapely.is_valid_reason(geoms[i])}"))
                geoms[i] = None

        self._place(geoms, drop, regions)
        rejects.sort()
        return Cleaned(geoms, rejects, repaired)

    def place(self, geoms: np.ndarray, regions: list | None = None) -> Cleaned:
        """Position checks and reprojection only, for geometries of any type."""
        geoms = np.asarray(geoms, dtype=object).copy()
        rejects: list[tuple[int, str]] = []
        drop = _dropper(geoms, rejects)

        drop(_nonfinite(geoms), "the geometry has coordinates that are not finite numbers")
        self._place(geoms, drop, regions)
        rejects.sort()
        return Cleaned(geoms, rejects)

    def _place(self, geoms: np.ndarray, drop, regions: list | None) -> None:
        self._check_area_of_use(geoms, drop, regions)
        present = ~shapely.is_missing(geoms)
        if self.storage.crs != self.source.crs and present.any():
            geoms[present] = shapely.transform(geoms[present], self._reproject, include_z=None)
            drop(_nonfinite(geoms), "the geometry cannot be reprojected to the storage CRS")

    def _reproject(self, coords: np.ndarray) -> np.ndarray:
        """x, y to the storage CRS; heights (a 3D model's) kept as they are: they are in the
        height datum of the settings, not above an ellipsoid a datum shift would move."""
        x, y = self.to_storage.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y, *coords[:, 2:].T])

    def _check_area_of_use(self, geoms: np.ndarray, drop, regions: list | None = None) -> None:
        bounds = self.source.bounds
        present = ~shapely.is_missing(geoms)
        if not present.any():
            return
        centers = shapely.get_coordinates(shapely.centroid(geoms[present]))
        with np.errstate(invalid="ignore"):
            lon, lat = self.to_lonlat.transform(centers[:, 0], centers[:, 1])
        lon, lat = np.asarray(lon), np.asarray(lat)
        where = np.flatnonzero(present)
        codes = [regions[i] if regions is not None else None for i in where]
        regional = np.array([code is not None for code in codes], dtype=bool)
        bad = ~(np.isfinite(lon) & np.isfinite(lat) & (np.abs(lon) <= 180) & (np.abs(lat) <= 90))
        if bounds is not None:
            west, south, east, north = bounds
            m = AREA_OF_USE_MARGIN_DEG
            outside = (lon < west - m) | (lon > east + m) | (lat < south - m) | (lat > north + m)
            bad |= outside
        area = (f"the area of use of {self.source.name} ({_fmt_bounds(bounds)})"
                if bounds else f"valid longitudes and latitudes of {self.source.name}")
        if regional.any():  # held to the region their number names
            misplaced = {}
            code_array = np.array(codes, dtype=object)
            for code in set(code_array[regional]):
                of_region = np.flatnonzero(code_array == code)
                inside = regions_.REGIONS[code].contains(lon[of_region], lat[of_region])
                for k in of_region[~inside]:
                    why = regions_.misplaced(code, float(lon[k]), float(lat[k]), self.source.name)
                    if bad[k]:
                        why += f" (it is also far outside {area})"
                    misplaced[int(where[k])] = why
            mask = np.zeros(len(geoms), dtype=bool)
            mask[list(misplaced)] = True
            drop(mask, lambda i: misplaced[i])
        bad &= ~regional
        mask = np.zeros(len(geoms), dtype=bool)
        mask[where[bad]] = True
        lookup = dict(zip(where[bad], zip(lon[bad], lat[bad], strict=True), strict=True))

        def reason(i):
            x, y = lookup[i]
            at = f"lon {x:.3f}, lat {y:.3f}" if np.isfinite(x) and np.isfinite(y) else "no valid position"
            return (f"the geometry lies at {at}, far outside {area}: are the coordinates in "
                    "another CRS than the file declares (--crs)?")

        drop(mask, reason)


def _dropper(geoms: np.ndarray, rejects: list[tuple[int, str]]):
    """``drop(mask, reason)``: reject the masked geometries (reason: text, or i → text)."""
    def drop(mask: np.ndarray, reason) -> None:
        for i in np.flatnonzero(mask):
            rejects.append((int(i), reason(i) if callable(reason) else reason))
            geoms[i] = None
    return drop


def decode_wkb(wkb: np.ndarray) -> tuple[np.ndarray, list[tuple[int, str]]]:
    """WKB → geometries; undecodable ones (a ring of three points…) with GEOS's reason."""
    geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    failures = []
    for i in np.flatnonzero(shapely.is_missing(geoms) & ~_is_none(wkb)):
        try:
            shapely.from_wkb(wkb[i])
            reason = "the geometry cannot be read"
        except shapely.errors.GEOSException as exc:
            reason = f"the geometry cannot be read: {exc}"
        failures.append((int(i), reason))
    return geoms, failures


def to_hex_ewkb(geoms: np.ndarray, srid: int) -> np.ndarray:
    """Geometries as hex EWKB strings for COPY (None stays None)."""
    out = np.full(len(geoms), None, dtype=object)
    present = ~shapely.is_missing(geoms)
    if present.any():
        with_srid = shapely.set_srid(geoms[present], srid)
        out[present] = shapely.to_wkb(with_srid, hex=True, include_srid=True)
    return out


def _polygonal_part(geom) -> shapely.Geometry | None:
    parts = shapely.get_parts(geom)
    polygons = [p for p in parts if shapely.get_type_id(p) in POLYGONAL]
    for p in parts:  # a GeometryCollection may hold MultiPolygons
        if shapely.get_type_id(p) == GeometryType.GEOMETRYCOLLECTION:
            polygons.extend(q for q in shapely.get_parts(p) if shapely.get_type_id(q) in POLYGONAL)
    if not polygons:
        return None
    flat = [q for p in polygons for q in shapely.get_parts(p)]
    return flat[0] if len(flat) == 1 else shapely.MultiPolygon(flat)


def _is_none(values: np.ndarray) -> np.ndarray:
    return np.equal(values, None)


def _nonfinite(geoms: np.ndarray) -> np.ndarray:
    """Which geometries have a NaN or infinite coordinate."""
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    mask = np.zeros(len(geoms), dtype=bool)
    mask[index[~np.isfinite(coords).all(axis=1)]] = True
    return mask


def _fmt_bounds(bounds) -> str:
    west, south, east, north = bounds
    return f"lon {west:g}…{east:g}, lat {south:g}…{north:g}"
