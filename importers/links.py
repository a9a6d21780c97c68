"""Links between what different imports bring: buildings → parcels, lots → objects.

Computed in the database, for what a run changed, so that the order of imports does
not matter: a parcel imported after its buildings links them, and the other way round.
"""

from __future__ import annotations

import psycopg

from citymodel.procurement import ADDRESS_MATCH_THRESHOLD

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


def procurement_numbers_to_objects(conn: psycopg.Connection) -> int:
    """Point procurement objects known so far by cadastral number only at their parcel or
    building (as lots'): a procurement links when its object arrives."""
    linked = conn.execute(
        "UPDATE procurement_objects o SET parcel_id = p.id, updated_at = now() FROM parcels p "
        "WHERE o.parcel_id IS NULL AND o.building_id IS NULL AND o.cadastral_key = p.cadastral_key"
    ).rowcount
    return linked + conn.execute(
        "UPDATE procurement_objects o SET building_id = b.id, updated_at = now() FROM buildings b "
        "WHERE o.parcel_id IS NULL AND o.building_id IS NULL AND o.cadastral_key = b.cadastral_key"
    ).rowcount


# Every (procurement, address) to match: its own places and addresses, and for a contract
# its notice's places (a contract is where its notice delivers)
_PLACES = """
CREATE TEMP TABLE procurement_places ON COMMIT DROP AS
SELECT DISTINCT id, address FROM (
    SELECT p.id, a AS address FROM procurements p, unnest(p.addresses) a
    WHERE p.id IN (SELECT id FROM procurement_relink)
    UNION ALL
    SELECT c.id, a FROM procurements c
    JOIN procurements n ON n.kind = 'notice' AND n.purchase_number = c.purchase_number, unnest(n.addresses) a
    WHERE c.kind = 'contract' AND c.id IN (SELECT id FROM procurement_relink)
) t
"""
# Each address once, normalized (the addresses of many procurements repeat)
_KEYS = """
CREATE TEMP TABLE place_keys ON COMMIT DROP AS
WITH keyed AS MATERIALIZED (SELECT address, address_key(address) AS key
                            FROM (SELECT DISTINCT address FROM procurement_places) d)
SELECT address, key, address_key_tokens(key) AS tokens, address_key_numbers(key) AS numbers
FROM keyed WHERE address_key_tokens(key) IS NOT NULL AND address_key_numbers(key) <> '{}'
"""
# What an address matches, found through the trigram index on the stored keys (the same
# words have the same trigrams): a building or parcel with the same words (exact), or one
# alike with the same numbers (similar)
_EXACT = """
INSERT INTO place_candidates (address, tokens, {target}, exact, confidence)
SELECT k.address, k.tokens, o.id, true, 1.0
FROM place_keys k JOIN {table} o ON o.address_key % k.key AND address_key_tokens(o.address_key) = k.tokens
"""
_SIMILAR = """
INSERT INTO place_candidates (address, tokens, {target}, exact, confidence)
SELECT k.address, k.tokens, o.id, false, round(similarity(o.address_key, k.key)::numeric, 3)
FROM place_keys k JOIN {table} o ON o.address_key % k.key AND address_key_numbers(o.address_key) = k.numbers
WHERE address_key_tokens(o.address_key) <> k.tokens
"""
# Of an address's candidates (by its words), the best kind only: buildings with the same
# words, else parcels with the same words, else buildings alike, else parcels alike
_MATCHES = """
CREATE TEMP TABLE place_matches ON COMMIT DROP AS
SELECT address, building_id, parcel_id, confidence FROM (
    SELECT c.*, min(rank) OVER (PARTITION BY tokens) AS best
    FROM (SELECT c.*, CASE WHEN exact THEN 0 ELSE 2 END + CASE WHEN building_id IS NULL THEN 1 ELSE 0 END AS rank
          FROM place_candidates c) c
) ranked WHERE rank = best
"""
_ADDRESS_LINKS = """
INSERT INTO procurement_objects (procurement_id, building_id, parcel_id, method, confidence, matched)
SELECT DISTINCT ON (pl.id, m.building_id, m.parcel_id) pl.id, m.building_id, m.parcel_id, 'address',
       m.confidence, pl.address
FROM procurement_places pl JOIN place_matches m USING (address)
ORDER BY pl.id, m.building_id, m.parcel_id, m.confidence DESC, pl.address
ON CONFLICT DO NOTHING
"""


def procurements_to_objects(conn: psycopg.Connection, *, changed: str, staged: str) -> dict[str, int]:
    """(Re)link the procurements ``changed`` (SQL giving their ids), with the numbers found in
    their texts (``staged``: SQL giving id, method, value, cadastral_key), and the contracts
    whose notice changed (its places). Manual links stay."""
    conn.execute(f"CREATE TEMP TABLE procurement_relink ON COMMIT DROP AS {changed}")
    conn.execute("DELETE FROM procurement_objects WHERE method <> 'manual' "
                 "AND procurement_id IN (SELECT id FROM procurement_relink)")
    conn.execute("""
        WITH notices AS (SELECT purchase_number FROM procurements WHERE kind = 'notice'
                         AND id IN (SELECT id FROM procurement_relink))
        INSERT INTO procurement_relink SELECT c.id FROM procurements c JOIN notices USING (purchase_number)
        WHERE c.kind = 'contract' AND c.id NOT IN (SELECT id FROM procurement_relink)""")
    conn.execute("DELETE FROM procurement_objects WHERE method = 'address' "
                 "AND procurement_id IN (SELECT id FROM procurement_relink)")
    conn.execute(f"""
        INSERT INTO procurement_objects (procurement_id, parcel_id, building_id, cadastral_number,
                                         cadastral_key, method, confidence, matched)
        SELECT DISTINCT ON (s.id, s.cadastral_key) s.id, p.id, b.id, s.value, s.cadastral_key,
               'cadastral_number', 1.0, s.value
        FROM ({staged}) s LEFT JOIN parcels p ON p.cadastral_key = s.cadastral_key
        LEFT JOIN buildings b ON b.cadastral_key = s.cadastral_key
        WHERE s.method = 'cadastral_number' ORDER BY s.id, s.cadastral_key
        ON CONFLICT DO NOTHING""")
    conn.execute(f"""
        INSERT INTO procurement_objects (procurement_id, building_id, method, confidence, matched)
        SELECT DISTINCT s.id, b.id, 'register_id', 1.0, s.value
        FROM ({staged}) s JOIN buildings b ON b.register_id = s.value WHERE s.method = 'register_id'
        ON CONFLICT DO NOTHING""")
    conn.execute(_PLACES)
    conn.execute(_KEYS)
    conn.execute("ANALYZE place_keys")
    conn.execute("CREATE TEMP TABLE place_candidates (address text, tokens text, building_id bigint, "
                 "parcel_id bigint, exact boolean, confidence numeric) ON COMMIT DROP")
    conn.execute("SELECT set_config('pg_trgm.similarity_threshold', %s, true)",
                 [str(ADDRESS_MATCH_THRESHOLD)])
    for step in (_EXACT, _SIMILAR):
        for target, table in (("building_id", "buildings"), ("parcel_id", "parcels")):
            conn.execute(step.format(target=target, table=table))
    conn.execute(_MATCHES)
    conn.execute("ANALYZE place_matches")
    conn.execute(_ADDRESS_LINKS)
    counts = dict(conn.execute("""
        SELECT 'links_by_' || method, count(*) FROM procurement_objects
        WHERE procurement_id IN (SELECT id FROM procurement_relink)
          AND (parcel_id IS NOT NULL OR building_id IS NOT NULL) GROUP BY method""").fetchall())
    counts["numbers_not_yet_imported"], counts["unlinked"] = conn.execute("""
        SELECT (SELECT count(*) FROM procurement_objects WHERE procurement_id IN (SELECT id FROM procurement_relink)
                AND parcel_id IS NULL AND building_id IS NULL),
               (SELECT count(*) FROM procurement_relink r WHERE NOT EXISTS (
                   SELECT 1 FROM procurement_objects o WHERE o.procurement_id = r.id))""").fetchone()
    return counts
