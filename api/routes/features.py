"""OGC API – Features: collections, items, one item, queryables (Parts 1, 2 and 3)."""

from __future__ import annotations

import asyncio
import json

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from api import cityjson
from api import crs as crs_
from api.collections import COLLECTIONS, Collection
from api.crs import Crs
from api.dependencies import (
    FEATURE_QUERY,
    PAGING,
    Paging,
    check_parameters,
    collection,
    documented,
    feature_query,
    output_crs,
    output_format,
    paging,
    query_parameter,
)
from api.errors import BadRequest, NotFound
from api.feature_cache import read_page
from api.features import (
    FeatureQuery,
    Page,
    encode_cursor,
    feature_collection,
)
from api.responses import (
    GEOJSON,
    HTML,
    JSON,
    SCHEMA,
    link,
    render,
    self_links,
    url_with,
    wants_html,
)
from api.routes.vector_tiles import TILED

router = APIRouter(tags=["Features"])
ITEMS_PARAMETERS = ("f", *FEATURE_QUERY, *PAGING)
ITEMS_FORMATS = ("json", "html", "cityjson")


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
    if c.id == "buildings":
        document["links"].append(link(f"{href}/items?f=cityjson", "items", "application/city+json-seq",
                                      f"{c.title} as CityJSONSeq"))
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
async def one_collection(request: Request, c: Collection = Depends(collection)):
    check_parameters(request, {"f"})
    document = collection_document(request, c, str(request.base_url).rstrip("/"))
    document["links"][:2] = self_links(request, title=c.title)
    return render(request, document, title=c.title)


@router.get("/collections/{collectionId}/queryables", summary="What a filter can use")
async def queryables(request: Request, c: Collection = Depends(collection)):
    check_parameters(request, {"f"})
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
            response_class=Response, openapi_extra=documented(*ITEMS_PARAMETERS),
            responses={200: {"content": {GEOJSON: {}, HTML: {}, "application/city+json-seq": {}}}})
async def items(request: Request, query: FeatureQuery = Depends(feature_query),
                page: Paging = Depends(paging)):
    check_parameters(request, ITEMS_PARAMETERS)
    f = output_format(request, ITEMS_FORMATS)
    if f == "cityjson" and query.collection.id != "buildings":
        raise BadRequest(f"f: cityjson is served for the buildings collection, not {query.collection.id}")
    db, cache = request.app.state.db, request.app.state.feature_cache
    if page.cursor is not None:
        query.after(page.cursor)
    if page.first and query.bounded:  # a map's page, counted in the same query when it can be
        found = await read_page(db, cache, query, page.limit, cap=CAPPED_COUNT)
        if found is not None:
            if f == "cityjson":
                return await cityjson.page(request, query, found)
            return _page(request, query, found, found.matched)
    if f == "cityjson":  # a stream, with no count
        return await cityjson.page(request, query,
                                   await read_page(db, cache, query, page.limit, offset=page.offset))
    counting = None
    if page.first:  # counted alongside the page, on the counting pool
        counting = asyncio.create_task(db.count(*query.count()))
        # its failure is seen here (a cancelled count may still end in one): when the page
        # failed too, the page's error is the answer
        counting.add_done_callback(lambda task: task.cancelled() or task.exception())
    try:
        found = await read_page(db, cache, query, page.limit, offset=page.offset)
        matched = None
        if page.first and not found.more:
            matched = found.returned
        elif page.first:
            matched = await counting
    finally:
        if counting is not None and not counting.done():
            counting.cancel()
    return _page(request, query, found, matched)


CAPPED_COUNT = 2_000  # a bbox matching at most this many features is counted with its page


def _page(request: Request, query: FeatureQuery, found: Page, matched: int | None) -> Response:
    """The FeatureCollection of a page (GeoJSON, or HTML for browsers), with its links."""
    c = query.collection
    base = str(request.base_url).rstrip("/")
    links = self_links(request, GEOJSON, c.title)
    if found.more:
        token = encode_cursor(found.last_keys)
        for fmt, type_ in (("json", GEOJSON), ("html", HTML)):
            links.append(link(url_with(request, ("cursor", "offset"), cursor=token, f=fmt), "next",
                              type_, "Next page"))
    links.append(link(f"{base}/collections/{c.id}?f=json", "collection", JSON, c.title))
    headers = {"Content-Crs": f"<{query.crs.uri}>"}
    if wants_html(request):
        features = found.features
        document = {"type": "FeatureCollection", "numberReturned": len(features), "links": links,
                    "items_href": f"{base}/collections/{c.id}/items",
                    "features": [{"id": f["id"], "properties": f["properties"]} for f in features]}
        if matched is not None:
            document["numberMatched"] = matched
        return render(request, document, title=f"{c.title}: features", headers=headers)
    return Response(feature_collection(found, links, matched), media_type=GEOJSON,
                    headers=headers)


ITEM_FORMATS = ("json", "html")


@router.get("/collections/{collectionId}/items/{feature_id}", summary="One feature",
            response_class=Response, responses={200: {"content": {GEOJSON: {}, HTML: {}}}},
            openapi_extra=documented("crs", own=(query_parameter("f", "The format: json (GeoJSON) or html",
                                                                 enum=list(ITEM_FORMATS)),)))
async def item(request: Request, c: Collection = Depends(collection),
               feature_id: int = Path(ge=1, le=2**63 - 1), out_crs: Crs = Depends(output_crs)):
    check_parameters(request, ("crs", "f"))
    output_format(request, ITEM_FORMATS)
    state = request.app.state
    query = FeatureQuery(c, state.db.storage_srid, out_crs, c.properties, [])
    row = await state.db.one(query.one(f"{c.id_sql} = %s"), [feature_id])
    if row is None:
        raise NotFound(f"{c.id} has no feature {feature_id}")
    base = str(request.base_url).rstrip("/")
    links = self_links(request, GEOJSON, f"{c.id} {feature_id}")
    links.append(link(f"{base}/collections/{c.id}?f=json", "collection", JSON, c.title))
    headers = {"Content-Crs": f"<{out_crs.uri}>"}
    if wants_html(request):
        return render(request, json.loads(row[0]) | {"links": links}, title=f"{c.title}: {feature_id}",
                      headers=headers)
    # the feature as PostgreSQL wrote it, its links added at its end (not parsed and written again)
    body = row[0][:-1] + ',"links":' + json.dumps(links, separators=(",", ":"), ensure_ascii=False) + "}"
    return Response(body.encode(), media_type=GEOJSON, headers=headers)
