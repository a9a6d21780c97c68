"""CQL2 filters (text and JSON) → a parameterized SQL condition.

pygeofilter parses; this module walks its tree and emits SQL from a closed set of
operators, with the collection's trusted property expressions for attributes and a
``%s`` parameter for every literal. Nothing from the request is pasted into SQL.

Supported: comparisons (=, <>, <, <=, >, >=), LIKE (and CASEI), IN, BETWEEN, IS NULL,
AND/OR/NOT, arithmetic (+ - * /), and the spatial functions (S_INTERSECTS, S_EQUALS,
S_DISJOINT, S_TOUCHES, S_WITHIN, S_OVERLAPS, S_CROSSES, S_CONTAINS) between the feature geometry and a WKT/GeoJSON geometry or BBOX literal,
in CRS84 unless ``filter-crs`` says otherwise.
"""

from __future__ import annotations

import json
from datetime import date, datetime

from pygeofilter import ast, values
from pygeofilter.parsers.cql2_json import parse as parse_json
from pygeofilter.parsers.cql2_text import parse as parse_text

from api.collections import Collection
from api.crs import Crs
from api.errors import BadRequest
from api.features import pg_type

MAX_LENGTH = 20_000  # characters of a filter
MAX_NODES = 500
COMPARISONS = {ast.Equal: "=", ast.NotEqual: "<>", ast.LessThan: "<", ast.LessEqual: "<=",
               ast.GreaterThan: ">", ast.GreaterEqual: ">="}
ARITHMETIC = {ast.Add: "+", ast.Sub: "-", ast.Mul: "*", ast.Div: "/"}
SPATIAL = {ast.GeometryIntersects: "ST_Intersects", ast.GeometryWithin: "ST_Within",
           ast.GeometryContains: "ST_Contains", ast.GeometryDisjoint: "ST_Disjoint",
           ast.GeometryTouches: "ST_Touches", ast.GeometryCrosses: "ST_Crosses",
           ast.GeometryOverlaps: "ST_Overlaps", ast.GeometryEquals: "ST_Equals"}
GEOMETRY_NAMES = ("geometry", "geom", "footprint")


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
    raise BadRequest(f"filter-lang: {lang!r} is not supported; use cql2-text or cql2-json")


class Compiler:
    def __init__(self, collection: Collection, storage_srid: int, crs: Crs) -> None:
        self.collection = collection
        self.storage_srid = storage_srid
        self.crs = crs
        self.params: list = []
        self.nodes = 0

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
            return f"({self.scalar(node.lhs)} {COMPARISONS[type(node)]} {self.scalar(node.rhs)})"
        if isinstance(node, ast.Like):
            op = "NOT LIKE" if node.not_ else "LIKE"
            return f"({self.scalar(node.lhs)} {op} {self.scalar(node.pattern)})"
        if isinstance(node, ast.In):
            if not node.sub_nodes:
                raise BadRequest("filter: IN needs at least one value")
            items = ", ".join(self.scalar(v) for v in node.sub_nodes)
            return f"({self.scalar(node.lhs)} {'NOT IN' if node.not_ else 'IN'} ({items}))"
        if isinstance(node, ast.Between):
            op = "NOT BETWEEN" if node.not_ else "BETWEEN"
            return f"({self.scalar(node.lhs)} {op} {self.scalar(node.low)} AND {self.scalar(node.high)})"
        if isinstance(node, ast.IsNull):
            return f"({self.scalar(node.lhs)} IS {'NOT ' if node.not_ else ''}NULL)"
        if type(node) in SPATIAL:
            return f"{SPATIAL[type(node)]}({self.spatial(node.lhs)}, {self.spatial(node.rhs)})"
        if isinstance(node, ast.Include):
            return "false" if node.not_ else "true"
        if isinstance(node, bool):
            self.params.append(node)
            return "%s::boolean"
        raise BadRequest(f"filter: {type(node).__name__} is not supported here")

    def scalar(self, node) -> str:
        self.nodes += 1
        if isinstance(node, ast.Attribute):
            prop = self.collection.property(node.name)
            if node.name == "id":
                return self.collection.id_sql
            if prop is None or prop.type == "array":
                raise BadRequest(f"filter: {self.collection.id} has no queryable {node.name!r}; "
                                 f"see /collections/{self.collection.id}/queryables")
            return f"{prop.sql}::{pg_type(prop)}"
        if type(node) in ARITHMETIC:
            return f"({self.scalar(node.lhs)} {ARITHMETIC[type(node)]} {self.scalar(node.rhs)})"
        if isinstance(node, ast.Function) and node.name == "lower" and len(node.arguments) == 1:
            return f"lower({self.scalar(node.arguments[0])})"
        if isinstance(node, bool):
            self.params.append(node)
            return "%s::boolean"
        if isinstance(node, int):
            self.params.append(node)
            return "%s::bigint" if abs(node) < 2**63 else "%s::numeric"
        if isinstance(node, float):
            self.params.append(node)
            return "%s::float8"
        if isinstance(node, str):
            self.params.append(node)
            return "%s::text"
        if isinstance(node, datetime):
            self.params.append(node)
            return "%s::timestamptz"
        if isinstance(node, date):
            self.params.append(node)
            return "%s::date"
        raise BadRequest(f"filter: {type(node).__name__} is not supported as a value")

    def spatial(self, node) -> str:
        if isinstance(node, ast.Attribute):
            if node.name not in GEOMETRY_NAMES:
                raise BadRequest(f"filter: {node.name!r} is not the geometry; use 'geometry'")
            return self.collection.geometry_sql
        if isinstance(node, values.Geometry):
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

    def _in_storage(self, geometry: str) -> str:
        if self.crs.srid != self.storage_srid:
            geometry = f"ST_Transform({geometry}, {int(self.storage_srid)})"
        return geometry


def compile_filter(text: str, lang: str | None, collection: Collection, storage_srid: int,
                   crs: Crs) -> tuple[str, list]:
    compiler = Compiler(collection, storage_srid, crs)
    sql = compiler.compile(parse(text, lang))
    return sql, compiler.params
