"""Parcels: GeoJSON, GeoPackage, Shapefile and Rosreestr XML (KPT v10, extract).

From Rosreestr XML also the buildings and constructions of the quarter, matched
by their cadastral numbers (with their open lines and points as well as their
polygons), and the quarter's zones (``Zones/Zone``), matched by registry number. Parcels without established boundaries are kept as
records without geometry (found by cadastral number all the same) and counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from pathlib import Path

import numpy as np
from psycopg import sql
from sqlalchemy.engine import URL

from citymodel import crs
from citymodel.errors import UnknownCrs
from citymodel.settings import Settings
from importers import links
from importers.buildings import BuildingLoader
from importers.core import Context, Counts, FileRejected, Summary, run_import
from importers.fields import Field, day, decimal
from importers.geometry import PolygonCleaner
from importers.loading import (
    Batch,
    Duplicates,
    cadastral_numbers,
    from_vector,
    keep_good_rows,
    parse_fields,
    storage_geometries,
)
from importers.sources import rosreestr
from importers.sources.vector import SUFFIXES as VECTOR_SUFFIXES
from importers.sources.vector import VectorSource
from importers.staging import Column, Stage
from importers.zones import ZoneLoader
from importers.zones import register_batch as zone_batch

FIELDS = (
    Field("cadastral_number", required=True),
    Field("address"),
    Field("declared_area_m2", decimal),
    Field("land_category"),
    Field("permitted_use"),
    Field("permitted_use_text"),
    Field("cadastral_value", decimal),
    Field("state"),
    Field("parcel_type"),
    Field("registered_on", day),
)
STAGE = (
    Column("cadastral_number", "text"), Column("cadastral_key", "text"),
    Column("geom", "geometry", geometry=True), Column("declared_area_m2", "numeric"),
    Column("address", "text"), Column("land_category", "text"), Column("permitted_use", "text"),
    Column("permitted_use_text", "text"), Column("cadastral_value", "numeric"),
    Column("state", "text"), Column("parcel_type", "text"), Column("registered_on", "date"),
    Column("source", "text"),
)
REGISTER_BUILDING_FIELDS = ("cadastral_number", "kind", "use", "address", "levels", "year_built")
XML_BATCH = 5_000
AREA_TOLERANCE = 0.01  # a boundary whose area differs more from the declared one is counted


class ParcelLoader:
    """Validates parcel batches and stages them; ``finish`` merges and links them."""

    def __init__(self, ctx: Context, storage: crs.ResolvedCrs, source: str) -> None:
        self.ctx = ctx
        self.storage = storage
        self.source = source
        self.stage = Stage(ctx.conn, "stage_parcels", STAGE)
        self.duplicates = Duplicates()
        self.cleaners: dict[str, PolygonCleaner] = {}
        self.counts = {"without_boundaries": 0, "repaired": 0}

    def load(self, batch: Batch, source_crs: crs.ResolvedCrs | None) -> None:
        f = parse_fields(batch, FIELDS)
        numbers, keys = cadastral_numbers(batch, f["cadastral_number"])
        self.duplicates.check(batch, keys, "cadastral_number")
        geoms, repaired = storage_geometries(batch, source_crs, self.storage, self.cleaners,
                                             "geometry", numbers)
        self.counts["repaired"] += repaired
        keep = keep_good_rows(batch, self.ctx.rejects)
        self.counts["without_boundaries"] += sum(1 for i, g in enumerate(geoms) if keep[i] and g is None)
        copied = ("declared_area_m2", "address", "land_category", "permitted_use",
                  "permitted_use_text", "cadastral_value", "state", "parcel_type", "registered_on")
        self.stage.write(keep, cadastral_number=numbers, cadastral_key=keys, geom=geoms,
                         **{name: f[name] for name in copied}, source=self.source)
        self.ctx.progress.advance(batch.size)

    def finish(self) -> Counts:
        self.ctx.progress.phase("merging")
        run = self.ctx.run_id
        counts = self.stage.upsert("parcels", ["cadastral_key"],
                                   extra={"import_run_id": sql.Literal(run)})
        self.counts["area_differs_from_declared"] = self.ctx.conn.execute(
            "SELECT count(*) FROM parcels p JOIN stage_parcels s USING (cadastral_key) "
            "WHERE p.declared_area_m2 > 0 AND p.computed_area_m2 IS NOT NULL "
            "AND abs(p.computed_area_m2 - p.declared_area_m2::float8) "
            "    > greatest(%s * p.declared_area_m2::float8, 0.5)",
            (AREA_TOLERANCE,),
        ).fetchone()[0]
        links.buildings_to_parcels(self.ctx.conn, changed_parcels_of_run=run)
        links.lots_to_objects(self.ctx.conn)
        links.procurement_numbers_to_objects(self.ctx.conn)
        counts.extra.update(self.counts)
        return counts


def import_parcels(
    url: URL, settings: Settings, path: Path, *, crs_name: str | None = None,
    layer: str | None = None, mapping: Mapping[str, str] | None = None,
    max_rejects: int = 0, dry_run: bool = False,
) -> Summary:
    """Import parcels (and, from Rosreestr XML, their buildings) from ``path``."""
    storage = crs.resolve(settings.storage_crs, settings.crs_overrides)

    def work(ctx: Context) -> Counts:
        register_format = rosreestr.sniff(path)
        if register_format is not None:
            if mapping:
                raise FileRejected(f"{path}: --map applies to vector files, not to Rosreestr XML")
            systems = _register_systems(path, register_format, crs_name, settings.crs_overrides)
            ctx.describe(register_format, ", ".join(sorted({s.name for s in systems.values()})) or None)
            return _load_register(ctx, storage, path, register_format, systems,
                                  settings.resolved_state_dir)
        if path.suffix.lower() not in VECTOR_SUFFIXES:
            raise FileRejected(
                f"{path}: unknown format; parcels come from GeoJSON, GeoPackage, Shapefile "
                "or Rosreestr XML (KPT v10, extract_cadastral_plan_territory)"
            )
        source = VectorSource(path, layer=layer, crs_override=crs_name, mapping=mapping or {},
                              fields=[f.name for f in FIELDS], overrides=settings.crs_overrides)
        if "cadastral_number" not in source.columns:
            raise FileRejected(
                f"{path}: the layer {source.layer!r} has no cadastral_number column; "
                "name the column holding it with --map cadastral_number=COLUMN"
            )
        ctx.describe(source.format, source.crs.name, source.total)
        loader = ParcelLoader(ctx, storage, source.format)
        for vb in source.batches():
            loader.load(from_vector(vb), source.crs)
        return loader.finish()

    options = {"crs": crs_name, "layer": layer, "map": dict(mapping or {})}
    return run_import(url, kind="parcels", source=path, options=options, work=work,
                      max_rejects=max_rejects, dry_run=dry_run)


def _register_systems(path: Path, fmt: str, override: str | None,
                      overrides: Mapping[str, str]) -> dict[str | None, crs.ResolvedCrs]:
    """The CRS of every coordinate system the file's objects use, resolved up front."""
    resolved = {}
    for name in rosreestr.coordinate_systems(path, fmt):
        try:
            resolved[name] = crs.resolve(override or name, overrides)
        except UnknownCrs as exc:
            raise FileRejected(f"{path}: {exc}") from None
    return resolved


def _load_register(ctx: Context, storage: crs.ResolvedCrs, path: Path, fmt: str,
                   systems: dict[str | None, crs.ResolvedCrs], state_dir: Path) -> Counts:
    parcels = ParcelLoader(ctx, storage, "rosreestr")
    buildings = BuildingLoader(ctx, storage, key="cadastral_number", source="rosreestr",
                               state_dir=state_dir)
    zones = ZoneLoader(ctx, storage, "rosreestr")
    for chunk in _chunks(rosreestr.read(path, fmt), XML_BATCH):
        groups: dict[tuple, list[rosreestr.RegisterObject]] = defaultdict(list)
        for obj in chunk:
            kind = obj.kind if obj.kind in ("parcel", "zone") else "building"
            located = obj.geometry is not None or obj.lines is not None or obj.points is not None
            groups[(kind, obj.crs_name if located else None)].append(obj)
        for (kind, system), objects in groups.items():
            if kind == "zone":
                zones.load(zone_batch(objects), systems.get(system))
            else:
                batch = _register_batch(objects, kind == "parcel")
                (parcels if kind == "parcel" else buildings).load(batch, systems.get(system))
    counts = parcels.finish()
    counts.add(buildings.finish(), prefix="buildings_")
    if zones.stage.rows:
        counts.add(zones.finish(), prefix="zones_")
    return counts


def _register_batch(objects: list[rosreestr.RegisterObject], is_parcel: bool) -> Batch:
    names = [f.name for f in FIELDS] if is_parcel else list(REGISTER_BUILDING_FIELDS)
    columns: dict[str, list] = {name: [] for name in names}
    for obj in objects:
        values = {"cadastral_number": obj.cadastral_number, "kind": obj.kind, **obj.attrs}
        for name in names:
            columns[name].append(values.get(name))
    batch = Batch(size=len(objects), locator=lambda i: objects[i].locator, columns=columns,
                  geometries=np.array([o.geometry for o in objects], dtype=object))
    if not is_parcel:
        for name in ("lines", "points"):
            parts = np.array([getattr(o, name) for o in objects], dtype=object)
            if any(p is not None for p in parts):
                batch.extra_geometries[name] = parts
    for i, obj in enumerate(objects):
        for problem in obj.problems:
            batch.problem(i, "geometry", problem)
    return batch


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk
