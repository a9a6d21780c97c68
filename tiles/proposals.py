"""A scenario's proposed buildings as a small 3D Tiles tileset: one tile, one glTF.

Built on request (a scenario holds a handful of buildings; encoding them takes
milliseconds), with the city tileset's metadata schema — the same ``building`` class,
so a client styles and picks proposals exactly as it does the city's buildings:
``building_id`` is the proposal's id, ``parcel`` the parcel it stands on,
``height_source`` is ``proposed``.

Heights follow the city tileset's rule: a proposal stands from its ground plus its
``min_height`` to its ground plus its ``height``. Its ground (``ground``, an ellipsoidal
height) is given by the caller: the terrain's, by the rule that stands the city's
buildings on it (citymodel.terrain), or 0 — the ellipsoid, where a city building without
a ground elevation stands too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely

from citymodel.models import PROPOSED_HEIGHT_SOURCE
from tiles import gltf
from tiles.extrude import ecef, extrude


@dataclass(frozen=True)
class Proposal:
    id: int
    footprint: shapely.Geometry  # longitude/latitude
    height: float
    min_height: float = 0.0
    floors: int | None = None
    use: str | None = None
    name: str | None = None
    parcel: str | None = None
    ground: float = 0.0  # metres above the WGS 84 ellipsoid


def encode(proposals: Sequence[Proposal]) -> bytes:
    """The .glb of the proposals (empty bytes when there are none)."""
    if not proposals:
        return b""
    footprints = np.array([p.footprint for p in proposals], dtype=object)
    base = np.array([p.ground + p.min_height for p in proposals], dtype=float)
    top = np.array([p.ground + p.height for p in proposals], dtype=float)
    box = shapely.total_bounds(footprints)
    centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
    centre_ecef = ecef(np.array([centre[0]]), np.array([centre[1]]), np.array([0.0]))[0]
    mesh = extrude(footprints, base, top, centre, centre_ecef)
    if mesh.empty:
        return b""
    mesh.positions += centre_ecef
    rows = {
        "building_id": [p.id for p in proposals],
        "cadastral_number": [None] * len(proposals),
        "parcel": [p.parcel for p in proposals],
        "height": [p.height for p in proposals],
        "height_source": [PROPOSED_HEIGHT_SOURCE] * len(proposals),
        "floors": [p.floors for p in proposals],
        "use": [p.use for p in proposals],
        "year_built": [None] * len(proposals),
        "address": [p.name for p in proposals],
        "auction_status": [None] * len(proposals),
    }
    return gltf.encode(mesh, rows, len(proposals))


def tileset(proposals: Sequence[Proposal], content_uri: str) -> dict:
    """The tileset.json: one root tile whose content is ``content_uri`` (none when empty)."""
    root: dict = {"geometricError": 0.0, "refine": "ADD"}
    if proposals:
        box = shapely.total_bounds([p.footprint for p in proposals])
        low = min(p.ground + p.min_height for p in proposals)
        high = max(p.ground + p.height for p in proposals)
        root["content"] = {"uri": content_uri}
    else:  # an empty scenario: a valid tileset with nothing in it
        box, low, high = (0.0, 0.0, 0.0, 0.0), 0.0, 0.0
    w, s, e, n = (float(np.radians(v)) for v in box)
    root["boundingVolume"] = {"region": [w, s, e, n, float(low), float(high)]}
    return {"asset": {"version": "1.1", "generator": "citymodel"},
            "geometricError": 0.0 if not proposals else 500.0, "root": root}
