"""`citymodel import terrain`: a digital elevation model → the city's terrain.

Any single-band raster GDAL reads (GeoTIFF, ASCII grid, IMG …), in the CRS it declares
or ``--crs``; heights in metres, in the ``height_datum`` setting. It is warped to
EPSG:4326 (bilinear) and written as a Cloud-Optimized GeoTIFF under
``<state_dir>/terrain/`` (streamed by GDAL, block by block: the source is never held in
memory), named by its digest; then, in the import's one transaction, the ``terrain``
row names it and every building whose source gave no ground elevation is stood on it
(:mod:`citymodel.terrain`'s rule). Files no committed row names are removed afterwards,
so a failed or dry run leaves the terrain as it was.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np
import psycopg
from sqlalchemy.engine import URL

from citymodel import crs, terrain
from citymodel.settings import Settings
from importers.core import Context, Counts, FileRejected, Summary, run_import

LOWEST, HIGHEST = -450.0, 9000.0  # metres: a height outside is not a height on Earth
COG_OPTIONS = {"compress": "deflate", "predictor": 3, "blocksize": 512, "overviews": "auto",
               "resampling": "average", "bigtiff": "if_safer"}


def import_terrain(url: URL, settings: Settings, path: Path, *, crs_name: str | None = None,
                   dry_run: bool = False) -> Summary:
    """Import a DEM as the city's terrain and stand the buildings on it."""
    state_dir = settings.resolved_state_dir
    options = {"crs": crs_name, "height_datum": settings.height_datum}

    def work(ctx: Context) -> Counts:
        ctx.conn.execute("SELECT pg_advisory_xact_lock(%s, %s)", terrain.LOCK)
        info = _store(ctx, path, crs_name, settings, state_dir)
        before = terrain.current(ctx.conn)
        same = before is not None and (before.digest, before.height_datum) == (
            info["digest"], info["height_datum"])
        ctx.progress.phase("standing buildings")
        if not same:  # (an upsert that changes nothing still fires the data-version trigger)
            ctx.conn.execute(
                f"INSERT INTO terrain (id, {', '.join(terrain.COLUMNS)}, source, source_crs, "
                "import_run_id) VALUES (1, %(digest)s, %(height_datum)s, %(west)s, %(south)s, "
                "%(east)s, %(north)s, %(resolution_m)s, %(min_height)s, %(max_height)s, "
                "%(source)s, %(source_crs)s, %(run)s) ON CONFLICT (id) DO UPDATE SET "
                + ", ".join(f"{c} = EXCLUDED.{c}" for c in (*terrain.COLUMNS, "source", "source_crs",
                                                          "import_run_id"))
                + ", updated_at = now()",
                {**info, "run": ctx.run_id})
        grounded = terrain.stand_on_terrain(ctx.conn, state_dir, "buildings")
        return Counts(loaded=int(before is None), updated=int(before is not None and not same),
                      unchanged=int(same), extra={"buildings_grounded": grounded})

    try:
        return run_import(url, kind="terrain", source=path, options=options, work=work,
                          dry_run=dry_run)
    finally:
        sweep(url, state_dir)


def _store(ctx: Context, path: Path, crs_name: str | None, settings: Settings,
           state_dir: Path) -> dict:
    """Check the DEM, write it as EPSG:4326 COG under its digest; its row's values."""
    import rasterio
    from rasterio.enums import Resampling
    from rasterio.errors import RasterioIOError
    from rasterio.shutil import copy as copy_dataset
    from rasterio.vrt import WarpedVRT

    try:
        src = rasterio.open(path)
    except RasterioIOError as exc:
        raise FileRejected(f"{path}: not a raster GDAL can read ({exc})") from None
    with src:
        if src.count != 1:
            raise FileRejected(f"{path}: {src.count} bands; a terrain is one band of heights")
        source_crs = _source_crs(path, src, crs_name, settings)
        ctx.describe(src.driver, source_crs.name, total=src.width * src.height)
        low, high = _check_heights(ctx, path, src)
        directory = state_dir / terrain.DIRECTORY
        directory.mkdir(parents=True, exist_ok=True)
        incoming = directory / f".incoming-{ctx.run_id}.tif"
        ctx.progress.phase("writing")
        resolution = abs(src.res[1])
        if source_crs.crs.is_geographic:
            resolution *= terrain.METRES_PER_DEGREE
        grid = _grid(src, source_crs, resolution)
        with WarpedVRT(src, src_crs=source_crs.crs.to_wkt(), crs="EPSG:4326",
                       resampling=Resampling.bilinear, src_nodata=src.nodata, nodata=np.nan,
                       dtype="float32", **grid) as vrt:
            west, south, east, north = vrt.bounds
            copy_dataset(vrt, incoming, driver="COG", **COG_OPTIONS)
    digest = terrain.file_digest(incoming)
    stored = terrain.stored_path(state_dir, digest)
    with open(incoming, "rb") as f:
        os.fsync(f.fileno())
    os.replace(incoming, stored)
    return {
        "digest": digest, "height_datum": settings.height_datum, "west": west, "south": south,
        "east": east, "north": north, "resolution_m": resolution, "min_height": low,
        "max_height": high, "source": path.name, "source_crs": source_crs.name,
    }


def _grid(src, source_crs: crs.ResolvedCrs, resolution_m: float) -> dict:
    """The EPSG:4326 grid to warp to: cells as many metres across, east–west and north–south,
    as the source's."""
    from rasterio.warp import calculate_default_transform

    west, south, east, north = transform_bounds(source_crs, src.bounds)
    middle = math.radians((south + north) / 2)
    res = (resolution_m / (terrain.METRES_PER_DEGREE * max(math.cos(middle), 0.01)),
           resolution_m / terrain.METRES_PER_DEGREE)
    transform, width, height = calculate_default_transform(
        source_crs.crs.to_wkt(), "EPSG:4326", src.width, src.height, *src.bounds, resolution=res)
    return {"transform": transform, "width": width, "height": height}


def transform_bounds(source_crs: crs.ResolvedCrs, bounds) -> tuple[float, float, float, float]:
    from rasterio.warp import transform_bounds as warp_bounds

    return warp_bounds(source_crs.crs.to_wkt(), "EPSG:4326", *bounds, densify_pts=21)


def _source_crs(path: Path, src, crs_name: str | None, settings: Settings) -> crs.ResolvedCrs:
    if crs_name:
        return crs.resolve(crs_name, settings.crs_overrides)
    if src.crs is None:
        raise FileRejected(f"{path}: the raster declares no coordinate system: pass --crs "
                           "(EPSG:32637, МСК-77, a PROJ string)")
    return crs.resolve(src.crs.to_wkt(), settings.crs_overrides)


def _check_heights(ctx: Context, path: Path, src) -> tuple[float, float]:
    """The lowest and highest heights; refuses the file at the first cell that is no height."""
    low, high, seen = math.inf, -math.inf, 0
    for _, window in src.block_windows(1):
        block = src.read(1, window=window, masked=True).astype(np.float64)
        values = np.ma.masked_invalid(block)
        if values.count():
            bad = (values < LOWEST) | (values > HIGHEST)
            if bad.any():
                r, c = np.argwhere(bad.filled(False))[0]
                raise FileRejected(
                    f"{path}: band 1, row {window.row_off + r}, column {window.col_off + c}: "
                    f"{values[r, c]:g} is not a height in metres on Earth ({LOWEST:g} to "
                    f"{HIGHEST:g}); is the raster's nodata value set?")
            low, high = min(low, float(values.min())), max(high, float(values.max()))
            seen += int(values.count())
        ctx.progress.advance(int(window.width * window.height))
    if not seen:
        raise FileRejected(f"{path}: every cell is nodata; there is no terrain in it")
    return low, high


def sweep(url: URL, state_dir: Path) -> None:
    """Remove terrain files no committed row names (a failed, dry or replaced run's) — unless
    another terrain import is under way."""
    from citymodel.database import raw_connect

    directory = state_dir / terrain.DIRECTORY
    if not directory.is_dir():
        return
    try:
        with raw_connect(url, autocommit=True) as conn:
            if not conn.execute("SELECT pg_try_advisory_lock(%s, %s)", terrain.LOCK).fetchone()[0]:
                return
            try:
                now = terrain.current(conn)
                keep = terrain.stored_path(state_dir, now.digest).name if now else None
                for file in directory.iterdir():
                    if file.name != keep and file.suffix == ".tif":
                        file.unlink(missing_ok=True)
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s, %s)", terrain.LOCK)
    except psycopg.Error:
        return  # the database is gone: the next import sweeps
