"""The landing page, conformance declaration and the API definition."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, JSONResponse

from api.dependencies import check_parameters
from api.responses import (
    GEOJSON,
    HTML,
    JSON,
    OPENAPI,
    html_page,
    link,
    render,
    self_links,
    wants_html,
)

router = APIRouter(tags=["Capabilities"])

CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-json",
    "http://www.opengis.net/spec/cql2/1.0/conf/advanced-comparison-operators",
    "http://www.opengis.net/spec/cql2/1.0/conf/case-insensitive-comparison",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-spatial-functions-plus",
    "http://www.opengis.net/spec/cql2/1.0/conf/spatial-functions",
]


@router.get("/", summary="Landing page")
async def landing(request: Request):
    """JSON for GIS clients; a browser (asking for HTML without ``f``) gets the 3D viewer
    when it is built, and the HTML landing page with ``?f=html``."""
    viewer = request.app.state.viewer_index
    if "f" not in request.query_params and wants_html(request) and viewer is not None:
        return FileResponse(viewer, media_type=HTML)
    check_parameters(request, {"f"})
    base = str(request.base_url).rstrip("/")
    document = {
        "title": "citymodel",
        "description": "Parcels, buildings, rights and auctions of the city: OGC API – "
                       "Features, vector tiles and 3D Tiles.",
        "links": [
            *self_links(request, title="Landing page"),
            link(f"{base}/api", "service-desc", OPENAPI, "The API definition (OpenAPI 3.0)"),
            link(f"{base}/api.html", "service-doc", HTML, "The API documentation"),
            link(f"{base}/conformance", "conformance", JSON, "Conformance classes"),
            link(f"{base}/collections", "data", JSON, "Feature collections"),
            link(f"{base}/3dtiles/tileset.json", "tileset", JSON, "3D Tiles of the buildings"),
            link(f"{base}/search", "search", JSON, "Search parcels by number or address"),
            link(f"{base}/auctions", "auctions", GEOJSON, "Auction lots"),
        ],
    }
    return render(request, document, title="citymodel")


@router.get("/conformance", summary="Conformance classes")
async def conformance(request: Request):
    check_parameters(request, {"f"})
    document = {"links": self_links(request, title="Conformance"), "conformsTo": CONFORMANCE}
    return render(request, document, title="Conformance")


@router.get("/api", summary="The API definition", include_in_schema=False)
async def openapi(request: Request):
    return JSONResponse(request.app.openapi(), media_type=OPENAPI)


@router.get("/api.html", summary="The API documentation", include_in_schema=False)
async def openapi_html(request: Request):
    return html_page("citymodel API", request.app.openapi())
