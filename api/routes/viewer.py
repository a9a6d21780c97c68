"""What the web viewer needs from the server besides the data: its base layers (the imagery
and terrain servers an administrator configured, else CesiumJS's bundled imagery over the
imported terrain, or over the ellipsoid when there is none), where to look first — the busiest square kilometre of buildings — and, for a
page left open, whether the data or the tileset changed since it looked."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.routes.terrain import served as served_terrain
from citymodel import procurement
from citymodel.planning import SERVICE_CATEGORIES, ZONE_KINDS
from citymodel.records import LOT_STATUSES, OPEN_LOT_STATUSES
from citymodel.surfaces import TILE_CLASSES
from tiles import geoid

router = APIRouter(tags=["Viewer"])

# Buildings are counted on a grid of about a kilometre (0.02° of longitude × 0.01° of
# latitude at Moscow's latitude); the camera starts over the fullest cell. Large tables
# are sampled: the busiest cell stays the busiest in a sample of 200,000.
HOME = """
WITH sample AS (
  SELECT ST_Transform(ST_Centroid(footprint), 4326) AS c, ground_elevation AS g FROM buildings
  TABLESAMPLE SYSTEM (least(100, 100 * 200000 / greatest(
    (SELECT reltuples FROM pg_class WHERE oid = 'buildings'::regclass), 1)))
  WHERE footprint IS NOT NULL AND kind <> 'part'
), cell AS (
  SELECT floor(ST_X(c) / 0.02) AS gx, floor(ST_Y(c) / 0.01) AS gy FROM sample
  GROUP BY 1, 2 ORDER BY count(*) DESC, 1, 2 LIMIT 1
)
SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e), g FROM (
  SELECT ST_Extent(c) AS e, avg(g) AS g FROM sample, cell
  WHERE floor(ST_X(c) / 0.02) = cell.gx AND floor(ST_Y(c) / 0.01) = cell.gy) t
"""


@router.get("/viewer/config.json", summary="The web viewer's base layers and first view")
async def viewer_config(request: Request):
    state = request.app.state
    settings = state.settings
    db = state.db
    version = await db.data_versions(("buildings",))
    cached = state.viewer_home  # (the versions it was computed at, the rectangle, its ground)
    if cached is None or cached[0] != version:
        row = await db.one(HOME)
        home = [round(v, 7) for v in row[:4]] if row and row[0] is not None else None
        ground = 0.0  # the cell's buildings' mean ground, ellipsoidal: the camera aims at it
        if home and row[4] is not None:
            ground = float(geoid.ellipsoidal(
                [row[4]], [(home[0] + home[2]) / 2], [(home[1] + home[3]) / 2],
                settings.height_datum, settings.geoid_grid)[0])
        state.viewer_home = cached = (version, home, round(ground, 1))
    imagery = None
    if settings.viewer_imagery_url:
        imagery = {"url": settings.viewer_imagery_url, "credit": settings.viewer_imagery_credit,
                   "max_zoom": settings.viewer_imagery_max_zoom}
    terrain = settings.viewer_terrain_url  # a configured server wins over the imported terrain
    if terrain is None and (await served_terrain(request)).terrain is not None:
        terrain = "/terrain/"
    return {"imagery": imagery, "terrain": terrain,
            "terrain_configured": settings.viewer_terrain_url is not None, "home": cached[1],
            "home_ground": cached[2],
            "timezone": settings.viewer_timezone, "refresh_seconds": settings.viewer_refresh_seconds,
            "zone_kinds": list(ZONE_KINDS), "service_categories": list(SERVICE_CATEGORIES),
            "lot_statuses": list(LOT_STATUSES), "open_lot_statuses": list(OPEN_LOT_STATUSES),
            "procurement_kinds": list(procurement.KINDS), "procurement_statuses": list(procurement.STATUSES),
            "surface_classes": list(TILE_CLASSES)}


WATCHED = ("parcels", "buildings", "auctions", "rights", "zones", "services", "scenarios", "terrain",
           "procurement")


@router.get("/viewer/versions.json", summary="Versions of the data and the tileset the viewer shows")
async def viewer_versions(request: Request):
    """The data versions (bumped in the transaction of any change to parcels, buildings,
    auctions, rights, zones, services, scenarios or the terrain) and the current tileset build:
    an open viewer polls this to redraw what changed."""
    state = request.app.state
    versions = dict(zip(WATCHED, await state.db.data_versions(WATCHED), strict=True))
    try:
        versions["tileset"] = state.settings.resolved_tiles_dir.resolve(strict=True).name
    except (OSError, RuntimeError):
        versions["tileset"] = None  # not built yet
    return JSONResponse(versions, headers={"Cache-Control": "no-store"})
