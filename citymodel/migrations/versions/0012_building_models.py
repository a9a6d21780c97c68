"""Modelled buildings: the real surfaces of buildings imported from CityJSON or CityGML
(``model``, one polygon per surface with absolute heights, and each surface's type in
``model_surfaces``), their level of detail, the building a part belongs to, and the
source's own attributes; ``height_source`` gains ``model`` (the model's extent).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import context, op
from geoalchemy2 import Geometry
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from citymodel.records import sql_in

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# the lists of this revision (citymodel.models.HEIGHT_SOURCES, citymodel.surfaces)
HEIGHT_SOURCES = ("measured", "levels", "default", "model")
OLD_HEIGHT_SOURCES = ("measured", "levels", "default")
SEMANTICS = ("source", "orientation")
SURFACE_TYPES = ("RoofSurface", "WallSurface", "GroundSurface", "ClosureSurface",
                 "OuterCeilingSurface", "OuterFloorSurface", "Window", "Door")
MODEL_COMPLETE = (
    "(model IS NULL AND model_surfaces IS NULL AND model_semantics IS NULL AND model_lod IS NULL)"
    " OR (model IS NOT NULL AND model_semantics IS NOT NULL AND model_lod IS NOT NULL"
    " AND cardinality(model_surfaces) = ST_NumGeometries(model))"
)


def upgrade() -> None:
    srid = context.config.attributes["storage_srid"]
    op.add_column("buildings", sa.Column(
        "model", Geometry("MULTIPOLYGONZ", srid=srid, dimension=3, spatial_index=False), nullable=True))
    op.add_column("buildings", sa.Column("model_surfaces", ARRAY(sa.Text()), nullable=True))
    op.add_column("buildings", sa.Column("model_semantics", sa.Text(), nullable=True))
    op.add_column("buildings", sa.Column("model_lod", sa.Text(), nullable=True))
    op.add_column("buildings", sa.Column("part_of", sa.Text(), nullable=True))
    op.add_column("buildings", sa.Column("attributes", JSONB(), nullable=True))
    op.create_index("buildings_part_of", "buildings", ["part_of"], unique=False,
                    postgresql_where=sa.text("part_of IS NOT NULL"))
    op.create_check_constraint("buildings_model_complete", "buildings", MODEL_COMPLETE)
    op.create_check_constraint("buildings_model_semantics", "buildings", sql_in("model_semantics", SEMANTICS))
    types = ", ".join(f"'{t}'" for t in SURFACE_TYPES)
    op.create_check_constraint("buildings_model_surfaces", "buildings",
                               f"model_surfaces <@ ARRAY[{types}]::text[]")
    op.drop_constraint("buildings_height_source", "buildings", type_="check")
    op.create_check_constraint("buildings_height_source", "buildings", sql_in("height_source", HEIGHT_SOURCES))


def downgrade() -> None:
    op.execute("UPDATE buildings SET height_source = 'measured' WHERE height_source = 'model'")
    op.drop_constraint("buildings_height_source", "buildings", type_="check")
    op.create_check_constraint("buildings_height_source", "buildings",
                               sql_in("height_source", OLD_HEIGHT_SOURCES))
    for name in ("buildings_model_surfaces", "buildings_model_semantics", "buildings_model_complete"):
        op.drop_constraint(name, "buildings", type_="check")
    op.drop_index("buildings_part_of", table_name="buildings")
    for column in ("attributes", "part_of", "model_lod", "model_semantics", "model_surfaces", "model"):
        op.drop_column("buildings", column)
