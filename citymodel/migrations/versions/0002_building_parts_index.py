"""An index of building:parts, so the tiles builder finds them without reading every building.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("buildings_parts_gist", "buildings", ["footprint"], unique=False,
                    postgresql_using="gist", postgresql_where="kind = 'part'")


def downgrade() -> None:
    op.drop_index("buildings_parts_gist", table_name="buildings")
