"""A reader of quantized-mesh-1.0 tiles, written from the format's specification
(github.com/CesiumGS/quantized-mesh), independently of the encoder the server uses: the
tests decode what the server sends and compare it with the terrain."""

from __future__ import annotations

import struct
from dataclasses import dataclass

import numpy as np

HEADER = struct.Struct("<3d2f4d3d")  # centre, min/max height, bounding sphere, horizon point


@dataclass
class Tile:
    min_height: float
    max_height: float
    u: np.ndarray  # 0 … 32767 west → east
    v: np.ndarray  # 0 … 32767 south → north
    h: np.ndarray  # 0 … 32767 min → max height
    triangles: np.ndarray  # (n, 3) vertex indices
    edges: dict[str, np.ndarray]  # west, south, east, north
    extensions: dict[int, bytes]

    def positions(self, bounds: tuple[float, float, float, float]) -> np.ndarray:
        """Longitude, latitude, height of each vertex, within the tile's bounds."""
        w, s, e, n = bounds
        return np.column_stack([
            w + self.u / 32767 * (e - w), s + self.v / 32767 * (n - s),
            self.min_height + self.h / 32767 * (self.max_height - self.min_height)])


def _zigzag_deltas(values: np.ndarray) -> np.ndarray:
    v = values.astype(np.int64)
    return np.cumsum((v >> 1) ^ -(v & 1))


def _high_water_mark(codes: np.ndarray) -> np.ndarray:
    out = np.empty(len(codes), dtype=np.int64)
    highest = 0
    for i, code in enumerate(codes.tolist()):
        out[i] = highest - code
        if code == 0:
            highest += 1
    return out


def decode(data: bytes) -> Tile:
    header = HEADER.unpack_from(data, 0)
    offset = HEADER.size
    (count,) = struct.unpack_from("<I", data, offset)
    offset += 4
    raw = np.frombuffer(data, dtype="<u2", count=3 * count, offset=offset)
    offset += 6 * count
    u, v, h = (_zigzag_deltas(raw[i * count:(i + 1) * count]) for i in range(3))
    wide = count > 65536
    if wide and offset % 4:
        offset += 4 - offset % 4
    elif not wide and offset % 2:
        offset += 1
    index_type, size = ("<u4", 4) if wide else ("<u2", 2)
    (triangle_count,) = struct.unpack_from("<I", data, offset)
    offset += 4
    codes = np.frombuffer(data, dtype=index_type, count=3 * triangle_count, offset=offset)
    offset += size * 3 * triangle_count
    triangles = _high_water_mark(codes).reshape(-1, 3)
    edges = {}
    for name in ("west", "south", "east", "north"):
        (n,) = struct.unpack_from("<I", data, offset)
        offset += 4
        edges[name] = np.frombuffer(data, dtype=index_type, count=n, offset=offset).astype(np.int64)
        offset += size * n
    extensions = {}
    while offset < len(data):
        ext_id, length = struct.unpack_from("<BI", data, offset)
        offset += 5
        extensions[ext_id] = data[offset:offset + length]
        offset += length
    return Tile(header[3], header[4], u, v, h, triangles, edges, extensions)


def oct_decode(data: bytes) -> np.ndarray:
    """The octvertexnormals extension's unit normals (one per vertex)."""
    xy = np.frombuffer(data, dtype=np.uint8).reshape(-1, 2).astype(float) / 255 * 2 - 1
    z = 1 - np.abs(xy[:, 0]) - np.abs(xy[:, 1])
    x, y = xy[:, 0].copy(), xy[:, 1].copy()
    neg = z < 0
    x[neg], y[neg] = ((1 - np.abs(xy[neg, 1])) * np.sign(xy[neg, 0]),
                      (1 - np.abs(xy[neg, 0])) * np.sign(xy[neg, 1]))
    n = np.column_stack([x, y, z])
    return n / np.linalg.norm(n, axis=1, keepdims=True)
