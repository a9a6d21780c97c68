"""Public procurement (44-ФЗ, 223-ФЗ): notices and contracts, their suppliers and products,
and the parcels and buildings each concerns; and the address key addresses are matched by.

- ``procurements``: a notice (by its purchase number) or a contract (by its registry
  number, naming its notice's purchase number), the latest edition kept; customer, price,
  dates, status, ОКПД2 codes, delivery places (notices), construction-works flag, and the
  addresses its texts and places name (what it is matched to buildings by).
- ``procurement_suppliers`` (individuals' names and INNs are personal data),
  ``procurement_products``, ``procurement_objects`` (a parcel, a building, or a cadastral
  number not yet known; how the link was found — ``citymodel.procurement.LINK_METHODS`` —
  and how sure, 0…1).
- ``address_key(text)``: an address normalized for matching (lower case, ё → е, no
  postcode, country or city words, street types and house parts spelled one way, no
  punctuation), with trigram indexes on it for parcels and buildings; and
  ``address_tokens(text)``: its words sorted, without the house word (so "ул. Тверская,
  д. 7" and "Тверская ул., 7" are one), indexed for exact matches;
  ``address_numbers(text)``: the numbers in an address, sorted — two addresses that match
  must have the same (house 7 is not house 17). The one definition of them: the importer
  and the API call them. (The two that call ``address_key`` carry the schema's search path,
  so that a restore — which empties it — finds it when it rebuilds their indexes.)
- a data version ``procurement``.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from citymodel.records import INN_PATTERN, sql_in

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# the lists of this revision (citymodel.procurement)
LAWS = ("44", "223")
KINDS = ("notice", "contract")
STATUSES = ("published", "cancelled", "executing", "executed", "terminated")
SUPPLIER_KINDS = ("legal_entity", "foreign_legal_entity", "sole_proprietor", "individual",
                  "foreign_individual", "not_published")
LINK_METHODS = ("cadastral_number", "address", "register_id", "manual")

# Street types and house parts, each spelled one way (whole words, after punctuation became
# spaces): the words of Russian addresses as registers, OpenStreetMap and the procurement
# system write them.
WORDS = (
    ("улица|ул", "ул"), ("проспект|просп|пр-кт|пр-т|пркт", "пр-кт"), ("переулок|пер", "пер"),
    ("шоссе|ш", "ш"), ("набережная|наб", "наб"), ("бульвар|б-р|бульв", "б-р"),
    ("площадь|пл", "пл"), ("проезд|пр-д", "проезд"), ("тупик|туп", "туп"),
    ("микрорайон|мкр|мкрн", "мкр"), ("дом|д", "д"), ("корпус|корп|к", "к"),
    ("строение|стр|с", "с"), ("владение|вл", "вл"),
)
DROPPED = ("российская федерация", "россия", "город федерального значения", "город", "г",
           "москва", "муниципальный округ", "вн тер г", "внутригородская территория")


def _address_key_sql() -> str:
    text_ = "lower(replace(address, 'ё', 'е'))"
    text_ = f"regexp_replace({text_}, '[.,;:№\"«»()]', ' ', 'g')"  # punctuation → spaces
    text_ = f"regexp_replace({text_}, '\\m\\d{{6}}\\M', ' ', 'g')"  # postcodes
    for words, canonical in WORDS:
        text_ = f"regexp_replace({text_}, '(^|\\s)({words})(?=\\s|$)', '\\1{canonical}', 'g')"
    dropped = "|".join(DROPPED)
    text_ = f"regexp_replace({text_}, '(^|\\s)({dropped})(?=\\s|$)', ' ', 'g')"
    text_ = f"btrim(regexp_replace({text_}, '\\s+', ' ', 'g'))"
    return text_


ADDRESS_KEY = f"""
CREATE FUNCTION address_key(address text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT AS $$
    SELECT {_address_key_sql()}
$$
"""
ADDRESS_TOKENS = """
CREATE FUNCTION address_tokens(address text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT SET search_path FROM CURRENT AS $$
    SELECT string_agg(t, ' ' ORDER BY t) FROM unnest(string_to_array(address_key(address), ' ')) AS t
    WHERE t <> 'д'
$$
"""
ADDRESS_NUMBERS = """
CREATE FUNCTION address_numbers(address text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE RETURNS NULL ON NULL INPUT SET search_path FROM CURRENT AS $$
    SELECT coalesce(array_agg(m[1] ORDER BY m[1]), '{}')
    FROM regexp_matches(address_key(address), '(\\d+)', 'g') AS m
$$
"""


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def upgrade() -> None:
    op.execute(ADDRESS_KEY)
    op.execute(ADDRESS_TOKENS)
    op.execute(ADDRESS_NUMBERS)
    for table in ("parcels", "buildings"):
        op.execute(f"CREATE INDEX {table}_address_key_trgm ON {table} "
                   f"USING gin (address_key(address) gin_trgm_ops)")
        op.execute(f"CREATE INDEX {table}_address_tokens ON {table} (address_tokens(address))")
    op.create_table(
        "procurements",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("law", sa.Text(), nullable=False),
        sa.Column("purchase_number", sa.Text(), nullable=True),
        sa.Column("registry_number", sa.Text(), nullable=True),
        sa.Column("version_number", sa.Integer(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("price", sa.Numeric(18, 2), nullable=True),
        sa.Column("currency", sa.Text(), server_default="RUB", nullable=False),
        sa.Column("published_on", sa.Date(), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("construction_works", sa.Boolean(), nullable=True),
        sa.Column("customer_name", sa.Text(), nullable=True),
        sa.Column("customer_inn", sa.Text(), nullable=True),
        sa.Column("customer_reg_num", sa.Text(), nullable=True),
        sa.Column("okpd2", ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("delivery_places", JSONB(), server_default="[]", nullable=False),
        sa.Column("addresses", ARRAY(sa.Text()), server_default="{}", nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("source_document", sa.Text(), nullable=True),
        sa.Column("import_run_id", sa.BigInteger(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(sql_in("kind", KINDS), name="procurements_kind"),
        sa.CheckConstraint(sql_in("law", LAWS), name="procurements_law"),
        sa.CheckConstraint(sql_in("status", STATUSES), name="procurements_status"),
        sa.CheckConstraint(f"customer_inn ~ '{INN_PATTERN}'", name="procurements_customer_inn"),
        sa.CheckConstraint("(kind = 'contract') = (registry_number IS NOT NULL)",
                           name="procurements_contract_number"),
        sa.CheckConstraint("kind = 'contract' OR purchase_number IS NOT NULL",
                           name="procurements_notice_number"),
        sa.CheckConstraint("price >= 0", name="procurements_price"),
        sa.ForeignKeyConstraint(["import_run_id"], ["import_runs.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("procurements_contract_key", "procurements", ["registry_number"], unique=True,
                    postgresql_where=sa.text("kind = 'contract'"))
    op.create_index("procurements_notice_key", "procurements", ["purchase_number"], unique=True,
                    postgresql_where=sa.text("kind = 'notice'"))
    op.create_index("procurements_purchase_number", "procurements", ["purchase_number"])
    op.create_index("procurements_customer_inn", "procurements", ["customer_inn"])
    op.create_index("procurements_okpd2", "procurements", ["okpd2"], postgresql_using="gin")
    op.create_table(
        "procurement_suppliers",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("procurement_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("inn", sa.Text(), nullable=True),
        sa.CheckConstraint(sql_in("kind", SUPPLIER_KINDS), name="procurement_suppliers_kind"),
        sa.CheckConstraint(f"inn ~ '{INN_PATTERN}'", name="procurement_suppliers_inn"),
        sa.ForeignKeyConstraint(["procurement_id"], ["procurements.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("procurement_id", "position", name="procurement_suppliers_position"),
    )
    op.create_table(
        "procurement_products",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("procurement_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("okpd2", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("quantity", sa.Numeric(20, 5), nullable=True),
        sa.Column("price", sa.Numeric(18, 2), nullable=True),
        sa.Column("amount", sa.Numeric(18, 2), nullable=True),
        sa.ForeignKeyConstraint(["procurement_id"], ["procurements.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("procurement_id", "position", name="procurement_products_position"),
    )
    op.create_table(
        "procurement_objects",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("procurement_id", sa.BigInteger(), nullable=False),
        sa.Column("parcel_id", sa.BigInteger(), nullable=True),
        sa.Column("building_id", sa.BigInteger(), nullable=True),
        sa.Column("cadastral_number", sa.Text(), nullable=True),
        sa.Column("cadastral_key", sa.Text(), nullable=True),
        sa.Column("method", sa.Text(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("matched", sa.Text(), nullable=True),
        sa.Column("added_by", sa.Text(), nullable=True),
        *_timestamps(),
        sa.CheckConstraint(sql_in("method", LINK_METHODS), name="procurement_objects_method"),
        sa.CheckConstraint("confidence > 0 AND confidence <= 1", name="procurement_objects_confidence"),
        sa.CheckConstraint("num_nonnulls(parcel_id, building_id, cadastral_key) > 0",
                           name="procurement_objects_something"),
        sa.ForeignKeyConstraint(["procurement_id"], ["procurements.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["parcel_id"], ["parcels.id"], ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["building_id"], ["buildings.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.execute("CREATE UNIQUE INDEX procurement_objects_one ON procurement_objects (procurement_id, "
               "coalesce(parcel_id, 0), coalesce(building_id, 0), coalesce(cadastral_key, ''))")
    op.create_index("procurement_objects_parcel", "procurement_objects", ["parcel_id"])
    op.create_index("procurement_objects_building", "procurement_objects", ["building_id"])
    op.create_index("procurement_objects_cadastral_key", "procurement_objects", ["cadastral_key"])
    op.execute("INSERT INTO data_versions (name) VALUES ('procurement')")
    for table in ("procurements", "procurement_suppliers", "procurement_products", "procurement_objects"):
        op.execute(f"CREATE TRIGGER {table}_data_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                   f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bump_data_version('procurement')")


def downgrade() -> None:
    op.execute("DELETE FROM data_versions WHERE name = 'procurement'")
    for table in ("procurement_objects", "procurement_products", "procurement_suppliers", "procurements"):
        op.drop_table(table)
    for table in ("parcels", "buildings"):
        op.execute(f"DROP INDEX {table}_address_key_trgm")
        op.execute(f"DROP INDEX {table}_address_tokens")
    op.execute("DROP FUNCTION address_numbers(text)")
    op.execute("DROP FUNCTION address_tokens(text)")
    op.execute("DROP FUNCTION address_key(text)")
