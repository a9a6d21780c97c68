"""A data version for rights and encumbrances, so an open parcel card follows them too.

Same statement-level trigger as 0004's: any writer's change to ``rights`` bumps the
``rights`` counter in its own transaction.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("INSERT INTO data_versions (name) VALUES ('rights')")
    op.execute("CREATE TRIGGER rights_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
               "ON rights FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('rights')")


def downgrade() -> None:
    op.execute("DROP TRIGGER rights_data_version ON rights")
    op.execute("DELETE FROM data_versions WHERE name = 'rights'")
