"""The FastAPI application: one router per resource, the pool opened at start-up."""

from __future__ import annotations

import gc
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from sqlalchemy.engine import URL
from starlette.middleware.cors import CORSMiddleware
from starlette.middleware.gzip import GZipMiddleware

from api import auth, errors, openapi
from api import crs as crs_
from api.db import SIGNED_IN, Database
from api.feature_cache import FeatureCache
from api.limits import BodyLimit, ClientLimit
from api.routes import (
    auctions,
    buildings,
    features,
    landing,
    parcels,
    procurement,
    rights,
    scenarios,
    services,
    terrain,
    tiles3d,
    vector_tiles,
    viewer,
)
from api.routes import auth as auth_routes
from citymodel import __version__, database
from citymodel.settings import Settings, load_settings

# The built viewer: inside the package when installed from a wheel (setup.py puts it
# there), else the checkout's viewer/dist (scripts/build_viewer).
PACKAGED_VIEWER = Path(__file__).resolve().parent / "viewer"
VIEWER_DIST = (PACKAGED_VIEWER if (PACKAGED_VIEWER / "index.html").is_file()
               else Path(__file__).resolve().parent.parent / "viewer" / "dist")


def create_app(settings: Settings | None = None, url: URL | None = None) -> FastAPI:
    settings = settings or load_settings()
    url = url or database.database_url(settings)
    db = Database(url, public_timeout_ms=settings.public_statement_timeout_ms)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        signed_in = SIGNED_IN.set(True)  # the server's own queries: not under the public limit
        await db.open()
        app.state.crss = crs_.supported(db.storage_srid)
        app.state.extents = await _extents(db)
        app.state.feature_cache = FeatureCache(settings.feature_cache_mib << 20)
        SIGNED_IN.reset(signed_in)
        # Everything loaded at start-up lives as long as the process: move it out of the
        # collector's sight, and collect the young generation less often, so that full
        # collections no longer stall requests (p99 of tiles 94 → 22 ms, scripts/bench/api).
        gc.collect()
        gc.freeze()
        gc.set_threshold(20_000, 50, 1_000)
        try:
            yield
        finally:
            await db.close()

    app = FastAPI(
        title="citymodel", version=__version__, lifespan=lifespan,
        description="Parcels, buildings, rights and auctions of the city: OGC API – Features, "
                    "vector tiles, 3D Tiles, parcel cards and auction records.",
        openapi_url=None, docs_url=None, redoc_url=None,
        dependencies=[Depends(auth.caller)],
    )
    app.state.settings = settings
    app.state.db = db
    app.state.crss = crs_.supported(4326)
    app.state.extents = {}
    app.state.viewer_home = None  # the viewer's first view, computed when first asked for
    viewer_dir = settings.viewer_dir or VIEWER_DIST
    index = viewer_dir / "index.html"
    app.state.viewer_index = index if index.is_file() else None
    errors.install(app)
    app.add_middleware(errors.Unexpected)  # innermost: a 500 still passes gzip, limits and CORS
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=5)
    app.add_middleware(BodyLimit)
    app.add_middleware(ClientLimit, per_client=settings.public_requests_per_client)
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                       allow_methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
                       allow_headers=["Authorization", "Content-Type", "If-None-Match"],
                       expose_headers=["ETag", "Content-Crs", "Location"])
    for module in (landing, features, tiles3d, terrain, vector_tiles, parcels, buildings, services, scenarios,
                   auctions, rights, procurement, auth_routes, viewer):
        app.include_router(module.router)
    if app.state.viewer_index is not None:  # the built viewer and CesiumJS's assets (after
        # the routes, so that /viewer/config.json is the API's)
        app.mount("/viewer", StaticFiles(directory=viewer_dir), name="viewer")

    def custom_openapi() -> dict:
        if app.openapi_schema is None:
            app.openapi_schema = openapi.build(app, settings.api_max_limit,
                                               settings.api_default_limit)
        return app.openapi_schema

    app.openapi = custom_openapi
    return app


async def _extents(db: Database) -> dict[str, list[float]]:
    """Each collection's bbox in CRS84, estimated from the spatial index statistics."""
    extents = {}
    for collection, table, column in (("parcels", "parcels", "geom"),
                                      ("buildings", "buildings", "footprint"),
                                      ("lots", "parcels", "geom"), ("zones", "zones", "geom"),
                                      ("services", "services", "geom"),
                                      ("linear_objects", "buildings", "lines"),
                                      ("point_objects", "buildings", "points")):
        row = await db.one(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM (SELECT "
            "ST_Transform(ST_SetSRID(ST_EstimatedExtent(%s, %s), %s), 4326) AS e) t",
            [table, column, db.storage_srid])
        if row and row[0] is not None:
            extents[collection] = [round(v, 7) for v in row]
    return extents
