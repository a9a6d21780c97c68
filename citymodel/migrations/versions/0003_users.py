"""API users (officials, admins) with hashed API keys; a prefix index for quarter searches.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("role", sa.Text(), nullable=False),
        sa.Column("api_key_hash", sa.Text(), nullable=False),
        sa.Column("disabled", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"),
                  nullable=False),
        sa.CheckConstraint("role IN ('viewer', 'official', 'admin')", name="users_role"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("name"),
        sa.UniqueConstraint("api_key_hash"),
    )
    op.create_index("parcels_cadastral_key_prefix", "parcels", ["cadastral_key"],
                    postgresql_ops={"cadastral_key": "text_pattern_ops"})


def downgrade() -> None:
    op.drop_index("parcels_cadastral_key_prefix", table_name="parcels")
    op.drop_table("users")
