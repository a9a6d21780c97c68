"""`citymodel users …`: who may sign in to the API, with which role."""

from __future__ import annotations

import json
import re

import click
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from citymodel import database
from citymodel.credentials import USER_NAME_PATTERN, issue_token, new_api_key
from citymodel.errors import CitymodelError
from citymodel.models import USER_ROLES
from citymodel.settings import load_settings


@click.group()
def users() -> None:
    """Add, list and disable API users; issue their API keys and tokens."""


def _engine():
    settings = load_settings()
    return settings, database.create_engine(database.migrated_url(settings))


@users.command("add")
@click.argument("name")
@click.option("--role", type=click.Choice(USER_ROLES), required=True)
def add(name: str, role: str) -> None:
    """Add a user and print their API key (shown once; only its digest is kept)."""
    if not re.match(USER_NAME_PATTERN, name) or len(name) > 100:
        raise CitymodelError(f"a user name is 1 to 100 letters, digits and . @ - _, not {name!r}")
    _, engine = _engine()
    key, digest = new_api_key()
    try:
        with database.connect(engine) as conn:
            user_id = conn.execute(text(
                "INSERT INTO users (name, role, api_key_hash) VALUES (:n, :r, :h) RETURNING id"),
                {"n": name, "r": role, "h": digest}).scalar_one()
            conn.execute(text("INSERT INTO audit_log (actor, action, entity, entity_id, changes) "
                              "VALUES ('cli', 'create', 'users', :id, CAST(:c AS jsonb))"),
                         {"id": user_id, "c": json.dumps({"name": [None, name], "role": [None, role]})})
    except IntegrityError:
        raise CitymodelError(f"a user named {name!r} exists") from None
    click.echo(f"added {name} ({role}); API key (shown once):\n{key}")


@users.command("list")
def list_() -> None:
    """List users and their roles."""
    _, engine = _engine()
    with database.connect(engine) as conn:
        rows = conn.execute(text("SELECT name, role, disabled FROM users ORDER BY name")).all()
    for name, role, disabled in rows:
        click.echo("\t".join([name, role, *(["disabled"] if disabled else [])]))


@users.command("disable")
@click.argument("name")
def disable(name: str) -> None:
    """Disable a user: their key and tokens stop working at once."""
    _, engine = _engine()
    with database.connect(engine) as conn:
        user_id = conn.execute(text("UPDATE users SET disabled = true WHERE name = :n "
                                    "AND NOT disabled RETURNING id"), {"n": name}).scalar()
        if user_id is None:
            raise CitymodelError(f"no active user {name!r}")
        conn.execute(text("INSERT INTO audit_log (actor, action, entity, entity_id, changes) "
                          "VALUES ('cli', 'update', 'users', :id, '{\"disabled\": [false, true]}')"),
                     {"id": user_id})
    click.echo(f"disabled {name}")


@users.command("token")
@click.argument("name")
def token(name: str) -> None:
    """Print a bearer token (JWT) for an active user, e.g. for scripts."""
    settings, engine = _engine()
    with database.connect(engine) as conn:
        role = conn.execute(text("SELECT role FROM users WHERE name = :n AND NOT disabled"),
                            {"n": name}).scalar()
    if role is None:
        raise CitymodelError(f"no active user {name!r}")
    click.echo(issue_token(settings, name, role)[0])
