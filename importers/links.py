"""Links between what different imports bring: buildings → parcels, lots → objects.

Computed in the database, for what a run changed, so that the order of imports does
not matter: a parcel imported after its buildings links them, and the other way round.
"""

from __future__ import annotations

import psycopg

# The parcel a building mostly stands on: the one its footprint overlaps most.
_BUILDINGS_TO_PARCELS = """
WITH candidates AS (
    SELECT b.id, b.footprint FROM buildings b WHERE b.footprint IS NOT NULL AND ({filter})
), best AS (
    SELECT DISTINCT ON (c.id) c.id, p.id AS parcel_id
    FROM candidates c JOIN parcels p ON ST_Intersects(p.geom, c.footprint)
    ORDER BY c.id, ST_Area(ST_Intersection(p.geom, c.footprint)) DESC, p.id
)
UPDATE buildings b SET parcel_id = best.parcel_id
FROM best WHERE b.id = best.id AND b.parcel_id IS DISTINCT FROM best.parcel_id
"""


def buildings_to_parcels(conn: psycopg.Connection, *, changed_buildings_of_run: int | None = None,
                         changed_parcels_of_run: int | None = None) -> int:
    """Link the buildings a run changed, or those on the parcels a run changed."""
    if changed_buildings_of_run is not None:
        where, run = "b.import_run_id = %(run)s", changed_buildings_of_run
    else:
        where = ("EXISTS (SELECT 1 FROM parcels p WHERE p.import_run_id = %(run)s "
                 "AND p.geom && b.footprint)")
        run = changed_parcels_of_run
    return conn.execute(_BUILDINGS_TO_PARCELS.format(filter=where), {"run": run}).rowcount


def lots_to_objects(conn: psycopg.Connection) -> int:
    """Point lot objects known so far by cadastral number only at their parcel or building."""
    linked = conn.execute(
        "UPDATE lot_objects o SET parcel_id = p.id FROM parcels p WHERE o.parcel_id IS NULL "
        "AND o.building_id IS NULL AND o.cadastral_key = p.cadastral_key"
    ).rowcount
    return linked + conn.execute(
        "UPDATE lot_objects o SET building_id = b.id FROM buildings b WHERE o.parcel_id IS NULL "
        "AND o.building_id IS NULL AND o.cadastral_key = b.cadastral_key"
    ).rowcount
