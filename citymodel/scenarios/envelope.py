"""What can be built on a parcel: the largest volume its territorial zone allows.

The footprint: the parcel shrunk by the zone's setback, minus the restriction and heritage
zones on it, no larger than the zone's built-up share of the parcel allows. The height:
the zone's maximum (or its floors × a storey). The floor area: the footprint × the floors
that fit, no more than the zone's density allows. The constraint that binds — the one
that gives the least floor area — is named.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import shapely

from citymodel.planning import STOREY_M
from citymodel.scenarios.context import LocalFrame, Parcel, Zone

UNLIMITED_FLOORS = 100  # a zone that limits neither height nor floors: what "tall" means here


@dataclass
class Envelope:
    footprint: shapely.Geometry  # local metres (may be empty): the land the rules leave
    footprint_m2: float  # the area that may be built on: the footprint, capped by coverage
    height_m: float | None  # None: not limited by the zone
    floors: int | None  # None: limited neither by floors nor by height
    floor_area_m2: float
    binding: str  # what limits the floor area: setback | restrictions | coverage | density | no_zone
    floors_by: str | None = None  # what limits the floors: height | floors
    limits: dict = field(default_factory=dict)
    existing_floor_area_m2: float = 0.0

    @property
    def left_m2(self) -> float:
        """Floor area the rules still allow beyond what stands on the parcel."""
        return max(0.0, self.floor_area_m2 - self.existing_floor_area_m2)


def envelope(parcel: Parcel, zone: Zone | None, others: list[Zone],
             existing_floor_area: float = 0.0) -> Envelope:
    """The envelope of ``parcel`` under territorial ``zone``; ``others``: zones that may cut it."""
    land = parcel.geometry
    if zone is None or land is None:
        return Envelope(shapely.Polygon(), 0.0, None, None, 0.0, "no_zone",
                        existing_floor_area_m2=existing_floor_area)
    setback = zone.min_setback_m or 0.0
    footprint = land.buffer(-setback, join_style="mitre") if setback else land
    cut = [z.geometry for z in others if z.kind != "territorial" and z.geometry is not None
           and z.geometry.intersects(footprint)]
    if cut:
        footprint = footprint.difference(shapely.union_all(cut))
    area, binding = footprint.area, "restrictions" if cut else "setback"
    if zone.max_coverage_pct is not None and area > land.area * zone.max_coverage_pct / 100:
        area, binding = land.area * zone.max_coverage_pct / 100, "coverage"
    by_height = int(zone.max_height_m // STOREY_M) if zone.max_height_m is not None else None
    if zone.max_floors is not None and (by_height is None or zone.max_floors <= by_height):
        floors, floors_by = zone.max_floors, "floors"
    else:
        floors, floors_by = by_height, "height" if by_height is not None else None
    floor_area = area * (floors if floors is not None else UNLIMITED_FLOORS)
    if zone.max_density is not None and floor_area > zone.max_density / 10 * land.area:
        floor_area, binding = zone.max_density / 10 * land.area, "density"
    height = zone.max_height_m if zone.max_height_m is not None else (
        floors * STOREY_M if floors is not None else None)
    limits = {name: getattr(zone, name) for name in ("max_height_m", "max_floors", "max_coverage_pct",
                                                     "max_density", "min_setback_m")}
    return Envelope(footprint, area, height, floors, floor_area, binding, floors_by, limits,
                    existing_floor_area)


# -- from PostGIS --------------------------------------------------------------------------

# Parcels (by lookup key, or all city-owned unencumbered ones in a box), each with its zones
# and the floor area that stands on it; geometries in lon/lat.
_PARCEL_COLUMNS = """p.id, p.cadastral_number, ST_AsBinary(ST_Transform(p.geom, 4326)),
  coalesce((SELECT json_agg(json_build_object('id', z.id, 'kind', z.kind, 'zone_code', z.zone_code,
      'registry_number', z.registry_number, 'max_height_m', z.max_height_m, 'max_floors', z.max_floors,
      'max_coverage_pct', z.max_coverage_pct, 'max_density', z.max_density,
      'min_setback_m', z.min_setback_m, 'limits_text', z.limits_text,
      'wkb', encode(ST_AsBinary(ST_Transform(z.geom, 4326)), 'hex')))
    FROM zones z WHERE z.geom && p.geom AND ST_Intersects(z.geom, p.geom)), '[]'),
  coalesce((SELECT sum(ST_Area(ST_Transform(b.footprint, 4326)::geography)
      * coalesce(b.floors, greatest(1, round((b.height - b.min_height) / 3))))
    FROM buildings b WHERE b.parcel_id = p.id AND b.kind <> 'part' AND b.footprint IS NOT NULL), 0)"""
BY_KEY_SQL = f"SELECT {_PARCEL_COLUMNS} FROM parcels p WHERE p.cadastral_key = %(key)s AND p.geom IS NOT NULL"
BUILDABLE_SQL = f"""SELECT {_PARCEL_COLUMNS} FROM parcels p
  WHERE p.geom && ST_Transform(ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 4326), %(srid)s)
  AND EXISTS (SELECT 1 FROM rights r WHERE r.parcel_id = p.id AND r.kind = 'right')
  AND NOT EXISTS (SELECT 1 FROM rights r WHERE r.parcel_id = p.id
                  AND (r.kind = 'encumbrance' OR r.holder_kind <> 'public'))
  ORDER BY p.id LIMIT %(limit)s"""


def from_row(row, frame: LocalFrame | None = None) -> tuple[Parcel, Envelope, LocalFrame]:
    """A row of BY_KEY_SQL or BUILDABLE_SQL: the parcel, its envelope and the local frame
    (``frame``, shared by the parcels of one box, else one centred on the parcel)."""
    lonlat = shapely.from_wkb(bytes(row[2]))
    if frame is None:
        centre = lonlat.centroid
        frame = LocalFrame(centre.x, centre.y)
    parcel = Parcel(row[0], row[1], frame.to_local(lonlat))
    zones = [Zone(id=z["id"], kind=z["kind"], zone_code=z["zone_code"], registry_number=z["registry_number"],
                  geometry=frame.to_local(shapely.from_wkb(bytes.fromhex(z["wkb"]))) if z["wkb"] else None,
                  max_height_m=z["max_height_m"], max_floors=z["max_floors"],
                  max_coverage_pct=z["max_coverage_pct"], max_density=z["max_density"],
                  min_setback_m=z["min_setback_m"], limits_text=z["limits_text"] or {})
             for z in (row[3] if isinstance(row[3], list) else json.loads(row[3]))]
    territorial = [(z.geometry.intersection(parcel.geometry).area, z) for z in zones
                   if z.kind == "territorial" and z.geometry is not None]
    zone = max(territorial, key=lambda t: t[0])[1] if territorial else None
    return parcel, envelope(parcel, zone, zones, float(row[4])), frame
