"""Planning zones, city-service points, and the lines and points of register objects.

- ``zones``: territorial zones with their parameters, zones with special conditions of
  use (ЗОУИТ, also from Rosreestr's KPT ``Zones/Zone``) and heritage protection zones;
- ``services``: schools, clinics, museums, sports grounds … as points;
- ``buildings.lines`` and ``buildings.points``: what a Rosreestr construction's
  ``EntitySpatial`` gives besides closed rings — open polylines (pipes, cables, roads)
  and single points — kept as the file gives them;
- data versions for zones and services, bumped by the same statement-level trigger.

The kinds and categories are those of ``citymodel.planning``.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import context, op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

from citymodel.planning import CAPACITY_UNITS, SERVICE_CATEGORIES, ZONE_KINDS

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _geometry(kind: str) -> Geometry:
    return Geometry(kind, srid=context.config.attributes["storage_srid"], spatial_index=False)


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "zones",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("zone_key", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("zone_code", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("restrictions", sa.Text(), nullable=True),
        sa.Column("registry_number", sa.Text(), nullable=True),
        sa.Column("max_height_m", sa.Float(), nullable=True),
        sa.Column("max_floors", sa.SmallInteger(), nullable=True),
        sa.Column("max_coverage_pct", sa.Float(), nullable=True),
        sa.Column("max_density", sa.Float(), nullable=True),
        sa.Column("min_setback_m", sa.Float(), nullable=True),
        sa.Column("limits_text", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("permitted_uses", postgresql.ARRAY(sa.Text()), nullable=True),
        sa.Column("documents", postgresql.JSONB(astext_type=sa.Text()), server_default="[]", nullable=False),
        sa.Column("geom", _geometry("MULTIPOLYGON"), nullable=True),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("import_run_id", sa.BigInteger(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(_in("kind", ZONE_KINDS), name="zones_kind"),
        sa.CheckConstraint(
            "max_height_m >= 0 AND max_floors >= 0 AND max_coverage_pct BETWEEN 0 AND 100 "
            "AND max_density >= 0 AND min_setback_m >= 0", name="zones_limits"),
        sa.ForeignKeyConstraint(["import_run_id"], ["import_runs.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("zone_key"),
    )
    op.create_index("zones_geom_gist", "zones", ["geom"], unique=False, postgresql_using="gist")
    op.create_table(
        "services",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("external_id", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("address", sa.Text(), nullable=True),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("capacity_unit", sa.Text(), nullable=True),
        sa.Column("opening_hours", sa.Text(), nullable=True),
        sa.Column("geom", _geometry("POINT"), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("import_run_id", sa.BigInteger(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(_in("category", SERVICE_CATEGORIES), name="services_category"),
        sa.CheckConstraint(_in("capacity_unit", CAPACITY_UNITS), name="services_capacity_unit"),
        sa.CheckConstraint("capacity >= 0", name="services_capacity"),
        sa.ForeignKeyConstraint(["import_run_id"], ["import_runs.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("external_id"),
    )
    op.create_index("services_geom_gist", "services", ["geom"], unique=False, postgresql_using="gist")
    op.create_index("services_name_trgm", "services", ["name"], unique=False, postgresql_using="gin",
                    postgresql_ops={"name": "gin_trgm_ops"})
    op.add_column("buildings", sa.Column("lines", _geometry("MULTILINESTRING"), nullable=True))
    op.add_column("buildings", sa.Column("points", _geometry("MULTIPOINT"), nullable=True))
    op.create_index("buildings_lines_gist", "buildings", ["lines"], unique=False, postgresql_using="gist")
    op.create_index("buildings_points_gist", "buildings", ["points"], unique=False, postgresql_using="gist")
    op.execute("INSERT INTO data_versions (name) VALUES ('zones'), ('services')")
    for table in ("zones", "services"):
        op.execute(f"CREATE TRIGGER {table}_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                   f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('{table}')")


def downgrade() -> None:
    op.execute("DELETE FROM data_versions WHERE name IN ('zones', 'services')")
    op.drop_index("buildings_points_gist", table_name="buildings")
    op.drop_index("buildings_lines_gist", table_name="buildings")
    op.drop_column("buildings", "points")
    op.drop_column("buildings", "lines")
    op.drop_table("services")
    op.drop_table("zones")
