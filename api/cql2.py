"""CQL2 filters (text and JSON) → a parameterized SQL condition.

pygeofilter parses; this module walks its tree and emits SQL from a closed set of
operators, with the collection's trusted property expressions for attributes and a
``%s`` parameter for every literal. Nothing from the request is pasted into SQL.

Supported: comparisons (=, <>, <, <=, >, >=), LIKE (and CASEI), IN, BETWEEN, IS NULL,
AND/OR/NOT, arithmetic (+ - * /) on numbers, and the spatial functions (S_INTERSECTS, S_EQUALS,
S_DISJOINT, S_TOUCHES, S_WITHIN, S_OVERLAPS, S_CROSSES, S_CONTAINS) between the feature geometry and a WKT/GeoJSON geometry or BBOX literal,
in CRS84 unless ``filter-crs`` says otherwise.

Every comparison is type-checked against the queryables before any SQL is made: text with
text, numbers with numbers, dates and times with dates, times or ISO strings, booleans
with booleans — anything else is a 400 naming the property and the kinds.
"""

from __future__ import annotations

import json
from datetime import date, datetime

import shapely
from pygeofilter import ast, values
from pygeofilter.parsers.cql2_json import parse as parse_json
from pygeofilter.parsers.cql2_text import parse as parse_text

from api.collections import Collection
from api.crs import Crs, check_within
from api.errors import BadRequest
from api.features import pg_type

MAX_LENGTH = 20_000  # characters of a filter
MAX_NODES = 500
MAX_PUBLIC_VERTICES = 250  # of a filter's geometries, for anonymous requests
COMPARISONS = {ast.Equal: "=", ast.NotEqual: "<>", ast.LessThan: "<", ast.LessEqual: "<=",
               ast.GreaterThan: ">", ast.GreaterEqual: ">="}
ARITHMETIC = {ast.Add: "+", ast.Sub: "-", ast.Mul: "*", ast.Div: "/"}
SPATIAL = {ast.GeometryIntersects: "ST_Intersects", ast.GeometryWithin: "ST_Within",
           ast.GeometryContains: "ST_Contains", ast.GeometryDisjoint: "ST_Disjoint",
           ast.GeometryTouches: "ST_Touches", ast.GeometryCrosses: "ST_Crosses",
           ast.GeometryOverlaps: "ST_Overlaps", ast.GeometryEquals: "ST_Equals"}
GEOMETRY_NAMES = ("geometry", "geom", "footprint")
GEOMETRY_TYPES = ("Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon",
                  "GeometryCollection")
# What a value is, for type checks before any SQL: the kinds of the queryables' SQL types.
KIND_OF_PG = {"text": "string", "bigint": "number", "float8": "number", "numeric": "number",
              "boolean": "boolean", "date": "time", "timestamptz": "time"}
ORDERED = ("string", "number", "time")  # kinds < > BETWEEN make sense for
LANGUAGES = ("cql2-text", "cql2-json", "cql-text")  # cql-text: the draft's name, GDAL 3.6 sends it


def parse(text: str, lang: str | None) -> ast.Node:
    if len(text) > MAX_LENGTH:
        raise BadRequest(f"filter: longer than {MAX_LENGTH} characters")
    lang = lang or "cql2-text"
    try:
        if lang in ("cql2-text", "cql-text"):
            return parse_text(text)
        if lang == "cql2-json":
            return parse_json(json.loads(text))
    except BadRequest:
        raise
    except Exception as exc:  # the parsers raise many kinds; all mean a malformed filter
        message = " ".join(str(exc).split("\n\n")[0].split())[:200]
        raise BadRequest(f"filter: not valid {lang}: {message}") from None
    raise BadRequest(f"filter-lang: {lang[:40]!r} is not supported; use cql2-text or cql2-json")


class Compiler:
    def __init__(self, collection: Collection, storage_srid: int, crs: Crs,
                 max_vertices: int | None = None) -> None:
        self.collection = collection
        self.storage_srid = storage_srid
        self.crs = crs
        self.params: list = []
        self.nodes = 0
        self.vertices = 0
        self.max_vertices = max_vertices

    def compile(self, node) -> str:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise BadRequest(f"filter: more than {MAX_NODES} terms")
        if isinstance(node, ast.And | ast.Or):
            op = "AND" if isinstance(node, ast.And) else "OR"
            return f"({self.compile(node.lhs)} {op} {self.compile(node.rhs)})"
        if isinstance(node, ast.Not):
            return f"(NOT {self.compile(node.sub_node)})"
        if type(node) in COMPARISONS:
            lhs, rhs = self.pair(node.lhs, node.rhs, COMPARISONS[type(node)])
            if COMPARISONS[type(node)] not in ("=", "<>") and lhs[1] not in ORDERED:
                raise BadRequest(f"filter: {_show(node.lhs)} is {lhs[1]}: it has no order for "
                                 f"{COMPARISONS[type(node)]}")
            return f"({lhs[0]} {COMPARISONS[type(node)]} {rhs[0]})"
        if isinstance(node, ast.Like):
            op = "NOT LIKE" if node.not_ else "LIKE"
            lhs, pattern = self.typed(node.lhs), self.typed(node.pattern)
            if lhs[1] != "string" or pattern[1] != "string":
                raise BadRequest(f"filter: LIKE compares text: {_show(node.lhs)} is {lhs[1]}, "
                                 f"the pattern is {pattern[1]}")
            return f"({lhs[0]} {op} {pattern[0]})"
        if isinstance(node, ast.In):
            if not node.sub_nodes:
                raise BadRequest("filter: IN needs at least one value")
            lhs = self.typed(node.lhs)
            items = [self.against(lhs, v, "IN") for v in node.sub_nodes]
            return f"({lhs[0]} {'NOT IN' if node.not_ else 'IN'} ({', '.join(items)}))"
        if isinstance(node, ast.Between):
            op = "NOT BETWEEN" if node.not_ else "BETWEEN"
            lhs = self.typed(node.lhs)
            if lhs[1] not in ORDERED:
                raise BadRequest(f"filter: {_show(node.lhs)} is {lhs[1]}: BETWEEN needs an order")
            low, high = self.against(lhs, node.low, "BETWEEN"), self.against(lhs, node.high, "BETWEEN")
            return f"({lhs[0]} {op} {low} AND {high})"
        if isinstance(node, ast.IsNull):
            return f"({self.typed(node.lhs)[0]} IS {'NOT ' if node.not_ else ''}NULL)"
        if type(node) in SPATIAL:
            return f"{SPATIAL[type(node)]}({self.spatial(node.lhs)}, {self.spatial(node.rhs)})"
        if isinstance(node, ast.Include):
            return "false" if node.not_ else "true"
        if isinstance(node, bool):
            self.params.append(node)
            return "%s::boolean"
        raise BadRequest(f"filter: {type(node).__name__} is not supported here")

    def pair(self, a, b, op: str) -> tuple[tuple[str, str], tuple[str, str]]:
        """Two sides of a comparison, checked to be of one kind (a literal string compared
        with a date or time is read as one, or refused)."""
        if _is_literal(a) and not _is_literal(b):
            right = self.typed(b)
            return (self.against(right, a, op), right[1]), right
        left = self.typed(a)
        return left, (self.against(left, b, op), left[1])

    def against(self, side: tuple[str, str], node, op: str) -> str:
        """``node`` as SQL of the kind of ``side``, or a 400 saying what does not fit."""
        kind = side[1]
        if kind == "time" and isinstance(node, str):
            try:
                node = datetime.fromisoformat(node.replace("Z", "+00:00")) if "T" in node \
                    else date.fromisoformat(node)
            except ValueError:
                raise BadRequest(f"filter: {node!r} is not a date or time for {op} "
                                 "(expected YYYY-MM-DD or an ISO 8601 time)") from None
        sql, other = self.typed(node)
        if other != kind and not (other == "null" or kind == "null"):
            raise BadRequest(f"filter: {op} compares {kind} with {other} ({_show(node)})")
        return sql

    def typed(self, node) -> tuple[str, str]:
        """SQL and the kind of a value: string, number, boolean, time (or null)."""
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise BadRequest(f"filter: more than {MAX_NODES} terms")
        if isinstance(node, ast.Attribute):
            if node.name == "id":
                return self.collection.id_sql, "number"
            prop = self.collection.property(node.name)
            if prop is None or prop.type == "array":
                raise BadRequest(f"filter: {self.collection.id} has no queryable {node.name!r}; "
                                 f"see /collections/{self.collection.id}/queryables")
            return f"{prop.sql}::{pg_type(prop)}", KIND_OF_PG[pg_type(prop)]
        if type(node) in ARITHMETIC:
            lhs, rhs = self.typed(node.lhs), self.typed(node.rhs)
            if lhs[1] != "number" or rhs[1] != "number":
                raise BadRequest(f"filter: {ARITHMETIC[type(node)]} takes numbers, not "
                                 f"{lhs[1]} and {rhs[1]}")
            return f"({lhs[0]} {ARITHMETIC[type(node)]} {rhs[0]})", "number"
        if isinstance(node, ast.Function) and node.name == "lower" and len(node.arguments) == 1:
            inner = self.typed(node.arguments[0])
            if inner[1] != "string":
                raise BadRequest(f"filter: CASEI takes text, not {inner[1]}")
            return f"lower({inner[0]})", "string"
        if node is None:
            return "NULL", "null"
        if isinstance(node, bool):
            self.params.append(node)
            return "%s::boolean", "boolean"
        if isinstance(node, int):
            if abs(node) >= 10**30:
                raise BadRequest("filter: a number too large to compare")
            self.params.append(node)
            return ("%s::bigint" if abs(node) < 2**63 else "%s::numeric"), "number"
        if isinstance(node, float):
            if node != node or node in (float("inf"), float("-inf")):
                raise BadRequest("filter: numbers must be finite")
            self.params.append(node)
            return "%s::float8", "number"
        if isinstance(node, str):
            if any(0xD800 <= ord(c) <= 0xDFFF or c == "\x00" for c in node):
                raise BadRequest("filter: a string holds a character that is not text (a lone "
                                 "surrogate or NUL)")
            self.params.append(node)
            return "%s::text", "string"
        if isinstance(node, datetime):
            self.params.append(node)
            return "%s::timestamptz", "time"
        if isinstance(node, date):
            self.params.append(node)
            return "%s::date", "time"
        raise BadRequest(f"filter: {type(node).__name__} is not supported as a value")

    def scalar(self, node) -> str:
        return self.typed(node)[0]

    def spatial(self, node) -> str:
        if isinstance(node, ast.Attribute):
            if node.name not in GEOMETRY_NAMES:
                raise BadRequest(f"filter: {node.name!r} is not the geometry; use 'geometry'")
            return self.collection.geometry_sql
        if isinstance(node, values.Geometry):
            self.check_geometry(node.geometry)
            self.params.append(json.dumps(node.geometry))
            geometry = f"ST_SetSRID(ST_GeomFromGeoJSON(%s::text), {int(self.crs.srid)})"
            if self.crs.lat_first:  # GeoJSON literals come in the axis order of filter-crs
                geometry = f"ST_FlipCoordinates({geometry})"
            return self._in_storage(geometry)
        if isinstance(node, values.Envelope | ast.Function) and (
                isinstance(node, values.Envelope) or node.name.lower() == "bbox"):
            box = ([node.x1, node.y1, node.x2, node.y2] if isinstance(node, values.Envelope)
                   else list(node.arguments))
            if len(box) == 6:
                box = [box[0], box[1], box[3], box[4]]
            if len(box) != 4 or not all(isinstance(v, int | float) for v in box):
                raise BadRequest("filter: BBOX takes 4 numbers")
            if self.crs.lat_first:
                box = [box[1], box[0], box[3], box[2]]
            self.params.extend(float(v) for v in box)
            return self._in_storage(f"ST_MakeEnvelope(%s, %s, %s, %s, {int(self.crs.srid)})")
        raise BadRequest(f"filter: {type(node).__name__} is not a geometry")

    def check_geometry(self, geometry) -> None:
        """A geometry literal PostGIS can take: a known type, coordinates well nested,
        rings closed, points inside the filter-crs's domain; else a 400 saying which."""
        if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRY_TYPES:
            kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
            raise BadRequest(f"filter: {kind!r} is not a geometry type ({', '.join(GEOMETRY_TYPES)})")
        try:
            shape = shapely.geometry.shape(geometry)
            coords = shapely.get_coordinates(shape)
        except (KeyError, TypeError, ValueError, IndexError, AttributeError,
                shapely.errors.GEOSException) as exc:
            raise BadRequest(f"filter: not a valid {geometry['type']} ({' '.join(str(exc).split())[:120]})") from None
        for ring in _rings_as_given(geometry):
            if len(ring) < 4 or list(ring[0]) != list(ring[-1]):
                raise BadRequest("filter: a polygon's ring must be closed (its last point "
                                 "repeats the first) and have at least 4 points")
        if shape.is_empty:
            raise BadRequest("filter: the geometry is empty")
        self.vertices += len(coords)
        if self.max_vertices is not None and self.vertices > self.max_vertices:
            raise BadRequest(f"filter: its geometries have more than {self.max_vertices} vertices, the "
                             "most an anonymous request may send; simplify them or sign in")
        points = coords[:, ::-1] if self.crs.lat_first else coords
        check_within(self.crs, points.tolist(), "filter")

    def _in_storage(self, geometry: str) -> str:
        if self.crs.srid != self.storage_srid:
            geometry = f"ST_Transform({geometry}, {int(self.storage_srid)})"
        return geometry


def _rings_as_given(geometry: dict) -> list:
    """Every polygon ring of a GeoJSON geometry, as the request wrote it."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return list(geometry["coordinates"])
    if kind == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    if kind == "GeometryCollection":
        return [ring for g in geometry.get("geometries", []) for ring in _rings_as_given(g)]
    return []


def _is_literal(node) -> bool:
    return not isinstance(node, ast.Attribute | ast.Function) and type(node) not in ARITHMETIC


def _show(node) -> str:
    if isinstance(node, ast.Attribute):
        return node.name
    return repr(node) if not isinstance(node, ast.Node) else type(node).__name__


def compile_filter(text: str, lang: str | None, collection: Collection, storage_srid: int,
                   crs: Crs, max_vertices: int | None = None) -> tuple[str, list]:
    compiler = Compiler(collection, storage_srid, crs, max_vertices)
    sql = compiler.compile(parse(text, lang))
    return sql, compiler.params
