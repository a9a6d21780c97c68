"""Data versions: counters that change whenever parcels, buildings or auctions change.

Statement-level triggers bump the counter of what a statement touched, in the same
transaction, so a cache keyed by these versions (the API's vector tiles) is never
stale after a commit, whichever program wrote: an importer, the API, or psql.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

WATCHED = {"parcels": "parcels", "buildings": "buildings", "lots": "auctions",
           "lot_objects": "auctions", "auction_notices": "auctions"}


def upgrade() -> None:
    op.execute("CREATE TABLE data_versions (name text PRIMARY KEY, version bigint NOT NULL DEFAULT 1)")
    op.execute("INSERT INTO data_versions (name) VALUES ('parcels'), ('buildings'), ('auctions')")
    op.execute("""
        CREATE FUNCTION bump_data_version() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            UPDATE data_versions SET version = version + 1 WHERE name = TG_ARGV[0];
            RETURN NULL;
        END $$""")
    for table, name in WATCHED.items():
        op.execute(f"CREATE TRIGGER {table}_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                   f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('{name}')")


def downgrade() -> None:
    for table in WATCHED:
        op.execute(f"DROP TRIGGER {table}_data_version ON {table}")
    op.execute("DROP FUNCTION bump_data_version()")
    op.execute("DROP TABLE data_versions")
