"""The tile hierarchy: a loose quadtree with the largest buildings in the parent tiles.

Buildings go to the quadrant holding their centre; a tile with more than
``max_features`` buildings splits in four, at the middle of its buildings' centres
(so far-apart clusters do not leave chains of near-empty levels). A parent tile draws
the ``coarse`` largest buildings of its subtree and its children add the rest
(``ADD`` refinement): the whole city shows from far away, detail streams in as the
camera comes close, and every building is stored once.

A building's *size* is the larger of its height and its footprint's diagonal. A
parent's geometric error is the size of the largest building it leaves out —
exactly the error, in metres, of drawing it without its children; leaves have 0.
A child leaves out a subset of what its parent leaves out, so its error never
exceeds the parent's. Bounding regions are tight: the union of the tile's own
buildings and its children's regions, so children always lie inside parents.

A tile's positions are 16-bit integers across its extent, so a tile also splits when
its buildings' centres lie more than ``MAX_EXTENT_M`` apart (a model of several towns,
say), keeping none itself: positions stay within about 6 cm of the truth.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

MAX_LEVEL = 20
MAX_EXTENT_M = 4_000.0  # across a tile's building centres; / 65,535 steps ≈ 6 cm
METRES_PER_DEGREE = 111_319.49


@dataclass
class Tile:
    level: int
    x: int
    y: int
    content: np.ndarray  # indices of the buildings this tile draws
    error: float
    children: list[Tile] = field(default_factory=list)
    region: np.ndarray | None = None  # west, south, east, north (degrees), min and max height

    @property
    def key(self) -> str:
        return f"{self.level}/{self.x}/{self.y}"

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


def quadtree(centres: np.ndarray, sizes: np.ndarray, bounds: np.ndarray, *,
             max_features: int = 2000, coarse: int = 1000) -> Tile:
    """Split buildings (lon/lat ``centres``) into tiles; ``bounds`` are each one's region."""
    order = np.argsort(-sizes, kind="stable")  # largest first, ties by row
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    members = np.arange(len(centres))
    root = _split(0, 0, 0, members, centres, sizes, rank, max_features, coarse)
    _regions(root, bounds)
    return root


def _split(level, x, y, members, centres, sizes, rank, max_features, coarse) -> Tile:
    wide = _extent_m(centres[members]) > MAX_EXTENT_M
    if (len(members) <= max_features and not wide) or level == MAX_LEVEL:
        return Tile(level, x, y, members, 0.0)
    ranked = members[np.argsort(rank[members], kind="stable")]
    keep = coarse if len(members) > max_features else 0  # a wide tile keeps none itself
    content, omitted = ranked[:keep], ranked[keep:]
    tile = Tile(level, x, y, np.sort(content), float(sizes[omitted].max()))
    members = np.sort(omitted)  # the children add what this tile leaves out
    w, s = centres[members].min(axis=0)  # the cell shrinks to its members: no empty levels
    e, n = centres[members].max(axis=0)
    mid_x, mid_y = (w + e) / 2, (s + n) / 2
    east_half = centres[members, 0] >= mid_x
    north_half = centres[members, 1] >= mid_y
    for dx, dy in ((0, 0), (1, 0), (0, 1), (1, 1)):
        mask = (east_half == bool(dx)) & (north_half == bool(dy))
        if mask.any():
            tile.children.append(_split(level + 1, 2 * x + dx, 2 * y + dy, members[mask],
                                        centres, sizes, rank, max_features, coarse))
    return tile


def _extent_m(centres: np.ndarray) -> float:
    (w, s), (e, n) = centres.min(axis=0), centres.max(axis=0)
    return float(max((e - w) * np.cos(np.radians((s + n) / 2)), n - s) * METRES_PER_DEGREE)


def _regions(tile: Tile, bounds: np.ndarray) -> np.ndarray:
    """bounds: (n, 6) west, south, east, north in degrees, bottom and top heights."""
    parts = [bounds[tile.content]] if len(tile.content) else []
    parts += [_regions(child, bounds)[None, :] for child in tile.children]
    stacked = np.concatenate(parts)
    region = np.array([stacked[:, 0].min(), stacked[:, 1].min(), stacked[:, 2].max(),
                       stacked[:, 3].max(), stacked[:, 4].min(), stacked[:, 5].max()])
    tile.region = region
    return region
