"""Writes the small sample files in tests/data (run again after changing it).

The same three parcels, defined here in МСК-77, are written in three formats and
three CRSs, so tests can check every reader puts them in the same place:

    parcels/parcels.geojson       EPSG:4326 (RFC 7946)
    parcels/parcels-msk77.gpkg    МСК-77
    parcels/utm/parcels.shp       EPSG:32637
    parcels/mapped.geojson        other column names (for --map)
    buildings/buildings.geojson   buildings on those parcels, heights in "h", levels in "floors_count"
    kpt/kpt10-crafted.xml         KPT v10: a hole, a multi-contour parcel, a circle, no coordinates
    kpt/kpt10-lines-zones.xml     KPT v10: linear, point and mixed constructions, zones, certification
    extract/extract-cpt.xml       extract_cadastral_plan_territory, the same kinds of objects
    rights/, auctions/            rights and auctions on those parcels
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import shapely

from citymodel import crs

HERE = Path(__file__).parent
E, N = 2000.0, 9000.0  # МСК-77 easting, northing of the sample's corner (Presnya)

PARCELS = [
    {"cadastral_number": "77:01:0004010:101", "address": "г. Москва, ул. Заморёнова, д. 1",
     "declared_area_m2": 2000, "land_category": "003002000000", "permitted_use": "2.6",
     "cadastral_value": 41234567.89, "registered_on": "2011-03-04",
     "geometry": shapely.box(E, N, E + 40, N + 50)},
    {"cadastral_number": "77:01:0004010:102", "address": "г. Москва, ул. Заморёнова, д. 3",
     "declared_area_m2": 1700, "land_category": "003002000000", "permitted_use": "4.1",
     "cadastral_value": 30000000, "registered_on": "2015-07-20",
     "geometry": shapely.Polygon(
         [(E + 40, N), (E + 70, N), (E + 70, N + 60), (E + 40, N + 60)],
         [[(E + 50, N + 20), (E + 50, N + 30), (E + 60, N + 30), (E + 60, N + 20)]])},
    {"cadastral_number": "77:01:0004010:103", "address": "г. Москва, ул. Заморёнова, вл. 5",
     "declared_area_m2": 500, "land_category": "003002000000", "permitted_use": "12.0.1",
     "cadastral_value": None, "registered_on": "2019-11-01",
     "geometry": shapely.MultiPolygon([shapely.box(E + 80, N, E + 100, N + 20),
                                       shapely.box(E + 110, N, E + 120, N + 10)])},
]
BUILDINGS = [  # unom, cad, h, floors_count, purpose, footprint
    ("3301", "77:01:0004010:2001", 24.5, 8, "office", shapely.box(E + 5, N + 5, E + 25, N + 35)),
    # 70 % on parcel 101 (x < E+40), 30 % on parcel 102
    ("3302", "77:01:0004010:2002", None, 5, "residential", shapely.box(E + 26, N + 40, E + 46, N + 48)),
    ("3303", None, None, None, None, shapely.box(E + 82, N + 2, E + 90, N + 10)),
]


def main() -> None:
    msk77 = crs.resolve("МСК-77").crs
    parcels = gpd.GeoDataFrame(PARCELS, geometry="geometry", crs=msk77)
    (HERE / "parcels" / "utm").mkdir(parents=True, exist_ok=True)
    parcels.to_crs(4326).to_file(HERE / "parcels" / "parcels.geojson", driver="GeoJSON",
                                 layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": 9})
    parcels.to_file(HERE / "parcels" / "parcels-msk77.gpkg", layer="parcels")
    parcels.to_crs(32637).to_file(HERE / "parcels" / "utm" / "parcels.shp", encoding="UTF-8")
    mapped = parcels.rename(columns={"cadastral_number": "KN", "address": "ADDR",
                                     "declared_area_m2": "AREA"})
    mapped.to_crs(4326).to_file(HERE / "parcels" / "mapped.geojson", driver="GeoJSON",
                                layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": 9})

    buildings = gpd.GeoDataFrame(
        [{"unom": u, "cad": c, "h": h, "floors_count": f, "purpose": p} for u, c, h, f, p, _ in BUILDINGS],
        geometry=[g for *_, g in BUILDINGS], crs=msk77,
    )
    (HERE / "buildings").mkdir(exist_ok=True)
    buildings.to_crs(4326).to_file(HERE / "buildings" / "buildings.geojson", driver="GeoJSON",
                                   layer_options={"RFC7946": "YES", "COORDINATE_PRECISION": 9})

    (HERE / "kpt" / "kpt10-crafted.xml").write_text(KPT, encoding="utf-8")
    (HERE / "kpt" / "kpt10-lines-zones.xml").write_text(KPT_LINES_ZONES, encoding="utf-8")
    (HERE / "extract").mkdir(exist_ok=True)
    (HERE / "extract" / "extract-cpt.xml").write_text(EXTRACT, encoding="utf-8")
    (HERE / "rights").mkdir(exist_ok=True)
    (HERE / "rights" / "rights.csv").write_text(RIGHTS_CSV, encoding="utf-8")
    (HERE / "rights" / "rights.json").write_text(json.dumps(RIGHTS_JSON, ensure_ascii=False, indent=1),
                                                 encoding="utf-8")
    (HERE / "auctions").mkdir(exist_ok=True)
    (HERE / "auctions" / "torgi-notice.json").write_text(
        json.dumps(TORGI, ensure_ascii=False, indent=1), encoding="utf-8")
    (HERE / "auctions" / "results.csv").write_text(RESULTS_CSV, encoding="utf-8")


def _square(x: float, y: float, size: float) -> str:
    """A KPT ring (X northing, Y easting), closed, counter-clockwise."""
    points = [(x, y), (x, y + size), (x + size, y + size), (x + size, y), (x, y)]
    return "".join(
        f'<ns3:SpelementUnit TypeUnit="Точка" SuNmb="{n}"><ns3:Ordinate X="{px:.2f}" Y="{py:.2f}" '
        f'OrdNmb="1" DeltaGeopoint="0.10"/></ns3:SpelementUnit>'
        for n, (px, py) in enumerate(points, start=1)
    )


X0, Y0 = 537900.00, 1345500.00  # МСК-26 zone 1, by the real extract's quarter
KPT = f"""<?xml version="1.0" encoding="utf-8"?>
<KPT xmlns="urn://x-artefacts-rosreestr-ru/outgoing/kpt/10.0.1" xmlns:adrOut4="urn://x-artefacts-rosreestr-ru/commons/complex-types/address-output/4.0.1" xmlns:ns3="urn://x-artefacts-rosreestr-ru/commons/complex-types/entity-spatial/5.0.1"><CadastralBlocks><CadastralBlock CadastralNumber="26:05:060403">
<Parcels>
<Parcel CadastralNumber="26:05:060403:1" State="01" DateCreated="2010-01-01"><Area><Area>1500</Area><Unit>055</Unit></Area><Name>01</Name><Location><Address><adrOut4:Note>с дырой</adrOut4:Note></Address></Location><Category>003002000000</Category><Utilization Utilization="141003000000" ByDoc="ЛПХ"/><CadastralCost Value="1000.50" Unit="383"/><EntitySpatial EntSys="ID1"><ns3:SpatialElement>{_square(X0, Y0, 40)}</ns3:SpatialElement><ns3:SpatialElement>{_square(X0 + 15, Y0 + 15, 10)}</ns3:SpatialElement></EntitySpatial></Parcel>
<Parcel CadastralNumber="26:05:060403:2" State="01" DateCreated="2010-01-02"><Area><Area>0.08</Area><Unit>059</Unit></Area><Name>05</Name><Category>003002000000</Category><Contours><Contour NumberRecord="26:05:060403:2(1)"><EntitySpatial EntSys="ID1"><ns3:SpatialElement>{_square(X0 + 100, Y0, 20)}</ns3:SpatialElement></EntitySpatial></Contour><Contour NumberRecord="26:05:060403:2(2)"><EntitySpatial EntSys="ID1"><ns3:SpatialElement>{_square(X0 + 150, Y0, 20)}</ns3:SpatialElement></EntitySpatial></Contour></Contours></Parcel>
<Parcel CadastralNumber="26:05:060403:3" State="06" DateCreated="1995-05-05"><Area><Area>600</Area><Unit>055</Unit></Area><Name>01</Name><Category>003002000000</Category></Parcel>
</Parcels>
<ObjectsRealty>
<ObjectRealty><Building CadastralNumber="26:05:060403:10"><ObjectType>002001002000</ObjectType><AssignationBuilding>204002000000</AssignationBuilding><Area>120</Area><EntitySpatial EntSys="ID1"><ns3:SpatialElement>{_square(X0 + 2, Y0 + 2, 10)}</ns3:SpatialElement></EntitySpatial></Building></ObjectRealty>
<ObjectRealty><Construction CadastralNumber="26:05:060403:11"><ObjectType>002001004000</ObjectType><EntitySpatial EntSys="ID1"><ns3:SpatialElement><ns3:SpelementUnit TypeUnit="Окружность" SuNmb="1"><ns3:Ordinate X="{X0 + 60:.2f}" Y="{Y0 + 60:.2f}" OrdNmb="1"/><ns3:R>6</ns3:R></ns3:SpelementUnit></ns3:SpatialElement></EntitySpatial></Construction></ObjectRealty>
<ObjectRealty><Construction CadastralNumber="26:05:060403:12"><ObjectType>002001004000</ObjectType><EntitySpatial EntSys="ID1"><ns3:SpatialElement><ns3:SpelementUnit TypeUnit="Точка" SuNmb="1"><ns3:Ordinate X="{X0:.2f}" Y="{Y0 - 5:.2f}" OrdNmb="1"/></ns3:SpelementUnit><ns3:SpelementUnit TypeUnit="Точка" SuNmb="2"><ns3:Ordinate X="{X0 + 40:.2f}" Y="{Y0 - 5:.2f}" OrdNmb="1"/></ns3:SpelementUnit></ns3:SpatialElement></EntitySpatial></Construction></ObjectRealty>
</ObjectsRealty>
<CoordSystems><ns3:CoordSystem Name="МСК-26 от СК-95, зона 1" CsId="ID1"/></CoordSystems>
</CadastralBlock></CadastralBlocks></KPT>
"""


def _units(points: list[tuple[float, float]]) -> str:
    """KPT ordinates of a spatial element (X northing, Y easting), as given: open or closed."""
    return "".join(
        f'<ns3:SpelementUnit TypeUnit="Точка" SuNmb="{n}"><ns3:Ordinate X="{px:.2f}" Y="{py:.2f}" '
        f'OrdNmb="{n}"/></ns3:SpelementUnit>'
        for n, (px, py) in enumerate(points, start=1)
    )


# The structure of a real KPT v10 with linear constructions and zones (a Yekaterinburg
# extract: a sewer collector whose EntitySpatial holds a chamber's closed ring and the
# pipe's open polylines; cable protection zones with registry numbers, restriction texts
# and documents), with every element name and namespace of the schema, moved to a
# quarter of the МСК-26 sample. The certifying official's name is personal data.
SEWER_PIPE = [(X0 + 300, Y0), (X0 + 300, Y0 + 80), (X0 + 340, Y0 + 120)]
SEWER_PIPE_2 = [(X0 + 340, Y0 + 120), (X0 + 400, Y0 + 125)]
CHAMBER = [(X0 + 296, Y0 - 4), (X0 + 296, Y0 + 4), (X0 + 304, Y0 + 4), (X0 + 304, Y0 - 4), (X0 + 296, Y0 - 4)]
CABLE = [(X0 + 200, Y0 + 200), (X0 + 260, Y0 + 230), (X0 + 330, Y0 + 231), (X0 + 390, Y0 + 260)]
MAST = (X0 + 210, Y0 + 150)
ZONE_RING = [(X0 + 195, Y0 + 195), (X0 + 195, Y0 + 265), (X0 + 395, Y0 + 265), (X0 + 395, Y0 + 195),
             (X0 + 195, Y0 + 195)]
CERTIFYING_OFFICIAL = ("Пробнова", "Анна", "Сергеевна")  # made up
ZONE_RESTRICTIONS = ("В охранных зонах запрещается осуществлять любые действия, которые могут "
                     "нарушить безопасную работу объектов электросетевого хозяйства "
                     "(Постановление Правительства РФ от 24.02.2009 № 160)")
KPT_LINES_ZONES = f"""<?xml version="1.0" encoding="utf-8"?>
<KPT xmlns:adrOut4="urn://x-artefacts-rosreestr-ru/commons/complex-types/address-output/4.0.1" xmlns:ns3="urn://x-artefacts-rosreestr-ru/commons/complex-types/entity-spatial/5.0.1" xmlns:ns4="urn://x-artefacts-rosreestr-ru/commons/complex-types/parameters-oks/2.0.1" xmlns:ns5="urn://x-artefacts-rosreestr-ru/commons/complex-types/document-output/4.0.1" xmlns:ns6="urn://x-artefacts-rosreestr-ru/commons/complex-types/certification-doc/1.0" xmlns:ns7="urn://x-artefacts-smev-gov-ru/supplementary/commons/1.0.1" xmlns="urn://x-artefacts-rosreestr-ru/outgoing/kpt/10.0.1"><CadastralBlocks><CadastralBlock CadastralNumber="26:05:060404"><Area><Total>4.5</Total><Unit>059</Unit></Area>
<Parcels>
<Parcel CadastralNumber="26:05:060404:1" State="01" DateCreated="2012-03-01"><Area><Area>1600</Area><Unit>055</Unit></Area><Name>01</Name><Location><Address><adrOut4:Note>край Ставропольский, р-н Труновский</adrOut4:Note></Address></Location><Category>003002000000</Category><Utilization Utilization="141003000000" ByDoc="для ИЖС"/><EntitySpatial EntSys="ID1"><ns3:SpatialElement>{_square(X0 + 300, Y0 + 300, 40)}</ns3:SpatialElement></EntitySpatial></Parcel>
</Parcels>
<ObjectsRealty>
<ObjectRealty><Construction CadastralNumber="26:05:060404:20"><ObjectType>002001004000</ObjectType><AssignationName>Сооружения канализации: канализационный коллектор</AssignationName><ns4:KeyParameters><ns4:KeyParameter Type="01" Value="195"/></ns4:KeyParameters><Address><adrOut4:Note>край Ставропольский, п. Правоегорлыкский</adrOut4:Note></Address><EntitySpatial EntSys="ID1"><ns3:SpatialElement>{_units(CHAMBER)}</ns3:SpatialElement><ns3:SpatialElement>{_units(SEWER_PIPE)}</ns3:SpatialElement><ns3:SpatialElement>{_units(SEWER_PIPE_2)}</ns3:SpatialElement></EntitySpatial></Construction></ObjectRealty>
<ObjectRealty><Construction CadastralNumber="26:05:060404:21"><ObjectType>002001004000</ObjectType><AssignationName>Кабельная линия 10 кВ</AssignationName><ns4:KeyParameters><ns4:KeyParameter Type="01" Value="214"/></ns4:KeyParameters><Address><adrOut4:Note>край Ставропольский, п. Правоегорлыкский</adrOut4:Note></Address><EntitySpatial EntSys="ID1"><ns3:SpatialElement>{_units(CABLE)}</ns3:SpatialElement></EntitySpatial></Construction></ObjectRealty>
<ObjectRealty><Construction CadastralNumber="26:05:060404:22"><ObjectType>002001004000</ObjectType><AssignationName>Опора связи</AssignationName><Address><adrOut4:Note>край Ставропольский, п. Правоегорлыкский</adrOut4:Note></Address><EntitySpatial EntSys="ID1"><ns3:SpatialElement>{_units([MAST])}</ns3:SpatialElement></EntitySpatial></Construction></ObjectRealty>
</ObjectsRealty>
<Zones>
<Zone><Description>Охранная зона кабельной линии 10 кВ</Description><AccountNumber>26:05-6.101</AccountNumber><EntitySpatial EntSys="ID1"><ns3:SpatialElement>{_units(ZONE_RING)}</ns3:SpatialElement></EntitySpatial><Documents><Document><ns5:CodeDocument>558203000000</ns5:CodeDocument><ns5:Name>Карта (план) объекта землеустройства</ns5:Name><ns5:Number>26-1/2015</ns5:Number><ns5:Date>2015-07-14</ns5:Date><ns5:IssueOrgan>ООО «Кадастр-Юг»</ns5:IssueOrgan></Document></Documents><SpecialZone><ContentRestrictions>{ZONE_RESTRICTIONS}</ContentRestrictions></SpecialZone></Zone>
<Zone><Description>Охранная зона линии связи</Description><AccountNumber>26:05-6.102</AccountNumber><EntitySpatial EntSys="ID1"/><SpecialZone><ContentRestrictions>Запрещается производить земляные работы на глубине более 0,3 м</ContentRestrictions></SpecialZone></Zone>
</Zones>
<CoordSystems><ns3:CoordSystem Name="МСК-26 от СК-95, зона 1" CsId="ID1"/></CoordSystems>
</CadastralBlock></CadastralBlocks><CertificationDoc><ns6:Organization>Филиал ФГБУ «ФКП Росреестра» по Ставропольскому краю</ns6:Organization><ns6:Date>2016-06-28</ns6:Date><ns6:Number>26/501/16-999999</ns6:Number><ns6:Official><ns6:Appointment>Инженер 2 категории</ns6:Appointment><ns7:FamilyName>{CERTIFYING_OFFICIAL[0]}</ns7:FamilyName><ns7:FirstName>{CERTIFYING_OFFICIAL[1]}</ns7:FirstName><ns7:Patronymic>{CERTIFYING_OFFICIAL[2]}</ns7:Patronymic></ns6:Official></CertificationDoc></KPT>
"""


def _ordinates(x: float, y: float, size: float) -> str:
    points = [(x, y), (x, y + size), (x + size, y + size), (x + size, y), (x, y)]
    return "".join(f"<ordinate><ord_nmb>{n}</ord_nmb><x>{px:.2f}</x><y>{py:.2f}</y></ordinate>"
                   for n, (px, py) in enumerate(points, start=1))


def _contour(*rings: str) -> str:
    elements = "".join(f"<spatial_element><ordinates>{r}</ordinates></spatial_element>" for r in rings)
    return (f"<contours_location><contours><contour><number_pp>1</number_pp><entity_spatial>"
            f"<sk_id>МСК-26 от СК-95, зона 1</sk_id><spatials_elements>{elements}</spatials_elements>"
            f"</entity_spatial></contour></contours></contours_location>")


EXTRACT = f"""<?xml version="1.0" encoding="utf-8"?>
<extract_cadastral_plan_territory><cadastral_blocks><cadastral_block><cadastral_number>26:05:060404</cadastral_number><record_data><base_data>
<land_records>
<land_record><record_info><registration_date>2018-06-01</registration_date></record_info><object><common_data><cad_number>26:05:0604040:7</cad_number></common_data></object><params><area><value>2400</value></area><category><type><code>003002000000</code></type></category><permitted_use><permitted_use_established><by_document>для ИЖС</by_document></permitted_use_established></permitted_use></params><address_location><address><readable_address>Ставропольский край, п. Правоегорлыкский, ул. Новая, 7</readable_address></address></address_location><cost><value>250000</value></cost>{_contour(_ordinates(X0 + 300, Y0, 50), _ordinates(X0 + 320, Y0 + 20, 10))}</land_record>
<land_record><object><common_data><cad_number>26:05:0604040:8</cad_number></common_data></object><params><area><value>900</value></area></params></land_record>
</land_records>
<build_records>
<build_record><object><common_data><cad_number>26:05:0604040:30</cad_number></common_data></object><params><purpose><code>204001000000</code></purpose><floors>2</floors><year_built>1987</year_built></params>{_contour(_ordinates(X0 + 305, Y0 + 5, 8))}</build_record>
</build_records>
<construction_records>
<construction_record><object><common_data><cad_number>26:05:0604040:31</cad_number></common_data></object><contours_location><contours><contour><entity_spatial><sk_id>МСК-26 от СК-95, зона 1</sk_id><spatials_elements><spatial_element><ordinates><ordinate><ord_nmb>1</ord_nmb><x>{X0 + 340:.2f}</x><y>{Y0 + 40:.2f}</y><r>3</r></ordinate></ordinates></spatial_element></spatials_elements></entity_spatial></contour></contours></contours_location></construction_record>
</construction_records>
</base_data></record_data>
<zones_and_territories_boundaries>
<zones_and_territories_record><record_info><registration_date>2019-04-02</registration_date></record_info><b_object_zones_and_territories><b_object><reg_numb_border>26:05-6.245</reg_numb_border></b_object><type_zone><code>218020020002</code><value>Зона охраны объекта культурного наследия</value></type_zone><description>Охранная зона объекта культурного наследия «Дом купца Ефимова»</description></b_object_zones_and_territories>{_contour(_ordinates(X0 + 290, Y0 - 10, 80)).replace("contours_location", "b_contours_location")}</zones_and_territories_record>
</zones_and_territories_boundaries>
</cadastral_block></cadastral_blocks></extract_cadastral_plan_territory>
"""

RIGHTS_CSV = """cadastral_number,registration_number,kind,type_code,type_name,holder_kind,holder_name,holder_inn,share,registered_on,starts_on,ends_on
77:01:0004010:101,77:01:0004010:101-77/011/2011-1,right,001001000000,Собственность,public,город Москва,7710489036,,2011-03-04,,
77:01:0004010:102,77:01:0004010:102-77/011/2015-1,,001002000000,Общая долевая собственность,individual,Петрова Анна Сергеевна,771234567890,1/2,2015-07-20,,
77:01:0004010:102,77:01:0004010:102-77/011/2015-2,,001002000000,Общая долевая собственность,individual,Петров Иван Ильич,771234567891,1/2,2015-07-20,,
77:01:0004010:102,77:01:0004010:102-77/011/2016-3,,022006000000,Аренда,legal_entity,ООО «Заморёнова»,7701234567,,2016-01-10,2016-01-10,2065-01-09
"""
RIGHTS_JSON = {"rights": [
    {"cadastral_number": "77:1:4010:103", "registration_number": "77-77-05/001/2007-695",
     "type_code": "001001000000", "holder_kind": "public", "holder_name": "город Москва",
     "registered_on": "15.08.2007"},
    {"cadastral_number": "77:01:0004010:2001", "registration_number": "77:01:0004010:2001-77/011/2020-1",
     "type_code": "001001000000", "holder_kind": "legal_entity", "holder_name": "АО «Пресня»",
     "holder_inn": "7703000001", "registered_on": "2020-02-02"},
]}

TORGI = {"exportObject": {"structuredObject": {"notice": {
    "commonInfo": {"noticeNumber": "21000012340000000077",
                   "biddType": {"code": "ZK", "name": "Аренда и продажа земельных участков"},
                   "biddForm": {"code": "EA", "name": "Электронный аукцион"},
                   "publishDate": "2025-02-03T09:00:00.000Z",
                   "href": "https://torgi.gov.ru/new/public/notices/view/21000012340000000077"},
    "bidderOrg": {"orgInfo": {"name": "Департамент городского имущества города Москвы", "INN": "7705031674"}},
    "biddConditions": {"biddStartTime": "2025-02-04T06:00:00.000Z", "biddEndTime": "2025-03-05T15:00:00.000Z",
                       "biddReviewDate": "2025-03-07T09:00:00.000Z"},
    "lots": [
        {"lotNumber": 1, "lotStatus": "APPLICATIONS_SUBMISSION",
         "lotName": "Право аренды земельного участка, г. Москва, ул. Заморёнова, вл. 5",
         "lotDescription": "Площадь 500 кв. м", "priceMin": 60000.0, "priceStep": 1800.0, "deposit": 12000.0,
         "currency": {"code": "RUB"},
         "biddingObjectInfo": {"subjectRF": {"code": "77", "name": "г. Москва"},
                               "estateAddress": "г. Москва, ул. Заморёнова, вл. 5",
                               "category": {"code": "2", "name": "Земельные участки"},
                               "characteristics": [{"code": "CadastralNumber", "name": "Кадастровый номер",
                                                    "characteristicValue": "77:01:0004010:103"}]}},
        {"lotNumber": 2, "lotStatus": "PUBLISHED",
         "lotName": "Земельный участок, г. Москва, ул. Неизвестная, 9",
         "lotDescription": "Продажа земельного участка с кадастровым номером 77:01:0004010:999, площадь 800 кв. м",
         "priceMin": 1200000, "priceStep": 36000, "deposit": 240000, "currency": "RUB",
         "biddingObjectInfo": {"subjectRF": {"code": "77"}, "estateAddress": "г. Москва, ул. Неизвестная, 9",
                               "characteristics": []}},
    ]}}}}

RESULTS_CSV = """notice_number,lot_number,status,deal_type,bidding_type,name,address,start_price,final_price,result_on,cadastral_numbers,source_url
21000012340000000078,1,COMPLETED,sale,Приватизация,"Земельный участок, ул. Заморёнова, д. 1","г. Москва, ул. Заморёнова, д. 1",80000000,112500000.50,2025-04-18,77:01:0004010:101,https://torgi.gov.ru/new/public/notices/view/21000012340000000078
"""

if __name__ == "__main__":
    main()
