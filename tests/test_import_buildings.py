"""Building imports: OpenStreetMap and vector files, heights, parcels they stand on."""

from __future__ import annotations

from pathlib import Path

import osmium
import pyrosm
import pytest
from conftest import DATA, query, settings_for
from helpers import BUILDINGS, MAPPING

from importers.buildings import import_buildings
from importers.parcels import import_parcels

HELSINKI = Path(pyrosm.get_data("helsinki_pbf"))  # a real OpenStreetMap extract


def _helsinki_tags() -> dict[tuple[str, int], dict[str, str]]:
    """The tags of every building area in the extract, read independently of the importer."""
    tags = {}
    for obj in osmium.FileProcessor(str(HELSINKI)).with_areas():
        if obj.is_area() and ("building" in obj.tags or "building:part" in obj.tags):
            kind = "way" if obj.from_way() else "relation"
            tags[(kind, obj.orig_id())] = dict(obj.tags)
    return tags


def test_helsinki_extract_with_heights_and_levels(db):
    summary = import_buildings(db, settings_for(db), HELSINKI)
    expected = _helsinki_tags()
    assert summary.counts.loaded == len(expected) > 500
    assert summary.rejected == 0
    rows = {(t, i): (h, src, floors, low, kind)
            for t, i, h, src, floors, low, kind in query(
                db, "SELECT osm_type, osm_id, height, height_source, floors, min_height, kind FROM buildings")}
    assert set(rows) == set(expected)
    measured = levels = parts = 0
    for key, tags in expected.items():
        height, source, floors, low, kind = rows[key]
        assert kind == ("part" if "building:part" in tags else "building")
        parts += kind == "part"
        if tags.get("height", "").replace(".", "", 1).isdigit():
            assert (height, source) == (float(tags["height"]), "measured")
            measured += 1
        elif "height" not in tags and tags.get("building:levels", "").isdigit():
            assert source == "levels" and floors == int(tags["building:levels"])
            # levels × 3 m; a part raised off the ground above that is stacked on its base
            estimate = floors * 3.0
            assert height == pytest.approx(estimate if estimate > low else low + estimate)
            levels += 1
        if tags.get("min_height", "").replace(".", "", 1).isdigit():
            assert low == float(tags["min_height"])
        assert height > low
    assert measured > 20 and levels > 200 and parts > 100

    again = import_buildings(db, settings_for(db), HELSINKI)
    assert (again.counts.loaded, again.counts.unchanged) == (0, len(expected))


def test_vector_buildings_with_mapped_height_and_levels(db):
    import_parcels(db, settings_for(db), DATA / "parcels" / "parcels.geojson")
    summary = import_buildings(db, settings_for(db), BUILDINGS, mapping=MAPPING)
    assert (summary.counts.loaded, summary.rejected) == (3, 0)
    rows = {r[0]: r[1:] for r in query(
        db, "SELECT b.register_id, b.height, b.height_source, b.floors, b.use, p.cadastral_number "
            "FROM buildings b LEFT JOIN parcels p ON p.id = b.parcel_id")}
    assert rows["3301"] == (24.5, "measured", 8, "office", "77:01:0004010:101")
    # 5 levels × 3 m; 70 % on parcel 101, 30 % on 102: it stands on 101
    assert rows["3302"] == (15.0, "levels", 5, "residential", "77:01:0004010:101")
    assert rows["3303"] == (9.0, "default", None, None, "77:01:0004010:103")


def test_parcels_after_buildings_link_them_too(db):
    import_buildings(db, settings_for(db), BUILDINGS, mapping=MAPPING)
    assert query(db, "SELECT count(parcel_id) FROM buildings") == [(0,)]
    import_parcels(db, settings_for(db), DATA / "parcels" / "parcels.geojson")
    assert query(db, "SELECT count(parcel_id) FROM buildings") == [(3,)]


def test_storey_height_and_default_are_options(db):
    from importers.buildings import HeightRules
    import_buildings(db, settings_for(db), BUILDINGS, mapping=MAPPING,
                     rules=HeightRules(storey_m=3.5, default_m=12))
    assert dict(query(db, "SELECT register_id, height FROM buildings WHERE register_id <> '3301'")) == {
        "3302": 17.5, "3303": 12.0}


def test_buildings_need_an_identifier(db):
    from importers.core import FileRejected
    with pytest.raises(FileRejected, match="register_id=COLUMN"):
        import_buildings(db, settings_for(db), BUILDINGS, mapping={"height": "h"})


def test_osm_xml_gives_the_same_buildings_as_pbf(db, tmp_path):
    xml = tmp_path / "helsinki.osm"
    with osmium.SimpleWriter(str(xml)) as writer:
        for obj in osmium.FileProcessor(str(HELSINKI)):
            writer.add(obj)
    from_xml = import_buildings(db, settings_for(db), xml)
    from_pbf = import_buildings(db, settings_for(db), HELSINKI)
    assert from_xml.counts.loaded == len(_helsinki_tags())
    assert (from_pbf.counts.loaded, from_pbf.counts.updated) == (0, 0)
