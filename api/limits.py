"""Request bodies larger than the limit are refused with 413 before the application sees them.

A body with a Content-Length over the limit is refused at once. A body without one (sent
chunked) is read here, up to the limit, before the application is called, and handed to it
whole; past the limit it is refused the same way — never half-read by a handler.
"""

from __future__ import annotations

import json

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
