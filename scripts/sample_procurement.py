"""The sample district's public procurement, as the ЕИС (zakupki.gov.ru) publishes it: a zip
archive of XML documents in the real layout of 44-ФЗ schema 11 — ``epNotificationEF2020``
notices, ``contract``s (some in two editions), ``contractProcedure`` records — element names
and nesting as published (see the project's procurement reference); values invented.

What they concern, so that every way of linking is exercised:

- repairs of buildings named by the building's cadastral number in the subject;
- repairs of buildings named only by address, spelled another way than the register's
  (``Москва, Пресненский Вал ул., дом 5``; every fourth with a letter missing) in the
  subject, and by the notice's delivery place (a contract has none of its own: it gets
  its notice's);
- construction on parcels that were auctioned, named by the parcel's cadastral number;
- design works named by the building's register number (``УНОМ 1000123``);
- purchases of goods for places that are not in the district (nothing to link to).

Suppliers: companies, sole proprietors and individuals (whose names and INNs are personal
data: the importer keeps them for officials only).
"""

from __future__ import annotations

import zipfile
from datetime import date, timedelta
from pathlib import Path

import numpy as np

EXPORT = ('<ns2:export xmlns="http://zakupki.gov.ru/oos/types/1" '
          'xmlns:ns2="http://zakupki.gov.ru/oos/export/1">')
EP_EXPORT = ('<ns7:export xmlns="http://zakupki.gov.ru/oos/EPtypes/1" '
             'xmlns:ns2="http://zakupki.gov.ru/oos/common/1" xmlns:ns7="http://zakupki.gov.ru/oos/export/1">')
CUSTOMERS = (("03732000001", "ГБУ «Жилищник Пресненского района»", "7703815234"),
             ("03732000002", "Фонд капитального ремонта многоквартирных домов города Москвы", "7701090559"),
             ("03732000003", "Департамент строительства города Москвы", "7703357012"),
             ("03732000004", "ГБОУ Школа № 1240", "7703020346"))
KINDS = (  # kind, share, ОКПД2 code and name, subject
    ("repair_by_number", 0.35, "43.91.19.110", "Работы кровельные прочие",
     "Капитальный ремонт кровли здания (кадастровый номер {cadastral})"),
    ("repair_by_address", 0.25, "43.34.10.000", "Работы малярные",
     "Ремонт фасада здания по адресу: Москва, {street} ул., дом {house}"),
    ("construction", 0.10, "41.20.40.000", "Работы строительные по возведению нежилых зданий",
     "Строительство объекта на земельном участке с кадастровым номером {parcel}"),
    ("design", 0.15, "71.12.12.000", "Услуги по инженерно-техническому проектированию зданий",
     "Разработка проектной документации на капитальный ремонт здания УНОМ {unom}"),
    ("goods", 0.15, "17.23.13.199", "Изделия канцелярские прочие",
     "Поставка канцелярских товаров"),
)
SURNAMES = ("Иванов", "Смирнов", "Кузнецов", "Попов", "Соколов", "Лебедев")
GIVEN = ("Александр", "Сергей", "Ольга", "Елена", "Дмитрий", "Ирина")
COMPANIES = ("Пресня-Ремонт", "Кровля-Сервис", "Фасад-М", "ПроектСтрой", "Канцтовары-Опт", "Столица-Строй")


def write(path: Path, buildings: list[dict], parcels: list[dict], contracts: int, seed: int) -> dict:
    """Write ``contracts`` contracts (and their notices and procedure records) about the
    sampled ``buildings`` (register_id, cadastral_number, address, street, house) and
    ``parcels`` (cadastral_number, address), as ``path`` (a zip); returns the counts."""
    rng = np.random.default_rng(seed)
    shares = np.array([k[1] for k in KINDS])
    counts = {"contracts": 0, "notices": 0, "procedures": 0, "products": 0}
    temporary = path.with_name(f".{path.name}.part")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for n in range(contracts):
            kind, _, okpd2, okpd2_name, subject = KINDS[int(rng.choice(len(KINDS), p=shares / shares.sum()))]
            building = buildings[n % len(buildings)] if buildings else None
            parcel = parcels[n % len(parcels)] if parcels else None
            if kind == "construction" and parcel is None or kind != "goods" and building is None:
                kind, okpd2, okpd2_name, subject = "goods", KINDS[-1][2], KINDS[-1][3], KINDS[-1][4]
            place = None
            if kind == "goods":
                place = f"г. Москва, ул. Складская, д. {900 + n % 50}"  # not in the district
            elif kind == "construction":
                subject = subject.format(parcel=parcel["cadastral_number"])
                place = parcel["address"]
            else:
                street = building["street"] if n % 4 else building["street"][:-1]  # a slip of the pen
                subject = subject.format(cadastral=building["cadastral_number"], street=street,
                                         house=building["house"], unom=building["register_id"])
                place = building["address"] if kind == "repair_by_address" else None
            customer = CUSTOMERS[n % len(CUSTOMERS)]
            purchase = f"0373200{n % 10}0{24 + n % 2}{n:08d}"  # 19 digits, one a purchase
            registry = f"2770{n % 10}{n:014d}"  # 19 digits, one a contract
            published = date(2024, 1, 10) + timedelta(days=int(n % 300))
            items = _items(rng, okpd2, okpd2_name, int(rng.integers(1, 6)))
            total = round(sum(i[3] for i in items), 2)
            if kind != "goods" or n % 3 == 0:  # most purchases have their notice in the archive
                archive.writestr(f"epNotificationEF2020_{purchase}_{100000 + n}.xml",
                                 _notice(n, purchase, published, subject, customer, round(total * 1.1, 2),
                                         place, items))
                counts["notices"] += 1
            editions = 2 if n % 20 == 0 else 1
            for version in range(editions):
                price = total if version == editions - 1 else round(total * 1.05, 2)
                archive.writestr(f"contract_{registry}_{200000 + n}_{version}.xml",
                                 _contract(n, version, purchase, registry, customer, published + timedelta(days=20),
                                           subject, price, items, _supplier(rng, n)))
            counts["contracts"] += 1
            counts["products"] += len(items)
            if n % 3 == 0:
                archive.writestr(f"contractProcedure_{registry}_{300000 + n}.xml",
                                 _procedure(n, registry, terminated=n % 9 == 0))
                counts["procedures"] += 1
    temporary.replace(path)
    return counts


def _items(rng, okpd2: str, name: str, count: int) -> list[tuple]:
    items = []
    for k in range(count):
        quantity = int(rng.integers(1, 20))
        price = round(float(rng.uniform(5_000, 400_000)), 2)
        items.append((okpd2, f"{name}, позиция {k + 1}", quantity, round(quantity * price, 2), price))
    return items


def _supplier(rng, n: int) -> str:
    draw = n % 20
    if draw < 16:
        return (f"<legalEntityRF><fullName>ООО «{COMPANIES[n % len(COMPANIES)]}»</fullName>"
                f"<INN>77{n % 100000000:08d}</INN><KPP>770301001</KPP></legalEntityRF>")
    surname, given = SURNAMES[n % len(SURNAMES)], GIVEN[n % len(GIVEN)]
    return (f"<individualPersonRF><lastName>{surname}</lastName><firstName>{given}</firstName>"
            f"<middleName>Петрович</middleName><INN>77{n % 10**10:010d}</INN>"
            f"<isIP>{'true' if draw < 19 else 'false'}</isIP></individualPersonRF>")


def _notice(n: int, purchase: str, published: date, subject: str, customer: tuple, price: float,
            place: str | None, items: list[tuple]) -> str:
    places = (f"<deliveryPlacesInfo><deliveryPlaceInfo><kladr><kladrCode>7700000000000</kladrCode>"
              f"<fullName>г Москва</fullName></kladr><deliveryPlace>{place}</deliveryPlace></deliveryPlaceInfo>"
              f"</deliveryPlacesInfo>") if place else ""
    objects = "".join(
        f"<purchaseObject><OKPD2><OKPDCode>{code}</OKPDCode><OKPDName>{name.split(',')[0]}</OKPDName></OKPD2>"
        f"<name>{name}</name><price>{price:.2f}</price><quantity><value>{quantity}</value></quantity>"
        f"<sum>{amount:.2f}</sum></purchaseObject>" for code, name, quantity, amount, price in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{EP_EXPORT}<ns7:epNotificationEF2020 schemeVersion="11.0">'
            f"<id>{100000 + n}</id><versionNumber>1</versionNumber>"
            f"<commonInfo><purchaseNumber>{purchase}</purchaseNumber><docNumber>№{purchase}</docNumber>"
            f"<publishDTInEIS>{published}T10:00:00+03:00</publishDTInEIS>"
            f"<purchaseObjectInfo>{subject}</purchaseObjectInfo></commonInfo>"
            f"<purchaseResponsibleInfo><responsibleOrgInfo><regNum>{customer[0]}</regNum>"
            f"<fullName>{customer[1]}</fullName><INN>{customer[2]}</INN></responsibleOrgInfo>"
            f"</purchaseResponsibleInfo><notificationInfo><contractConditionsInfo><maxPriceInfo>"
            f"<maxPrice>{price:.2f}</maxPrice><currency><code>RUB</code></currency></maxPriceInfo>"
            f"</contractConditionsInfo><customerRequirementsInfo><customerRequirementInfo>"
            f"<contractConditionsInfo>{places}</contractConditionsInfo></customerRequirementInfo>"
            f"</customerRequirementsInfo><purchaseObjectsInfo><notDrugPurchaseObjectsInfo>{objects}"
            f"</notDrugPurchaseObjectsInfo></purchaseObjectsInfo></notificationInfo>"
            f"</ns7:epNotificationEF2020></ns7:export>")


def _contract(n: int, version: int, purchase: str, registry: str, customer: tuple, signed: date,
              subject: str, price: float, items: list[tuple], supplier: str) -> str:
    products = "".join(
        f"<product><OKPD2><code>{code}</code><name>{name.split(',')[0]}</name></OKPD2><name>{name}</name>"
        f"<price>{unit:.2f}</price><quantity>{quantity}</quantity><sum>{amount:.2f}</sum></product>"
        for code, name, quantity, amount, unit in items)
    works = "true" if items[0][0].startswith(("41", "42", "43")) else "false"
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{EXPORT}<ns2:contract schemeVersion="11.0">'
            f"<id>{200000 + n}</id><publishDate>{signed}T12:00:00+03:00</publishDate>"
            f"<versionNumber>{version}</versionNumber><foundation><fcsOrder><order>"
            f"<notificationNumber>{purchase}</notificationNumber><lotNumber>1</lotNumber></order>"
            f"</fcsOrder></foundation><customer><regNum>{customer[0]}</regNum><fullName>{customer[1]}</fullName>"
            f"<inn>{customer[2]}</inn><kpp>770301001</kpp></customer><signDate>{signed}</signDate>"
            f"<regNum>{registry}</regNum><number>{n}-{signed.year}</number>"
            f"<contractSubject>{subject}</contractSubject><constructionWorksInfo>"
            f"<isConstructionWorks>{works}</isConstructionWorks></constructionWorksInfo>"
            f"<priceInfo><price>{price:.2f}</price><currency><code>RUB</code><name>Российский рубль</name>"
            f"</currency></priceInfo><executionPeriod><startDate>{signed + timedelta(days=5)}</startDate>"
            f"<endDate>{signed + timedelta(days=180)}</endDate></executionPeriod>"
            f"<products>{products}</products><suppliers><supplier>{supplier}</supplier></suppliers>"
            f"</ns2:contract></ns2:export>")


def _procedure(n: int, registry: str, *, terminated: bool) -> str:
    body = ("<termination><terminationDate>2024-09-01</terminationDate><reason><code>1</code>"
            "<name>Соглашение сторон</name></reason></termination>" if terminated else
            "<executions><execution><docExecution><documentDate>2024-08-30</documentDate></docExecution>"
            "<finalStageExecution>true</finalStageExecution></execution></executions>")
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n{EXPORT}<ns2:contractProcedure schemeVersion="11.0">'
            f"<id>{300000 + n}</id><regNum>{registry}</regNum><versionNumber>0</versionNumber>{body}"
            f"</ns2:contractProcedure></ns2:export>")
