"""City services near a point, by category, or by name; one service's card.

``/services?near=LON,LAT&radius=M&category=education`` answers what a resident asks —
which schools are within reach — nearest first, with the distance in metres on the
WGS 84 spheroid. ``q`` finds services by name (trigram similarity), as the viewer's
search does.
"""

from __future__ import annotations

import json
import math

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from api.errors import BadRequest, NotFound
from api.responses import GEOJSON, link
from citymodel.planning import SERVICE_CATEGORIES

router = APIRouter(tags=["Services"])
MAX_RADIUS_M = 50_000
COLUMNS = """s.id, ST_AsGeoJSON(ST_Transform(s.geom, 4326), 7), json_build_object(
  'category', s.category, 'kind', s.kind, 'name', s.name, 'address', s.address,
  'capacity', s.capacity, 'capacity_unit', s.capacity_unit, 'opening_hours', s.opening_hours,
  'external_id', s.external_id, 'source', s.source)::text"""


def _near(value: str) -> tuple[float, float]:
    parts = value.split(",")
    try:
        lon, lat = (float(p) for p in parts)
    except ValueError:
        raise BadRequest(f"near: expected LON,LAT in degrees, got {value!r}") from None
    if not (math.isfinite(lon) and math.isfinite(lat) and -180 <= lon <= 180 and -90 <= lat <= 90):
        raise BadRequest(f"near: {value!r} is not a longitude (−180…180) and latitude (−90…90)")
    return lon, lat


def _categories(value: str | None) -> list[str] | None:
    if value is None:
        return None
    wanted = [c.strip() for c in value.split(",") if c.strip()]
    unknown = [c for c in wanted if c not in SERVICE_CATEGORIES]
    if unknown or not wanted:
        raise BadRequest(f"category: {unknown[0] if unknown else value!r} is not one of "
                         f"{', '.join(SERVICE_CATEGORIES)}")
    return wanted


@router.get("/services", summary="City services near a point, by category or by name",
            response_class=Response, responses={200: {"content": {GEOJSON: {}}}})
async def services(
    request: Request,
    near: str | None = Query(None, max_length=100, description="LON,LAT (WGS 84 degrees)"),
    radius: float = Query(1000, gt=0, le=MAX_RADIUS_M, description="Metres around `near`"),
    category: str | None = Query(None, max_length=200,
                                 description=f"Comma-separated: {', '.join(SERVICE_CATEGORIES)}"),
    kind: str | None = Query(None, max_length=100, description="school, clinic, museum …"),
    q: str | None = Query(None, min_length=1, max_length=200, description="Words of the name"),
    limit: int = Query(100, ge=1, le=1000),
):
    unknown = sorted(set(request.query_params) - {"near", "radius", "category", "kind", "q", "limit"})
    if unknown:
        raise BadRequest(f"unknown query parameter(s): {', '.join(unknown)}")
    if "radius" in request.query_params and near is None:
        raise BadRequest("radius: needs near=LON,LAT")
    db = request.app.state.db
    where, params = ["true"], {"limit": limit, "srid": db.storage_srid}
    distance, order = "NULL::float8", "s.name NULLS LAST, s.id"
    categories = _categories(category)
    if categories:
        where.append("s.category = ANY(%(categories)s)")
        params["categories"] = categories
    if kind:
        where.append("s.kind = %(kind)s")
        params["kind"] = kind.strip().lower()
    if q:
        where.append("%(q)s <%% s.name")
        params["q"] = " ".join(q.split())
        order = "word_similarity(%(q)s, s.name) DESC, s.id"
    if near is not None:
        lon, lat = _near(near)
        params |= {"lon": lon, "lat": lat, "radius": radius}
        point = "ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326)"
        distance = f"ST_Distance(ST_Transform(s.geom, 4326)::geography, {point}::geography)"
        # the circle in the storage CRS, so the spatial index picks the candidates; then the
        # exact distance on the spheroid
        circle = f"ST_Transform(ST_Buffer({point}::geography, %(radius)s)::geometry, %(srid)s)"
        where.append(f"s.geom && {circle} AND {distance} <= %(radius)s")
        order = "distance, s.id"
    rows = await db.all(
        f"SELECT {COLUMNS}, {distance} AS distance FROM services s WHERE {' AND '.join(where)} "
        f"ORDER BY {order} LIMIT %(limit)s", params)
    features = []
    for r in rows:
        properties = json.loads(r[2])
        if r[3] is not None:
            properties["distance_m"] = round(float(r[3]), 1)
        features.append({"type": "Feature", "id": r[0], "geometry": json.loads(r[1]),
                         "properties": properties})
    document = {"type": "FeatureCollection", "numberReturned": len(features), "features": features,
                "links": [link(str(request.url), "self", GEOJSON, "These services")]}
    return Response(json.dumps(document, ensure_ascii=False, separators=(",", ":")),
                    media_type=GEOJSON)


@router.get("/services/{service_id}", summary="One city service",
            response_class=Response, responses={200: {"content": {GEOJSON: {}}}})
async def service(request: Request, service_id: int = Path(ge=1, le=2**63 - 1)):
    row = await request.app.state.db.one(f"SELECT {COLUMNS} FROM services s WHERE s.id = %s",
                                         [service_id])
    if row is None:
        raise NotFound(f"no service {service_id}")
    base = str(request.base_url).rstrip("/")
    document = {"type": "Feature", "id": row[0], "geometry": json.loads(row[1]),
                "properties": json.loads(row[2]),
                "links": [link(f"{base}/services/{row[0]}", "self", GEOJSON, "This service"),
                          link(f"{base}/collections/services/items/{row[0]}", "alternate",
                               GEOJSON, "As an OGC API feature")]}
    return Response(json.dumps(document, ensure_ascii=False, separators=(",", ":")),
                    media_type=GEOJSON)
