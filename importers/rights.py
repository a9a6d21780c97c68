"""Property rights and encumbrances, from CSV or JSON, keyed by cadastral number.

Columns (CSV header or JSON keys): cadastral_number*, registration_number*,
type_code*, holder_kind* (individual | legal_entity | public), kind (right |
encumbrance; by default encumbrance for type codes 022…, e.g. lease 022006000000),
type_name, holder_name, holder_inn, share (a fraction such as 1/2), registered_on,
starts_on, ends_on. (* required)

A right attaches to the parcel with that cadastral number, else to the building;
a right whose object is not in the database is rejected. Holder names are personal
data: no message, reject or log line ever repeats them.
"""

from __future__ import annotations

from pathlib import Path

from psycopg import sql
from sqlalchemy.engine import URL

from citymodel import records
from citymodel.records import RIGHT_KINDS
from citymodel.settings import Settings
from importers.core import Context, Counts, Summary, run_import
from importers.fields import Field, choice, day, rule, share
from importers.loading import (
    Duplicates,
    cadastral_numbers,
    keep_good_rows,
    parse_fields,
)
from importers.sources import tables
from importers.staging import Column, Stage

FIELDS = (
    Field("cadastral_number", required=True),
    Field("registration_number", required=True),
    Field("type_code", rule(records.type_code), required=True),
    Field("holder_kind", rule(records.holder_kind), required=True),
    Field("kind", choice(*RIGHT_KINDS)),
    Field("type_name"),
    Field("holder_name"),
    Field("holder_inn", rule(records.inn)),
    Field("share", share),
    Field("registered_on", day),
    Field("starts_on", day),
    Field("ends_on", day),
)
COLUMNS = [f.name for f in FIELDS]
REQUIRED = [f.name for f in FIELDS if f.required]
STAGE = (
    Column("locator", "text"), Column("cadastral_key", "text"),
    Column("registration_number", "text"), Column("kind", "text"), Column("type_code", "text"),
    Column("type_name", "text"), Column("holder_kind", "text"), Column("holder_name", "text"),
    Column("holder_inn", "text"), Column("share_numerator", "int"),
    Column("share_denominator", "int"), Column("registered_on", "date"),
    Column("starts_on", "date"), Column("ends_on", "date"), Column("source", "text"),
)


def import_rights(url: URL, settings: Settings, path: Path, *, max_rejects: int = 0,
                  dry_run: bool = False) -> Summary:
    """Import rights and encumbrances from a CSV or JSON file."""

    def work(ctx: Context) -> Counts:
        ctx.describe(path.suffix[1:].upper())
        stage = Stage(ctx.conn, "stage_rights", STAGE)
        duplicates = Duplicates()
        for batch in tables.read(path, columns=COLUMNS, required=REQUIRED, list_key="rights"):
            f = parse_fields(batch, FIELDS)
            _, keys = cadastral_numbers(batch, f["cadastral_number"], reference=True)
            duplicates.check(batch, f["registration_number"], "registration_number")
            kinds = [records.right_kind(code or "", k)
                     for k, code in zip(f["kind"], f["type_code"], strict=True)]
            shares = [s or (None, None) for s in f["share"]]
            keep = keep_good_rows(batch, ctx.rejects)
            copied = ("registration_number", "type_code", "type_name", "holder_kind", "holder_name",
                      "holder_inn", "registered_on", "starts_on", "ends_on")
            stage.write(
                keep, locator=[batch.locator(i) for i in range(batch.size)], cadastral_key=keys,
                kind=kinds, share_numerator=[s[0] for s in shares],
                share_denominator=[s[1] for s in shares], **{name: f[name] for name in copied},
                source=path.suffix[1:],
            )
            ctx.progress.advance(batch.size)
        ctx.progress.phase("merging")
        parcel = sql.SQL("(SELECT id FROM parcels p WHERE p.cadastral_key = s.cadastral_key)")
        building = sql.SQL(
            "CASE WHEN EXISTS (SELECT 1 FROM parcels p WHERE p.cadastral_key = s.cadastral_key) "
            "THEN NULL ELSE (SELECT id FROM buildings b WHERE b.cadastral_key = s.cadastral_key) END"
        )
        orphans = ctx.conn.execute(
            "SELECT locator, cadastral_key FROM stage_rights s WHERE NOT EXISTS "
            "(SELECT 1 FROM parcels p WHERE p.cadastral_key = s.cadastral_key) AND NOT EXISTS "
            "(SELECT 1 FROM buildings b WHERE b.cadastral_key = s.cadastral_key)"
        ).fetchall()
        for locator, key in orphans:
            ctx.rejects.add(locator, "cadastral_number",
                            f"no parcel or building {key} in the database: import it first")
        return stage.upsert(
            "rights", ["registration_number"], omit=("locator", "cadastral_key"),
            extra={"parcel_id": parcel, "building_id": building,
                   "import_run_id": sql.Literal(ctx.run_id)},
            where=sql.SQL("({}) IS NOT NULL OR ({}) IS NOT NULL").format(parcel, building),
        )

    return run_import(url, kind="rights", source=path, options={}, work=work,
                      max_rejects=max_rejects, dry_run=dry_run)
