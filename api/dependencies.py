"""The query parameters feature endpoints share, each parsed once, as FastAPI dependencies.

A route declares what it takes (``c: Collection = Depends(collection)``, ``query:
FeatureQuery = Depends(feature_query)``, ``page: Paging = Depends(paging)``); each
parameter's documentation, validation and the 400 naming it live here, once. The items
endpoint's parameters are read from the query string here rather than declared one by
one to FastAPI (whose resolution of a dozen declared parameters cost more per request
than the rest of the request's Python): ``QUERY_PARAMETERS`` documents them, and a route
names the ones it reads with ``documented``. Dependencies are ``async`` (none blocks:
FastAPI would run a plain function in its thread pool, a thread hop per request).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from fastapi import Depends, Path, Request

from api import cql2
from api import crs as crs_
from api.collections import COLLECTIONS, Collection
from api.crs import Crs
from api.db import SIGNED_IN
from api.errors import BadRequest, NotFound
from api.features import FeatureQuery, parse_bbox, parse_datetime, parse_properties, parse_sortby

MAX_OFFSET = 10_000_000  # features a page may skip (``offset``; ``next`` links use cursors)
MAX_CURSOR = 2_000  # characters of a cursor (as this server writes them, far fewer)

# The path parameter is named as in the OGC API templates: GDAL looks the items operation
# up under /collections/{collectionId}/items. The ids come from the catalogue.
COLLECTION_ID = Path(description=f"A collection: {', '.join(COLLECTIONS)}",
                     pattern=f"^({'|'.join(COLLECTIONS)})$")


async def collection(collectionId: str = COLLECTION_ID) -> Collection:
    try:
        return COLLECTIONS[collectionId]
    except KeyError:
        raise NotFound(f"no collection {collectionId!r}; see /collections") from None


async def output_crs(request: Request) -> Crs:
    """The ``crs`` parameter (read by hand: see the module's docstring)."""
    return crs_.parse(request.query_params.get("crs"), request.app.state.crss, "crs")


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


def query_parameter(name: str, description: str, **schema) -> dict:
    """An optional query parameter as OpenAPI describes it (a string unless ``schema`` says)."""
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": {"type": "string", **schema}}


# The query parameters of the items endpoint, as the OpenAPI document gives them (under
# components.parameters, referenced by $ref; ``limit``'s maximum and default come from the
# settings there). The dependencies below read them from the query string themselves:
# FastAPI's per-parameter resolution cost more than the rest of a request's Python.
QUERY_PARAMETERS: dict[str, dict] = {p["name"]: p for p in (
    query_parameter("f", "The format: json (GeoJSON), html, or cityjson (CityJSONSeq, buildings)",
                    enum=["json", "html", "cityjson"]),
    query_parameter("crs", "The CRS of the response (a URI)"),
    query_parameter("bbox", "minx,miny,maxx,maxy (in bbox-crs)"),
    query_parameter("bbox-crs", "The CRS of bbox (a URI)"),
    query_parameter("datetime", "An instant or interval"),
    query_parameter("properties", "Comma-separated properties to return"),
    query_parameter("sortby", "[+|-]property, comma-separated"),
    query_parameter("filter", "A CQL2 filter"),
    query_parameter("filter-lang", "cql2-text (default) or cql2-json; cql-text, the draft's name "
                                   "GDAL 3.6 sends, is read as cql2-text", enum=list(cql2.LANGUAGES)),
    query_parameter("filter-crs", "The CRS of filter geometries"),
    {**query_parameter("limit", "Features per page; larger values are clamped to the maximum",
                       type="integer", minimum=1), "style": "form", "explode": False},
    query_parameter("offset", "Features to skip (prefer `next` links)", type="integer", minimum=0,
                    maximum=MAX_OFFSET, default=0),
    query_parameter("cursor", "From a `next` link", maxLength=MAX_CURSOR),
)}
FEATURE_QUERY = ("crs", "bbox", "bbox-crs", "datetime", "properties", "sortby", "filter",
                 "filter-lang", "filter-crs")
PAGING = ("limit", "offset", "cursor")


def documented(*names: str, own: tuple[dict, ...] = ()) -> dict:
    """A route's ``openapi_extra`` naming the query parameters it reads by hand: shared ones
    by name, and its ``own`` (as ``query_parameter`` writes them)."""
    return {"parameters": [*({"$ref": f"#/components/parameters/{name}"} for name in names), *own]}


async def feature_query(request: Request, c: Collection = Depends(collection)) -> FeatureQuery:
    """The collection's query for the request's crs, bbox, datetime, filter, properties and
    sortby (OGC API – Features Parts 1–3), each checked with a 400 naming it."""
    state = request.app.state
    get = request.query_params.get
    query = FeatureQuery(c, state.db.storage_srid, crs_.parse(get("crs"), state.crss, "crs"),
                         parse_properties(c, get("properties")), parse_sortby(c, get("sortby")))
    box = _bbox(request, get("bbox"), get("bbox-crs"))
    if box is not None:
        query.within(*box)
    interval = parse_datetime(get("datetime"))
    if interval is not None:
        query.during(interval)
    where = _cql2(request, c, get("filter"), get("filter-lang"), get("filter-crs"))
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


async def paging(request: Request) -> Paging:
    settings = request.app.state.settings
    get = request.query_params.get
    limit = _integer(get("limit"), "limit", 1)
    offset = _integer(get("offset"), "offset", 0, MAX_OFFSET)
    cursor = get("cursor")
    if cursor is not None and len(cursor) > MAX_CURSOR:
        raise BadRequest(f"cursor: longer than {MAX_CURSOR} characters; follow the `next` link")
    return Paging(min(limit or settings.api_default_limit, settings.api_max_limit), offset or 0, cursor)


def _integer(value: str | None, parameter: str, least: int, most: int | None = None) -> int | None:
    if value is None:
        return None
    if not _INTEGER.match(value):
        raise BadRequest(f"{parameter}: {value[:40]!r} is not a whole number")
    number = int(value)
    if number < least or (most is not None and number > most):
        raise BadRequest(f"{parameter}: {number} is not in {least}…{most if most is not None else '∞'}")
    return number


_INTEGER = re.compile(r"^[+-]?[0-9]{1,30}$")


def output_format(request: Request, allowed: tuple[str, ...]) -> str | None:
    """The ``f`` parameter, one of ``allowed``, or None."""
    f = request.query_params.get("f")
    if f is not None and f not in allowed:
        raise BadRequest(f"f: {f[:40]!r} is not one of {', '.join(allowed)}")
    return f


def check_parameters(request: Request, allowed: Iterable[str]) -> None:
    """A 400 naming the query parameters an endpoint does not take."""
    unknown = sorted(set(request.query_params).difference(allowed))
    if unknown:
        raise BadRequest(f"unknown query parameter(s): {', '.join(unknown)}; "
                         f"this endpoint takes: {', '.join(sorted(allowed))}")
