"""Public procurement: a filtered list with totals (JSON or CSV), one procurement with its
items, suppliers and objects, and officials' links to parcels and buildings.

Suppliers who are persons (individuals, sole proprietors) are named, with their INN, only
to officials and admins (``Caller.sees_personal_data``); everyone else gets their kind
alone. A response that names one is marked ``private, no-store``.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, Response
from pydantic import Field, model_validator

from api import audit
from api.auth import Caller, caller, require
from api.crs import CRS84
from api.db import fetch_dict
from api.errors import BadRequest, NotFound
from api.features import parse_bbox
from api.records import Strict
from api.responses import PRIVATE
from citymodel import procurement
from citymodel.cadastral import lookup_key
from citymodel.errors import InvalidCadastralNumber

router = APIRouter(tags=["Procurement"])
CSV = "text/csv; charset=utf-8"
ProcurementId = PathParam(ge=1, le=2**63 - 1)
# a procurement's objects (parcels, and buildings drawn by their footprints), in the storage CRS
OBJECT_GEOMETRY = "coalesce(op.geom, ob.footprint)"
LIST = """
SELECT pr.id, pr.kind, pr.law, pr.purchase_number, pr.registry_number, pr.subject, pr.price::float8,
       pr.currency, pr.published_on, pr.signed_on, pr.starts_on, pr.ends_on, pr.status,
       pr.construction_works, pr.customer_name, pr.customer_inn, pr.okpd2,
       coalesce((SELECT json_agg(json_build_object('parcel', op.cadastral_number, 'building_id', ob.id,
                                'address', coalesce(ob.address, op.address), 'method', po.method,
                                'confidence', po.confidence) ORDER BY po.id)
                 FROM procurement_objects po LEFT JOIN parcels op ON op.id = po.parcel_id
                 LEFT JOIN buildings ob ON ob.id = po.building_id
                 WHERE po.procurement_id = pr.id AND (po.parcel_id IS NOT NULL OR po.building_id IS NOT NULL)),
                '[]')::text AS objects
FROM procurements pr
WHERE {where}
ORDER BY coalesce(pr.signed_on, pr.published_on) DESC NULLS LAST, pr.id DESC
LIMIT %(limit)s OFFSET %(offset)s
"""
TOTALS = """
WITH chosen AS (SELECT pr.* FROM procurements pr WHERE {where})
SELECT json_build_object(
  'count', (SELECT count(*) FROM chosen),
  'contracts', (SELECT count(*) FROM chosen WHERE kind = 'contract'),
  'contracted', (SELECT coalesce(sum(price), 0)::float8 FROM chosen WHERE kind = 'contract'),
  'notices', (SELECT count(*) FROM chosen WHERE kind = 'notice'),
  'by_year', coalesce((SELECT json_agg(y ORDER BY y.year) FROM (
      SELECT extract(year FROM coalesce(signed_on, published_on))::int AS year, count(*) AS contracts,
             coalesce(sum(price), 0)::float8 AS amount
      FROM chosen WHERE kind = 'contract' GROUP BY 1) y), '[]'),
  'by_object', coalesce((SELECT json_agg(o ORDER BY o.amount DESC, o.object) FROM (
      SELECT coalesce('building ' || po.building_id, 'parcel ' || po.parcel_id) AS object,
             max(coalesce(ob.address, op.address)) AS address,
             max(coalesce(ob.cadastral_number, op.cadastral_number)) AS cadastral_number,
             count(DISTINCT c.id) AS contracts, coalesce(sum(c.price), 0)::float8 AS amount
      FROM chosen c JOIN procurement_objects po ON po.procurement_id = c.id
      LEFT JOIN parcels op ON op.id = po.parcel_id LEFT JOIN buildings ob ON ob.id = po.building_id
      WHERE c.kind = 'contract' AND (po.parcel_id IS NOT NULL OR po.building_id IS NOT NULL)
      GROUP BY 1 ORDER BY 5 DESC LIMIT 100) o), '[]')
)::text
"""


def card_section_sql(links: str) -> str:
    """A card's procurement section (a JSON array): the procurements of the links ``links``
    (SQL giving ``procurement_objects`` rows), each once — by its most confident link —,
    newest first. Parcel and building cards show it."""
    return f"""coalesce((SELECT json_agg(json_build_object(
      'id', pr.id, 'kind', pr.kind, 'law', pr.law, 'purchase_number', pr.purchase_number,
      'registry_number', pr.registry_number, 'subject', pr.subject, 'price', pr.price::float8,
      'currency', pr.currency, 'status', pr.status, 'published_on', pr.published_on,
      'signed_on', pr.signed_on, 'starts_on', pr.starts_on, 'ends_on', pr.ends_on,
      'customer', pr.customer_name, 'okpd2', pr.okpd2, 'building_id', x.building_id,
      'method', x.method, 'confidence', x.confidence)
      ORDER BY coalesce(pr.signed_on, pr.published_on) DESC NULLS LAST, pr.id DESC)
      FROM (SELECT DISTINCT ON (o.procurement_id) o.procurement_id, o.building_id, o.method, o.confidence
            FROM ({links}) o ORDER BY o.procurement_id, o.confidence DESC, o.id) x
      JOIN procurements pr ON pr.id = x.procurement_id), '[]')"""


def card_entries(entries: list[dict], base: str) -> list[dict]:
    """A card's procurement entries with their page in the ЕИС and in this API."""
    for entry in entries:
        entry["source_url"] = procurement.source_url(entry["kind"], entry["law"], entry["purchase_number"],
                                                     entry["registry_number"])
        entry["href"] = f"{base}/procurement/{entry['id']}"
    return entries


COLUMNS = ("id", "kind", "law", "purchase_number", "registry_number", "subject", "price", "currency",
           "published_on", "signed_on", "starts_on", "ends_on", "status", "construction_works",
           "customer_name", "customer_inn", "okpd2", "objects")


def _conditions(request: Request, bbox, okpd2, from_, to, kind, status, law, customer_inn,
                parcel, building) -> tuple[str, dict]:
    where, params = ["true"], {}
    if bbox:
        west, south, east, north = parse_bbox(bbox, request.app.state.crss[CRS84])
        params |= {"w": west, "s": south, "e": east, "n": north}
        envelope = ("ST_Transform(ST_MakeEnvelope(%(w)s, %(s)s, %(e)s, %(n)s, 4326), "
                    f"{request.app.state.db.storage_srid})")
        where.append(f"""EXISTS (SELECT 1 FROM procurement_objects po LEFT JOIN parcels op ON op.id = po.parcel_id
            LEFT JOIN buildings ob ON ob.id = po.building_id WHERE po.procurement_id = pr.id
            AND {OBJECT_GEOMETRY} && {envelope} AND ST_Intersects({OBJECT_GEOMETRY}, {envelope}))""")
    if okpd2:
        prefixes = [p.strip() for p in okpd2.split(",") if p.strip()]
        for p in prefixes:
            if not all(part.isdigit() for part in p.split(".")) or len(p) > 20:
                raise BadRequest(f"okpd2: {p[:25]!r} is not an ОКПД2 code or its start (41, 43.34)")
        params["okpd2"] = [p + "%" for p in prefixes]
        where.append("EXISTS (SELECT 1 FROM unnest(pr.okpd2) c WHERE c LIKE ANY(%(okpd2)s))")
    if from_:
        params["from"] = from_
        where.append("coalesce(pr.signed_on, pr.published_on) >= %(from)s")
    if to:
        params["to"] = to
        where.append("coalesce(pr.signed_on, pr.published_on) <= %(to)s")
    for name, value, allowed in (("kind", kind, procurement.KINDS), ("status", status, procurement.STATUSES),
                                 ("law", law, procurement.LAWS)):
        if value:
            if value not in allowed:
                raise BadRequest(f"{name}: one of {', '.join(allowed)}")
            params[name] = value
            where.append(f"pr.{name} = %({name})s")
    if customer_inn:
        params["inn"] = customer_inn
        where.append("pr.customer_inn = %(inn)s")
    if parcel:
        try:
            params["parcel"] = lookup_key(parcel)
        except InvalidCadastralNumber as exc:
            raise BadRequest(f"parcel: {exc}") from None
        where.append("""EXISTS (SELECT 1 FROM procurement_objects po LEFT JOIN buildings ob ON ob.id = po.building_id
            JOIN parcels op ON op.id = coalesce(po.parcel_id, ob.parcel_id)
            WHERE po.procurement_id = pr.id AND op.cadastral_key = %(parcel)s)""")
    if building:
        params["building"] = building
        where.append("EXISTS (SELECT 1 FROM procurement_objects po WHERE po.procurement_id = pr.id "
                     "AND po.building_id = %(building)s)")
    return " AND ".join(where), params


def _row(values) -> dict:
    row = dict(zip(COLUMNS, values, strict=True))
    row["objects"] = json.loads(row["objects"])
    row["source_url"] = procurement.source_url(row["kind"], row["law"], row["purchase_number"],
                                               row["registry_number"])
    return row


@router.get("/procurement", summary="Public procurement, filtered, with totals; JSON or CSV",
            response_class=Response, responses={200: {"content": {"application/json": {}, "text/csv": {}}}})
async def procurements(
    request: Request,
    bbox: str | None = Query(None, description="west,south,east,north in CRS84: procurements about "
                                               "parcels or buildings there"),
    okpd2: str | None = Query(None, max_length=200, description="ОКПД2 codes or their starts, "
                                                               "comma-separated: 41, 43.34"),
    from_: date | None = Query(None, alias="from", description="signed (contracts) or published "
                                                               "(notices) on or after"),
    to: date | None = Query(None, description="signed or published on or before"),
    kind: str | None = Query(None, max_length=20), status: str | None = Query(None, max_length=20),
    law: str | None = Query(None, max_length=5),
    customer_inn: str | None = Query(None, pattern=r"^\d{10}(\d{2})?$"),
    parcel: str | None = Query(None, max_length=40, description="a parcel's cadastral number: its "
                                                               "procurement and its buildings'"),
    building: int | None = Query(None, ge=1, le=2**63 - 1),
    limit: int = Query(100, ge=1, le=10_000), offset: int = Query(0, ge=0, le=10_000_000),
    f: str = Query("json", pattern="^(json|csv)$"),
):
    where, params = _conditions(request, bbox, okpd2, from_, to, kind, status, law, customer_inn,
                                parcel, building)
    db = request.app.state.db
    rows = [_row(r) for r in await db.all(LIST.format(where=where), params | {"limit": limit, "offset": offset})]
    if f == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        header = [c for c in COLUMNS if c != "objects"] + ["objects", "source_url"]
        writer.writerow(header)
        for row in rows:
            objects = "; ".join(o["parcel"] or f"building {o['building_id']}" for o in row["objects"])
            writer.writerow([" ".join(row[c]) if c == "okpd2" else row[c] for c in header[:-2]]
                            + [objects, row["source_url"]])
        return Response(out.getvalue(), media_type=CSV,
                        headers={"Content-Disposition": 'attachment; filename="procurement.csv"'})
    (totals,) = await db.one(TOTALS.format(where=where), params)
    body = {"procurements": rows, "numberReturned": len(rows), "totals": json.loads(totals)}
    return JSONResponse(json.loads(json.dumps(body, default=str)))


@router.get("/procurement/amounts", summary="Money contracted for each building, for colouring them")
async def amounts(
    request: Request,
    okpd2: str | None = Query(None, max_length=200, description="ОКПД2 codes or their starts, comma-separated"),
    from_: date | None = Query(None, alias="from"), to: date | None = Query(None),
):
    """Each building's total of the contracts linked to it (to it, or to the parcel it stands
    on), signed in the period: ``{"buildings": {id: amount}}``."""
    where, params = _conditions(request, None, okpd2, from_, to, "contract", None, None, None, None, None)
    rows = await request.app.state.db.all(f"""
        SELECT b.id, sum(pr.price)::float8 FROM procurements pr
        JOIN LATERAL (SELECT DISTINCT coalesce(po.building_id, pb.id) AS building_id
                      FROM procurement_objects po LEFT JOIN buildings pb ON pb.parcel_id = po.parcel_id
                      WHERE po.procurement_id = pr.id) o ON o.building_id IS NOT NULL
        JOIN buildings b ON b.id = o.building_id
        WHERE {where} AND pr.price IS NOT NULL GROUP BY b.id""", params)
    return {"buildings": {str(i): a for i, a in rows}}


@router.get("/procurement/{procurement_id}", summary="One notice or contract: items, suppliers, objects")
async def one(request: Request, procurement_id: int = ProcurementId, who: Caller = Depends(caller)):
    db = request.app.state.db
    row = await db.one(LIST.format(where="pr.id = %(id)s"), {"id": procurement_id, "limit": 1, "offset": 0})
    if row is None:
        raise NotFound(f"no procurement {procurement_id}")
    body = _row(row)
    personal = who.sees_personal_data
    body["suppliers"] = [
        {"kind": kind, "name": name, "inn": inn} if personal or not procurement.is_personal(kind)
        else {"kind": kind}
        for kind, name, inn in await db.all(
            "SELECT kind, name, inn FROM procurement_suppliers WHERE procurement_id = %s ORDER BY position",
            [procurement_id])]
    body["products"] = [dict(zip(("okpd2", "name", "quantity", "price", "amount"), r, strict=True))
                        for r in await db.all("SELECT okpd2, name, quantity::float8, price::float8, "
                                              "amount::float8 FROM procurement_products WHERE procurement_id = %s "
                                              "ORDER BY position", [procurement_id])]
    body["links"] = [dict(zip(("id", "parcel", "building_id", "cadastral_number", "method", "confidence",
                               "matched"), r, strict=True))
                     for r in await db.all(
                         "SELECT po.id, op.cadastral_number, po.building_id, po.cadastral_number, po.method, "
                         "po.confidence, po.matched FROM procurement_objects po LEFT JOIN parcels op "
                         "ON op.id = po.parcel_id WHERE po.procurement_id = %s ORDER BY po.id", [procurement_id])]
    body["personal_data_shown"] = personal
    named = personal and any(procurement.is_personal(s["kind"]) for s in body["suppliers"])
    return JSONResponse(json.loads(json.dumps(body, default=str)), headers=PRIVATE if named else None)


class LinkIn(Strict):
    """A parcel or building (by cadastral number, or a building by id) a procurement concerns."""

    cadastral_number: str | None = Field(None, max_length=40)
    building_id: int | None = Field(None, ge=1, le=2**63 - 1)

    @model_validator(mode="after")
    def _one(self):
        if (self.cadastral_number is None) == (self.building_id is None):
            raise ValueError("give cadastral_number or building_id, one of them")
        if self.cadastral_number is not None:
            try:
                lookup_key(self.cadastral_number)
            except InvalidCadastralNumber as exc:
                raise ValueError(f"cadastral_number: {exc}") from None
        return self


@router.post("/procurement/{procurement_id}/objects", status_code=201,
             summary="Link a procurement to a parcel or building (officials)")
async def add_link(request: Request, body: LinkIn, procurement_id: int = ProcurementId,
                   who: Caller = Depends(require("official"))):
    async with request.app.state.db.connection() as conn, conn.transaction():
        if await fetch_dict(conn, "SELECT id FROM procurements WHERE id = %s", [procurement_id]) is None:
            raise NotFound(f"no procurement {procurement_id}")
        if body.building_id is not None:
            target = await fetch_dict(conn, "SELECT NULL::bigint AS parcel_id, id AS building_id, "
                                            "cadastral_number FROM buildings WHERE id = %s", [body.building_id])
        else:
            key = lookup_key(body.cadastral_number)
            target = await fetch_dict(conn, """
                SELECT p.id AS parcel_id, NULL::bigint AS building_id, p.cadastral_number FROM parcels p
                WHERE p.cadastral_key = %(k)s
                UNION ALL SELECT NULL, b.id, b.cadastral_number FROM buildings b WHERE b.cadastral_key = %(k)s
                LIMIT 1""", {"k": key})
        if target is None:
            raise NotFound("no such parcel or building")
        row = await fetch_dict(conn, """
            INSERT INTO procurement_objects (procurement_id, parcel_id, building_id, method, confidence,
                                             matched, added_by)
            VALUES (%s, %s, %s, 'manual', 1, %s, %s)
            ON CONFLICT DO NOTHING RETURNING id, parcel_id, building_id, method""",
                               [procurement_id, target["parcel_id"], target["building_id"],
                                target["cadastral_number"], who.name])
        if row is None:
            raise BadRequest("the procurement is linked to that object already")
        await audit.record(conn, who.name, "create", "procurement_objects", row["id"], None,
                           {"procurement_id": procurement_id, "parcel_id": row["parcel_id"],
                            "building_id": row["building_id"]})
    return JSONResponse(row | {"procurement_id": procurement_id}, status_code=201)


@router.delete("/procurement/{procurement_id}/objects/{object_id}", status_code=204, response_class=Response,
               summary="Remove a link of a procurement (officials)")
async def remove_link(request: Request, procurement_id: int = ProcurementId,
                      object_id: int = PathParam(ge=1, le=2**63 - 1),
                      who: Caller = Depends(require("official"))):
    async with request.app.state.db.connection() as conn, conn.transaction():
        old = await fetch_dict(conn, "DELETE FROM procurement_objects WHERE id = %s AND procurement_id = %s "
                                     "RETURNING id, parcel_id, building_id, method, confidence",
                               [object_id, procurement_id])
        if old is None:
            raise NotFound(f"procurement {procurement_id} has no link {object_id}")
        await audit.record(conn, who.name, "delete", "procurement_objects", object_id,
                           {"procurement_id": procurement_id, **old}, None)
    return Response(status_code=204)
