"""Representations: JSON as built, HTML through one template, links, media types."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote_plus

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape

from api.errors import ApiError, BadRequest

GEOJSON = "application/geo+json"
JSON = "application/json"
HTML = "text/html"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
SCHEMA = "application/schema+json"

_templates = Environment(loader=FileSystemLoader(Path(__file__).parent / "templates"),
                         autoescape=select_autoescape(["html"]), enable_async=False)


class NotAcceptable(ApiError):
    status = 406
    code = "NotAcceptable"


def wants_html(request: Request) -> bool:
    """``f=html|json`` decides; else the Accept header (browsers ask for HTML)."""
    f = request.query_params.get("f")
    if f is not None:
        if f not in ("json", "html"):
            raise BadRequest(f"f: {f!r} is not one of json, html")
        return f == "html"
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "json" not in accept.split("text/html")[0]


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def link(href: str, rel: str, type_: str, title: str | None = None) -> dict:
    entry = {"href": href, "rel": rel, "type": type_}
    if title:
        entry["title"] = title
    return entry


def url_with(request: Request, drop: tuple[str, ...] = (), **add: str) -> str:
    """This request's URL without the query parameters in ``drop`` and with ``add`` set.
    A response links its request's URL several times over (self, alternate, next as JSON
    and as HTML): the query is encoded once per request and each link joins its parts."""
    url = request.url
    pairs = request.scope.get(_ENCODED_QUERY)
    if pairs is None:
        pairs = request.scope[_ENCODED_QUERY] = [
            (k, f"{quote_plus(k)}={quote_plus(v)}") for k, v in request.query_params.multi_items()]
    query = "&".join([*(part for k, part in pairs if k not in add and k not in drop),
                      *(f"{quote_plus(k)}={quote_plus(v)}" for k, v in add.items())])
    return f"{url.scheme}://{url.netloc}{url.path}" + (f"?{query}" if query else "")


_ENCODED_QUERY = "citymodel.encoded_query"  # the scope's key for url_with's parts


def self_links(request: Request, json_type: str = JSON, title: str = "") -> list[dict]:
    """``self`` and ``alternate`` for the JSON and HTML forms of this request's URL."""
    as_json, as_html = url_with(request, f="json"), url_with(request, f="html")
    html = wants_html(request)
    return [
        link(as_html if html else as_json, "self", HTML if html else json_type, title or None),
        link(as_json if html else as_html, "alternate", json_type if html else HTML,
             f"this document as {'JSON' if html else 'HTML'}"),
    ]


def render(request: Request, document: dict, *, json_type: str = JSON, title: str,
           headers: dict[str, str] | None = None, raw: bytes | None = None) -> Response:
    """The document as JSON (``raw`` when already serialized) or as an HTML page."""
    if wants_html(request):
        return html_page(title, document, headers)
    body = raw if raw is not None else json.dumps(document, separators=(",", ":"),
                                                  ensure_ascii=False, default=str).encode()
    return Response(body, media_type=json_type, headers=headers)


def html_page(title: str, document: dict, headers: dict[str, str] | None = None) -> HTMLResponse:
    page = _templates.get_template("page.html").render(title=title, doc=document, json=json.dumps)
    return HTMLResponse(page, headers=headers)


# Responses that carry personal data (holders' names and INNs): never stored by a shared cache.
PRIVATE = {"Cache-Control": "private, no-store"}


def render_template(name: str, **values) -> str:
    """One of api/templates, rendered (autoescaped)."""
    return _templates.get_template(name).render(**values)


def not_modified(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header:
        return False
    tags = {t.strip().removeprefix("W/") for t in header.split(",")}
    return etag in tags or "*" in tags
