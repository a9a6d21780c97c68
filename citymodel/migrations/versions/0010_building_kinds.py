"""``buildings.kind`` one of ``citymodel.models.BUILDING_KINDS`` (building, construction, part),
as a CHECK; stored values that break it stop the migration, saying how many.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from citymodel.migrations import checks
from citymodel.records import sql_in

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

KINDS = ("building", "construction", "part")  # the kinds of this revision (models.BUILDING_KINDS)
CHECKS = (("buildings", "buildings_kind", sql_in("kind", KINDS), "one of " + ", ".join(KINDS)),)


def upgrade() -> None:
    checks.create(CHECKS)


def downgrade() -> None:
    checks.drop(CHECKS)
