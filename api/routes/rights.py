"""Rights and encumbrances kept by officials: add to a parcel, replace, remove.

Each change is one transaction with its audit-log row. Responses carry holders'
personal data, since only officials and admins reach these endpoints.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse

from api import audit
from api.auth import Caller, require
from api.db import fetch_dict
from api.errors import BadRequest, NotFound
from api.records import RightIn
from api.responses import PRIVATE
from citymodel.cadastral import lookup_key
from citymodel.errors import InvalidCadastralNumber

router = APIRouter(tags=["Rights"])
COLUMNS = ("kind", "type_code", "type_name", "holder_kind", "holder_name", "holder_inn",
           "share_numerator", "share_denominator", "registration_number", "registered_on",
           "starts_on", "ends_on")
RightId = Path(ge=1, le=2**63 - 1)


def _out(row: dict, status: int = 200) -> JSONResponse:
    """A right as officials see it, holder and all: marked private, never cached."""
    share = (f"{row['share_numerator']}/{row['share_denominator']}"
             if row["share_numerator"] is not None else None)
    result = {c: row[c] for c in COLUMNS if not c.startswith("share_")}
    body = result | {"id": row["id"], "share": share, "parcel_id": row["parcel_id"]}
    return JSONResponse(jsonable_encoder(body), status_code=status, headers=PRIVATE)


def _pick(row: dict | None) -> dict | None:
    return None if row is None else {c: row[c] for c in COLUMNS}


@router.post("/parcels/{cadastral_number}/rights", summary="Add a right or encumbrance (officials)",
             status_code=201)
async def add_right(request: Request, cadastral_number: str, body: RightIn,
                    who: Caller = Depends(require("official"))):
    try:
        key = lookup_key(cadastral_number)
    except InvalidCadastralNumber as exc:
        raise BadRequest(str(exc)) from None
    values = body.columns()
    # a registration number recorded already: 409, from the error handlers
    async with request.app.state.db.connection() as conn, conn.transaction():
        parcel = await fetch_dict(conn, "SELECT id FROM parcels WHERE cadastral_key = %s", [key])
        if parcel is None:
            raise NotFound(f"no parcel {cadastral_number}")
        row = await fetch_dict(
            conn, f"INSERT INTO rights (parcel_id, source, {', '.join(COLUMNS)}) VALUES "
                  f"(%s, 'api', {', '.join(['%s'] * len(COLUMNS))}) RETURNING *",
            [parcel["id"], *(values[c] for c in COLUMNS)])
        await audit.record(conn, who.name, "create", "rights", row["id"], None, _pick(row))
    return _out(row, 201)


@router.put("/rights/{right_id}", summary="Replace a right or encumbrance (officials)")
async def put_right(request: Request, body: RightIn, right_id: int = RightId,
                    who: Caller = Depends(require("official"))):
    values = body.columns()
    async with request.app.state.db.connection() as conn, conn.transaction():
        old = await fetch_dict(conn, "SELECT * FROM rights WHERE id = %s FOR UPDATE", [right_id])
        if old is None:
            raise NotFound(f"no right {right_id}")
        new = await fetch_dict(
            conn, f"UPDATE rights SET {', '.join(f'{c} = %s' for c in COLUMNS)}, updated_at = now() "
                  "WHERE id = %s RETURNING *", [*(values[c] for c in COLUMNS), right_id])
        await audit.record(conn, who.name, "update", "rights", right_id, _pick(old), _pick(new))
    return _out(new)


@router.delete("/rights/{right_id}", summary="Remove a right or encumbrance (officials)",
               status_code=204, response_class=Response)
async def delete_right(request: Request, right_id: int = RightId,
                       who: Caller = Depends(require("official"))):
    async with request.app.state.db.connection() as conn, conn.transaction():
        old = await fetch_dict(conn, "DELETE FROM rights WHERE id = %s RETURNING *", [right_id])
        if old is None:
            raise NotFound(f"no right {right_id}")
        await audit.record(conn, who.name, "delete", "rights", right_id, _pick(old), None)
    return Response(status_code=204)
