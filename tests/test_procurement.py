"""Procurement in: the ЕИС's XML (44-ФЗ) as published — single documents, zip archives,
directories —, editions and procedure records, and each way of linking a procurement to
the parcels and buildings it concerns, against hand-made cases."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from browser import BUILDINGS_ON_SCREEN, CHROMIUM, settle, shot, viewer_page
from conftest import query, settings_for
from sqlalchemy import text

from citymodel import database
from citymodel.procurement import KINDS, STATUSES
from importers.core import ImportFailed
from importers.parcels import import_parcels
from importers.procurement import import_procurement

DATA = Path(__file__).parent / "data" / "procurement"
EXPORT = ('<?xml version="1.0" encoding="UTF-8"?>\n<ns2:export xmlns="http://zakupki.gov.ru/oos/types/1" '
          'xmlns:ns2="http://zakupki.gov.ru/oos/export/1">{}</ns2:export>')
EP_EXPORT = ('<?xml version="1.0" encoding="UTF-8"?>\n<ns7:export xmlns="http://zakupki.gov.ru/oos/EPtypes/1" '
             'xmlns:ns7="http://zakupki.gov.ru/oos/export/1">{}</ns7:export>')


def contract(registry: str, subject: str, *, version: int = 0, notice: str = "0373200000124000099",
             price: str = "100000.00", supplier: str | None = None, products: str = "") -> str:
    supplier = supplier or ("<legalEntityRF><fullName>ООО «Ремонт»</fullName><INN>7700000001</INN>"
                            "</legalEntityRF>")
    return EXPORT.format(
        f'<ns2:contract schemeVersion="11.0"><id>1</id><versionNumber>{version}</versionNumber>'
        f"<foundation><fcsOrder><order><notificationNumber>{notice}</notificationNumber></order></fcsOrder>"
        f"</foundation><customer><regNum>03732000001</regNum><fullName>ГБУ «Жилищник»</fullName>"
        f"<inn>7703815234</inn></customer><signDate>2024-03-01</signDate><regNum>{registry}</regNum>"
        f"<contractSubject>{subject}</contractSubject><priceInfo><price>{price}</price>"
        f"<currency><code>RUB</code></currency></priceInfo><products>{products}</products>"
        f"<suppliers><supplier>{supplier}</supplier></suppliers></ns2:contract>")


def notice(purchase: str, subject: str, place: str) -> str:
    return EP_EXPORT.format(
        f'<ns7:epNotificationEF2020 schemeVersion="11.0"><commonInfo><purchaseNumber>{purchase}</purchaseNumber>'
        f"<publishDTInEIS>2024-02-01T10:00:00+03:00</publishDTInEIS><purchaseObjectInfo>{subject}"
        f"</purchaseObjectInfo></commonInfo><purchaseResponsibleInfo><responsibleOrgInfo><regNum>03732000001"
        f"</regNum><fullName>ГБУ «Жилищник»</fullName><INN>7703815234</INN></responsibleOrgInfo>"
        f"</purchaseResponsibleInfo><notificationInfo><contractConditionsInfo><maxPriceInfo><maxPrice>"
        f"150000.00</maxPrice></maxPriceInfo></contractConditionsInfo><customerRequirementsInfo>"
        f"<customerRequirementInfo><contractConditionsInfo><deliveryPlacesInfo><deliveryPlaceInfo><kladr>"
        f"<kladrCode>7700000000000</kladrCode></kladr><deliveryPlace>{place}</deliveryPlace></deliveryPlaceInfo>"
        f"</deliveryPlacesInfo></contractConditionsInfo></customerRequirementInfo></customerRequirementsInfo>"
        f"</notificationInfo></ns7:epNotificationEF2020>")


def procedure(registry: str, body: str) -> str:
    return EXPORT.format(f'<ns2:contractProcedure schemeVersion="11.0"><regNum>{registry}</regNum>'
                         f"<versionNumber>0</versionNumber>{body}</ns2:contractProcedure>")


@pytest.fixture
def city(db):
    """Two parcels and three buildings with addresses, cadastral and register numbers."""
    engine = database.create_engine(db)
    with database.connect(engine) as conn:
        conn.execute(text("""
            INSERT INTO parcels (cadastral_number, cadastral_key, address, geom, source) VALUES
            ('77:01:0001013:1234', '77:1:1013:1234', 'г. Москва, ул. Тверская, д. 7',
             ST_Multi(ST_MakeEnvelope(37.60, 55.76, 37.601, 55.761, 4326)), 'test'),
            ('77:01:0001013:55', '77:1:1013:55', 'г. Москва, пр-т Мира, вл. 12',
             ST_Multi(ST_MakeEnvelope(37.63, 55.78, 37.631, 55.781, 4326)), 'test')"""))
        conn.execute(text("""
            INSERT INTO buildings (register_id, cadastral_number, cadastral_key, address, footprint, height,
                                   height_source, source) VALUES
            ('1000123', '77:01:0001013:2001', '77:1:1013:2001', 'г. Москва, ул. Тверская, д. 7, стр. 1',
             ST_Multi(ST_MakeEnvelope(37.6001, 55.7601, 37.6002, 55.7602, 4326)), 20, 'measured', 'test'),
            ('1000124', NULL, NULL, 'Москва, Тверская ул., д. 17',
             ST_Multi(ST_MakeEnvelope(37.6011, 55.7611, 37.6012, 55.7612, 4326)), 20, 'measured', 'test'),
            ('1000125', NULL, NULL, 'г. Москва, Кривоколенный пер., д. 3',
             ST_Multi(ST_MakeEnvelope(37.6021, 55.7621, 37.6022, 55.7622, 4326)), 20, 'measured', 'test')"""))
    engine.dispose()
    return db


def _links(url) -> dict[str, list[tuple]]:
    rows = query(url, """SELECT p.registry_number, o.method, coalesce(pa.cadastral_number, b.register_id,
                                o.cadastral_number), o.confidence
                         FROM procurements p JOIN procurement_objects o ON o.procurement_id = p.id
                         LEFT JOIN parcels pa ON pa.id = o.parcel_id LEFT JOIN buildings b ON b.id = o.building_id
                         WHERE p.kind = 'contract' ORDER BY 1, 2, 3""")
    found: dict[str, list[tuple]] = {}
    for registry, method, target, confidence in rows:
        found.setdefault(registry, []).append((method, target, round(confidence, 3)))
    return found


def test_the_reference_layout_imports_as_published(db):
    summary = import_procurement(db, settings_for(db), DATA / "contract_2770000000024000001_100000001.xml")
    assert summary.counts.loaded == 1 and summary.rejected == 0
    row = query(db, """SELECT kind, law, purchase_number, registry_number, version_number, subject, price,
                              currency, signed_on::text, starts_on::text, ends_on::text, status, customer_inn,
                              okpd2, addresses FROM procurements""")[0]
    assert tuple(row) == ("contract", "44", "0373200000124000001", "2770000000024000001", 0,
                          "Окраска фасада, ул. Примерная, 1", pytest.approx(1250000), "RUB", "2024-02-28",
                          "2024-03-01", "2024-06-30", "executing", "7700000000", ["43.34.10"],
                          ["ул. Примерная, 1"])
    assert query(db, "SELECT kind, name, inn FROM procurement_suppliers") == [
        ("legal_entity", "ООО «Пример»", "7700000001")]
    assert query(db, "SELECT okpd2, name, quantity, amount FROM procurement_products") == [
        ("43.34.10", "Работы малярные", 1, 1250000)]


def test_each_way_of_linking(city, tmp_path):
    documents = tmp_path / "docs"
    documents.mkdir()
    files = {
        # a number in the subject (as registers write it) and one in an item's name, zero-stripped
        "contract_1.xml": contract("2770000000024000011", "Ремонт участка 77:01:0001013:1234",
                                   products="<product><OKPD2><code>43.39</code></OKPD2><name>Работы на участке "
                                            "77:1:1013:55</name><sum>1.00</sum></product>"),
        # its notice's delivery place, spelled another way than the register's
        "notice_2.xml": notice("0373200000124000012", "Ремонт фасада", "Москва, Тверская улица, дом 7 строение 1"),
        "contract_2.xml": contract("2770000000024000012", "Ремонт фасада", notice="0373200000124000012"),
        # an address in the subject with a letter missing: linked, with less confidence
        "contract_3.xml": contract("2770000000024000013", "Ремонт, Кривоколенны пер., д. 3"),
        # an address that must not match: house 71 is neither 7 nor 17
        "contract_4.xml": contract("2770000000024000014", "Ремонт, ул. Тверская, д. 71"),
        # the city register's number
        "contract_5.xml": contract("2770000000024000015", "Проект капитального ремонта здания УНОМ 1000123"),
        # a parcel not imported yet
        "contract_6.xml": contract("2770000000024000016", "Строительство на участке 77:01:0009999:7"),
    }
    for name, body in files.items():
        (documents / name).write_text(body, encoding="utf-8")
    summary = import_procurement(city, settings_for(city), documents)
    assert summary.rejected == 0 and summary.counts.loaded == 7
    links = _links(city)
    assert links["2770000000024000011"] == [("cadastral_number", "77:01:0001013:1234", 1.0),
                                            ("cadastral_number", "77:01:0001013:55", 1.0)]
    assert links["2770000000024000012"] == [("address", "1000123", 1.0)]
    (method, target, confidence), = links["2770000000024000013"]
    assert (method, target) == ("address", "1000125") and 0.6 <= confidence < 1.0
    assert "2770000000024000014" not in links
    assert links["2770000000024000015"] == [("register_id", "1000123", 1.0)]
    assert links["2770000000024000016"] == [("cadastral_number", "77:01:0009999:7", 1.0)]
    assert summary.counts.extra["unlinked"] == 1 and summary.counts.extra["numbers_not_yet_imported"] == 1
    # the parcel arrives: the contract links to it
    parcel = tmp_path / "parcel.geojson"
    parcel.write_text(json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"cadastral_number": "77:01:0009999:7"},
        "geometry": {"type": "Polygon", "coordinates": [[[37.5, 55.7], [37.501, 55.7], [37.501, 55.701],
                                                          [37.5, 55.701], [37.5, 55.7]]]}}]}))
    import_parcels(city, settings_for(city), parcel)
    assert _links(city)["2770000000024000016"] == [("cadastral_number", "77:01:0009999:7", 1.0)]
    assert query(city, "SELECT count(*) FROM procurement_objects WHERE parcel_id IS NULL AND building_id IS NULL") \
        == [(0,)]


def test_editions_procedures_and_a_second_import(city, tmp_path):
    archive = tmp_path / "contracts.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("contract_a_1.xml", contract("2770000000024000021", "Ремонт", version=1, price="200.00"))
        z.writestr("contract_a_0.xml", contract("2770000000024000021", "Ремонт", version=0, price="100.00"))
        z.writestr("contractProcedure_a.xml", procedure(
            "2770000000024000021", "<termination><terminationDate>2024-09-01</terminationDate></termination>"))
        z.writestr("contractProcedure_orphan.xml", procedure("2770000000024000099", "<executions/>"))
        z.writestr("protocol.xml", EXPORT.format("<ns2:fcsProtocolEF1><purchaseNumber>1</purchaseNumber>"
                                                 "</ns2:fcsProtocolEF1>"))
    summary = import_procurement(city, settings_for(city), archive)
    assert summary.counts.loaded == 1
    assert summary.counts.extra["procedures_without_their_contract"] == 1
    assert summary.counts.extra["other_fcsProtocolEF1_skipped"] == 1
    assert query(city, "SELECT version_number, price, status FROM procurements") == [(1, 200, "terminated")]
    again = import_procurement(city, settings_for(city), archive)
    assert (again.counts.loaded, again.counts.updated, again.counts.unchanged) == (0, 0, 1)
    older = tmp_path / "older.xml"  # an older edition read later changes nothing
    older.write_text(contract("2770000000024000021", "Ремонт", version=0, price="100.00"), encoding="utf-8")
    import_procurement(city, settings_for(city), older)
    assert query(city, "SELECT version_number, price, status FROM procurements") == [(1, 200, "terminated")]


def test_bad_documents_fail_naming_the_member_and_change_nothing(city, tmp_path):
    before = query(city, "SELECT count(*) FROM procurements")
    archive = tmp_path / "notices.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("epNotificationEF2020_1.xml", notice("0373200000124000031", "Ремонт", "Москва, ул. Тверская, 7"))
        z.writestr("epNotificationEF2020_2.xml", notice("0373200000124000032", "Ремонт", "x")[:300])
    with pytest.raises(ImportFailed, match=r"notices\.zip: epNotificationEF2020_2\.xml: not well-formed XML"):
        import_procurement(city, settings_for(city), archive)
    person = "<individualPersonRF><lastName>Секретов</lastName><firstName>Иван</firstName><INN>12345</INN>" \
             "<isIP>true</isIP></individualPersonRF>"
    bad = tmp_path / "bad.xml"
    bad.write_text(contract("2770000000024000041", "Ремонт", supplier=person), encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        import_procurement(city, settings_for(city), bad)
    message = str(failure.value)
    assert "bad.xml (contract), field suppliers.0.inn: an INN has 10 digits" in message
    assert "12345" not in message and "Секретов" not in message  # personal data stays out of messages
    hostile = tmp_path / "hostile.xml"
    hostile.write_text('<?xml version="1.0"?>\n<!DOCTYPE export [<!ENTITY a "a">]>\n<export>&a;</export>')
    with pytest.raises(ImportFailed, match="DOCTYPE"):
        import_procurement(city, settings_for(city), hostile)
    assert query(city, "SELECT count(*) FROM procurements") == before


def test_read_in_worker_processes_as_in_one(city, tmp_path):
    """An archive read by two worker processes (chunks of a few members) gives what one
    process gives, in the archive's order; a corrupt member still names itself."""
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("contract_edition_1.xml", contract("2770000000024000051", "Ремонт", version=1, price="200.00"))
        for k in range(30):
            z.writestr(f"contract_{k}.xml", contract(f"27700000000240001{k:02d}", f"Ремонт, ул. Тверская, д. {k}"))
        z.writestr("notice.xml", notice("0373200000124000052", "Ремонт", "Москва, Тверская улица, дом 7 строение 1"))
        z.writestr("contract_edition_0.xml", contract("2770000000024000051", "Ремонт", version=0, price="100.00"))
    one = import_procurement(city, settings_for(city), archive, workers=1, dry_run=True)
    two = import_procurement(city, settings_for(city), archive, workers=2)
    assert (two.counts.loaded, two.counts.extra) == (one.counts.loaded, one.counts.extra)
    # д. 7 (the parcel), д. 17 (a building), the notice's place (a building)
    assert two.counts.loaded == 32 and two.counts.extra["links_by_address"] == 3
    assert query(city, "SELECT version_number, price FROM procurements WHERE registry_number = '2770000000024000051'") \
        == [(1, 200)]
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as z:
        for k in range(30):
            z.writestr(f"contract_{k}.xml", contract(f"27700000000240002{k:02d}", "Ремонт"))
        z.writestr("contract_broken.xml", contract("2770000000024000299", "Ремонт")[:200])
    with pytest.raises(ImportFailed, match=r"broken\.zip: contract_broken\.xml: not well-formed XML"):
        import_procurement(city, settings_for(city), broken, workers=2)
    assert query(city, "SELECT count(*) FROM procurements") == [(32,)]


def test_the_csv_and_json_forms(city, tmp_path):
    """Other sources' procurement as a table (README "Procurement CSV"): the same checks,
    editions, statuses and links as the ЕИС's XML."""
    summary = import_procurement(city, settings_for(city), DATA / "procurement.csv")
    assert summary.rejected == 0 and summary.counts.loaded == 3
    assert summary.counts.extra["notices_cancelled"] == 1 and summary.counts.extra["statuses_from_procedures"] == 1
    assert query(city, """SELECT kind, law, coalesce(registry_number, purchase_number), price, status,
                                 construction_works, okpd2, signed_on::text FROM procurements ORDER BY 3""") == [
        ("notice", "44", "0373200000124000061", 150000, "cancelled", None, ["43.34.10"], None),
        ("contract", "44", "2770000000024000061", pytest.approx(1250000.5), "executed", True, ["41.20", "43.39"],
         "2024-03-01"),
        ("contract", "223", "2770000000024000062", 99000, "executing", False, ["81.10"], "2024-04-01")]
    assert query(city, "SELECT DISTINCT source FROM procurements") == [("table",)]  # not the ЕИС's
    assert _links(city) == {
        # its own parcel by number, and its notice's place (the other place is nowhere)
        "2770000000024000061": [("address", "1000123", 1.0), ("cadastral_number", "77:01:0001013:1234", 1.0)],
        "2770000000024000062": [("register_id", "1000124", 1.0)]}
    assert query(city, "SELECT kind, inn FROM procurement_suppliers ORDER BY kind") == [
        ("individual", "500100732259"), ("legal_entity", "7700000002")]
    # the same rows as JSON: nothing changes
    rows = [{k: v for k, v in zip(header, line.split(";"), strict=True) if v}
            for header in [(DATA / "procurement.csv").read_text(encoding="utf-8").splitlines()[0].split(";")]
            for line in (DATA / "procurement.csv").read_text(encoding="utf-8").splitlines()[1:]]
    as_json = tmp_path / "procurement.json"
    as_json.write_text(json.dumps({"procurements": rows}, ensure_ascii=False), encoding="utf-8")
    again = import_procurement(city, settings_for(city), as_json)
    assert (again.counts.loaded, again.counts.updated, again.counts.unchanged) == (0, 0, 3)
    # a bad table is refused naming the line and the field, or the column; nothing changes
    bad = tmp_path / "bad.csv"
    bad.write_text("kind,registry_number,status,cadastral_numbers\ncontract,2770000000024000063,done,\n"
                   "contract,2770000000024000064,,77:01:bad\n", encoding="utf-8")
    with pytest.raises(ImportFailed) as failure:
        import_procurement(city, settings_for(city), bad)
    assert "bad.csv: line 2 (contract), field status: 'done' is not a contract's status" in str(failure.value)
    assert "bad.csv: line 3 (contract), field cadastral_numbers:" in str(failure.value)
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("kind,registry_numbr\ncontract,2770000000024000063\n", encoding="utf-8")
    with pytest.raises(ImportFailed, match="unknown column 'registry_numbr'"):
        import_procurement(city, settings_for(city), unknown)
    assert query(city, "SELECT count(*) FROM procurements") == [(3,)]


# --- served: the shared server's sample district, whose procurement.zip the server imported ---

def _persons(api) -> list[str]:
    """The names and INNs of the suppliers who are persons: what nobody but officials may see."""
    rows = query(api.db, "SELECT name, inn FROM procurement_suppliers "
                         "WHERE kind IN ('individual', 'sole_proprietor', 'foreign_individual')")
    assert rows, "the sample district's procurement has suppliers who are persons"
    return [v for row in rows for v in row if v]


def test_personal_data_of_suppliers_is_shown_to_officials_only(api):
    persons = _persons(api)
    ids = [r[0] for r in query(api.db, "SELECT procurement_id FROM procurement_suppliers "
                                       "WHERE kind IN ('individual', 'sole_proprietor') LIMIT 3")]
    for role in (None, "viewer"):
        with api.client(role) as client:
            seen = []
            page = client.get("/collections/procurements/items", params={"limit": 10000})
            assert page.status_code == 200 and page.json()["numberReturned"] > 10
            seen.append(page.text)
            seen.append(client.get("/procurement", params={"limit": 10000}).text)
            seen.append(client.get("/procurement", params={"limit": 10000, "f": "csv"}).text)
            for i in ids:
                one = client.get(f"/procurement/{i}")
                assert one.status_code == 200 and one.json()["personal_data_shown"] is False
                assert {"kind"} == set(next(s for s in one.json()["suppliers"]
                                            if s["kind"] in ("individual", "sole_proprietor")))
                seen.append(one.text)
            text_ = "\n".join(seen)
            assert not [p for p in persons if p in text_], role
    with api.client("official") as client:
        one = client.get(f"/procurement/{ids[0]}")
        assert one.json()["personal_data_shown"] is True
        assert one.headers["cache-control"] == "private, no-store"
        person = next(s for s in one.json()["suppliers"] if s["kind"] in ("individual", "sole_proprietor"))
        assert person["name"] in persons and person["inn"] in persons
    assert not [p for p in persons if p in api.log.read_text()]  # nor in the server's log


def test_list_filters_totals_and_csv(api):
    with api.client() as client:
        everything = client.get("/procurement", params={"limit": 10000}).json()
        contracts = [p for p in everything["procurements"] if p["kind"] == "contract"]
        assert everything["totals"]["contracts"] == len(contracts) > 10
        assert everything["totals"]["contracted"] == pytest.approx(sum(p["price"] for p in contracts))
        by_year = everything["totals"]["by_year"]
        assert sum(y["contracts"] for y in by_year) == len(contracts)
        assert everything["totals"]["by_object"][0]["amount"] >= everything["totals"]["by_object"][-1]["amount"]
        construction = client.get("/procurement", params={"okpd2": "41", "kind": "contract"}).json()
        assert construction["procurements"] and all(
            any(c.startswith("41") for c in p["okpd2"]) for p in construction["procurements"])
        dated = client.get("/procurement", params={"from": "2024-06-01", "to": "2024-06-30"}).json()
        assert all("2024-06-01" <= (p["signed_on"] or p["published_on"]) <= "2024-06-30"
                   for p in dated["procurements"])
        csv_text = client.get("/procurement", params={"okpd2": "41", "kind": "contract", "f": "csv"})
        assert csv_text.headers["content-type"].startswith("text/csv")
        assert len(csv_text.text.strip().splitlines()) == len(construction["procurements"]) + 1
        for bad in ({"okpd2": "x1"}, {"kind": "lot"}, {"bbox": "1,2,3"}, {"parcel": "nonsense"}):
            refused = client.get("/procurement", params=bad)
            assert refused.status_code == 400 and next(iter(bad)) in refused.text


def test_parcel_card_has_procurement_and_one_timeline(api):
    (number,) = query(api.db, """SELECT p.cadastral_number FROM parcels p JOIN buildings b ON b.parcel_id = p.id
        JOIN procurement_objects o ON o.building_id = b.id JOIN procurements pr ON pr.id = o.procurement_id
        WHERE pr.kind = 'contract' AND EXISTS (SELECT 1 FROM rights r WHERE r.parcel_id = p.id)
        ORDER BY p.id LIMIT 1""")[0]
    with api.client() as client:
        card = client.get(f"/parcels/{number}").json()
    assert card["procurement"] and all(e["source_url"].startswith("https://zakupki.gov.ru/") for e in card["procurement"])
    kinds = [e["kind"] for e in card["timeline"]]
    assert "right" in kinds and "contract" in kinds
    dates = [e["date"] for e in card["timeline"] if e["date"]]
    assert dates == sorted(dates)


def test_building_card_has_its_procurement(api):
    """A building's own card: the building, its parcel, and the procurement for it (each once,
    by its most confident link) with the money contracted; 404 and 4xx for what is not one."""
    building, expected = query(api.db, """SELECT o.building_id, array_agg(DISTINCT o.procurement_id ORDER BY o.procurement_id)
        FROM procurement_objects o JOIN buildings b ON b.id = o.building_id
        WHERE b.parcel_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1""")[0]
    (contracted,) = query(api.db, """SELECT coalesce(sum(price), 0)::float8 FROM procurements
        WHERE kind = 'contract' AND id = ANY(:ids)""", ids=list(expected))[0]
    with api.client() as client:
        card = client.get(f"/buildings/{building}").json()
        assert client.get("/buildings/999999999").status_code == 404
        for bad in ("0", "x", str(2**63)):
            answer = client.get(f"/buildings/{bad}")
            assert answer.status_code == 400 and "building_id" in answer.text
    (parcel,) = query(api.db, "SELECT p.cadastral_number FROM buildings b JOIN parcels p ON p.id = b.parcel_id "
                              "WHERE b.id = :id", id=building)[0]
    assert card["id"] == building and card["parcel"] == parcel
    assert sorted(e["id"] for e in card["procurement"]) == expected
    assert card["contracted"] == pytest.approx(contracted)
    assert all(e["href"].endswith(f"/procurement/{e['id']}") and e["source_url"].startswith("https://zakupki.gov.ru/")
               for e in card["procurement"])
    assert {link["rel"] for link in card["links"]} == {"self", "alternate", "related"}


def test_officials_link_and_unlink_with_an_audit_trail(api):
    (pid,) = query(api.db, "SELECT id FROM procurements WHERE kind = 'contract' ORDER BY id LIMIT 1")[0]
    (number,) = query(api.db, "SELECT cadastral_number FROM parcels WHERE geom IS NOT NULL ORDER BY id DESC LIMIT 1")[0]
    with api.client() as anonymous:
        assert anonymous.post(f"/procurement/{pid}/objects", json={"cadastral_number": number}).status_code == 401
    with api.client("official") as client:
        added = client.post(f"/procurement/{pid}/objects", json={"cadastral_number": number})
        assert added.status_code == 201 and added.json()["method"] == "manual"
        again = client.post(f"/procurement/{pid}/objects", json={"cadastral_number": number})
        assert again.status_code == 400
        assert client.post(f"/procurement/{pid}/objects", json={"cadastral_number": "1:2"}).status_code == 422
        link = added.json()["id"]
        links = client.get(f"/procurement/{pid}").json()["links"]
        assert any(l["id"] == link and l["parcel"] == number and l["method"] == "manual" for l in links)
        assert client.delete(f"/procurement/{pid}/objects/{link}").status_code == 204
        assert client.delete(f"/procurement/{pid}/objects/{link}").status_code == 404
    actions = query(api.db, "SELECT action FROM audit_log WHERE entity = 'procurement_objects' "
                            "AND entity_id = :id ORDER BY id", id=link)
    assert [a for (a,) in actions] == ["create", "delete"]


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")
def test_viewer_card_timeline_panel_and_money_theme(browser, api):
    """In Chromium: a parcel's card shows its procurement and one timeline (auction, rights,
    contracts, in date order); the panel lists procurement with totals and flies to a
    chosen one's parcel; a building clicked there shows the procurement for it; the money
    theme colours the buildings contracts were signed for."""
    number, = query(api.db, """SELECT p.cadastral_number FROM parcels p JOIN buildings b ON b.parcel_id = p.id
        JOIN procurement_objects o ON o.building_id = b.id JOIN procurements pr ON pr.id = o.procurement_id
        WHERE pr.kind = 'contract' AND EXISTS (SELECT 1 FROM rights r WHERE r.parcel_id = p.id)
          AND p.geom IS NOT NULL ORDER BY p.id LIMIT 1""")[0]
    with viewer_page(browser, api.url + "/") as page:
        page.fill("#q", number)
        page.press("#q", "Enter")
        page.wait_for_selector(f"#panel h2[data-cadastral-number='{number}']", timeout=30_000)
        entries = page.locator("#panel .procurement-entry")
        assert entries.count() >= 1
        items = page.locator("#panel ol.timeline li")
        kinds = [items.nth(i).get_attribute("data-kind") for i in range(items.count())]
        dates = [items.nth(i).get_attribute("data-date") for i in range(items.count())]
        assert "right" in kinds and "contract" in kinds
        known = [d for d in dates if d]
        assert known == sorted(known)
        page.click("#procurement-toggle")
        page.wait_for_selector("#procurement ol[data-query]", timeout=30_000)
        # the kinds and statuses to filter by are the API's, each with its label
        for name, values, label in (("kind", KINDS, "procurement_"), ("status", STATUSES, "procurementStatus_")):
            options = page.eval_on_selector_all(f"#procurement select[name={name}] option",
                                                "os => os.map((o) => [o.value, o.textContent])")
            assert [v for v, _ in options] == ["", *values]
            assert all(text and not text.startswith(label) for _, text in options)
        assert "Contracted" in page.inner_text("#procurement .totals") or "Законтрактовано" in page.inner_text(
            "#procurement .totals")
        page.fill("#procurement input[name=okpd2]", "41")
        page.dispatch_event("#procurement input[name=okpd2]", "change")
        page.wait_for_selector("#procurement ol[data-query*='okpd2=41']", timeout=30_000)
        first = page.locator("#procurement li[data-parcel]").first
        chosen = first.get_attribute("data-parcel")
        first.click()
        page.wait_for_selector(f"#panel h2[data-cadastral-number='{chosen}']", timeout=30_000)
        # a building bought for, clicked: its own card lists what was bought for it
        settle(page)
        funded = {b: n for b, n in query(api.db, """SELECT building_id, count(DISTINCT procurement_id)
            FROM procurement_objects WHERE building_id IS NOT NULL GROUP BY 1""")}
        found = next((f for f in page.evaluate(BUILDINGS_ON_SCREEN) if f["id"] in funded), None)
        assert found, "no building with procurement on screen"
        page.mouse.click(found["x"], found["y"])
        page.wait_for_selector(f"#panel h2[data-building='{found['id']}'] ~ .building-procurement", timeout=30_000)
        assert page.locator("#panel .building-procurement .procurement-entry").count() == funded[found["id"]]
        page.select_option("#theme", "procurement")
        page.wait_for_function("""() => { const s = window.citymodel.tileset && window.citymodel.tileset.style;
            return s && s.color && s.color.evaluateColor; }""", timeout=30_000)
        settle(page)
        coloured = page.evaluate("""() => {
            const tileset = window.citymodel.tileset, seen = {};
            const visit = (tile) => {
              const content = tile.content;
              if (content && content.featuresLength) for (let i = 0; i < content.featuresLength; i++) {
                const f = content.getFeature(i);
                seen[f.getProperty("building_id")] = f.color.toCssHexString();
              }
              (tile.children || []).forEach(visit);
            };
            visit(tileset.root);
            return seen;
        }""")
        shot(page, "procurement-theme")
        assert page.page_errors == []
    funded = {str(b) for (b,) in query(api.db, """SELECT DISTINCT coalesce(o.building_id, pb.id) FROM procurement_objects o
        JOIN procurements pr ON pr.id = o.procurement_id LEFT JOIN buildings pb ON pb.parcel_id = o.parcel_id
        WHERE pr.kind = 'contract' AND pr.price IS NOT NULL AND coalesce(o.building_id, pb.id) IS NOT NULL
          AND EXISTS (SELECT 1 FROM unnest(pr.okpd2) c WHERE c LIKE '41%%')""")}  # the panel's codes
    drawn = set(coloured)
    assert funded & drawn, "no funded building among those drawn"
    palette = {"#7a0177", "#c51b8a", "#f768a1", "#fbb4b9"}
    wrong = {b: coloured[b] for b in funded & drawn if coloured[b] not in palette}
    assert not wrong, f"funded buildings not coloured by money: {list(wrong.items())[:5]}"
    wrong = {b: coloured[b] for b in drawn - funded if coloured[b] in palette}
    assert not wrong, f"buildings without contracts coloured: {list(wrong.items())[:5]}"
