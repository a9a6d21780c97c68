"""The city data model: parcels, buildings, rights, auctions, provenance and audit.

The schema itself is created by the Alembic migrations in ``citymodel/migrations``;
these classes describe it for queries, and ``tests/test_migrations.py`` checks the
two agree. Geometry columns hold the one storage CRS of the database (the
``storage_crs`` setting, fixed when the schema is created): the classes leave their
SRID open (``srid=-1``) and ``citymodel.database.storage_srid`` reads the real one.

Personal data: ``Right.holder_name`` of an individual holder is personal data. It is
never shown to anonymous users and never written to logs.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from geoalchemy2 import Geometry
from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Computed,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Numeric,
    SmallInteger,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from citymodel.heights import GROUND_SOURCES, HEIGHT_DATUMS
from citymodel.planning import (
    CAPACITY_UNITS,
    MAX_PROPOSAL_HEIGHT_M,
    PROPOSAL_USES,
    SERVICE_CATEGORIES,
    ZONE_KINDS,
)
from citymodel.procurement import KINDS as PROCUREMENT_KINDS
from citymodel.procurement import LAWS as PROCUREMENT_LAWS
from citymodel.procurement import LINK_METHODS, SUPPLIER_KINDS
from citymodel.procurement import STATUSES as PROCUREMENT_STATUSES
from citymodel.records import (  # the rules of records live there; these are their CHECKs
    DEAL_TYPES,
    HOLDER_KINDS,
    INN_PATTERN,
    LOT_STATUSES,
    RIGHT_KINDS,
    TYPE_CODE_PATTERN,
)
from citymodel.records import sql_in as _in
from citymodel.surfaces import SEMANTICS, SURFACE_TYPES

# measured: the source's height; levels: storeys × storey height; default: neither given;
# model: the extent of the building's own 3D model (CityJSON, CityGML)
HEIGHT_SOURCES = ("measured", "levels", "default", "model")
PROPOSED_HEIGHT_SOURCE = "proposed"  # a scenario's building, in tilesets (never stored in buildings)
BUILDING_KINDS = ("building", "construction", "part")
RUN_STATUSES = ("running", "succeeded", "failed", "dry_run")
AUDIT_ACTIONS = ("create", "update", "delete")
# Indexes on expressions (migration 0013), which the ORM does not describe: one link per
# procurement and object
EXPRESSION_INDEXES = ("procurement_objects_one",)
# A model comes whole: its surfaces, one type per surface, where the types came from, its LoD
MODEL_COMPLETE = (
    "(model IS NULL AND model_surfaces IS NULL AND model_semantics IS NULL AND model_lod IS NULL)"
    " OR (model IS NOT NULL AND model_semantics IS NOT NULL AND model_lod IS NOT NULL"
    " AND cardinality(model_surfaces) = ST_NumGeometries(model))"
)
# Area of a geometry in m² on the WGS 84 spheroid, whatever the storage CRS.
AREA_M2_SQL = "ST_Area(ST_Transform(geom, 4326)::geography)"


def _text_array(values) -> str:
    return "ARRAY[" + ", ".join(f"'{v}'" for v in values) + "]::text[]"


def _trigram_index(table: str, column: str) -> Index:
    """For searching text by fragments and misspellings (pg_trgm)."""
    return Index(
        f"{table}_{column}_trgm", column, postgresql_using="gin",
        postgresql_ops={column: "gin_trgm_ops"},
    )


def _address_key_index(table: str) -> Index:
    """The normalized addresses procurement links by, alike or with the same words (the
    same words have the same trigrams)."""
    return Index(f"{table}_address_key_trgm", "address_key", postgresql_using="gin",
                 postgresql_ops={"address_key": "gin_trgm_ops"})


def _storage_geometry(geometry_type: str, dimension: int = 2) -> Geometry:
    return Geometry(geometry_type, srid=-1, dimension=dimension, spatial_index=False)


class Base(DeclarativeBase):
    pass


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )


class ImportRun(Base):
    """One run of an importer: what was read, what came of it (provenance)."""

    __tablename__ = "import_runs"
    __table_args__ = (CheckConstraint(_in("status", RUN_STATUSES), name="import_runs_status"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(Text)  # parcels | buildings | rights | auctions
    source_path: Mapped[str] = mapped_column(Text)
    source_sha256: Mapped[str | None] = mapped_column(Text)
    source_bytes: Mapped[int | None] = mapped_column(BigInteger)
    source_format: Mapped[str | None] = mapped_column(Text)
    source_crs: Mapped[str | None] = mapped_column(Text)
    options: Mapped[dict] = mapped_column(JSONB, server_default="{}")
    status: Mapped[str] = mapped_column(Text, server_default="running")
    message: Mapped[str | None] = mapped_column(Text)
    loaded: Mapped[int] = mapped_column(Integer, server_default="0")
    updated: Mapped[int] = mapped_column(Integer, server_default="0")
    unchanged: Mapped[int] = mapped_column(Integer, server_default="0")
    rejected: Mapped[int] = mapped_column(Integer, server_default="0")
    counts: Mapped[dict] = mapped_column(JSONB, server_default="{}")  # format-specific extras
    timings: Mapped[dict] = mapped_column(JSONB, server_default="{}")  # seconds per phase
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    rejects: Mapped[list[ImportReject]] = relationship(back_populates="run")


class ImportReject(Base):
    """A feature or row an import refused, and why."""

    __tablename__ = "import_rejects"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("import_runs.id", ondelete="CASCADE"), index=True
    )
    locator: Mapped[str] = mapped_column(Text)  # "feature 12", "row 7", "parcel 26:05:060402:1"
    field: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)

    run: Mapped[ImportRun] = relationship(back_populates="rejects")


class Parcel(Timestamps, Base):
    """A land parcel (земельный участок) of the cadastre."""

    __tablename__ = "parcels"
    __table_args__ = (
        Index("parcels_geom_gist", "geom", postgresql_using="gist"),
        _trigram_index("parcels", "address"),
        _address_key_index("parcels"),
        Index("parcels_cadastral_key_prefix", "cadastral_key",  # a quarter's parcels
              postgresql_ops={"cadastral_key": "text_pattern_ops"}),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    cadastral_number: Mapped[str] = mapped_column(Text)  # canonical, as the source gives it
    cadastral_key: Mapped[str] = mapped_column(Text, unique=True)  # zero-stripped, for lookup
    geom = mapped_column(_storage_geometry("MULTIPOLYGON"), nullable=True)  # None: no boundaries
    declared_area_m2: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    computed_area_m2: Mapped[float | None] = mapped_column(
        Float, Computed(AREA_M2_SQL, persisted=True)
    )
    address: Mapped[str | None] = mapped_column(Text)
    # the address normalized when written (the SQL function of migrations 0013 and 0015)
    address_key: Mapped[str | None] = mapped_column(Text, Computed("address_key(address)", persisted=True))
    land_category: Mapped[str | None] = mapped_column(Text)  # code, e.g. 003002000000
    permitted_use: Mapped[str | None] = mapped_column(Text)  # code, e.g. 141003000000 or 2.1
    permitted_use_text: Mapped[str | None] = mapped_column(Text)  # as in the documents
    cadastral_value: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    state: Mapped[str | None] = mapped_column(Text)  # register state code, e.g. 01, 06
    parcel_type: Mapped[str | None] = mapped_column(Text)  # 01 землепользование … 05 МКУ
    registered_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text)
    import_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_runs.id", ondelete="SET NULL")
    )

    buildings: Mapped[list[Building]] = relationship(back_populates="parcel")
    rights: Mapped[list[Right]] = relationship(back_populates="parcel")


class Building(Timestamps, Base):
    """A building or construction, with what is needed to extrude it."""

    __tablename__ = "buildings"
    __table_args__ = (
        UniqueConstraint("osm_type", "osm_id", name="buildings_osm_key"),
        CheckConstraint("osm_type IN ('node', 'way', 'relation')", name="buildings_osm_type"),
        CheckConstraint(_in("height_source", HEIGHT_SOURCES), name="buildings_height_source"),
        CheckConstraint(_in("kind", BUILDING_KINDS), name="buildings_kind"),
        CheckConstraint(_in("ground_source", GROUND_SOURCES), name="buildings_ground_source"),
        CheckConstraint("(ground_source IS NULL) = (ground_elevation IS NULL)",
                        name="buildings_ground_known"),
        CheckConstraint("height >= 0 AND min_height >= 0 AND min_height <= height",
                        name="buildings_heights"),
        CheckConstraint(MODEL_COMPLETE, name="buildings_model_complete"),
        CheckConstraint(_in("model_semantics", SEMANTICS), name="buildings_model_semantics"),
        CheckConstraint(f"model_surfaces <@ {_text_array(SURFACE_TYPES)}",
                        name="buildings_model_surfaces"),
        Index("buildings_footprint_gist", "footprint", postgresql_using="gist"),
        Index("buildings_parts_gist", "footprint", postgresql_using="gist",
              postgresql_where=text("kind = 'part'")),  # read by the tiles builder
        _trigram_index("buildings", "address"),
        _address_key_index("buildings"),
        Index("buildings_lines_gist", "lines", postgresql_using="gist"),
        Index("buildings_part_of", "part_of", postgresql_where=text("part_of IS NOT NULL")),
        Index("buildings_points_gist", "points", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(Text, server_default="building")  # BUILDING_KINDS
    osm_type: Mapped[str | None] = mapped_column(Text)
    osm_id: Mapped[int | None] = mapped_column(BigInteger)
    register_id: Mapped[str | None] = mapped_column(Text, unique=True)  # city register (UNOM)
    cadastral_number: Mapped[str | None] = mapped_column(Text)
    cadastral_key: Mapped[str | None] = mapped_column(Text, unique=True)
    footprint = mapped_column(_storage_geometry("MULTIPOLYGON"), nullable=True)  # None: register only
    # What the register gives besides closed rings: open polylines and single points
    lines = mapped_column(_storage_geometry("MULTILINESTRING"), nullable=True)
    points = mapped_column(_storage_geometry("MULTIPOINT"), nullable=True)
    height: Mapped[float] = mapped_column(Float)  # metres above ground to the top
    height_source: Mapped[str] = mapped_column(Text)  # measured | levels | default
    floors: Mapped[int | None] = mapped_column(SmallInteger)
    min_height: Mapped[float] = mapped_column(Float, server_default="0")
    ground_elevation: Mapped[float | None] = mapped_column(Float)  # metres, settings.height_datum
    ground_source: Mapped[str | None] = mapped_column(Text)  # GROUND_SOURCES
    use: Mapped[str | None] = mapped_column(Text)
    year_built: Mapped[int | None] = mapped_column(SmallInteger)
    address: Mapped[str | None] = mapped_column(Text)
    # the address normalized when written (the SQL function of migrations 0013 and 0015)
    address_key: Mapped[str | None] = mapped_column(Text, Computed("address_key(address)", persisted=True))
    # A modelled building's real surfaces (CityJSON, CityGML): one polygon per surface, heights
    # absolute (settings.height_datum), each surface's type in model_surfaces (citymodel.surfaces)
    model = mapped_column(_storage_geometry("MULTIPOLYGONZ", 3), nullable=True)
    model_surfaces: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    model_semantics: Mapped[str | None] = mapped_column(Text)  # surfaces.SEMANTICS
    model_lod: Mapped[str | None] = mapped_column(Text)  # "1", "2.2"…
    part_of: Mapped[str | None] = mapped_column(Text)  # a part's building, by its register_id
    attributes: Mapped[dict | None] = mapped_column(JSONB)  # the source's own attributes
    parcel_id: Mapped[int | None] = mapped_column(
        ForeignKey("parcels.id", ondelete="SET NULL"), index=True
    )
    source: Mapped[str] = mapped_column(Text)
    import_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_runs.id", ondelete="SET NULL")
    )

    parcel: Mapped[Parcel | None] = relationship(back_populates="buildings")
    rights: Mapped[list[Right]] = relationship(back_populates="building")


class Right(Timestamps, Base):
    """A property right or an encumbrance (lease, mortgage) on a parcel or a building."""

    __tablename__ = "rights"
    __table_args__ = (
        CheckConstraint("num_nonnulls(parcel_id, building_id) = 1", name="rights_one_object"),
        CheckConstraint(_in("kind", RIGHT_KINDS), name="rights_kind"),
        CheckConstraint(_in("holder_kind", HOLDER_KINDS), name="rights_holder_kind"),
        CheckConstraint(
            "(share_numerator IS NULL AND share_denominator IS NULL) OR "
            "(share_numerator > 0 AND share_denominator >= share_numerator)",
            name="rights_share",
        ),
        CheckConstraint(f"holder_inn ~ '{INN_PATTERN}'", name="rights_holder_inn"),
        CheckConstraint(f"type_code ~ '{TYPE_CODE_PATTERN}'", name="rights_type_code"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    parcel_id: Mapped[int | None] = mapped_column(
        ForeignKey("parcels.id", ondelete="CASCADE"), index=True
    )
    building_id: Mapped[int | None] = mapped_column(
        ForeignKey("buildings.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(Text)  # right | encumbrance
    type_code: Mapped[str] = mapped_column(Text)  # e.g. 001001000000, 022006000000
    type_name: Mapped[str | None] = mapped_column(Text)
    holder_kind: Mapped[str] = mapped_column(Text)  # individual | legal_entity | public
    holder_name: Mapped[str | None] = mapped_column(Text)  # personal data for individuals
    holder_inn: Mapped[str | None] = mapped_column(Text)
    share_numerator: Mapped[int | None] = mapped_column(Integer)
    share_denominator: Mapped[int | None] = mapped_column(Integer)
    registration_number: Mapped[str | None] = mapped_column(Text, unique=True)
    registered_on: Mapped[date | None] = mapped_column(Date)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(Text)
    import_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_runs.id", ondelete="SET NULL")
    )

    parcel: Mapped[Parcel | None] = relationship(back_populates="rights")
    building: Mapped[Building | None] = relationship(back_populates="rights")


class AuctionNotice(Timestamps, Base):
    """A notice of bidding (извещение о торгах), as published on torgi.gov.ru."""

    __tablename__ = "auction_notices"
    __table_args__ = (CheckConstraint(f"organizer_inn ~ '{INN_PATTERN}'", name="auction_notices_organizer_inn"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    notice_number: Mapped[str] = mapped_column(Text, unique=True)
    bidding_type_code: Mapped[str | None] = mapped_column(Text)
    bidding_type_name: Mapped[str | None] = mapped_column(Text)
    bidding_form: Mapped[str | None] = mapped_column(Text)
    organizer_name: Mapped[str | None] = mapped_column(Text)
    organizer_inn: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    bidding_starts_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    bidding_ends_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    source_url: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    import_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_runs.id", ondelete="SET NULL")
    )

    lots: Mapped[list[Lot]] = relationship(back_populates="notice")


class Lot(Timestamps, Base):
    """A lot of a notice: the sale or lease of one or more parcels or buildings."""

    __tablename__ = "lots"
    __table_args__ = (
        UniqueConstraint("notice_id", "lot_number", name="lots_notice_lot"),
        CheckConstraint(_in("deal_type", DEAL_TYPES), name="lots_deal_type"),
        CheckConstraint(_in("status", LOT_STATUSES), name="lots_status"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("auction_notices.id", ondelete="CASCADE"))
    lot_number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str | None] = mapped_column(Text, index=True)  # PUBLISHED … COMPLETED
    deal_type: Mapped[str | None] = mapped_column(Text)  # sale | lease
    name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(Text)
    subject_rf: Mapped[str | None] = mapped_column(Text)
    start_price: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    price_step: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    deposit: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    final_price: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    currency: Mapped[str] = mapped_column(Text, server_default="RUB")
    result_on: Mapped[date | None] = mapped_column(Date)  # date the result was determined
    source_url: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(Text)
    import_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_runs.id", ondelete="SET NULL")
    )

    notice: Mapped[AuctionNotice] = relationship(back_populates="lots")
    objects: Mapped[list[LotObject]] = relationship(back_populates="lot")


class LotObject(Base):
    """What a lot sells or leases: a parcel or building, or a number not (yet) known."""

    __tablename__ = "lot_objects"
    __table_args__ = (
        CheckConstraint(
            "num_nonnulls(cadastral_number, parcel_id, building_id) > 0",
            name="lot_objects_something",
        ),
        UniqueConstraint("lot_id", "cadastral_key", name="lot_objects_lot_key"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("lots.id", ondelete="CASCADE"))
    cadastral_number: Mapped[str | None] = mapped_column(Text)
    cadastral_key: Mapped[str | None] = mapped_column(Text, index=True)
    parcel_id: Mapped[int | None] = mapped_column(
        ForeignKey("parcels.id", ondelete="SET NULL"), index=True
    )
    building_id: Mapped[int | None] = mapped_column(
        ForeignKey("buildings.id", ondelete="SET NULL"), index=True
    )

    lot: Mapped[Lot] = relationship(back_populates="objects")


class Procurement(Timestamps, Base):
    """A public procurement notice or contract (44-ФЗ, 223-ФЗ), its latest edition."""

    __tablename__ = "procurements"
    __table_args__ = (
        CheckConstraint(_in("kind", PROCUREMENT_KINDS), name="procurements_kind"),
        CheckConstraint(_in("law", PROCUREMENT_LAWS), name="procurements_law"),
        CheckConstraint(_in("status", PROCUREMENT_STATUSES), name="procurements_status"),
        CheckConstraint(f"customer_inn ~ '{INN_PATTERN}'", name="procurements_customer_inn"),
        CheckConstraint("(kind = 'contract') = (registry_number IS NOT NULL)",
                        name="procurements_contract_number"),
        CheckConstraint("kind = 'contract' OR purchase_number IS NOT NULL",
                        name="procurements_notice_number"),
        CheckConstraint("price >= 0", name="procurements_price"),
        Index("procurements_contract_key", "registry_number", unique=True,
              postgresql_where=text("kind = 'contract'")),
        Index("procurements_notice_key", "purchase_number", unique=True,
              postgresql_where=text("kind = 'notice'")),
        Index("procurements_purchase_number", "purchase_number"),
        Index("procurements_customer_inn", "customer_inn"),
        Index("procurements_okpd2", "okpd2", postgresql_using="gin"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    kind: Mapped[str] = mapped_column(Text)  # notice | contract
    law: Mapped[str] = mapped_column(Text)  # 44 | 223
    purchase_number: Mapped[str | None] = mapped_column(Text)  # a notice's; a contract's notice
    registry_number: Mapped[str | None] = mapped_column(Text)  # a contract's
    version_number: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str | None] = mapped_column(Text)
    price: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))  # a notice's maximum price
    currency: Mapped[str] = mapped_column(Text, server_default="RUB")
    published_on: Mapped[date | None] = mapped_column(Date)
    signed_on: Mapped[date | None] = mapped_column(Date)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str | None] = mapped_column(Text)
    construction_works: Mapped[bool | None] = mapped_column(Boolean)
    customer_name: Mapped[str | None] = mapped_column(Text)
    customer_inn: Mapped[str | None] = mapped_column(Text)
    customer_reg_num: Mapped[str | None] = mapped_column(Text)
    okpd2: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    delivery_places: Mapped[list] = mapped_column(JSONB, server_default="[]")  # [{kladr, place}]
    # the addresses its delivery places and texts name: what links it to buildings and parcels
    addresses: Mapped[list[str]] = mapped_column(ARRAY(Text), server_default="{}")
    source: Mapped[str] = mapped_column(Text)
    source_document: Mapped[str | None] = mapped_column(Text)  # the file (or zip member) it came in
    import_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_runs.id", ondelete="SET NULL")
    )


class ProcurementSupplier(Base):
    """A supplier of a contract. An individual's (or sole proprietor's) name and INN are
    personal data: officials and admins only."""

    __tablename__ = "procurement_suppliers"
    __table_args__ = (
        CheckConstraint(_in("kind", SUPPLIER_KINDS), name="procurement_suppliers_kind"),
        CheckConstraint(f"inn ~ '{INN_PATTERN}'", name="procurement_suppliers_inn"),
        UniqueConstraint("procurement_id", "position", name="procurement_suppliers_position"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    procurement_id: Mapped[int] = mapped_column(ForeignKey("procurements.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(SmallInteger)
    kind: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    inn: Mapped[str | None] = mapped_column(Text)


class ProcurementProduct(Base):
    """An item of a contract (or a notice's purchase object): ОКПД2 code, name, sums."""

    __tablename__ = "procurement_products"
    __table_args__ = (UniqueConstraint("procurement_id", "position", name="procurement_products_position"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    procurement_id: Mapped[int] = mapped_column(ForeignKey("procurements.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    okpd2: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    quantity: Mapped[Decimal | None] = mapped_column(Numeric(20, 5))
    price: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))


class ProcurementObject(Timestamps, Base):
    """What a procurement concerns: a parcel, a building, or a cadastral number not (yet)
    known; how the link was found and how sure it is."""

    __tablename__ = "procurement_objects"
    __table_args__ = (
        CheckConstraint(_in("method", LINK_METHODS), name="procurement_objects_method"),
        CheckConstraint("confidence > 0 AND confidence <= 1", name="procurement_objects_confidence"),
        CheckConstraint("num_nonnulls(parcel_id, building_id, cadastral_key) > 0",
                        name="procurement_objects_something"),
        Index("procurement_objects_parcel", "parcel_id"),
        Index("procurement_objects_building", "building_id"),
        Index("procurement_objects_cadastral_key", "cadastral_key"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    procurement_id: Mapped[int] = mapped_column(ForeignKey("procurements.id", ondelete="CASCADE"))
    parcel_id: Mapped[int | None] = mapped_column(ForeignKey("parcels.id", ondelete="SET NULL"))
    building_id: Mapped[int | None] = mapped_column(ForeignKey("buildings.id", ondelete="SET NULL"))
    cadastral_number: Mapped[str | None] = mapped_column(Text)
    cadastral_key: Mapped[str | None] = mapped_column(Text)
    method: Mapped[str] = mapped_column(Text)  # LINK_METHODS
    confidence: Mapped[float] = mapped_column(Float)  # 0…1
    matched: Mapped[str | None] = mapped_column(Text)  # the text that linked it
    added_by: Mapped[str | None] = mapped_column(Text)  # the official, for manual links


class AuditEntry(Base):
    """A change made through the API: who, when, what. Personal data is not copied here."""

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint(_in("action", AUDIT_ACTIONS), name="audit_log_action"),
        Index("audit_log_entity", "entity", "entity_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
    actor: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(Text)
    entity: Mapped[str] = mapped_column(Text)  # table name
    entity_id: Mapped[int] = mapped_column(BigInteger)
    changes: Mapped[dict] = mapped_column(JSONB, server_default="{}")  # field: [old, new]


class Zone(Timestamps, Base):
    """A planning zone: territorial (with its parameters), restriction (ЗОУИТ), heritage.

    ``zone_key`` is the registry number when the source gives one, else the zone code.
    A parameter given as a phrase ("без ограничений") is NULL, with the phrase's code in
    ``limits_text`` (see ``citymodel.planning``).
    """

    __tablename__ = "zones"
    __table_args__ = (
        CheckConstraint(_in("kind", ZONE_KINDS), name="zones_kind"),
        CheckConstraint(
            "max_height_m >= 0 AND max_floors >= 0 AND max_coverage_pct BETWEEN 0 AND 100 "
            "AND max_density >= 0 AND min_setback_m >= 0", name="zones_limits"),
        Index("zones_geom_gist", "geom", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    zone_key: Mapped[str] = mapped_column(Text, unique=True)
    kind: Mapped[str] = mapped_column(Text)
    zone_code: Mapped[str | None] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    restrictions: Mapped[str | None] = mapped_column(Text)
    registry_number: Mapped[str | None] = mapped_column(Text)
    max_height_m: Mapped[float | None] = mapped_column(Float)
    max_floors: Mapped[int | None] = mapped_column(SmallInteger)
    max_coverage_pct: Mapped[float | None] = mapped_column(Float)
    max_density: Mapped[float | None] = mapped_column(Float)  # thousand m² of floor area per ha
    min_setback_m: Mapped[float | None] = mapped_column(Float)
    limits_text: Mapped[dict] = mapped_column(JSONB, server_default="{}")
    permitted_uses: Mapped[list[str] | None] = mapped_column(ARRAY(Text))
    documents: Mapped[list] = mapped_column(JSONB, server_default="[]")
    geom = mapped_column(_storage_geometry("MULTIPOLYGON"), nullable=True)  # None: no boundary
    source: Mapped[str] = mapped_column(Text)
    import_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_runs.id", ondelete="SET NULL")
    )


class Service(Timestamps, Base):
    """A city service: a school, clinic, museum, sports ground … as a point."""

    __tablename__ = "services"
    __table_args__ = (
        CheckConstraint(_in("category", SERVICE_CATEGORIES), name="services_category"),
        CheckConstraint(_in("capacity_unit", CAPACITY_UNITS), name="services_capacity_unit"),
        CheckConstraint("capacity >= 0", name="services_capacity"),
        Index("services_geom_gist", "geom", postgresql_using="gist"),
        _trigram_index("services", "name"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    external_id: Mapped[str] = mapped_column(Text, unique=True)  # osm:node/1, mos:123 …
    category: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    capacity: Mapped[int | None] = mapped_column(Integer)
    capacity_unit: Mapped[str | None] = mapped_column(Text)  # places | visits
    opening_hours: Mapped[str | None] = mapped_column(Text)
    geom = mapped_column(_storage_geometry("POINT"), nullable=False)
    source: Mapped[str] = mapped_column(Text)
    import_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_runs.id", ondelete="SET NULL")
    )


USER_ROLES = ("viewer", "planner", "official", "admin")  # weakest first


class User(Base):
    """Someone who signs in to the API; the API key is stored only as its SHA-256."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_in("role", USER_ROLES), name="users_role"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(Text, unique=True)
    role: Mapped[str] = mapped_column(Text)
    api_key_hash: Mapped[str] = mapped_column(Text, unique=True)
    disabled: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Scenario(Timestamps, Base):
    """A planner's development scenario: proposed buildings and demolitions, and its last
    check (the report, and the data versions it was checked against)."""

    __tablename__ = "scenarios"
    __table_args__ = (CheckConstraint("length(name) BETWEEN 1 AND 200", name="scenarios_name"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(ForeignKey("users.name", onupdate="CASCADE"), index=True)
    published: Mapped[bool] = mapped_column(Boolean, server_default=text("false"))
    checked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    checked_versions: Mapped[dict | None] = mapped_column(JSONB)
    report: Mapped[dict | None] = mapped_column(JSONB)


class ScenarioBuilding(Timestamps, Base):
    """A proposed building of a scenario."""

    __tablename__ = "scenario_buildings"
    __table_args__ = (
        CheckConstraint(f"height > 0 AND height <= {MAX_PROPOSAL_HEIGHT_M:g} AND min_height >= 0 "
                        "AND min_height < height", name="scenario_buildings_heights"),
        CheckConstraint("floors BETWEEN 1 AND 300", name="scenario_buildings_floors"),
        CheckConstraint(_in("use", tuple(PROPOSAL_USES)), name="scenario_buildings_use"),
        CheckConstraint("residential_share BETWEEN 0 AND 1", name="scenario_buildings_residential_share"),
        CheckConstraint("floor_area > 0", name="scenario_buildings_floor_area"),
        Index("scenario_buildings_footprint_gist", "footprint", postgresql_using="gist"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(Text)
    footprint = mapped_column(_storage_geometry("MULTIPOLYGON"), nullable=False)
    height: Mapped[float] = mapped_column(Float)
    min_height: Mapped[float] = mapped_column(Float, server_default="0")
    floors: Mapped[int | None] = mapped_column(SmallInteger)
    use: Mapped[str] = mapped_column(Text)
    residential_share: Mapped[float | None] = mapped_column(Float)
    floor_area: Mapped[float | None] = mapped_column(Float)


class ScenarioDemolition(Base):
    """An existing building a scenario removes."""

    __tablename__ = "scenario_demolitions"

    scenario_id: Mapped[int] = mapped_column(ForeignKey("scenarios.id", ondelete="CASCADE"),
                                             primary_key=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id", ondelete="CASCADE"),
                                             primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Street(Timestamps, Base):
    """A walkable way of OpenStreetMap (``citymodel.planning.WALKABLE``), for walking distances."""

    __tablename__ = "streets"
    __table_args__ = (Index("streets_geom_gist", "geom", postgresql_using="gist"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    osm_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    highway: Mapped[str] = mapped_column(Text)
    name: Mapped[str | None] = mapped_column(Text)
    geom = mapped_column(_storage_geometry("LINESTRING"), nullable=False)
    source: Mapped[str] = mapped_column(Text)
    import_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_runs.id", ondelete="SET NULL")
    )


class Terrain(Timestamps, Base):
    """The city's terrain: one digital elevation model, a Cloud-Optimized GeoTIFF in
    EPSG:4326 under ``<state_dir>/terrain/`` named by its digest (see citymodel.terrain)."""

    __tablename__ = "terrain"
    __table_args__ = (
        CheckConstraint("id = 1", name="terrain_one"),
        CheckConstraint(_in("height_datum", HEIGHT_DATUMS), name="terrain_height_datum"),
        CheckConstraint("west < east AND south < north", name="terrain_bounds"),
    )

    id: Mapped[int] = mapped_column(SmallInteger, primary_key=True, server_default="1")
    digest: Mapped[str] = mapped_column(Text)  # sha256 of the stored file: its name, the ETags
    height_datum: Mapped[str] = mapped_column(Text)  # HEIGHT_DATUMS
    west: Mapped[float] = mapped_column(Float)  # bounds, degrees
    south: Mapped[float] = mapped_column(Float)
    east: Mapped[float] = mapped_column(Float)
    north: Mapped[float] = mapped_column(Float)
    resolution_m: Mapped[float] = mapped_column(Float)  # the source's pixel size, metres
    min_height: Mapped[float] = mapped_column(Float)
    max_height: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(Text)  # the imported file's name
    source_crs: Mapped[str] = mapped_column(Text)
    import_run_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_runs.id", ondelete="SET NULL")
    )


class DataVersion(Base):
    """A counter bumped by statement-level triggers whenever its tables change (see
    migration 0004): caches keyed by it are never stale after a commit."""

    __tablename__ = "data_versions"

    name: Mapped[str] = mapped_column(Text, primary_key=True)  # parcels | buildings | auctions
    version: Mapped[int] = mapped_column(BigInteger, server_default="1")
