"""glTF 2.0 binary (.glb) for one tile: a quantized mesh with per-building metadata.

- Positions are unsigned 16-bit integers (``KHR_mesh_quantization``); the node's
  scale and translation map them back to metres, and carry the z-up → y-up turn
  glTF needs (3D Tiles is z-up, glTF y-up): x, y, z → x, z, −y, applied once here.
- Normals are normalized signed bytes, written multiplied by the node's scale (and
  normalized): the renderer applies the inverse transpose of that scale to them, which
  gives back the true normals; feature ids a FLOAT vertex attribute.
- ``EXT_mesh_features`` gives each building a feature id indexing the property
  table of ``EXT_structural_metadata``, whose schema types every property; NULLs
  are written as the property's ``noData`` value.
- Each vertex's surface class (roof, wall, ground, other: ``citymodel.surfaces``) is the
  ``_SURFACE_CLASS`` attribute (unsigned bytes), declared as the ``surface_class``
  property attribute of the ``surface`` class, for viewers to colour roofs and walls
  apart (CesiumJS: ``fsInput.attributes.surface_class`` in a custom shader).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from citymodel.models import HEIGHT_SOURCES, PROPOSED_HEIGHT_SOURCE
from citymodel.surfaces import TILE_CLASSES
from tiles.extrude import Mesh

GLB_MAGIC, GLB_VERSION = 0x46546C67, 2
JSON_CHUNK, BIN_CHUNK = 0x4E4F534A, 0x004E4942
ARRAY_BUFFER, ELEMENT_ARRAY_BUFFER = 34962, 34963
BYTE, UNSIGNED_BYTE, SHORT, UNSIGNED_SHORT, UNSIGNED_INT, FLOAT = 5120, 5121, 5122, 5123, 5125, 5126
QUANT = 65535


@dataclass(frozen=True)
class Property:
    """A typed property of the building class."""

    name: str
    type: str  # SCALAR | STRING | ENUM
    component: str | None = None  # FLOAT32, UINT16, UINT32 … for SCALAR
    no_data: object = None  # written for NULL values
    enum: str | None = None
    description: str = ""


# the city's height sources, and the proposals of scenarios (tiles.proposals)
ENUMS = {"HeightSource": (*HEIGHT_SOURCES, PROPOSED_HEIGHT_SOURCE)}
PROPERTIES: tuple[Property, ...] = (
    Property("building_id", "SCALAR", "UINT32", description="id of the building in citymodel"),
    Property("cadastral_number", "STRING", no_data="", description="the building's own cadastral number"),
    Property("parcel", "STRING", no_data="", description="cadastral number of the parcel it stands on"),
    Property("height", "SCALAR", "FLOAT32", description="metres from the ground to the top"),
    Property("height_source", "ENUM", enum="HeightSource", description="how the height was obtained"),
    Property("floors", "SCALAR", "UINT16", no_data=65535, description="number of levels"),
    Property("use", "STRING", no_data=""),
    Property("year_built", "SCALAR", "UINT16", no_data=0),
    Property("address", "STRING", no_data=""),
    Property("auction_status", "STRING", no_data="",
             description="status of the newest auction lot on its parcel"),
)
_NUMPY = {"FLOAT32": np.float32, "UINT16": np.uint16, "UINT32": np.uint32}


def schema() -> dict:
    properties = {}
    for p in PROPERTIES:
        entry: dict = {"type": p.type}
        if p.component:
            entry["componentType"] = p.component
        if p.enum:
            entry["enumType"] = p.enum
        if p.no_data is not None:
            entry["noData"] = p.no_data
        if p.description:
            entry["description"] = p.description
        properties[p.name] = entry
    return {
        "id": "citymodel",
        "classes": {
            "building": {"name": "Building", "properties": properties},
            "surface": {"name": "Surface", "properties": {"surface_class": {
                "type": "SCALAR", "componentType": "UINT8", "description": "what the surface is: "
                + ", ".join(f"{i} {name}" for i, name in enumerate(TILE_CLASSES))}}},
        },
        "enums": {
            name: {"valueType": "UINT8", "values": [{"name": v, "value": i} for i, v in enumerate(values)]}
            for name, values in ENUMS.items()
        },
    }


class _Buffer:
    """The binary chunk, built of 8-byte-aligned buffer views."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.views: list[dict] = []

    def view(self, data: bytes, *, target: int | None = None, stride: int | None = None) -> int:
        pad = (-self.size) % 8
        if pad:
            self.parts.append(b"\0" * pad)
            self.size += pad
        entry = {"buffer": 0, "byteOffset": self.size, "byteLength": len(data)}
        if target:
            entry["target"] = target
        if stride:
            entry["byteStride"] = stride
        self.parts.append(data)
        self.size += len(data)
        self.views.append(entry)
        return len(self.views) - 1

    def bytes(self) -> bytes:
        data = b"".join(self.parts)
        return data + b"\0" * ((-len(data)) % 8)


def encode(mesh: Mesh, rows: dict[str, Sequence], count: int) -> bytes:
    """The .glb of ``mesh``, whose feature ids index ``count`` rows of ``rows``."""
    buffer = _Buffer()
    accessors: list[dict] = []

    # z-up (EPSG:4978 axes) → glTF y-up
    yup = mesh.positions[:, [0, 2, 1]] * [1.0, 1.0, -1.0]
    low, high = yup.min(axis=0), yup.max(axis=0)
    extent = np.where(high - low > 0, high - low, 1.0)
    quantized = np.rint((yup - low) / extent * QUANT).astype(np.uint16)
    padded = np.zeros((len(quantized), 4), dtype=np.uint16)
    padded[:, :3] = quantized
    accessors.append({
        "bufferView": buffer.view(padded.tobytes(), target=ARRAY_BUFFER, stride=8),
        "componentType": UNSIGNED_SHORT, "count": len(quantized), "type": "VEC3",
        "min": quantized.min(axis=0).tolist(), "max": quantized.max(axis=0).tolist(),
    })
    # The renderer turns normals by the inverse transpose of the node's (non-uniform) scale:
    # written pre-scaled, they come out as the true normals.
    normals = mesh.normals[:, [0, 2, 1]] * [1.0, 1.0, -1.0] * (extent / QUANT)
    normals /= np.maximum(np.linalg.norm(normals, axis=1), 1e-30)[:, None]
    packed = np.zeros((len(normals), 4), dtype=np.int8)
    packed[:, :3] = np.clip(np.rint(normals * 127), -127, 127)
    accessors.append({
        "bufferView": buffer.view(packed.tobytes(), target=ARRAY_BUFFER, stride=4),
        "componentType": BYTE, "normalized": True, "count": len(normals), "type": "VEC3",
    })
    ids = mesh.feature_ids.astype(np.float32)
    accessors.append({
        "bufferView": buffer.view(ids.tobytes(), target=ARRAY_BUFFER, stride=4),
        "componentType": FLOAT, "count": len(ids), "type": "SCALAR",
    })
    surface = np.zeros((len(mesh.positions), 4), dtype=np.uint8)
    surface[:, 0] = mesh.surface if mesh.surface is not None else len(TILE_CLASSES) - 1
    accessors.append({
        "bufferView": buffer.view(surface.tobytes(), target=ARRAY_BUFFER, stride=4),
        "componentType": UNSIGNED_BYTE, "count": len(surface), "type": "SCALAR",
    })
    wide = len(mesh.positions) > 65535
    indices = mesh.indices.astype(np.uint32 if wide else np.uint16)
    accessors.append({
        "bufferView": buffer.view(indices.tobytes(), target=ELEMENT_ARRAY_BUFFER),
        "componentType": UNSIGNED_INT if wide else UNSIGNED_SHORT, "count": len(indices),
        "type": "SCALAR",
    })

    table = {"class": "building", "count": count, "properties": {}}
    for prop in PROPERTIES:
        values = rows[prop.name]
        if all(v is None or v == "" for v in values):
            continue  # a property the table leaves out is "no data" for every feature
        table["properties"][prop.name] = _encode_property(buffer, prop, values)

    document = {
        "asset": {"version": "2.0", "generator": "citymodel"},
        "extensionsUsed": ["KHR_mesh_quantization", "EXT_mesh_features", "EXT_structural_metadata"],
        "extensionsRequired": ["KHR_mesh_quantization"],
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "translation": low.tolist(), "scale": (extent / QUANT).tolist()}],
        "meshes": [{"primitives": [{
            "attributes": {"POSITION": 0, "NORMAL": 1, "_FEATURE_ID_0": 2, "_SURFACE_CLASS": 3},
            "indices": 4,
            "mode": 4,
            "material": 0,
            "extensions": {
                "EXT_mesh_features": {"featureIds": [
                    {"featureCount": count, "attribute": 0, "propertyTable": 0}]},
                "EXT_structural_metadata": {"propertyAttributes": [0]},
            },
        }]}],
        "materials": [{"pbrMetallicRoughness": {"baseColorFactor": [0.86, 0.84, 0.8, 1.0],
                                                "metallicFactor": 0.0, "roughnessFactor": 0.9}}],
        "accessors": accessors,
        "bufferViews": buffer.views,
        "buffers": [{"byteLength": 0}],
        "extensions": {"EXT_structural_metadata": {
            "schema": schema(), "propertyTables": [table],
            "propertyAttributes": [{"class": "surface",
                                    "properties": {"surface_class": {"attribute": "_SURFACE_CLASS"}}}],
        }},
    }
    binary = buffer.bytes()
    document["buffers"][0]["byteLength"] = len(binary)
    text = json.dumps(document, separators=(",", ":")).encode()
    text += b" " * ((-len(text)) % 4)
    total = 12 + 8 + len(text) + 8 + len(binary)
    return b"".join([
        struct.pack("<III", GLB_MAGIC, GLB_VERSION, total),
        struct.pack("<II", len(text), JSON_CHUNK), text,
        struct.pack("<II", len(binary), BIN_CHUNK), binary,
    ])


def _encode_property(buffer: _Buffer, prop: Property, values: Sequence) -> dict:
    if prop.type == "STRING":
        encoded = [(v if v is not None else prop.no_data or "").encode() for v in values]
        offsets = np.zeros(len(encoded) + 1, dtype=np.uint32)
        offsets[1:] = np.cumsum([len(e) for e in encoded])
        return {"values": buffer.view(b"".join(encoded)),
                "stringOffsets": buffer.view(offsets.tobytes()), "stringOffsetType": "UINT32"}
    if prop.type == "ENUM":
        names = ENUMS[prop.enum]
        return {"values": buffer.view(np.array([names.index(v) for v in values], dtype=np.uint8).tobytes())}
    array = np.array([prop.no_data if v is None else v for v in values], dtype=_NUMPY[prop.component])
    return {"values": buffer.view(array.tobytes())}
