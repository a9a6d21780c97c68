"""The city's terrain, and the rule that stands buildings on it.

The terrain is one digital elevation model, imported by `citymodel import terrain`
and kept as a Cloud-Optimized GeoTIFF in EPSG:4326 (float32, NaN where there is no
data, with overviews) under ``<state_dir>/terrain/``, named by the SHA-256 of its
bytes; the ``terrain`` table names the current one. A reader that looks the row up
and then opens the file always gets a whole terrain: a new import writes a new file
before it commits, and files no row names are removed afterwards. Heights are in
the ``height_datum`` recorded with it (the setting at import time).

**The ground rule.** A building whose source gave no ground elevation stands on the
lowest terrain under its footprint: the lowest of the terrain at the footprint's
vertices (bilinear between cell centres) and of the cells whose centres lie inside
it. A building part stands where the building it belongs to does (the building
whose footprint holds a point of the part, as the 3D Tiles builder draws them) — on
the ground its source gave, if it gave one — so stacked parts stay stacked. Where the terrain has no data under a footprint, the
building gets no ground from it (it stands on the ellipsoid, as the globe does
outside the terrain). Ground elevations from the terrain are marked ``terrain`` in
``buildings.ground_source`` and follow every terrain import; those the source gave
(``source``) are never changed.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import psycopg
import shapely
from psycopg import sql

from citymodel.errors import CitymodelError

DIRECTORY = "terrain"  # under the state directory
LOCK = (7_700_078, 1)  # advisory lock held while the terrain, or the grounds from it, change
NODATA = float("nan")
CHUNK = 5_000  # footprints stood on the terrain at a time (a band about 500 m high)
METRES_PER_DEGREE = 111_319.49  # of latitude, and of longitude at the equator


@dataclass(frozen=True)
class Terrain:
    """The current terrain, as the ``terrain`` table describes it."""

    digest: str
    height_datum: str
    west: float
    south: float
    east: float
    north: float
    resolution_m: float
    min_height: float
    max_height: float

    def path(self, state_dir: Path) -> Path:
        return stored_path(state_dir, self.digest)


COLUMNS = ("digest", "height_datum", "west", "south", "east", "north", "resolution_m",
           "min_height", "max_height")
CURRENT = f"SELECT {', '.join(COLUMNS)} FROM terrain WHERE id = 1"


def stored_path(state_dir: Path, digest: str) -> Path:
    return Path(state_dir) / DIRECTORY / f"{digest}.tif"


def current(conn: psycopg.Connection) -> Terrain | None:
    """The terrain the database names, or None."""
    row = conn.execute(CURRENT).fetchone()
    return Terrain(*row) if row else None


def file_digest(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


class TerrainMissing(CitymodelError):
    """The database names a terrain file that is not in the state directory."""


def open_dataset(terrain: Terrain, state_dir: Path):
    """The terrain's GeoTIFF, opened with rasterio (one handle per thread: not thread-safe)."""
    import rasterio

    path = terrain.path(state_dir)
    if not path.exists():
        raise TerrainMissing(
            f"the terrain file {path} is missing (the database names it): import the terrain "
            "again, or point CITYMODEL_STATE_DIR at the directory it was imported into")
    return rasterio.open(path)


def bilinear(values: np.ndarray, transform, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Heights at points, bilinear between cell centres (NaN where a cell used has no data;
    within half a cell of the edge, the edge cells' values). ``transform`` is the array's
    affine transform (north up)."""
    rows, cols = values.shape
    c = (np.asarray(xs, dtype=float) - transform.c) / transform.a - 0.5
    r = (np.asarray(ys, dtype=float) - transform.f) / transform.e - 0.5
    inside = (c >= -0.5) & (c <= cols - 0.5) & (r >= -0.5) & (r <= rows - 0.5)
    c = np.clip(c, 0, cols - 1)
    r = np.clip(r, 0, rows - 1)
    c0 = np.minimum(np.floor(c).astype(np.int64), max(cols - 2, 0))
    r0 = np.minimum(np.floor(r).astype(np.int64), max(rows - 2, 0))
    c1, r1 = np.minimum(c0 + 1, cols - 1), np.minimum(r0 + 1, rows - 1)
    fc, fr = c - c0, r - r0
    top = values[r0, c0] * (1 - fc) + values[r0, c1] * fc
    bottom = values[r1, c0] * (1 - fc) + values[r1, c1] * fc
    out = top * (1 - fr) + bottom * fr
    out[~inside] = np.nan
    return out


def read_window(dataset, west: float, south: float, east: float, north: float,
                cell: float | None = None):
    """The terrain's heights over a box (degrees) with one cell to spare on each side, as
    (array with NaN for no data, its affine transform); None when the box misses the terrain.
    ``cell``: the coarsest cell size (degrees) the caller needs — overviews are read for it."""
    from affine import Affine
    from rasterio.windows import Window, from_bounds

    a, e = dataset.transform.a, -dataset.transform.e
    near = from_bounds(west - a, south - e, east + a, north + e, dataset.transform)
    col, row = math.floor(near.col_off), math.floor(near.row_off)
    window = Window(col, row, math.ceil(near.col_off + near.width) - col,
                    math.ceil(near.row_off + near.height) - row)
    full = Window(0, 0, dataset.width, dataset.height)
    try:
        window = window.intersection(full)
    except Exception:  # rasterio.errors.WindowError: no overlap
        return None
    if window.width < 1 or window.height < 1:
        return None
    factor = 1
    if cell is not None and cell > a:
        factor = max(1, int(cell / a))
    shape = (max(2, math.ceil(window.height / factor)), max(2, math.ceil(window.width / factor)))
    values = dataset.read(1, window=window, out_shape=shape, masked=False).astype(np.float64)
    scale = Affine.scale(window.width / shape[1], window.height / shape[0])  # of out_shape
    return values, dataset.window_transform(window) @ scale


def ground_elevations(dataset, footprints: np.ndarray) -> np.ndarray:
    """The ground rule's heights for footprints in longitude/latitude (NaN: no terrain under
    the footprint)."""
    footprints = np.asarray(footprints, dtype=object)
    result = np.full(len(footprints), np.nan)
    if not len(footprints):
        return result
    centres = shapely.get_coordinates(shapely.centroid(footprints))
    order = np.lexsort((centres[:, 0], np.floor(centres[:, 1] / 0.005)))  # bands about 500 m high
    for start in range(0, len(order), CHUNK):
        idx = order[start:start + CHUNK]
        result[idx] = _lowest(dataset, footprints[idx])
    return result


def _lowest(dataset, geoms: np.ndarray) -> np.ndarray:
    out = np.full(len(geoms), np.nan)
    box = shapely.total_bounds(geoms)
    read = read_window(dataset, *box)
    if read is None:
        return out
    values, transform = read
    # at the vertices
    coords, which = shapely.get_coordinates(geoms, return_index=True)
    at_vertices = bilinear(values, transform, coords[:, 0], coords[:, 1])
    np.fmin.at(out, which, at_vertices)
    # at the centres of the cells inside
    bounds = shapely.bounds(geoms)
    c0 = np.floor((bounds[:, 0] - transform.c) / transform.a - 0.5).astype(np.int64) + 1
    c1 = np.floor((bounds[:, 2] - transform.c) / transform.a - 0.5).astype(np.int64)
    r0 = np.floor((bounds[:, 3] - transform.f) / transform.e - 0.5).astype(np.int64) + 1
    r1 = np.floor((bounds[:, 1] - transform.f) / transform.e - 0.5).astype(np.int64)
    rows, cols = values.shape
    c0, r0 = np.maximum(c0, 0), np.maximum(r0, 0)
    c1, r1 = np.minimum(c1, cols - 1), np.minimum(r1, rows - 1)
    nc, nr = np.maximum(c1 - c0 + 1, 0), np.maximum(r1 - r0 + 1, 0)
    counts = nc * nr
    if counts.sum() == 0:
        return out
    owner = np.repeat(np.arange(len(geoms)), counts)
    k = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)
    cc = c0[owner] + k % np.maximum(nc[owner], 1)
    rr = r0[owner] + k // np.maximum(nc[owner], 1)
    xs = transform.c + (cc + 0.5) * transform.a
    ys = transform.f + (rr + 0.5) * transform.e
    shapely.prepare(geoms)
    inside = shapely.contains_xy(geoms[owner], xs, ys)
    np.fmin.at(out, owner[inside], values[rr[inside], cc[inside]])
    return out


def stand_on_terrain(conn: psycopg.Connection, state_dir: Path, table: str, *,
                     key: str = "id", owners: tuple[str, ...] = ("buildings",)) -> int:
    """Apply the ground rule to the rows of ``table`` (``buildings``, or an importer's stage
    shaped like it) whose ground did not come from their source; returns how many changed.
    ``key`` identifies rows (``id``, or ``ctid`` for a stage); a part's building is looked
    for in ``owners``. Without a terrain, grounds that came from one are cleared."""
    terrain = current(conn)
    key_sql = sql.SQL("ctid") if key == "ctid" else sql.Identifier(key)
    owner_rows = sql.SQL(" UNION ALL ").join(
        sql.SQL("SELECT kind, footprint, ground_elevation, ground_source FROM {}").format(
            sql.Identifier(t)) for t in owners)
    rows = conn.execute(sql.SQL("""
        SELECT t.{key}::text, ST_AsBinary(ST_Transform(coalesce(o.footprint, t.footprint), 4326)),
               t.ground_elevation, CASE WHEN o.ground_source = 'source' THEN o.ground_elevation END
        FROM {table} t
        LEFT JOIN LATERAL (
            SELECT b.footprint, b.ground_elevation, b.ground_source FROM ({owners}) b
            WHERE t.kind = 'part' AND b.kind = 'building' AND b.footprint && t.footprint
              AND ST_Contains(b.footprint, ST_PointOnSurface(t.footprint))
            ORDER BY ST_Area(b.footprint) LIMIT 1) o ON true
        WHERE t.footprint IS NOT NULL AND t.ground_source IS DISTINCT FROM 'source'
    """).format(key=key_sql, table=sql.Identifier(table), owners=owner_rows)).fetchall()
    if not rows:
        return 0
    if terrain is None:
        grounds = [None] * len(rows)
    else:
        with open_dataset(terrain, state_dir) as dataset:
            heights = ground_elevations(dataset, shapely.from_wkb([r[1] for r in rows]))
        grounds = [None if np.isnan(h) else round(float(h), 2) for h in heights]
    # a part of a building whose source gave its ground stands on that ground
    grounds = [r[3] if r[3] is not None else g for r, g in zip(rows, grounds, strict=True)]
    # only rows that change (an UPDATE of none would still bump the data version)
    changed = [(r[0], g) for r, g in zip(rows, grounds, strict=True) if r[2] != g]
    if not changed:
        return 0
    keys, grounds = [k for k, _ in changed], [g for _, g in changed]
    key_type = "tid" if key == "ctid" else "bigint"
    return conn.execute(sql.SQL("""
        UPDATE {table} t SET ground_elevation = v.g,
               ground_source = CASE WHEN v.g IS NULL THEN NULL ELSE 'terrain' END
        FROM unnest(%s::{key_type}[], %s::float8[]) AS v(k, g)
        WHERE t.{key} = v.k AND t.ground_source IS DISTINCT FROM 'source'
          AND t.ground_elevation IS DISTINCT FROM v.g
    """).format(table=sql.Identifier(table), key_type=sql.SQL(key_type), key=key_sql),
        (keys, grounds)).rowcount
