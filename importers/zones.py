"""Planning zones: territorial zones with their parameters, restriction and heritage zones.

From GeoJSON, GeoPackage or Shapefile (``citymodel import zones``), and from the
``Zones/Zone`` elements of Rosreestr's KPT (read by the parcels import). Columns:
``zone_code``, ``name``, ``kind`` (see ``citymodel.planning.ZONE_KINDS``), the
parameters ``max_height_m``, ``max_floors``, ``max_coverage_pct``, ``max_density``,
``min_setback_m`` (a number, or a phrase such as "без ограничений"), ``permitted_uses``
(codes such as ``2.6; 3.4``), ``description``, ``restrictions``, ``registry_number`` and
``source``.

A zone is matched by its registry number when it has one, else by its zone code
(``zone_key``): importing a file again updates its zones. A zone without a boundary is
kept (a KPT may describe one without coordinates).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import numpy as np
from psycopg import sql
from psycopg.types.json import Jsonb
from sqlalchemy.engine import URL

from citymodel import crs
from citymodel.planning import (
    ZONE_KINDS,
    ZONE_LIMITS,
    InvalidPlanningValue,
    parse_limit,
    parse_permitted_uses,
)
from citymodel.settings import Settings
from importers.core import Context, Counts, FileRejected, Summary, run_import
from importers.fields import Field, FieldValueError, choice, text
from importers.geometry import PolygonCleaner
from importers.loading import (
    Batch,
    Duplicates,
    from_vector,
    keep_good_rows,
    parse_fields,
    storage_geometries,
)
from importers.sources.vector import SUFFIXES as VECTOR_SUFFIXES
from importers.sources.vector import VectorSource
from importers.staging import Column, Stage


def _limit(name: str):
    def parse(value):
        try:
            return parse_limit(name, value)
        except InvalidPlanningValue as exc:
            raise FieldValueError(str(exc)) from None
    return parse


def _uses(value):
    try:
        return parse_permitted_uses(value)
    except InvalidPlanningValue as exc:
        raise FieldValueError(str(exc)) from None


FIELDS = (
    Field("zone_code", text),
    Field("name", text),
    Field("kind", choice(*ZONE_KINDS), required=True),
    *(Field(name, _limit(name)) for name in ZONE_LIMITS),
    Field("permitted_uses", _uses),
    Field("description", text),
    Field("restrictions", text),
    Field("registry_number", text),
    Field("source", text),
)
STAGE = (
    Column("zone_key", "text"), Column("kind", "text"), Column("zone_code", "text"),
    Column("name", "text"), Column("description", "text"), Column("restrictions", "text"),
    Column("registry_number", "text"),
    *(Column(name, "smallint" if name == "max_floors" else "float8") for name in ZONE_LIMITS),
    Column("limits_text", "jsonb"), Column("permitted_uses", "text[]"),
    Column("documents", "jsonb"), Column("geom", "geometry", geometry=True),
    Column("source", "text"),
)


class ZoneLoader:
    """Validates zone batches and stages them; ``finish`` merges them by ``zone_key``."""

    def __init__(self, ctx: Context, storage: crs.ResolvedCrs, source: str) -> None:
        self.ctx = ctx
        self.storage = storage
        self.source = source
        self.stage = Stage(ctx.conn, "stage_zones", STAGE)
        self.duplicates = Duplicates()
        self.cleaners: dict[str, PolygonCleaner] = {}
        self.counts = {"without_boundary": 0, "repaired": 0}

    def load(self, batch: Batch, source_crs: crs.ResolvedCrs | None) -> None:
        f = parse_fields(batch, FIELDS)
        keys = []
        for i in range(batch.size):
            key = f["registry_number"][i] or f["zone_code"][i]
            if key is None:
                batch.problem(i, "registry_number", "a zone needs a registry_number or a "
                                                    "zone_code: it identifies the zone")
            keys.append(key)
        self.duplicates.check(batch, keys, "registry_number" if any(f["registry_number"])
                              else "zone_code")
        for i, floors in enumerate(f["max_floors"]):
            if floors is not None and floors.value is not None and floors.value != int(floors.value):
                batch.problem(i, "max_floors", f"{floors.value:g} is not a whole number")
        geoms, repaired = storage_geometries(batch, source_crs, self.storage, self.cleaners,
                                             "geometry", f["registry_number"])
        self.counts["repaired"] += repaired
        keep = keep_good_rows(batch, self.ctx.rejects)
        self.counts["without_boundary"] += sum(1 for i, g in enumerate(geoms) if keep[i] and g is None)
        limits = {name: [lim.value if lim is not None else None for lim in f[name]]
                  for name in ZONE_LIMITS}
        limits["max_floors"] = [None if v is None else int(v) for v in limits["max_floors"]]
        phrases = [Jsonb({name: f[name][i].phrase for name in ZONE_LIMITS
                          if f[name][i] is not None and f[name][i].phrase})
                   for i in range(batch.size)]
        documents = batch.columns.get("documents") or [[]] * batch.size
        copied = ("kind", "zone_code", "name", "description", "restrictions", "registry_number",
                  "permitted_uses")
        self.stage.write(
            keep, zone_key=keys, **{name: f[name] for name in copied}, **limits,
            limits_text=phrases, documents=[Jsonb(d or []) for d in documents], geom=geoms,
            source=[s or self.source for s in f["source"]],
        )
        self.ctx.progress.advance(batch.size)

    def finish(self) -> Counts:
        self.ctx.progress.phase("merging")
        counts = self.stage.upsert("zones", ["zone_key"],
                                   extra={"import_run_id": sql.Literal(self.ctx.run_id)})
        counts.extra.update(self.counts)
        return counts


def import_zones(
    url: URL, settings: Settings, path: Path, *, crs_name: str | None = None,
    layer: str | None = None, mapping: Mapping[str, str] | None = None,
    max_rejects: int = 0, dry_run: bool = False,
) -> Summary:
    """Import planning zones from a GeoJSON, GeoPackage or Shapefile."""
    storage = crs.resolve(settings.storage_crs, settings.crs_overrides)

    def work(ctx: Context) -> Counts:
        if path.suffix.lower() not in VECTOR_SUFFIXES:
            raise FileRejected(f"{path}: unknown format; zones come from GeoJSON, GeoPackage or "
                               "Shapefile (a KPT's zones come in with `citymodel import parcels`)")
        source = VectorSource(path, layer=layer, crs_override=crs_name, mapping=mapping or {},
                              fields=[f.name for f in FIELDS], overrides=settings.crs_overrides)
        if "kind" not in source.columns:
            raise FileRejected(f"{path}: the layer {source.layer!r} has no kind column "
                               f"({', '.join(ZONE_KINDS)}); name it with --map kind=COLUMN")
        if "zone_code" not in source.columns and "registry_number" not in source.columns:
            raise FileRejected(f"{path}: the layer {source.layer!r} has neither a zone_code nor a "
                               "registry_number column; name one with --map zone_code=COLUMN")
        ctx.describe(source.format, source.crs.name, source.total)
        loader = ZoneLoader(ctx, storage, source.format)
        for vb in source.batches():
            loader.load(from_vector(vb), source.crs)
        return loader.finish()

    options = {"crs": crs_name, "layer": layer, "map": dict(mapping or {})}
    return run_import(url, kind="zones", source=path, options=options, work=work,
                      max_rejects=max_rejects, dry_run=dry_run)


def register_batch(objects: list) -> Batch:
    """KPT zones (``sources.rosreestr.RegisterObject`` of kind zone) as a zone batch."""
    columns = {
        "registry_number": [o.cadastral_number or None for o in objects],
        "kind": [o.attrs["zone_kind"] for o in objects],
        "name": [o.attrs["description"] for o in objects],
        "description": [o.attrs["description"] for o in objects],
        "restrictions": [o.attrs["restrictions"] for o in objects],
        "permitted_uses": [o.attrs["permitted_uses"] for o in objects],
        "documents": [o.attrs["documents"] for o in objects],
        "source": ["rosreestr"] * len(objects),
    }
    batch = Batch(size=len(objects), locator=lambda i: f"zone {objects[i].cadastral_number or i + 1}",
                  columns=columns, geometries=np.array([o.geometry for o in objects], dtype=object))
    for i, obj in enumerate(objects):
        for problem in obj.problems:
            batch.problem(i, "geometry", problem)
    return batch
