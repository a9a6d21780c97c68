"""Streets: the walkable network of OpenStreetMap, for walking distances to services.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import context, op
from geoalchemy2 import Geometry

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "streets",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("osm_id", sa.BigInteger(), nullable=False),
        sa.Column("highway", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("geom", Geometry("LINESTRING", srid=context.config.attributes["storage_srid"],
                                   spatial_index=False), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("import_run_id", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["import_run_id"], ["import_runs.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("osm_id"),
    )
    op.create_index("streets_geom_gist", "streets", ["geom"], unique=False, postgresql_using="gist")
    op.execute("INSERT INTO data_versions (name) VALUES ('streets')")
    op.execute("CREATE TRIGGER streets_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
               "ON streets FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('streets')")


def downgrade() -> None:
    op.execute("DELETE FROM data_versions WHERE name = 'streets'")
    op.drop_table("streets")
