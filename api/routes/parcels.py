"""Parcel cards, the parcel under a point, and search by number, quarter or address.

A card is what a property official opens: the parcel, its buildings, rights and
encumbrances, its auction history, the territorial zone it lies in (with the zone's
parameters), the restriction and heritage zones that touch it (with the area of overlap
and their restrictions) and the nearest city service of each category, built by one query. Holders who are
individuals are shown by name and INN only to officials and admins; to everyone else
they appear as ``"holder_kind": "individual"`` with the name and INN left out.
"""

from __future__ import annotations

import json
import re

import shapely

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from api.auth import Caller, caller
from api.errors import BadRequest, NotFound
from api.responses import JSON, PRIVATE, link
from api.routes.procurement import card_entries, card_section_sql
from citymodel.cadastral import lookup_key
from citymodel.errors import InvalidCadastralNumber
from citymodel.planning import SERVICE_CATEGORIES
from citymodel.scenarios import envelope
from citymodel.scenarios.context import LocalFrame

router = APIRouter(tags=["Parcels"])
NEAREST_SERVICE_WITHIN_M = 5000  # farther than this, a category has no "nearest" service

CARD = """
SELECT json_build_object(
  'id', p.id, 'cadastral_number', p.cadastral_number, 'address', p.address,
  'declared_area_m2', p.declared_area_m2::float8,
  'computed_area_m2', round(p.computed_area_m2::numeric, 2)::float8,
  'land_category', p.land_category, 'permitted_use', p.permitted_use,
  'permitted_use_text', p.permitted_use_text, 'cadastral_value', p.cadastral_value::float8,
  'state', p.state, 'parcel_type', p.parcel_type, 'registered_on', p.registered_on,
  'source', p.source,
  'bbox', CASE WHEN p.geom IS NOT NULL THEN json_build_array(
      ST_XMin(g.box), ST_YMin(g.box), ST_XMax(g.box), ST_YMax(g.box)) END,
  'geometry', ST_AsGeoJSON(g.geom, 7)::json,
  'buildings', coalesce((SELECT json_agg(json_build_object(
      'id', b.id, 'cadastral_number', b.cadastral_number, 'address', b.address, 'use', b.use,
      'height', b.height, 'floors', b.floors, 'year_built', b.year_built) ORDER BY b.id)
      FROM buildings b WHERE b.parcel_id = p.id AND b.kind <> 'part'), '[]'),
  'rights', coalesce((SELECT json_agg(json_build_object(
      'id', r.id, 'kind', r.kind, 'type_code', r.type_code, 'type_name', r.type_name,
      'holder_kind', r.holder_kind,
      'holder_name', CASE WHEN r.holder_kind <> 'individual' OR %(personal)s THEN r.holder_name END,
      'holder_inn', CASE WHEN r.holder_kind <> 'individual' OR %(personal)s THEN r.holder_inn END,
      'share', CASE WHEN r.share_numerator IS NOT NULL
                    THEN r.share_numerator || '/' || r.share_denominator END,
      'registration_number', r.registration_number, 'registered_on', r.registered_on,
      'starts_on', r.starts_on, 'ends_on', r.ends_on)
      ORDER BY r.kind DESC, r.registered_on NULLS LAST, r.id)
      FROM rights r WHERE r.parcel_id = p.id), '[]'),
  'auctions', coalesce((SELECT json_agg(json_build_object(
      'lot_id', l.id, 'notice_number', n.notice_number, 'lot_number', l.lot_number,
      'status', l.status, 'deal_type', l.deal_type, 'bidding_type', n.bidding_type_name,
      'start_price', l.start_price::float8, 'final_price', l.final_price::float8,
      'currency', l.currency, 'published_at', n.published_at,
      'bidding_ends_at', n.bidding_ends_at, 'result_on', l.result_on,
      'source_url', coalesce(l.source_url, n.source_url))
      ORDER BY n.published_at DESC NULLS LAST, l.id DESC)
      FROM lot_objects o JOIN lots l ON l.id = o.lot_id
      JOIN auction_notices n ON n.id = l.notice_id WHERE o.parcel_id = p.id), '[]'),
  'procurement', {procurement},
  'territorial_zone', (SELECT json_build_object(
      'id', z.id, 'zone_code', z.zone_code, 'name', z.name, 'registry_number', z.registry_number,
      'max_height_m', z.max_height_m, 'max_floors', z.max_floors,
      'max_coverage_pct', z.max_coverage_pct, 'max_density', z.max_density,
      'min_setback_m', z.min_setback_m, 'limits_text', z.limits_text,
      'permitted_uses', z.permitted_uses, 'source', z.source,
      'share_of_parcel_pct', round((100 * ST_Area(ST_Intersection(z.geom, p.geom))
                                    / nullif(ST_Area(p.geom), 0))::numeric, 1)::float8)
      FROM zones z WHERE z.kind = 'territorial' AND z.geom && p.geom AND ST_Intersects(z.geom, p.geom)
      ORDER BY ST_Area(ST_Intersection(z.geom, p.geom)) DESC, z.id LIMIT 1),
  'restriction_zones', coalesce((SELECT json_agg(json_build_object(
      'id', z.id, 'kind', z.kind, 'zone_code', z.zone_code, 'name', z.name,
      'registry_number', z.registry_number, 'restrictions', z.restrictions,
      'overlap_m2', round(ST_Area(ST_Transform(ST_Intersection(z.geom, p.geom), 4326)::geography)
                          ::numeric, 1)::float8) ORDER BY z.kind, z.registry_number, z.id)
      FROM zones z WHERE z.kind <> 'territorial' AND z.geom && p.geom
      AND ST_Intersects(z.geom, p.geom)), '[]'),
  'nearest_services', coalesce((SELECT json_agg(json_build_object(
      'id', n.id, 'category', n.category, 'kind', n.kind, 'name', n.name, 'address', n.address,
      'capacity', n.capacity, 'capacity_unit', n.capacity_unit,
      'distance_m', round(n.distance::numeric)::float8) ORDER BY n.category)
      FROM unnest(%(categories)s::text[]) AS c(category)
      CROSS JOIN LATERAL (
        SELECT k.* FROM (
          SELECT s.*, ST_Distance(ST_Transform(s.geom, 4326)::geography, g.geom::geography) AS distance
          FROM services s WHERE s.category = c.category AND p.geom IS NOT NULL
          ORDER BY s.geom <-> p.geom LIMIT 5) k
        WHERE k.distance <= %(nearest_within)s ORDER BY k.distance, k.id LIMIT 1) n), '[]')
)::text
FROM parcels p
CROSS JOIN LATERAL (SELECT ST_Transform(p.geom, 4326) AS geom,
                           ST_Transform(p.geom, 4326)::box2d AS box) g
WHERE {condition}
""".replace("{procurement}", card_section_sql(  # the parcel's, and its buildings'
    "SELECT po.* FROM procurement_objects po WHERE po.parcel_id = p.id UNION ALL SELECT po.* FROM buildings pb "
    "JOIN procurement_objects po ON po.building_id = pb.id WHERE pb.parcel_id = p.id"))


def card_json(row_text: str, base: str, personal: bool) -> dict:
    card = json.loads(row_text)
    number = card["cadastral_number"]
    card["personal_data_shown"] = personal
    card_entries(card["procurement"], base)
    card["timeline"] = timeline(card)
    card["links"] = [
        link(f"{base}/parcels/{number}", "self", JSON, f"Parcel {number}"),
        link(f"{base}/collections/parcels/items/{card['id']}", "alternate", "application/geo+json",
             "The parcel as a GeoJSON feature"),
    ]
    return card


def timeline(card: dict) -> list[dict]:
    """The parcel's history as one list, oldest first: its auctions, the rights registered on
    it, the procurement of it and its buildings (as the card shows them: holders' names only
    where the card has them)."""
    events = []
    for lot in card["auctions"]:
        when = (lot["result_on"] or (lot["published_at"] or "")[:10]) or None
        events.append({"date": when, "kind": "auction", "title": f"{lot['bidding_type'] or 'Торги'}: "
                       f"{lot['status']}", "amount": lot["final_price"] or lot["start_price"],
                       "ref": lot["notice_number"]})
    for right in card["rights"]:
        events.append({"date": right["registered_on"] or right["starts_on"], "kind": "right",
                       "title": right["type_name"] or right["type_code"], "amount": None,
                       "ref": right["registration_number"]})
    for entry in card["procurement"]:
        events.append({"date": entry["signed_on"] or entry["published_on"], "kind": entry["kind"],
                       "title": entry["subject"], "amount": entry["price"],
                       "ref": entry["registry_number"] or entry["purchase_number"]})
    return sorted(events, key=lambda e: (e["date"] is None, e["date"] or ""))


async def find_card(request: Request, who: Caller, condition: str, params: dict) -> dict | None:
    query = CARD.replace("{condition}", condition)
    row = await request.app.state.db.one(query, {**params, "personal": who.sees_personal_data,
                                                 "categories": list(SERVICE_CATEGORIES),
                                                 "nearest_within": NEAREST_SERVICE_WITHIN_M})
    if row is None:
        return None
    return card_json(row[0], str(request.base_url).rstrip("/"), who.sees_personal_data)


@router.get("/parcels/at", summary="The parcel under a point")
async def parcel_at(request: Request, lon: float = Query(ge=-180, le=180),
                    lat: float = Query(ge=-90, le=90), who: Caller = Depends(caller)):
    srid = request.app.state.db.storage_srid
    point = "ST_Transform(ST_SetSRID(ST_MakePoint(%(lon)s, %(lat)s), 4326), %(srid)s)"
    # the smallest parcel containing the point: a building's parcel, not the quarter's ЕЗП
    condition = (f"p.id = (SELECT q.id FROM parcels q WHERE q.geom && {point} "
                 f"AND ST_Intersects(q.geom, {point}) ORDER BY ST_Area(q.geom), q.id LIMIT 1)")
    card = await find_card(request, who, condition, {"lon": lon, "lat": lat, "srid": srid})
    if card is None:
        raise NotFound(f"no parcel at {lon}, {lat}")
    return _json(card)


@router.get("/parcels/{cadastral_number}", summary="A parcel card by cadastral number")
async def parcel(request: Request, cadastral_number: str, who: Caller = Depends(caller)):
    """Any real spelling finds it: ``77:01:0004012:1234``, ``77:1:4012:1234``, spaces."""
    try:
        key = lookup_key(cadastral_number)
    except InvalidCadastralNumber as exc:
        raise BadRequest(str(exc)) from None
    card = await find_card(request, who, "p.cadastral_key = %(key)s", {"key": key})
    if card is None:
        raise NotFound(f"no parcel {cadastral_number}")
    return _json(card)


def _envelope_feature(parcel, found, frame, base: str) -> dict:
    geometry = frame.to_lonlat(found.footprint) if not found.footprint.is_empty else None
    return {
        "type": "Feature", "id": parcel.id,
        "geometry": shapely.geometry.mapping(shapely.set_precision(geometry, 1e-7)) if geometry else None,
        "properties": {
            "cadastral_number": parcel.cadastral_number,
            "parcel_area_m2": round(parcel.geometry.area, 1),
            "footprint_m2": round(found.footprint_m2, 1), "height_m": found.height_m,
            "floors": found.floors, "floors_limited_by": found.floors_by,
            "max_floor_area_m2": round(found.floor_area_m2, 1), "binding": found.binding,
            "existing_floor_area_m2": round(found.existing_floor_area_m2, 1),
            "floor_area_left_m2": round(found.left_m2, 1), "limits": found.limits,
            "card": f"{base}/parcels/{parcel.cadastral_number}",
        },
    }


@router.get("/parcels/{cadastral_number}/envelope", summary="What the rules allow to build on a parcel",
            response_class=Response, responses={200: {"content": {"application/geo+json": {}}}})
async def parcel_envelope(request: Request, cadastral_number: str):
    """The largest volume its territorial zone allows: the parcel shrunk by the setback, minus
    restriction and heritage zones, up to the zone's height, with the floor area the density
    allows and the constraint that binds. The footprint as GeoJSON; ``height_m`` its top."""
    try:
        key = lookup_key(cadastral_number)
    except InvalidCadastralNumber as exc:
        raise BadRequest(str(exc)) from None
    rows = await request.app.state.db.all(envelope.BY_KEY_SQL, {"key": key})
    if not rows:
        raise NotFound(f"no parcel {cadastral_number} with established boundaries")
    parcel, found, frame = envelope.from_row(rows[0])
    feature = _envelope_feature(parcel, found, frame, str(request.base_url).rstrip("/"))
    return Response(json.dumps(feature, ensure_ascii=False), media_type="application/geo+json")


@router.get("/parcels", summary="Buildable parcels: the investment map",
            response_class=Response, responses={200: {"content": {"application/geo+json": {}}}})
async def buildable_parcels(request: Request,
                            buildable: bool = Query(description="Must be true: city-owned, "
                                                    "unencumbered parcels with floor area left"),
                            bbox: str = Query(max_length=200, description="W,S,E,N in degrees"),
                            limit: int = Query(100, ge=1, le=500)):
    """Parcels in ``bbox`` that only the city owns, with no encumbrance, whose envelope
    allows more floor area than stands on them — largest floor area left first."""
    if not buildable:
        raise BadRequest("buildable: only buildable=true is served here; other parcels are in "
                         "/collections/parcels/items")
    try:
        w, s_, e, n = (float(v) for v in bbox.split(","))
    except ValueError:
        raise BadRequest(f"bbox: expected W,S,E,N in degrees, got {bbox!r}") from None
    if not (-180 <= w < e <= 180 and -90 <= s_ < n <= 90) or (e - w) * (n - s_) > 0.05:
        raise BadRequest("bbox: W < E and S < N in degrees, at most about 25 km² (0.05 square degrees)")
    db = request.app.state.db
    rows = await db.all(envelope.BUILDABLE_SQL, {"w": w, "s": s_, "e": e, "n": n,
                                                 "srid": db.storage_srid, "limit": 5000})
    base = str(request.base_url).rstrip("/")
    frame = LocalFrame((w + e) / 2, (s_ + n) / 2)  # one frame for the box: a few km at most
    found = [envelope.from_row(r, frame) for r in rows]
    features = [_envelope_feature(p, f, frame, base) for p, f, frame in found if f.left_m2 > 0]
    features.sort(key=lambda f: -f["properties"]["floor_area_left_m2"])
    document = {"type": "FeatureCollection", "numberMatched": len(features),
                "features": features[:limit], "numberReturned": min(limit, len(features))}
    return Response(json.dumps(document, ensure_ascii=False), media_type="application/geo+json")


QUARTER = re.compile(r"^\s*(\d{1,2})\s*:\s*(\d{1,2})\s*:\s*(\d{1,7})\s*:?\s*$")


@router.get("/search", summary="Find parcels by cadastral number, quarter or address words")
async def search(request: Request, q: str = Query(min_length=1, max_length=200),
                 limit: int = Query(20, ge=1, le=100), offset: int = Query(0, ge=0, le=10_000)):
    """A cadastral number (any spelling) finds its parcel; a quarter (``77:01:0004012``)
    lists its parcels in number order; other text is matched against parcel and building
    addresses by trigram similarity, best first."""
    db = request.app.state.db
    base = str(request.base_url).rstrip("/")
    columns = ("p.id, p.cadastral_number, p.address, p.permitted_use_text, "
               "round(p.computed_area_m2::numeric, 2)::float8, "
               "CASE WHEN p.geom IS NOT NULL THEN ST_AsText(ST_PointOnSurface(ST_Transform(p.geom, 4326))) END")
    kind, rows = "address", []
    try:
        key = lookup_key(q)
    except InvalidCadastralNumber:
        key = None
    quarter = QUARTER.match(q)
    if key is not None:
        kind = "cadastral_number"
        rows = await db.all(f"SELECT {columns}, 1.0 FROM parcels p WHERE p.cadastral_key = %s "
                            "LIMIT %s OFFSET %s", [key, limit + 1, offset])
    elif quarter is not None:
        kind = "quarter"
        prefix = ":".join(str(int(part)) for part in quarter.groups()) + ":"
        # the key's object number sorts as text; order by it as a number
        rows = await db.all(
            f"SELECT {columns}, 1.0 FROM parcels p WHERE p.cadastral_key LIKE %s "
            "ORDER BY length(p.cadastral_key), p.cadastral_key LIMIT %s OFFSET %s",
            [prefix.replace("%", "") + "%", limit + 1, offset])
    else:
        words = " ".join(q.split())
        rows = await db.all(
            f"""SELECT {columns}, s.score FROM (
                  SELECT id, max(score) AS score FROM (
                    SELECT id, word_similarity(%(q)s, address) AS score FROM parcels
                    WHERE %(q)s <%% address
                    UNION ALL
                    SELECT parcel_id, word_similarity(%(q)s, address) FROM buildings
                    WHERE parcel_id IS NOT NULL AND %(q)s <%% address) m GROUP BY id) s
                JOIN parcels p ON p.id = s.id
                ORDER BY s.score DESC, p.id LIMIT %(limit)s OFFSET %(offset)s""",
            {"q": words, "limit": limit + 1, "offset": offset})
    more = len(rows) > limit
    results = []
    for r in rows[:limit]:
        point = r[5]
        lonlat = [float(v) for v in point[6:-1].split()] if point else None
        results.append({"id": r[0], "cadastral_number": r[1], "address": r[2],
                        "permitted_use_text": r[3], "computed_area_m2": r[4],
                        "point": lonlat, "score": round(float(r[6]), 3),
                        "href": f"{base}/parcels/{r[1]}"})
    links = [link(str(request.url), "self", JSON, "These results")]
    if more:
        nxt = request.url.include_query_params(offset=offset + limit)
        links.append(link(str(nxt), "next", JSON, "More results"))
    return _json({"query": q, "matched_as": kind, "results": results, "links": links})


def _json(document: dict) -> Response:
    # a card that shows holders' names and INNs must not be kept by any shared cache
    headers = PRIVATE if document.get("personal_data_shown") else None
    return Response(json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str),
                    media_type=JSON, headers=headers)
