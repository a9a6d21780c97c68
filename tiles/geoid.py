"""Orthometric heights (above sea level) → ellipsoidal heights (above WGS 84), for 3D Tiles.

3D Tiles places content by ellipsoidal height; city registers and OpenStreetMap give
heights above sea level. The difference is the geoid undulation N (about 14.5 m in
Moscow): h = H + N. N comes from the EGM96 grid of Debian's proj-data package, read
by PROJ's vgridshift (within about half a metre of EGM2008 in European Russia).
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

import numpy as np
import pyproj

from citymodel.errors import CitymodelError

DEFAULT_GRID = Path("/usr/share/proj/egm96_15.gtx")


@cache
def _transformer(grid: Path) -> pyproj.Transformer:
    if not grid.exists():
        raise CitymodelError(
            f"the geoid grid {grid} is missing: install Debian's proj-data (scripts/setup does), "
            "set CITYMODEL_GEOID_GRID, or set CITYMODEL_HEIGHT_DATUM=ellipsoidal if the ground "
            "elevations are ellipsoidal heights"
        )
    return pyproj.Transformer.from_pipeline(
        "+proj=pipeline +step +proj=unitconvert +xy_in=deg +xy_out=rad "
        f"+step +proj=vgridshift +grids={grid} +multiplier=1 "
        "+step +proj=unitconvert +xy_in=rad +xy_out=deg"
    )


_lock = threading.Lock()  # the cached transformer is shared; pyproj's are not thread-safe


def undulation(lon: np.ndarray, lat: np.ndarray, grid: Path = DEFAULT_GRID) -> np.ndarray:
    """N, in metres, at each point: ellipsoidal height = orthometric height + N."""
    with _lock:
        _, _, n = _transformer(Path(grid)).transform(lon, lat, np.zeros(len(lon)))
    return np.asarray(n, dtype=float)


def ellipsoidal(heights: np.ndarray, lon: np.ndarray, lat: np.ndarray, datum: str,
                grid: Path = DEFAULT_GRID) -> np.ndarray:
    """Heights in ``datum`` (orthometric or ellipsoidal) as ellipsoidal heights: N added to
    orthometric ones; NaN (no height) stays NaN."""
    out = np.array(heights, dtype=float)
    known = ~np.isnan(out)
    if datum == "orthometric" and known.any():
        out[known] += undulation(np.asarray(lon, dtype=float)[known],
                                 np.asarray(lat, dtype=float)[known], grid)
    return out
