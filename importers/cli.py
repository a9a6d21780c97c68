"""`citymodel import …`: load source files into the database (plugged into the command
line through the ``citymodel.commands`` entry point).

Each importer is imported inside its command, so `citymodel import status` and
`--help` stay quick to start.
"""

from __future__ import annotations

from pathlib import Path

import click

from citymodel import database
from citymodel.errors import ConfigurationError
from citymodel.settings import load_settings

_file = click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
_max_rejects = click.option(
    "--max-rejects", type=click.IntRange(min=0), default=0, show_default=True,
    help="How many bad features or rows to skip (and report) before the import fails.",
)
_dry_run = click.option("--dry-run", is_flag=True, help="Validate and report; write nothing.")
_crs = click.option(
    "--crs", "crs_name", metavar="CRS",
    help="The file's CRS (EPSG:32637, МСК-77, a PROJ string); overrides what the file declares.",
)
_layer = click.option("--layer", help="The layer to read, when the file has several.")
_map = click.option(
    "--map", "mappings", multiple=True, metavar="FIELD=COLUMN",
    help="Read FIELD from the file's COLUMN (repeatable), e.g. --map cadastral_number=KN.",
)


def _vector_import(command):
    """The options of an import from a vector file: FILE --crs --layer --map, rejects, dry run."""
    for option in reversed((_file, _crs, _layer, _map, _max_rejects, _dry_run)):
        command = option(command)
    return command


@click.group(name="import")
def import_() -> None:
    """Load parcels, buildings, rights, auctions, zones, services, streets, terrain and
    procurement; `import status` lists the runs.

    Every import runs in one transaction (a failure changes nothing), matches
    records by their natural keys (importing a file twice changes nothing the
    second time) and is recorded, failed or not, in the import runs.
    """


def _mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    mapping = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field or not column:
            raise click.BadParameter(f"{pair!r}: expected FIELD=COLUMN", param_hint="--map")
        mapping[field.strip()] = column.strip()
    return mapping


@import_.command()
@_vector_import
def parcels(file: Path, crs_name, layer, mappings, max_rejects, dry_run) -> None:
    """Import cadastral parcels from FILE.

    GeoJSON, GeoPackage, Shapefile, or Rosreestr XML (KPT v10 and
    extract_cadastral_plan_territory, with the buildings and constructions they
    hold — their rings, open lines and points — and a KPT's zones). A feature
    whose cadastral number names a region must land in it. Fields read:
    cadastral_number (required), address, declared_area_m2, land_category,
    permitted_use, permitted_use_text, cadastral_value, state, parcel_type,
    registered_on.
    """
    from importers.parcels import import_parcels

    settings = load_settings()
    click.echo(import_parcels(
        database.migrated_url(settings), settings, file, crs_name=crs_name, layer=layer,
        mapping=_mapping(mappings), max_rejects=max_rejects, dry_run=dry_run,
    ))


@import_.command()
@_file
@_crs
@_layer
@_map
@click.option("--height-field", metavar="COLUMN", help="Column of heights in metres.")
@click.option("--levels-field", metavar="COLUMN", help="Column of numbers of levels (floors).")
@click.option("--storey-height", type=click.FloatRange(min=1, max=10), default=3.0,
              show_default=True, help="Metres per level, for heights estimated from levels.")
@click.option("--default-height", type=click.FloatRange(min=1, max=500), default=9.0,
              show_default=True, help="Height of a building with neither height nor levels.")
@_max_rejects
@_dry_run
def buildings(file: Path, crs_name, layer, mappings, height_field, levels_field,
              storey_height, default_height, max_rejects, dry_run) -> None:
    """Import building footprints from FILE.

    OpenStreetMap (.osm.pbf, .osm) or GeoJSON, GeoPackage, Shapefile. Vector
    files need an identifier column (register_id or cadastral_number); other
    fields read: height, levels, min_height, min_level, ground_elevation, use,
    year_built, address, kind. Each building is linked to the parcel it mostly
    stands on.

    CityJSON 1.0–2.0 (.city.json) and CityJSONSeq (.city.jsonl): every Building
    and BuildingPart with the real surfaces of its highest LoD (roofs, walls,
    ground), its object id as register_id; the CRS from the file's
    metadata.referenceSystem or --crs (EPSG:7415 gives RD New, heights kept).
    CityGML 2.0 / 1.0 (.gml): every Building and BuildingPart the same way, its
    gml:id as register_id, the CRS from the file's srsName or --crs.
    """
    from importers.buildings import HeightRules, import_buildings

    settings = load_settings()
    mapping = _mapping(mappings)
    for field, column in (("height", height_field), ("levels", levels_field)):
        if column:
            mapping[field] = column
    if file.name.lower().endswith((".osm.pbf", ".pbf", ".osm")) and (mapping or crs_name):
        raise ConfigurationError("OpenStreetMap files have fixed tags and CRS: drop --map/--crs")
    click.echo(import_buildings(
        database.migrated_url(settings), settings, file, crs_name=crs_name, layer=layer, mapping=mapping,
        rules=HeightRules(storey_m=storey_height, default_m=default_height),
        max_rejects=max_rejects, dry_run=dry_run,
    ))


@import_.command()
@_file
@_max_rejects
@_dry_run
def rights(file: Path, max_rejects, dry_run) -> None:
    """Import property rights and encumbrances from FILE (CSV or JSON).

    Columns: cadastral_number, registration_number, type_code, holder_kind
    (individual | legal_entity | public) are required; kind (right |
    encumbrance), type_name, holder_name, holder_inn, share (1/2),
    registered_on, starts_on, ends_on are optional. The parcel or building must
    already be in the database.
    """
    from importers.rights import import_rights

    settings = load_settings()
    click.echo(import_rights(database.migrated_url(settings), settings, file, max_rejects=max_rejects,
                             dry_run=dry_run))


@import_.command()
@_file
@_max_rejects
@_dry_run
def auctions(file: Path, max_rejects, dry_run) -> None:
    """Import auction notices and lots from FILE.

    torgi.gov.ru open-data notice JSON, or the CSV form (one row per lot; see
    the README). Lots link to their parcels by cadastral number; lots whose
    parcel is unknown are kept and counted.
    """
    from importers.auctions import import_auctions

    settings = load_settings()
    click.echo(import_auctions(database.migrated_url(settings), settings, file, max_rejects=max_rejects,
                               dry_run=dry_run))


@import_.command()
@_vector_import
def zones(file: Path, crs_name, layer, mappings, max_rejects, dry_run) -> None:
    """Import planning zones from FILE (GeoJSON, GeoPackage, Shapefile).

    Columns: kind (territorial | restriction | heritage | other) and zone_code or
    registry_number are required; name, description, restrictions, source, and the
    parameters of territorial zones max_height_m, max_floors, max_coverage_pct,
    max_density (thousand m² of floor area per ha), min_setback_m (a number, or a
    phrase such as "без ограничений") and permitted_uses ("2.6; 3.4"). A zone is
    matched by its registry number, else its zone code. A KPT's zones come in with
    `import parcels`.
    """
    from importers.zones import import_zones

    settings = load_settings()
    click.echo(import_zones(database.migrated_url(settings), settings, file, crs_name=crs_name, layer=layer,
                            mapping=_mapping(mappings), max_rejects=max_rejects, dry_run=dry_run))


@import_.command()
@_file
@click.option("--kind", metavar="KIND",
              help="The kind of every row without a kind column (school, kindergarten, clinic, "
                   "museum …): an open-data dataset is one kind of institution.")
@click.option("--crs", "crs_name", metavar="CRS",
              help="The CRS of an open-data file's coordinates (default: WGS 84 lon/lat).")
@_max_rejects
@_dry_run
def services(file: Path, kind, crs_name, max_rejects, dry_run) -> None:
    """Import city-service points from FILE.

    OpenStreetMap (.osm.pbf, .osm: tagged nodes, and areas by their centroid), or the
    layout of the city's open-data portal as JSON, GeoJSON or CSV (global_id, Name,
    Address, geoData / geodata_center, a capacity column, WorkingHours). Categories:
    education, health, culture, sport, tourism, social. A service is matched by its
    OSM id or global_id.
    """
    from importers.services import import_services

    settings = load_settings()
    click.echo(import_services(database.migrated_url(settings), settings, file, kind=kind, crs_name=crs_name,
                               max_rejects=max_rejects, dry_run=dry_run))


@import_.command()
@_file
@_max_rejects
@_dry_run
def streets(file: Path, max_rejects, dry_run) -> None:
    """Import the walkable streets and paths of an OpenStreetMap FILE (.osm.pbf, .osm):
    walking distances from proposed homes to schools, kindergartens and clinics follow them."""
    from importers.streets import import_streets

    settings = load_settings()
    click.echo(import_streets(database.migrated_url(settings), settings, file, max_rejects=max_rejects,
                              dry_run=dry_run))


@import_.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@_max_rejects
@_dry_run
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Processes reading the documents (default: one per CPU for 2,000 documents or more).")
def procurement(path: Path, max_rejects, dry_run, workers) -> None:
    """Import public procurement notices and contracts from PATH.

    The ЕИС's XML (zakupki.gov.ru) as published: one document, a zip archive of
    them (read from the archive, not unpacked) or a directory of either — 44-ФЗ
    notices (fcsNotification…, epNotification…), contracts and their procedure
    records, 223-ФЗ notices and contracts; or, from other sources, the procurement
    CSV or JSON form (README). The latest edition of each is kept;
    each is linked to the parcels and buildings its cadastral numbers, delivery
    places and addresses name.
    """
    from importers.procurement import import_procurement

    settings = load_settings()
    click.echo(import_procurement(database.migrated_url(settings), settings, path, max_rejects=max_rejects,
                                  dry_run=dry_run, workers=workers))


@import_.command()
@_file
@_crs
@_dry_run
def terrain(file: Path, crs_name, dry_run) -> None:
    """Import a digital elevation model from FILE as the city's terrain.

    A single-band raster GDAL reads (GeoTIFF, ASCII grid …), heights in metres in the
    `height_datum` setting, in the CRS it declares or --crs. It replaces the terrain
    before it, is served as quantized-mesh under /terrain/, and every building whose
    source gave no ground elevation stands on it: on the lowest terrain under its
    footprint (a building part, where its building stands).
    """
    from importers.terrain import import_terrain

    settings = load_settings()
    click.echo(import_terrain(database.migrated_url(settings), settings, file, crs_name=crs_name,
                              dry_run=dry_run))


@import_.command()
@click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True,
              help="How many runs to list, newest first.")
@click.option("--rejects", "run_id", type=int, metavar="RUN",
              help="List the rejects of run RUN instead.")
def status(limit: int, run_id: int | None) -> None:
    """List the last import runs with their counts and rejects."""
    from importers.runs import recent_runs, rejects_of

    settings = load_settings()
    engine = database.create_engine(database.database_url(settings))
    if run_id is not None:
        found = rejects_of(engine, run_id)
        for locator, field, reason in found:
            click.echo(f"{locator}{f', field {field}' if field else ''}: {reason}")
        if not found:
            click.echo(f"run {run_id} has no rejects")
        return
    runs = recent_runs(engine, limit)
    if not runs:
        click.echo("no imports yet")
    for run in runs:
        seconds = f"{run.seconds:.1f} s" if run.seconds is not None else "-"
        extras = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in run.counts.items()
                           if v and k != "read")
        click.echo(
            f"run {run.id}  {run.started_at:%Y-%m-%d %H:%M}  {run.kind:<9} {run.status:<9} "
            f"{Path(run.source_path).name}: {run.loaded} loaded, {run.updated} updated, "
            f"{run.unchanged} unchanged, {run.rejected} rejected ({seconds})"
            + (f"; {extras}" if extras else "")
        )
        if run.message and run.status != "succeeded":
            first_line = run.message.splitlines()[0]
            click.echo(f"        {first_line}")
