"""Terrain: one digital elevation model (a file under the state directory, named here by its
digest), and where each building's ground elevation came from (the file, or the terrain).

Ground elevations already stored came from their files: they are marked ``source``.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

from citymodel.migrations import checks
from citymodel.records import sql_in

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

DATUMS = ("orthometric", "ellipsoidal")  # citymodel.heights.HEIGHT_DATUMS of this revision
SOURCES = ("source", "terrain")  # citymodel.heights.GROUND_SOURCES of this revision
CHECKS = (
    ("buildings", "buildings_ground_source", sql_in("ground_source", SOURCES),
     "one of " + ", ".join(SOURCES)),
    ("buildings", "buildings_ground_known", "(ground_source IS NULL) = (ground_elevation IS NULL)",
     "given exactly when there is a ground elevation"),
)


def upgrade() -> None:
    op.add_column("buildings", sa.Column("ground_source", sa.Text(), nullable=True))
    op.execute("UPDATE buildings SET ground_source = 'source' WHERE ground_elevation IS NOT NULL")
    checks.create(CHECKS)
    op.create_table(
        "terrain",
        sa.Column("id", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        sa.Column("digest", sa.Text(), nullable=False),
        sa.Column("height_datum", sa.Text(), nullable=False),
        sa.Column("west", sa.Float(), nullable=False),
        sa.Column("south", sa.Float(), nullable=False),
        sa.Column("east", sa.Float(), nullable=False),
        sa.Column("north", sa.Float(), nullable=False),
        sa.Column("resolution_m", sa.Float(), nullable=False),
        sa.Column("min_height", sa.Float(), nullable=False),
        sa.Column("max_height", sa.Float(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_crs", sa.Text(), nullable=False),
        sa.Column("import_run_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("id = 1", name="terrain_one"),
        sa.CheckConstraint(sql_in("height_datum", DATUMS), name="terrain_height_datum"),
        sa.CheckConstraint("west < east AND south < north", name="terrain_bounds"),
        sa.ForeignKeyConstraint(["import_run_id"], ["import_runs.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("INSERT INTO data_versions (name) VALUES ('terrain')")
    op.execute("CREATE TRIGGER terrain_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
               "ON terrain FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('terrain')")


def downgrade() -> None:
    op.execute("DELETE FROM data_versions WHERE name = 'terrain'")
    op.drop_table("terrain")
    checks.drop(CHECKS)
    op.drop_column("buildings", "ground_source")
