"""OGC API – Features: collections, items, one item, queryables (Parts 1, 2 and 3)."""

from __future__ import annotations

import asyncio
import json
from typing import Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api import cql2
from api import crs as crs_
from api.collections import COLLECTIONS, Collection
from api.db import SIGNED_IN
from api.errors import BadRequest, NotFound
from api.features import (
    Where,
    after,
    decode_cursor,
    encode_cursor,
    envelope_sql,
    geometry_sql,
    parse_bbox,
    parse_datetime,
    parse_properties,
    parse_sortby,
    pg_type,
    properties_sql,
)
from api.responses import GEOJSON, HTML, JSON, SCHEMA, link, render, self_links, wants_html
from api.routes.vector_tiles import TILED

router = APIRouter(tags=["Features"])
ITEMS_PARAMETERS = {"limit", "bbox", "bbox-crs", "crs", "datetime", "properties", "sortby",
                    "filter", "filter-lang", "filter-crs", "offset", "cursor", "f"}
# The path parameter is named as in the OGC API templates: GDAL looks the items operation
# up under /collections/{collectionId}/items.
CollectionId = Path(description=f"A collection: {', '.join(COLLECTIONS)}",
                    pattern=f"^({'|'.join(COLLECTIONS)})$")


def collection_of(collection_id: str) -> Collection:
    try:
        return COLLECTIONS[collection_id]
    except KeyError:
        raise NotFound(f"no collection {collection_id!r}; see /collections") from None


def check_parameters(request: Request, allowed: set[str]) -> None:
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise BadRequest(f"unknown query parameter(s): {', '.join(unknown)}; "
                         f"this endpoint takes: {', '.join(sorted(allowed))}")


def collection_document(request: Request, c: Collection, base: str) -> dict:
    state = request.app.state
    href = f"{base}/collections/{c.id}"
    document = {
        "id": c.id, "title": c.title, "description": c.description, "itemType": "feature",
        "crs": list(state.crss), "storageCrs": crs_.storage_uri(state.db.storage_srid),
        "links": [
            link(f"{href}?f=json", "self", JSON, c.title),
            link(f"{href}?f=html", "alternate", HTML, f"{c.title} as HTML"),
            link(f"{href}/items?f=json", "items", GEOJSON, f"{c.title} as GeoJSON"),
            link(f"{href}/items?f=html", "items", HTML, f"{c.title} as HTML"),
            link(f"{href}/queryables", "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                 SCHEMA, "Queryables"),
            link(f"{href}/queryables", "queryables", SCHEMA, "Queryables"),  # GDAL < 3.7
        ],
    }
    if c.id in TILED:
        document["links"].append(link(f"{base}/tiles/{c.id}/tilejson.json", "tiles",
                                      "application/vnd.mapbox.tile+json", "Vector tiles (TileJSON)"))
    extent = state.extents.get(c.id)
    if extent:
        document["extent"] = {"spatial": {"bbox": [extent], "crs": crs_.CRS84}}
    return document


@router.get("/collections", summary="The feature collections")
async def collections(request: Request):
    check_parameters(request, {"f"})
    base = str(request.base_url).rstrip("/")
    document = {
        "links": self_links(request, title="Collections"),
        "collections": [collection_document(request, c, base) for c in COLLECTIONS.values()],
        "crs": list(request.app.state.crss),
    }
    return render(request, document, title="Collections")


@router.get("/collections/{collectionId}", summary="One feature collection")
async def collection(request: Request, collectionId: str = CollectionId):
    check_parameters(request, {"f"})
    c = collection_of(collectionId)
    document = collection_document(request, c, str(request.base_url).rstrip("/"))
    document["links"][:2] = self_links(request, title=c.title)
    return render(request, document, title=c.title)


@router.get("/collections/{collectionId}/queryables", summary="What a filter can use")
async def queryables(request: Request, collectionId: str = CollectionId):
    check_parameters(request, {"f"})
    c = collection_of(collectionId)
    base = str(request.base_url).rstrip("/")
    properties = {"id": {"title": "Feature id", "type": "integer"},
                  "geometry": {"title": "Geometry",
                               "format": f"geometry-{c.geometry_type.lower()}"}}
    properties |= {p.name: p.schema() for p in c.properties if p.type != "array"}
    document = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"{base}/collections/{c.id}/queryables",
        "type": "object", "title": c.title, "properties": properties,
        "additionalProperties": False,
        # the draft's list, which GDAL < 3.7 (Debian 12's 3.6) reads to send filters
        "queryables": [{"id": name, "type": schema.get("type", "geometry"), "title": schema["title"]}
                       for name, schema in properties.items()],
    }
    # application/schema+json to clients that ask for it; plain JSON to the others (GDAL 3.6
    # refuses a type it did not ask for)
    json_type = SCHEMA if SCHEMA in request.headers.get("accept", "") else JSON
    return render(request, document, json_type=json_type, title=f"Queryables of {c.title}")


@router.get("/collections/{collectionId}/items", summary="Features of a collection",
            response_class=Response, responses={200: {"content": {GEOJSON: {}, HTML: {}}}})
async def items(
    request: Request,
    collectionId: str = CollectionId,
    limit: int = Query(None, ge=1, description="Features per page; larger values are clamped "
                                               "to the maximum"),
    bbox: str | None = Query(None, description="minx,miny,maxx,maxy (in bbox-crs)"),
    bbox_crs: str | None = Query(None, alias="bbox-crs", description="The CRS of bbox (a URI)"),
    crs: str | None = Query(None, description="The CRS of the response (a URI)"),
    datetime_: str | None = Query(None, alias="datetime", description="An instant or interval"),
    properties: str | None = Query(None, description="Comma-separated properties to return"),
    sortby: str | None = Query(None, description="[+|-]property, comma-separated"),
    filter_: str | None = Query(None, alias="filter", description="A CQL2 filter"),
    filter_lang: Literal["cql2-text", "cql2-json", "cql-text"] | None = Query(
        None, alias="filter-lang",
        description="cql2-text (default) or cql2-json; cql-text, the draft's name GDAL 3.6 sends, "
                    "is read as cql2-text"),
    filter_crs: str | None = Query(None, alias="filter-crs", description="The CRS of filter geometries"),
    offset: int = Query(0, ge=0, le=10_000_000, description="Features to skip (prefer `next` links)"),
    cursor: str | None = Query(None, max_length=2000, description="From a `next` link"),
    f: str | None = Query(None, pattern="^(json|html)$"),
):
    check_parameters(request, ITEMS_PARAMETERS)
    state = request.app.state
    c = collection_of(collectionId)
    settings = state.settings
    limit = min(limit or settings.api_default_limit, settings.api_max_limit)
    out_crs = crs_.parse(crs, state.crss, "crs")
    box_crs = crs_.parse(bbox_crs, state.crss, "bbox-crs")
    box = parse_bbox(bbox, box_crs)
    if box is not None:
        crs_.check_within(box_crs, [(box[0], box[1]), (box[2], box[3])], "bbox")
    props = parse_properties(c, properties)
    keys = parse_sortby(c, sortby)
    srid = state.db.storage_srid

    where = Where()
    if box is not None:
        condition = c.spatial_sql.replace("{env}", envelope_sql(box_crs, srid))
        where.add(condition, *(list(box) * c.spatial_sql.count("{env}")))
    interval = parse_datetime(datetime_)
    if interval is not None:
        if c.temporal is None:
            raise BadRequest(f"datetime: {c.id} has no temporal property")
        prop = c.property(c.temporal)
        start, end = interval
        cast = pg_type(prop)
        if start is not None:
            where.add(f"{prop.sql} >= %s::{cast}", start)
        if end is not None:
            where.add(f"{prop.sql} <= %s::{cast}", end)
    if filter_ is not None:
        sql, params = cql2.compile_filter(filter_, filter_lang, c, srid,
                                          crs_.parse(filter_crs, state.crss, "filter-crs"),
                                          None if SIGNED_IN.get() else cql2.MAX_PUBLIC_VERTICES)
        where.add(sql, *params)
    elif filter_lang is not None or filter_crs is not None:
        raise BadRequest("filter-lang and filter-crs need a filter")
    count_where = Where(list(where.sql), list(where.params))
    if cursor is not None:
        after(c, keys, decode_cursor(cursor, keys), where)

    sort_columns = "".join(f", {k.sql(c)}" for k in keys)
    order = ", ".join(k.order(c) for k in keys)
    conditions = where.render()
    select = f"SELECT {c.id_sql}, {geometry_sql(c, out_crs, srid)}, {properties_sql(props)}{sort_columns}"
    page_from = c.page_from(f"SELECT * FROM {c.base_from_sql} WHERE {conditions} ORDER BY {order} "
                            "LIMIT %s OFFSET %s")
    if page_from is not None and not c.touches_joins(conditions + order):
        # one page of the base table first; joined properties for that page only
        query = f"{select} FROM {page_from} ORDER BY {order}"
    else:
        query = f"{select} FROM {c.from_sql} WHERE {conditions} ORDER BY {order} LIMIT %s OFFSET %s"
    first_page = cursor is None and offset == 0
    if first_page and box is not None and page_from is not None and not c.touches_joins(conditions + order):
        found = await _bbox_page(state.db, c, select, conditions, order, [*where.params, limit + 1])
        if found is not None:  # a map's page, counted in the same query
            rows, matched = found
            more = len(rows) > limit
            rows = rows[:limit]
            return _page(request, c, out_crs, rows, more, matched)
    counting = None
    if first_page:  # counted alongside the page, on the counting pool
        counting = asyncio.create_task(state.db.count(
            f"SELECT count(*) FROM {c.counting_from(count_where.render())} WHERE {count_where.render()}",
            count_where.params))
        # its failure is seen here (a cancelled count may still end in one): when the page
        # failed too, the page's error is the answer
        counting.add_done_callback(lambda task: task.cancelled() or task.exception())
    try:
        async with state.db.connection() as conn:
            rows = await (await conn.execute(query, [*where.params, limit + 1, offset])).fetchall()
        more = len(rows) > limit
        rows = rows[:limit]
        matched = None
        if first_page and not more:
            matched = len(rows)
        elif first_page:
            matched = await counting
    finally:
        if counting is not None and not counting.done():
            counting.cancel()
    return _page(request, c, out_crs, rows, more, matched)


CAPPED_COUNT = 2_000  # a bbox matching at most this many features is counted with its page


async def _bbox_page(db, c: Collection, select: str, conditions: str, order: str,
                     params: list) -> tuple[list, int] | None:
    """The first page of a bbox request and the number of matches, in one query, when it
    matches at most CAPPED_COUNT features (map views, the common case): the matches are
    gathered once, counted and sorted. None when there are more (the caller pages and
    counts the usual way)."""
    alias = c.base_from_sql.split()[-1]
    inner = (f"SELECT * FROM (SELECT *, count(*) OVER () AS matched_ FROM (SELECT * FROM {c.base_from_sql} "
             f"WHERE {conditions} LIMIT {CAPPED_COUNT + 1}) {alias}) {alias} ORDER BY {order} LIMIT %s")
    query = f"{select}, {alias}.matched_ FROM {c.page_from(inner)} ORDER BY {order}"
    async with db.connection() as conn:
        rows = await (await conn.execute(query, params)).fetchall()
    matched = rows[0][-1] if rows else 0
    if matched > CAPPED_COUNT:
        return None
    return [r[:-1] for r in rows], matched


def _page(request: Request, c: Collection, out_crs, rows: list, more: bool, matched: int | None) -> Response:
    """The FeatureCollection of a page (GeoJSON, or HTML for browsers), with its links."""
    base = str(request.base_url).rstrip("/")
    items_href = f"{base}/collections/{c.id}/items"
    links = self_links(request, GEOJSON, c.title)
    if more:
        last = rows[-1]
        token = encode_cursor(list(last[3:]))
        url = request.url.remove_query_params(["cursor", "offset"]).include_query_params(cursor=token)
        for fmt, type_ in (("json", GEOJSON), ("html", HTML)):
            links.append(link(str(url.include_query_params(f=fmt)), "next", type_, "Next page"))
    links.append(link(f"{base}/collections/{c.id}?f=json", "collection", JSON, c.title))
    headers = {"Content-Crs": f"<{out_crs.uri}>"}
    if wants_html(request):
        document = {"type": "FeatureCollection", "numberReturned": len(rows), "links": links,
                    "items_href": items_href,
                    "features": [{"id": r[0], "properties": json.loads(r[2])} for r in rows]}
        if matched is not None:
            document["numberMatched"] = matched
        return render(request, document, title=f"{c.title}: features", headers=headers)
    features = b",".join(
        b'{"type":"Feature","id":%d,"geometry":%s,"properties":%s}'
        % (r[0], (r[1] or "null").encode(), r[2].encode()) for r in rows)
    head = {"type": "FeatureCollection", "numberReturned": len(rows), "links": links}
    if matched is not None:
        head["numberMatched"] = matched
    envelope = json.dumps(head, separators=(",", ":"), ensure_ascii=False).encode()
    body = envelope[:-1] + b',"features":[' + features + b"]}"
    return Response(body, media_type=GEOJSON, headers=headers)


@router.get("/collections/{collectionId}/items/{feature_id}", summary="One feature",
            response_class=Response, responses={200: {"content": {GEOJSON: {}, HTML: {}}}})
async def item(request: Request, collectionId: str = CollectionId,
               feature_id: int = Path(ge=1, le=2**63 - 1),
               crs: str | None = Query(None, description="The CRS of the response (a URI)"),
               f: str | None = Query(None, pattern="^(json|html)$")):
    check_parameters(request, {"crs", "f"})
    state = request.app.state
    c = collection_of(collectionId)
    out_crs = crs_.parse(crs, state.crss, "crs")
    query = (f"SELECT {c.id_sql}, {geometry_sql(c, out_crs, state.db.storage_srid)}, "
             f"{properties_sql(c.properties)} FROM {c.from_sql} WHERE {c.id_sql} = %s")
    row = await state.db.one(query, [feature_id])
    if row is None:
        raise NotFound(f"{c.id} has no feature {feature_id}")
    base = str(request.base_url).rstrip("/")
    links = self_links(request, GEOJSON, f"{c.id} {feature_id}")
    links.append(link(f"{base}/collections/{c.id}?f=json", "collection", JSON, c.title))
    headers = {"Content-Crs": f"<{out_crs.uri}>"}
    document = {"type": "Feature", "id": row[0], "geometry": json.loads(row[1] or "null"),
                "properties": json.loads(row[2]), "links": links}
    return render(request, document, json_type=GEOJSON, title=f"{c.title}: {feature_id}",
                  headers=headers)
