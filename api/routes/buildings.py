"""Building cards: what a click on a building in the viewer opens — the building (its
identifiers, address, use, heights and where they came from, the parcel it stands on) and
the public procurement for it and its parts (the same section as a parcel card's, with the
money contracted). No personal data: suppliers are not named on cards.
"""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi import Path as PathParam

from api.errors import NotFound
from api.responses import JSON, link
from api.routes.procurement import card_entries, card_section_sql

router = APIRouter(tags=["Buildings"])
BuildingId = PathParam(ge=1, le=2**63 - 1, description="The building's id (the tileset's `building_id`)")

CARD = """
SELECT json_build_object(
  'id', b.id, 'kind', b.kind, 'register_id', b.register_id, 'cadastral_number', b.cadastral_number,
  'address', b.address, 'use', b.use, 'floors', b.floors, 'year_built', b.year_built,
  'height', b.height, 'height_source', b.height_source, 'min_height', b.min_height,
  'ground_elevation', b.ground_elevation, 'model_lod', b.model_lod, 'part_of', b.part_of,
  'source', b.source, 'parcel', p.cadastral_number,
  'bbox', CASE WHEN b.footprint IS NOT NULL THEN json_build_array(
      ST_XMin(g.box), ST_YMin(g.box), ST_XMax(g.box), ST_YMax(g.box)) END,
  'geometry', ST_AsGeoJSON(g.geom, 7)::json,
  'procurement', {procurement}
)::text
FROM buildings b LEFT JOIN parcels p ON p.id = b.parcel_id
CROSS JOIN LATERAL (SELECT ST_Transform(b.footprint, 4326) AS geom,
                           ST_Transform(b.footprint, 4326)::box2d AS box) g
WHERE b.id = %(id)s
""".replace("{procurement}", card_section_sql(  # the building's, and its parts'
    "SELECT po.* FROM procurement_objects po WHERE po.building_id = b.id UNION ALL SELECT po.* "
    "FROM buildings part JOIN procurement_objects po ON po.building_id = part.id "
    "WHERE b.register_id IS NOT NULL AND part.part_of = b.register_id"))


@router.get("/buildings/{building_id}", summary="A building card: the building and the procurement for it")
async def building_card(request: Request, building_id: int = BuildingId):
    row = await request.app.state.db.one(CARD, {"id": building_id})
    if row is None:
        raise NotFound(f"no building {building_id}")
    base = str(request.base_url).rstrip("/")
    card = json.loads(row[0])
    card_entries(card["procurement"], base)
    card["contracted"] = sum(e["price"] or 0 for e in card["procurement"] if e["kind"] == "contract")
    card["links"] = [
        link(f"{base}/buildings/{building_id}", "self", JSON, f"Building {building_id}"),
        link(f"{base}/collections/buildings/items/{building_id}", "alternate", "application/geo+json",
             "The building as a GeoJSON feature"),
    ]
    if card["parcel"]:
        card["links"].append(link(f"{base}/parcels/{card['parcel']}", "related", JSON,
                                  f"The parcel {card['parcel']}"))
    return card
