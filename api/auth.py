"""Who is calling: anonymous, or a user with a role, from a bearer token or an API key.

Credentials arrive as ``Authorization: Bearer <token>``, where the token is a JWT
(HS256, signed with the ``jwt_secret`` setting; issued by ``POST /auth/token`` or any
identity provider sharing the key) or an API key issued by ``citymodel users add``.
No header: anonymous. A header that does not check out: 401, whatever the endpoint.
A role too weak for an operation: 403. Keys and tokens are minted and read by
``citymodel.credentials`` (keys stored as SHA-256 digests only; neither is ever logged).

Roles, weakest first: ``viewer`` (reads what anonymous users read), ``official`` (also
reads holders' personal data and keeps lots, results and rights), ``admin`` (also
manages users).
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request

from api.db import SIGNED_IN
from api.errors import Forbidden, Unauthorized
from citymodel.credentials import TokenRefused, is_api_key, key_digest, token_subject
from citymodel.models import USER_ROLES

ROLES = USER_ROLES  # weakest first


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
    if is_api_key(credential):
        SIGNED_IN.set(True)  # one indexed lookup, on the connections of those who sign in
        row = await state.db.one("SELECT name, role FROM users WHERE api_key_hash = %s "
                                 "AND NOT disabled", [key_digest(credential)])
        if row is None:
            raise Unauthorized("unknown or disabled API key")
        return Caller(row[0], row[1])
    try:
        subject = token_subject(state.settings, credential)
    except TokenRefused as exc:
        raise Unauthorized(str(exc)) from None
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
