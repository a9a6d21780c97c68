"""The rules of records as constraints, and each parcel's newest lot as a view.

- ``lots.status`` one of the register's statuses (``citymodel.records.LOT_STATUSES``),
  upper case; ``rights.holder_inn`` and ``auction_notices.organizer_inn`` 10 or 12
  digits; ``rights.type_code`` 12 digits. Values already stored that break a rule stop
  the migration with a message saying which and how many — nothing is changed or guessed.
- ``parcel_latest_lot(parcel_id)``: the newest lot on a parcel (by the notice's
  publication, then the lot's id), the one place this is defined — an SQL function the
  planner inlines, so a page of parcels looks up its own lots by index; and the view
  ``parcel_latest_lots`` of every parcel's, through it (the tiles builder reads that).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from alembic import op
from sqlalchemy import text

from citymodel.migrations import checks
from citymodel.records import INN_PATTERN, LOT_STATUSES, TYPE_CODE_PATTERN, sql_in

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

LATEST_LOT_FUNCTION = """
CREATE FUNCTION parcel_latest_lot(parcel bigint)
RETURNS TABLE (lot_id bigint, status text, published_at timestamptz)
LANGUAGE sql STABLE AS $$
    SELECT l.id, l.status, n.published_at
    FROM lot_objects o JOIN lots l ON l.id = o.lot_id JOIN auction_notices n ON n.id = l.notice_id
    WHERE o.parcel_id = parcel
    ORDER BY n.published_at DESC NULLS LAST, l.id DESC
    LIMIT 1
$$
"""
LATEST_LOTS_VIEW = """
CREATE VIEW parcel_latest_lots AS
SELECT o.parcel_id, latest.lot_id, latest.status, latest.published_at
FROM (SELECT DISTINCT parcel_id FROM lot_objects WHERE parcel_id IS NOT NULL) o,
     LATERAL parcel_latest_lot(o.parcel_id) latest
"""
CHECKS = (  # table, constraint, condition, what a value must be
    ("lots", "lots_status", sql_in("status", LOT_STATUSES), "one of " + ", ".join(LOT_STATUSES)),
    ("rights", "rights_holder_inn", f"holder_inn ~ '{INN_PATTERN}'", "10 or 12 digits"),
    ("rights", "rights_type_code", f"type_code ~ '{TYPE_CODE_PATTERN}'", "12 digits"),
    ("auction_notices", "auction_notices_organizer_inn", f"organizer_inn ~ '{INN_PATTERN}'",
     "10 or 12 digits"),
)


def upgrade() -> None:
    op.get_bind().execute(text("UPDATE lots SET status = upper(btrim(status)) "
                               "WHERE status IS DISTINCT FROM upper(btrim(status))"))
    checks.create(CHECKS)
    op.execute(LATEST_LOT_FUNCTION)
    op.execute(LATEST_LOTS_VIEW)


def downgrade() -> None:
    op.execute("DROP VIEW parcel_latest_lots")
    op.execute("DROP FUNCTION parcel_latest_lot(bigint)")
    checks.drop(CHECKS)
