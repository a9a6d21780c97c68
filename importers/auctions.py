"""Auctions: torgi.gov.ru open-data notices (JSON) and a documented CSV form.

torgi.gov.ru JSON: an exported notice (``exportObject.structuredObject.notice``), a
list of them, or ``{"notices": [...]}``. Each lot's cadastral numbers are taken
from its characteristics and its description.

CSV, one row per lot: notice_number*, lot_number*, status, deal_type (sale |
lease), bidding_type, bidding_form, organizer_name, organizer_inn, published_at,
bidding_starts_at, bidding_ends_at, name, description, address, category,
start_price, price_step, deposit, final_price, currency, result_on,
cadastral_numbers (separated by ';'), source_url. (* required)

Notices are matched by number and lots by notice and lot number. Lots link to
their parcels (or buildings) by cadastral number; a lot whose parcel is not in
the database is kept, with the number, and reported — it links when the parcel
arrives.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from psycopg import sql
from sqlalchemy.engine import URL

from citymodel import records
from citymodel.cadastral import CadastralNumber, numbers_in
from citymodel.errors import InvalidCadastralNumber
from citymodel.settings import Settings
from importers import links
from importers.core import Context, Counts, FileRejected, Summary, run_import
from importers.fields import Field, day, decimal, integer, moment, rule, text
from importers.loading import Batch, Duplicates, keep_good_rows, parse_fields
from importers.sources import tables
from importers.staging import Column, Stage

NOTICE_FIELDS = (
    Field("notice_number", required=True), Field("bidding_type_code"),
    Field("bidding_type_name"), Field("bidding_form"), Field("organizer_name"),
    Field("organizer_inn", rule(records.inn)), Field("published_at", moment), Field("bidding_starts_at", moment),
    Field("bidding_ends_at", moment), Field("review_at", moment), Field("source_url"),
)
LOT_FIELDS = (
    Field("lot_number", integer, required=True), Field("status", rule(records.lot_status)),
    Field("deal_type", rule(records.deal_type)), Field("name"), Field("description"),
    Field("address"), Field("category"), Field("subject_rf"), Field("start_price", decimal),
    Field("price_step", decimal), Field("deposit", decimal), Field("final_price", decimal),
    Field("currency"), Field("result_on", day), Field("lot_source_url"),
)
CSV_COLUMNS = (
    "notice_number", "lot_number", "status", "deal_type", "bidding_type", "bidding_form",
    "organizer_name", "organizer_inn", "published_at", "bidding_starts_at", "bidding_ends_at",
    "name", "description", "address", "category", "start_price", "price_step", "deposit",
    "final_price", "currency", "result_on", "cadastral_numbers", "source_url",
)
NOTICE_STAGE = tuple(Column(f.name, "timestamptz" if f.parse is moment else "text")
                     for f in NOTICE_FIELDS) + (Column("source", "text"),)
LOT_STAGE = (
    Column("notice_number", "text"), Column("lot_number", "int"), Column("status", "text"),
    Column("deal_type", "text"), Column("name", "text"), Column("description", "text"),
    Column("address", "text"), Column("category", "text"), Column("subject_rf", "text"),
    Column("start_price", "numeric"), Column("price_step", "numeric"), Column("deposit", "numeric"),
    Column("final_price", "numeric"), Column("currency", "text"), Column("result_on", "date"),
    Column("source_url", "text"), Column("source", "text"),
)
OBJECT_STAGE = (Column("notice_number", "text"), Column("lot_number", "int"),
                Column("cadastral_number", "text"), Column("cadastral_key", "text"))


def import_auctions(url: URL, settings: Settings, path: Path, *, max_rejects: int = 0,
                    dry_run: bool = False) -> Summary:
    """Import auction notices and lots from torgi.gov.ru JSON or the CSV form."""

    def work(ctx: Context) -> Counts:
        suffix = path.suffix.lower()
        if suffix == ".json":
            records, fmt = _torgi_records(path), "torgi.gov.ru JSON"
        elif suffix == ".csv":
            records, fmt = _csv_records(path), "CSV"
        else:
            raise FileRejected(f"{path}: expected torgi.gov.ru JSON (.json) or the CSV form (.csv)")
        ctx.describe(fmt)
        notices, lots, objects = _stage(ctx, records, fmt)
        ctx.progress.phase("merging")
        counts = notices.upsert("auction_notices", ["notice_number"],
                                extra={"import_run_id": sql.Literal(ctx.run_id)})
        lot_counts = lots.upsert(
            "lots", ["notice_id", "lot_number"], omit=("notice_number",),
            extra={"notice_id": sql.SQL("(SELECT id FROM auction_notices n "
                                        "WHERE n.notice_number = s.notice_number)"),
                   "import_run_id": sql.Literal(ctx.run_id)},
        )
        _sync_objects(ctx)
        links.lots_to_objects(ctx.conn)
        result = Counts(lot_counts.loaded, lot_counts.updated, lot_counts.unchanged)
        result.add(counts, prefix="notices_")
        result.extra.update(_report_unknown(ctx))
        return result

    return run_import(url, kind="auctions", source=path, options={}, work=work,
                      max_rejects=max_rejects, dry_run=dry_run)


def _stage(ctx: Context, records: list[tuple[str, dict, dict, list[str]]], fmt: str):
    """Validate and stage notices, lots and their cadastral numbers."""
    notices = Stage(ctx.conn, "stage_notices", NOTICE_STAGE)
    lots = Stage(ctx.conn, "stage_lots", LOT_STAGE)
    objects = Stage(ctx.conn, "stage_lot_objects", OBJECT_STAGE)
    batch = Batch(
        size=len(records), locator=lambda i: records[i][0],
        columns={**{f.name: [r[1].get(f.name) for r in records] for f in NOTICE_FIELDS},
                 **{f.name: [r[2].get(f.name) for r in records] for f in LOT_FIELDS}},
    )
    n = parse_fields(batch, NOTICE_FIELDS)
    lot = parse_fields(batch, LOT_FIELDS)
    Duplicates().check(batch, list(zip(n["notice_number"], lot["lot_number"], strict=True)),
                       "lot_number")
    numbers = [_cadastral(batch, i, r[3]) for i, r in enumerate(records)]
    keep = keep_good_rows(batch, ctx.rejects)
    first_of_notice, seen = [False] * batch.size, set()
    for i in range(batch.size):
        if keep[i] and n["notice_number"][i] not in seen:
            seen.add(n["notice_number"][i])
            first_of_notice[i] = True
    notices.write(keep & first_of_notice, **{f.name: n[f.name] for f in NOTICE_FIELDS}, source=fmt)
    copied = ("lot_number", "status", "deal_type", "name", "description", "address", "category",
              "subject_rf", "start_price", "price_step", "deposit", "final_price", "result_on")
    lots.write(
        keep, **{name: lot[name] for name in copied},
        notice_number=n["notice_number"], currency=[c or "RUB" for c in lot["currency"]],
        source_url=[a or b for a, b in zip(lot["lot_source_url"], n["source_url"], strict=True)],
        source=fmt,
    )
    linked = [(i, number) for i in range(batch.size) if keep[i] for number in numbers[i]]
    objects.write(notice_number=[n["notice_number"][i] for i, _ in linked],
                  lot_number=[lot["lot_number"][i] for i, _ in linked],
                  cadastral_number=[str(number) for _, number in linked],
                  cadastral_key=[number.key for _, number in linked])
    ctx.progress.advance(batch.size)
    return notices, lots, objects


def _cadastral(batch: Batch, i: int, raw: list[str]) -> list[CadastralNumber]:
    found, keys = [], set()
    for value in raw:
        try:
            number = CadastralNumber.parse(value)
        except InvalidCadastralNumber as exc:
            batch.problem(i, "cadastral_numbers", f"{exc.reason} (got {value!r})")
            continue
        if number.key not in keys:
            keys.add(number.key)
            found.append(number)
    return found


def _sync_objects(ctx: Context) -> None:
    """The lots of the file refer to exactly the numbers the file gives them."""
    ctx.conn.execute(
        "DELETE FROM lot_objects o USING lots l, auction_notices n, stage_lots sl "
        "WHERE o.lot_id = l.id AND l.notice_id = n.id AND sl.notice_number = n.notice_number "
        "AND sl.lot_number = l.lot_number AND NOT EXISTS (SELECT 1 FROM stage_lot_objects so "
        "WHERE so.notice_number = n.notice_number AND so.lot_number = l.lot_number "
        "AND so.cadastral_key = o.cadastral_key)"
    )
    ctx.conn.execute(
        "INSERT INTO lot_objects (lot_id, cadastral_number, cadastral_key) "
        "SELECT l.id, so.cadastral_number, so.cadastral_key FROM stage_lot_objects so "
        "JOIN auction_notices n ON n.notice_number = so.notice_number "
        "JOIN lots l ON l.notice_id = n.id AND l.lot_number = so.lot_number "
        "ON CONFLICT (lot_id, cadastral_key) DO NOTHING"
    )


def _report_unknown(ctx: Context) -> dict[str, int]:
    unknown, without = ctx.conn.execute(
        "SELECT count(DISTINCT l.id) FILTER (WHERE o.id IS NOT NULL AND o.parcel_id IS NULL "
        "  AND o.building_id IS NULL), "
        "count(DISTINCT l.id) FILTER (WHERE o.id IS NULL) "
        "FROM stage_lots sl JOIN auction_notices n ON n.notice_number = sl.notice_number "
        "JOIN lots l ON l.notice_id = n.id AND l.lot_number = sl.lot_number "
        "LEFT JOIN lot_objects o ON o.lot_id = l.id"
    ).fetchone()
    return {"lots_with_unknown_parcels": unknown, "lots_without_cadastral_number": without}


# -- torgi.gov.ru JSON -------------------------------------------------------------


def _torgi_records(path: Path) -> list[tuple[str, dict, dict, list[str]]]:
    data = tables.load_json(path)
    if isinstance(data, dict) and isinstance(data.get("notices"), list):
        data = data["notices"]
    exports = data if isinstance(data, list) else [data]
    records = []
    for n, export in enumerate(exports, start=1):
        notice = _dig(export, "exportObject", "structuredObject", "notice")
        if not isinstance(notice, dict):
            raise FileRejected(f"{path}: notice {n} has no exportObject.structuredObject.notice: "
                               "not a torgi.gov.ru notice export")
        common = notice.get("commonInfo") or {}
        conditions = notice.get("biddConditions") or {}
        notice_record = {
            "notice_number": common.get("noticeNumber"),
            "bidding_type_code": _code(common.get("biddType")),
            "bidding_type_name": _name(common.get("biddType")),
            "bidding_form": _name(common.get("biddForm")),
            "organizer_name": _dig(notice, "bidderOrg", "orgInfo", "name")
            or _dig(notice, "bidderOrg", "orgInfo", "fullName"),
            "organizer_inn": _dig(notice, "bidderOrg", "orgInfo", "INN"),
            "published_at": common.get("publishDate"),
            "bidding_starts_at": conditions.get("biddStartTime"),
            "bidding_ends_at": conditions.get("biddEndTime"),
            "review_at": conditions.get("biddReviewDate"),
            "source_url": common.get("href"),
        }
        for lot in notice.get("lots") or []:
            info = lot.get("biddingObjectInfo") or {}
            characteristics = info.get("characteristics") or []
            texts = [str(c.get("characteristicValue") or "") for c in characteristics]
            texts.append(str(lot.get("lotDescription") or ""))
            description = " ".join(filter(None, (lot.get("lotName"), lot.get("lotDescription"))))
            lot_record = {
                "lot_number": lot.get("lotNumber"),
                "status": lot.get("lotStatus"),
                "deal_type": _deal_type(description) or _deal_type(_name(common.get("biddType")) or ""),
                "name": lot.get("lotName"),
                "description": lot.get("lotDescription"),
                "address": info.get("estateAddress"),
                "category": _name(info.get("category")),
                "subject_rf": _name(info.get("subjectRF")),
                "start_price": lot.get("priceMin"),
                "price_step": lot.get("priceStep"),
                "deposit": lot.get("deposit"),
                "final_price": lot.get("priceFin") or lot.get("finalPrice"),
                "currency": _code(lot.get("currency")),
                "result_on": lot.get("resultDate"),
            }
            where = f"notice {notice_record['notice_number'] or n}, lot {lot.get('lotNumber')}"
            records.append((where, notice_record, lot_record, _numbers_in(texts)))
    if not records:
        raise FileRejected(f"{path}: holds no lots")
    return records


def _csv_records(path: Path) -> list[tuple[str, dict, dict, list[str]]]:
    records = []
    for batch in tables.read(path, columns=CSV_COLUMNS, required=("notice_number", "lot_number")):
        for i in range(batch.size):
            row = {name: values[i] for name, values in batch.columns.items()}
            notice = {f.name: row.get(f.name) for f in NOTICE_FIELDS}
            notice["bidding_type_name"] = row.get("bidding_type")
            lot = {f.name: row.get(f.name) for f in LOT_FIELDS}
            numbers = [v for v in re.split(r"[;,\s]+", row.get("cadastral_numbers") or "") if v]
            records.append((batch.locator(i), notice, lot, numbers))
    return records


def _numbers_in(texts: list[str]) -> list[str]:
    return numbers_in(*texts)


def _deal_type(text_: str) -> str | None:
    """Sale or lease, when the text says one and not both ("аренда и продажа")."""
    lowered = text_.lower()
    lease = "аренд" in lowered
    sale = any(word in lowered for word in ("продаж", "приватиз", "купли", "собственност"))
    if lease != sale:
        return "lease" if lease else "sale"
    return None


def _dig(value: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def _code(value: Any) -> str | None:
    return text(value.get("code")) if isinstance(value, dict) else text(value)


def _name(value: Any) -> str | None:
    return text(value.get("name")) if isinstance(value, dict) else text(value)
