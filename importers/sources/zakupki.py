"""The XML of the Unified Information System in procurement (ЕИС, zakupki.gov.ru), as it
is published: single documents, the zip archives the service hands out (read member by
member from the archive, never unpacked to disk), or a directory of either; large ones by
several processes, each a chunk of members, handed back in order.

Documents read (by the local names of their elements, whatever the namespace prefixes and
schema versions; ``element`` paths below):

- 44-ФЗ notices — ``fcsNotification…`` (``purchaseNumber``, ``docPublishDate``,
  ``purchaseObjectInfo``, ``lot/maxPrice``, the responsible organization as customer,
  ``customerRequirement`` delivery places with their KLADR codes, ``purchaseObject``s with
  ОКПД2 codes) and ``epNotification…`` of 2020 on (``commonInfo``, ``maxPriceInfo``,
  ``deliveryPlaceInfo``, ``purchaseObject``); a notice's cancellation
  (``…NotificationCancel…``) cancels it;
- 44-ФЗ ``contract`` (``regNum``, ``versionNumber``, the notice's
  ``foundation/…/notificationNumber``, ``customer``, ``signDate``, ``contractSubject``,
  ``constructionWorksInfo/isConstructionWorks``, ``priceInfo``, ``executionPeriod``,
  ``products/product``, ``suppliers/supplier``) and ``contractProcedure`` (its status:
  terminated, executed, or being executed);
- 223-ФЗ notices (``purchaseNotice…``: ``registrationNumber``, ``customer/mainInfo``,
  ``lots/lot/lotData`` with ``initialSum``, ``deliveryPlace/address``, ``lotItem/okpd2``)
  and contracts (``contractData``).

A supplier who is a person (``individualPerson…``; ``isIP``: a sole proprietor) is kept
with their name and INN, which are personal data (``citymodel.procurement``): never in a
message or a log. Contact persons (``contactInfo``) are never read. Other documents
(protocols, plans) are counted and left.
"""

from __future__ import annotations

import functools
import multiprocessing
import os
import zipfile
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from lxml import etree

from importers.core import FileRejected
from importers.sources import safexml

KIND = "procurement"  # for the DOCTYPE refusal


@dataclass
class Document:
    """One notice, contract, procedure record or cancellation, as read."""

    where: str  # "contracts.zip: contract_2770….xml"
    kind: str  # notice | contract | procedure | cancellation
    law: str  # 44 | 223
    fields: dict = field(default_factory=dict)  # column → text as found
    suppliers: list[dict] = field(default_factory=list)  # kind, name, inn
    products: list[dict] = field(default_factory=list)  # okpd2, name, quantity, price, amount
    places: list[dict] = field(default_factory=list)  # kladr, place
    problems: list[tuple[str, str]] = field(default_factory=list)
    # the objects a source names outright (a table's columns), besides those in the texts
    numbers: list[str] = field(default_factory=list)  # cadastral numbers
    register_ids: list[str] = field(default_factory=list)  # city register numbers (УНОМ)

    @property
    def texts(self) -> list[str]:
        """Where cadastral numbers and addresses are looked for."""
        found = [self.fields.get("subject") or ""]
        found += [p["name"] for p in self.products if p.get("name")]
        found += [p["place"] for p in self.places if p.get("place")]
        return found


# What one worker reads at a time, at most: documents (zip members or files) in a chunk
CHUNK = 500
# Below this many documents, reading in other processes costs more than it saves
PARALLEL_FROM = 2_000


class ZakupkiSource:
    """Every document of a file, an archive, or a directory of them, in their order.

    ``read(prepare, workers=N)`` reads and parses them in N processes (a chunk of zip members
    or files each), and runs ``prepare`` (a module-level function of a document: what the
    importer finds in its texts) there too; the documents come back in order."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.skipped: Counter[str] = Counter()  # documents of other kinds, by root name
        if path.is_dir():
            self.files = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".xml", ".zip"))
            if not self.files:
                raise FileRejected(f"{path}: holds no .xml or .zip files")
        elif path.exists():
            self.files = [path]
        else:
            raise FileRejected(f"{path}: no such file or directory")

    def units(self) -> list[tuple[Path, str | None]]:
        """Where the documents are: (an XML file, None) or (a zip archive, its member)."""
        units: list[tuple[Path, str | None]] = []
        for file in self.files:
            if not zipfile.is_zipfile(file):
                units.append((file, None))
                continue
            try:
                with zipfile.ZipFile(file) as archive:
                    units += [(file, m.filename) for m in archive.infolist()
                              if not m.is_dir() and m.filename.lower().endswith(".xml")]
            except (zipfile.BadZipFile, OSError) as exc:
                raise FileRejected(f"{file}: not a readable zip archive: {exc}") from None
        return units

    def read(self, prepare: Callable[[Document], Any], *, workers: int | None = None
             ) -> Iterator[tuple[Document, Any]]:
        """Every document with what ``prepare`` made of it. ``workers``: processes to read
        in (default: the CPUs this process may use, for PARALLEL_FROM documents or more)."""
        units = self.units()
        if workers is None:
            workers = len(os.sched_getaffinity(0)) if len(units) >= PARALLEL_FROM else 1
        if workers <= 1:
            with _Archives() as archives:
                for unit in units:
                    yield from _read_unit(archives, unit, prepare, self.skipped)
            return
        size = max(1, min(CHUNK, len(units) // (workers * 4)))
        chunks = iter([units[i:i + size] for i in range(0, len(units), size)])
        # spawned, not forked: the importer holds a database connection a fork would share
        pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
        try:
            pending = deque(pool.submit(_read_chunk, chunk, prepare) for chunk in islice(chunks, workers * 2))
            while pending:
                read, skipped = pending.popleft().result()
                for chunk in islice(chunks, 1):
                    pending.append(pool.submit(_read_chunk, chunk, prepare))
                self.skipped.update(skipped)
                yield from read
        finally:
            pool.shutdown(wait=True, cancel_futures=True)


class _Archives:
    """The zip archive open while reading (one at a time: reading is in order)."""

    def __init__(self) -> None:
        self.path: Path | None = None
        self.archive: zipfile.ZipFile | None = None

    def open(self, path: Path) -> zipfile.ZipFile:
        if path != self.path:
            self.close()
            try:
                self.archive = zipfile.ZipFile(path)
            except (zipfile.BadZipFile, OSError) as exc:
                raise FileRejected(f"{path}: not a readable zip archive: {exc}") from None
            self.path = path
        return self.archive

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()
        self.path, self.archive = None, None

    def __enter__(self) -> _Archives:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# A worker's open archive, kept from chunk to chunk (opening one reads its whole directory)
_worker_archives = _Archives()


def _read_chunk(units, prepare) -> tuple[list[tuple[Document, Any]], Counter]:
    """A worker's part: the documents of some units, prepared."""
    skipped: Counter[str] = Counter()
    read = [pair for unit in units for pair in _read_unit(_worker_archives, unit, prepare, skipped)]
    return read, skipped


def _read_unit(archives: _Archives, unit: tuple[Path, str | None], prepare, skipped: Counter
               ) -> Iterator[tuple[Document, Any]]:
    file, member = unit
    if member is None:
        opener, where = (lambda: file.open("rb")), file.name
    else:
        archive = archives.open(file)
        opener, where = (lambda: archive.open(member)), f"{file.name}: {member}"
    try:
        with opener() as stream:
            root = _parse(stream, where)
    except (zipfile.BadZipFile, OSError, EOFError, KeyError) as exc:
        raise FileRejected(f"{where}: cannot be read: {exc}") from None
    for element in _document_elements(root):
        document = _document(element, where)
        if document is None:
            skipped[etree.QName(element).localname] += 1
        else:
            yield document, prepare(document)


def _parse(stream, where: str):
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True)
    try:
        tree = etree.parse(stream, parser)
    except etree.XMLSyntaxError as exc:
        if "entit" in str(exc).lower() or "doctype" in str(exc).lower():
            raise FileRejected(safexml.doctype_refused(Path(where), KIND)) from None
        raise FileRejected(f"{where}: not well-formed XML (line {exc.lineno}): {exc.msg}") from None
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise FileRejected(safexml.doctype_refused(Path(where), KIND))
    return tree.getroot()


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _document_elements(root):
    """The documents of a file: the children of an ``export`` wrapper, or the root itself."""
    if _local(root) == "export":
        return [child for child in root if isinstance(child.tag, str)]
    return [root]


@functools.cache
def _xpath(path: str) -> str:
    """ElementPath of a path of local names (``a/b`` children, ``//b`` anywhere below), in any
    namespace."""
    xpath = "/".join("{*}" + part if part else "" for part in path.split("/"))
    return ("." + xpath) if xpath.startswith("/") else xpath


@functools.cache
def _steps(path: str) -> tuple[tuple[bool, str], ...] | None:
    """A path of local names as steps (anywhere below?, tag in any namespace); None for a
    path with a predicate, left to ElementPath."""
    if "[" in path:
        return None
    steps, anywhere = [], False
    for part in path.split("/"):
        if part:
            steps.append((anywhere, "{*}" + part))
        anywhere = not part
    return tuple(steps)


def _first(element, steps, i: int = 0):
    anywhere, tag = steps[i]
    found = element.iterdescendants(tag) if anywhere else element.iterchildren(tag)
    if i == len(steps) - 1:
        return next(found, None)
    for child in found:  # the first match in document order, as ElementPath finds it
        if (match := _first(child, steps, i + 1)) is not None:
            return match
    return None


def _path(element, path: str):
    """The first element at a path of local names (lxml's own iterators: ElementPath's
    generators cost twice as much, and a document is looked into some thirty times)."""
    steps = _steps(path)
    return element.find(_xpath(path)) if steps is None else _first(element, steps)


def _text(element, path: str) -> str | None:
    found = _path(element, path)
    if found is None or found.text is None:
        return None
    return " ".join(found.text.split()) or None


def _all(element, path: str) -> list:
    return element.findall(_xpath(path))


def _document(element, where: str) -> Document | None:
    name = _local(element)
    if "Cancel" in name and ("Notification" in name or "notification" in name):
        return _cancellation(element, where)
    if name.startswith("fcsNotification"):
        return _fcs_notice(element, where)
    if name.startswith("epNotification"):
        return _ep_notice(element, where)
    if name == "contract":
        return _contract44(element, where)
    if name == "contractProcedure":
        return _procedure(element, where)
    if name.startswith("purchaseNotice"):
        return _notice223(element, where)
    if name in ("contractData", "contract223"):
        return _contract223(element, where)
    return None


def _places(elements) -> list[dict]:
    places = []
    for place in elements:
        kladr = _text(place, "kladr/kladrCode") or _text(place, "kladr/code") or _text(place, "kladrCode") \
            or _text(place, "kladr")
        text_ = _text(place, "deliveryPlace") or _text(place, "address")
        if text_ or kladr:
            places.append({"kladr": kladr, "place": text_})
    return places


def _products(elements) -> list[dict]:
    products = []
    for item in elements:
        products.append({
            "okpd2": (_text(item, "OKPD2/code") or _text(item, "OKPD2/OKPDCode") or _text(item, "KTRU/code")
                      or _text(item, "okpd2/code")),
            "name": _text(item, "name") or _text(item, "OKPD2/name") or _text(item, "OKPD2/OKPDName"),
            "quantity": _text(item, "quantity/value") or _text(item, "quantity"),
            "price": _text(item, "price"),
            "amount": _text(item, "sum"),
        })
    return products


def _fcs_notice(element, where: str) -> Document:
    d = Document(where, "notice", "44")
    lot = _path(element, "lot") if _path(element, "lot") is not None else _path(element, "lots/lot")
    lot = lot if lot is not None else element
    d.fields = {
        "purchase_number": _text(element, "purchaseNumber"),
        "version_number": _text(element, "versionNumber"),
        "published_on": _text(element, "docPublishDate"),
        "subject": _text(element, "purchaseObjectInfo"),
        "price": _text(lot, "maxPrice"),
        "currency": _text(lot, "currency/code"),
        "customer_name": _text(element, "purchaseResponsible/responsibleOrg/fullName"),
        "customer_inn": _text(element, "purchaseResponsible/responsibleOrg/INN"),
        "customer_reg_num": _text(element, "purchaseResponsible/responsibleOrg/regNum"),
    }
    requirements = _all(lot, "//customerRequirement")
    d.places = _places([p for r in requirements for p in (_all(r, "//kladrPlace") or [r])])
    d.products = _products(_all(lot, "//purchaseObject"))
    return d


def _ep_notice(element, where: str) -> Document:
    d = Document(where, "notice", "44")
    d.fields = {
        "purchase_number": _text(element, "commonInfo/purchaseNumber"),
        "version_number": _text(element, "versionNumber") or _text(element, "commonInfo/versionNumber"),
        "published_on": _text(element, "commonInfo/publishDTInEIS"),
        "subject": _text(element, "commonInfo/purchaseObjectInfo"),
        "price": _text(element, "//maxPriceInfo/maxPrice"),
        "currency": _text(element, "//maxPriceInfo/currency/code"),
        "customer_name": _text(element, "//responsibleOrgInfo/fullName"),
        "customer_inn": _text(element, "//responsibleOrgInfo/INN"),
        "customer_reg_num": _text(element, "//responsibleOrgInfo/regNum"),
    }
    d.places = _places(_all(element, "//deliveryPlaceInfo"))
    d.products = _products(_all(element, "//purchaseObjectsInfo//purchaseObject")
                           or _all(element, "//purchaseObject"))
    return d


def _cancellation(element, where: str) -> Document:
    d = Document(where, "cancellation", "44")
    d.fields = {"purchase_number": _text(element, "purchaseNumber") or _text(element, "commonInfo/purchaseNumber")}
    return d


def _suppliers44(element) -> list[dict]:
    suppliers = []
    for supplier in _all(element, "suppliers/supplier"):
        for choice in supplier:
            kind = _local(choice)
            if kind == "legalEntityRF":
                suppliers.append({"kind": "legal_entity", "name": _text(choice, "fullName"),
                                  "inn": _text(choice, "INN")})
            elif kind == "legalEntityForeignState":
                suppliers.append({"kind": "foreign_legal_entity", "name": _text(choice, "fullName"),
                                  "inn": _text(choice, "INN") or _text(choice, "//INN")})
            elif kind.startswith("individualPersonRF"):
                sole = (_text(choice, "isIP") or "").lower() == "true"
                names = [_text(choice, n) for n in ("lastName", "firstName", "middleName")]
                suppliers.append({"kind": "sole_proprietor" if sole else "individual",
                                  "name": " ".join(n for n in names if n) or None, "inn": _text(choice, "INN")})
            elif kind == "individualPersonForeignState":
                names = [_text(choice, n) for n in ("lastName", "firstName", "middleName")]
                suppliers.append({"kind": "foreign_individual", "name": " ".join(n for n in names if n) or None,
                                  "inn": _text(choice, "INN")})
            elif kind == "notPublishedOnEIS":
                suppliers.append({"kind": "not_published", "name": None, "inn": None})
            else:
                continue
            break  # one choice a supplier
    return suppliers


def _contract44(element, where: str) -> Document:
    d = Document(where, "contract", "44")
    works = _text(element, "constructionWorksInfo/isConstructionWorks")
    d.fields = {
        "registry_number": _text(element, "regNum"),
        "purchase_number": (_text(element, "foundation//notificationNumber")
                            or _text(element, "foundation//purchaseNumber")),
        "version_number": _text(element, "versionNumber"),
        "published_on": _text(element, "publishDate"),
        "signed_on": _text(element, "signDate"),
        "subject": _text(element, "contractSubject"),
        "price": _text(element, "priceInfo/price"),
        "currency": _text(element, "priceInfo/currency/code"),
        "starts_on": _text(element, "executionPeriod/startDate"),
        "ends_on": _text(element, "executionPeriod/endDate"),
        "construction_works": works,
        "customer_name": _text(element, "customer/fullName"),
        "customer_inn": _text(element, "customer/inn") or _text(element, "customer/INN"),
        "customer_reg_num": _text(element, "customer/regNum"),
    }
    d.products = _products(_all(element, "products/product"))
    d.suppliers = _suppliers44(element)
    return d


def _procedure(element, where: str) -> Document:
    d = Document(where, "procedure", "44")
    if _path(element, "termination") is not None:
        status = "terminated"
    elif any((_text(e, "finalStageExecution") or "").lower() == "true" for e in _all(element, "//execution")) \
            or _path(element, "//finalStageExecution[.='true']") is not None:
        status = "executed"
    else:
        status = "executing"
    d.fields = {"registry_number": _text(element, "regNum"), "version_number": _text(element, "versionNumber"),
                "status": status}
    return d


def _notice223(element, where: str) -> Document:
    d = Document(where, "notice", "223")
    data = next((e for e in _all(element, "body/item/*") if _local(e).endswith("Data")), element)
    d.fields = {
        "purchase_number": _text(data, "registrationNumber"),
        "version_number": _text(data, "version"),
        "published_on": _text(data, "publicationDateTime") or _text(data, "createDateTime"),
        "subject": _text(data, "name"),
        "price": _text(data, "//lotData/initialSum"),
        "currency": _text(data, "//lotData/currency/code"),
        "customer_name": _text(data, "customer/mainInfo/fullName"),
        "customer_inn": _text(data, "customer/mainInfo/inn"),
    }
    d.places = _places(_all(data, "//lotData/deliveryPlace"))
    d.products = [{"okpd2": _text(item, "okpd2/code"), "name": _text(item, "okpd2/name") or _text(item, "name"),
                   "quantity": _text(item, "qty"), "price": None, "amount": None}
                  for item in _all(data, "//lotItems/lotItem")]
    return d


def _contract223(element, where: str) -> Document:
    d = Document(where, "contract", "223")
    d.fields = {
        "registry_number": _text(element, "registrationNumber") or _text(element, "guid"),
        "purchase_number": _text(element, "//purchaseNoticeNumber") or _text(element, "//purchaseInfo/purchaseNoticeNumber"),
        "version_number": _text(element, "version"),
        "signed_on": _text(element, "contractDate"),
        "subject": _text(element, "subject") or _text(element, "name"),
        "price": _text(element, "price"),
        "currency": _text(element, "currency/code"),
        "starts_on": _text(element, "startExecutionDate"),
        "ends_on": _text(element, "endExecutionDate"),
        "customer_name": _text(element, "customer/mainInfo/fullName"),
        "customer_inn": _text(element, "customer/mainInfo/inn"),
    }
    return d
