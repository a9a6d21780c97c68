"""`citymodel scenarios …`: load a scenario from a file, check it, list them.

The same validation as the API's (``citymodel.scenarios.proposals``), the same checks and report
(``citymodel.scenarios``); each change is one transaction with its audit-log row, by the
owner named.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import click
from psycopg.types.json import Jsonb

from citymodel import database
from citymodel.errors import CitymodelError
from citymodel.settings import load_settings


@click.group()
def scenarios() -> None:
    """Development scenarios: import one from GeoJSON, check it, list them."""


def _url():
    settings = load_settings()
    return settings, database.migrated_url(settings)


@scenarios.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--owner", required=True, help="The planner (a user name) who owns it.")
@click.option("--publish", is_flag=True, help="Make it readable by anyone, by link.")
def import_(file: Path, owner: str, publish: bool) -> None:
    """Create a scenario from FILE: a GeoJSON FeatureCollection whose features are the
    proposed buildings (properties as the API takes them: height, use, floors,
    min_height, residential_share, floor_area, name) and whose members "name",
    "description" and "demolish" (existing buildings: ids, register ids or cadastral
    numbers) describe the scenario.
    Prints the new scenario's id."""
    from pydantic import ValidationError

    from citymodel.scenarios.proposals import BuildingIn, ScenarioIn

    settings, url = _url()
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
        head = ScenarioIn(name=document.get("name") or file.stem,
                          description=document.get("description"), published=publish)
        proposals = [(b, b.footprint()) for b in (BuildingIn(**f) for f in document.get("features", []))]
        demolish = [i if isinstance(i, int) else str(i) for i in document.get("demolish", [])]
    except (ValueError, TypeError, ValidationError, AttributeError) as exc:
        raise CitymodelError(f"{file}: {' '.join(str(exc).split())}") from None
    with database.raw_connect(url, application_name="citymodel scenarios") as conn, conn.transaction():
        if conn.execute("SELECT 1 FROM users WHERE name = %s AND role IN ('planner', 'official', 'admin')",
                        [owner]).fetchone() is None:
            raise CitymodelError(f"--owner: no planner, official or admin named {owner!r} "
                                 "(`citymodel users add NAME --role planner`)")
        srid = int(conn.execute(database.STORAGE_SRID_SQL).fetchone()[0])
        scenario_id = conn.execute(
            "INSERT INTO scenarios (name, description, owner, published) VALUES (%s, %s, %s, %s) "
            "RETURNING id", [head.name, head.description, owner, head.published]).fetchone()[0]
        _audit(conn, owner, "scenarios", scenario_id, head.model_dump())
        for body, shape in proposals:
            values = body.properties.model_dump()
            columns = list(values)
            building_id = conn.execute(
                f"INSERT INTO scenario_buildings (scenario_id, footprint, {', '.join(columns)}) VALUES "
                f"(%s, ST_Multi(ST_Transform(ST_SetSRID(ST_GeomFromWKB(%s), 4326), {srid})), "
                f"{', '.join(['%s'] * len(columns))}) RETURNING id",
                [scenario_id, shape.wkb, *values.values()]).fetchone()[0]
            _audit(conn, owner, "scenario_buildings", building_id, {**values, "scenario_id": scenario_id})
        for ref in demolish:
            found = conn.execute(
                "SELECT id FROM buildings WHERE id = %s" if isinstance(ref, int) else
                "SELECT id FROM buildings WHERE register_id = %s OR cadastral_number = %s",
                [ref] if isinstance(ref, int) else [ref, ref]).fetchone()
            if found is None:
                raise CitymodelError(f"{file}: demolish: no building {ref!r}")
            building_id = found[0]
            conn.execute("INSERT INTO scenario_demolitions (scenario_id, building_id) VALUES (%s, %s)",
                         [scenario_id, building_id])
            _audit(conn, owner, "scenario_demolitions", building_id,
                   {"scenario_id": scenario_id, "building_id": building_id})
    click.echo(scenario_id)


def _audit(conn, actor: str, entity: str, entity_id: int, after: dict) -> None:
    conn.execute("INSERT INTO audit_log (actor, action, entity, entity_id, changes) "
                 "VALUES (%s, 'create', %s, %s, %s)",
                 [actor, entity, entity_id, Jsonb({k: [None, v] for k, v in after.items() if v is not None})])


@scenarios.command("check")
@click.argument("scenario_id", type=int)
def check(scenario_id: int) -> None:
    """Run the checks of scenario SCENARIO_ID, keep the report and print its summary."""
    from citymodel.scenarios import load

    settings, url = _url()
    with database.raw_connect(url, application_name="citymodel scenarios") as conn:
        if conn.execute("SELECT 1 FROM scenarios WHERE id = %s", [scenario_id]).fetchone() is None:
            raise CitymodelError(f"no scenario {scenario_id}")
        result = asyncio.run(load.checked(load.sync_fetch(conn), scenario_id, settings.viewer_timezone,
                                          settings.floor_area_per_resident_m2))
        with conn.transaction():
            conn.execute(load.STORE_SQL, {"report": Jsonb(result), "versions": Jsonb(result["versions"]),
                                          "id": scenario_id})
    counts = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in result["summary"].items() if n)
    click.echo(f"scenario {scenario_id}: {result['status']} ({counts})")
    for finding in result["findings"]:
        if finding["status"] in ("violation", "warning"):
            click.echo(f"  {finding['status']:<9} {finding['rule']:<13} {finding['message']}")


@scenarios.command("list")
def list_() -> None:
    """List the scenarios: id, owner, published, last status."""
    _, url = _url()
    with database.raw_connect(url, application_name="citymodel scenarios") as conn:
        rows = conn.execute("SELECT id, name, owner, published, report->>'status' FROM scenarios "
                            "ORDER BY id").fetchall()
    for id_, name, owner, published, status in rows:
        click.echo(f"{id_:>5}  {'published' if published else 'private  '}  {owner:<16} "
                   f"{status or 'not checked':<11}  {name}")
    if not rows:
        click.echo("no scenarios yet")
