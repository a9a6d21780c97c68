"""Request bodies larger than the limit are refused with 413 before the application sees them.

A body with a Content-Length over the limit is refused at once. A body without one (sent
chunked) is read here, up to the limit, before the application is called, and handed to it
whole; past the limit it is refused the same way — never half-read by a handler.
"""

from __future__ import annotations

import json
import re

MAX_BODY = 1 << 20  # 1 MiB: a lot with a thousand parcels fits many times over


class BodyLimit:
    def __init__(self, app, max_body: int = MAX_BODY) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None:
            if not length.isdigit() or int(length) > self.max_body:
                return await self._refuse(send)
            return await self.app(scope, receive, send)
        if b"chunked" not in headers.get(b"transfer-encoding", b"").lower():
            return await self.app(scope, receive, send)
        parts, seen = [], 0
        while True:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return await self.app(scope, _replay([message]), send)
            seen += len(message.get("body", b""))
            if seen > self.max_body:
                return await self._refuse(send)
            parts.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        whole = {"type": "http.request", "body": b"".join(parts), "more_body": False}
        return await self.app(scope, _replay([whole], then=receive), send)

    async def _refuse(self, send):
        body = json.dumps({"code": "PayloadTooLarge",
                           "description": f"request bodies are limited to {self.max_body} bytes"}).encode()
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"connection", b"close")]})  # the rest of the body is not read
        await send({"type": "http.response.body", "body": body})


def _replay(messages: list[dict], then=None):
    """A ``receive`` that gives ``messages`` first, then waits on ``then`` (a disconnect)."""
    pending = list(messages)

    async def receive():
        if pending:
            return pending.pop(0)
        if then is not None:
            return await then()
        return {"type": "http.disconnect"}
    return receive


# what an anonymous client may run several of at once only up to a limit: searches and lists
HEAVY = re.compile(r"^/(collections/[^/]+/items|search|services|auctions|parcels)/?$")


class ClientLimit:
    """An anonymous client (by IP address) may have at most ``per_client`` heavy requests
    (feature pages, searches, lists) in progress in this process; more are answered 429
    with Retry-After, so one client cannot take all the anonymous connections. Requests
    with credentials are not counted (they have connections of their own, ``api.db``)."""

    def __init__(self, app, per_client: int = 32) -> None:
        self.app = app
        self.per_client = per_client
        self.running: dict[str, int] = {}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not HEAVY.match(scope.get("path", "")) \
                or any(name == b"authorization" for name, _ in scope.get("headers") or []):
            return await self.app(scope, receive, send)
        client = (scope.get("client") or ("?", 0))[0]
        if self.running.get(client, 0) >= self.per_client:
            body = json.dumps({"code": "TooManyRequests",
                               "description": f"at most {self.per_client} searches and lists at once "
                                              "for an anonymous client; wait for one, or sign in"}).encode()
            await send({"type": "http.response.start", "status": 429,
                        "headers": [(b"content-type", b"application/json"), (b"retry-after", b"1"),
                                    (b"content-length", str(len(body)).encode())]})
            await send({"type": "http.response.body", "body": body})
            return
        self.running[client] = self.running.get(client, 0) + 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.running[client] -= 1
            if not self.running[client]:
                del self.running[client]
