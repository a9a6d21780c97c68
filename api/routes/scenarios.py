"""Development scenarios: planners propose buildings and demolitions and check them.

Who sees what: a published scenario is readable by anyone, by link; a planner reads their
own too; officials and admins read all. Only the owner (or an admin) changes a scenario.
Every change is one transaction with its audit-log row, and touches the scenario's
``updated_at``, so a report checked before it says it is stale — as it does when the city's
data (parcels, buildings, zones, rights, auctions, services) changed since.
"""

from __future__ import annotations

import asyncio
import hashlib
import json

import shapely
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from api import audit
from api.auth import Caller, caller, require
from api.db import fetch_dict
from api.errors import BadRequest, Forbidden, NotFound, Unprocessable
from citymodel.scenarios.proposals import (
    MIN_FOOTPRINT_M2,
    BuildingIn,
    BuildingsIn,
    ProposalsIn,
    ScenarioIn,
    ScenarioPatch,
)
from api.responses import GEOJSON, JSON, link, not_modified, render_template
from citymodel.scenarios import load
from citymodel.scenarios.context import LocalFrame
from api.routes.terrain import served as served_terrain
from tiles import proposals as proposal_tiles

router = APIRouter(tags=["Scenarios"])
ScenarioId = Path(ge=1, le=2**63 - 1)
ItemId = Path(ge=1, le=2**63 - 1)
GLB = "model/gltf-binary"
CITY_REACH_DEG = 0.05  # a footprint with no parcel this near lies outside the city's data
SCENARIO_COLUMNS = "id, name, description, owner, published, created_at, updated_at, checked_at"
BUILDING_COLUMNS = ("name", "height", "min_height", "floors", "use", "residential_share",
                    "floor_area")


def _visible(who: Caller) -> tuple[str, list]:
    """The SQL condition on scenarios ``s`` this caller may read."""
    if who.at_least("official"):
        return "true", []
    if who.at_least("planner"):
        return "(s.published OR s.owner = %s)", [who.name]
    return "s.published", []


async def _scenario(request: Request, who: Caller, scenario_id: int, *, edit: bool = False,
                    conn=None) -> dict:
    condition, params = _visible(who)
    query = (f"SELECT {SCENARIO_COLUMNS}, report, checked_versions FROM scenarios s "
             f"WHERE s.id = %s AND {condition}" + (" FOR UPDATE" if edit else ""))
    if conn is not None:
        row = await fetch_dict(conn, query, [scenario_id, *params])
    else:
        async with request.app.state.db.connection() as c:
            row = await fetch_dict(c, query, [scenario_id, *params])
    if row is None:
        raise NotFound(f"no scenario {scenario_id}")
    if edit and not (row["owner"] == who.name or who.at_least("admin")):
        raise Forbidden(f"scenario {scenario_id} is {row['owner']}'s: only they (or an admin) change it")
    return row


def _public(row: dict, base: str) -> dict:
    out = {k: row[k] for k in ("id", "name", "description", "owner", "published", "created_at",
                               "updated_at", "checked_at")}
    href = f"{base}/scenarios/{row['id']}"
    out["links"] = [link(href, "self", JSON, row["name"]),
                    link(f"{href}.geojson", "alternate", GEOJSON, "Proposals as GeoJSON"),
                    link(f"{href}/tileset.json", "alternate", "application/json",
                         "Proposals as a 3D Tiles tileset (the city tileset's metadata)"),
                    link(f"{href}/proposals.glb", "alternate", GLB, "Proposals as glTF"),
                    link(f"{href}/report", "report", JSON, "The last report"),
                    link(f"{href}/report?f=html", "report", "text/html", "The report, printable")]
    return out


def _json(document, status: int = 200, media_type: str = JSON) -> Response:
    return Response(json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str),
                    status_code=status, media_type=media_type)


async def _touch(conn, scenario_id: int) -> None:
    await conn.execute("UPDATE scenarios SET updated_at = clock_timestamp() WHERE id = %s", [scenario_id])


# --- scenarios ------------------------------------------------------------------------------


@router.get("/scenarios", summary="The scenarios this caller may read")
async def list_scenarios(request: Request, who: Caller = Depends(caller),
                         mine: bool = Query(False, description="Only the caller's own")):
    condition, params = _visible(who)
    if mine:
        condition += " AND s.owner = %s"
        params = [*params, who.name]
    rows = await request.app.state.db.all(
        f"SELECT {SCENARIO_COLUMNS} FROM scenarios s WHERE {condition} ORDER BY s.id", params)
    base = str(request.base_url).rstrip("/")
    names = SCENARIO_COLUMNS.split(", ")
    return _json({"scenarios": [_public(dict(zip(names, r, strict=True)), base) for r in rows]})


@router.post("/scenarios", summary="Create a scenario (planners)", status_code=201)
async def create_scenario(request: Request, body: ScenarioIn, who: Caller = Depends(require("planner"))):
    async with request.app.state.db.connection() as conn, conn.transaction():
        row = await fetch_dict(conn, f"INSERT INTO scenarios (name, description, owner, published) "
                                     f"VALUES (%s, %s, %s, %s) RETURNING {SCENARIO_COLUMNS}",
                               [body.name, body.description, who.name, body.published])
        await audit.record(conn, who.name, "create", "scenarios", row["id"], None, body.model_dump())
    return _json(_public(row, str(request.base_url).rstrip("/")), 201)


@router.get("/scenarios/compare", summary="Scenarios side by side")
async def compare(request: Request, ids: str = Query(max_length=200, description="Comma-separated ids"),
                  who: Caller = Depends(caller)):
    try:
        wanted = [int(i) for i in ids.split(",") if i.strip()]
    except ValueError:
        raise BadRequest(f"ids: expected comma-separated scenario ids, got {ids!r}") from None
    if not 2 <= len(wanted) <= 10 or len(set(wanted)) != len(wanted) or min(wanted) < 1:
        raise BadRequest("ids: name 2 to 10 different scenarios")
    columns = []
    for scenario_id in wanted:
        row = await _scenario(request, who, scenario_id)
        stored, stale = row["report"], await _stale(request, row)
        result = stored if stored is not None and not stale else await _run(request, scenario_id)
        columns.append({"id": scenario_id, "name": row["name"], "owner": row["owner"],
                        "status": result["status"], "stale": False if result is not stored else stale,
                        "totals": result["totals"]})
    return _json({"scenarios": columns})


@router.get("/scenarios/{scenario_id}.geojson", summary="A scenario's proposals and demolitions",
            response_class=Response, responses={200: {"content": {GEOJSON: {}}}})
async def export(request: Request, scenario_id: int = ScenarioId, who: Caller = Depends(caller)):
    await _scenario(request, who, scenario_id)
    return _json(await _features(request, scenario_id), media_type=GEOJSON)


@router.get("/scenarios/{scenario_id}", summary="A scenario with its proposals and demolitions")
async def get_scenario(request: Request, scenario_id: int = ScenarioId, who: Caller = Depends(caller)):
    row = await _scenario(request, who, scenario_id)
    document = _public(row, str(request.base_url).rstrip("/"))
    features = await _features(request, scenario_id)
    document["buildings"] = {"type": "FeatureCollection",
                             "features": [f for f in features["features"] if not f["properties"].get("demolished")]}
    document["demolitions"] = [f["id"] for f in features["features"] if f["properties"].get("demolished")]
    document["status"] = row["report"]["status"] if row["report"] else None
    document["stale"] = await _stale(request, row) if row["report"] else None
    return _json(document)


@router.patch("/scenarios/{scenario_id}", summary="Rename, describe, publish or unpublish")
async def patch_scenario(request: Request, body: ScenarioPatch, scenario_id: int = ScenarioId,
                         who: Caller = Depends(require("planner"))):
    changes = body.model_dump(exclude_unset=True)
    if "name" in changes and changes["name"] is None:
        raise Unprocessable("name: a scenario needs a name")
    async with request.app.state.db.connection() as conn, conn.transaction():
        old = await _scenario(request, who, scenario_id, edit=True, conn=conn)
        if changes:
            sets = ", ".join(f"{k} = %s" for k in changes)
            await conn.execute(f"UPDATE scenarios SET {sets}, updated_at = clock_timestamp() "
                               "WHERE id = %s", [*changes.values(), scenario_id])
            await audit.record(conn, who.name, "update", "scenarios", scenario_id,
                               {k: old[k] for k in changes}, changes)
        row = await fetch_dict(conn, f"SELECT {SCENARIO_COLUMNS} FROM scenarios WHERE id = %s", [scenario_id])
    return _json(_public(row, str(request.base_url).rstrip("/")))


@router.delete("/scenarios/{scenario_id}", summary="Delete a scenario", status_code=204,
               response_class=Response)
async def delete_scenario(request: Request, scenario_id: int = ScenarioId,
                          who: Caller = Depends(require("planner"))):
    async with request.app.state.db.connection() as conn, conn.transaction():
        old = await _scenario(request, who, scenario_id, edit=True, conn=conn)
        await conn.execute("DELETE FROM scenarios WHERE id = %s", [scenario_id])
        await audit.record(conn, who.name, "delete", "scenarios", scenario_id,
                           {"name": old["name"], "owner": old["owner"]}, None)
    return Response(status_code=204)


# --- proposed buildings and demolitions ------------------------------------------------------


async def _footprint_wkb(request: Request, body: BuildingIn) -> bytes:
    try:
        shape = body.footprint()
    except ValueError as exc:
        raise Unprocessable(str(exc)) from None
    centre = shape.representative_point()
    area = LocalFrame(centre.x, centre.y).to_local(shape).area
    if area < MIN_FOOTPRINT_M2:
        raise Unprocessable(f"geometry: the footprint has no area ({area:.2f} m²)")
    db = request.app.state.db
    near = await db.one(
        "SELECT EXISTS (SELECT 1 FROM parcels WHERE geom && ST_Transform(ST_Expand("
        "ST_SetSRID(ST_GeomFromWKB(%s), 4326), %s), %s))",
        [shapely.to_wkb(shape), CITY_REACH_DEG, db.storage_srid])
    if not near[0]:
        raise Unprocessable(f"geometry: the footprint at lon {centre.x:.4f}, lat {centre.y:.4f} lies "
                            "outside the city: no parcel is within about 5 km (longitude and latitude "
                            "swapped?)")
    return shapely.to_wkb(shapely.force_2d(shape))


def _footprint_sql(srid: int) -> str:
    return f"ST_Multi(ST_Transform(ST_SetSRID(ST_GeomFromWKB(%s), 4326), {int(srid)}))"


@router.post("/scenarios/{scenario_id}/buildings",
             summary="Propose a building (a GeoJSON Feature) or several (a FeatureCollection, all or none)",
             status_code=201)
async def add_buildings(request: Request, body: ProposalsIn, scenario_id: int = ScenarioId,
                        who: Caller = Depends(require("planner"))):
    several = isinstance(body, BuildingsIn)
    features = body.features if several else [body]
    footprints = []
    for i, feature in enumerate(features):  # all checked before anything is written
        try:
            footprints.append(await _footprint_wkb(request, feature))
        except Unprocessable as exc:
            raise Unprocessable(f"features[{i}].{exc.description}" if several else exc.description) from None
    db = request.app.state.db
    ids = []
    async with db.connection() as conn, conn.transaction():
        await _scenario(request, who, scenario_id, edit=True, conn=conn)
        for feature, wkb in zip(features, footprints, strict=True):
            values = feature.properties.model_dump()
            row = await fetch_dict(
                conn, f"INSERT INTO scenario_buildings (scenario_id, footprint, {', '.join(BUILDING_COLUMNS)}) "
                      f"VALUES (%s, {_footprint_sql(db.storage_srid)}, {', '.join(['%s'] * len(BUILDING_COLUMNS))}) "
                      "RETURNING id", [scenario_id, wkb, *(values[c] for c in BUILDING_COLUMNS)])
            ids.append(row["id"])
            await audit.record(conn, who.name, "create", "scenario_buildings", row["id"], None,
                               {**values, "scenario_id": scenario_id})
        await _touch(conn, scenario_id)
    if not several:
        return _json(await _feature(request, ids[0]), 201, GEOJSON)
    return _json({"type": "FeatureCollection", "features": [await _feature(request, i) for i in ids]},
                 201, GEOJSON)


@router.put("/scenarios/{scenario_id}/buildings/{building_id}", summary="Replace a proposed building")
async def put_building(request: Request, body: BuildingIn, scenario_id: int = ScenarioId,
                       building_id: int = ItemId, who: Caller = Depends(require("planner"))):
    wkb = await _footprint_wkb(request, body)
    values = body.properties.model_dump()
    db = request.app.state.db
    async with db.connection() as conn, conn.transaction():
        await _scenario(request, who, scenario_id, edit=True, conn=conn)
        old = await fetch_dict(conn, f"SELECT {', '.join(BUILDING_COLUMNS)} FROM scenario_buildings "
                                     "WHERE id = %s AND scenario_id = %s", [building_id, scenario_id])
        if old is None:
            raise NotFound(f"scenario {scenario_id} has no building {building_id}")
        await conn.execute(
            f"UPDATE scenario_buildings SET footprint = {_footprint_sql(db.storage_srid)}, "
            + ", ".join(f"{c} = %s" for c in BUILDING_COLUMNS) + ", updated_at = now() WHERE id = %s",
            [wkb, *(values[c] for c in BUILDING_COLUMNS), building_id])
        await _touch(conn, scenario_id)
        await audit.record(conn, who.name, "update", "scenario_buildings", building_id, old, values)
    return _json(await _feature(request, building_id), 200, GEOJSON)


@router.delete("/scenarios/{scenario_id}/buildings/{building_id}", summary="Remove a proposed building",
               status_code=204, response_class=Response)
async def delete_building(request: Request, scenario_id: int = ScenarioId, building_id: int = ItemId,
                          who: Caller = Depends(require("planner"))):
    async with request.app.state.db.connection() as conn, conn.transaction():
        await _scenario(request, who, scenario_id, edit=True, conn=conn)
        old = await fetch_dict(conn, f"DELETE FROM scenario_buildings WHERE id = %s AND scenario_id = %s "
                                     f"RETURNING {', '.join(BUILDING_COLUMNS)}", [building_id, scenario_id])
        if old is None:
            raise NotFound(f"scenario {scenario_id} has no building {building_id}")
        await _touch(conn, scenario_id)
        await audit.record(conn, who.name, "delete", "scenario_buildings", building_id, old, None)
    return Response(status_code=204)


@router.put("/scenarios/{scenario_id}/demolitions/{building_id}", summary="Mark a building for demolition",
            status_code=204, response_class=Response)
async def demolish(request: Request, scenario_id: int = ScenarioId, building_id: int = ItemId,
                   who: Caller = Depends(require("planner"))):
    async with request.app.state.db.connection() as conn, conn.transaction():
        await _scenario(request, who, scenario_id, edit=True, conn=conn)
        if await fetch_dict(conn, "SELECT id FROM buildings WHERE id = %s", [building_id]) is None:
            raise NotFound(f"no building {building_id}")
        added = await fetch_dict(conn, "INSERT INTO scenario_demolitions (scenario_id, building_id) "
                                       "VALUES (%s, %s) ON CONFLICT DO NOTHING RETURNING building_id",
                                 [scenario_id, building_id])
        if added is not None:
            await _touch(conn, scenario_id)
            await audit.record(conn, who.name, "create", "scenario_demolitions", building_id, None,
                               {"scenario_id": scenario_id, "building_id": building_id})
    return Response(status_code=204)


@router.delete("/scenarios/{scenario_id}/demolitions/{building_id}", summary="Keep a building after all",
               status_code=204, response_class=Response)
async def undemolish(request: Request, scenario_id: int = ScenarioId, building_id: int = ItemId,
                     who: Caller = Depends(require("planner"))):
    async with request.app.state.db.connection() as conn, conn.transaction():
        await _scenario(request, who, scenario_id, edit=True, conn=conn)
        removed = await fetch_dict(conn, "DELETE FROM scenario_demolitions WHERE scenario_id = %s "
                                         "AND building_id = %s RETURNING building_id", [scenario_id, building_id])
        if removed is None:
            raise NotFound(f"scenario {scenario_id} does not demolish building {building_id}")
        await _touch(conn, scenario_id)
        await audit.record(conn, who.name, "delete", "scenario_demolitions", building_id,
                           {"scenario_id": scenario_id, "building_id": building_id}, None)
    return Response(status_code=204)


async def _feature(request: Request, building_id: int) -> dict:
    row = await request.app.state.db.one(
        f"SELECT id, ST_AsGeoJSON(ST_Transform(footprint, 4326), 7), {', '.join(BUILDING_COLUMNS)} "
        "FROM scenario_buildings WHERE id = %s", [building_id])
    return {"type": "Feature", "id": row[0], "geometry": json.loads(row[1]),
            "properties": dict(zip(BUILDING_COLUMNS, row[2:], strict=True))}


async def _features(request: Request, scenario_id: int) -> dict:
    db = request.app.state.db
    rows = await db.all(
        f"SELECT id, ST_AsGeoJSON(ST_Transform(footprint, 4326), 7), {', '.join(BUILDING_COLUMNS)} "
        "FROM scenario_buildings WHERE scenario_id = %s ORDER BY id", [scenario_id])
    features = [{"type": "Feature", "id": r[0], "geometry": json.loads(r[1]),
                 "properties": {**dict(zip(BUILDING_COLUMNS, r[2:], strict=True)), "proposed": True}}
                for r in rows]
    demolished = await db.all(
        "SELECT b.id, ST_AsGeoJSON(ST_Transform(b.footprint, 4326), 7), b.height, b.floors, b.use, b.address "
        "FROM scenario_demolitions d JOIN buildings b ON b.id = d.building_id "
        "WHERE d.scenario_id = %s ORDER BY b.id", [scenario_id])
    features += [{"type": "Feature", "id": r[0], "geometry": json.loads(r[1]) if r[1] else None,
                  "properties": {"height": r[2], "floors": r[3], "use": r[4], "address": r[5],
                                 "demolished": True}} for r in demolished]
    return {"type": "FeatureCollection", "features": features}


# --- proposals in 3D ----------------------------------------------------------------------------

PROPOSALS_SQL = """
SELECT b.id, ST_AsBinary(ST_Transform(b.footprint, 4326)), b.height, b.min_height, b.floors, b.use, b.name,
       (SELECT p.cadastral_number FROM parcels p  -- the parcel it stands on (most of it)
        WHERE p.geom && b.footprint AND ST_Intersects(p.geom, b.footprint)
        ORDER BY ST_Area(ST_Intersection(p.geom, b.footprint)) DESC, p.id LIMIT 1)
FROM scenario_buildings b WHERE b.scenario_id = %s ORDER BY b.id
"""


async def _proposal_headers(request: Request, scenario_id: int, who: Caller) -> dict:
    """The caching headers of a scenario's proposals in 3D (404 unless the caller may read
    it): an ETag that changes with the scenario (its updated_at) and the city's data (the
    parcel numbers the tiles carry), so a revalidation costs no proposal read."""
    row = await _scenario(request, who, scenario_id)
    versions = await _versions(request, scenario_id)
    versions["terrain"] = (await served_terrain(request)).version  # the ground they stand on
    digest = hashlib.blake2b(json.dumps([row["id"], versions], sort_keys=True, default=str).encode(),
                             digest_size=12).hexdigest()
    # a private scenario is for its readers only: no shared cache keeps it
    return {"ETag": f'"{digest}"', "Cache-Control": "no-cache" if row["published"] else "private, no-cache"}


async def _proposals(request: Request, scenario_id: int) -> list[proposal_tiles.Proposal]:
    """The scenario's buildings, stood on the terrain as the city's are."""
    rows = await request.app.state.db.all(PROPOSALS_SQL, [scenario_id])
    footprints = [shapely.from_wkb(r[1]) for r in rows]
    terrain = await served_terrain(request)
    grounds = await asyncio.to_thread(terrain.grounds, footprints, request.app.state.settings)
    return [proposal_tiles.Proposal(id=r[0], footprint=f, height=r[2], min_height=r[3], floors=r[4],
                                    use=r[5], name=r[6], parcel=r[7], ground=g)
            for r, f, g in zip(rows, footprints, grounds, strict=True)]


@router.get("/scenarios/{scenario_id}/tileset.json",
            summary="The proposals as a 3D Tiles tileset, with the city tileset's metadata",
            response_class=Response, responses={200: {"content": {"application/json": {}}}})
async def proposals_tileset(request: Request, scenario_id: int = ScenarioId, who: Caller = Depends(caller)):
    headers = await _proposal_headers(request, scenario_id, who)
    if not_modified(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    found = await _proposals(request, scenario_id)
    document = proposal_tiles.tileset(found, f"proposals.glb?v={headers['ETag'].strip(chr(34))}")
    return Response(json.dumps(document).encode(), media_type="application/json", headers=headers)


@router.get("/scenarios/{scenario_id}/proposals.glb",
            summary="The proposals as glTF 2.0 (binary), with the city tileset's metadata",
            response_class=Response, responses={200: {"content": {GLB: {}}}, 404: {}})
async def proposals_glb(request: Request, scenario_id: int = ScenarioId, who: Caller = Depends(caller),
                        v: str | None = Query(None, max_length=64, description="Cache buster, ignored")):
    headers = await _proposal_headers(request, scenario_id, who)
    if not_modified(request, headers["ETag"]):
        return Response(status_code=304, headers=headers)
    found = await _proposals(request, scenario_id)
    if not found:
        raise NotFound(f"scenario {scenario_id} proposes no buildings")
    body = await asyncio.to_thread(proposal_tiles.encode, found)
    return Response(body, media_type=GLB, headers=headers)


# --- checks and reports -----------------------------------------------------------------------


def _fetch(request: Request):
    db = request.app.state.db

    async def fetch(sql: str, params: dict) -> list[tuple]:
        return await db.all(sql, params)
    return fetch


async def _versions(request: Request, scenario_id: int) -> dict:
    return await load.versions(_fetch(request), scenario_id)


async def _stale(request: Request, row: dict) -> bool:
    return row["checked_versions"] != await _versions(request, row["id"])


async def _run(request: Request, scenario_id: int) -> dict:
    """Check the scenario against the data as they are now (not stored)."""
    settings = request.app.state.settings
    return await load.checked(_fetch(request), scenario_id, settings.viewer_timezone,
                              settings.floor_area_per_resident_m2, offload=asyncio.to_thread)


@router.post("/scenarios/{scenario_id}/check", summary="Run the checks and keep the report")
async def run_check(request: Request, scenario_id: int = ScenarioId,
                    who: Caller = Depends(require("planner"))):
    await _scenario(request, who, scenario_id, edit=True)
    result = await _run(request, scenario_id)
    async with request.app.state.db.connection() as conn, conn.transaction():
        await conn.execute(load.STORE_SQL, {"report": json.dumps(result, default=str),
                                            "versions": json.dumps(result["versions"]), "id": scenario_id})
    return _json({**result, "stale": False, "scenario": scenario_id})


@router.get("/scenarios/{scenario_id}/report", summary="The last report (JSON, or ?f=html to print)",
            response_class=Response, responses={200: {"content": {JSON: {}, "text/html": {}}}})
async def get_report(request: Request, scenario_id: int = ScenarioId, who: Caller = Depends(caller),
                     f: str | None = Query(None, pattern="^(json|html)$")):
    row = await _scenario(request, who, scenario_id)
    if row["report"] is None:
        raise NotFound(f"scenario {scenario_id} has not been checked yet: POST /scenarios/{scenario_id}/check")
    document = {**row["report"], "scenario": scenario_id, "name": row["name"],
                "stale": await _stale(request, row)}
    if f == "html":
        return HTMLResponse(render_template("report.html", doc=document, owner=row["owner"]))
    return _json(document)
