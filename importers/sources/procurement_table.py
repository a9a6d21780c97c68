"""Procurement from other sources than the ЕИС: a table (CSV, ``,`` or ``;``, UTF-8; or JSON,
a list of objects or ``{"procurements": [...]}``), one notice or contract a row, read into the
same documents as the ЕИС's XML (``importers.sources.zakupki.Document``), so that they are
checked, merged and linked by the one set of rules.

Columns (the names of ``procurements``' columns; README "Procurement CSV"): ``kind``
(``notice`` | ``contract``, required), ``law`` (``44`` | ``223``; 44 when empty),
``purchase_number`` (a notice's key), ``registry_number`` (a contract's key),
``version_number``, ``published_on``, ``signed_on``, ``starts_on``, ``ends_on``, ``subject``,
``price``, ``currency``, ``construction_works``, ``customer_name``, ``customer_inn``,
``customer_reg_num``, ``status`` (a notice: ``published`` | ``cancelled``; a contract:
``executing`` | ``executed`` | ``terminated``), ``okpd2`` (codes, separated by ``;``, ``,`` or
spaces), ``delivery_places`` (places separated by ``|``), ``cadastral_numbers`` and
``register_ids`` (the objects it concerns, separated by ``;``, ``,`` or spaces),
``supplier_kind`` (``citymodel.procurement.SUPPLIER_KINDS``), ``supplier_name``,
``supplier_inn`` (one supplier; a person's name and INN are personal data).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from citymodel import procurement
from citymodel.cadastral import lookup_key
from citymodel.errors import InvalidCadastralNumber
from importers.sources import tables
from importers.sources.zakupki import Document

COLUMNS = (
    "kind", "law", "purchase_number", "registry_number", "version_number", "published_on", "signed_on",
    "starts_on", "ends_on", "subject", "price", "currency", "construction_works", "customer_name",
    "customer_inn", "customer_reg_num", "status", "okpd2", "delivery_places", "cadastral_numbers",
    "register_ids", "supplier_kind", "supplier_name", "supplier_inn",
)
# the columns a document's fields take as they are
FIELD_COLUMNS = COLUMNS[2:16]
_LIST = re.compile(r"[;,\s]+")


class ProcurementTable:
    """Every row of a table as a document (and a status as the record that gives it)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.skipped: Counter[str] = Counter()  # nothing is skipped: every row is a document

    def read(self, prepare: Callable[[Document], Any], *, workers: int | None = None
             ) -> Iterator[tuple[Document, Any]]:
        """Documents with what ``prepare`` made of them (read in this process: a table is
        parsed by the csv module far faster than XML)."""
        for batch in tables.read(self.path, columns=COLUMNS, required=("kind",), list_key="procurements"):
            for i in range(batch.size):
                row = {name: values[i] for name, values in batch.columns.items()}
                for document in _documents(f"{self.path.name}: {batch.locator(i)}", row):
                    yield document, prepare(document)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(value).strip() or None


def _documents(where: str, row: dict) -> list[Document]:
    kind = (_text(row.get("kind")) or "").lower()
    law = _text(row.get("law")) or "44"
    d = Document(where, kind if kind in procurement.KINDS else "notice", law)
    if kind not in procurement.KINDS:
        d.problems.append(("kind", f"{row.get('kind')!r} is not one of {', '.join(procurement.KINDS)}"))
    if law not in procurement.LAWS:
        d.problems.append(("law", f"{law!r} is not one of {', '.join(procurement.LAWS)}"))
    d.fields = {name: row.get(name) for name in FIELD_COLUMNS}
    d.places = [{"kladr": None, "place": p.strip()} for p in (_text(row.get("delivery_places")) or "").split("|")
                if p.strip()]
    d.products = [{"okpd2": code, "name": None, "quantity": None, "price": None, "amount": None}
                  for code in _LIST.split(_text(row.get("okpd2")) or "") if code]
    d.numbers = [n for n in _LIST.split(_text(row.get("cadastral_numbers")) or "") if n]
    for number in d.numbers:
        try:
            lookup_key(number)
        except InvalidCadastralNumber as exc:
            d.problems.append(("cadastral_numbers", f"{exc.reason} (got {number!r})"))
    d.register_ids = [n for n in _LIST.split(_text(row.get("register_ids")) or "") if n]
    supplier = {name: _text(row.get(f"supplier_{name}")) for name in ("kind", "name", "inn")}
    if any(supplier.values()):
        if supplier["kind"] not in procurement.SUPPLIER_KINDS:
            d.problems.append(("supplier_kind", f"{supplier['kind']!r} is not one of "
                                                f"{', '.join(procurement.SUPPLIER_KINDS)}"))
        else:
            d.suppliers = [supplier]
    documents = [d]
    status = (_text(row.get("status")) or "").lower() or None
    # a status other than the first is said as the ЕИС would: a procedure record or a cancellation
    if status and status != procurement.FIRST_STATUS[d.kind]:
        if status not in procurement.KIND_STATUSES[d.kind]:
            allowed = ", ".join(procurement.KIND_STATUSES[d.kind])
            d.problems.append(("status", f"{status!r} is not a {d.kind}'s status ({allowed})"))
        elif d.kind == "contract":
            documents.append(Document(where, "procedure", law, fields={
                "registry_number": d.fields.get("registry_number"),
                "version_number": d.fields.get("version_number"), "status": status}))
        else:
            documents.append(Document(where, "cancellation", law,
                                      fields={"purchase_number": d.fields.get("purchase_number")}))
    return documents
