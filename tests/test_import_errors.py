"""Bad input: a clear error naming file, feature or row, and field — and nothing changed."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys

import psycopg
import pytest
from conftest import DATA, KPT_SAMPLE, settings_for
from helpers import SHAPEFILE_MAP, feature_collection, refused, snapshot, square
from sqlalchemy import text

from citymodel import database
from importers.core import ADVISORY_CLASS, PROGRESS_CHANNEL
from importers.parcels import import_parcels
from importers.rights import import_rights

GOOD = DATA / "parcels" / "parcels.geojson"


@pytest.fixture
def loaded(db):
    """A database already holding the sample parcels: a failed import must leave them be."""
    import_parcels(db, settings_for(db), GOOD)
    return db


GOOD_FEATURE = ({"cadastral_number": "77:01:0004010:200"}, square(37.53, 55.75))


def test_truncated_geojson(loaded, tmp_path):
    path = tmp_path / "truncated.geojson"
    path.write_text(GOOD.read_text(encoding="utf-8")[:700], encoding="utf-8")
    refused(loaded, path, "cannot be read")


def test_self_intersecting_polygon(loaded, tmp_path):
    bowtie = {"type": "Polygon", "coordinates": [[[37.53, 55.75], [37.531, 55.751], [37.531, 55.75],
                                                  [37.53, 55.751], [37.53, 55.75]]]}
    path = tmp_path / "bowtie.geojson"
    path.write_text(feature_collection(GOOD_FEATURE, ({"cadastral_number": "77:01:0004010:201"}, bowtie)))
    refused(loaded, path, "feature 2, field geometry", "invalid polygon: Self-intersection")


def test_a_repairable_polygon_is_repaired(db, tmp_path):
    # A ring that touches itself at a point: invalid, but make_valid keeps its shape and area.
    pinched = {"type": "Polygon", "coordinates": [[[37.53, 55.75], [37.532, 55.75], [37.532, 55.752],
                                                   [37.531, 55.75], [37.53, 55.752], [37.53, 55.75]]]}
    path = tmp_path / "pinched.geojson"
    path.write_text(feature_collection(({"cadastral_number": "77:01:0004010:202"}, pinched)))
    summary = import_parcels(db, settings_for(db), path)
    assert (summary.counts.loaded, summary.counts.extra["repaired"], summary.rejected) == (1, 1, 0)


def test_polygon_with_too_few_points(loaded, tmp_path):
    sliver = {"type": "Polygon", "coordinates": [[[37.53, 55.75], [37.531, 55.75], [37.53, 55.75]]]}
    path = tmp_path / "sliver.geojson"
    path.write_text(feature_collection(GOOD_FEATURE, ({"cadastral_number": "77:01:0004010:203"}, sliver)))
    refused(loaded, path, "feature 2, field geometry", "Too few points")


def test_coordinates_in_another_crs(loaded, tmp_path):
    # МСК-77 metres in a file that says it is UTM 37N: far outside UTM 37N's area of use.
    metres = {"type": "Polygon", "coordinates": [[[2000, 9000], [2040, 9000], [2040, 9050],
                                                  [2000, 9050], [2000, 9000]]]}
    path = tmp_path / "wrong-crs.geojson"
    path.write_text(feature_collection(({"cadastral_number": "77:01:0004010:204"}, metres),
                                       crs_name="urn:ogc:def:crs:EPSG::32637"))
    refused(loaded, path, "feature 1, field geometry", "far outside the area of use of EPSG:32637",
            "--crs")


def test_malformed_cadastral_number(loaded, tmp_path):
    path = tmp_path / "bad-number.geojson"
    path.write_text(feature_collection(GOOD_FEATURE, ({"cadastral_number": "77:01:00040:205"}, square(37.54, 55.75))))
    refused(loaded, path, "feature 2, field cadastral_number", "the quarter '00040' has 5 digits")


def test_duplicate_keys_within_a_file(loaded, tmp_path):
    path = tmp_path / "duplicates.geojson"
    # The same parcel twice, once zero-stripped: the same key.
    path.write_text(feature_collection(GOOD_FEATURE, ({"cadastral_number": "77:01:004010:200"}, square(37.54, 55.75))))
    refused(loaded, path, "feature 2, field cadastral_number", "duplicate key 77:1:4010:200", "first at feature 1")


def test_empty_file(loaded, tmp_path):
    path = tmp_path / "empty.geojson"
    path.write_text("")
    refused(loaded, path, "empty")


def test_file_without_crs_and_no_crs_option(loaded, tmp_path):
    for part in (DATA / "parcels" / "utm").iterdir():
        if part.suffix != ".prj":
            shutil.copy(part, tmp_path / part.name)
    path = tmp_path / "parcels.shp"
    refused(loaded, path, "declares no coordinate reference system", "--crs", mapping=SHAPEFILE_MAP)
    summary = import_parcels(loaded, settings_for(loaded), path, mapping=SHAPEFILE_MAP, crs_name="EPSG:32637")
    # The same parcels as the GeoJSON, matched by number once the CRS is known.
    assert (summary.counts.loaded, summary.rejected) == (0, 0)


def test_kpt_with_an_unknown_crs_name(loaded, tmp_path):
    path = tmp_path / "kpt-msk66.xml"
    path.write_text(KPT_SAMPLE.read_text(encoding="utf-8").replace("МСК-26 от СК-95, зона 1", "МСК - 66, зона 1"),
                    encoding="utf-8")
    refused(loaded, path, "'МСК - 66, зона 1' is not in the catalogue", "pass --crs")


def test_xml_entity_expansion_bomb(loaded, tmp_path):
    path = tmp_path / "bomb.xml"
    lines = ['<!ENTITY lol0 "lololololololololol">'] + [
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    path.write_text('<?xml version="1.0"?>\n<!DOCTYPE KPT [\n' + "\n".join(lines) + "\n]>\n"
                    '<KPT xmlns="urn://x-artefacts-rosreestr-ru/outgoing/kpt/10.0.1"><CadastralBlocks>'
                    '<CadastralBlock CadastralNumber="26:05:060402"><Parcels>'
                    '<Parcel CadastralNumber="26:05:060402:1"><Name>&lol9;</Name></Parcel>'
                    '</Parcels></CadastralBlock></CadastralBlocks></KPT>', encoding="utf-8")
    refused(loaded, path, "DOCTYPE", "refused")


def test_a_doctype_is_refused_wherever_it_stands(loaded, tmp_path):
    """Padding (a comment, whitespace) before the DOCTYPE does not get it past the check:
    the parser reads to the root and asks the document."""
    body = KPT_SAMPLE.read_text(encoding="utf-8")
    declaration, rest = body.split("?>", 1)
    for padding in ("<!--" + "x" * 100_000 + "-->", " \n" * 50_000):
        path = tmp_path / "padded.xml"
        path.write_text(declaration + "?>" + padding + '\n<!DOCTYPE KPT [<!ENTITY a "текст">]>' + rest,
                        encoding="utf-8")
        refused(loaded, path, "DOCTYPE", "refused")


def test_csv_with_a_wrong_column(loaded, tmp_path):
    path = tmp_path / "rights.csv"
    path.write_text("cadastral_number,registration_number,type_code,holder_kind,owner\n"
                    "77:01:0004010:101,77-1,001001000000,public,город Москва\n", encoding="utf-8")
    refused(loaded, path, "unknown column 'owner'", "the columns are", importer=import_rights)


def test_max_rejects_lets_the_good_rows_in(loaded, tmp_path):
    path = tmp_path / "mixed.geojson"
    path.write_text(feature_collection(GOOD_FEATURE, ({"cadastral_number": "not a number"}, square(37.54, 55.75))))
    summary = import_parcels(loaded, settings_for(loaded), path, max_rejects=1)
    assert (summary.counts.loaded, summary.rejected) == (1, 1)
    engine = database.create_engine(loaded)
    with database.connect(engine) as conn:
        assert conn.execute(text("SELECT locator, field FROM import_rejects")).all() == [
            ("feature 2", "cadastral_number")]
    engine.dispose()


@pytest.mark.parametrize("how", ["SIGKILL", "SIGINT", "SIGTERM", "database gone"])
def test_an_import_stopped_halfway_changes_nothing(loaded, tmp_path, how):
    """Killed, interrupted, or its database connection cut mid-import: nothing changes."""
    features = [({"cadastral_number": f"77:01:0005{n // 1000:03d}:{n % 1000 + 1}"},
                 square(37.5 + (n % 200) * 0.0006, 55.7 + (n // 200) * 0.0006))
                for n in range(60_000)]  # read in batches of 20,000: caught after the first
    path = tmp_path / "big.geojson"
    path.write_text(feature_collection(*features))
    before = snapshot(loaded)
    env = {**os.environ, "DATABASE_URL": loaded.render_as_string(hide_password=False)}
    conninfo = loaded.set(drivername="postgresql").render_as_string(hide_password=False)
    # the import runs as from a terminal: a shell that runs the tests in the background has
    # them ignore SIGINT, and Python keeps an ignored SIGINT ignored
    with psycopg.connect(conninfo, autocommit=True) as listener, psycopg.connect(conninfo) as holder:
        listener.execute(f"LISTEN {PROGRESS_CHANNEL}")
        process = subprocess.Popen(
            [sys.executable, "-m", "citymodel", "import", "parcels", str(path)], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        first = next(listener.notifies(timeout=120, stop_after=1), None)
        assert first is not None, process.communicate(timeout=60)
        run = json.loads(first.payload)["run"]
        # hold its run row: its next progress report waits for us, so it is caught halfway
        holder.execute("SET lock_timeout = '60s'")
        read = holder.execute("SELECT (counts->>'read')::int FROM import_runs WHERE id = %s "
                              "FOR UPDATE", [run]).fetchone()[0]
        assert 0 < read < len(features), "the import was not caught halfway"
        if how == "database gone":
            listener.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                             "WHERE application_name = 'citymodel import'")
        else:
            process.send_signal(getattr(signal, how))
        holder.rollback()
        _, stderr = process.communicate(timeout=120)
        # its transaction is over once its advisory lock is free (the server rolled it back)
        holder.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_CLASS, run])
        holder.rollback()
    engine = database.create_engine(loaded)
    assert snapshot(loaded) == before
    from importers.runs import recent_runs
    last = recent_runs(engine)[0]
    engine.dispose()
    if how == "SIGKILL":
        assert last.status == "killed"
        return
    assert process.returncode != 0 and "Traceback" not in stderr
    if how == "database gone":
        assert "the database connection failed during the import" in stderr
        assert "nothing was imported" in stderr
    else:
        assert last.status == "failed" and last.message == "interrupted; nothing was imported"
