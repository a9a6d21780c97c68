"""Checks for built tilesets: official schemas, the Khronos validator, and a .glb reader.

The schemas in tests/schemas/ are the official ones (3D Tiles 1.1 from
CesiumGS/3d-tiles, EXT_mesh_features and EXT_structural_metadata from CesiumGS/glTF,
Apache-2.0). The extension schemas refer to three glTF core schemas that are not
among them; those resolve to empty schemas here, the core being the Khronos
validator's job.
"""

from __future__ import annotations

import json
import struct
import subprocess
from functools import cache
from pathlib import Path
from urllib.parse import urlparse

import jsonschema
import numpy as np
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

ROOT = Path(__file__).parent.parent
SCHEMAS = Path(__file__).parent / "schemas"
DTYPES = {5120: np.int8, 5121: np.uint8, 5122: np.int16, 5123: np.uint16, 5125: np.uint32, 5126: np.float32}
WIDTH = {"SCALAR": 1, "VEC2": 2, "VEC3": 3, "VEC4": 4}


def _retrieve(uri: str) -> Resource:
    path = Path(urlparse(uri).path)
    contents = json.loads(path.read_text()) if path.exists() else {}
    return Resource.from_contents(contents, default_specification=DRAFT202012)


@cache
def _validator(path: Path) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator({"$ref": path.as_uri()}, registry=Registry(retrieve=_retrieve))


def schema_errors(document: dict, schema: Path) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in _validator(schema).iter_errors(document)]


def tileset_errors(tileset: dict) -> list[str]:
    return schema_errors(tileset, SCHEMAS / "3dtiles" / "tileset.schema.json")


def extension_errors(gltf: dict) -> list[str]:
    base = SCHEMAS / "gltf-ext"
    errors = schema_errors(gltf["extensions"]["EXT_structural_metadata"],
                           base / "EXT_structural_metadata" / "schema" / "glTF.EXT_structural_metadata.schema.json")
    for mesh in gltf["meshes"]:
        for primitive in mesh["primitives"]:
            errors += schema_errors(primitive["extensions"]["EXT_mesh_features"],
                                    base / "EXT_mesh_features" / "schema" / "mesh.primitive.EXT_mesh_features.schema.json")
    return errors


def khronos_reports(paths: list[Path]) -> list[dict]:
    """Reports of the Khronos glTF validator (npm gltf-validator) for each file."""
    result = subprocess.run(["node", str(ROOT / "scripts" / "validate_gltf.mjs"), *map(str, paths)],
                            capture_output=True, text=True, check=True, cwd=ROOT)
    return [json.loads(line) for line in result.stdout.splitlines()]


class Glb:
    """A .glb's JSON and binary chunks, with accessors and property tables decoded."""

    def __init__(self, path: Path) -> None:
        data = path.read_bytes()
        magic, version, length = struct.unpack_from("<III", data)
        assert (magic, version, length) == (0x46546C67, 2, len(data))
        json_length, _ = struct.unpack_from("<II", data, 12)
        self.json = json.loads(data[20:20 + json_length])
        bin_length, _ = struct.unpack_from("<II", data, 20 + json_length)
        self.bin = data[28 + json_length:28 + json_length + bin_length]

    def view(self, index: int) -> bytes:
        v = self.json["bufferViews"][index]
        return self.bin[v.get("byteOffset", 0):v.get("byteOffset", 0) + v["byteLength"]]

    def accessor(self, index: int) -> np.ndarray:
        a = self.json["accessors"][index]
        v = self.json["bufferViews"][a["bufferView"]]
        dtype = np.dtype(DTYPES[a["componentType"]])
        width = WIDTH[a["type"]]
        stride = v.get("byteStride", dtype.itemsize * width)
        raw = np.frombuffer(self.view(a["bufferView"]), dtype=np.uint8)
        rows = np.lib.stride_tricks.as_strided(raw, (a["count"], stride), (stride, 1))
        values = rows[:, :dtype.itemsize * width].copy().view(dtype).reshape(a["count"], width)
        if a.get("normalized"):
            values = np.maximum(values / float(np.iinfo(dtype).max), -1.0)
        return values if width > 1 else values[:, 0]

    @property
    def primitive(self) -> dict:
        return self.json["meshes"][0]["primitives"][0]

    def positions_ecef(self) -> np.ndarray:
        """POSITION through the node's scale and translation, turned back to z-up."""
        node = self.json["nodes"][0]
        yup = self.accessor(self.primitive["attributes"]["POSITION"]) * node["scale"] + node["translation"]
        return np.column_stack([yup[:, 0], -yup[:, 2], yup[:, 1]])

    def normals_ecef(self) -> np.ndarray:
        """NORMAL as a renderer has it: through the inverse transpose of the node's scale,
        normalized, turned back to z-up."""
        yup = self.accessor(self.primitive["attributes"]["NORMAL"]) / self.json["nodes"][0]["scale"]
        yup /= np.linalg.norm(yup, axis=1)[:, None]
        return np.column_stack([yup[:, 0], -yup[:, 2], yup[:, 1]])

    def property_table(self) -> dict[str, list]:
        meta = self.json["extensions"]["EXT_structural_metadata"]
        table = meta["propertyTables"][0]
        klass = meta["schema"]["classes"][table["class"]]["properties"]
        result = {}
        for name, prop in table["properties"].items():
            definition = klass[name]
            if definition["type"] == "STRING":
                offsets = np.frombuffer(self.view(prop["stringOffsets"]), dtype=np.uint32)
                data = self.view(prop["values"])
                result[name] = [data[offsets[i]:offsets[i + 1]].decode() for i in range(table["count"])]
            elif definition["type"] == "ENUM":
                names = {v["value"]: v["name"] for v in meta["schema"]["enums"][definition["enumType"]]["values"]}
                result[name] = [names[v] for v in np.frombuffer(self.view(prop["values"]), dtype=np.uint8)]
            else:
                dtype = {"FLOAT32": np.float32, "UINT16": np.uint16, "UINT32": np.uint32}[definition["componentType"]]
                result[name] = np.frombuffer(self.view(prop["values"]), dtype=dtype).tolist()
        return result
