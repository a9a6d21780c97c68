"""What the readers of modelled buildings (CityJSON, CityGML) share: a building or part
as read (:class:`Row`, its surfaces as a :class:`Shape`), and the batch of rows the
building loader takes — models (MultiPolygon Z), surface types, footprints, grounds and
heights, and the attributes mapped to columns — built for the whole batch at once.

The rules (the same for every format): a building's **footprint** is the union of its
ground surfaces seen from above (of all its surfaces when it has no ground surface); its
**ground** is its lowest point and its **height** its vertical extent; a building without
a shape of its own takes its parts' footprints, lowest ground and highest top. Surfaces
without a type are told by :func:`citymodel.surfaces.by_orientation`. Attributes named as
CityGML and CityJSON name them fill columns: ``storeysAboveGround`` → floors,
``yearOfConstruction`` → year built, ``function`` (else ``usage``) → use, ``measuredHeight``
→ height when there is no shape; every attribute is kept as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely
from shapely import GeometryType

from citymodel import surfaces
from importers.loading import Batch


@dataclass
class Shape:
    """One object's surfaces: their closed rings' coordinates, ring by ring."""

    coords: np.ndarray  # (n, 3) every ring's points, each ring closed (first point repeated)
    ring_sizes: list[int]  # points of each ring, closing point included
    surface_rings: list[int]  # how many rings each surface has (the first is its exterior)
    types: list[str | None]  # each surface's semantic type, None where the source gives none
    lod: str


@dataclass
class Row:
    """A building or part as read: its id, kind, where it is, its attributes and shape."""

    id: str
    kind: str  # building | part
    locator: str
    attributes: dict
    address: dict | None = None  # ThoroughfareName, ThoroughfareNumber, PostalCode, LocalityName
    shape: Shape | None = None
    problem: tuple[str, str] | None = None  # (field, reason): the row is refused
    part_of: str | None = None  # its building's id
    parts: list[Row] | None = None  # a building's parts, when it has no shape of its own


def batch(rows: list[Row]) -> Batch:
    """The rows' columns, models (MultiPolygon Z) and footprints, in the source CRS."""
    n = len(rows)
    models = np.full(n, None, dtype=object)
    footprints = np.full(n, None, dtype=object)
    surface_types: list[list[str] | None] = [None] * n
    semantics: list[str | None] = [None] * n
    lows, highs = np.full(n, np.nan), np.full(n, np.nan)
    with_shape = [i for i, r in enumerate(rows) if r.shape is not None and r.problem is None]
    if with_shape:
        _build(rows, with_shape, models, footprints, surface_types, semantics, lows, highs)
    index = {id(r): k for k, r in enumerate(rows)}
    for i, row in enumerate(rows):  # a building of parts
        if row.parts and row.shape is None:
            of_parts = [index[id(p)] for p in row.parts if models[index[id(p)]] is not None]
            if of_parts:
                footprints[i] = _union([footprints[k] for k in of_parts])
                lows[i] = np.nanmin(lows[of_parts])
                highs[i] = np.nanmax(highs[of_parts])
    columns: dict[str, list] = {name: [None] * n for name in (
        "register_id", "kind", "height", "levels", "ground_elevation", "use", "year_built",
        "address", "model_lod", "model_surfaces", "model_semantics", "part_of", "attributes",
        "height_from_model")}
    for i, row in enumerate(rows):
        attributes = row.attributes
        columns["register_id"][i] = row.id
        columns["kind"][i] = row.kind
        if np.isfinite(lows[i]):
            columns["ground_elevation"][i] = float(lows[i])
            columns["height"][i] = float(highs[i] - lows[i])
            columns["height_from_model"][i] = True
        else:
            columns["height"][i] = attributes.get("measuredHeight")
        columns["levels"][i] = attributes.get("storeysAboveGround")
        columns["year_built"][i] = attributes.get("yearOfConstruction")
        columns["use"][i] = _text(attributes.get("function", attributes.get("usage")))
        columns["address"][i] = _address(row.address)
        columns["model_lod"][i] = row.shape.lod if models[i] is not None else None
        columns["model_surfaces"][i] = surface_types[i]
        columns["model_semantics"][i] = semantics[i]
        columns["part_of"][i] = row.part_of
        columns["attributes"][i] = attributes or None
    batch = Batch(size=n, locator=lambda i: rows[i].locator, columns=columns, geometries=footprints,
                  extra_geometries={"model": models})
    for i, row in enumerate(rows):
        if row.problem:
            batch.problem(i, *row.problem)
    return batch


def _build(rows, which, models, footprints, surface_types, semantics, lows, highs) -> None:
    """Models, surface types, footprints and height ranges of the rows with a shape, at once."""
    shapes = [rows[i].shape for i in which]
    coords = np.concatenate([s.coords for s in shapes])
    ring_sizes = np.array([n for s in shapes for n in s.ring_sizes])
    ring_offsets = np.r_[0, np.cumsum(ring_sizes)]
    surface_rings = np.array([c for s in shapes for c in s.surface_rings])
    surface_offsets = np.r_[0, np.cumsum(surface_rings)]
    surface_counts = np.array([len(s.surface_rings) for s in shapes])
    object_offsets = np.r_[0, np.cumsum(surface_counts)]
    built = shapely.from_ragged_array(GeometryType.MULTIPOLYGON, coords,
                                      (ring_offsets, surface_offsets, object_offsets))
    # each surface's normal (Newell's method on its exterior ring) and lowest point
    exterior = surface_offsets[:-1]  # the first ring of each surface
    start = ring_offsets[exterior]
    sides = ring_offsets[exterior + 1] - start - 1  # a closed ring of k + 1 points has k sides
    owner = np.repeat(np.arange(len(exterior)), sides)
    side = np.repeat(start, sides) + np.arange(sides.sum()) - np.repeat(np.cumsum(sides) - sides, sides)
    a, b = coords[side], coords[side + 1]
    newell = np.column_stack([(a[:, 1] - b[:, 1]) * (a[:, 2] + b[:, 2]),
                              (a[:, 2] - b[:, 2]) * (a[:, 0] + b[:, 0]),
                              (a[:, 0] - b[:, 0]) * (a[:, 1] + b[:, 1])])
    normal = np.zeros((len(exterior), 3))
    np.add.at(normal, owner, newell)
    length = np.linalg.norm(normal, axis=1)
    normal_z = np.divide(normal[:, 2], length, out=np.zeros(len(length)), where=length > 0)
    lowest = np.full(len(exterior), np.inf)
    np.minimum.at(lowest, owner, a[:, 2])
    # each surface as a 2D polygon, for footprints
    flat = shapely.from_ragged_array(GeometryType.POLYGON, np.ascontiguousarray(coords[:, :2]), (ring_offsets, surface_offsets))
    area = shapely.area(flat)
    for k, i in enumerate(which):
        shape = shapes[k]
        first, last = object_offsets[k], object_offsets[k + 1]
        z = coords[ring_offsets[surface_offsets[first]]:ring_offsets[surface_offsets[last]], 2]
        lows[i], highs[i] = z.min(), z.max()
        if any(t is not None for t in shape.types):
            told = surfaces.by_orientation(normal_z[first:last], lowest[first:last], lows[i])
            surface_types[i] = [t or o for t, o in zip(shape.types, told, strict=True)]
            semantics[i] = "source"
        else:
            surface_types[i] = surfaces.by_orientation(normal_z[first:last], lowest[first:last], lows[i])
            semantics[i] = "orientation"
        models[i] = built[k]
        ground = [j for j in range(first, last)
                  if surface_types[i][j - first] == "GroundSurface" and area[j] > 0]
        outline = ground or [j for j in range(first, last) if area[j] > 1e-9]
        footprints[i] = _union(flat[outline]) if outline else None
        if footprints[i] is None:
            rows[i].problem = ("geometry", "its surfaces have no extent seen from above")


def _union(polygons) -> shapely.Geometry | None:
    merged = shapely.union_all(shapely.make_valid(np.asarray(polygons, dtype=object)))
    parts = [p for p in shapely.get_parts(merged)
             if shapely.get_type_id(p) in (GeometryType.POLYGON, GeometryType.MULTIPOLYGON)]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else shapely.union_all(parts)


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or None
    return str(value).strip() or None


def _address(first: dict | None) -> str | None:
    """One line of an address: "street number, postcode place"."""
    if not first:
        return None
    street = " ".join(_text(first.get(k)) or "" for k in ("ThoroughfareName", "ThoroughfareNumber")).strip()
    place = " ".join(_text(first.get(k)) or "" for k in ("PostalCode", "LocalityName")).strip()
    line = ", ".join(p for p in (street, place) if p)
    return line or None
