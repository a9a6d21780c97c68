"""GeoJSON, GeoPackage and Shapefile, through pyogrio (GDAL), read in Arrow batches.

Memory holds one batch at a time whatever the file's size.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyogrio
from pyogrio.errors import DataLayerError, DataSourceError, FieldError, GeometryError

from citymodel import crs
from citymodel.crs import ResolvedCrs
from citymodel.errors import UnknownCrs
from importers.core import FileRejected

SUFFIXES = {".geojson": "GeoJSON", ".json": "GeoJSON", ".gpkg": "GeoPackage", ".shp": "Shapefile"}
BATCH_SIZE = 20_000
_ERRORS = (DataSourceError, DataLayerError, FieldError, GeometryError, OSError, RuntimeError)


@dataclass
class VectorBatch:
    start: int  # 1-based position of the batch's first feature in the layer
    columns: dict[str, pa.ChunkedArray | pa.Array]  # by *field* name, after the mapping
    wkb: np.ndarray  # geometry as WKB (object array; None where missing)

    def __len__(self) -> int:
        return len(self.wkb)

    def locator(self, i: int) -> str:
        return f"feature {self.start + i}"


class VectorSource:
    """One layer of a vector file, with its CRS and a field → column mapping."""

    def __init__(self, path: Path, *, layer: str | None, crs_override: str | None,
                 mapping: Mapping[str, str], fields: list[str], overrides: Mapping[str, str]):
        self.path = path
        self.format = SUFFIXES.get(path.suffix.lower(), "vector")
        try:
            layers = [name for name, _ in pyogrio.list_layers(path)]
        except _ERRORS as exc:
            raise FileRejected(f"{path}: cannot be read as {self.format}: {_one_line(exc)}") from None
        if layer is None and len(layers) > 1:
            raise FileRejected(f"{path}: has several layers ({', '.join(layers)}); choose one with --layer")
        if layer is not None and layer not in layers:
            raise FileRejected(f"{path}: has no layer {layer!r} (layers: {', '.join(layers)})")
        self.layer = layer or layers[0]
        try:
            info = pyogrio.read_info(path, layer=self.layer, force_feature_count=True)
        except _ERRORS as exc:
            raise FileRejected(f"{path}: cannot be read as {self.format}: {_one_line(exc)}") from None
        self.total = int(info["features"]) if info["features"] >= 0 else None
        self.crs = self._resolve_crs(info.get("crs"), crs_override, overrides)
        available = list(info["fields"])
        self.columns: dict[str, str] = {}  # field → column in the file
        for name in fields:
            column = mapping.get(name, name)
            if column in available:
                self.columns[name] = column
            elif name in mapping:
                raise FileRejected(
                    f"{path}: --map {name}={column}: the layer {self.layer!r} has no column "
                    f"{column!r} (columns: {', '.join(available) or 'none'})"
                )

    def _resolve_crs(self, declared: str | None, override: str | None,
                     overrides: Mapping[str, str]) -> ResolvedCrs:
        try:
            if override:
                return crs.resolve(override, overrides)
            if not declared:
                raise FileRejected(
                    f"{self.path}: the file declares no coordinate reference system; "
                    "pass --crs (an EPSG code such as EPSG:32637, or a name such as МСК-77)"
                )
            return crs.resolve(declared, overrides)
        except UnknownCrs as exc:
            raise FileRejected(f"{self.path}: {exc}") from None

    def batches(self, batch_size: int = BATCH_SIZE) -> Iterator[VectorBatch]:
        by_column = {column: name for name, column in self.columns.items()}
        start = 1
        try:
            with pyogrio.open_arrow(
                self.path, layer=self.layer, columns=list(by_column), batch_size=batch_size,
                use_pyarrow=True,
            ) as (meta, reader):
                geometry = meta["geometry_name"] or "wkb_geometry"
                for batch in reader:
                    names = batch.schema.names
                    columns = {by_column[c]: batch.column(c) for c in names if c in by_column}
                    wkb = batch.column(names.index(geometry)).to_numpy(zero_copy_only=False)
                    yield VectorBatch(start, columns, wkb)
                    start += batch.num_rows
        except _ERRORS as exc:
            raise FileRejected(
                f"{self.path}: cannot be read past feature {start - 1}: {_one_line(exc)}"
            ) from None


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
