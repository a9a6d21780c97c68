"""Sunlight on façades: a screening calculation, not a certified one.

Points on the façades of residential buildings, at the height of a first-floor window,
0.1 m out from the wall; the sun every few minutes through the normative day (pvlib's
NREL SPA at the city's latitude and longitude, in its time zone); a minute counts when the
sun is above the horizon, within the façade's light angle, and the ray from the point
towards it hits no building — cast with Embree (trimesh + embreex) against the extruded
buildings of the scene. The ground is taken as flat; roofs are flat.

Each point's sunlit minutes give its longest continuous period and its total, compared with
the norm of ``citymodel.planning.insolation_norm``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import shapely

from citymodel.planning import InsolationNorm

STEP_MIN = 2  # minutes between sun positions
WINDOW_Z_M = 2.0  # a first-floor window's calculation point, above the ground
OFFSET_M = 0.1  # out from the wall, so a ray does not start inside its own building
SPACING_M = 6.0  # between points along a façade
MIN_FACADE_M = 3.0  # shorter walls carry no window point
LIGHT_ANGLE_DEG = 80.0  # the sun counts up to this far off the façade's normal


@dataclass
class Sun:
    """Unit vectors towards the sun (local east, north, up) at each counted minute."""

    vectors: np.ndarray  # (n, 3)
    step_min: float
    day: date


def sun_positions(lon: float, lat: float, day: date, timezone: str,
                  step_min: float = STEP_MIN) -> Sun:
    """The sun above the horizon on ``day`` (pvlib, NREL SPA), every ``step_min`` minutes."""
    import pandas as pd
    import pvlib

    times = pd.date_range(f"{day} 00:00", f"{day} 23:59", freq=f"{step_min}min", tz=timezone)
    position = pvlib.solarposition.get_solarposition(times, lat, lon)
    up = position["apparent_elevation"].to_numpy() > 0
    elevation = np.radians(position["apparent_elevation"].to_numpy()[up])
    azimuth = np.radians(position["azimuth"].to_numpy()[up])  # clockwise from north
    vectors = np.column_stack([np.sin(azimuth) * np.cos(elevation),
                               np.cos(azimuth) * np.cos(elevation), np.sin(elevation)])
    return Sun(vectors, step_min, day)


def scene(shapes: list[tuple[shapely.Geometry, float, float]]):
    """One triangle mesh of extruded footprints: (footprint, base, top) in local metres."""
    import trimesh

    meshes = []
    for footprint, base, top in shapes:
        if footprint is None or top <= base:
            continue
        for polygon in shapely.get_parts(footprint):
            if polygon.area < 0.5:
                continue
            mesh = trimesh.creation.extrude_polygon(shapely.orient_polygons(polygon), top - base)
            mesh.apply_translation((0, 0, base))
            meshes.append(mesh)
    return trimesh.util.concatenate(meshes) if meshes else None


def facade_points(footprint: shapely.Geometry, spacing: float = SPACING_M,
                  z: float = WINDOW_Z_M) -> tuple[np.ndarray, np.ndarray]:
    """Points along each wall of a footprint's outer rings and their outward normals."""
    points, normals = [], []
    for polygon in shapely.get_parts(footprint):
        ring = np.asarray(shapely.orient_polygons(polygon).exterior.coords)  # counter-clockwise
        for (x0, y0), (x1, y1) in zip(ring[:-1], ring[1:], strict=True):
            length = float(np.hypot(x1 - x0, y1 - y0))
            if length < MIN_FACADE_M:
                continue
            normal = np.array([y1 - y0, -(x1 - x0)]) / length  # right of travel: outward
            count = max(1, int(length // spacing))
            for t in (np.arange(count) + 0.5) / count:
                x, y = x0 + t * (x1 - x0), y0 + t * (y1 - y0)
                points.append((x + normal[0] * OFFSET_M, y + normal[1] * OFFSET_M, z))
                normals.append((normal[0], normal[1], 0.0))
    return np.array(points, dtype=float).reshape(-1, 3), np.array(normals, dtype=float).reshape(-1, 3)


def sunlit(points: np.ndarray, normals: np.ndarray, sun: Sun, mesh,
           light_angle_deg: float = LIGHT_ANGLE_DEG) -> np.ndarray:
    """(points × minutes) booleans: the sun reaches the point at that minute."""
    n, m = len(points), len(sun.vectors)
    if n == 0 or m == 0:
        return np.zeros((n, m), dtype=bool)
    horizontal = sun.vectors[:, :2] / np.linalg.norm(sun.vectors[:, :2], axis=1, keepdims=True)
    facing = normals[:, :2] @ horizontal.T >= np.cos(np.radians(light_angle_deg))  # (n, m)
    lit = facing.copy()
    if mesh is None:
        return lit
    which = np.argwhere(facing)
    origins = points[which[:, 0]]
    directions = sun.vectors[which[:, 1]]
    blocked = _intersects_any(mesh, origins, directions)
    lit[which[blocked, 0], which[blocked, 1]] = False
    return lit


def _intersects_any(mesh, origins: np.ndarray, directions: np.ndarray) -> np.ndarray:
    """Embree's answer (the mesh keeps its bounding-volume hierarchy between calls)."""
    from trimesh.ray.ray_pyembree import RayMeshIntersector

    if len(origins) == 0:
        return np.zeros(0, dtype=bool)
    engine = getattr(mesh, "_citymodel_rays", None)
    if engine is None:
        engine = mesh._citymodel_rays = RayMeshIntersector(mesh)
    return engine.intersects_any(origins, directions)


def periods(lit: np.ndarray, step_min: float) -> tuple[np.ndarray, np.ndarray]:
    """Per point: the longest run of sunlit minutes and the total, in hours."""
    total = lit.sum(axis=1) * step_min / 60.0
    longest = np.zeros(len(lit))
    for i, row in enumerate(lit):
        if row.any():
            padded = np.concatenate([[0], row.astype(np.int8), [0]])
            edges = np.flatnonzero(np.diff(padded))
            longest[i] = (edges[1::2] - edges[::2]).max() * step_min / 60.0
    return longest, total


def meets(norm: InsolationNorm, longest: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Whether each point's sunlight meets the norm: continuous, or interrupted."""
    return (longest >= norm.continuous_h - 1e-9) | (
        (total >= norm.interrupted_h - 1e-9) & (longest >= norm.longest_period_h - 1e-9))
