"""Gather a scenario's :class:`Context` from PostGIS.

``fetch(sql, params)`` runs one query and returns its rows (the API's async pool, or a
plain connection wrapped by :func:`sync_fetch`), so the same SQL serves both. Every
geometry comes out in lon/lat (whatever the storage CRS) and is put into a local frame
centred on the proposals.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import shapely

from citymodel.planning import FLOOR_AREA_PER_RESIDENT_M2
from citymodel.scenarios.context import (
    Building,
    Construction,
    Context,
    Encumbrance,
    LocalFrame,
    Lot,
    Parcel,
    Proposal,
    Service,
    Zone,
)
from citymodel.scenarios.rules import insolation

Fetch = Callable[[str, dict], Awaitable[list[tuple]]]
NEIGHBOURHOOD_M = 150.0  # existing buildings this far from the proposals are in the context
SERVICES_M = 2000.0  # services this far from the proposals are in the context

# The area the scenario touches: its proposals, else the buildings it demolishes.
_AREA = """area AS (
  SELECT coalesce(
    (SELECT ST_Union(footprint) FROM scenario_buildings WHERE scenario_id = %(id)s),
    (SELECT ST_Union(b.footprint) FROM scenario_demolitions d JOIN buildings b ON b.id = d.building_id
      WHERE d.scenario_id = %(id)s)) AS g
), involved AS (
  SELECT p.* FROM parcels p, area WHERE p.geom && area.g AND ST_Intersects(p.geom, area.g)
)"""

# The area within a radius (metres, on the spheroid) of the scenario, in the storage CRS:
# index scans find what lies in it.
_REACH = """reach AS (SELECT ST_Transform(ST_Buffer(ST_Transform(g, 4326)::geography,
    %({radius})s)::geometry, ST_SRID(g)) AS g FROM area)"""

QUERIES = {
    "centre": f"""WITH {_AREA} SELECT ST_X(c), ST_Y(c) FROM (
        SELECT ST_Transform(ST_Centroid(g), 4326) AS c FROM area) t WHERE c IS NOT NULL""",
    "proposals": """SELECT id, name, ST_AsBinary(ST_Transform(footprint, 4326)), height, min_height,
        floors, use, residential_share, floor_area FROM scenario_buildings WHERE scenario_id = %(id)s
        ORDER BY id""",
    "demolished": "SELECT building_id FROM scenario_demolitions WHERE scenario_id = %(id)s",
    "parcels": f"""WITH {_AREA} SELECT p.id, p.cadastral_number, ST_AsBinary(ST_Transform(p.geom, 4326)),
        p.permitted_use, p.permitted_use_text, p.state,
        coalesce((SELECT array_agg(DISTINCT r.holder_kind ORDER BY r.holder_kind) FROM rights r
                  WHERE r.parcel_id = p.id AND r.kind = 'right'), '{{}}')
        FROM involved p ORDER BY p.id""",
    "zones": f"""WITH {_AREA}, land AS (SELECT ST_Union(geom) AS g FROM involved)
        SELECT z.id, z.kind, ST_AsBinary(ST_Transform(z.geom, 4326)), z.zone_code, z.name,
        z.registry_number, z.restrictions, z.max_height_m, z.max_floors, z.max_coverage_pct,
        z.max_density, z.min_setback_m, z.limits_text, z.permitted_uses
        FROM zones z, area, land WHERE z.geom && ST_Envelope(ST_Collect(area.g, land.g))
        AND (ST_Intersects(z.geom, area.g) OR ST_Intersects(z.geom, land.g)) ORDER BY z.id""",
    "buildings": f"""WITH {_AREA}, {_REACH.format(radius="radius")} SELECT b.id, ST_AsBinary(ST_Transform(b.footprint, 4326)), b.height,
        b.floors, b.min_height, b.use, b.parcel_id, b.address,
        (SELECT count(*) FROM rights r WHERE r.building_id = b.id)
        FROM buildings b WHERE b.footprint IS NOT NULL AND b.kind <> 'part' AND b.id IN (
          SELECT b2.id FROM buildings b2 JOIN involved p ON b2.parcel_id = p.id
          UNION SELECT building_id FROM scenario_demolitions WHERE scenario_id = %(id)s
          UNION SELECT b3.id FROM buildings b3, reach
            WHERE b3.footprint && reach.g AND ST_Intersects(b3.footprint, reach.g))
        ORDER BY b.id""",
    "encumbrances": f"""WITH {_AREA} SELECT r.parcel_id, r.type_code, r.type_name,
        r.registration_number, r.holder_kind FROM rights r JOIN involved p ON p.id = r.parcel_id
        WHERE r.kind = 'encumbrance' ORDER BY r.id""",
    "lots": f"""WITH {_AREA} SELECT o.parcel_id, n.notice_number, l.lot_number, l.status
        FROM lot_objects o JOIN involved p ON p.id = o.parcel_id JOIN lots l ON l.id = o.lot_id
        JOIN auction_notices n ON n.id = l.notice_id ORDER BY l.id""",
    "services": f"""WITH {_AREA}, {_REACH.format(radius="services_radius")} SELECT s.id, s.category,
        s.kind, s.name, ST_AsBinary(ST_Transform(s.geom, 4326)), s.capacity FROM services s, reach
        WHERE s.geom && reach.g AND ST_Intersects(s.geom, reach.g) ORDER BY s.id""",
    "streets": f"""WITH {_AREA}, {_REACH.format(radius="services_radius")}
        SELECT ST_AsBinary(ST_Transform(s.geom, 4326)) FROM streets s, reach
        WHERE s.geom && reach.g AND ST_Intersects(s.geom, reach.g) ORDER BY s.id""",
    "constructions": f"""WITH {_AREA}, land AS (SELECT ST_Union(geom) AS g FROM involved)
        SELECT b.id, b.cadastral_number, b.use, ST_AsBinary(ST_Transform(b.lines, 4326))
        FROM buildings b, land WHERE b.lines && land.g AND ST_Intersects(b.lines, land.g)
        ORDER BY b.id""",
}


# What a report was checked against: the city's data versions and the scenario's own last
# change. A report whose versions differ from these now is stale.
CHECKED_AGAINST = ("parcels", "buildings", "zones", "services", "rights", "auctions", "streets")
VERSIONS_SQL = """SELECT jsonb_object_agg(name, version) || jsonb_build_object('scenario',
    (SELECT to_jsonb(updated_at) FROM scenarios WHERE id = %(id)s))
    FROM data_versions WHERE name = ANY(%(names)s)"""


async def versions(fetch: Fetch, scenario_id: int) -> dict:
    rows = await fetch(VERSIONS_SQL, {"id": scenario_id, "names": list(CHECKED_AGAINST)})
    return rows[0][0]


def _geometry(frame: LocalFrame, wkb) -> shapely.Geometry | None:
    return None if wkb is None else frame.to_local(shapely.from_wkb(bytes(wkb)))


async def load(fetch: Fetch, scenario_id: int, timezone: str = "Europe/Moscow",
               floor_area_per_resident: float = FLOOR_AREA_PER_RESIDENT_M2) -> Context:
    """The context of scenario ``scenario_id`` (an empty one if it proposes nothing). The
    buildings around reach as far as the tallest proposal's shadow (rule 8)."""
    params = {"id": scenario_id, "radius": NEIGHBOURHOOD_M, "services_radius": SERVICES_M}
    centre = await fetch(QUERIES["centre"], params)
    if not centre:
        return Context(proposals=[], timezone=timezone,
                       floor_area_per_resident=floor_area_per_resident)
    frame = LocalFrame(float(centre[0][0]), float(centre[0][1]))
    g = lambda wkb: _geometry(frame, wkb)
    proposals = [Proposal(id=r[0], name=r[1], footprint=g(r[2]), height=r[3], min_height=r[4],
                          floors=r[5], use=r[6], residential_share=r[7], floor_area=r[8])
                 for r in await fetch(QUERIES["proposals"], params)]
    tallest = max((p.height for p in proposals), default=0.0)
    params["radius"] = max(NEIGHBOURHOOD_M, insolation.reach_m(tallest))
    return Context(
        timezone=timezone, floor_area_per_resident=floor_area_per_resident,
        proposals=proposals,
        parcels=[Parcel(id=r[0], cadastral_number=r[1], geometry=g(r[2]), permitted_use=r[3],
                        permitted_use_text=r[4], state=r[5], owner_kinds=tuple(r[6] or ()))
                 for r in await fetch(QUERIES["parcels"], params)],
        zones=[Zone(id=r[0], kind=r[1], geometry=g(r[2]), zone_code=r[3], name=r[4],
                    registry_number=r[5], restrictions=r[6], max_height_m=r[7], max_floors=r[8],
                    max_coverage_pct=r[9], max_density=r[10], min_setback_m=r[11],
                    limits_text=r[12] or {}, permitted_uses=r[13])
               for r in await fetch(QUERIES["zones"], params)],
        buildings=[Building(id=r[0], footprint=g(r[1]), height=r[2], floors=r[3], min_height=r[4],
                            use=r[5], parcel_id=r[6], address=r[7], rights=r[8])
                   for r in await fetch(QUERIES["buildings"], params)],
        demolished={r[0] for r in await fetch(QUERIES["demolished"], params)},
        encumbrances=[Encumbrance(*r) for r in await fetch(QUERIES["encumbrances"], params)],
        lots=[Lot(*r) for r in await fetch(QUERIES["lots"], params)],
        constructions=[Construction(id=r[0], cadastral_number=r[1], use=r[2], lines=g(r[3]))
                       for r in await fetch(QUERIES["constructions"], params)],
        services=[Service(id=r[0], category=r[1], kind=r[2], name=r[3], point=g(r[4]), capacity=r[5])
                  for r in await fetch(QUERIES["services"], params)],
        streets=[g(r[0]) for r in await fetch(QUERIES["streets"], params)],
        frame=frame,
    )


def sync_fetch(connection) -> Fetch:
    """A ``fetch`` over a plain psycopg connection (scripts, benchmarks)."""
    async def fetch(sql: str, params: dict) -> list[tuple]:
        return connection.execute(sql, params).fetchall()
    return fetch


STORE_SQL = ("UPDATE scenarios SET report = %(report)s, checked_versions = %(versions)s, "
             "checked_at = now() WHERE id = %(id)s")


async def checked(fetch: Fetch, scenario_id: int, timezone: str = "Europe/Moscow",
                  floor_area_per_resident: float = FLOOR_AREA_PER_RESIDENT_M2, offload=None) -> dict:
    """The scenario checked against the data as they are now: its report (not stored).
    ``offload(function, *args)`` runs the CPU-bound rules elsewhere (the API's threads)."""
    from citymodel.scenarios import report, rules

    now = await versions(fetch, scenario_id)
    ctx = await load(fetch, scenario_id, timezone, floor_area_per_resident)
    findings = await offload(rules.check, ctx) if offload else rules.check(ctx)
    return report.build(ctx, findings, now)
