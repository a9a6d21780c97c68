"""Development scenarios: proposed buildings and demolitions, their last check; planners.

- ``scenarios``: a planner's proposal (name, description, owner, published or not) and its
  last report with the data versions it was checked against;
- ``scenario_buildings``: proposed footprints with height (and the base of a part over a
  podium), floors, use, residential share, floor area as given — the limits the API checks
  are checked here too;
- ``scenario_demolitions``: existing buildings the scenario removes;
- the ``planner`` role; a ``scenarios`` data version bumped by any change to the three.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

import sqlalchemy as sa
from alembic import context, op
from geoalchemy2 import Geometry
from sqlalchemy.dialects import postgresql

from citymodel.planning import MAX_PROPOSAL_HEIGHT_M, PROPOSAL_USES

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ROLES_BEFORE = ("viewer", "official", "admin")
ROLES = ("viewer", "planner", "official", "admin")
TABLES = ("scenarios", "scenario_buildings", "scenario_demolitions")


def _in(column: str, values) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def upgrade() -> None:
    op.drop_constraint("users_role", "users", type_="check")
    op.create_check_constraint("users_role", "users", _in("role", ROLES))
    op.create_table(
        "scenarios",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("owner", sa.Text(), nullable=False),
        sa.Column("published", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_versions", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("report", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        *_timestamps(),
        sa.CheckConstraint("length(name) BETWEEN 1 AND 200", name="scenarios_name"),
        sa.ForeignKeyConstraint(["owner"], ["users.name"], onupdate="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_scenarios_owner", "scenarios", ["owner"])
    op.create_table(
        "scenario_buildings",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("scenario_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("footprint", Geometry("MULTIPOLYGON", srid=context.config.attributes["storage_srid"],
                                        spatial_index=False), nullable=False),
        sa.Column("height", sa.Float(), nullable=False),
        sa.Column("min_height", sa.Float(), server_default="0", nullable=False),
        sa.Column("floors", sa.SmallInteger(), nullable=True),
        sa.Column("use", sa.Text(), nullable=False),
        sa.Column("residential_share", sa.Float(), nullable=True),
        sa.Column("floor_area", sa.Float(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(f"height > 0 AND height <= {MAX_PROPOSAL_HEIGHT_M:g} AND min_height >= 0 "
                           "AND min_height < height", name="scenario_buildings_heights"),
        sa.CheckConstraint("floors BETWEEN 1 AND 300", name="scenario_buildings_floors"),
        sa.CheckConstraint(_in("use", tuple(PROPOSAL_USES)), name="scenario_buildings_use"),
        sa.CheckConstraint("residential_share BETWEEN 0 AND 1", name="scenario_buildings_residential_share"),
        sa.CheckConstraint("floor_area > 0", name="scenario_buildings_floor_area"),
        sa.ForeignKeyConstraint(["scenario_id"], ["scenarios.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_scenario_buildings_scenario_id", "scenario_buildings", ["scenario_id"])
    op.create_index("scenario_buildings_footprint_gist", "scenario_buildings", ["footprint"],
                    postgresql_using="gist")
    op.create_table(
        "scenario_demolitions",
        sa.Column("scenario_id", sa.BigInteger(), nullable=False),
        sa.Column("building_id", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(["scenario_id"], ["scenarios.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["building_id"], ["buildings.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("scenario_id", "building_id"),
    )
    op.execute("INSERT INTO data_versions (name) VALUES ('scenarios')")
    for table in TABLES:
        op.execute(f"CREATE TRIGGER {table}_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                   f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('scenarios')")


def downgrade() -> None:
    op.execute("DELETE FROM data_versions WHERE name = 'scenarios'")
    for table in reversed(TABLES):
        op.drop_table(table)
    op.execute("UPDATE users SET role = 'viewer' WHERE role = 'planner'")
    op.drop_constraint("users_role", "users", type_="check")
    op.create_check_constraint("users_role", "users", _in("role", ROLES_BEFORE))
