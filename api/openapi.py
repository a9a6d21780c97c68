"""The OpenAPI 3.0 document: FastAPI's, made what GDAL, QGIS and OAS 3.0 tools read.

- Shared query parameters (``limit``, ``bbox``, ``crs`` …) move to
  ``components.parameters`` and are referenced with ``$ref``: GDAL and QGIS read the
  maximum ``limit`` only from there. Those the items endpoint reads by hand come from
  ``api.dependencies.QUERY_PARAMETERS``; the same name elsewhere refers to them.
- FastAPI writes OpenAPI 3.1 schemas; ``anyOf [X, {type: null}]`` becomes
  ``X + nullable: true`` so the document is valid 3.0.
"""

from __future__ import annotations

import copy
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from api.dependencies import QUERY_PARAMETERS

SHARED = ("limit", "bbox", "bbox-crs", "crs", "datetime", "properties", "sortby", "filter",
          "filter-lang", "filter-crs", "offset", "cursor", "f")


def build(app: FastAPI, max_limit: int, default_limit: int) -> dict:
    document = get_openapi(title=app.title, version=app.version, description=app.description,
                           routes=app.routes)
    document["openapi"] = "3.0.3"
    shared: dict[str, dict] = copy.deepcopy(QUERY_PARAMETERS)
    for path in document.get("paths", {}).values():
        for operation in path.values():
            parameters = operation.get("parameters", [])
            for i, parameter in enumerate(parameters):
                name = parameter.get("name")
                if parameter.get("in") == "query" and name in SHARED:
                    known = shared.setdefault(name, parameter)
                    if name == "limit" or _same(known, parameter):  # else it stays inline
                        parameters[i] = {"$ref": f"#/components/parameters/{name}"}
    if "limit" in shared:
        shared["limit"]["schema"] = {"type": "integer", "minimum": 1, "maximum": max_limit,
                                     "default": default_limit}
        shared["limit"]["style"], shared["limit"]["explode"] = "form", False
    document.setdefault("components", {})["parameters"] = shared
    return _to_30(document)


def _same(one: dict, other: dict) -> bool:
    """Whether two definitions of a parameter take the same values (titles, descriptions
    and FastAPI's nullable aside): then one shared definition serves both."""
    def values(parameter: dict) -> dict:
        schema = {k: v for k, v in parameter.get("schema", {}).items()
                  if k not in ("title", "description")}
        options = [o for o in schema.pop("anyOf", []) if o != {"type": "null"}]
        return schema | (options[0] if len(options) == 1 else {"anyOf": options} if options else {})
    return values(one) == values(other)


def _to_30(node: Any) -> Any:
    if isinstance(node, dict):
        for key in ("anyOf", "oneOf"):
            options = node.get(key)
            if isinstance(options, list) and any(o == {"type": "null"} for o in options):
                rest = [o for o in options if o != {"type": "null"}]
                node.pop(key)
                if len(rest) == 1:
                    node.update(rest[0])
                else:
                    node[key] = rest
                node["nullable"] = True
        if node.get("type") == "null":
            node.pop("type")
            node["nullable"] = True
        if "examples" in node and isinstance(node["examples"], list) and "in" not in node:
            node["example"] = node.pop("examples")[0] if node["examples"] else None
        if "const" in node:
            node["enum"] = [node.pop("const")]
        for key in ("exclusiveMinimum", "exclusiveMaximum"):
            if isinstance(node.get(key), int | float) and not isinstance(node.get(key), bool):
                bound = node.pop(key)
                node["minimum" if key == "exclusiveMinimum" else "maximum"] = bound
                node[key] = True
        return {k: _to_30(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_to_30(v) for v in node]
    return node
