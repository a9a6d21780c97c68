"""CityGML in: two real CityGML 2.0 files (the FZK-Haus, whose solid refers to its thematic
surfaces by xlink; citygml4j's sample with an Application Domain Extension) and one
written for the tests (a building of two parts, LoD1 solids). The expectations are read
from the files here, with lxml, not taken from the importer."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyproj
import pytest
import shapely
from conftest import query, settings_for
from lxml import etree
from tileset_checks import Glb

from citymodel.surfaces import TILE_CLASSES
from importers.buildings import import_buildings
from importers.core import ImportFailed
from tiles.build import build_tileset

DATA = Path(__file__).parent / "data" / "citygml"
FZK = DATA / "FZK-Haus-LoD2-KIT-IAI-KHH-B36-V1.gml"
ADE = DATA / "lod2_test_ade_v2.gml"
PARTS = DATA / "parts_and_lod1.gml"
NS = {"gml": "http://www.opengis.net/gml", "bldg": "http://www.opengis.net/citygml/building/2.0",
      "xlink": "http://www.w3.org/1999/xlink"}
UTM32 = pyproj.Transformer.from_crs(4326, 25832, always_xy=True)


def _area(ring: np.ndarray) -> float:
    a, b = ring, np.roll(ring, -1, axis=0)
    n = [((a[:, 1] - b[:, 1]) * (a[:, 2] + b[:, 2])).sum(), ((a[:, 2] - b[:, 2]) * (a[:, 0] + b[:, 0])).sum(),
         ((a[:, 0] - b[:, 0]) * (a[:, 1] + b[:, 1])).sum()]
    return float(np.linalg.norm(n) / 2)


def _solid_surfaces(path: Path) -> list[tuple[str, float]]:
    """The (type, area) of each polygon the file's one building's LoD2 solid refers to; the
    type of the thematic surface holding it, an ADE's *RoofSurface counting as a roof."""
    tree = etree.parse(str(path))
    types = {}
    for polygon in tree.iter("{http://www.opengis.net/gml}Polygon"):
        holder = next((a for a in polygon.iterancestors()  # the surface a boundedBy holds
                       if a.getparent() is not None and etree.QName(a.getparent()).localname == "boundedBy"),
                      None)
        if holder is None:
            continue
        name = etree.QName(holder).localname
        types[polygon.get(f"{{{NS['gml']}}}id")] = "RoofSurface" if name.endswith("RoofSurface") else name
    result = []
    for member in tree.find(".//bldg:lod2Solid", NS).iter(f"{{{NS['gml']}}}surfaceMember"):
        pid = member.get(f"{{{NS['xlink']}}}href").lstrip("#")
        polygon = tree.find(f".//gml:Polygon[@gml:id='{pid}']", NS)
        points = np.array(polygon.find(".//gml:posList", NS).text.split(), dtype=float).reshape(-1, 3)
        result.append((types[pid], _area(points[:-1])))
    return result


def _stored_surfaces(url, register_id: str) -> list[tuple[str, float]]:
    wkb, types = query(url, "SELECT ST_AsBinary(model), model_surfaces FROM buildings WHERE register_id = :r",
                       r=register_id)[0]
    out = []
    for polygon, kind in zip(shapely.get_parts(shapely.from_wkb(bytes(wkb))), types, strict=True):
        ring = np.asarray(polygon.exterior.coords)
        x, y = UTM32.transform(ring[:, 0], ring[:, 1])
        out.append((kind, _area(np.column_stack([x, y, ring[:, 2]])[:-1])))
    return out


@pytest.fixture(scope="module")
def city(cluster, migrated_template):
    from conftest import _drop_database, _new_database

    url = _new_database(cluster, template=migrated_template)
    settings = settings_for(url)
    summaries = {path.name: import_buildings(url, settings, path) for path in (FZK, ADE, PARTS)}
    yield url, summaries
    _drop_database(cluster, url)


def test_real_files_keep_their_surfaces_and_attributes(city):
    url, summaries = city
    assert all(s.rejected == 0 for s in summaries.values())
    for path, key in ((FZK, "UUID_d281adfc-4901-0f52-540b-4cc1a9325f82"),
                      (ADE, "UUID_2a80f5a0-1c75-4805-8623-ecbedbe10837")):
        expected, stored = _solid_surfaces(path), _stored_surfaces(url, key)
        assert [t for t, _ in stored] == [t for t, _ in expected], path.name
        for (_, want), (_, got) in zip(expected, stored, strict=True):
            assert got == pytest.approx(want, rel=1e-4), path.name
    row = query(url, """SELECT address, use, floors, year_built, height, ground_elevation, model_lod,
                               model_semantics, attributes, ST_Area(ST_Transform(footprint, 25832))
                        FROM buildings WHERE register_id = 'UUID_d281adfc-4901-0f52-540b-4cc1a9325f82'""")[0]
    address, use, floors, year, height, ground, lod, semantics, attributes, area = row
    assert address == "Spöcker Straße 4711, 76344 Eggenstein-Leopoldshafen"
    assert (use, floors, year, lod, semantics) == ("1000", 2, 1948, "2", "source")
    assert ground == pytest.approx(111.8) and ground + height == pytest.approx(118.317691453624)
    assert area == pytest.approx(120.0, rel=1e-3)  # the ground surface, 12 m × 10 m
    assert attributes["ConstructionMethod"] == "New Building" and attributes["GrossPlannedArea"] == 120.0
    # the extension's own properties are not read: its owner's name stays in the file
    assert "ownerName" not in str(query(url, "SELECT attributes FROM buildings"))


def test_parts_and_lod1_solids(city):
    url, _ = city
    rows = {r[0]: r[1:] for r in query(url, """
        SELECT register_id, kind, part_of, model_lod, model_semantics, model_surfaces, ground_elevation,
               height, ST_Area(ST_Transform(footprint, 25832)), floors, attributes
        FROM buildings WHERE register_id IN ('PARTS-1', 'PARTS-1-A', 'PARTS-1-part-2', 'LOD1-1')""")}
    assert set(rows) == {"PARTS-1", "PARTS-1-A", "PARTS-1-part-2", "LOD1-1"}
    building, a, b, lod1 = rows["PARTS-1"], rows["PARTS-1-A"], rows["PARTS-1-part-2"], rows["LOD1-1"]
    box = ["GroundSurface", "RoofSurface", "WallSurface", "WallSurface", "WallSurface", "WallSurface"]
    assert a[:5] == ("part", "PARTS-1", "1", "orientation", box)
    assert b[:5] == ("part", "PARTS-1", "2", "source", box)
    assert building[:4] == ("building", None, None, None)  # its parts are its model
    assert building[5] == pytest.approx(110.0) and building[6] == pytest.approx(6.0)
    assert building[7] == pytest.approx(80 + 30, rel=1e-6)
    assert (a[8], b[8]) == (2, 1)
    assert lod1[8] == 3 and lod1[9] == {"flats": 12, "note": "written for the tests", "function": "1010",
                                        "storeysAboveGround": 3}
    assert lod1[5] == pytest.approx(111.0) and lod1[6] == pytest.approx(9.0)


def test_tiles_draw_the_citygml_roofs(city, tmp_path):
    url, _ = city
    build_tileset(url, tmp_path / "tiles", jobs=1)
    roof = TILE_CLASSES.index("roof")
    ids = dict(query(url, "SELECT id, register_id FROM buildings"))
    roofs: dict[str, float] = {}
    for path in (tmp_path / "tiles").resolve().rglob("*.glb"):
        glb = Glb(path)
        positions = glb.positions_ecef()
        triangles = glb.accessor(glb.primitive["indices"]).reshape(-1, 3).astype(int)
        classes = glb.accessor(glb.primitive["attributes"]["_SURFACE_CLASS"])[triangles[:, 0]]
        features = glb.accessor(glb.primitive["attributes"]["_FEATURE_ID_0"])[triangles[:, 0]].astype(int)
        building = np.array(glb.property_table()["building_id"])[features]
        a, b, c = (positions[triangles[:, k]] for k in range(3))
        area = np.linalg.norm(np.cross(b - a, c - a), axis=1) / 2
        for key, cls, value in zip(building, classes, area, strict=True):
            if cls == roof:
                roofs[ids[int(key)]] = roofs.get(ids[int(key)], 0.0) + value
    fzk = sum(a for t, a in _solid_surfaces(FZK) if t == "RoofSurface")
    assert roofs["UUID_d281adfc-4901-0f52-540b-4cc1a9325f82"] == pytest.approx(fzk, rel=0.005)
    assert roofs["LOD1-1"] == pytest.approx(64.0, rel=0.005)
    assert "PARTS-1" not in roofs and roofs["PARTS-1-A"] == pytest.approx(80.0, rel=0.005)


def test_bad_citygml_is_refused_naming_what(city, tmp_path):
    url, _ = city
    settings = settings_for(url)
    before = query(url, "SELECT count(*), max(updated_at) FROM buildings")
    text = FZK.read_text()
    nameless = tmp_path / "nameless.gml"
    nameless.write_text(text.replace('srsName="urn:adv:crs:ETRS89_UTM32*DE_DHHN92_NH"', ""))
    with pytest.raises(ImportFailed, match="names no coordinate system.*--crs"):
        import_buildings(url, settings, nameless)
    dangling = tmp_path / "dangling.gml"
    dangling.write_text(text.replace('xlink:href="#PolyID7352_230_209861_355851"', 'xlink:href="#nowhere"'))
    with pytest.raises(ImportFailed) as failure:
        import_buildings(url, settings, dangling)
    assert ("Building 'UUID_d281adfc-4901-0f52-540b-4cc1a9325f82' (line 11), field geometry: "
            "surfaceMember refers to '#nowhere'") in str(failure.value)
    flat = tmp_path / "flat.gml"
    flat.write_text(PARTS.read_text().replace('srsDimension="3">457930', 'srsDimension="2">457930'))
    with pytest.raises(ImportFailed, match="'LOD1-1' .*field geometry: line \\d+: coordinates must be x y z"):
        import_buildings(url, settings, flat)
    hostile = tmp_path / "hostile.gml"
    hostile.write_text('<?xml version="1.0"?>\n<!DOCTYPE CityModel [<!ENTITY a "aaaa">]>\n' + text.split("?>", 1)[1])
    with pytest.raises(ImportFailed, match="DOCTYPE"):
        import_buildings(url, settings, hostile)
    broken = tmp_path / "broken.gml"
    broken.write_text(text[:len(text) // 2])
    with pytest.raises(ImportFailed, match="not well-formed XML \\(line \\d+\\)"):
        import_buildings(url, settings, broken)
    assert query(url, "SELECT count(*), max(updated_at) FROM buildings") == before
