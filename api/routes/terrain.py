"""The city's terrain as quantized-mesh, for CesiumJS (``CesiumTerrainProvider``) and any
client of that format: ``/terrain/layer.json`` and ``/terrain/{z}/{x}/{y}.terrain``.

Tiles are made on request from the imported terrain (:mod:`tiles.terrain`, in worker
threads) and kept, gzipped, in a cache of each server process keyed by the terrain's
digest: a new terrain import changes the digest (the ``terrain`` data version tells
when) and so every URL and ETag. ``layer.json``'s tile URLs carry the digest (``?v=``):
a tile asked for under the current digest is immutable and cached by clients for a
year; anything else revalidates. Tiles are sent gzipped when the client accepts it
(as CesiumJS does), as quantized-mesh servers do.
"""

from __future__ import annotations

import gzip
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np
import shapely
from fastapi import APIRouter, Path, Request
from fastapi.responses import JSONResponse, Response
from rasterio.errors import RasterioError
from starlette.concurrency import run_in_threadpool

from api.errors import ApiError, NotFound
from api.responses import not_modified
from citymodel import terrain as terrain_
from citymodel.terrain import Terrain
from tiles import geoid
from tiles import terrain as quantized_mesh

router = APIRouter(tags=["Terrain"])
log = logging.getLogger("citymodel.api")
CACHE_BYTES = 64 << 20  # gzipped tiles kept per server process
IMMUTABLE = "public, max-age=31536000, immutable"
NO_TERRAIN = "no terrain has been imported: run `citymodel import terrain FILE`"


class TerrainUnavailable(ApiError):
    status = 503
    code = "ServiceUnavailable"


@dataclass
class Served:
    """The terrain a server process serves, at one data version."""

    data_version: int
    terrain: Terrain | None
    tiles: OrderedDict = field(default_factory=OrderedDict)  # (z, x, y) → gzipped bytes
    size: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    local: threading.local = field(default_factory=threading.local)  # a dataset per thread

    @property
    def version(self) -> str:
        t = self.terrain
        return f"{t.digest[:16]}{t.height_datum[0]}" if t else ""

    def cached(self, key) -> bytes | None:
        with self.lock:
            data = self.tiles.get(key)
            if data is not None:
                self.tiles.move_to_end(key)
            return data

    def keep(self, key, data: bytes) -> None:
        with self.lock:
            if key not in self.tiles:
                self.tiles[key] = data
                self.size += len(data)
            while self.size > CACHE_BYTES and self.tiles:
                self.size -= len(self.tiles.popitem(last=False)[1])

    def dataset(self, settings):
        dataset = getattr(self.local, "dataset", None)
        if dataset is None:
            try:
                dataset = terrain_.open_dataset(self.terrain, settings.resolved_state_dir)
            except terrain_.TerrainMissing as exc:
                raise TerrainUnavailable(str(exc), headers={"Retry-After": "30"}) from None
            except RasterioError as exc:
                log.error("terrain file unreadable: %s", exc)
                raise TerrainUnavailable("the terrain file cannot be read; import the terrain again",
                                         headers={"Retry-After": "30"}) from None
            self.local.dataset = dataset
        return dataset

    def grounds(self, footprints: list, settings) -> list[float]:
        """Ellipsoidal ground heights of footprints (longitude/latitude) by the rule the
        city's buildings stand by; 0 (the ellipsoid) without terrain under them (run in a
        worker thread)."""
        if self.terrain is None or not footprints:
            return [0.0] * len(footprints)
        shapes = np.array(footprints, dtype=object)
        heights = terrain_.ground_elevations(self.dataset(settings), shapes)
        centres = shapely.get_coordinates(shapely.centroid(shapes))  # as the city's tileset does
        heights = geoid.ellipsoidal(heights, centres[:, 0], centres[:, 1], self.terrain.height_datum,
                                    settings.geoid_grid)
        return np.nan_to_num(heights, nan=0.0).tolist()

    def make(self, z: int, x: int, y: int, settings) -> bytes:
        """The tile, gzipped (run in a worker thread)."""
        dataset = self.dataset(settings)
        try:
            data = quantized_mesh.tile(self.terrain, dataset, z, x, y, settings.geoid_grid)
        except RasterioError as exc:  # the file on disk is damaged: the server's state, not the request
            log.error("terrain file %s unreadable: %s", dataset.name, exc)
            raise TerrainUnavailable("the terrain file cannot be read; import the terrain again",
                                     headers={"Retry-After": "30"}) from None
        return gzip.compress(data, compresslevel=6, mtime=0)


async def served(request: Request) -> Served:
    state = request.app.state
    (version,) = await state.db.data_versions(("terrain",))
    current = getattr(state, "terrain", None)
    if current is None or current.data_version != version:
        row = await state.db.one(terrain_.CURRENT)
        current = Served(version, Terrain(*row) if row else None)
        state.terrain = current
    return current


@router.get("/terrain/layer.json", summary="The terrain's quantized-mesh layer description",
            responses={404: {"description": "No terrain imported"}})
async def layer(request: Request):
    s = await served(request)
    if s.terrain is None:
        raise NotFound(NO_TERRAIN)
    etag = f'"{s.version}"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    return JSONResponse(quantized_mesh.layer(s.terrain, s.version), headers=headers)


@router.get("/terrain/{z}/{x}/{y}.terrain", summary="A quantized-mesh terrain tile",
            response_class=Response,
            responses={200: {"content": {quantized_mesh.MEDIA_TYPE: {}}},
                       304: {"description": "Not modified"},
                       404: {"description": "No such tile (see layer.json's available)"}})
async def terrain_tile(request: Request,
                       z: int = Path(ge=0, le=quantized_mesh.MAX_LEVEL, description="Level"),
                       x: int = Path(ge=0, le=(2 << quantized_mesh.MAX_LEVEL) - 1),
                       y: int = Path(ge=0, le=(1 << quantized_mesh.MAX_LEVEL) - 1)):
    s = await served(request)
    if s.terrain is None:
        raise NotFound(NO_TERRAIN)
    if not quantized_mesh.available(s.terrain, z, x, y):
        raise NotFound(f"no terrain tile {z}/{x}/{y}: layer.json lists the tiles there are")
    etag = f'"{s.version}-{z}-{x}-{y}"'
    current = request.query_params.get("v") == s.version
    headers = {"ETag": etag, "Cache-Control": IMMUTABLE if current else "no-cache",
               "Vary": "Accept-Encoding"}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    data = s.cached((z, x, y))
    if data is None:
        data = await run_in_threadpool(s.make, z, x, y, request.app.state.settings)
        s.keep((z, x, y), data)
    media_type = f"{quantized_mesh.MEDIA_TYPE};extensions={'-'.join(quantized_mesh.EXTENSIONS)}"
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
    else:
        data = gzip.decompress(data)
    return Response(data, media_type=media_type, headers=headers)
