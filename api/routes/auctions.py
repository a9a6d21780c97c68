"""Auction lots: a filtered list (GeoJSON or CSV export) and one lot with its parcels."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import Response

from api import audit
from api.auth import Caller, require
from api.collections import LOTS
from api.crs import CRS84
from api.db import fetch_dict
from api.errors import NotFound
from api.features import (
    FeatureQuery,
    Page,
    SortKey,
    feature_collection,
    parse_bbox,
)
from api.records import NOTICE_NUMBER, LotIn, ResultIn
from api.responses import GEOJSON, JSON, link
from citymodel.cadastral import lookup_key

router = APIRouter(tags=["Auctions"])
CSV = "text/csv; charset=utf-8"


@router.get("/auctions", summary="Auction lots, filtered; GeoJSON or CSV",
            response_class=Response, responses={200: {"content": {GEOJSON: {}, "text/csv": {}}}})
async def auctions(
    request: Request,
    status: str | None = Query(None, description="Comma-separated statuses, e.g. PUBLISHED,COMPLETED",
                               max_length=500),
    bidding_type: str | None = Query(None, max_length=200,
                                     description="Bidding type code or name"),
    deal_type: str | None = Query(None, pattern="^(sale|lease)$"),
    published_from: date | None = Query(None), published_to: date | None = Query(None),
    price_min: float | None = Query(None, ge=0, le=1e15), price_max: float | None = Query(None, ge=0, le=1e15),
    bbox: str | None = Query(None, description="west,south,east,north in CRS84"),
    limit: int = Query(100, ge=1, le=10_000), offset: int = Query(0, ge=0, le=10_000_000),
    f: str = Query("geojson", pattern="^(geojson|json|csv)$"),
):
    state = request.app.state
    crs84 = state.crss[CRS84]
    newest_first = [SortKey(LOTS.property("published_at"), descending=True, nulls_last=True),
                    SortKey(None, descending=True)]
    query = FeatureQuery(LOTS, state.db.storage_srid, crs84, LOTS.properties, newest_first)
    where = query.where
    if status:
        where.add("l.status = ANY(%s)", [s.strip().upper() for s in status.split(",") if s.strip()])
    if bidding_type:
        where.add("(n.bidding_type_code = %s OR n.bidding_type_name ILIKE %s)", bidding_type,
                  bidding_type.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_"))
    if deal_type:
        where.add("l.deal_type = %s", deal_type)
    if published_from:
        where.add("n.published_at >= %s::date", published_from)
    if published_to:
        where.add("n.published_at < %s::date + 1", published_to)
    if price_min is not None:
        where.add("l.start_price >= %s", price_min)
    if price_max is not None:
        where.add("l.start_price <= %s", price_max)
    box = parse_bbox(bbox, crs84)
    if box is not None:
        query.within(box, crs84)
    found = Page.read(await state.db.one(*query.page(limit, offset)), limit)
    if f == "csv":
        out = io.StringIO()
        names = [p.name for p in LOTS.properties]
        writer = csv.writer(out)
        writer.writerow(["id", *names])
        for parsed in found.features:
            props = parsed["properties"]
            writer.writerow([parsed["id"], *(";".join(v) if isinstance(v, list) else ("" if v is None else v)
                                     for v in (props[n] for n in names))])
        return Response(out.getvalue().encode(), media_type=CSV,
                        headers={"Content-Disposition": 'attachment; filename="lots.csv"'})
    links = [link(str(request.url), "self", GEOJSON, "These lots"),
             link(str(request.url.include_query_params(f="csv")), "alternate", "text/csv", "As CSV")]
    if found.more:
        links.append(link(str(request.url.include_query_params(offset=offset + limit)), "next",
                          GEOJSON, "More lots"))
    return Response(feature_collection(found, links), media_type=GEOJSON)


@router.get("/auctions/{notice}/{lot}", summary="One lot of a notice, with its parcels")
async def get_lot(request: Request, notice: str, lot: int):
    state = request.app.state
    query = FeatureQuery(LOTS, state.db.storage_srid, state.crss[CRS84], LOTS.properties, [])
    row = await state.db.one(query.one("n.notice_number = %s AND l.lot_number = %s"), [notice, lot])
    if row is None:
        raise NotFound(f"no lot {lot} in notice {notice!r}")
    base = str(request.base_url).rstrip("/")
    feature = json.loads(row[0])
    properties = feature["properties"]
    links = [link(f"{base}/auctions/{notice}/{lot}", "self", JSON, f"Lot {lot} of {notice}")]
    links += [link(f"{base}/parcels/{number}", "related", JSON, f"Parcel {number}")
              for number in properties.get("parcels") or []]
    if properties.get("source_url"):
        links.append(link(properties["source_url"], "via", "text/html", "The source notice"))
    return Response(json.dumps(feature | {"links": links}, ensure_ascii=False,
                               separators=(",", ":")).encode(), media_type=GEOJSON)


# --- officials keep lots and results ----------------------------------------------------------

NOTICE_COLUMNS = ("bidding_type_code", "bidding_type_name", "bidding_form", "organizer_name",
                  "organizer_inn", "published_at", "bidding_starts_at", "bidding_ends_at",
                  "review_at", "source_url")
LOT_COLUMNS = ("status", "deal_type", "name", "description", "address", "category", "start_price",
               "price_step", "deposit", "final_price", "currency", "result_on", "source_url")


@router.put("/auctions/{notice}/{lot}", summary="Create or replace a lot (officials)",
            status_code=200, responses={201: {"description": "Created"}})
async def put_lot(request: Request, body: LotIn,
                  notice: str = PathParam(pattern=NOTICE_NUMBER.pattern),
                  lot: int = PathParam(ge=1, le=1_000_000),
                  who: Caller = Depends(require("official"))):
    """One transaction: the notice (created when new), the lot and its parcels, and an
    audit-log row for each record that changed. Two officials putting lots of the same new
    notice at once: the notice is created once (an upsert) and the second waits for the
    first, then updates; the notice's row lock orders the lots of a notice."""
    async with request.app.state.db.connection() as conn, conn.transaction():
        notice_values = body.notice.model_dump() if body.notice else {}
        new_notice = await fetch_dict(conn, "INSERT INTO auction_notices (notice_number, source, "
                                      + ", ".join(NOTICE_COLUMNS) + ") VALUES (%s, 'api', "
                                      + ", ".join(["%s"] * len(NOTICE_COLUMNS)) + ") "
                                      "ON CONFLICT (notice_number) DO NOTHING RETURNING *",
                                      [notice, *(notice_values.get(c) for c in NOTICE_COLUMNS)])
        if new_notice is not None:
            await audit.record(conn, who.name, "create", "auction_notices", new_notice["id"],
                               None, _pick(new_notice, NOTICE_COLUMNS))
        else:  # it exists (or another transaction made it and committed while this one waited)
            old_notice = await fetch_dict(conn, "SELECT * FROM auction_notices WHERE notice_number = %s "
                                          "FOR UPDATE", [notice])
            new_notice = old_notice
            if body.notice is not None:
                new_notice = await fetch_dict(conn, "UPDATE auction_notices SET "
                                              + ", ".join(f"{c} = %s" for c in NOTICE_COLUMNS)
                                              + ", updated_at = now() WHERE id = %s RETURNING *",
                                              [*(notice_values.get(c) for c in NOTICE_COLUMNS), old_notice["id"]])
                await audit.record(conn, who.name, "update", "auction_notices", new_notice["id"],
                                   _pick(old_notice, NOTICE_COLUMNS), _pick(new_notice, NOTICE_COLUMNS))
        values = body.lot_columns()
        old_lot = await fetch_dict(conn, "SELECT * FROM lots WHERE notice_id = %s AND lot_number = %s "
                                   "FOR UPDATE", [new_notice["id"], lot])
        if old_lot is None:
            new_lot = await fetch_dict(conn, "INSERT INTO lots (notice_id, lot_number, source, "
                                 + ", ".join(LOT_COLUMNS) + ") VALUES (%s, %s, 'api', "
                                 + ", ".join(["%s"] * len(LOT_COLUMNS)) + ") RETURNING *",
                                 [new_notice["id"], lot, *(values[c] for c in LOT_COLUMNS)])
            old_parcels = []
        else:
            new_lot = await fetch_dict(conn, "UPDATE lots SET " + ", ".join(f"{c} = %s" for c in LOT_COLUMNS)
                                 + ", updated_at = now() WHERE id = %s RETURNING *",
                                 [*(values[c] for c in LOT_COLUMNS), old_lot["id"]])
            cursor = await conn.execute("SELECT cadastral_number FROM lot_objects WHERE lot_id = %s "
                                        "ORDER BY id", [old_lot["id"]])
            old_parcels = [r[0] for r in await cursor.fetchall()]
            await conn.execute("DELETE FROM lot_objects WHERE lot_id = %s", [old_lot["id"]])
        # one parcel named twice, in two spellings, is one object of the lot (the first spelling)
        first: dict[str, str] = {}
        for number in body.parcels:
            first.setdefault(lookup_key(number), number)
        numbers = list(first.values())
        for number in numbers:
            await conn.execute(
                "INSERT INTO lot_objects (lot_id, cadastral_number, cadastral_key, parcel_id) "
                "SELECT %s, %s, %s, (SELECT id FROM parcels WHERE cadastral_key = %s)",
                [new_lot["id"], number, lookup_key(number), lookup_key(number)])
        before = None if old_lot is None else _pick(old_lot, LOT_COLUMNS) | {"parcels": old_parcels}
        await audit.record(conn, who.name, "create" if old_lot is None else "update", "lots",
                           new_lot["id"], before, _pick(new_lot, LOT_COLUMNS) | {"parcels": numbers})
    answer = await get_lot(request, notice, lot)
    answer.status_code = 201 if old_lot is None else 200
    return answer


@router.patch("/auctions/{notice}/{lot}/result", summary="Record a lot's result (officials)")
async def put_result(request: Request, body: ResultIn,
                     notice: str = PathParam(pattern=NOTICE_NUMBER.pattern),
                     lot: int = PathParam(ge=1, le=1_000_000),
                     who: Caller = Depends(require("official"))):
    async with request.app.state.db.connection() as conn, conn.transaction():
        old = await fetch_dict(conn, "SELECT l.* FROM lots l JOIN auction_notices n ON n.id = l.notice_id "
                               "WHERE n.notice_number = %s AND l.lot_number = %s FOR UPDATE OF l",
                         [notice, lot])
        if old is None:
            raise NotFound(f"no lot {lot} in notice {notice!r}")
        new = await fetch_dict(conn, "UPDATE lots SET status = %s, final_price = %s, result_on = %s, "
                               "updated_at = now() WHERE id = %s RETURNING *",
                         [body.status, body.final_price, body.result_on, old["id"]])
        fields = ("status", "final_price", "result_on")
        await audit.record(conn, who.name, "update", "lots", old["id"], _pick(old, fields),
                           _pick(new, fields))
    return await get_lot(request, notice, lot)


def _pick(row: dict, columns) -> dict:
    return {c: row[c] for c in columns}
