"""Footprints → triangle meshes: roofs and floors triangulated with holes, walls outward.

Input is an array of (Multi)Polygon footprints in longitude/latitude with a base and
a top height (ellipsoidal metres) per building; output is one mesh for the lot:
vertex positions in Earth-centred coordinates (EPSG:4978) relative to a centre,
flat normals, triangle indices, a feature id (the building's row) and the surface's
class (roof, wall, ground) per vertex.

Rings are oriented once (exteriors counter-clockwise, holes clockwise, seen from
above), so every wall's outward normal is its edge turned to the right. Roofs and
floors are triangulated with earcut in a local tangent plane. Footprints that cannot
be extruded (empty, no area, a triangulation that fails) are skipped and reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import mapbox_earcut
import numpy as np
import shapely

from citymodel.surfaces import GROUND, ROOF, WALL

EARTH_RADIUS = 6_378_137.0  # WGS 84 semi-major axis
_E2 = 6.69437999014e-3  # WGS 84 first eccentricity squared


@dataclass
class Mesh:
    positions: np.ndarray  # (n, 3) float64, metres from the centre, EPSG:4978 axes (z-up)
    normals: np.ndarray  # (n, 3) float32, unit
    indices: np.ndarray  # (m,) uint32, counter-clockwise seen from outside
    feature_ids: np.ndarray  # (n,) uint32: the building's row in the input
    skipped: dict[int, str] = field(default_factory=dict)  # row → why it was not extruded
    surface: np.ndarray | None = None  # (n,) uint8: the class of each vertex's surface
    # (citymodel.surfaces.TILE_CLASSES)

    @property
    def empty(self) -> bool:
        return len(self.indices) == 0


def join(meshes: list[Mesh]) -> Mesh:
    """One mesh of several (positions relative to the same centre)."""
    offsets = np.cumsum([0] + [len(m.positions) for m in meshes[:-1]])
    skipped: dict[int, str] = {}
    for m in meshes:
        skipped.update(m.skipped)
    return Mesh(
        positions=np.concatenate([m.positions for m in meshes]),
        normals=np.concatenate([m.normals for m in meshes]),
        indices=np.concatenate([m.indices + np.uint32(o) for m, o in zip(meshes, offsets, strict=True)]),
        feature_ids=np.concatenate([m.feature_ids for m in meshes]),
        skipped=skipped,
        surface=np.concatenate([m.surface for m in meshes]),
    )


def ecef(lon: np.ndarray, lat: np.ndarray, height: np.ndarray) -> np.ndarray:
    """Geodetic WGS 84 (degrees, ellipsoidal metres) → Earth-centred metres (EPSG:4979 →
    EPSG:4978, the closed form PROJ's ``cart`` uses; a test holds it to pyproj)."""
    lo, la = np.radians(lon), np.radians(lat)
    sin_la, cos_la = np.sin(la), np.cos(la)
    n = EARTH_RADIUS / np.sqrt(1.0 - _E2 * sin_la * sin_la)  # prime vertical radius
    return np.column_stack([(n + height) * cos_la * np.cos(lo), (n + height) * cos_la * np.sin(lo),
                            (n * (1.0 - _E2) + height) * sin_la])


def enu_axes(lon: float, lat: float) -> np.ndarray:
    """Rows: east, north, up unit vectors at a point, in Earth-centred axes."""
    lo, la = np.radians(lon), np.radians(lat)
    return np.array([
        [-np.sin(lo), np.cos(lo), 0.0],
        [-np.sin(la) * np.cos(lo), -np.sin(la) * np.sin(lo), np.cos(la)],
        [np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)],
    ])


def extrude(footprints: np.ndarray, base: np.ndarray, top: np.ndarray,
            centre_lonlat: tuple[float, float], centre_ecef: np.ndarray) -> Mesh:
    """Extrude each footprint from ``base`` to ``top``; positions relative to ``centre_ecef``."""
    lon0, lat0 = centre_lonlat
    axes = enu_axes(lon0, lat0)
    east, north, up = axes
    scale_x = np.radians(1.0) * EARTH_RADIUS * np.cos(np.radians(lat0))
    scale_y = np.radians(1.0) * EARTH_RADIUS

    skipped: dict[int, str] = {}
    footprints = np.asarray(footprints, dtype=object)
    bad = shapely.is_missing(footprints) | shapely.is_empty(footprints)
    bad |= ~bad & (shapely.area(footprints) <= 0)
    bad |= ~(top > base)
    for i in np.flatnonzero(bad):
        skipped[int(i)] = "an empty footprint, no area, or a top not above its base"
    rows = np.flatnonzero(~bad)

    polygons, owner = shapely.get_parts(shapely.orient_polygons(footprints[rows]), return_index=True)
    owner = rows[owner]
    rings, ring_polygon = shapely.get_rings(polygons, return_index=True)
    coords, ring_of_coord = shapely.get_coordinates(rings, return_index=True)
    # drop each ring's closing point
    last = np.r_[np.flatnonzero(np.diff(ring_of_coord)), len(ring_of_coord) - 1]
    keep = np.ones(len(coords), dtype=bool)
    keep[last] = False
    coords, ring_of_coord = coords[keep], ring_of_coord[keep]
    ring_sizes = np.bincount(ring_of_coord, minlength=len(rings))
    ring_start = np.r_[0, np.cumsum(ring_sizes)[:-1]]
    vertex_owner = owner[ring_polygon[ring_of_coord]]

    # local plane (metres east, north of the centre) for triangulation and wall directions
    local = np.column_stack([(coords[:, 0] - lon0) * scale_x, (coords[:, 1] - lat0) * scale_y])
    low = ecef(coords[:, 0], coords[:, 1], base[vertex_owner]) - centre_ecef
    high = ecef(coords[:, 0], coords[:, 1], top[vertex_owner]) - centre_ecef

    n = len(coords)
    following = np.arange(n) + 1  # the next vertex of each vertex's ring
    following[last_index(ring_start, ring_sizes)] = ring_start
    edge = local[following] - local

    # roofs and floors: convex rings without holes (most footprints) are fanned, all at
    # once; the others go through earcut, one polygon a call
    polygon_rings = np.bincount(ring_polygon, minlength=len(polygons))
    polygon_first_ring = np.r_[0, np.cumsum(polygon_rings)[:-1]]
    previous = np.empty(n, dtype=np.int64)
    previous[following] = np.arange(n)
    turn = edge[previous, 0] * edge[:, 1] - edge[previous, 1] * edge[:, 0]  # > 0: a left turn
    ring_convex = np.bincount(ring_of_coord, weights=turn <= 1e-9, minlength=len(rings)) == 0
    fan = (polygon_rings == 1) & ring_convex[polygon_first_ring] & (ring_sizes[polygon_first_ring] >= 3)
    fan_start = ring_start[polygon_first_ring[fan]]
    fan_count = ring_sizes[polygon_first_ring[fan]] - 2  # triangles of each fanned polygon
    fan_base = np.repeat(fan_start, fan_count)
    step = np.arange(fan_count.sum()) - np.repeat(np.cumsum(fan_count) - fan_count, fan_count) + 1
    caps = [np.column_stack([fan_base, fan_base + step, fan_base + step + 1]).ravel()]
    ring_end = np.cumsum(ring_sizes)  # a ring's end, counted from its polygon's first vertex:
    ring_end = ring_end - ring_start[polygon_first_ring][ring_polygon]
    failed_polygons = []
    for p in np.flatnonzero(~fan):
        first, count = polygon_first_ring[p], polygon_rings[p]
        start = ring_start[first]
        ends = ring_end[first:first + count].astype(np.uint32)
        triangles = mapbox_earcut.triangulate_float64(local[start:start + ends[-1]], ends)
        if len(triangles) == 0:
            failed_polygons.append(p)
            continue
        caps.append(triangles.astype(np.int64) + start)
    for p in failed_polygons:
        skipped.setdefault(int(owner[p]), "the footprint cannot be triangulated")
    cap = np.concatenate(caps).astype(np.int64)
    cap = cap.reshape(-1, 3)
    # counter-clockwise from above
    a, b, c = local[cap[:, 0]], local[cap[:, 1]], local[cap[:, 2]]
    clockwise = ((b[:, 0] - a[:, 0]) * (c[:, 1] - a[:, 1]) - (b[:, 1] - a[:, 1]) * (c[:, 0] - a[:, 0])) < 0
    cap[clockwise] = cap[clockwise][:, ::-1]
    dropped = np.isin(vertex_owner[cap[:, 0]], list(skipped)) if skipped else np.zeros(len(cap), bool)
    cap = cap[~dropped]

    # walls: for every edge i → next(i) of every ring, a quad of four vertices
    length = np.hypot(edge[:, 0], edge[:, 1])
    walls = (length > 1e-6) & ~np.isin(vertex_owner, list(skipped))
    i, j = np.flatnonzero(walls), following[walls]
    outward = np.column_stack([edge[walls, 1], -edge[walls, 0]]) / length[walls, None]
    wall_normal = outward[:, :1] * east + outward[:, 1:] * north

    roof_positions, floor_positions = high, low
    wall_positions = np.stack([low[i], low[j], high[j], high[i]], axis=1).reshape(-1, 3)
    positions = np.concatenate([roof_positions, floor_positions, wall_positions])
    normals = np.concatenate([
        np.broadcast_to(up, (n, 3)), np.broadcast_to(-up, (n, 3)),
        np.repeat(wall_normal, 4, axis=0),
    ]).astype(np.float32)
    feature_ids = np.concatenate([vertex_owner, vertex_owner, np.repeat(vertex_owner[i], 4)])
    quad = 2 * n + 4 * np.arange(len(i))[:, None]
    wall_triangles = np.concatenate([quad + [0, 1, 2], quad + [0, 2, 3]])
    indices = np.concatenate([cap.ravel(), (cap[:, ::-1] + n).ravel(), wall_triangles.ravel()])
    surface = np.repeat(np.array([ROOF, GROUND, WALL], dtype=np.uint8), [n, n, 4 * len(i)])
    return Mesh(positions, normals, indices.astype(np.uint32), feature_ids.astype(np.uint32), skipped,
                surface)


def last_index(start: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """The index of each ring's last vertex."""
    return start + sizes - 1
