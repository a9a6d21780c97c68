"""The audit log: every change made through the API, with who, when, before and after.

Changes are stored field by field as ``[before, after]``. Personal data (holders'
names and INNs) is not copied into the log: such a field shows only that it changed.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from psycopg.types.json import Jsonb

PERSONAL = {"holder_name", "holder_inn"}
HIDDEN = "(personal data)"


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def changes(before: dict | None, after: dict | None) -> dict:
    before, after = before or {}, after or {}
    result = {}
    for field in sorted(set(before) | set(after)):
        old, new = _plain(before.get(field)), _plain(after.get(field))
        if old == new:
            continue
        if field in PERSONAL:
            old = HIDDEN if old is not None else None
            new = HIDDEN if new is not None else None
        result[field] = [old, new]
    return result


async def record(conn, actor: str, action: str, entity: str, entity_id: int,
                 before: dict | None, after: dict | None) -> None:
    await conn.execute(
        "INSERT INTO audit_log (actor, action, entity, entity_id, changes) VALUES (%s, %s, %s, %s, %s)",
        [actor, action, entity, entity_id, Jsonb(changes(before, after))])
