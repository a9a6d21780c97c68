"""`citymodel db backup` / `restore`: a round trip gives back every table, row for row."""

from __future__ import annotations

import pytest
from conftest import query, run_cli, sample_district
from sqlalchemy import text

from citymodel import database


def execute(url, sql: str) -> None:
    engine = database.create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(sql))
    engine.dispose()


def checksums(url) -> dict[str, tuple[int, str]]:
    """Every table of the schema: its row count and an md5 of its rows in order."""
    tables = [r[0] for r in query(url, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                                       "AND tablename <> 'spatial_ref_sys' ORDER BY tablename")]
    return {t: tuple(query(url, f'SELECT count(*), md5(coalesce(string_agg(x::text, \'|\' ORDER BY x::text), \'\')) '
                                f'FROM "{t}" x')[0]) for t in tables}


@pytest.fixture
def district(db, tmp_path):
    sample_district(db, tmp_path / "district", buildings=150)
    imported = run_cli("import", "rights", str(tmp_path / "district" / "rights.csv"),
                       env={"DATABASE_URL": db.render_as_string(hide_password=False)})
    assert imported.returncode == 0, imported.stderr
    return db


def test_a_backup_restores_every_table_row_for_row(district, tmp_path):
    env = {"DATABASE_URL": district.render_as_string(hide_password=False)}
    original = checksums(district)
    assert original["parcels"][0] > 0 and original["buildings"][0] > 0 and original["rights"][0] > 0
    versions = dict(query(district, "SELECT name, version FROM data_versions"))
    file = tmp_path / "city.backup"
    made = run_cli("db", "backup", str(file), env=env)
    assert made.returncode == 0, made.stderr
    assert file.stat().st_size > 0 and not list(tmp_path.glob(".city.backup.part-*"))

    # the data change after the backup: rows deleted, changed, added
    execute(district, "DELETE FROM rights WHERE id IN (SELECT id FROM rights ORDER BY id LIMIT 5)")
    execute(district, "UPDATE buildings SET height = height + 1 WHERE id IN (SELECT id FROM buildings LIMIT 3)")
    execute(district, "INSERT INTO users (name, role, api_key_hash) VALUES ('late', 'viewer', 'x')")
    assert checksums(district) != original
    changed = dict(query(district, "SELECT name, version FROM data_versions"))

    # a file that is not a backup: refused, nothing changes
    junk = tmp_path / "junk.backup"
    junk.write_bytes(b"PGDMP but not really")
    refused = run_cli("db", "restore", str(junk), "--yes", env=env)
    assert refused.returncode != 0 and "junk.backup" in refused.stderr
    assert checksums(district)["rights"] != original["rights"]

    restored = run_cli("db", "restore", str(file), "--yes", env=env)
    assert restored.returncode == 0, restored.stderr
    now = checksums(district)
    assert {k: v for k, v in now.items() if k != "data_versions"} == \
        {k: v for k, v in original.items() if k != "data_versions"}
    # versions move past both the backup's and the ones before the restore: no cache keyed
    # by a version can hold something else for it
    after = dict(query(district, "SELECT name, version FROM data_versions"))
    assert set(after) == set(versions)
    assert all(after[n] > max(versions[n], changed[n]) for n in after)


def test_a_backup_to_a_missing_directory_is_refused(db, tmp_path):
    env = {"DATABASE_URL": db.render_as_string(hide_password=False)}
    result = run_cli("db", "backup", str(tmp_path / "nowhere" / "x.backup"), env=env)
    assert result.returncode != 0 and "does not exist" in result.stderr
