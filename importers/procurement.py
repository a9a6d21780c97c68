"""Procurement: notices and contracts of 44-ФЗ and 223-ФЗ from the ЕИС's XML (a file, a zip
archive of documents, or a directory of them; ``importers.sources.zakupki``), linked to the
parcels and buildings they concern.

Every document is checked field by field (a purchase number of 11–19 digits, a contract's
registry number, dates, sums, INNs of 10 or 12 digits, ОКПД2 codes); a bad one is refused
naming the file (or the archive and its member), the document and the field — an INN is
never repeated, an individual's name never written anywhere. Notices are matched by their
purchase number, contracts by their registry number; of several editions (in the file, or
one stored and one read) the latest (``versionNumber``) is kept. A contract's status comes
from its procedure records (``contractProcedure``: terminated, executed, being executed), a
notice's cancellation cancels it. Everything in one transaction, as every import.

Links (``importers.links.procurements_to_objects``): the cadastral numbers written in a
document's texts (subject, items, delivery places; any spelling), its delivery places and
the addresses in its texts matched to the addresses of buildings and parcels
(``address_tokens``, else trigram similarity of ``address_key`` above
``citymodel.procurement.ADDRESS_MATCH_THRESHOLD`` with the same numbers), and city register
numbers (``УНОМ 123``) — each link with its method and confidence. A contract also gets the
places of its notice. Numbers of objects not imported yet are kept, and link when they
arrive.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import NamedTuple

import orjson
from psycopg import sql
from sqlalchemy.engine import URL

from citymodel import procurement, records
from citymodel.cadastral import lookup_key, numbers_in
from citymodel.errors import InvalidCadastralNumber
from citymodel.settings import Settings
from importers import links
from importers.core import Context, Counts, Summary, run_import
from importers.fields import Field, FieldValueError, day, decimal, integer, rule, text
from importers.loading import Batch, keep_good_rows, parse_fields
from importers.sources.procurement_table import ProcurementTable
from importers.sources.zakupki import Document, ZakupkiSource
from importers.staging import Column, Stage

BATCH = 5_000  # documents parsed and staged at a time
UNOM_IN_TEXT = re.compile(r"УНОМ\s*:?\s*(\d{1,10})", re.IGNORECASE)


def _boolean(value) -> bool | None:
    raw = text(value)
    if raw is None:
        return None
    if raw.lower() in ("true", "1", "да"):
        return True
    if raw.lower() in ("false", "0", "нет"):
        return False
    raise FieldValueError(f"{raw[:20]!r} is not true or false")


FIELDS = (
    Field("purchase_number", rule(procurement.purchase_number)),
    Field("registry_number", rule(procurement.registry_number)),
    Field("version_number", integer), Field("published_on", day), Field("signed_on", day),
    Field("starts_on", day), Field("ends_on", day), Field("subject"), Field("price", decimal),
    Field("currency"), Field("construction_works", _boolean), Field("customer_name"),
    Field("customer_inn", rule(records.inn)), Field("customer_reg_num"), Field("status"),
)
REQUIRED = {"notice": "purchase_number", "cancellation": "purchase_number",
            "contract": "registry_number", "procedure": "registry_number"}
STAGE = (
    Column("seq", "bigint"), Column("kind", "text"), Column("law", "text"),
    *(Column(f.name, {"version_number": "integer", "price": "numeric", "construction_works": "boolean"}
                     .get(f.name, "date" if f.parse is day else "text")) for f in FIELDS),
    Column("okpd2", "text[]"), Column("delivery_places", "jsonb"), Column("addresses", "text[]"),
    Column("source_document", "text"),
)
SUPPLIER_STAGE = (Column("seq", "bigint"), Column("position", "smallint"), Column("kind", "text"),
                  Column("name", "text"), Column("inn", "text"))
PRODUCT_STAGE = (Column("seq", "bigint"), Column("position", "integer"), Column("okpd2", "text"),
                 Column("name", "text"), Column("quantity", "numeric"), Column("price", "numeric"),
                 Column("amount", "numeric"))
LINK_STAGE = (Column("seq", "bigint"), Column("method", "text"), Column("value", "text"),
              Column("cadastral_key", "text"))
# the columns a document sets (status is set by procedures, cancellations and defaults)
COLUMNS = [f.name for f in FIELDS if f.name != "status"] + ["okpd2", "delivery_places", "addresses",
                                                              "source_document"]
COMPARED = [c for c in COLUMNS if c != "source_document"]  # where it came from is no change


class ProcurementLoader:
    def __init__(self, ctx: Context, source: str) -> None:
        self.ctx = ctx
        self.source = source  # where the rows came from (procurements.source)
        self.stage = Stage(ctx.conn, "stage_procurements", STAGE)
        self.suppliers = Stage(ctx.conn, "stage_suppliers", SUPPLIER_STAGE)
        self.products = Stage(ctx.conn, "stage_products", PRODUCT_STAGE)
        self.links = Stage(ctx.conn, "stage_links", LINK_STAGE)
        self.seq = 0
        self.counts = {"notices": 0, "contracts": 0, "procedures": 0, "cancellations": 0}

    def load(self, read: list[tuple[Document, Found]]) -> None:
        documents = [d for d, _ in read]
        columns = {f.name: [d.fields.get(f.name) for d in documents] for f in FIELDS}
        batch = Batch(size=len(documents), locator=lambda i: f"{documents[i].where} ({documents[i].kind})",
                      columns=columns)
        f = parse_fields(batch, FIELDS)
        f["currency"] = [c or "RUB" for c in f["currency"]]  # as the documents' schema defaults
        for i, d in enumerate(documents):
            for name, reason in d.problems:
                batch.problem(i, name, reason)
            if f[REQUIRED[d.kind]][i] is None and not any(n == REQUIRED[d.kind] for n, _ in batch.problems.get(i, [])):
                batch.problem(i, REQUIRED[d.kind], "a value is required: it identifies the document")
        suppliers, products, link_rows = [], [], []
        for i, (d, found) in enumerate(read):
            seq = self.seq + i
            for k, s in enumerate(d.suppliers):
                try:
                    inn = records.inn(s.get("inn"))
                except ValueError as exc:
                    batch.problem(i, f"suppliers.{k}.inn", str(exc))
                    continue
                suppliers.append((seq, k, s["kind"], s.get("name"), inn))
            for k, item in enumerate(d.products):
                try:
                    code = procurement.okpd2(item.get("okpd2"))
                    values = [decimal(item.get(n)) for n in ("quantity", "price", "amount")]
                except (ValueError, FieldValueError) as exc:
                    batch.problem(i, f"products.{k}", str(exc))
                    continue
                products.append((seq, k, code, item.get("name"), *values))
            link_rows += [(seq, "cadastral_number", number, key) for number, key in found.numbers]
            link_rows += [(seq, "register_id", unom, None) for unom in found.unoms]
        keep = keep_good_rows(batch, self.ctx.rejects)
        kept = {self.seq + i for i in range(len(documents)) if keep[i]}
        for d, good in zip(documents, keep, strict=True):
            if good:
                self.counts[{"notice": "notices", "contract": "contracts", "procedure": "procedures",
                             "cancellation": "cancellations"}[d.kind]] += 1
        self.stage.write(
            keep, seq=[self.seq + i for i in range(len(documents))], kind=[d.kind for d in documents],
            law=[d.law for d in documents], **{name: f[name] for name in f},
            okpd2=[sorted({p["okpd2"] for p in d.products if p.get("okpd2")}) for d in documents],
            delivery_places=[orjson.dumps(d.places).decode() for d in documents],
            addresses=[found.addresses for _, found in read],
            source_document=[d.where for d in documents],
        )
        self._write(self.suppliers, [r for r in suppliers if r[0] in kept], SUPPLIER_STAGE)
        self._write(self.products, [r for r in products if r[0] in kept], PRODUCT_STAGE)
        self._write(self.links, [r for r in link_rows if r[0] in kept], LINK_STAGE)
        self.seq += len(documents)
        self.ctx.progress.advance(len(documents))

    @staticmethod
    def _write(stage: Stage, rows: list[tuple], columns) -> None:
        if rows:
            stage.write(**{c.name: [r[k] for r in rows] for k, c in enumerate(columns)})

    def finish(self) -> Counts:
        conn, run = self.ctx.conn, self.ctx.run_id
        self.ctx.progress.phase("merging")
        conn.execute("ANALYZE stage_procurements")
        conn.execute(
            "CREATE TEMP TABLE latest ON COMMIT DROP AS SELECT DISTINCT ON (kind, "
            "coalesce(registry_number, purchase_number)) * FROM stage_procurements "
            "WHERE kind IN ('notice', 'contract') ORDER BY kind, coalesce(registry_number, purchase_number), "
            "version_number DESC NULLS LAST, seq DESC")
        conn.execute("CREATE TEMP TABLE changed (id bigint, seq bigint, inserted boolean) ON COMMIT DROP")
        names = sql.SQL(", ").join(map(sql.Identifier, COLUMNS))
        for kind, key in (("contract", "registry_number"), ("notice", "purchase_number")):
            conn.execute(sql.SQL("""
                WITH merged AS (
                    INSERT INTO procurements AS t (kind, law, {names}, status, source, import_run_id)
                    SELECT kind, law, {names}, {status}, {source}, {run} FROM latest WHERE kind = {kind}
                    ON CONFLICT ({key}) WHERE kind = {kind} DO UPDATE SET
                        law = EXCLUDED.law, {assign}, import_run_id = EXCLUDED.import_run_id, updated_at = now()
                    WHERE (t.version_number IS NULL OR EXCLUDED.version_number IS NULL
                           OR EXCLUDED.version_number >= t.version_number)
                      AND (t.law, {old}) IS DISTINCT FROM (EXCLUDED.law, {new})
                    RETURNING t.id, t.{key} AS key, (xmax = 0) AS inserted
                )
                INSERT INTO changed SELECT m.id, l.seq, m.inserted
                FROM merged m JOIN latest l ON l.kind = {kind} AND l.{key} = m.key
            """).format(
                names=names, run=sql.Literal(run), kind=sql.Literal(kind), key=sql.Identifier(key),
                status=sql.Literal(procurement.FIRST_STATUS[kind]), source=sql.Literal(self.source),
                assign=sql.SQL(", ").join(sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in COLUMNS),
                old=sql.SQL(", ").join(sql.SQL("t.{}").format(sql.Identifier(c)) for c in COMPARED),
                new=sql.SQL(", ").join(sql.SQL("EXCLUDED.{}").format(sql.Identifier(c)) for c in COMPARED),
            ))
        loaded, updated = conn.execute(
            "SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted) FROM changed").fetchone()
        staged = conn.execute("SELECT count(*) FROM latest").fetchone()[0]
        conn.execute("DELETE FROM procurement_suppliers WHERE procurement_id IN (SELECT id FROM changed)")
        conn.execute("DELETE FROM procurement_products WHERE procurement_id IN (SELECT id FROM changed)")
        conn.execute("INSERT INTO procurement_suppliers (procurement_id, position, kind, name, inn) "
                     "SELECT c.id, s.position, s.kind, s.name, s.inn FROM changed c JOIN stage_suppliers s USING (seq)")
        conn.execute("INSERT INTO procurement_products (procurement_id, position, okpd2, name, quantity, price, amount) "
                     "SELECT c.id, p.position, p.okpd2, p.name, p.quantity, p.price, p.amount "
                     "FROM changed c JOIN stage_products p USING (seq)")
        statuses = self._statuses()
        self.ctx.progress.phase("linking")
        linked = links.procurements_to_objects(conn, changed="SELECT id FROM changed",
                                               staged="SELECT c.id, l.method, l.value, l.cadastral_key "
                                                      "FROM changed c JOIN stage_links l USING (seq)")
        counts = Counts(loaded=loaded, updated=updated, unchanged=staged - loaded - updated)
        counts.extra.update(self.counts)
        counts.extra.update(statuses)
        counts.extra.update(linked)
        return counts

    def _statuses(self) -> dict[str, int]:
        conn = self.ctx.conn
        applied = conn.execute("""
            WITH last AS (SELECT DISTINCT ON (registry_number) registry_number, status FROM stage_procurements
                          WHERE kind = 'procedure' ORDER BY registry_number, version_number DESC NULLS LAST, seq DESC)
            UPDATE procurements p SET status = last.status, updated_at = now() FROM last
            WHERE p.kind = 'contract' AND p.registry_number = last.registry_number
              AND p.status IS DISTINCT FROM last.status""").rowcount
        orphans = conn.execute("""SELECT count(DISTINCT s.registry_number) FROM stage_procurements s
            WHERE s.kind = 'procedure' AND NOT EXISTS (SELECT 1 FROM procurements p WHERE p.kind = 'contract'
            AND p.registry_number = s.registry_number)""").fetchone()[0]
        cancelled = conn.execute("""UPDATE procurements p SET status = 'cancelled', updated_at = now()
            FROM stage_procurements s WHERE s.kind = 'cancellation' AND p.kind = 'notice'
              AND p.purchase_number = s.purchase_number AND p.status IS DISTINCT FROM 'cancelled'""").rowcount
        return {"statuses_from_procedures": applied, "procedures_without_their_contract": orphans,
                "notices_cancelled": cancelled}


class Found(NamedTuple):
    """What a document's texts name: cadastral numbers (as written, lookup key), city
    register numbers, addresses (its delivery places, then those in its texts)."""

    numbers: list[tuple[str, str]]
    unoms: list[str]
    addresses: list[str]


def find_in_texts(d: Document) -> Found:
    """What links a document to objects, found in its texts (run where it is read)."""
    texts, numbers = d.texts, []
    for number in dict.fromkeys([*d.numbers, *numbers_in(*texts, any_spelling=True)]):
        try:
            numbers.append((number, lookup_key(number)))
        except InvalidCadastralNumber:
            continue  # a run of digits that is no cadastral number
    unoms = list(dict.fromkeys([*d.register_ids,
                                *(m for t in texts if "ном" in t.lower() for m in UNOM_IN_TEXT.findall(t))]))
    addresses = [p["place"] for p in d.places if p.get("place")]
    for t in texts:
        addresses += procurement.addresses_in(t)
    return Found(numbers, unoms, list(dict.fromkeys(addresses)))


def import_procurement(url: URL, settings: Settings, path: Path, *, max_rejects: int = 0,
                       dry_run: bool = False, workers: int | None = None) -> Summary:
    """Import procurement documents from a file, a zip archive or a directory, read in
    ``workers`` processes (default: as many as CPUs, for large archives)."""

    def work(ctx: Context) -> Counts:
        if path.suffix.lower() in (".csv", ".json"):
            source, described = ProcurementTable(path), f"the procurement {path.suffix.lower()[1:].upper()} form"
            loader = ProcurementLoader(ctx, "table")
        else:
            source, described = ZakupkiSource(path), "ЕИС XML" + (" (directory)" if path.is_dir() else "")
            loader = ProcurementLoader(ctx, "zakupki")
        ctx.describe(described)
        batch: list[tuple[Document, Found]] = []
        for document in source.read(find_in_texts, workers=workers):
            batch.append(document)
            if len(batch) >= BATCH:
                loader.load(batch)
                batch = []
        if batch:
            loader.load(batch)
        counts = loader.finish()
        counts.extra.update({f"other_{k}_skipped": v for k, v in source.skipped.items()})
        return counts

    return run_import(url, kind="procurement", source=path, options={}, work=work,
                      max_rejects=max_rejects, dry_run=dry_run)
