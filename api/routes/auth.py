"""Signing in (an API key for a token) and, for admins, managing users."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Form, Request
from pydantic import BaseModel, Field

from api import audit
from api.auth import ROLES, Caller, caller, require
from api.errors import NotFound, Unauthorized
from citymodel.credentials import USER_NAME_PATTERN, issue_token, key_digest, new_api_key

router = APIRouter(tags=["Access"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    role: str
    name: str


@router.post("/auth/token", summary="Exchange an API key for a bearer token (OAuth2)",
             response_model=Token)
async def token(request: Request,
                grant_type: str = Form("client_credentials", pattern="^(client_credentials|password)$"),
                client_secret: str | None = Form(None, max_length=200),
                password: str | None = Form(None, max_length=200),
                username: str | None = Form(None, max_length=200),
                client_id: str | None = Form(None, max_length=200)):
    """OAuth2 token endpoint: ``client_credentials`` with the API key as ``client_secret``,
    or ``password`` with the API key as ``password`` (the username is the user's name)."""
    key = client_secret if grant_type == "client_credentials" else password
    if not key:
        raise Unauthorized("send the API key as client_secret (or as password)")
    row = await request.app.state.db.one(
        "SELECT name, role FROM users WHERE api_key_hash = %s AND NOT disabled", [key_digest(key)])
    name = username or client_id
    if row is None or (name is not None and name != row[0]):
        raise Unauthorized("unknown or disabled API key")
    access, lifetime = issue_token(request.app.state.settings, row[0], row[1])
    return Token(access_token=access, expires_in=lifetime, role=row[1], name=row[0])


class Me(BaseModel):
    name: str | None
    role: str | None
    sees_personal_data: bool


@router.get("/auth/me", summary="Who the credentials belong to", response_model=Me)
async def me(who: Caller = Depends(caller)):
    return Me(name=who.name, role=who.role, sees_personal_data=who.sees_personal_data)


class UserIn(BaseModel):
    name: str = Field(min_length=1, max_length=100, pattern=USER_NAME_PATTERN)
    role: str = Field(pattern="^(" + "|".join(ROLES) + ")$")


class UserOut(BaseModel):
    name: str
    role: str
    disabled: bool


class NewUser(UserOut):
    api_key: str = Field(description="Shown once; only its digest is kept")


@router.get("/users", summary="Users (admins only)", response_model=list[UserOut])
async def users(request: Request, who: Caller = Depends(require("admin"))):
    rows = await request.app.state.db.all("SELECT name, role, disabled FROM users ORDER BY name")
    return [UserOut(name=r[0], role=r[1], disabled=r[2]) for r in rows]


@router.post("/users", summary="Add a user and issue their API key (admins only)",
             response_model=NewUser, status_code=201)
async def add_user(request: Request, user: UserIn, who: Caller = Depends(require("admin"))):
    key, digest = new_api_key()
    async with request.app.state.db.connection() as conn, conn.transaction():  # a taken name: 409
        cur = await conn.execute(
            "INSERT INTO users (name, role, api_key_hash) VALUES (%s, %s, %s) RETURNING id",
            [user.name, user.role, digest])
        user_id = (await cur.fetchone())[0]
        await audit.record(conn, who.name, "create", "users", user_id, None,
                           {"name": user.name, "role": user.role})
    return NewUser(name=user.name, role=user.role, disabled=False, api_key=key)


@router.delete("/users/{name}", summary="Disable a user (admins only)", status_code=204)
async def disable_user(request: Request, name: str, who: Caller = Depends(require("admin"))):
    async with request.app.state.db.connection() as conn, conn.transaction():
        cur = await conn.execute(
            "UPDATE users SET disabled = true WHERE name = %s AND NOT disabled RETURNING id",
            [name])
        row = await cur.fetchone()
        if row is None:
            raise NotFound(f"no active user {name!r}")
        await audit.record(conn, who.name, "update", "users", row[0], {"disabled": False},
                           {"disabled": True})
