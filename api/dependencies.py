"""The query parameters feature endpoints share, each parsed once, as FastAPI dependencies.

A route declares what it takes (``c: Collection = Depends(collection)``, ``query:
FeatureQuery = Depends(feature_query)``, ``page: Paging = Depends(paging)``); each
parameter's documentation, validation and the 400 naming it live here, once. FastAPI
resolves a dependency once per request, so the collection is looked up once. They are
few (each costs a resolution per request) and ``async`` (none blocks: FastAPI would run a
plain function in its thread pool, a thread hop per request).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastapi import Depends, Path, Query, Request

from api import cql2
from api import crs as crs_
from api.collections import COLLECTIONS, Collection
from api.crs import Crs
from api.db import SIGNED_IN
from api.errors import BadRequest, NotFound
from api.features import FeatureQuery, parse_bbox, parse_datetime, parse_properties, parse_sortby

# The path parameter is named as in the OGC API templates: GDAL looks the items operation
# up under /collections/{collectionId}/items. The ids come from the catalogue.
COLLECTION_ID = Path(description=f"A collection: {', '.join(COLLECTIONS)}",
                     pattern=f"^({'|'.join(COLLECTIONS)})$")


async def collection(collectionId: str = COLLECTION_ID) -> Collection:
    try:
        return COLLECTIONS[collectionId]
    except KeyError:
        raise NotFound(f"no collection {collectionId!r}; see /collections") from None


async def output_crs(request: Request,
               crs: str | None = Query(None, description="The CRS of the response (a URI)")) -> Crs:
    return crs_.parse(crs, request.app.state.crss, "crs")


def _bbox(request: Request, bbox: str | None, bbox_crs: str | None
          ) -> tuple[tuple[float, float, float, float], Crs] | None:
    crs = crs_.parse(bbox_crs, request.app.state.crss, "bbox-crs")
    bounds = parse_bbox(bbox, crs)
    if bounds is None:
        return None
    crs_.check_within(crs, [(bounds[0], bounds[1]), (bounds[2], bounds[3])], "bbox")
    return bounds, crs


def _cql2(request: Request, c: Collection, filter_: str | None, filter_lang: str | None,
          filter_crs: str | None) -> tuple[str, list] | None:
    """Anonymous callers' filter geometries are bounded (cql2.MAX_PUBLIC_VERTICES)."""
    state = request.app.state
    if filter_ is None:
        if filter_lang is not None or filter_crs is not None:
            raise BadRequest("filter-lang and filter-crs need a filter")
        return None
    return cql2.compile_filter(filter_, filter_lang, c, state.db.storage_srid,
                               crs_.parse(filter_crs, state.crss, "filter-crs"),
                               None if SIGNED_IN.get() else cql2.MAX_PUBLIC_VERTICES)


async def feature_query(
    request: Request,
    c: Collection = Depends(collection),
    crs: str | None = Query(None, description="The CRS of the response (a URI)"),
    bbox: str | None = Query(None, description="minx,miny,maxx,maxy (in bbox-crs)"),
    bbox_crs: str | None = Query(None, alias="bbox-crs", description="The CRS of bbox (a URI)"),
    datetime_: str | None = Query(None, alias="datetime", description="An instant or interval"),
    properties: str | None = Query(None, description="Comma-separated properties to return"),
    sortby: str | None = Query(None, description="[+|-]property, comma-separated"),
    filter_: str | None = Query(None, alias="filter", description="A CQL2 filter"),
    filter_lang: Literal["cql2-text", "cql2-json", "cql-text"] | None = Query(
        None, alias="filter-lang",
        description="cql2-text (default) or cql2-json; cql-text, the draft's name GDAL 3.6 sends, "
                    "is read as cql2-text"),
    filter_crs: str | None = Query(None, alias="filter-crs",
                                   description="The CRS of filter geometries"),
) -> FeatureQuery:
    """The collection's query for the request's crs, bbox, datetime, filter, properties and
    sortby (OGC API – Features Parts 1–3), each checked with a 400 naming it."""
    state = request.app.state
    query = FeatureQuery(c, state.db.storage_srid, crs_.parse(crs, state.crss, "crs"),
                         parse_properties(c, properties), parse_sortby(c, sortby))
    box = _bbox(request, bbox, bbox_crs)
    if box is not None:
        query.within(*box)
    interval = parse_datetime(datetime_)
    if interval is not None:
        query.during(interval)
    where = _cql2(request, c, filter_, filter_lang, filter_crs)
    if where is not None:
        query.where.add(where[0], *where[1])
    return query


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int
    cursor: str | None

    @property
    def first(self) -> bool:
        return self.cursor is None and self.offset == 0


async def paging(request: Request,
           limit: int = Query(None, ge=1, description="Features per page; larger values are "
                                                      "clamped to the maximum"),
           offset: int = Query(0, ge=0, le=10_000_000,
                               description="Features to skip (prefer `next` links)"),
           cursor: str | None = Query(None, max_length=2000, description="From a `next` link"),
           ) -> Paging:
    settings = request.app.state.settings
    return Paging(min(limit or settings.api_default_limit, settings.api_max_limit), offset, cursor)


def check_parameters(request: Request, allowed: set[str]) -> None:
    """A 400 naming the query parameters an endpoint does not take."""
    unknown = sorted(set(request.query_params) - allowed)
    if unknown:
        raise BadRequest(f"unknown query parameter(s): {', '.join(unknown)}; "
                         f"this endpoint takes: {', '.join(sorted(allowed))}")
