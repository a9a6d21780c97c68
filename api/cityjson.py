"""A page of buildings as a CityJSONSeq stream (``/collections/buildings/items?f=cityjson``):
the header line (``CityJSON`` with its transform and CRS), then one ``CityJSONFeature`` a
line, written by the core's encoder (``citymodel.cityjson``) from the page the feature query
selected — its filters, sort order and paging are those of the GeoJSON page; the next page
is in the ``Link`` header.

The CRS is the request's ``crs`` when it is projected, else the UTM zone of the page."""

from __future__ import annotations

import orjson
import pyproj
import shapely
from fastapi import Request
from fastapi.responses import Response

from api.features import FeatureQuery, Page, encode_cursor
from api.responses import url_with
from citymodel import cityjson, crs


async def _storage_crs(request: Request) -> pyproj.CRS:
    state = request.app.state
    cached = getattr(state, "storage_pyproj", None)
    if cached is None:
        (wkt,) = await state.db.one(crs.STORAGE_WKT_SQL)
        cached = state.storage_pyproj = pyproj.CRS.from_wkt(wkt)
    return cached


async def page(request: Request, query: FeatureQuery, found: Page) -> Response:
    ids = [feature["id"] for feature in found.features]
    rows = await request.app.state.db.all(cityjson.SELECT.format(where="AND b.id = ANY(%s)"), [ids])
    by_id = {row[0]: dict(zip(cityjson.COLUMNS, row, strict=True)) for row in rows}
    ordered = [by_id[i] for i in ids if i in by_id]  # in the page's order
    storage = await _storage_crs(request)
    lon = lat = 0.0
    if ordered:
        box = shapely.total_bounds(shapely.from_wkb([bytes(r["footprint"]) for r in ordered]))
        lon, lat = pyproj.Transformer.from_crs(storage, 4326, always_xy=True).transform(
            (box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    target = cityjson.utm(lon, lat) if query.crs.geographic else pyproj.CRS.from_epsg(query.crs.srid)
    x, y = pyproj.Transformer.from_crs(4326, target, always_xy=True).transform(lon, lat)
    origin = (float(round(x)), float(round(y)), 0.0)
    writer = cityjson.Writer(storage, target, origin)
    lines = [orjson.dumps(writer.header())]
    lines += [orjson.dumps(feature) for feature in writer.features(ordered)]
    headers = {}
    if found.more:
        token = encode_cursor(found.last_keys)
        headers["Link"] = f'<{url_with(request, ("cursor", "offset"), cursor=token, f="cityjson")}>; rel="next"'
    return Response(b"\n".join(lines) + b"\n", media_type=cityjson.SEQ_MEDIA_TYPE, headers=headers)
