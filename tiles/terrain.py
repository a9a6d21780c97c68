"""Quantized-mesh terrain tiles (CesiumJS's ``CesiumTerrainProvider``) from the city's terrain.

The tiling is quantized-mesh's geographic one: EPSG:4326, two tiles at level 0, each
level halving them, rows counted from the south (TMS). ``layer.json`` says which tiles
exist: both level-0 tiles, and from level 1 to the deepest level only those over the
terrain; CesiumJS draws the rest of the globe from the level-0 tiles (the ellipsoid).
The deepest level is the first whose grid is as fine as the terrain's cells.

A tile samples the terrain on a 257 × 257 grid of its bounds (bilinear between cell
centres, the rule buildings are stood by — :func:`citymodel.terrain.bilinear`), meshes it
with pydelatin (max error 0.1 m at the deepest level; coarser levels a quarter of the
geometric error CesiumJS expects of them), adds the geoid undulation to heights above sea
level (quantized-mesh heights are ellipsoidal), and is encoded by quantized-mesh-encoder
with per-vertex normals (``octvertexnormals``) for lighting. Outside the terrain a tile
lies on the ellipsoid, like the globe around it.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from citymodel import terrain as terrain_
from citymodel.terrain import Terrain
from tiles import geoid

GRID = 257  # samples along a tile's side
DEEPEST_ERROR_M = 0.1  # max mesh error at the deepest level
MAX_LEVEL = 20
# CesiumJS's geometric error of a level-0 tile (a 65-sample heightmap, 2 tiles across):
# TerrainProvider.getEstimatedLevelZeroGeometricErrorForAHeightmap(WGS84, 65, 2)
LEVEL_ZERO_ERROR_M = 6378137.0 * 2 * math.pi * 0.25 / (65 * 2)
MEDIA_TYPE = "application/vnd.quantized-mesh"
EXTENSIONS = ("octvertexnormals",)



def tile_bounds(z: int, x: int, y: int) -> tuple[float, float, float, float]:
    """West, south, east, north in degrees of tile (z, x, y), y counted from the south."""
    size = 180.0 / (1 << z)
    return -180.0 + x * size, -90.0 + y * size, -180.0 + (x + 1) * size, -90.0 + (y + 1) * size


def deepest_level(t: Terrain) -> int:
    """The first level whose grid cells (north–south, the longer side) are no larger than the
    terrain's cells."""
    for z in range(MAX_LEVEL + 1):
        if 180.0 / (1 << z) / (GRID - 1) * terrain_.METRES_PER_DEGREE <= t.resolution_m:
            return max(z, 1)
    return MAX_LEVEL


def level_ranges(t: Terrain, z: int) -> tuple[int, int, int, int] | None:
    """The first and last x and y of level z's tiles over the terrain (None past the deepest)."""
    if z == 0:
        return 0, 0, 1, 0
    if z > deepest_level(t):
        return None
    size = 180.0 / (1 << z)
    last = (2 << z) - 1, (1 << z) - 1

    def index(v: float, origin: float, top: int) -> int:
        return min(max(int(math.floor((v - origin) / size)), 0), top)

    return (index(t.west, -180.0, last[0]), index(t.south, -90.0, last[1]),
            index(t.east, -180.0, last[0]), index(t.north, -90.0, last[1]))


def available(t: Terrain, z: int, x: int, y: int) -> bool:
    ranges = level_ranges(t, z) if 0 <= z <= MAX_LEVEL else None
    return ranges is not None and ranges[0] <= x <= ranges[2] and ranges[1] <= y <= ranges[3]


def layer(t: Terrain, version: str) -> dict:
    """layer.json: the tiling, its extent, which tiles exist, the extensions."""
    levels = [level_ranges(t, z) for z in range(deepest_level(t) + 1)]
    return {
        "tilejson": "2.1.0",
        "name": "citymodel terrain",
        "description": "The city's terrain (citymodel import terrain), as quantized-mesh.",
        "version": "1.2.0",
        "format": "quantized-mesh-1.0",
        "scheme": "tms",
        "projection": "EPSG:4326",
        "tiles": [f"{{z}}/{{x}}/{{y}}.terrain?v={version}"],
        "minzoom": 0,
        "maxzoom": len(levels) - 1,
        "bounds": [t.west, t.south, t.east, t.north],
        "available": [[{"startX": r[0], "startY": r[1], "endX": r[2], "endY": r[3]}]
                      for r in levels],
        "extensions": list(EXTENSIONS),
        "attribution": "",
    }


def max_error(t: Terrain, z: int) -> float:
    if z >= deepest_level(t):
        return DEEPEST_ERROR_M
    return max(DEEPEST_ERROR_M, LEVEL_ZERO_ERROR_M / (1 << z) / 4)


@dataclass
class Grid:
    """A tile's samples: heights (NaN: no terrain) at GRID × GRID points, row 0 north."""

    heights: np.ndarray
    bounds: tuple[float, float, float, float]


def sample(dataset, z: int, x: int, y: int) -> Grid:
    w, s, e, n = bounds = tile_bounds(z, x, y)
    heights = np.full((GRID, GRID), np.nan)
    step_x, step_y = (e - w) / (GRID - 1), (n - s) / (GRID - 1)
    read = terrain_.read_window(dataset, w, s, e, n, cell=min(step_x, step_y))
    if read is not None:
        values, transform = read
        lon = w + np.arange(GRID) * step_x
        lat = n - np.arange(GRID) * step_y
        gx, gy = np.meshgrid(lon, lat)
        heights = terrain_.bilinear(values, transform, gx.ravel(), gy.ravel()).reshape(GRID, GRID)
    return Grid(heights, bounds)


def encode(t: Terrain, grid: Grid, z: int, geoid_grid: Path) -> bytes:
    """The tile's quantized-mesh bytes (not compressed)."""
    from pydelatin import Delatin
    from quantized_mesh_encoder import VertexNormalsExtension
    from quantized_mesh_encoder import encode as qm_encode

    known = ~np.isnan(grid.heights)
    filled = np.where(known, grid.heights, 0.0).astype(np.float32)
    tin = Delatin(filled, max_error=max_error(t, z))
    vertices, triangles = tin.vertices, tin.triangles
    cols, ups = vertices[:, 0], vertices[:, 1]  # pydelatin counts y up from the last row
    w, s, e, n = grid.bounds
    lon = w + cols / (GRID - 1) * (e - w)
    lat = s + ups / (GRID - 1) * (n - s)
    height = vertices[:, 2].astype(np.float64)
    on_terrain = known[(GRID - 1) - ups.astype(np.int64), cols.astype(np.int64)]
    height[~on_terrain] = np.nan  # outside the terrain: the ellipsoid, no geoid to add
    height = np.nan_to_num(geoid.ellipsoidal(height, lon, lat, t.height_datum, geoid_grid), nan=0.0)
    # vertices in the order of their first use, which the format's high-water-mark encoding of
    # the indices needs; triangles counter-clockwise seen from above, as pydelatin makes them
    used, first_use = np.unique(triangles.ravel(), return_index=True)
    order = used[np.argsort(first_use)]
    renumber = np.zeros(len(vertices), dtype=np.uint32)
    renumber[order] = np.arange(len(order), dtype=np.uint32)
    positions = np.column_stack([lon, lat, height])[order]
    indices = renumber[triangles].astype(np.uint32)  # (triangles, 3)
    out = io.BytesIO()
    # a level-0 tile spans a hemisphere: it has no horizon-occlusion point (NaN, which
    # CesiumJS reads as "never occluded"), and the encoder's arithmetic says so loudly
    with np.errstate(divide="ignore", invalid="ignore"):
        qm_encode(out, positions, indices, bounds=list(grid.bounds),
                  extensions=(VertexNormalsExtension(indices=indices, positions=positions),))
    return out.getvalue()


def tile(t: Terrain, dataset, z: int, x: int, y: int, geoid_grid: Path) -> bytes:
    """Tile (z, x, y) of the terrain, as quantized-mesh bytes."""
    return encode(t, sample(dataset, z, x, y), z, geoid_grid)
