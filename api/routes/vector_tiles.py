"""Mapbox vector tiles of parcels, buildings, zones, services and linear objects (ST_AsMVT).

Tiles are in Web Mercator (the XYZ scheme of MapLibre, OpenLayers, QGIS), one layer
named after the collection, with the attributes planners style by (auction status,
permitted use, height …) and no personal data. Below the minimum zoom a tile is empty
rather than a city's worth of parcels.

Tiles are cached in memory, keyed by the data versions their content depends on
(``data_versions``, bumped by triggers in the same transaction as any change to
parcels, buildings or auctions): one tiny query tells whether a cached tile is
current, so a cache entry is never served after the data under it changed. The ETag
is derived from the same versions, so a client's revalidation is answered with 304
without making the tile at all.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from api.collections import COLLECTIONS
from api.errors import BadRequest
from api.responses import not_modified

router = APIRouter(tags=["Vector tiles"])
MVT = "application/vnd.mapbox-vector-tile"
EXTENT, BUFFER = 4096, 64
MIN_ZOOM, MAX_ZOOM = 12, 22
# collections with tile attributes; each has its data versions, which key its cached tiles
TILED = tuple(c.id for c in COLLECTIONS.values() if c.tile_properties and c.versions)
TiledId = Path(description=f"A tiled collection: {', '.join(TILED)}", pattern=f"^({'|'.join(TILED)})$")
CACHE_BYTES = 64 << 20  # per server process


class TileCache:
    """Least recently used tiles, up to a byte budget."""

    def __init__(self, budget: int = CACHE_BYTES) -> None:
        self.budget = budget
        self.used = 0
        self.entries: OrderedDict[tuple, tuple[tuple, bytes]] = OrderedDict()

    def get(self, key: tuple, versions: tuple) -> bytes | None:
        entry = self.entries.get(key)
        if entry is None or entry[0] != versions:
            return None
        self.entries.move_to_end(key)
        return entry[1]

    def put(self, key: tuple, versions: tuple, body: bytes) -> None:
        old = self.entries.pop(key, None)
        if old is not None:
            self.used -= len(old[1])
        self.entries[key] = (versions, body)
        self.used += len(body)
        while self.used > self.budget and self.entries:
            _, (_, dropped) = self.entries.popitem(last=False)
            self.used -= len(dropped)


_cache = TileCache()


def _layer(collection_id: str):
    if collection_id not in TILED:
        raise BadRequest(f"no vector tiles of {collection_id!r}; there are: {', '.join(TILED)}")
    return COLLECTIONS[collection_id]


@router.get("/tiles/{collection_id}/{z}/{x}/{y}.mvt", summary="A vector tile",
            response_class=Response,
            responses={200: {"content": {MVT: {}}}, 304: {"description": "Not modified"}})
async def vector_tile(request: Request,
                      collection_id: str = TiledId,
                      z: int = Path(ge=0, le=MAX_ZOOM), x: int = Path(ge=0), y: int = Path(ge=0)):
    c = _layer(collection_id)
    if x >= 2**z or y >= 2**z:
        raise BadRequest(f"tile {z}/{x}/{y} does not exist: x and y must be below {2**z}")
    db = request.app.state.db
    versions = await db.data_versions(c.versions)
    key = (c.id, z, x, y)
    etag = '"' + hashlib.blake2b(repr((key, versions)).encode(), digest_size=12).hexdigest() + '"'
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    body = _cache.get(key, versions)
    if body is None:
        body = await _make_tile(db, c, z, x, y) if z >= MIN_ZOOM else b""
        _cache.put(key, versions, body)
    return Response(body, media_type=MVT, headers=headers)


async def _make_tile(db, c, z: int, x: int, y: int) -> bytes:
    columns = "".join(f", {p.sql} AS {p.name}" for p in c.properties if p.name in c.tile_properties)
    env = f"ST_TileEnvelope({z}, {x}, {y}, margin => {BUFFER / EXTENT})"
    query = f"""
        SELECT ST_AsMVT(t, %(layer)s, {EXTENT}, 'geom', 'id') FROM (
          SELECT {c.id_sql} AS id, ST_AsMVTGeom(ST_Transform({c.geometry_sql}, 3857),
                 ST_TileEnvelope({z}, {x}, {y}), {EXTENT}, {BUFFER}, true) AS geom{columns}
          FROM (SELECT ST_Transform({env}, {int(db.storage_srid)}) AS env) e, {c.from_sql}
          WHERE {c.spatial_sql.replace('{env}', 'e.env')} AND {c.tile_where}
        ) t WHERE t.geom IS NOT NULL"""
    row = await db.one(query, {"layer": c.id})
    return bytes(row[0]) if row and row[0] is not None else b""


@router.get("/tiles/{collection_id}/tilejson.json", summary="TileJSON of a vector tile layer")
async def tilejson(request: Request, collection_id: str = TiledId):
    c = _layer(collection_id)
    base = str(request.base_url).rstrip("/")
    fields = {p.name: p.title for p in c.properties if p.name in c.tile_properties}
    extent = request.app.state.extents.get(c.id)
    document = {
        "tilejson": "3.0.0", "name": c.title, "description": c.description,
        "tiles": [f"{base}/tiles/{c.id}/{{z}}/{{x}}/{{y}}.mvt"], "scheme": "xyz",
        "minzoom": MIN_ZOOM, "maxzoom": MAX_ZOOM,
        "vector_layers": [{"id": c.id, "fields": fields, "minzoom": MIN_ZOOM, "maxzoom": MAX_ZOOM}],
    }
    if extent:
        document["bounds"] = extent
        document["center"] = [(extent[0] + extent[2]) / 2, (extent[1] + extent[3]) / 2, 15]
    return document
