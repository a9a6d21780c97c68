"""Credentials: API keys and bearer tokens (JWT), minted and read in one place.

An API key is ``cm_`` and 32 random bytes; only its SHA-256 digest is stored. A token is
a JWT (HS256) signed with the ``jwt_secret`` setting, or, without one, with a random key
kept (0600) in the state directory. The command line (`citymodel users …`) and the API
(``/auth/token``, ``/users``) mint them here; the API checks them here. Neither keys nor
tokens are ever logged.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from pathlib import Path

import jwt

from citymodel.errors import CitymodelError
from citymodel.settings import Settings

KEY_PREFIX = "cm_"
ALGORITHM = "HS256"
USER_NAME_PATTERN = r"^[\w.@-]+$"


class TokenRefused(CitymodelError):
    """A bearer token that does not check out; the message says why."""


def new_api_key() -> tuple[str, str]:
    """A new API key and the digest to store."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    return key, key_digest(key)


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def is_api_key(credential: str) -> bool:
    return credential.startswith(KEY_PREFIX)


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
    """A token for user ``name`` with ``role``, and its lifetime in seconds."""
    lifetime = settings.token_minutes * 60
    now = int(time.time())
    claims = {"sub": name, "role": role, "iat": now, "exp": now + lifetime, "iss": "citymodel"}
    return jwt.encode(claims, signing_key(settings), algorithm=ALGORITHM), lifetime


def token_subject(settings: Settings, token: str) -> str:
    """The user name a valid, unexpired token was issued to; TokenRefused otherwise."""
    try:
        claims = jwt.decode(token, signing_key(settings), algorithms=[ALGORITHM],
                            options={"require": ["sub", "exp"]})
    except jwt.ExpiredSignatureError:
        raise TokenRefused("the token has expired; request a new one at /auth/token") from None
    except jwt.PyJWTError:
        raise TokenRefused("the token is not valid") from None
    subject = claims["sub"]
    if not isinstance(subject, str) or any(0xD800 <= ord(c) <= 0xDFFF or c == "\x00" for c in subject):
        raise TokenRefused("the token's subject is not a user name")
    return subject
