"""The query parameters feature endpoints share, each parsed once, as FastAPI dependencies.

A route declares what it takes (``collection: Collection = Depends(collection)``,
``box: Box | None = Depends(bbox)`` …); the parameter's documentation, validation and its
400 naming it live here, once. FastAPI resolves a dependency once per request, so the
collection a route and its other dependencies ask for is looked up once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from fastapi import Depends, Path, Query, Request

from api import cql2
from api import crs as crs_
from api.collections import COLLECTIONS, Collection, Property
from api.crs import Crs
from api.db import SIGNED_IN
from api.errors import BadRequest, NotFound
from api.features import SortKey, parse_bbox, parse_datetime, parse_properties, parse_sortby

# The path parameter is named as in the OGC API templates: GDAL looks the items operation
# up under /collections/{collectionId}/items. The ids come from the catalogue.
COLLECTION_ID = Path(description=f"A collection: {', '.join(COLLECTIONS)}",
                     pattern=f"^({'|'.join(COLLECTIONS)})$")


def collection(collectionId: str = COLLECTION_ID) -> Collection:
    try:
        return COLLECTIONS[collectionId]
    except KeyError:
        raise NotFound(f"no collection {collectionId!r}; see /collections") from None


def output_crs(request: Request,
               crs: str | None = Query(None, description="The CRS of the response (a URI)")) -> Crs:
    return crs_.parse(crs, request.app.state.crss, "crs")


@dataclass(frozen=True)
class Box:
    """A bbox: west, south, east, north in ``crs`` (axes put in x-first order)."""

    bounds: tuple[float, float, float, float]
    crs: Crs


def bbox(request: Request,
         bbox: str | None = Query(None, description="minx,miny,maxx,maxy (in bbox-crs)"),
         bbox_crs: str | None = Query(None, alias="bbox-crs",
                                      description="The CRS of bbox (a URI)")) -> Box | None:
    crs = crs_.parse(bbox_crs, request.app.state.crss, "bbox-crs")
    bounds = parse_bbox(bbox, crs)
    if bounds is None:
        return None
    crs_.check_within(crs, [(bounds[0], bounds[1]), (bounds[2], bounds[3])], "bbox")
    return Box(bounds, crs)


def datetime_interval(datetime_: str | None = Query(
        None, alias="datetime", description="An instant or interval")):
    return parse_datetime(datetime_)


def chosen_properties(c: Collection = Depends(collection), properties: str | None = Query(
        None, description="Comma-separated properties to return")) -> tuple[Property, ...]:
    return parse_properties(c, properties)


def sort_keys(c: Collection = Depends(collection), sortby: str | None = Query(
        None, description="[+|-]property, comma-separated")) -> list[SortKey]:
    return parse_sortby(c, sortby)


@dataclass(frozen=True)
class Filter:
    """A CQL2 filter compiled to SQL (trusted text) and its parameters."""

    sql: str
    params: list


def cql2_filter(
    request: Request,
    c: Collection = Depends(collection),
    filter_: str | None = Query(None, alias="filter", description="A CQL2 filter"),
    filter_lang: Literal["cql2-text", "cql2-json", "cql-text"] | None = Query(
        None, alias="filter-lang",
        description="cql2-text (default) or cql2-json; cql-text, the draft's name GDAL 3.6 sends, "
                    "is read as cql2-text"),
    filter_crs: str | None = Query(None, alias="filter-crs",
                                   description="The CRS of filter geometries"),
) -> Filter | None:
    """Anonymous callers' filter geometries are bounded (cql2.MAX_PUBLIC_VERTICES)."""
    state = request.app.state
    if filter_ is None:
        if filter_lang is not None or filter_crs is not None:
            raise BadRequest("filter-lang and filter-crs need a filter")
        return None
    sql, params = cql2.compile_filter(filter_, filter_lang, c, state.db.storage_srid,
                                      crs_.parse(filter_crs, state.crss, "filter-crs"),
                                      None if SIGNED_IN.get() else cql2.MAX_PUBLIC_VERTICES)
    return Filter(sql, params)


@dataclass(frozen=True)
class Paging:
    limit: int
    offset: int
    cursor: str | None

    @property
    def first(self) -> bool:
        return self.cursor is None and self.offset == 0


def paging(request: Request,
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
