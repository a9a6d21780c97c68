"""Mapbox vector tiles of parcels and building footprints, made by ST_AsMVT in PostGIS.

Tiles are in Web Mercator (the XYZ scheme of MapLibre, OpenLayers, QGIS), one layer
named after the collection, with the attributes planners style by (auction status,
permitted use, height …) and no personal data. Below the minimum zoom a tile is empty
rather than a city's worth of parcels.
"""

from __future__ import annotations

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from api.collections import COLLECTIONS
from api.errors import BadRequest
from api.responses import etag_of, not_modified

router = APIRouter(tags=["Vector tiles"])
MVT = "application/vnd.mapbox-vector-tile"
EXTENT, BUFFER = 4096, 64
MIN_ZOOM, MAX_ZOOM = 12, 22
TILED = ("parcels", "buildings")


def _layer(collection_id: str):
    if collection_id not in TILED:
        raise BadRequest(f"no vector tiles of {collection_id!r}; there are: {', '.join(TILED)}")
    return COLLECTIONS[collection_id]


@router.get("/tiles/{collection_id}/{z}/{x}/{y}.mvt", summary="A vector tile",
            response_class=Response,
            responses={200: {"content": {MVT: {}}}, 304: {"description": "Not modified"}})
async def vector_tile(request: Request,
                      collection_id: str = Path(pattern="^(parcels|buildings)$"),
                      z: int = Path(ge=0, le=MAX_ZOOM), x: int = Path(ge=0), y: int = Path(ge=0)):
    c = _layer(collection_id)
    if x >= 2**z or y >= 2**z:
        raise BadRequest(f"tile {z}/{x}/{y} does not exist: x and y must be below {2**z}")
    if z < MIN_ZOOM:
        body = b""
    else:
        db = request.app.state.db
        names = [p for p in c.properties if p.name in c.tile_properties]
        columns = "".join(f", {p.sql} AS {p.name}" for p in names)
        env = f"ST_TileEnvelope({z}, {x}, {y}, margin => {BUFFER / EXTENT})"
        query = f"""
            SELECT ST_AsMVT(t, %(layer)s, {EXTENT}, 'geom', 'id') FROM (
              SELECT {c.id_sql} AS id, ST_AsMVTGeom(ST_Transform({c.geometry_sql}, 3857),
                     ST_TileEnvelope({z}, {x}, {y}), {EXTENT}, {BUFFER}, true) AS geom{columns}
              FROM (SELECT ST_Transform({env}, {int(db.storage_srid)}) AS env) e, {c.from_sql}
              WHERE {c.spatial_sql.replace('{env}', 'e.env')} AND {c.tile_where}
            ) t WHERE t.geom IS NOT NULL"""
        row = await db.one(query, {"layer": c.id})
        body = bytes(row[0]) if row and row[0] is not None else b""
    etag = etag_of(body)
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=MVT, headers=headers)


@router.get("/tiles/{collection_id}/tilejson.json", summary="TileJSON of a vector tile layer")
async def tilejson(request: Request, collection_id: str = Path(pattern="^(parcels|buildings)$")):
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
