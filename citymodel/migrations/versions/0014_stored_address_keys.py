"""Addresses of parcels and buildings normalized once, when they are written: the stored
columns ``address_key`` (= ``address_key(address)``) and ``address_tokens``
(= ``address_tokens(address)``), indexed as the expressions were (trigrams, equality). A join
of many addresses against them (linking procurement) reads them instead of normalizing every
parcel's and building's address again for each run.

The functions gain their parts that work on a key already made — ``address_key_tokens(key)``
and ``address_key_numbers(key)`` — and ``address_tokens``/``address_numbers`` become those of
``address_key``: the same results, each rule written once.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

KEY_TOKENS = """
CREATE FUNCTION address_key_tokens(key text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
    SELECT string_agg(t, ' ' ORDER BY t) FROM unnest(string_to_array(key, ' ')) AS t WHERE t <> 'д'
$$
"""
KEY_NUMBERS = """
CREATE FUNCTION address_key_numbers(key text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
    SELECT coalesce(array_agg(m[1] ORDER BY m[1]), '{}') FROM regexp_matches(key, '(\\d+)', 'g') AS m
$$
"""
TOKENS = """
CREATE OR REPLACE FUNCTION address_tokens(address text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT SET search_path FROM CURRENT AS $$
    SELECT address_key_tokens(address_key(address))
$$
"""
NUMBERS = """
CREATE OR REPLACE FUNCTION address_numbers(address text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT SET search_path FROM CURRENT AS $$
    SELECT address_key_numbers(address_key(address))
$$
"""
OLD_TOKENS = """
CREATE OR REPLACE FUNCTION address_tokens(address text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT SET search_path FROM CURRENT AS $$
    SELECT string_agg(t, ' ' ORDER BY t) FROM unnest(string_to_array(address_key(address), ' ')) AS t
    WHERE t <> 'д'
$$
"""
OLD_NUMBERS = """
CREATE OR REPLACE FUNCTION address_numbers(address text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT SET search_path FROM CURRENT AS $$
    SELECT coalesce(array_agg(m[1] ORDER BY m[1]), '{}')
    FROM regexp_matches(address_key(address), '(\\d+)', 'g') AS m
$$
"""
TABLES = ("parcels", "buildings")


def upgrade() -> None:
    op.execute(KEY_TOKENS)
    op.execute(KEY_NUMBERS)
    op.execute(TOKENS)
    op.execute(NUMBERS)
    for table in TABLES:
        op.execute(f"DROP INDEX {table}_address_key_trgm")
        op.execute(f"DROP INDEX {table}_address_tokens")
        op.add_column(table, sa.Column("address_key", sa.Text(), sa.Computed("address_key(address)", persisted=True)))
        op.add_column(table, sa.Column("address_tokens", sa.Text(),
                                       sa.Computed("address_tokens(address)", persisted=True)))
        op.execute(f"CREATE INDEX {table}_address_key_trgm ON {table} USING gin (address_key gin_trgm_ops)")
        op.create_index(f"{table}_address_tokens", table, ["address_tokens"])


def downgrade() -> None:
    for table in TABLES:
        op.drop_index(f"{table}_address_tokens", table)
        op.drop_index(f"{table}_address_key_trgm", table)
        op.drop_column(table, "address_tokens")
        op.drop_column(table, "address_key")
        op.execute(f"CREATE INDEX {table}_address_key_trgm ON {table} "
                   f"USING gin (address_key(address) gin_trgm_ops)")
        op.execute(f"CREATE INDEX {table}_address_tokens ON {table} (address_tokens(address))")
    op.execute(OLD_TOKENS)
    op.execute(OLD_NUMBERS)
    op.execute("DROP FUNCTION address_key_numbers(text)")
    op.execute("DROP FUNCTION address_key_tokens(text)")
