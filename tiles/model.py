"""Modelled buildings' own surfaces → a triangle mesh: the surfaces as they are, each
triangulated in its own plane (holes kept), flat-shaded with its outward normal, and
tagged with its class (roof, wall, ground, other: ``citymodel.surfaces.TILE_CLASSES``).

Input: MultiPolygon Z models in longitude/latitude with ellipsoidal heights, one per
building, and each surface's class. Output: a :class:`tiles.extrude.Mesh`, positions in
Earth-centred metres relative to a centre, like the extruder's, so both go in one tile.

A surface's normal is Newell's over its exterior ring (the ring runs counter-clockwise
seen from outside, as CityJSON and CityGML have it). Convex surfaces without holes (most
of them) are fanned all at once; the others go through earcut in their own plane, and
their triangles are turned to face the way the surface does. A surface with no area
(a sliver, a repeated point) is left out; a building none of whose surfaces is left is
reported as skipped.
"""

from __future__ import annotations

import mapbox_earcut
import numpy as np
import shapely

from tiles.extrude import Mesh, ecef


def model_mesh(models: np.ndarray, classes: list[np.ndarray], rows: np.ndarray,
               centre_ecef: np.ndarray) -> Mesh:
    """The mesh of ``models`` (each the building at ``rows[i]`` of the tile, whose surfaces
    have ``classes[i]``), positions relative to ``centre_ecef``."""
    polygons, owner = shapely.get_parts(np.asarray(models, dtype=object), return_index=True)
    polygon_class = np.concatenate(classes) if len(classes) else np.zeros(0, np.uint8)
    if len(polygon_class) != len(polygons):
        raise ValueError(f"{len(polygons)} surfaces but {len(polygon_class)} surface classes")
    rings, ring_polygon = shapely.get_rings(polygons, return_index=True)
    coords, ring_of_coord = shapely.get_coordinates(rings, include_z=True, return_index=True)
    last = np.r_[np.flatnonzero(np.diff(ring_of_coord)), len(ring_of_coord) - 1]
    keep = np.ones(len(coords), dtype=bool)
    keep[last] = False  # each ring's closing point
    coords, ring_of_coord = coords[keep], ring_of_coord[keep]
    ring_sizes = np.bincount(ring_of_coord, minlength=len(rings))
    ring_start = np.r_[0, np.cumsum(ring_sizes)[:-1]]
    positions = ecef(coords[:, 0], coords[:, 1], coords[:, 2]) - centre_ecef
    n = len(positions)
    following = np.arange(n) + 1
    following[ring_start + ring_sizes - 1] = ring_start

    polygon_rings = np.bincount(ring_polygon, minlength=len(polygons))
    first_ring = np.r_[0, np.cumsum(polygon_rings)[:-1]]
    exterior = np.zeros(len(rings), dtype=bool)
    exterior[first_ring] = True
    on_exterior = exterior[ring_of_coord]
    polygon_of = ring_polygon[ring_of_coord]
    a, b = positions[on_exterior], positions[following][on_exterior]
    newell = np.column_stack([(a[:, 1] - b[:, 1]) * (a[:, 2] + b[:, 2]),
                              (a[:, 2] - b[:, 2]) * (a[:, 0] + b[:, 0]),
                              (a[:, 0] - b[:, 0]) * (a[:, 1] + b[:, 1])])
    normal = np.zeros((len(polygons), 3))
    np.add.at(normal, polygon_of[on_exterior], newell)
    length = np.linalg.norm(normal, axis=1)
    flat = length > 1e-9  # twice the area, m²: a surface with none is left out
    normal[flat] /= length[flat, None]
    normal[~flat] = (0.0, 0.0, 1.0)  # its vertices are drawn by no triangle; any unit vector

    # convex exterior without holes: a fan (each turn agrees with the normal)
    edge = positions[following] - positions
    previous = np.empty(n, dtype=np.int64)
    previous[following] = np.arange(n)
    turn = np.einsum("ij,ij->i", np.cross(edge[previous], edge), normal[polygon_of])
    concave = np.bincount(polygon_of, weights=turn < -1e-9, minlength=len(polygons)) > 0
    size = ring_sizes[first_ring]
    fan = flat & (polygon_rings == 1) & ~concave & (size >= 3)
    start, count = ring_start[first_ring[fan]], size[fan] - 2
    base = np.repeat(start, count)
    step = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count) + 1
    triangles = [np.column_stack([base, base + step, base + step + 1])]
    for p in np.flatnonzero(flat & ~fan):
        triangles.append(_earcut(positions, normal[p], ring_start[first_ring[p]:first_ring[p] + polygon_rings[p]],
                                 ring_sizes[first_ring[p]:first_ring[p] + polygon_rings[p]]))
    indices = np.concatenate(triangles).astype(np.int64).reshape(-1, 3)

    feature = rows[owner][polygon_of]
    drawn = np.zeros(len(models), dtype=bool)
    drawn[owner[np.unique(polygon_of[indices[:, 0]])] if len(indices) else []] = True
    skipped = {int(rows[i]): "no surface of its model has an area" for i in np.flatnonzero(~drawn)}
    return Mesh(positions=positions, normals=normal[polygon_of].astype(np.float32),
                indices=indices.ravel().astype(np.uint32), feature_ids=feature.astype(np.uint32),
                skipped=skipped, surface=polygon_class[polygon_of].astype(np.uint8))


def _earcut(positions: np.ndarray, normal: np.ndarray, starts: np.ndarray,
            sizes: np.ndarray) -> np.ndarray:
    """Triangles (indices into ``positions``) of one polygon whose rings start at ``starts``,
    counter-clockwise about ``normal``."""
    first, total = starts[0], sizes.sum()
    points = positions[first:first + total]
    # a basis of the surface's plane, right-handed with the normal: (u, v, normal)
    helper = np.array([1.0, 0, 0]) if abs(normal[0]) < 0.9 else np.array([0, 1.0, 0])
    u = np.cross(helper, normal)
    u /= np.linalg.norm(u)
    v = np.cross(normal, u)
    plane = np.column_stack([points @ u, points @ v])
    ends = np.cumsum(sizes).astype(np.uint32)
    found = mapbox_earcut.triangulate_float64(plane, ends).astype(np.int64).reshape(-1, 3)
    if len(found) == 0:
        return np.zeros((0, 3), dtype=np.int64)
    p, q, r = plane[found[:, 0]], plane[found[:, 1]], plane[found[:, 2]]
    clockwise = (q[:, 0] - p[:, 0]) * (r[:, 1] - p[:, 1]) - (q[:, 1] - p[:, 1]) * (r[:, 0] - p[:, 0]) < 0
    found[clockwise] = found[clockwise][:, ::-1]
    return found + first
