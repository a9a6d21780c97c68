"""Build a 3D Tiles 1.1 tileset of the buildings in PostGIS.

The tileset is written into a new directory beside the output, then the output —
a symbolic link to the current build — is switched to it in one atomic rename. A
build that fails or is killed leaves the previous tileset in place and served.

Heights: a building stands from its ground elevation plus its ``min_height`` to
its ground elevation plus its ``height``; a modelled building (CityJSON, CityGML) is
drawn as its own surfaces (``tiles.model``), at the heights of its model. Ground elevations are above sea level by
default (the ``height_datum`` setting): the geoid undulation is added to make them
ellipsoidal, as 3D Tiles needs (see ``tiles.geoid``). A building without a ground
elevation stands on the ellipsoid (height 0), as on a globe without terrain.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections import deque
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import psycopg
import pyproj
import shapely
from sqlalchemy.engine import URL

from citymodel import crs, database, surfaces
from citymodel.errors import CitymodelError
from tiles import geoid, gltf
from tiles.extrude import ecef, extrude, join
from tiles.model import model_mesh
from tiles.tiling import Tile, quadtree

QUERY = """
WITH latest AS (  -- the newest lot on each parcel
    SELECT parcel_id, status FROM parcel_latest_lots
), drawn_by_parts AS (  -- outlines whose building:parts describe them are drawn by the parts
    SELECT DISTINCT b.id FROM buildings q JOIN buildings b
      ON b.kind = 'building' AND q.footprint && b.footprint
     AND ST_Contains(b.footprint, ST_PointOnSurface(q.footprint))
    WHERE q.kind = 'part'
)
SELECT b.id, ST_AsBinary(ST_Transform(b.footprint, 4326)) AS wkb, ST_AsBinary(b.model) AS model,
       b.model_surfaces, b.height, b.min_height,
       b.ground_elevation AS ground, b.floors, b.use, b.year_built, b.address,
       b.height_source, b.cadastral_number, p.cadastral_number AS parcel, latest.status AS auction_status
FROM buildings b
LEFT JOIN parcels p ON p.id = b.parcel_id
LEFT JOIN latest ON latest.parcel_id = b.parcel_id
WHERE b.footprint IS NOT NULL AND b.id NOT IN (SELECT id FROM drawn_by_parts)
  {filters}
ORDER BY b.id
"""
READ_CHUNK = 100_000  # rows fetched at a time: memory holds one chunk of raw rows
FORMAT = "citymodel-tiles-3"  # bump when the output changes for the same input
MANIFEST = "manifest.json"
ATTRIBUTES = ("floors", "use", "year_built", "address", "height_source", "cadastral_number",
              "parcel", "auction_status")


class BuildFailed(CitymodelError):
    """The tileset could not be built; the previous one is untouched."""


@dataclass
class Report:
    buildings: int = 0
    tiles: int = 0
    levels: int = 0
    bytes: int = 0
    skipped: dict[int, str] = field(default_factory=dict)  # building id → reason
    seconds: float = 0.0
    path: Path | None = None
    rebuilt: int | None = None  # tiles rebuilt by an incremental build

    def __str__(self) -> str:
        text_ = (f"built {self.tiles} tiles in {self.levels} levels for {self.buildings} buildings, "
                 f"{self.bytes / 2**20:.1f} MiB, in {self.seconds:.1f} s → {self.path}")
        if self.rebuilt is not None:
            text_ += f"\nincremental: rebuilt {self.rebuilt} tiles, reused {self.tiles - self.rebuilt}"
        if self.skipped:
            text_ += f"\nskipped {len(self.skipped)} footprints:"
            for building, reason in list(self.skipped.items())[:20]:
                text_ += f"\n  building {building}: {reason}"
        return text_


@dataclass(frozen=True)
class Heights:
    """How to read ground elevations: above sea level (add the geoid) or above the ellipsoid."""

    datum: str = "orthometric"
    geoid_grid: Path = geoid.DEFAULT_GRID


@dataclass
class Buildings:
    ids: np.ndarray
    footprints: np.ndarray  # shapely, lon/lat
    centres: np.ndarray  # (n, 2) the footprints' centroids
    base: np.ndarray  # ellipsoidal metres
    top: np.ndarray
    height: np.ndarray
    models: np.ndarray  # shapely MultiPolygon Z (lon, lat, ellipsoidal height) or None
    surface_classes: list  # per model: each surface's class (citymodel.surfaces), or None
    attributes: dict[str, np.ndarray]  # object arrays: a tile's rows are taken in one call
    digests: list[bytes]  # of each building's inputs: what a tile's content depends on

    def __len__(self) -> int:
        return len(self.ids)


def read_buildings(url: URL, *, bbox: tuple[float, float, float, float] | None = None,
                   where: str | None = None, heights: Heights = Heights()) -> Buildings:
    filters, params = [], None
    if bbox is not None:
        envelope = "ST_Transform(ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 4326), ST_SRID(b.footprint))"
        filters.append(f"AND b.footprint && {envelope} AND ST_Intersects(b.footprint, {envelope})")
        params = dict(zip("wsen", bbox, strict=True))
    if where:
        filters.append(f"AND ({where.replace('%', '%%') if params else where})")
    columns: dict[str, list] = {}
    footprints, models, digests = [], [], []
    # how heights are read is part of every building's inputs
    salt = hashlib.blake2b(repr(heights).encode(), digest_size=32).digest()
    with database.raw_connect(url, application_name="citymodel tiles") as conn:
        conn.execute("SET jit = off")  # compiling this one query costs more than it saves
        conn.execute("SET work_mem = '64MB'")  # sort the rows in memory
        cursor = conn.cursor(name="buildings", binary=True)  # server-side: read in chunks
        try:
            cursor.execute(QUERY.format(filters="\n  ".join(filters)), params)
            while rows := cursor.fetchmany(READ_CHUNK):
                names = [c.name for c in cursor.description]
                blake2b = hashlib.blake2b
                # (id, wkb, model, the rest): WKB as is (self-delimiting) and the rest by repr
                digests += [blake2b(row[1] + (row[2] or b"") + repr(row[:1] + row[3:]).encode(),
                                    digest_size=16, key=salt).digest() for row in rows]
                for name, values in zip(names, zip(*rows), strict=True):
                    if name == "wkb":
                        footprints.append(shapely.from_wkb(np.array(values, dtype=object)))
                    elif name == "model":
                        models.append(shapely.from_wkb(np.array(values, dtype=object)))
                    else:
                        columns.setdefault(name, []).extend(values)
        except psycopg.Error as exc:  # a bad --where
            raise BuildFailed(f"cannot read the buildings: {' '.join(str(exc).split())}") from None
        to_lonlat = _model_transformer(conn)
    if not digests:
        columns = {name: [] for name in ("id", "ground", "min_height", "height", "model_surfaces",
                                         *ATTRIBUTES)}
    footprints = np.concatenate(footprints) if footprints else np.array([], dtype=object)
    models = np.concatenate(models) if models else np.array([], dtype=object)
    given = np.array([np.nan if g is None else g for g in columns["ground"]], dtype=float)
    points = shapely.centroid(footprints)
    centres = np.column_stack([shapely.get_x(points), shapely.get_y(points)])  # NaN when empty
    ground = geoid.ellipsoidal(given, centres[:, 0], centres[:, 1], heights.datum, heights.geoid_grid)
    ground = np.nan_to_num(ground, nan=0.0)  # without a ground: on the ellipsoid, as on a globe without terrain
    models = _place_models(models, ground - np.nan_to_num(given), to_lonlat)
    return Buildings(
        ids=np.array(columns["id"], dtype=np.int64),
        footprints=footprints,
        centres=centres,
        base=ground + np.array(columns["min_height"], dtype=float),
        top=ground + np.array(columns["height"], dtype=float),
        height=np.array(columns["height"], dtype=float),
        models=models,
        surface_classes=[None if t is None else surfaces.tile_class(t) for t in columns["model_surfaces"]],
        attributes={name: _objects(columns[name]) for name in ATTRIBUTES},
        digests=digests,
    )


def _model_transformer(conn: psycopg.Connection) -> pyproj.Transformer | None:
    """Storage CRS → longitude/latitude for models, or None when they are stored so. Done
    here rather than by ST_Transform, which would move heights by the datum shift between
    ellipsoids: a model's heights are in the height datum of the settings, and stay."""
    row = conn.execute(crs.STORAGE_WKT_SQL).fetchone()
    storage = pyproj.CRS.from_wkt(row[0]) if row else None
    if storage is None or storage.to_epsg() == 4326:
        return None
    return pyproj.Transformer.from_crs(storage, 4326, always_xy=True)


def _place_models(models: np.ndarray, shift: np.ndarray, to_lonlat) -> np.ndarray:
    """Models in lon/lat with ellipsoidal heights: each lifted by its building's ``shift``
    (the geoid undulation when heights are orthometric)."""
    present = np.flatnonzero(~shapely.is_missing(models))
    if not len(present):
        return models
    coords, owner = shapely.get_coordinates(models[present], include_z=True, return_index=True)
    if to_lonlat is not None:
        coords[:, 0], coords[:, 1] = to_lonlat.transform(coords[:, 0], coords[:, 1])
    coords[:, 2] += shift[present][owner]
    placed = models.copy()
    placed[present] = shapely.set_coordinates(models[present].copy(), coords)
    return placed


def _objects(values: list) -> np.ndarray:
    array = np.empty(len(values), dtype=object)  # never a 2-D array of strings
    array[:] = values
    return array


def build_tileset(url: URL, out: Path, *, bbox=None, where: str | None = None,
                  jobs: int | None = None, scheduler: str | None = None, incremental: bool = False,
                  heights: Heights = Heights(), max_features: int = 2000, coarse: int = 1000,
                  progress=None) -> Report:
    """Build the tileset of the selected buildings into ``out`` (a link switched at the end).

    ``scheduler``: the address of a Dask distributed scheduler to build the tiles on
    (``tcp://host:8786``); else ``jobs`` local worker processes (default: every core).
    ``incremental``: reuse the previous build's tiles whose buildings did not change.
    """
    started = time.monotonic()
    buildings = read_buildings(url, bbox=bbox, where=where, heights=heights)
    if len(buildings) == 0:
        raise BuildFailed("no buildings with footprints to build (import some, or widen --bbox/--where)")
    sizes, bounds = _sizes_and_bounds(buildings)
    root = quadtree(buildings.centres, sizes, bounds, max_features=max_features, coarse=coarse)

    out = Path(out).absolute()
    builds = out.parent / f".{out.name}.builds"
    builds.mkdir(parents=True, exist_ok=True)
    target = Path(tempfile.mkdtemp(dir=builds, prefix=time.strftime("%Y%m%dT%H%M%S-")))
    target.chmod(0o755)  # served to whoever reads the tileset
    (target / "tiles").mkdir()
    report = Report(buildings=len(buildings), path=out)
    try:
        tiles = [t for t in root.walk() if len(t.content)]
        digests = {t.key: _digest(buildings, t.content) for t in tiles}
        previous = _manifest(out) if incremental else {}
        manifest: dict[str, dict] = {}
        todo = []
        for tile in tiles:
            entry = previous.get(tile.key)
            old = out / "tiles" / _file_name(tile.key) if entry else None
            if entry and entry["digest"] == digests[tile.key] and (entry["bytes"] == 0 or old.exists()):
                if entry["bytes"]:
                    os.link(old.resolve(), target / "tiles" / _file_name(tile.key))
                manifest[tile.key] = entry
            else:
                todo.append(tile)
        tasks = (_subset(buildings, t.content) for t in todo)  # made as the workers need them
        if progress:
            progress(0, total=len(todo))
        for tile, (payload, skipped) in zip(todo, _run(tasks, jobs, scheduler), strict=True):
            if payload:
                (target / "tiles" / _file_name(tile.key)).write_bytes(payload)
            manifest[tile.key] = {"digest": digests[tile.key], "bytes": len(payload),
                                  "skipped": {str(k): v for k, v in skipped.items()}}
            if progress:
                progress(1)
        for entry in manifest.values():
            report.bytes += entry["bytes"]
            report.skipped.update({int(k): v for k, v in entry["skipped"].items()})
        written = {key for key, entry in manifest.items() if entry["bytes"]}
        tileset = _tileset(root, written)
        (target / "tileset.json").write_text(json.dumps(tileset, separators=(",", ":")))
        (target / MANIFEST).write_text(json.dumps({"format": FORMAT, "tiles": manifest}, sort_keys=True))
        report.tiles = len(written)
        report.rebuilt = len(todo) if incremental else None
        report.levels = max(t.level for t in root.walk()) + 1
        _switch(out, target, builds)
    except BaseException:
        shutil.rmtree(target, ignore_errors=True)
        raise
    report.seconds = time.monotonic() - started
    return report


def _run(tasks: Iterable[dict], jobs: int | None, scheduler: str | None):
    """Encode every tile, yielding results in order as they come: on a Dask cluster,
    a local process pool, or in this process."""
    if scheduler:
        from distributed import Client

        try:
            client = Client(scheduler, timeout=30)
        except OSError as exc:
            raise BuildFailed(f"cannot reach the Dask scheduler at {scheduler}: {exc}") from None
        with client:
            for future in client.map(encode_tile, list(tasks), pure=False):
                yield future.result()
        return
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1:
        yield from map(encode_tile, tasks)
        return
    # A few tiles in flight per worker, not all of them: memory holds a few tiles' data.
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        pending: deque = deque()
        for task in tasks:
            pending.append(pool.submit(encode_tile, task))
            if len(pending) >= 2 * jobs:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _manifest(out: Path) -> dict[str, dict]:
    """The previous build's tiles and their digests, if it was built by this format."""
    try:
        manifest = json.loads((out / MANIFEST).read_text())
    except (OSError, ValueError):
        return {}
    return manifest["tiles"] if manifest.get("format") == FORMAT else {}


def _digest(b: Buildings, rows: np.ndarray) -> str:
    digest = hashlib.blake2b(FORMAT.encode(), digest_size=16)
    for i in rows:
        digest.update(b.digests[i])
    return digest.hexdigest()


def _file_name(key: str) -> str:
    return f"{key.replace('/', '_')}.glb"


def _sizes_and_bounds(b: Buildings) -> tuple[np.ndarray, np.ndarray]:
    box = shapely.bounds(b.footprints)  # west, south, east, north (degrees)
    lat = np.radians((box[:, 1] + box[:, 3]) / 2)
    metres_x = np.radians(box[:, 2] - box[:, 0]) * 6_378_137.0 * np.cos(lat)
    metres_y = np.radians(box[:, 3] - box[:, 1]) * 6_378_137.0
    sizes = np.maximum(np.hypot(metres_x, metres_y), b.height)
    return sizes, np.column_stack([box, b.base, b.top])


def _subset(b: Buildings, rows: np.ndarray) -> dict:
    """One tile's inputs. Footprints travel to the workers as WKB: one vectorized call
    here and one there, instead of pickling geometry by geometry (twice as fast)."""
    return {
        "ids": b.ids[rows], "wkb": shapely.to_wkb(b.footprints[rows]), "base": b.base[rows],
        "top": b.top[rows], "height": b.height[rows],
        "models": shapely.to_wkb(b.models[rows], output_dimension=3),
        "classes": [b.surface_classes[i] for i in rows],
        "attributes": {k: v[rows].tolist() for k, v in b.attributes.items()},
    }


def encode_tile(data: dict) -> tuple[bytes, dict[int, str]]:
    """One tile's .glb (empty when every footprint was skipped); runs in a worker."""
    footprints = shapely.from_wkb(data["wkb"])
    box = shapely.total_bounds(footprints)
    centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    centre_ecef = ecef(np.array([centre[0]]), np.array([centre[1]]), np.array([0.0]))[0]
    models = shapely.from_wkb(data["models"])
    modelled = ~shapely.is_missing(models)
    meshes = []
    if (~modelled).any():
        extruded = np.flatnonzero(~modelled)
        mesh = extrude(footprints[extruded], data["base"][extruded], data["top"][extruded],
                       centre, centre_ecef)
        mesh.feature_ids = extruded[mesh.feature_ids].astype(np.uint32)
        mesh.skipped = {int(extruded[k]): why for k, why in mesh.skipped.items()}
        meshes.append(mesh)
    if modelled.any():
        rows = np.flatnonzero(modelled)
        meshes.append(model_mesh(models[rows], [data["classes"][i] for i in rows], rows, centre_ecef))
    mesh = join(meshes)
    mesh.positions += centre_ecef  # the glTF node carries the centre (RTC)
    a = data["attributes"]
    rows = {
        "building_id": data["ids"].tolist(), "cadastral_number": a["cadastral_number"],
        "parcel": a["parcel"], "height": data["height"].tolist(), "height_source": a["height_source"],
        "floors": a["floors"], "use": a["use"], "year_built": a["year_built"],
        "address": a["address"], "auction_status": a["auction_status"],
    }
    skipped = {int(data["ids"][i]): reason for i, reason in mesh.skipped.items()}
    if mesh.empty:
        return b"", skipped
    return gltf.encode(mesh, rows, len(data["ids"])), skipped


def _tileset(root: Tile, with_content: set[str]) -> dict:
    def tile_json(tile: Tile) -> dict:
        w, s, e, n, low, high = tile.region
        entry = {
            "boundingVolume": {"region": [float(np.radians(w)), float(np.radians(s)),
                                          float(np.radians(e)), float(np.radians(n)),
                                          float(low), float(high)]},
            "geometricError": round(tile.error, 3),
        }
        if tile.key in with_content:
            entry["content"] = {"uri": f"tiles/{_file_name(tile.key)}"}
        if tile.children:
            entry["children"] = [tile_json(child) for child in tile.children]
        return entry

    body = tile_json(root)
    body["refine"] = "ADD"
    w, s, e, n = root.region[:4]
    diagonal = float(np.hypot(np.radians(e - w) * 6_378_137.0 * np.cos(np.radians((s + n) / 2)),
                              np.radians(n - s) * 6_378_137.0))
    return {
        "asset": {"version": "1.1", "generator": "citymodel"},
        "geometricError": round(max(diagonal, root.error * 2, 1.0), 3),
        "root": body,
    }


def _switch(out: Path, target: Path, builds: Path) -> None:
    """Point ``out`` at ``target`` atomically, then remove older builds."""
    if out.exists() and not out.is_symlink():
        raise BuildFailed(f"{out} exists and is not a tileset link of citymodel's: move it away first")
    link = out.with_name(f".{out.name}.link-{os.getpid()}")
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(target, out.parent))
    os.replace(link, out)
    for old in builds.iterdir():
        if old != target:
            shutil.rmtree(old, ignore_errors=True)
