"""City services: schools, kindergartens, clinics, museums, sports grounds … as points.

From OpenStreetMap (``.osm.pbf`` / ``.osm``: tagged nodes, and areas by their centroid)
or from the city's open-data files (JSON, GeoJSON, CSV: see ``sources.opendata``).
Kinds and categories are those of ``citymodel.planning``; a service is matched by its
external id (``osm:node/…``, ``mos:<global_id>``), so importing a file again updates it.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from psycopg import sql
from sqlalchemy.engine import URL

from citymodel import crs
from citymodel.errors import UnknownCrs
from citymodel.planning import InvalidPlanningValue, service_kind
from citymodel.settings import Settings
from importers.core import Context, Counts, FileRejected, Summary, run_import
from importers.fields import Field, FieldValueError, text
from importers.geometry import PolygonCleaner
from importers.loading import (
    Batch,
    Duplicates,
    keep_good_rows,
    parse_fields,
    placed_geometries,
)
from importers.sources import opendata, osm
from importers.staging import Column, Stage


def _capacity(value):
    if value is None:
        return None
    try:
        number = float(str(value).replace(",", ".").replace(" ", ""))
    except ValueError:
        raise FieldValueError(f"{value!r} is not a number of places or visits") from None
    if number != number or number < 0 or number != int(number) or number >= 2**31:
        raise FieldValueError(f"{value!r} is not a whole number of places or visits")
    return int(number)


FIELDS = (
    Field("external_id", text, required=True),
    Field("kind", text, required=True),
    Field("name", text),
    Field("address", text),
    Field("capacity", _capacity),
    Field("opening_hours", text),
)
STAGE = (
    Column("external_id", "text"), Column("category", "text"), Column("kind", "text"),
    Column("name", "text"), Column("address", "text"), Column("capacity", "integer"),
    Column("capacity_unit", "text"), Column("opening_hours", "text"), Column("geom", "geometry"),
    Column("source", "text"),
)


class ServiceLoader:
    def __init__(self, ctx: Context, storage: crs.ResolvedCrs, source: str,
                 default_kind: str | None) -> None:
        self.ctx = ctx
        self.storage = storage
        self.source = source
        self.default_kind = default_kind
        self.stage = Stage(ctx.conn, "stage_services", STAGE)
        self.duplicates = Duplicates()
        self.cleaners: dict[str, PolygonCleaner] = {}
        self.by_category: dict[str, int] = {}

    def load(self, batch: Batch, source_crs: crs.ResolvedCrs) -> None:
        if self.default_kind:
            batch.columns = {**batch.columns, "kind": [k or self.default_kind
                                                       for k in batch.columns["kind"]]}
        f = parse_fields(batch, FIELDS)
        kinds = []
        for i, name in enumerate(f["kind"]):
            try:
                kinds.append(service_kind(name) if name else None)
            except InvalidPlanningValue as exc:
                batch.problem(i, "kind", str(exc))
                kinds.append(None)
        self.duplicates.check(batch, f["external_id"], "external_id")
        points = placed_geometries(batch, batch.geometries, source_crs, self.storage,
                                   self.cleaners, "geometry")
        keep = keep_good_rows(batch, self.ctx.rejects)
        for i in np.flatnonzero(keep):
            self.by_category[kinds[i].category] = self.by_category.get(kinds[i].category, 0) + 1
        self.stage.write(
            keep, external_id=f["external_id"], category=[k.category if k else None for k in kinds],
            kind=[k.kind if k else None for k in kinds], name=f["name"], address=f["address"],
            capacity=f["capacity"],
            capacity_unit=[k.capacity_unit if k and c is not None else None
                           for k, c in zip(kinds, f["capacity"], strict=True)],
            opening_hours=f["opening_hours"], geom=points, source=self.source,
        )
        self.ctx.progress.advance(batch.size)

    def finish(self) -> Counts:
        self.ctx.progress.phase("merging")
        counts = self.stage.upsert("services", ["external_id"],
                                   extra={"import_run_id": sql.Literal(self.ctx.run_id)})
        counts.extra.update({f"category_{k}": v for k, v in sorted(self.by_category.items())})
        return counts


def import_services(url: URL, settings: Settings, path: Path, *, kind: str | None = None,
                    crs_name: str | None = None, max_rejects: int = 0,
                    dry_run: bool = False) -> Summary:
    """Import city-service points from OpenStreetMap or an open-data file."""
    storage = crs.resolve(settings.storage_crs, settings.crs_overrides)

    def work(ctx: Context) -> Counts:
        if kind is not None:
            try:
                service_kind(kind)
            except InvalidPlanningValue as exc:
                raise FileRejected(f"{path}: --kind: {exc}") from None
        if osm.is_osm(path):
            if kind or crs_name:
                raise FileRejected(f"{path}: OpenStreetMap files have their own tags and CRS: "
                                   "drop --kind/--crs")
            ctx.describe("OpenStreetMap", "EPSG:4326")
            loader = ServiceLoader(ctx, storage, "osm", None)
            batches = osm.read_services(path)
            source_crs = crs.resolve("EPSG:4326")
        else:
            try:
                source_crs = crs.resolve(crs_name or "EPSG:4326", settings.crs_overrides)
            except UnknownCrs as exc:
                raise FileRejected(f"{path}: {exc}") from None
            ctx.describe("open data", source_crs.name)
            loader = ServiceLoader(ctx, storage, "open data", kind)
            batches = opendata.read(path)
        for batch in batches:
            loader.load(batch, source_crs)
        return loader.finish()

    return run_import(url, kind="services", source=path,
                      options={"kind": kind, "crs": crs_name}, work=work,
                      max_rejects=max_rejects, dry_run=dry_run)
