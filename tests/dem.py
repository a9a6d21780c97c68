"""A DEM read as it is, in its own CRS and grid: the tests' oracle of heights on the terrain
(bilinear between cell centres, written here from the definition, not taken from
citymodel.terrain)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyproj
import rasterio
import shapely


class SourceDem:
    """The generator's DEM read as it is (in МСК-77, its own grid): the oracle of the rule."""

    def __init__(self, path: Path) -> None:
        with rasterio.open(path) as src:
            self.values = src.read(1).astype(float)
            self.transform = src.transform
            self.to_source = pyproj.Transformer.from_crs("EPSG:4326", src.crs.to_wkt(), always_xy=True)

    def at(self, lon, lat) -> np.ndarray:
        """Bilinear between cell centres, written here from the definition."""
        x, y = self.to_source.transform(np.asarray(lon), np.asarray(lat))
        col = (x - self.transform.c) / self.transform.a - 0.5
        row = (y - self.transform.f) / self.transform.e - 0.5
        c0, r0 = np.floor(col).astype(int), np.floor(row).astype(int)
        fc, fr = col - c0, row - r0
        v = self.values
        return ((v[r0, c0] * (1 - fc) + v[r0, c0 + 1] * fc) * (1 - fr)
                + (v[r0 + 1, c0] * (1 - fc) + v[r0 + 1, c0 + 1] * fc) * fr)

    def lowest_under(self, footprint: shapely.Geometry, step_m: float = 1.0) -> float:
        """The lowest terrain over a dense grid of points inside the footprint and its vertices."""
        w, s, e, n = footprint.bounds
        dx, dy = step_m / (111_320 * np.cos(np.radians((s + n) / 2))), step_m / 111_320
        gx, gy = np.meshgrid(np.arange(w, e, dx), np.arange(s, n, dy))
        inside = shapely.contains_xy(footprint, gx.ravel(), gy.ravel())
        coords = shapely.get_coordinates(footprint)
        lon = np.concatenate([gx.ravel()[inside], coords[:, 0]])
        lat = np.concatenate([gy.ravel()[inside], coords[:, 1]])
        return float(np.min(self.at(lon, lat)))
