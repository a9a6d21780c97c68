"""The rules of public procurement records (44-ФЗ and 223-ФЗ): one home for each, used by
the importer, the API, the database's CHECK constraints and the viewer (which reads the
lists from ``/viewer/config.json``).

A *procurement* is a notice (извещение: what a customer means to buy, with its maximum
price and delivery places) or a contract (контракт / договор: what was bought, from whom,
for how much); a contract names its notice by the purchase number and gets its places
from it. Each is linked to the parcels and buildings it concerns, each link with how it
was found and how sure it is.
"""

from __future__ import annotations

import re

LAWS = ("44", "223")  # 44-ФЗ, 223-ФЗ
KINDS = ("notice", "contract")
# What a notice or contract is now, the first until a record says more: a notice is
# published (or cancelled); a contract is being executed, executed, or terminated (from its
# procedure records, the latest edition)
KIND_STATUSES = {"notice": ("published", "cancelled"), "contract": ("executing", "executed", "terminated")}
STATUSES = tuple(status for statuses in KIND_STATUSES.values() for status in statuses)
FIRST_STATUS = {kind: statuses[0] for kind, statuses in KIND_STATUSES.items()}
# Who supplies: individuals (and sole proprietors, who are individuals too) are personal data
SUPPLIER_KINDS = ("legal_entity", "foreign_legal_entity", "sole_proprietor", "individual",
                  "foreign_individual", "not_published")
PERSONAL_SUPPLIER_KINDS = ("sole_proprietor", "individual", "foreign_individual")
# How a procurement was linked to a parcel or building
LINK_METHODS = ("cadastral_number", "address", "register_id", "manual")
ADDRESS_MATCH_THRESHOLD = 0.6  # the least trigram similarity of normalized addresses that links

PURCHASE_NUMBER_PATTERN = r"^\d{11,19}$"  # a 44-ФЗ purchase number (19 digits), 223-ФЗ (11)
REGISTRY_NUMBER_PATTERN = r"^[0-9A-Za-z-]{10,40}$"  # a contract's: 19 digits (44-ФЗ); 223-ФЗ's longer
OKPD2_PATTERN = r"^\d{2}(\.\d{1,2}){0,3}(\.\d{3})?$"  # 41, 43.34, 43.34.10, 43.91.19.130

# ОКПД2 (ОК 034-2014) section F: construction — 41 buildings, 42 civil engineering works,
# 43 specialised construction works (repairs, finishing, roofing …); 71.1 architectural and
# engineering design
CONSTRUCTION_OKPD2 = ("41", "42", "43")
DESIGN_OKPD2 = ("71.1",)


def _matching(value, pattern: str, what: str) -> str | None:
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if not re.fullmatch(pattern, text):
        raise ValueError(f"{text[:40]!r} is not {what}")
    return text


def purchase_number(value) -> str | None:
    return _matching(value, PURCHASE_NUMBER_PATTERN, "a purchase number (11 to 19 digits)")


def registry_number(value) -> str | None:
    return _matching(value, REGISTRY_NUMBER_PATTERN, "a contract registry number")


def okpd2(value) -> str | None:
    return _matching(value, OKPD2_PATTERN, "an ОКПД2 code (41, 43.34, 43.34.10, 43.91.19.130)")


def is_personal(supplier_kind: str | None) -> bool:
    """Whether a supplier of this kind is a person (whose name and INN are personal data)."""
    return supplier_kind in PERSONAL_SUPPLIER_KINDS


# An address written in a subject ("Окраска фасада, ул. Примерная, д. 1, стр. 2"): a street
# type, a name, a house (its "д." may be left out), buildings and structures; or the name
# before the street type ("Тверская ул., д. 7")
_STREET = (r"(?:улица|ул\.?|проспект|просп\.?|пр-кт\.?|пр-т\.?|переулок|пер\.?|шоссе|ш\.|набережная|"
           r"наб\.?|бульвар|б-р|площадь|пл\.|проезд|тупик|туп\.?)")
_HOUSE = (r"(?:(?:д\.|дом)\s*)?\d+[а-яa-z]?(?:/\d+)?"
          r"(?:\s*,?\s*(?:корпус|корп\.?|к\.|строение|стр\.?|с\.|владение|вл\.)\s*\d+[а-яa-z]?)*")
# Matched in the lower-cased text (case-insensitive matching costs five times as much); a
# name before the street type starts at a word's start
ADDRESS_IN_TEXT = re.compile(
    rf"(?:{_STREET}\s+[^,;()]{{2,60}}?|(?<![а-яё0-9])[а-яё0-9][^,;()]{{1,60}}?\s{_STREET})\s*,\s*{_HOUSE}(?![\d/])")
_ANY_STREET = re.compile(_STREET + r"(?=[\s,])")  # no street word, no address: found at once


def addresses_in(text: str | None) -> list[str]:
    """The addresses written in a text (street and house), as written."""
    lower = (text or "").lower()
    if not _ANY_STREET.search(lower):
        return []
    if len(lower) != len(text):  # a letter whose lower case is longer: positions differ
        lower = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return [text[m.start():m.end()].strip() for m in ADDRESS_IN_TEXT.finditer(lower)]


def source_url(kind: str, law: str, purchase_number: str | None, registry_number: str | None) -> str | None:
    """The document's page in the ЕИС."""
    if kind == "contract" and registry_number and law == "44":
        return f"https://zakupki.gov.ru/epz/contract/contractCard/common-info.html?reestrNumber={registry_number}"
    if purchase_number and law == "44":
        return f"https://zakupki.gov.ru/epz/order/notice/ea20/view/common-info.html?regNumber={purchase_number}"
    if purchase_number and law == "223":
        return f"https://zakupki.gov.ru/epz/order/notice/notice223/common-info.html?noticeInfoId=&purchaseNumber={purchase_number}"
    return None
