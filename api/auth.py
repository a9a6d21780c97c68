"""Who is calling: anonymous, or a user with a role, from a bearer token or an API key.

Credentials arrive as ``Authorization: Bearer <token>``, where the token is a JWT
(HS256, signed with the ``jwt_secret`` setting; issued by ``POST /auth/token`` or any
identity provider sharing the key) or an API key issued by ``citymodel users add``.
No header: anonymous. A header that does not check out: 401, whatever the endpoint.
A role too weak for an operation: 403. Keys are stored as SHA-256 digests only; tokens
and keys are never logged.

Roles, weakest first: ``viewer`` (reads what anonymous users read), ``official`` (also
reads holders' personal data and keeps lots, results and rights), ``admin`` (also
manages users).
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

import jwt
from fastapi import Request

from api.db import SIGNED_IN
from api.errors import Forbidden, Unauthorized
from citymodel.models import USER_ROLES
from citymodel.settings import Settings

ROLES = USER_ROLES  # weakest first
KEY_PREFIX = "cm_"
ALGORITHM = "HS256"


@dataclass(frozen=True)
class Caller:
    name: str | None  # None: anonymous
    role: str | None

    @property
    def anonymous(self) -> bool:
        return self.name is None

    def at_least(self, role: str) -> bool:
        return self.role is not None and ROLES.index(self.role) >= ROLES.index(role)

    @property
    def sees_personal_data(self) -> bool:
        return self.at_least("official")


ANONYMOUS = Caller(None, None)


def new_api_key() -> tuple[str, str]:
    """A new API key and the digest to store."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    return key, key_digest(key)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def signing_key(settings: Settings) -> str:
    """The JWT key: the setting, else a random key kept (0600) in the state directory."""
    if settings.jwt_secret:
        return settings.jwt_secret
    path: Path = settings.resolved_state_dir / "jwt.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f".jwt.key.{os.getpid()}")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as file:
            file.write(secrets.token_urlsafe(48))
        try:
            os.link(partial, path)  # the first writer wins; the others read its key
        except FileExistsError:
            pass
        finally:
            partial.unlink()
    return path.read_text().strip()


def issue_token(settings: Settings, name: str, role: str) -> tuple[str, int]:
    lifetime = settings.token_minutes * 60
    now = int(time.time())
    claims = {"sub": name, "role": role, "iat": now, "exp": now + lifetime, "iss": "citymodel"}
    return jwt.encode(claims, signing_key(settings), algorithm=ALGORITHM), lifetime


async def caller(request: Request) -> Caller:
    """The caller of this request (a FastAPI dependency of every route: credentials that
    do not check out are refused even where none are needed). Worked out once a request."""
    known = getattr(request.state, "caller", None)
    if known is None:
        known = request.state.caller = await _identify(request)
    SIGNED_IN.set(known is not ANONYMOUS)  # their own connections and time limit (api.db)
    return known


async def _identify(request: Request) -> Caller:
    header = request.headers.get("authorization")
    if header is None:
        return ANONYMOUS
    scheme, _, credential = header.partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential:
        raise Unauthorized("credentials must be sent as 'Authorization: Bearer <token or API key>'")
    state = request.app.state
    if credential.startswith(KEY_PREFIX):
        SIGNED_IN.set(True)  # one indexed lookup, on the connections of those who sign in
        row = await state.db.one("SELECT name, role FROM users WHERE api_key_hash = %s "
                                 "AND NOT disabled", [key_digest(credential)])
        if row is None:
            raise Unauthorized("unknown or disabled API key")
        return Caller(row[0], row[1])
    try:
        claims = jwt.decode(credential, signing_key(state.settings), algorithms=[ALGORITHM],
                            options={"require": ["sub", "exp"]})
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the token has expired; request a new one at /auth/token") from None
    except jwt.PyJWTError:
        raise Unauthorized("the token is not valid") from None
    subject = claims["sub"]
    if not isinstance(subject, str) or any(0xD800 <= ord(c) <= 0xDFFF or c == "\x00" for c in subject):
        raise Unauthorized("the token's subject is not a user name")
    row = await state.db.one("SELECT name, role FROM users WHERE name = %s AND NOT disabled",
                             [subject])
    if row is None:
        raise Unauthorized("the token's user does not exist or is disabled")
    return Caller(row[0], row[1])


def require(role: str):
    """A dependency that lets only ``role`` or stronger through."""

    async def check(request: Request) -> Caller:
        who = await caller(request)
        if who.anonymous:
            raise Unauthorized(f"sign in: this needs the {role} role")
        if not who.at_least(role):
            raise Forbidden(f"this needs the {role} role; {who.name} is {who.role}")
        return who

    return check
