"""The sample district: deterministic, realistic, and importable through the real CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyogrio
import shapely
from conftest import run_cli
from sqlalchemy import text

from citymodel import crs, database
from citymodel.cadastral import CadastralNumber

GENERATOR = Path(__file__).parent.parent / "scripts" / "generate_district.py"


def generate(out: Path, *args: str) -> None:
    subprocess.run([sys.executable, str(GENERATOR), str(out), *args], check=True,
                   capture_output=True, text=True)


def test_same_seed_same_district(tmp_path):
    generate(tmp_path / "a", "--seed", "3", "--buildings", "300")
    generate(tmp_path / "b", "--seed", "3", "--buildings", "300")
    generate(tmp_path / "c", "--seed", "4", "--buildings", "300")
    for name in ("rights.csv", "auctions.json", "results.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    a = pyogrio.read_dataframe(tmp_path / "a" / "buildings.gpkg")
    b = pyogrio.read_dataframe(tmp_path / "b" / "buildings.gpkg")
    c = pyogrio.read_dataframe(tmp_path / "c" / "buildings.gpkg")
    assert a.drop(columns="geometry").equals(b.drop(columns="geometry"))
    assert shapely.equals_exact(a.geometry.values, b.geometry.values, tolerance=0).all()
    assert not a.drop(columns="geometry").equals(c.drop(columns="geometry"))


def test_the_district_is_realistic_and_imports_cleanly(tmp_path, db):
    out = tmp_path / "district"
    generate(out, "--buildings", "400", "--crs", "EPSG:32637")
    parcels = pyogrio.read_dataframe(out / "parcels.gpkg")
    buildings = pyogrio.read_dataframe(out / "buildings.gpkg")
    assert crs.resolve(pyogrio.read_info(out / "parcels.gpkg")["crs"]).srid == 32637
    assert all(CadastralNumber.parse(n).okrug == "77" for n in parcels.cadastral_number)
    assert parcels.address.str.startswith("г. Москва, ул. ").all()
    holes = shapely.get_num_interior_rings(buildings.geometry.values)
    vertices = shapely.get_num_coordinates(buildings.geometry.values)
    assert (holes == 1).sum() > 10  # courtyard blocks
    assert (vertices == 7).sum() > 10  # L-shapes: six corners, closed
    assert buildings.use.nunique() >= 6 and buildings.year_built.min() < 1917
    assert 350 < len(buildings) < 500

    env = {"DATABASE_URL": db.render_as_string(hide_password=False)}
    for kind, name in (("parcels", "parcels.gpkg"), ("buildings", "buildings.gpkg"),
                       ("rights", "rights.csv"), ("auctions", "auctions.json"),
                       ("auctions", "results.csv")):
        result = run_cli("import", kind, str(out / name), env=env)
        assert result.returncode == 0, result.stderr
        assert " 0 rejected" in result.stdout

    engine = database.create_engine(db)
    with database.connect(engine) as conn:
        statuses = {s for (s,) in conn.execute(text("SELECT DISTINCT status FROM lots"))}
        unlinked_buildings = conn.execute(text("SELECT count(*) FROM buildings WHERE parcel_id IS NULL")).scalar_one()
        holders = {k for (k,) in conn.execute(text("SELECT DISTINCT holder_kind FROM rights"))}
        leases = conn.execute(text("SELECT count(*) FROM rights WHERE kind = 'encumbrance'")).scalar_one()
        unknown = conn.execute(text("SELECT count(*) FROM lot_objects WHERE parcel_id IS NULL")).scalar_one()
    engine.dispose()
    assert statuses == {"PUBLISHED", "APPLICATIONS_SUBMISSION", "DETERMINING_WINNER", "COMPLETED", "CANCELED"}
    assert unlinked_buildings == 0
    assert holders == {"individual", "legal_entity", "public"} and leases > 0
    assert unknown == 1  # the one lot on a parcel outside the district, kept and reported
